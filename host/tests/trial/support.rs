//! What the trial tests share: scans over the Xen model, checked for their bookkeeping, and
//! the verdicts to expect.

use std::collections::HashSet;

use crate::common::*;
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::trial::Plan;

pub const FIRST: u64 = 0xfea00;

/// First pfn of a 256 MiB BAR at 0xe0000000.
pub const BIG_FIRST: u64 = 0xe0000;

/// Frames of a 256 MiB BAR.
pub const BIG: u64 = 65536;

/// The indices `Plan` tests, in order.
pub fn plan_indices(p: &Plan) -> Vec<u64> {
    (0..p.len()).map(|k| p.index(k)).collect()
}

/// Which `Runs` of a verdict an answer goes to.
pub fn runs_for(v: &Verdict, answer: Trial) -> &Runs {
    match answer {
        Trial::Mapped => &v.granted,
        Trial::ReadOnly => &v.read_only,
        Trial::Refused(_) => &v.refused,
    }
}

/// What every scan must satisfy, whatever Xen answered.
pub fn check_scan<F: Fn(u64) -> Trial>(v: &Verdict, m: &Model<F>, max_frames: u64) {
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
pub fn run<F: Fn(u64) -> Trial>(
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
pub fn naive(first: u64, answers: &[Trial], batch: usize) -> Verdict {
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
pub fn want_runs(first: u64, all: &[(u64, u64, Trial)], f: fn(&Trial) -> bool) -> Runs {
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
