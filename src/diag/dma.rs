// SPDX-License-Identifier: GPL-2.0

//! The DMA trial's verdicts (`dma_trial=1`): how the DMA API made each bus address it
//! returned, and why a step failed, from the trial's addresses and the DMA path's facts.

use core::fmt::{self, Write};

use super::facts::{CoherentBuf, DmaFacts, DmaTrial, StreamingMap};
use super::findings::Kind;
use super::irq::errno_name;

/// How the DMA API made a bus address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Made {
    /// The buffer's own machine address: the device reaches the buffer in place.
    InPlace,
    /// A slot of the bounce pool: the data is copied there (and back) on every mapping.
    Bounced,
    /// The buffer's pseudo-physical address, which is not its machine address: a device given
    /// it would read or write other memory (no swiotlb-xen).
    PseudoPhysical,
    /// None of these: neither the buffer's machine nor its pseudo-physical address, nor the
    /// pool.
    Other,
}

impl Made {
    /// The name in the evidence and the JSON report.
    pub fn name(self) -> &'static str {
        match self {
            Made::InPlace => "in-place",
            Made::Bounced => "bounced",
            Made::PseudoPhysical => "pseudo-physical",
            Made::Other => "other",
        }
    }
}

/// How a bus address relates to its buffer. The pool is checked first: a bounced mapping's
/// address is a slot's. Outside a PV guest the machine address is the pseudo-physical one, so
/// an identity mapping is in place.
fn made(bus: u64, phys: u64, machine: u64, in_pool: bool) -> Made {
    if in_pool {
        Made::Bounced
    } else if bus == machine {
        Made::InPlace
    } else if bus == phys {
        Made::PseudoPhysical
    } else {
        Made::Other
    }
}

/// How the streaming mapping's bus address was made.
pub fn streaming_made(m: &StreamingMap) -> Made {
    made(m.bus, m.phys, m.machine, m.in_pool)
}

/// How the coherent allocation's bus address was made (a coherent buffer is never bounced).
pub fn coherent_made(c: &CoherentBuf) -> Made {
    made(c.bus, c.phys, c.machine, false)
}

/// The step of the trial that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `dma_alloc_coherent()` returned NULL.
    Coherent,
    /// `dma_map_page()` returned a mapping error, or no page could be allocated for it.
    Streaming,
}

impl Step {
    /// `coherent` or `streaming`.
    pub fn name(self) -> &'static str {
        match self {
            Step::Coherent => "coherent",
            Step::Streaming => "streaming",
        }
    }
}

/// Why a step failed, as far as the DMA path's facts tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A streaming mapping that needed a bounce slot in a swiotlb-xen without a pool.
    NoPool,
    /// A streaming mapping through swiotlb-xen's pool, which had no room for it.
    PoolFull,
    /// A coherent allocation through swiotlb-xen: Xen did not exchange the page for a
    /// machine-contiguous one below the coherent mask (or the guest had no page).
    Exchange,
    /// The guest's own DMA code (not swiotlb-xen) refused, or it had no page to map.
    Guest,
}

/// Why `step` failed, given the DMA path's facts and whether a page was there to map.
pub fn cause_of(step: Step, dma: &DmaFacts, page_allocated: bool) -> Cause {
    match step {
        _ if !dma.swiotlb_xen => Cause::Guest,
        Step::Coherent => Cause::Exchange,
        Step::Streaming if !page_allocated => Cause::Guest,
        Step::Streaming if dma.pool_bytes == 0 => Cause::NoPool,
        Step::Streaming => Cause::PoolFull,
    }
}

/// The trial's findings: what it got, then one per failed step (`None` where there is
/// nothing to say).
pub fn trial_findings(dma: &DmaFacts) -> [Option<Kind>; 3] {
    let Some(trial) = dma.trial else {
        return [None; 3];
    };
    let failed = |step: Step, outcome: Result<(), i32>, page_allocated: bool| {
        let cause = cause_of(step, dma, page_allocated);
        outcome
            .err()
            .map(|rc| Kind::DmaTrialFailed { step, rc, cause })
    };
    [
        Some(Kind::DmaTrial),
        failed(Step::Coherent, trial.coherent.map(|_| ()), true),
        failed(
            Step::Streaming,
            trial.streaming.map(|_| ()),
            trial.page.tried > 0,
        ),
    ]
}

/// `rc=-12 (-ENOMEM)`.
fn write_rc(w: &mut dyn Write, rc: i32) -> fmt::Result {
    write!(w, "failed rc={rc} ({})", errno_name(rc))
}

/// The trial's evidence: each step's bus address against its buffer's machine address, and
/// how the bus address was made; or its errno.
pub fn write_trial(w: &mut dyn Write, t: &DmaTrial) -> fmt::Result {
    w.write_str("coherent ")?;
    match &t.coherent {
        Ok(c) => write!(
            w,
            "bus=0x{:x} machine=0x{:x} ({})",
            c.bus,
            c.machine,
            coherent_made(c).name()
        )?,
        Err(rc) => write_rc(w, *rc)?,
    }
    let page = match t.page.above_mask {
        true => "above the mask",
        false => "below the mask",
    };
    write!(w, "; streaming page {page} ({} tried) ", t.page.tried)?;
    match &t.streaming {
        Ok(m) => write!(
            w,
            "bus=0x{:x} machine=0x{:x} ({})",
            m.bus,
            m.machine,
            streaming_made(m).name()
        ),
        Err(rc) => write_rc(w, *rc),
    }
}
