//! Hand-built facts and a model of Xen's trial mappings, shared by the trial, check and
//! report tests.
#![allow(dead_code)]

use pcifront_diag_core::diag::checks::{check, Findings};
// Not every test file uses every error.
#[allow(unused_imports)]
pub use pcifront_diag_core::diag::checks::{EBUSY, EFAULT, EINVAL, ENOMEM, EPERM};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::trial::{scan, TrialMapper, DEFAULT_MAX_FRAMES};

mod catalogue;
pub mod irq_dma;
// Not every test crate uses the catalogue.
#[allow(unused_imports)]
pub use catalogue::*;

/// The resource flag sets real BARs and odd ones have, for generated facts.
pub const RESOURCE_FLAG_SETS: [u64; 7] = [
    0,
    IORESOURCE_IO,
    IORESOURCE_MEM,
    IORESOURCE_MEM | IORESOURCE_MEM_64,
    IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64,
    IORESOURCE_MEM | IORESOURCE_UNSET,
    IORESOURCE_UNSET | IORESOURCE_DISABLED,
];

/// Xen's answers to a trial mapping, as the tables write them.
pub const M: Trial = Trial::Mapped;
/// Mapped without write access.
pub const RO: Trial = Trial::ReadOnly;
/// Refused with -EPERM: the domain has no permission for the frame.
pub const DENIED: Trial = Trial::Refused(EPERM);
/// Refused with -EBUSY.
pub const BUSY: Trial = Trial::Refused(EBUSY);
/// An error the report has no name for (-EOPNOTSUPP).
pub const EOPNOTSUPP: i32 = -95;

/// BAR0 of the healthy device: 1 MiB of 32-bit non-prefetchable memory.
pub const BAR0: u64 = 0xfea0_0000;
/// BAR0 length.
pub const BAR0_LEN: u64 = 1 << 20;
/// BAR0 frames.
pub const BAR0_FRAMES: u64 = BAR0_LEN / PAGE_SIZE;
/// BAR0's first pfn.
pub const BAR0_PFN: u64 = BAR0 >> PAGE_SHIFT;

/// Slots per batch of the module's trial mapper (`BATCH_SLOTS` in `src/xen.rs`).
pub const BATCH: usize = 1024;

/// A model of Xen answering trial mappings, behind the module's [`TrialMapper`] interface.
///
/// `answer(index)` is Xen's answer for the frame at `index` in the BAR. Every batch is
/// recorded; a batch can be made to fail as a whole; `answer()` panics for a slot that has no
/// valid answer (beyond the last batch, or after a failed one).
pub struct Model<F: Fn(u64) -> Trial> {
    /// First pfn of the BAR.
    pub first_pfn: u64,
    /// Frames in the BAR.
    pub frames: u64,
    answer: F,
    slots: Vec<u64>,
    answers: Vec<Trial>,
    /// Slots of the batch last asked that hold a valid answer.
    answered: usize,
    /// Every pfn asked, in the order asked, failed batches included.
    pub asked: Vec<u64>,
    /// Size of every batch asked, failed ones included.
    pub batches: Vec<usize>,
    /// The batch (0-based) that fails as a whole, and with which code.
    pub fail: Option<(usize, i32)>,
}

impl<F: Fn(u64) -> Trial> Model<F> {
    /// A model of a `frames`-frame BAR at `first_pfn`, asked `batch` frames at a time.
    pub fn new(first_pfn: u64, frames: u64, batch: usize, answer: F) -> Self {
        Self {
            first_pfn,
            frames,
            answer,
            slots: vec![u64::MAX; batch],
            answers: vec![Trial::Mapped; batch],
            answered: 0,
            asked: Vec::new(),
            batches: Vec::new(),
            fail: None,
        }
    }

    /// Makes batch `batch` (0-based) fail as a whole with `rc`.
    pub fn failing(mut self, batch: usize, rc: i32) -> Self {
        self.fail = Some((batch, rc));
        self
    }

    /// Runs `trial::scan` over the model.
    pub fn scan(&mut self, max_frames: u64) -> Verdict {
        let (first, frames) = (self.first_pfn, self.frames);
        scan(first, frames, max_frames, self)
    }

    /// Indices (in the BAR) of the frames asked, in the order asked.
    pub fn asked_indices(&self) -> Vec<u64> {
        self.asked.iter().map(|p| p - self.first_pfn).collect()
    }

    /// Xen's answer for `pfn`.
    pub fn truth(&self, pfn: u64) -> Trial {
        (self.answer)(pfn - self.first_pfn)
    }
}

impl<F: Fn(u64) -> Trial> TrialMapper for Model<F> {
    fn slots(&mut self) -> &mut [u64] {
        &mut self.slots
    }

    fn ask(&mut self, n: usize) -> Result<u32, i32> {
        assert!(
            n > 0 && n <= self.slots.len(),
            "asked {n} of {} slots",
            self.slots.len()
        );
        let batch = self.batches.len();
        self.batches.push(n);
        self.answered = 0;
        for k in 0..n {
            let pfn = self.slots[k];
            assert!(
                pfn >= self.first_pfn && pfn - self.first_pfn < self.frames,
                "pfn {pfn:#x} outside the BAR"
            );
            self.asked.push(pfn);
            self.answers[k] = (self.answer)(pfn - self.first_pfn);
        }
        match self.fail {
            Some((b, rc)) if b == batch => Err(rc),
            _ => {
                self.answered = n;
                Ok(1)
            }
        }
    }

    fn answer(&self, k: usize) -> Trial {
        assert!(
            k < self.answered,
            "answer of slot {k} used, {} valid",
            self.answered
        );
        self.answers[k]
    }
}

/// The verdict `trial::scan` gives on a BAR whose frame `index` Xen answers with
/// `answer(index)`, in the module's batches and with its default test limit.
pub fn scan_model(first_pfn: u64, frames: u64, answer: impl Fn(u64) -> Trial) -> Verdict {
    Model::new(first_pfn, frames, BATCH, answer).scan(DEFAULT_MAX_FRAMES)
}

/// Like [`scan_model`], with a test limit of `max_frames`.
pub fn scan_sampled(
    first_pfn: u64,
    frames: u64,
    max_frames: u64,
    answer: impl Fn(u64) -> Trial,
) -> Verdict {
    Model::new(first_pfn, frames, BATCH, answer).scan(max_frames)
}

/// Runs of one kind as the report keeps them, from all runs in pfn order.
pub fn runs_of(all: &[Run]) -> Runs {
    let mut kept = [None; RUNS_KEPT];
    for (slot, run) in kept.iter_mut().zip(all) {
        *slot = Some(*run);
    }
    Runs {
        kept,
        count: all.len() as u64,
        frames: all.iter().map(|r| r.frames).sum(),
    }
}

/// The verdict of a BAR of `frames` frames at `first_pfn` that Xen maps entirely, every frame
/// asked in the module's batches: one granted run over the whole BAR.
pub fn all_mapped_at(first_pfn: u64, frames: u64) -> Verdict {
    Verdict {
        first_pfn,
        frames,
        tested: frames,
        stride: 1,
        granted: runs_of(&[Run {
            first_pfn,
            frames,
            answer: Trial::Mapped,
        }]),
        refused: Runs::default(),
        read_only: Runs::default(),
        hypercalls: frames.div_ceil(BATCH as u64) as u32,
        entries: frames,
        aborted: None,
    }
}

/// [`all_mapped_at`] for a BAR at BAR0's address.
pub fn all_mapped(frames: u64) -> Verdict {
    all_mapped_at(BAR0_PFN, frames)
}

/// `(first pfn, last pfn, answer)` of the kept runs.
pub fn ranges(runs: &Runs) -> Vec<(u64, u64, Trial)> {
    runs.iter()
        .map(|r| (r.first_pfn, r.last_pfn(), r.answer))
        .collect()
}

/// A memory resource, claimed.
pub fn mem_res(start: u64, len: u64, flags: u64) -> Resource {
    Resource {
        start,
        end: start + len - 1,
        flags,
        claimed: true,
    }
}

/// An I/O-port resource, claimed.
pub fn io_res(start: u64, len: u64) -> Resource {
    Resource {
        start,
        end: start + (len - 1),
        flags: IORESOURCE_IO,
        claimed: true,
    }
}

/// A healthy passthrough device: Xen PV guest behind pcifront (backend d0), BAR0 = 1 MiB
/// 32-bit memory at 0xfea00000, claimed, memory decoding on, every frame mapped by Xen.
pub fn healthy() -> DeviceFacts {
    let mut f = DeviceFacts {
        ctx: Context {
            xen_pv: true,
            initial_domain: false,
            pcifront: true,
            backend_domid: Some(0),
            ram_pages: 65536,
            phys_bits: 40,
        },
        cfg: Config {
            id: 0x1234_8086,
            command: PCI_COMMAND_MEMORY,
            command_after_enable: None,
            class_rev: 0x0200_0001,
            bars: [BAR0 as u32, 0, 0, 0, 0, 0],
            rom: 0,
            read_errors: 0,
            bars_failed: 0,
        },
        ..DeviceFacts::default()
    };
    f.bars[0].res = mem_res(BAR0, BAR0_LEN, IORESOURCE_MEM);
    f.bars[0].verdict = Some(all_mapped(BAR0_FRAMES));
    f.bars[0].p2m = Some(P2m {
        frames: BAR0_FRAMES,
        ..P2m::default()
    });
    f
}

/// The healthy device with BAR0's verdict replaced by Xen answering `answer(index)`.
pub fn healthy_with(answer: impl Fn(u64) -> Trial) -> DeviceFacts {
    let mut f = healthy();
    f.bars[0].verdict = Some(scan_model(BAR0_PFN, BAR0_FRAMES, answer));
    f
}

/// The healthy device plus BAR1 = 32 I/O ports at 0xc000, claimed (Xen not asked).
pub fn with_io_bar1() -> DeviceFacts {
    let mut f = healthy();
    f.cfg.command |= PCI_COMMAND_IO;
    f.cfg.bars[1] = 0xc001;
    f.bars[1] = BarFacts {
        res: io_res(0xc000, 0x20),
        skipped: Some(Skip::IoPorts),
        ..BarFacts::default()
    };
    f
}

/// The codes of the findings, in order.
pub fn codes(f: &Findings) -> Vec<&'static str> {
    f.iter().map(|x| x.code()).collect()
}

/// `(code, scope index)` pairs, in order.
pub fn coded(f: &Findings) -> Vec<(&'static str, Option<u8>)> {
    f.iter().map(|x| (x.code(), x.bar)).collect()
}

/// Runs the checks and returns the codes.
pub fn check_codes(f: &DeviceFacts) -> Vec<&'static str> {
    codes(&check(f))
}

/// First byte of a 1 MiB 64-bit BAR whose last byte is 2^64 - 1.
pub const TOP_BAR_START: u64 = 0xffff_ffff_fff0_0000;

/// `healthy()` with BAR0 moved to the top of the address space: the PCI core builds
/// `[start, u64::MAX]`, and no end computation may overflow.
pub fn healthy_at_top() -> DeviceFacts {
    let mut f = healthy();
    f.cfg.bars = [0xfff0_000c, u32::MAX, 0, 0, 0, 0];
    f.bars[0].res = Resource {
        start: TOP_BAR_START,
        end: u64::MAX,
        flags: IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
        claimed: true,
    };
    f
}

/// `healthy()` with six sub-page BARs in one frame, unclaimed, in guest RAM and reading
/// all-ones: each shares the frame with five others, more findings than a report keeps.
pub fn six_sub_page_bars() -> DeviceFacts {
    let mut f = healthy();
    for i in 0..6 {
        let start = 0xfeb0_0000 + 0x100 * i as u64;
        f.cfg.bars[i] = start as u32;
        f.bars[i] = BarFacts {
            res: Resource {
                claimed: false,
                ..mem_res(start, 0x100, IORESOURCE_MEM)
            },
            ram_overlap: true,
            read_probe: Some(u32::MAX),
            ..BarFacts::default()
        };
    }
    f
}

/// Gives `healthy()`'s BAR0 the shape of a 256 MiB 64-bit prefetchable BAR above 4 GiB that Xen was not asked
/// about.
pub fn with_64bit_bar0_not_asked(f: &mut DeviceFacts) {
    f.cfg.bars = [0xc000_000c, 0x38, 0, 0, 0, 0];
    f.bars[0].res = mem_res(
        0x38_c000_0000,
        0x1000_0000,
        IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64,
    );
    f.bars[0].verdict = None;
}
