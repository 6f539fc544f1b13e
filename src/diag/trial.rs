// SPDX-License-Identifier: GPL-2.0

//! Which frames of a BAR to test with Xen, and what the answers add up to.
//!
//! A trial mapping costs one hypercall (two when it succeeds: map, then restore). Small BARs
//! are tested frame by frame; large ones at both ends, then by bisection to the boundary
//! between granted and refused frames, so a 256 MiB BAR (65,536 frames) costs 18 trials, not
//! 65,536. Granting is per contiguous range (`iomem=` / libxl grant whole BARs), so one
//! boundary is what a partial grant looks like.

use super::facts::{Trial, Verdict};

/// BARs of at most this many frames are tested exhaustively.
pub const FULL_SCAN_FRAMES: u64 = 64;

fn hypercalls_for(t: Trial) -> u32 {
    match t {
        Trial::Refused(_) => 1,
        Trial::Mapped | Trial::ReadOnly => 2,
    }
}

struct Tally<F> {
    probe: F,
    first_pfn: u64,
    v: Verdict,
}

impl<F: FnMut(u64) -> Trial> Tally<F> {
    fn test(&mut self, idx: u64) -> Trial {
        let pfn = self.first_pfn + idx;
        let t = (self.probe)(pfn);
        self.v.tested += 1;
        self.v.hypercalls += hypercalls_for(t);
        if t == Trial::ReadOnly {
            self.v.read_only += 1;
            if self.v.first_read_only.is_none() {
                self.v.first_read_only = Some(pfn);
            }
        }
        t
    }
}

/// Tests the `frames` frames starting at `first_pfn` with `probe` (one trial mapping of one
/// pfn) and sums up Xen's answers.
pub fn scan<F: FnMut(u64) -> Trial>(
    first_pfn: u64,
    frames: u64,
    full_limit: u64,
    probe: F,
) -> Verdict {
    let mut t = Tally {
        probe,
        first_pfn,
        v: Verdict {
            frames,
            ..Verdict::default()
        },
    };
    if frames == 0 {
        return t.v;
    }
    if frames <= full_limit.max(2) {
        t.v.exhaustive = true;
        for i in 0..frames {
            if let Trial::Refused(rc) = t.test(i) {
                t.v.refused += 1;
                if t.v.first_refused.is_none() {
                    t.v.first_refused = Some((first_pfn + i, rc));
                }
            }
        }
        return t.v;
    }

    let last = frames - 1;
    let a = t.test(0);
    let b = t.test(last);
    let refused = |x: Trial| matches!(x, Trial::Refused(_));
    match (refused(a), refused(b)) {
        (false, false) => {}
        (true, true) => {
            t.v.refused = frames;
            if let Trial::Refused(rc) = a {
                t.v.first_refused = Some((first_pfn, rc));
            }
        }
        (ra, _) => {
            // Invariant: frame `lo` answers like frame 0, frame `hi` like the last frame.
            let (mut lo, mut hi) = (0, last);
            let mut hi_trial = b;
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                let m = t.test(mid);
                if refused(m) == ra {
                    lo = mid;
                } else {
                    hi = mid;
                    hi_trial = m;
                }
            }
            if ra {
                // Refused prefix [0, hi), granted from hi on.
                t.v.refused = hi;
                if let Trial::Refused(rc) = a {
                    t.v.first_refused = Some((first_pfn, rc));
                }
            } else {
                // Granted prefix, refused from hi on.
                t.v.refused = frames - hi;
                if let Trial::Refused(rc) = hi_trial {
                    t.v.first_refused = Some((first_pfn + hi, rc));
                }
            }
        }
    }
    t.v
}
