//! Xen's answers folded into runs of pfns: merged while equal, split on a change, the first kept.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::trial::DEFAULT_MAX_FRAMES;

/// The runs of a BAR whose frames Xen answers with `answers`, in any batch size.
struct RunCase {
    answers: &'static [Trial],
    /// Every run, in pfn order: (first index, frames, answer).
    runs: &'static [(u64, u64, Trial)],
}

/// One `#[test]` per [`RunCase`] (`name => RunCase { .. },`).
macro_rules! run_cases {
    ($($(#[$doc:meta])* $name:ident => $case:expr,)*) => {$(
        $(#[$doc])*
        #[test]
        fn $name() {
            let c: RunCase = $case;
            let frames = c.answers.len() as u64;
            for batch in [1, 3, BATCH] {
                let (v, m) = run(FIRST, frames, DEFAULT_MAX_FRAMES, batch, |i| {
                    c.answers[i as usize]
                });
                let what = format!("batch {batch}");
                assert_eq!(v.granted, want_runs(FIRST, c.runs, |a| *a == M), "{what}");
                assert_eq!(
                    v.refused,
                    want_runs(FIRST, c.runs, |a| matches!(a, Trial::Refused(_))),
                    "{what}"
                );
                assert_eq!(
                    v.read_only,
                    want_runs(FIRST, c.runs, |a| *a == RO),
                    "{what}"
                );
                assert_eq!(
                    u64::from(v.hypercalls),
                    frames.div_ceil(batch as u64),
                    "{what}"
                );
                assert_eq!(
                    m.batches.len() as u64,
                    frames.div_ceil(batch as u64),
                    "{what}"
                );
            }
        }
    )*};
}

run_cases! {
    /// One answer, one run
    one_answer_one_run => RunCase {
        answers: &[M; 5],
        runs: &[(0, 5, M)],
    },
    /// A changed answer splits
    a_changed_answer_splits => RunCase {
        answers: &[M, M, DENIED, DENIED, M],
        runs: &[(0, 2, M), (2, 2, DENIED), (4, 1, M)],
    },
    /// A changed refusal code splits
    a_changed_refusal_code_splits => RunCase {
        answers: &[DENIED, DENIED, BUSY, BUSY, DENIED],
        runs: &[(0, 2, DENIED), (2, 2, BUSY), (4, 1, DENIED)],
    },
    /// Read-only splits granted
    read_only_splits_granted => RunCase {
        answers: &[M, M, RO, M],
        runs: &[(0, 2, M), (2, 1, RO), (3, 1, M)],
    },
    /// Equal answers across a gap are two runs
    equal_answers_across_a_gap_are_two_runs => RunCase {
        answers: &[DENIED, M, M, DENIED],
        runs: &[(0, 1, DENIED), (1, 2, M), (3, 1, DENIED)],
    },
    /// A run spans batches
    a_run_spans_batches => RunCase {
        answers: &[RO; 10],
        runs: &[(0, 10, RO)],
    },
    /// Mixed answers within one batch
    mixed_answers_within_one_batch => RunCase {
        answers: &[M, RO, DENIED, DENIED, BUSY, M, M, RO],
        runs: &[
            (0, 1, M),
            (1, 1, RO),
            (2, 2, DENIED),
            (4, 1, BUSY),
            (5, 2, M),
            (7, 1, RO),
        ],
    },
    /// Single frame
    single_frame => RunCase {
        answers: &[BUSY],
        runs: &[(0, 1, BUSY)],
    },

}

#[test]
fn more_runs_than_kept_keeps_the_first_and_exact_totals() {
    // Granted and refused alternate frame by frame: 10 runs of each, RUNS_KEPT of each kept.
    let (v, _) = run(FIRST, 20, DEFAULT_MAX_FRAMES, 7, |i| {
        if i % 2 == 0 {
            M
        } else {
            DENIED
        }
    });
    assert_eq!((v.granted.count, v.granted.frames), (10, 10));
    assert_eq!((v.refused.count, v.refused.frames), (10, 10));
    let starts = |r: &Runs| r.iter().map(|r| r.first_pfn - FIRST).collect::<Vec<_>>();
    let kept = |first: u64| {
        (0..RUNS_KEPT as u64)
            .map(|k| first + 2 * k)
            .collect::<Vec<_>>()
    };
    assert_eq!(starts(&v.granted), kept(0));
    assert_eq!(starts(&v.refused), kept(1));
    assert_eq!(v.read_only, Runs::default());

    // Refusal codes alternating: every frame its own refused run.
    let (v, _) = run(FIRST, 9, DEFAULT_MAX_FRAMES, BATCH, |i| {
        if i % 2 == 0 {
            DENIED
        } else {
            BUSY
        }
    });
    assert_eq!((v.refused.count, v.refused.frames), (9, 9));
    assert_eq!(
        ranges(&v.refused),
        [
            (FIRST, FIRST, DENIED),
            (FIRST + 1, FIRST + 1, BUSY),
            (FIRST + 2, FIRST + 2, DENIED),
            (FIRST + 3, FIRST + 3, BUSY)
        ][..RUNS_KEPT]
    );
    assert_eq!(v.granted.count, 0);

    // Long runs past the kept ones still add their frames.
    let (v, _) = run(FIRST, 1000, DEFAULT_MAX_FRAMES, BATCH, |i| {
        if i / 100 % 2 == 0 {
            M
        } else {
            RO
        }
    });
    assert_eq!((v.granted.count, v.granted.frames), (5, 500));
    assert_eq!((v.read_only.count, v.read_only.frames), (5, 500));
    // The last kept read-only run: runs of 100 frames, read-only from frame 100 on, every 200.
    let last = 100 + 200 * (RUNS_KEPT as u64 - 1);
    assert_eq!(
        ranges(&v.read_only).last(),
        Some(&(FIRST + last, FIRST + last + 99, RO))
    );
}

/// Holes in a 256 MiB BAR, found exactly.
struct HoleCase {
    answer: fn(u64) -> Trial,
    /// (first pfn, last pfn, answer) of every run of each kind, all kept.
    granted: &'static [(u64, u64, Trial)],
    refused: &'static [(u64, u64, Trial)],
    read_only: &'static [(u64, u64, Trial)],
}

/// One `#[test]` per [`HoleCase`] (`name => HoleCase { .. },`).
macro_rules! hole_cases {
    ($($(#[$doc:meta])* $name:ident => $case:expr,)*) => {$(
        $(#[$doc])*
        #[test]
        fn $name() {
            const F: u64 = BIG_FIRST;
            let c: HoleCase = $case;
            let (v, _) = run(BIG_FIRST, BIG, DEFAULT_MAX_FRAMES, BATCH, c.answer);
            assert!(v.complete() && !v.sampled());
            assert_eq!(v.tested, BIG);
            assert_eq!(
                v.hypercalls, 64,
                "65,536 frames in 1,024-frame batches"
            );
            assert_eq!(v.entries, BIG);
            for (kind, runs, want) in [
                ("granted", &v.granted, c.granted),
                ("refused", &v.refused, c.refused),
                ("read-only", &v.read_only, c.read_only),
            ] {
                assert_eq!(ranges(runs), want, "{kind}");
                assert_eq!(runs.count, want.len() as u64, "{kind}");
                let frames: u64 = want.iter().map(|&(a, b, _)| b - a + 1).sum();
                assert_eq!(runs.frames, frames, "{kind}");
            }
        }
    )*};
}

hole_cases! {
    /// 16-frame hole in the middle
    hole_of_16_frames_in_the_middle => HoleCase {
        answer: |i| {
            if (0x8000..0x8010).contains(&i) {
                DENIED
            } else {
                M
            }
        },
        granted: &[(F, F + 0x7fff, M), (F + 0x8010, F + 0xffff, M)],
        refused: &[(F + 0x8000, F + 0x800f, DENIED)],
        read_only: &[],
    },
    /// Last frame revoked
    last_frame_revoked => HoleCase {
        answer: |i| if i == BIG - 1 { DENIED } else { M },
        granted: &[(F, F + 0xfffe, M)],
        refused: &[(F + 0xffff, F + 0xffff, DENIED)],
        read_only: &[],
    },
    /// Two separate holes
    two_separate_holes => HoleCase {
        answer: |i| match i {
            0x1000..=0x10ff | 0xc000..=0xc00f => DENIED,
            _ => M,
        },
        granted: &[
            (F, F + 0xfff, M),
            (F + 0x1100, F + 0xbfff, M),
            (F + 0xc010, F + 0xffff, M),
        ],
        refused: &[
            (F + 0x1000, F + 0x10ff, DENIED),
            (F + 0xc000, F + 0xc00f, DENIED),
        ],
        read_only: &[],
    },
    /// First frame refused
    first_frame_refused => HoleCase {
        answer: |i| if i == 0 { BUSY } else { M },
        granted: &[(F + 1, F + 0xffff, M)],
        refused: &[(F, F, BUSY)],
        read_only: &[],
    },
    /// MSI-X table read-only, PBA read-only
    msi_x_table_read_only_pba_read_only => HoleCase {
        answer: |i| match i {
            0x2000 | 0x3000..=0x3001 => RO,
            _ => M,
        },
        granted: &[
            (F, F + 0x1fff, M),
            (F + 0x2001, F + 0x2fff, M),
            (F + 0x3002, F + 0xffff, M),
        ],
        refused: &[],
        read_only: &[(F + 0x2000, F + 0x2000, RO), (F + 0x3000, F + 0x3001, RO)],
    },

}
