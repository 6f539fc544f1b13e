//! Fuzzing `diag::trial`: the plan of which frames to ask (any BAR size, any test limit) and
//! the scan that asks them in batches, against the model of Xen in tests/common.

use std::collections::HashSet;

use crate::common::*;
use crate::driver::{no_open_bug, run, Rng};
use pcifront_diag_core::diag::facts::{Resource, Trial, Verdict, RUNS_KEPT};
use pcifront_diag_core::diag::trial::Plan;

/// The largest test limit a scan is fuzzed with: the scan asks up to this many frames, and the
/// checks below look at each.
const MAX_SCANNED: u64 = 2048;

/// How Xen answers frame `i` of the BAR.
#[derive(Clone, Copy, Debug)]
pub enum Answers {
    /// The same answer everywhere.
    All(Trial),
    /// Mapped, but `answer` in `[from, to)`.
    Hole { from: u64, to: u64, answer: Trial },
    /// Each frame its own answer, from a hash of its index.
    Mixed { seed: u64 },
}

impl Answers {
    /// Xen's answer for frame `i`.
    pub fn at(self, i: u64) -> Trial {
        const SOME: [Trial; 6] = [M, M, RO, DENIED, BUSY, Trial::Refused(EOPNOTSUPP)];
        match self {
            Answers::All(answer) => answer,
            Answers::Hole { from, to, answer } if (from..to).contains(&i) => answer,
            Answers::Hole { .. } => M,
            Answers::Mixed { seed } => {
                let h = (i ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 61;
                // CAST: `h` is below 8.
                SOME[h as usize % SOME.len()]
            }
        }
    }

    /// Some answers for a BAR of `frames` frames.
    pub fn generate(rng: &mut Rng, frames: u64) -> Self {
        let answer = rng.pick(&[M, RO, DENIED, BUSY, Trial::Refused(EINVAL)]);
        match rng.below(3) {
            0 => Answers::All(answer),
            1 => {
                let from = rng.below(frames.max(1));
                let to = from.saturating_add(rng.below(64) + 1);
                Answers::Hole { from, to, answer }
            }
            _ => Answers::Mixed { seed: rng.next() },
        }
    }
}

/// A BAR's frames and how Xen answers them, scanned with a test limit in batches.
#[derive(Clone, Copy, Debug)]
pub struct ScanInput {
    /// First pfn of the BAR.
    pub first_pfn: u64,
    /// Frames of the BAR.
    pub frames: u64,
    /// The module's test limit.
    pub max_frames: u64,
    /// Slots of the prober (0: none).
    pub batch: usize,
    /// The batch that fails as a whole, and its code.
    pub fail: Option<(usize, i32)>,
    /// Xen's answers.
    pub answers: Answers,
    /// Picks which plan indices to look at.
    pub k_seed: u64,
}

/// A resource as the PCI core could hold it: anywhere, of any size, ending anywhere up to 2^64-1.
pub fn any_resource(rng: &mut Rng) -> Resource {
    let start = match rng.below(3) {
        0 => rng.edgy_u64(),
        1 => rng.below(1 << 40) << 12,
        _ => rng.next(),
    };
    let end = match rng.below(4) {
        0 => u64::MAX,
        1 => start.wrapping_add(rng.edgy_u64()),
        2 => start.saturating_add(rng.below(1 << 24)),
        _ => rng.next(),
    };
    Resource {
        start,
        end,
        flags: 0,
        claimed: true,
    }
}

/// The frames of a resource (the module's way), or any pair of numbers (the types' way).
fn generate(rng: &mut Rng) -> ScanInput {
    let (first_pfn, frames) = if rng.one_in(4) {
        (rng.edgy_u64(), rng.edgy_u64())
    } else {
        any_resource(rng).frames()
    };
    ScanInput {
        first_pfn,
        frames,
        max_frames: match rng.below(3) {
            0 => rng.edgy_u64(),
            _ => rng.below(MAX_SCANNED + 1),
        },
        batch: match rng.below(6) {
            0 => rng.pick(&[0, 1, 7, 64, BATCH]),
            // CAST: below 1100.
            _ => rng.below(1100) as usize,
        },
        fail: rng.one_in(4).then(|| {
            // CAST: below 8; any code, as a failed multicall returns.
            (rng.below(8) as usize, rng.edgy_u32() as i32)
        }),
        answers: Answers::generate(rng, frames),
        k_seed: rng.next(),
    }
}

/// Frames a plan with `stride` tests, by the definition (`None`: beyond u64).
fn sample_len(frames: u64, stride: u64) -> Option<u64> {
    match (frames, stride) {
        (0, _) => Some(0),
        (n, 1) => Some(n),
        (n, s) => (n - 1).div_ceil(s).checked_add(1),
    }
}

/// What any plan must be: at most the limit, both ends, evenly spaced, the smallest stride.
fn check_plan(frames: u64, max_frames: u64, k_seed: u64) {
    let p = Plan::new(frames, max_frames);
    let max = max_frames.max(2);
    assert_eq!(p.sampled(), frames > max);
    assert_eq!(p.is_empty(), frames == 0);
    assert_eq!(Some(p.len()), sample_len(frames, p.stride()));
    if p.sampled() {
        assert!(p.len() <= max, "{} frames tested, limit {max}", p.len());
        assert!(sample_len(frames, p.stride() - 1).is_none_or(|n| n > max));
    } else {
        assert_eq!((p.stride(), p.len()), (1, frames));
    }
    if frames == 0 {
        return;
    }
    assert_eq!((p.index(0), p.index(p.len() - 1)), (0, frames - 1));
    if p.len() >= 2 {
        let k = k_seed % (p.len() - 1);
        assert_eq!(p.index(k), k * p.stride());
        assert!(p.index(k) < p.index(k + 1) && p.index(k + 1) < frames);
    }
}

/// What any scan must give: the plan's frames asked once, in order; each answered frame in
/// exactly one run of its answer; totals exact; a complete scan asks the whole plan.
fn check_scan(input: &ScanInput) {
    let ScanInput {
        first_pfn,
        frames,
        max_frames,
        batch,
        fail,
        answers,
        ..
    } = *input;
    let mut m = Model::new(first_pfn, frames, batch, move |i| answers.at(i));
    if let Some((b, rc)) = fail {
        m = m.failing(b, rc);
    }
    let v = m.scan(max_frames);
    // The scan keeps to the frames below u64::MAX's pfn: none past it wraps to pfn 0.
    let frames = frames.min((u64::MAX - first_pfn).saturating_add(1));
    let plan = Plan::new(frames, max_frames);
    assert_eq!(
        (v.first_pfn, v.frames, v.stride),
        (first_pfn, frames, plan.stride())
    );
    let asked = m.asked_indices();
    let want: Vec<u64> = (0..asked.len() as u64).map(|k| plan.index(k)).collect();
    assert_eq!(asked, want, "the plan's frames, in order");
    assert!(v.tested <= asked.len() as u64);
    let answered = v.granted.frames + v.refused.frames + v.read_only.frames;
    assert_eq!(answered, v.tested);
    if v.aborted.is_none() {
        assert_eq!((v.tested, v.entries), (plan.len(), plan.len()));
        assert_eq!(v.hypercalls as usize, m.batches.len());
    }
    assert_eq!(v.complete(), v.tested == frames && v.aborted.is_none());
    let first = answers.at(0);
    let maps_first = v.tested > 0 && matches!(first, Trial::Mapped | Trial::ReadOnly);
    assert_eq!(v.maps_first_frame(), maps_first);
    check_runs(&v, &m);
}

/// Each kept run: of frames answered with its answer, in order, apart, maximal in count.
fn check_runs<F: Fn(u64) -> Trial>(v: &Verdict, m: &Model<F>) {
    // CAST: `tested` is at most the asked frames, a Vec's length.
    let answered: HashSet<u64> = m.asked[..v.tested as usize].iter().copied().collect();
    for runs in [&v.granted, &v.refused, &v.read_only] {
        let kept: Vec<_> = runs.iter().collect();
        assert_eq!(kept.len() as u64, runs.count.min(RUNS_KEPT as u64));
        assert!(kept.windows(2).all(|w| w[0].last_pfn() < w[1].first_pfn));
        for run in kept {
            assert!(run.frames > 0);
            for pfn in run.first_pfn..=run.last_pfn() {
                assert!(answered.contains(&pfn), "{pfn:#x} in {run:?} not answered");
                assert_eq!(m.truth(pfn), run.answer, "{pfn:#x}");
            }
        }
    }
}

fn check(input: &ScanInput) {
    check_plan(input.frames, input.max_frames, input.k_seed);
    if input.max_frames <= MAX_SCANNED || input.frames <= MAX_SCANNED {
        check_scan(input);
    }
}

#[test]
fn fuzz_plan() {
    let inputs = run("plan", 0.25, generate, no_open_bug, check);
    assert!(inputs > 0);
}
