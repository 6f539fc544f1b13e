// SPDX-License-Identifier: GPL-2.0

//! Which frames of a BAR to ask Xen about, in batches, and what the answers add up to.
//!
//! Every frame is asked: a grant can have holes anywhere (two `iomem=` ranges, a partial
//! grant), so no frame's answer is inferred from another's. The asking is batched (the module
//! sends a whole batch in one multicall, see `src/xen_shim.c`), so the cost is a hypercall per
//! batch, not per frame. Only a BAR larger than the test limit (a module parameter; the default
//! covers a 4 GiB BAR) is sampled: its first frame, every `stride`-th frame and its last frame,
//! and the verdict says so.

use super::facts::{Run, Runs, Trial, Verdict};

/// Frames a BAR may have and still be tested in full by default: 4 GiB of 4 KiB frames.
pub const DEFAULT_MAX_FRAMES: u64 = 1 << 20;

/// The frames of a BAR to test: all of them, or an evenly spaced sample with both ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    frames: u64,
    stride: u64,
}

impl Plan {
    /// Tests all `frames` if there are at most `max_frames` (at least 2), else a sample of at
    /// most `max_frames`: indices 0, stride, 2 * stride, ... and the last frame.
    pub fn new(frames: u64, max_frames: u64) -> Self {
        let max = max_frames.max(2);
        let stride = if frames <= max {
            1
        } else {
            (frames - 1).div_ceil(max - 1)
        };
        Self { frames, stride }
    }

    /// Only a sample of the frames is tested.
    pub fn sampled(&self) -> bool {
        self.stride > 1
    }

    /// Distance between two sampled frames (1: every frame).
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// Number of frames tested.
    pub fn len(&self) -> u64 {
        match (self.frames, self.stride) {
            (0, _) => 0,
            (n, 0 | 1) => n,
            (n, s) => (n - 1).div_ceil(s) + 1,
        }
    }

    /// No frame to test.
    pub fn is_empty(&self) -> bool {
        self.frames == 0
    }

    /// Index in the BAR of the `k`-th tested frame (`k < len()`), in increasing order.
    pub fn index(&self, k: u64) -> u64 {
        // The stride is rounded up: the last multiple can pass u64::MAX before the clamp.
        k.saturating_mul(self.stride).min(self.frames - 1)
    }
}

/// Asks Xen about a batch of frames. The module implements it with one multicall per batch;
/// the host tests with models whose answers come back mixed.
pub trait TrialMapper {
    /// The pfn slots of one batch; their number is the batch size.
    fn slots(&mut self) -> &mut [u64];
    /// Asks Xen about the pfns in the first `n` slots. Returns the hypercalls spent, or the
    /// code with which the batch failed as a whole (then no answer of it is valid).
    fn ask(&mut self, n: usize) -> Result<u32, i32>;
    /// Xen's answer for slot `k` of the batch last asked.
    fn answer(&self, k: usize) -> Trial;
}

/// Folds answers, in increasing pfn order, into runs.
struct Tally {
    v: Verdict,
    open: Option<Run>,
}

impl Tally {
    fn record(&mut self, pfn: u64, answer: Trial) {
        self.v.tested += 1;
        match &mut self.open {
            Some(run) if run.answer == answer && run.first_pfn + run.frames == pfn => {
                run.frames += 1;
            }
            _ => {
                self.close();
                self.open = Some(Run {
                    first_pfn: pfn,
                    frames: 1,
                    answer,
                });
            }
        }
    }

    fn close(&mut self) {
        if let Some(run) = self.open.take() {
            let runs: &mut Runs = match run.answer {
                Trial::Mapped => &mut self.v.granted,
                Trial::ReadOnly => &mut self.v.read_only,
                Trial::Refused(_) => &mut self.v.refused,
            };
            runs.push(run);
        }
    }
}

/// Tests the frames of the BAR of `frames` frames at `first_pfn` (all of them, or a sample if
/// there are more than `max_frames`) in batches of `mapper`'s size, and sums up Xen's answers.
pub fn scan(
    first_pfn: u64,
    frames: u64,
    max_frames: u64,
    mapper: &mut impl TrialMapper,
) -> Verdict {
    // A BAR cannot reach past the last pfn: frames beyond it would wrap to pfn 0 (guest RAM).
    let frames = frames.min((u64::MAX - first_pfn).saturating_add(1));
    let plan = Plan::new(frames, max_frames);
    let mut t = Tally {
        v: Verdict {
            first_pfn,
            frames,
            stride: plan.stride(),
            ..Verdict::default()
        },
        open: None,
    };
    let mut done = 0;
    while done < plan.len() {
        let slots = mapper.slots();
        let n = slots
            .len()
            .min(usize::try_from(plan.len() - done).unwrap_or(usize::MAX));
        if n == 0 {
            // A mapper without slots can answer nothing.
            t.v.aborted = Some(super::checks::EINVAL);
            break;
        }
        for (k, slot) in (done..).zip(slots[..n].iter_mut()) {
            *slot = first_pfn + plan.index(k);
        }
        match mapper.ask(n) {
            Ok(hypercalls) => t.v.hypercalls += hypercalls,
            Err(rc) => {
                t.v.aborted = Some(rc);
                break;
            }
        }
        t.v.entries += n as u64;
        for (k, slot) in (done..).zip(0..n) {
            t.record(first_pfn + plan.index(k), mapper.answer(slot));
        }
        done += n as u64;
    }
    t.close();
    t.v
}
