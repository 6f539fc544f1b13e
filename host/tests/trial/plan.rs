//! The plan: every frame up to the test limit, an evenly spaced sample with both ends above it.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::trial::{Plan, DEFAULT_MAX_FRAMES};

/// The plan of a BAR of `frames` frames under a test limit of `max_frames`.
struct PlanCase {
    frames: u64,
    max_frames: u64,
    stride: u64,
    len: u64,
}

/// One `#[test]` per [`PlanCase`] (`name => PlanCase { .. },`).
macro_rules! plan_cases {
    ($($(#[$doc:meta])* $name:ident => $case:expr,)*) => {$(
        $(#[$doc])*
        #[test]
        fn $name() {
            let c: PlanCase = $case;
            let p = Plan::new(c.frames, c.max_frames);
            let max = c.max_frames.max(2);
            assert_eq!((p.stride(), p.len()), (c.stride, c.len));
            assert_eq!(p.sampled(), c.frames > max);
            assert_eq!(p.is_empty(), c.frames == 0);
            assert!(p.len() <= max);
            if c.frames == 0 || c.len > 100_000 {
                return;
            }
            let idx = plan_indices(&p);
            assert_eq!(idx[0], 0);
            assert_eq!(*idx.last().unwrap(), c.frames - 1);
            assert!(idx.windows(2).all(|w| w[0] < w[1]), "{idx:?}");
            assert!(
                idx.iter().all(|&i| i % c.stride == 0 || i == c.frames - 1),
                "{idx:?}"
            );
        }
    )*};
}

plan_cases! {
    /// No frame
    no_frame => PlanCase {
        frames: 0,
        max_frames: 1024,
        stride: 1,
        len: 0,
    },
    /// One frame
    one_frame => PlanCase {
        frames: 1,
        max_frames: 1024,
        stride: 1,
        len: 1,
    },
    /// At the limit
    at_the_limit => PlanCase {
        frames: 1024,
        max_frames: 1024,
        stride: 1,
        len: 1024,
    },
    /// One frame above the limit
    one_frame_above_the_limit => PlanCase {
        frames: 1025,
        max_frames: 1024,
        stride: 2,
        len: 513,
    },
    /// 4 GiB BAR, default limit
    bar_of_4_gib_at_the_default_limit => PlanCase {
        frames: 1 << 20,
        max_frames: DEFAULT_MAX_FRAMES,
        stride: 1,
        len: 1 << 20,
    },
    /// 8 GiB BAR, default limit
    bar_of_8_gib_at_the_default_limit => PlanCase {
        frames: 1 << 21,
        max_frames: DEFAULT_MAX_FRAMES,
        stride: 3,
        len: 699_052,
    },
    /// 100 frames, limit 10: the last is a multiple of the stride
    frames_100_limit_10_the_last_is_a_multiple_of_the_stride => PlanCase {
        frames: 100,
        max_frames: 10,
        stride: 11,
        len: 10,
    },
    /// 101 frames, limit 10: the last is added
    frames_101_limit_10_the_last_is_added => PlanCase {
        frames: 101,
        max_frames: 10,
        stride: 12,
        len: 10,
    },
    /// Limit 0 acts as 2: two frames in full
    limit_0_acts_as_2_two_frames_in_full => PlanCase {
        frames: 2,
        max_frames: 0,
        stride: 1,
        len: 2,
    },
    /// Limit 1 acts as 2: both ends of three frames
    limit_1_acts_as_2_both_ends_of_three_frames => PlanCase {
        frames: 3,
        max_frames: 1,
        stride: 2,
        len: 2,
    },
    /// Limit 2: both ends only
    limit_2_both_ends_only => PlanCase {
        frames: 1000,
        max_frames: 2,
        stride: 999,
        len: 2,
    },

}

#[test]
fn plan_of_101_frames_limit_10() {
    assert_eq!(
        plan_indices(&Plan::new(101, 10)),
        [0, 12, 24, 36, 48, 60, 72, 84, 96, 100]
    );
}

#[test]
fn sampled_bar_asks_the_plan_and_says_so() {
    // 100 frames, limit 10: indices 0, 11, ..., 99 in batches of 4.
    let (v, m) = run(FIRST, 100, 10, 4, |_| M);
    assert_eq!(m.asked_indices(), (0..100).step_by(11).collect::<Vec<_>>());
    assert_eq!(m.batches, [4, 4, 2]);
    assert_eq!((v.tested, v.stride, v.hypercalls), (10, 11, 3));
    assert!(v.sampled() && !v.complete());
    assert!(v.maps_first_frame());
    // Only asked frames are in runs: the 90 frames between them are not claimed granted.
    assert_eq!(v.granted.frames, 10);
    assert_eq!(v.refused.count + v.read_only.count, 0);
}
