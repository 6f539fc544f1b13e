//! Trial mappings (`diag::trial`): every frame of a BAR asked in batches (or a sample of a BAR
//! above the test limit), and Xen's answers folded into runs of pfns.

mod common;

use std::collections::HashSet;

use common::{
    all_mapped_at, ranges, runs_of, Model, BATCH, BUSY, DENIED, EFAULT, EINVAL, ENOMEM, M, RO,
};
use pcifront_diag_core::diag::facts::{Run, Runs, Trial, Verdict, RUNS_KEPT};
use pcifront_diag_core::diag::trial::{Plan, DEFAULT_MAX_FRAMES};
use proptest::prelude::*;

const FIRST: u64 = 0xfea00;
/// First pfn of a 256 MiB BAR at 0xe0000000.
const BIG_FIRST: u64 = 0xe0000;
/// Frames of a 256 MiB BAR.
const BIG: u64 = 65536;

/// The indices `Plan` tests, in order.
fn plan_indices(p: &Plan) -> Vec<u64> {
    (0..p.len()).map(|k| p.index(k)).collect()
}

/// Which `Runs` of a verdict an answer goes to.
fn runs_for(v: &Verdict, answer: Trial) -> &Runs {
    match answer {
        Trial::Mapped => &v.granted,
        Trial::ReadOnly => &v.read_only,
        Trial::Refused(_) => &v.refused,
    }
}

/// What every scan must satisfy, whatever Xen answered.
fn check_scan<F: Fn(u64) -> Trial>(v: &Verdict, m: &Model<F>, max_frames: u64) {
    let plan = Plan::new(m.frames, max_frames);
    assert_eq!((v.first_pfn, v.frames), (m.first_pfn, m.frames));
    assert_eq!(v.stride, plan.stride());
    assert_eq!(v.sampled(), plan.sampled());

    // Frames are asked once each, in increasing order, and only those the plan yields.
    let asked = m.asked_indices();
    assert!(
        asked.windows(2).all(|w| w[0] < w[1]),
        "not strictly increasing: {asked:?}"
    );
    let want = plan_indices(&plan);
    assert!(asked.len() <= want.len(), "asked more frames than planned");
    assert_eq!(
        asked[..],
        want[..asked.len()],
        "asked frames not the plan's"
    );

    // Tested frames are the ones answered; each lands in exactly one run.
    assert!(v.tested <= asked.len() as u64);
    assert_eq!(
        v.granted.frames + v.refused.frames + v.read_only.frames,
        v.tested
    );
    if v.aborted.is_none() {
        assert_eq!(
            asked.len() as u64,
            plan.len(),
            "a complete scan asks the whole plan"
        );
        assert_eq!(v.tested, plan.len());
        assert_eq!(v.entries, v.tested);
        assert_eq!(v.hypercalls as usize, m.batches.len(), "one per batch");
    }

    let answered: HashSet<u64> = m.asked[..v.tested as usize].iter().copied().collect();
    for (kind, runs) in [
        ("granted", &v.granted),
        ("refused", &v.refused),
        ("read-only", &v.read_only),
    ] {
        assert!(runs.count >= runs.iter().count() as u64, "{kind}");
        assert_eq!(
            runs.iter().count() as u64,
            runs.count.min(RUNS_KEPT as u64),
            "{kind}: the first runs are kept"
        );
        let kept: Vec<&Run> = runs.iter().collect();
        assert!(
            kept.windows(2).all(|w| w[0].last_pfn() < w[1].first_pfn),
            "{kind}: runs out of order or overlapping: {kept:?}"
        );
        for run in kept {
            assert!(run.frames > 0, "{kind}: empty run");
            assert!(
                std::ptr::eq(runs_for(v, run.answer), runs),
                "{kind}: {run:?}"
            );
            for pfn in run.first_pfn..=run.last_pfn() {
                assert!(
                    answered.contains(&pfn),
                    "{kind}: run {run:?} claims pfn {pfn:#x}, which was not answered"
                );
                assert_eq!(m.truth(pfn), run.answer, "{kind}: pfn {pfn:#x}");
            }
            // Maximal: the answered neighbours got another answer.
            for pfn in [run.first_pfn.wrapping_sub(1), run.last_pfn() + 1] {
                if answered.contains(&pfn) {
                    assert_ne!(
                        m.truth(pfn),
                        run.answer,
                        "{kind}: {run:?} not merged with {pfn:#x}"
                    );
                }
            }
        }
    }
}

/// Scans a BAR of `frames` frames at `first` whose frame `index` Xen answers with
/// `answer(index)`, `batch` frames at a time, and checks the bookkeeping.
fn run<F: Fn(u64) -> Trial>(
    first: u64,
    frames: u64,
    max_frames: u64,
    batch: usize,
    answer: F,
) -> (Verdict, Model<F>) {
    let mut m = Model::new(first, frames, batch, answer);
    let v = m.scan(max_frames);
    check_scan(&v, &m, max_frames);
    (v, m)
}

/// The verdict of an exact scan computed the naive way: frame by frame, in order.
fn naive(first: u64, answers: &[Trial], batch: usize) -> Verdict {
    let mut all: Vec<Run> = Vec::new();
    for (i, &answer) in answers.iter().enumerate() {
        match all.last_mut() {
            Some(r) if r.answer == answer => r.frames += 1,
            _ => all.push(Run {
                first_pfn: first + i as u64,
                frames: 1,
                answer,
            }),
        }
    }
    let of = |f: fn(&Trial) -> bool| -> Runs {
        let runs: Vec<Run> = all.iter().copied().filter(|r| f(&r.answer)).collect();
        runs_of(&runs)
    };
    let frames = answers.len() as u64;
    Verdict {
        first_pfn: first,
        frames,
        tested: frames,
        stride: 1,
        granted: of(|a| *a == Trial::Mapped),
        refused: of(|a| matches!(a, Trial::Refused(_))),
        read_only: of(|a| *a == Trial::ReadOnly),
        hypercalls: frames.div_ceil(batch as u64) as u32,
        entries: frames,
        aborted: None,
    }
}

/// Expected runs from `(first index, frames, answer)` in pfn order.
fn want_runs(first: u64, all: &[(u64, u64, Trial)], f: fn(&Trial) -> bool) -> Runs {
    let runs: Vec<Run> = all
        .iter()
        .filter(|r| f(&r.2))
        .map(|&(i, frames, answer)| Run {
            first_pfn: first + i,
            frames,
            answer,
        })
        .collect();
    runs_of(&runs)
}

// ---- exact mode: every frame ----------------------------------------------------------------

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

// ---- runs -----------------------------------------------------------------------------------

struct RunCase {
    name: &'static str,
    answers: &'static [Trial],
    /// Every run, in pfn order: (first index, frames, answer).
    runs: &'static [(u64, u64, Trial)],
}

#[test]
fn runs_merge_equal_answers_and_split_on_a_change() {
    let cases = [
        RunCase {
            name: "one answer, one run",
            answers: &[M; 5],
            runs: &[(0, 5, M)],
        },
        RunCase {
            name: "a changed answer splits",
            answers: &[M, M, DENIED, DENIED, M],
            runs: &[(0, 2, M), (2, 2, DENIED), (4, 1, M)],
        },
        RunCase {
            name: "a changed refusal code splits",
            answers: &[DENIED, DENIED, BUSY, BUSY, DENIED],
            runs: &[(0, 2, DENIED), (2, 2, BUSY), (4, 1, DENIED)],
        },
        RunCase {
            name: "read-only splits granted",
            answers: &[M, M, RO, M],
            runs: &[(0, 2, M), (2, 1, RO), (3, 1, M)],
        },
        RunCase {
            name: "equal answers across a gap are two runs",
            answers: &[DENIED, M, M, DENIED],
            runs: &[(0, 1, DENIED), (1, 2, M), (3, 1, DENIED)],
        },
        RunCase {
            name: "a run spans batches",
            answers: &[RO; 10],
            runs: &[(0, 10, RO)],
        },
        RunCase {
            name: "mixed answers within one batch",
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
        RunCase {
            name: "single frame",
            answers: &[BUSY],
            runs: &[(0, 1, BUSY)],
        },
    ];
    for c in &cases {
        let frames = c.answers.len() as u64;
        for batch in [1, 3, BATCH] {
            let (v, m) = run(FIRST, frames, DEFAULT_MAX_FRAMES, batch, |i| {
                c.answers[i as usize]
            });
            let what = format!("{} (batch {batch})", c.name);
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

struct HoleCase {
    name: &'static str,
    answer: fn(u64) -> Trial,
    /// (first pfn, last pfn, answer) of every run of each kind, all kept.
    granted: &'static [(u64, u64, Trial)],
    refused: &'static [(u64, u64, Trial)],
    read_only: &'static [(u64, u64, Trial)],
}

#[test]
fn holes_in_a_256_mib_bar_are_found_exactly() {
    const F: u64 = BIG_FIRST;
    let cases = [
        HoleCase {
            name: "16-frame hole in the middle",
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
        HoleCase {
            name: "last frame revoked",
            answer: |i| if i == BIG - 1 { DENIED } else { M },
            granted: &[(F, F + 0xfffe, M)],
            refused: &[(F + 0xffff, F + 0xffff, DENIED)],
            read_only: &[],
        },
        HoleCase {
            name: "two separate holes",
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
        HoleCase {
            name: "first frame refused",
            answer: |i| if i == 0 { BUSY } else { M },
            granted: &[(F + 1, F + 0xffff, M)],
            refused: &[(F, F, BUSY)],
            read_only: &[],
        },
        HoleCase {
            name: "MSI-X table read-only, PBA read-only",
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
    ];
    for c in &cases {
        let (v, _) = run(BIG_FIRST, BIG, DEFAULT_MAX_FRAMES, BATCH, c.answer);
        assert!(v.complete() && !v.sampled(), "{}", c.name);
        assert_eq!(v.tested, BIG, "{}", c.name);
        assert_eq!(
            v.hypercalls, 64,
            "{}: 65,536 frames in 1,024-frame batches",
            c.name
        );
        assert_eq!(v.entries, BIG, "{}", c.name);
        for (kind, runs, want) in [
            ("granted", &v.granted, c.granted),
            ("refused", &v.refused, c.refused),
            ("read-only", &v.read_only, c.read_only),
        ] {
            assert_eq!(ranges(runs), want, "{}: {kind}", c.name);
            assert_eq!(runs.count, want.len() as u64, "{}: {kind}", c.name);
            let frames: u64 = want.iter().map(|&(a, b, _)| b - a + 1).sum();
            assert_eq!(runs.frames, frames, "{}: {kind}", c.name);
        }
    }
}

// ---- the plan: every frame, or a sample -------------------------------------------------------

struct PlanCase {
    name: &'static str,
    frames: u64,
    max_frames: u64,
    stride: u64,
    len: u64,
}

#[test]
fn plan_samples_only_above_the_limit() {
    let cases = [
        PlanCase {
            name: "no frame",
            frames: 0,
            max_frames: 1024,
            stride: 1,
            len: 0,
        },
        PlanCase {
            name: "one frame",
            frames: 1,
            max_frames: 1024,
            stride: 1,
            len: 1,
        },
        PlanCase {
            name: "at the limit",
            frames: 1024,
            max_frames: 1024,
            stride: 1,
            len: 1024,
        },
        PlanCase {
            name: "one frame above the limit",
            frames: 1025,
            max_frames: 1024,
            stride: 2,
            len: 513,
        },
        PlanCase {
            name: "4 GiB BAR, default limit",
            frames: 1 << 20,
            max_frames: DEFAULT_MAX_FRAMES,
            stride: 1,
            len: 1 << 20,
        },
        PlanCase {
            name: "8 GiB BAR, default limit",
            frames: 1 << 21,
            max_frames: DEFAULT_MAX_FRAMES,
            stride: 3,
            len: 699_052,
        },
        PlanCase {
            name: "100 frames, limit 10: the last is a multiple of the stride",
            frames: 100,
            max_frames: 10,
            stride: 11,
            len: 10,
        },
        PlanCase {
            name: "101 frames, limit 10: the last is added",
            frames: 101,
            max_frames: 10,
            stride: 12,
            len: 10,
        },
        PlanCase {
            name: "limit 0 acts as 2: two frames in full",
            frames: 2,
            max_frames: 0,
            stride: 1,
            len: 2,
        },
        PlanCase {
            name: "limit 1 acts as 2: both ends of three frames",
            frames: 3,
            max_frames: 1,
            stride: 2,
            len: 2,
        },
        PlanCase {
            name: "limit 2: both ends only",
            frames: 1000,
            max_frames: 2,
            stride: 999,
            len: 2,
        },
    ];
    for c in &cases {
        let p = Plan::new(c.frames, c.max_frames);
        let max = c.max_frames.max(2);
        assert_eq!((p.stride(), p.len()), (c.stride, c.len), "{}", c.name);
        assert_eq!(p.sampled(), c.frames > max, "{}", c.name);
        assert_eq!(p.is_empty(), c.frames == 0, "{}", c.name);
        assert!(p.len() <= max, "{}", c.name);
        if c.frames == 0 || c.len > 100_000 {
            continue;
        }
        let idx = plan_indices(&p);
        assert_eq!(idx[0], 0, "{}", c.name);
        assert_eq!(*idx.last().unwrap(), c.frames - 1, "{}", c.name);
        assert!(idx.windows(2).all(|w| w[0] < w[1]), "{}: {idx:?}", c.name);
        assert!(
            idx.iter().all(|&i| i % c.stride == 0 || i == c.frames - 1),
            "{}: {idx:?}",
            c.name
        );
    }
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

// ---- failures -------------------------------------------------------------------------------

struct AbortCase {
    name: &'static str,
    frames: u64,
    batch: usize,
    fail_batch: usize,
    rc: i32,
    /// Frames answered before the failure.
    tested: u64,
    /// Runs of the answered frames: (first index, frames, answer).
    runs: &'static [(u64, u64, Trial)],
}

#[test]
fn a_batch_failing_as_a_whole_aborts_the_scan() {
    // Frames 0-1 granted, 2 refused, then granted.
    let answer = |i: u64| if i == 2 { DENIED } else { M };
    let cases = [
        AbortCase {
            name: "first batch fails",
            frames: 10,
            batch: 4,
            fail_batch: 0,
            rc: EFAULT,
            tested: 0,
            runs: &[],
        },
        AbortCase {
            name: "second batch fails",
            frames: 10,
            batch: 4,
            fail_batch: 1,
            rc: ENOMEM,
            tested: 4,
            runs: &[(0, 2, M), (2, 1, DENIED), (3, 1, M)],
        },
        AbortCase {
            name: "last, partial batch fails",
            frames: 10,
            batch: 4,
            fail_batch: 2,
            rc: EINVAL,
            tested: 8,
            runs: &[(0, 2, M), (2, 1, DENIED), (3, 5, M)],
        },
    ];
    for c in &cases {
        let mut m = Model::new(FIRST, c.frames, c.batch, answer).failing(c.fail_batch, c.rc);
        let v = m.scan(DEFAULT_MAX_FRAMES);
        check_scan(&v, &m, DEFAULT_MAX_FRAMES);
        assert_eq!(v.aborted, Some(c.rc), "{}", c.name);
        assert_eq!(v.tested, c.tested, "{}: only answered frames count", c.name);
        assert_eq!(
            m.batches.len(),
            c.fail_batch + 1,
            "{}: no batch after the failure",
            c.name
        );
        assert_eq!(
            m.asked.len() as u64,
            (c.tested + c.batch as u64).min(c.frames),
            "{}",
            c.name
        );
        assert_eq!(
            v.granted,
            want_runs(FIRST, c.runs, |a| *a == M),
            "{}",
            c.name
        );
        assert_eq!(
            v.refused,
            want_runs(FIRST, c.runs, |a| matches!(a, Trial::Refused(_))),
            "{}",
            c.name
        );
        assert!(!v.complete(), "{}", c.name);
        assert_eq!(v.maps_first_frame(), c.tested > 0, "{}", c.name);
    }
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

// ---- maps_first_frame -----------------------------------------------------------------------

struct FirstCase {
    name: &'static str,
    frames: u64,
    max_frames: u64,
    fail_first_batch: bool,
    answer: fn(u64) -> Trial,
    want: bool,
}

#[test]
fn maps_first_frame_is_about_frame_zero_only() {
    let cases = [
        FirstCase {
            name: "all granted",
            frames: 256,
            max_frames: DEFAULT_MAX_FRAMES,
            fail_first_batch: false,
            answer: |_| M,
            want: true,
        },
        FirstCase {
            name: "frame 0 read-only (MSI-X table first)",
            frames: 256,
            max_frames: DEFAULT_MAX_FRAMES,
            fail_first_batch: false,
            answer: |i| if i == 0 { RO } else { M },
            want: true,
        },
        FirstCase {
            name: "frame 0 refused, the rest granted",
            frames: 256,
            max_frames: DEFAULT_MAX_FRAMES,
            fail_first_batch: false,
            answer: |i| if i == 0 { DENIED } else { M },
            want: false,
        },
        FirstCase {
            name: "frame 0 granted, the rest refused",
            frames: 256,
            max_frames: DEFAULT_MAX_FRAMES,
            fail_first_batch: false,
            answer: |i| if i == 0 { M } else { DENIED },
            want: true,
        },
        FirstCase {
            name: "all refused",
            frames: 256,
            max_frames: DEFAULT_MAX_FRAMES,
            fail_first_batch: false,
            answer: |_| DENIED,
            want: false,
        },
        FirstCase {
            name: "frame 0 refused, granted runs beyond those kept",
            frames: 64,
            max_frames: DEFAULT_MAX_FRAMES,
            fail_first_batch: false,
            answer: |i| if i % 2 == 0 { BUSY } else { M },
            want: false,
        },
        FirstCase {
            name: "frame 0 granted among many runs",
            frames: 64,
            max_frames: DEFAULT_MAX_FRAMES,
            fail_first_batch: false,
            answer: |i| if i % 3 == 0 { M } else { DENIED },
            want: true,
        },
        FirstCase {
            name: "no frame",
            frames: 0,
            max_frames: DEFAULT_MAX_FRAMES,
            fail_first_batch: false,
            answer: |_| M,
            want: false,
        },
        FirstCase {
            name: "first batch failed: frame 0 unknown",
            frames: 256,
            max_frames: DEFAULT_MAX_FRAMES,
            fail_first_batch: true,
            answer: |_| M,
            want: false,
        },
        FirstCase {
            name: "sampled, frame 0 granted",
            frames: 4096,
            max_frames: 64,
            fail_first_batch: false,
            answer: |i| if i == 0 { M } else { DENIED },
            want: true,
        },
        FirstCase {
            name: "sampled, frame 0 refused",
            frames: 4096,
            max_frames: 64,
            fail_first_batch: false,
            answer: |i| if i == 0 { DENIED } else { M },
            want: false,
        },
    ];
    for c in &cases {
        let mut m = Model::new(FIRST, c.frames, BATCH, c.answer);
        if c.fail_first_batch {
            m = m.failing(0, -14);
        }
        let v = m.scan(c.max_frames);
        check_scan(&v, &m, c.max_frames);
        assert_eq!(v.maps_first_frame(), c.want, "{}", c.name);
    }
}

// ---- properties -----------------------------------------------------------------------------

fn any_trial() -> impl Strategy<Value = Trial> {
    prop_oneof![Just(M), Just(RO), Just(DENIED), Just(BUSY)]
}

/// Frames a plan with this stride tests (the definition, not the implementation).
fn sample_len(frames: u64, stride: u64) -> u64 {
    if stride == 1 {
        frames
    } else {
        (frames - 1).div_ceil(stride) + 1
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn exact_mode_equals_a_naive_fold(
        answers in proptest::collection::vec(any_trial(), 0..=300usize),
        batch in prop_oneof![1usize..=64, Just(BATCH)],
        first in 0u64..(1 << 40),
    ) {
        let frames = answers.len() as u64;
        let (v, m) = run(first, frames, DEFAULT_MAX_FRAMES, batch, |i| answers[i as usize]);
        prop_assert_eq!(v, naive(first, &answers, batch));
        prop_assert_eq!(m.asked, (first..first + frames).collect::<Vec<_>>());
    }

    #[test]
    fn sampled_mode_asks_at_most_max_frames_and_only_plan_indices(
        frames in 1u64..200_000,
        max_frames in 0u64..2_000,
        batch in 1usize..=300,
        seed in any::<u64>(),
    ) {
        let answer = |i: u64| [M, RO, DENIED, BUSY][((i ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 62) as usize];
        let (v, m) = run(FIRST, frames, max_frames, batch, answer);
        let asked = m.asked_indices();
        prop_assert!(asked.len() as u64 <= max_frames.max(2), "{} asked", asked.len());
        prop_assert_eq!(asked.len() as u64, sample_len(frames, v.stride));
        prop_assert_eq!(asked[0], 0);
        prop_assert_eq!(*asked.last().unwrap(), frames - 1);
        for &i in &asked {
            prop_assert!(i % v.stride == 0 || i == frames - 1, "index {} with stride {}", i, v.stride);
        }
        prop_assert_eq!(v.tested, asked.len() as u64);
        prop_assert_eq!(v.sampled(), frames > max_frames.max(2));
    }

    #[test]
    fn plan_stride_is_the_smallest_that_fits(
        frames in 0u64..(1 << 40),
        max_frames in 0u64..(1 << 22),
        k_seed in any::<u64>(),
    ) {
        let p = Plan::new(frames, max_frames);
        let max = max_frames.max(2);
        prop_assert_eq!(p.sampled(), frames > max);
        prop_assert_eq!(p.len(), sample_len(frames, p.stride()));
        if p.sampled() {
            prop_assert!(p.stride() >= 2);
            prop_assert!(p.len() <= max, "{} > {}", p.len(), max);
            prop_assert!(
                sample_len(frames, p.stride() - 1) > max,
                "stride {} is not the smallest", p.stride()
            );
        } else {
            prop_assert_eq!((p.stride(), p.len()), (1, frames));
        }
        if frames > 0 {
            prop_assert_eq!(p.index(0), 0);
            prop_assert_eq!(p.index(p.len() - 1), frames - 1);
        }
        if p.len() >= 2 {
            let k = k_seed % (p.len() - 1);
            prop_assert_eq!(p.index(k), k * p.stride());
            prop_assert!(p.index(k) < p.index(k + 1));
        }
    }
}
