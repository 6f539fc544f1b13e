//! `Verdict::maps_first_frame`: about frame 0 only, the one page the read probe maps.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::trial::DEFAULT_MAX_FRAMES;

/// Whether Xen maps frame 0 of a BAR of `frames` frames answered by `answer`.
struct FirstCase {
    frames: u64,
    max_frames: u64,
    fail_first_batch: bool,
    answer: fn(u64) -> Trial,
    want: bool,
}

/// One `#[test]` per [`FirstCase`] (`name => FirstCase { .. },`).
macro_rules! first_frame_cases {
    ($($(#[$doc:meta])* $name:ident => $case:expr,)*) => {$(
        $(#[$doc])*
        #[test]
        fn $name() {
            let c: FirstCase = $case;
            let mut m = Model::new(FIRST, c.frames, BATCH, c.answer);
            if c.fail_first_batch {
                m = m.failing(0, -14);
            }
            let v = m.scan(c.max_frames);
            check_scan(&v, &m, c.max_frames);
            assert_eq!(v.maps_first_frame(), c.want);
        }
    )*};
}

first_frame_cases! {
    /// All granted
    all_granted => FirstCase {
        frames: 256,
        max_frames: DEFAULT_MAX_FRAMES,
        fail_first_batch: false,
        answer: |_| M,
        want: true,
    },
    /// Frame 0 read-only (MSI-X table first)
    frame_0_read_only_msi_x_table_first => FirstCase {
        frames: 256,
        max_frames: DEFAULT_MAX_FRAMES,
        fail_first_batch: false,
        answer: |i| if i == 0 { RO } else { M },
        want: true,
    },
    /// Frame 0 refused, the rest granted
    frame_0_refused_the_rest_granted => FirstCase {
        frames: 256,
        max_frames: DEFAULT_MAX_FRAMES,
        fail_first_batch: false,
        answer: |i| if i == 0 { DENIED } else { M },
        want: false,
    },
    /// Frame 0 granted, the rest refused
    frame_0_granted_the_rest_refused => FirstCase {
        frames: 256,
        max_frames: DEFAULT_MAX_FRAMES,
        fail_first_batch: false,
        answer: |i| if i == 0 { M } else { DENIED },
        want: true,
    },
    /// All refused
    all_refused => FirstCase {
        frames: 256,
        max_frames: DEFAULT_MAX_FRAMES,
        fail_first_batch: false,
        answer: |_| DENIED,
        want: false,
    },
    /// Frame 0 refused, granted runs beyond those kept
    frame_0_refused_granted_runs_beyond_those_kept => FirstCase {
        frames: 64,
        max_frames: DEFAULT_MAX_FRAMES,
        fail_first_batch: false,
        answer: |i| if i % 2 == 0 { BUSY } else { M },
        want: false,
    },
    /// Frame 0 granted among many runs
    frame_0_granted_among_many_runs => FirstCase {
        frames: 64,
        max_frames: DEFAULT_MAX_FRAMES,
        fail_first_batch: false,
        answer: |i| if i % 3 == 0 { M } else { DENIED },
        want: true,
    },
    /// No frame
    no_frame => FirstCase {
        frames: 0,
        max_frames: DEFAULT_MAX_FRAMES,
        fail_first_batch: false,
        answer: |_| M,
        want: false,
    },
    /// First batch failed: frame 0 unknown
    first_batch_failed_frame_0_unknown => FirstCase {
        frames: 256,
        max_frames: DEFAULT_MAX_FRAMES,
        fail_first_batch: true,
        answer: |_| M,
        want: false,
    },
    /// Sampled, frame 0 granted
    sampled_frame_0_granted => FirstCase {
        frames: 4096,
        max_frames: 64,
        fail_first_batch: false,
        answer: |i| if i == 0 { M } else { DENIED },
        want: true,
    },
    /// Sampled, frame 0 refused
    sampled_frame_0_refused => FirstCase {
        frames: 4096,
        max_frames: 64,
        fail_first_batch: false,
        answer: |i| if i == 0 { DENIED } else { M },
        want: false,
    },

}
