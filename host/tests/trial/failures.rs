//! A batch failing as a whole, and a prober without slots: the scan stops, and says so.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::trial::DEFAULT_MAX_FRAMES;

/// A scan of `frames` frames, `batch` at a time, whose batch `fail_batch` fails with `rc`.
struct AbortCase {
    frames: u64,
    batch: usize,
    fail_batch: usize,
    rc: i32,
    /// Frames answered before the failure.
    tested: u64,
    /// Runs of the answered frames: (first index, frames, answer).
    runs: &'static [(u64, u64, Trial)],
}

/// One `#[test]` per [`AbortCase`] (`name => AbortCase { .. },`).
macro_rules! abort_cases {
    ($($(#[$doc:meta])* $name:ident => $case:expr,)*) => {$(
        $(#[$doc])*
        #[test]
        fn $name() {
            // Frames 0-1 granted, 2 refused, then granted.
            let answer = |i: u64| if i == 2 { DENIED } else { M };
            let c: AbortCase = $case;
            let mut m = Model::new(FIRST, c.frames, c.batch, answer).failing(c.fail_batch, c.rc);
            let v = m.scan(DEFAULT_MAX_FRAMES);
            check_scan(&v, &m, DEFAULT_MAX_FRAMES);
            assert_eq!(v.aborted, Some(c.rc));
            assert_eq!(v.tested, c.tested, "only answered frames count");
            assert_eq!(
                m.batches.len(),
                c.fail_batch + 1,
                "no batch after the failure"
            );
            assert_eq!(
                m.asked.len() as u64,
                (c.tested + c.batch as u64).min(c.frames)
            );
            assert_eq!(
                v.granted,
                want_runs(FIRST, c.runs, |a| *a == M)
            );
            assert_eq!(
                v.refused,
                want_runs(FIRST, c.runs, |a| matches!(a, Trial::Refused(_)))
            );
            assert!(!v.complete());
            assert_eq!(v.maps_first_frame(), c.tested > 0);
        }
    )*};
}

abort_cases! {
    /// First batch fails
    first_batch_fails => AbortCase {
        frames: 10,
        batch: 4,
        fail_batch: 0,
        rc: EFAULT,
        tested: 0,
        runs: &[],
    },
    /// Second batch fails
    second_batch_fails => AbortCase {
        frames: 10,
        batch: 4,
        fail_batch: 1,
        rc: ENOMEM,
        tested: 4,
        runs: &[(0, 2, M), (2, 1, DENIED), (3, 1, M)],
    },
    /// Last, partial batch fails
    last_partial_batch_fails => AbortCase {
        frames: 10,
        batch: 4,
        fail_batch: 2,
        rc: EINVAL,
        tested: 8,
        runs: &[(0, 2, M), (2, 1, DENIED), (3, 5, M)],
    },

}

#[test]
fn a_prober_without_slots_aborts() {
    let (v, m) = run(FIRST, 10, DEFAULT_MAX_FRAMES, 0, |_| M);
    assert_eq!(v.aborted, Some(EINVAL));
    assert_eq!((v.tested, v.entries, v.hypercalls), (0, 0, 0));
    assert!(m.batches.is_empty(), "nothing can be asked without slots");
    assert!(!v.complete() && !v.maps_first_frame());

    // A BAR without frames needs no slot.
    let (v, _) = run(FIRST, 0, DEFAULT_MAX_FRAMES, 0, |_| M);
    assert_eq!(v.aborted, None);
}
