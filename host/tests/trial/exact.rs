//! Exact mode: every frame of a BAR asked once, in increasing order, in batches.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::trial::DEFAULT_MAX_FRAMES;

#[test]
fn exact_mode_asks_every_frame_once_in_increasing_order() {
    for (frames, batch, want_batches) in [
        (1, BATCH, vec![1]),
        (7, 7, vec![7]),
        (8, 7, vec![7, 1]),
        (20, 7, vec![7, 7, 6]),
        (256, BATCH, vec![256]),
        (1025, BATCH, vec![1024, 1]),
        (3000, 1, vec![1; 3000]),
    ] {
        let (v, m) = run(FIRST, frames, DEFAULT_MAX_FRAMES, batch, |_| M);
        assert_eq!(
            m.asked,
            (FIRST..FIRST + frames).collect::<Vec<_>>(),
            "{frames} frames, batch {batch}"
        );
        assert_eq!(m.batches, want_batches, "{frames} frames, batch {batch}");
        assert_eq!(v.tested, frames);
        assert!(v.complete() && !v.sampled());
    }
}

#[test]
fn batch_size_changes_only_the_hypercalls() {
    // Refused and read-only frames scattered over batch boundaries of every size.
    let answer = |i: u64| match i % 97 {
        0..=9 => DENIED,
        10 => RO,
        11..=20 => BUSY,
        _ => M,
    };
    let frames = 3000;
    let (base, _) = run(FIRST, frames, DEFAULT_MAX_FRAMES, 1, answer);
    assert!(base.refused.count > RUNS_KEPT as u64);
    for batch in [1, 7, 1024] {
        let (v, m) = run(FIRST, frames, DEFAULT_MAX_FRAMES, batch, answer);
        assert_eq!(
            u64::from(v.hypercalls),
            frames.div_ceil(batch as u64),
            "batch {batch}"
        );
        assert_eq!(m.batches.len() as u64, frames.div_ceil(batch as u64));
        assert_eq!(
            Verdict { hypercalls: 0, ..v },
            Verdict {
                hypercalls: 0,
                ..base
            },
            "batch {batch}"
        );
    }
}

#[test]
fn scan_of_a_fully_granted_bar_is_all_mapped() {
    // The shared `all_mapped_at` fixture is what the module's scan really produces.
    for frames in [1, 256, 1024, 1025, BIG] {
        let (v, _) = run(BIG_FIRST, frames, DEFAULT_MAX_FRAMES, BATCH, |_| M);
        assert_eq!(v, all_mapped_at(BIG_FIRST, frames), "{frames} frames");
    }
}

#[test]
fn zero_frames_asks_nothing() {
    let (v, m) = run(FIRST, 0, DEFAULT_MAX_FRAMES, BATCH, |_| -> Trial {
        panic!("no frame to ask")
    });
    assert!(m.batches.is_empty());
    assert_eq!(
        v,
        Verdict {
            first_pfn: FIRST,
            stride: 1,
            ..Verdict::default()
        }
    );
    assert!(!v.maps_first_frame());
}
