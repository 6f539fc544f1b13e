// SPDX-License-Identifier: GPL-2.0

//! The checks: from [`DeviceFacts`] to [`Findings`].
//!
//! Each finding kind, with its code and words, is declared in [`super::findings`]; the checks
//! here decide which a device has.

use super::bar::{decode_bars, decode_rom, index_u8, Bar, BarKind, NUM_RESOURCES, ROM_INDEX};
use super::facts::*;
use super::irq;

pub use super::findings::{
    all_codes, Finding, Kind, KindInfo, Severity, EBUSY, EFAULT, EINVAL, ENODEV, ENOMEM, EPERM,
    KINDS,
};

/// Maximum findings kept for one device.
pub const MAX_FINDINGS: usize = 32;

/// A fixed-capacity list of findings (no allocation: usable in and out of the kernel).
#[derive(Clone, Copy, Debug)]
pub struct Findings {
    items: [Option<Finding>; MAX_FINDINGS],
    len: usize,
    /// Findings that did not fit.
    pub dropped: u32,
    /// Errors and warnings found, stored or dropped.
    problems: u32,
}

impl Default for Findings {
    fn default() -> Self {
        Self {
            items: [None; MAX_FINDINGS],
            len: 0,
            dropped: 0,
            problems: 0,
        }
    }
}

impl Findings {
    fn push(&mut self, bar: Option<u8>, kind: Kind) {
        let finding = Finding { bar, kind };
        if finding.severity() != Severity::Info {
            self.problems += 1;
        }
        if self.len < MAX_FINDINGS {
            self.items[self.len] = Some(finding);
            self.len += 1;
        } else {
            self.dropped += 1;
        }
    }

    /// Forgets every finding, in place.
    pub fn clear(&mut self) {
        self.len = 0;
        self.dropped = 0;
        self.problems = 0;
    }

    /// The findings, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &Finding> + '_ {
        self.items[..self.len].iter().flatten()
    }

    /// Number of findings of a severity.
    pub fn count(&self, sev: Severity) -> usize {
        self.iter()
            .filter(|finding| finding.severity() == sev)
            .count()
    }

    /// First finding with this code, if any.
    pub fn find(&self, code: &str) -> Option<&Finding> {
        self.iter().find(|finding| finding.code() == code)
    }

    /// Number of findings.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No findings at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The decoded registers: BAR0-5 and the ROM.
pub fn decode_all(cfg: &Config) -> [Bar; NUM_RESOURCES] {
    let b = decode_bars(&cfg.bars);
    [b[0], b[1], b[2], b[3], b[4], b[5], decode_rom(cfg.rom)]
}

/// First and last pfn of a resource with bytes.
fn pfn_span(res: &Resource) -> (u64, u64) {
    let (first, n) = res.frames();
    (first, first + n.saturating_sub(1))
}

/// Xen's answers for one BAR.
fn check_verdict(idx: Option<u8>, v: &Verdict, out: &mut Findings) {
    if let Some(run) = v.refused.first() {
        let rc = match run.answer {
            Trial::Refused(rc) => rc,
            _ => 0,
        };
        out.push(
            idx,
            Kind::XenRefused {
                pfn: run.first_pfn,
                rc,
                refused: v.refused.frames,
                tested: v.tested,
                frames: v.frames,
            },
        );
    }
    if let Some(run) = v.read_only.first() {
        out.push(
            idx,
            Kind::XenReadOnly {
                pfn: run.first_pfn,
                count: v.read_only.frames,
            },
        );
    }
    if let Some(rc) = v.aborted {
        out.push(
            idx,
            Kind::XenIncomplete {
                rc,
                tested: v.tested,
                frames: v.frames,
            },
        );
    }
}

/// Whether the opt-in read probe may read dword 0 of BAR `i` (never the ROM), judged from the
/// facts gathered without touching the device: the guest claimed the resource (the driver
/// path's `pci_request_region()` needs that), config space still answers, and for a memory
/// BAR Xen mapped its first frame, the only page the probe maps. The read itself is then one
/// more fact for [`check_into`].
pub fn read_probe_safe(facts: &DeviceFacts, i: usize) -> bool {
    let bf = &facts.bars[i];
    let res = &bf.res;
    // `ioread32` of dword 0 needs 4 bytes (or ports) of the BAR.
    let usable = i < ROM_INDEX
        && res.len() >= 4
        && res.claimed
        && res.flags & IORESOURCE_UNSET == 0
        && facts.cfg.class_rev != u32::MAX;
    let bar = decode_all(&facts.cfg)[i];
    match bar.kind {
        BarKind::Io => usable && res.flags & IORESOURCE_IO != 0,
        _ if bar.is_mem() => {
            usable
                && res.flags & IORESOURCE_MEM != 0
                && !bf.ram_overlap
                && bf.verdict.is_some_and(|v| v.maps_first_frame())
        }
        _ => false,
    }
}

/// Runs every check on the facts of one device.
///
/// Host-only convenience: it returns 1.5 KiB by value, so the module uses [`check_into`].
#[cfg(not(MODULE))]
pub fn check(facts: &DeviceFacts) -> Findings {
    let mut out = Findings::default();
    check_into(facts, &mut out);
    out
}

/// Like [`check`], but fills `out` in place (the kernel keeps it on the heap, not the stack).
pub fn check_into(facts: &DeviceFacts, out: &mut Findings) {
    out.clear();
    let ctx = &facts.ctx;

    if ctx.initial_domain {
        out.push(None, Kind::InitialDomain);
    } else if !ctx.xen_pv {
        out.push(None, Kind::NotXenPv);
    } else if !ctx.pcifront {
        out.push(None, Kind::NotPcifront);
    } else {
        out.push(
            None,
            Kind::Pcifront {
                backend: ctx.backend_domid,
                ram_pages: ctx.ram_pages,
            },
        );
    }

    if facts.cfg.class_rev == u32::MAX {
        out.push(
            None,
            Kind::DeviceGone {
                class_rev: facts.cfg.class_rev,
            },
        );
    }
    if let Some(rc) = facts.restore_failed {
        out.push(None, Kind::ScratchLeaked { rc });
    }
    if facts.cfg.read_errors > 0 {
        out.push(
            None,
            Kind::ConfigReadErrors {
                count: facts.cfg.read_errors,
            },
        );
    }

    let bars = decode_all(&facts.cfg);
    let any_mem = bars.iter().any(|b| b.is_mem() && b.kind != BarKind::Rom);
    let probed = facts.bars.iter().any(|b| b.read_probe.is_some());
    let command = facts.cfg.command_now();
    if any_mem && command & PCI_COMMAND_MEMORY == 0 && facts.cfg.class_rev != u32::MAX {
        out.push(
            None,
            Kind::DecodeOff {
                command,
                after_enable: probed,
            },
        );
    }

    for (i, bar) in bars.iter().enumerate() {
        check_bar(facts, &bars, i, bar, out);
    }
    check_irq(&facts.irq, out);
    check_dma(facts, out);
}

/// The interrupt path: what the device offers against this domain's limits, then the trials.
fn check_irq(irq: &IrqFacts, out: &mut Findings) {
    if !irq.gathered {
        return;
    }
    out.push(None, Kind::Interrupts);
    if let Some(rc) = irq.intx.bind_rc.filter(|&rc| !irq::bind_permitted(rc)) {
        let pirq = irq.intx.line;
        out.push(None, Kind::IntxDenied { pirq, rc });
    }
    if let Some(msix) = irq.msix {
        let vectors = msix.vectors;
        if vectors > SH_INFO_MAX_VEC {
            out.push(None, Kind::MsixOverPcifront { vectors });
        }
        if let (Some(nr_pirqs), Some(at_most)) = (irq.nr_pirqs, irq.msi_pirqs_at_most()) {
            // pcifront passes at most SH_INFO_MAX_VEC: more is the finding above.
            if u32::from(vectors.min(SH_INFO_MAX_VEC)) > at_most {
                out.push(
                    None,
                    Kind::MsixPirqLimit {
                        vectors,
                        nr_pirqs,
                        at_most,
                    },
                );
            }
        }
    }
    if let Some(rc) = irq.enable_failed {
        out.push(None, Kind::IrqEnableFailed { rc });
    }
    for left in [irq.msix_on_at_bind, irq.msix_left_on]
        .into_iter()
        .flatten()
    {
        out.push(None, Kind::MsixLeftEnabled { left });
    }
    if let (Some(why), Some(msix)) = (irq.msix_skipped, irq.msix) {
        let table_bar = msix.table_bar;
        out.push(None, Kind::MsixNotTried { why, table_bar });
    }
    for trial in [irq.msix_trial, irq.msi_trial].into_iter().flatten() {
        let (kind, asked) = (trial.kind, trial.asked);
        out.push(
            None,
            match trial.outcome {
                Ok(granted) => Kind::MsiEnabled {
                    kind,
                    asked,
                    granted,
                },
                Err(rc) => Kind::MsiFailed { kind, asked, rc },
            },
        );
    }
}

/// The pool is "nearly full" from this share on, in tenths.
const POOL_FULL_TENTHS: u64 = 9;

/// The DMA path: swiotlb-xen where a PV domU needs it, its pool, the mask against where the
/// guest's memory is.
fn check_dma(facts: &DeviceFacts, out: &mut Findings) {
    let dma = &facts.dma;
    if !dma.gathered {
        return;
    }
    out.push(None, Kind::Dma);
    for kind in super::dma::trial_findings(dma).into_iter().flatten() {
        out.push(None, kind);
    }
    let ctx = &facts.ctx;
    if ctx.xen_pv && !ctx.initial_domain && ctx.pcifront && !dma.swiotlb_xen {
        out.push(None, Kind::DmaNoSwiotlbXen);
        return;
    }
    if dma.swiotlb_xen && dma.pool_bytes == 0 {
        out.push(None, Kind::DmaNoPool);
        return;
    }
    if let Some(used) = dma.pool_used {
        let size = dma.pool_bytes;
        if size > 0 && used.saturating_mul(10) >= size.saturating_mul(POOL_FULL_TENTHS) {
            out.push(None, Kind::DmaPoolFull { used, size });
        }
    }
    if dma.frames_checked > 0 && dma.frames_above_mask == dma.frames_checked {
        out.push(
            None,
            Kind::DmaAboveMask {
                mask: dma.mask,
                checked: dma.frames_checked,
            },
        );
    }
}

/// One BAR: its register, then its resource, then what applies to its kind.
fn check_bar(
    facts: &DeviceFacts,
    bars: &[Bar; NUM_RESOURCES],
    i: usize,
    bar: &Bar,
    out: &mut Findings,
) {
    let idx = Some(index_u8(i));
    let res = &facts.bars[i].res;
    let before = out.problems;
    if bar.kind == BarKind::Upper64 {
        return;
    }
    if register_unread(facts, i, bar) {
        // Nothing is known of the register; the guest's resource can still be checked.
        out.push(idx, Kind::BarReadFailed);
        if res.flags & IORESOURCE_IO != 0 && !res.is_empty() {
            check_io(facts, i, out);
        } else if res.flags & IORESOURCE_MEM != 0 && !res.is_empty() {
            check_memory(facts, bars, i, out);
        }
        return;
    }
    if !check_register(facts, i, bar, out) {
        return;
    }
    if res.is_empty() {
        let unset = res.flags & IORESOURCE_UNSET != 0;
        if unset || res.flags & (IORESOURCE_MEM | IORESOURCE_IO) != 0 {
            // Sized, but the PCI core could not place it.
            let (start, end) = (0, 0);
            out.push(idx, Kind::Unclaimed { start, end, unset });
        } else {
            // The register decodes, but the guest's PCI core made no resource of it at all.
            out.push(idx, Kind::NoResource { addr: bar.addr });
        }
        return;
    }
    check_resource(i, bar, res, out);
    if bar.kind == BarKind::Io {
        check_io(facts, i, out);
        return;
    }
    check_memory(facts, bars, i, out);
    if out.problems == before {
        let (start, len) = (res.start, res.len());
        let (is64, prefetch) = (bar.is_64(), bar.prefetch);
        out.push(
            idx,
            Kind::BarOk {
                start,
                len,
                is64,
                prefetch,
            },
        );
    }
}

/// The read of BAR `i`'s register, or of the upper half of a 64-bit one, failed.
fn register_unread(facts: &DeviceFacts, i: usize, bar: &Bar) -> bool {
    let failed = |j: usize| facts.cfg.bars_failed & (1 << j) != 0;
    failed(i) || (bar.is_64() && i + 1 < ROM_INDEX && failed(i + 1))
}

/// The BAR register alone. Returns whether there is a BAR to check further.
fn check_register(facts: &DeviceFacts, i: usize, bar: &Bar, out: &mut Findings) -> bool {
    let idx = Some(index_u8(i));
    match bar.kind {
        BarKind::Upper64 => return false,
        BarKind::AllOnes => {
            // With the whole device gone, one device-level finding says it all.
            if facts.cfg.class_rev != u32::MAX {
                out.push(idx, Kind::BarAllOnes);
            }
            return false;
        }
        BarKind::Unused => {
            let len = facts.bars[i].res.len();
            if len > 0 && i != ROM_INDEX {
                out.push(idx, Kind::BarHidden { len });
            }
            return false;
        }
        BarKind::Mem64Truncated => out.push(idx, Kind::Truncated64),
        BarKind::MemReserved => out.push(idx, Kind::ReservedType),
        _ => {}
    }
    true
}

/// The guest's resource against the register: type, claim, address, size, flags.
fn check_resource(i: usize, bar: &Bar, res: &Resource, out: &mut Findings) {
    let idx = Some(index_u8(i));
    let len = res.len();
    let bar_io = bar.kind == BarKind::Io;
    let res_io = res.flags & IORESOURCE_IO != 0;
    let res_mem = res.flags & IORESOURCE_MEM != 0;
    if (bar_io && res_mem) || (!bar_io && res_io) {
        out.push(idx, Kind::TypeMismatch { bar_io });
    }
    let unset = res.flags & IORESOURCE_UNSET != 0;
    if !res.claimed || unset {
        let (start, end) = (res.start, res.end);
        out.push(idx, Kind::Unclaimed { start, end, unset });
    }
    if !unset && bar.addr != res.start {
        out.push(
            idx,
            Kind::StartMismatch {
                bar: bar.addr,
                res: res.start,
            },
        );
    }
    if !len.is_power_of_two() || res.start & (len - 1) != 0 {
        out.push(
            idx,
            Kind::SizeInconsistent {
                start: res.start,
                len,
            },
        );
    }
    if bar.is_mem() && i != ROM_INDEX {
        let (bar64, bar_pf) = (bar.is_64(), bar.prefetch);
        let res64 = res.flags & IORESOURCE_MEM_64 != 0;
        let res_pf = res.flags & IORESOURCE_PREFETCH != 0;
        if res64 != bar64 || res_pf != bar_pf {
            out.push(
                idx,
                Kind::FlagMismatch {
                    bar64,
                    res64,
                    bar_pf,
                    res_pf,
                },
            );
        }
    }
}

/// An I/O-port BAR: its ports, and what the read probe read from the first one.
fn check_io(facts: &DeviceFacts, i: usize, out: &mut Findings) {
    let idx = Some(index_u8(i));
    let bf = &facts.bars[i];
    let (start, len) = (bf.res.start, bf.res.len());
    out.push(idx, Kind::IoPorts { start, len });
    let command = facts.cfg.command_now();
    match bf.read_probe {
        // All-ones from a device that does not decode I/O says nothing about Xen.
        Some(u32::MAX) if command & PCI_COMMAND_IO == 0 => out.push(idx, Kind::ReadProbeAllOnes),
        Some(u32::MAX) => out.push(
            idx,
            Kind::IoAllOnes {
                port: start,
                command,
            },
        ),
        Some(value) => out.push(idx, Kind::ReadProbe { value }),
        None => {}
    }
}

/// A memory BAR: page granularity, frames shared with other BARs, address width, RAM, the
/// p2m, Xen's verdict, the read probe.
fn check_memory(facts: &DeviceFacts, bars: &[Bar; NUM_RESOURCES], i: usize, out: &mut Findings) {
    let idx = Some(index_u8(i));
    let bf = &facts.bars[i];
    let res = &bf.res;
    let (start, end, len) = (res.start, res.end, res.len());
    if start % PAGE_SIZE != 0 || len % PAGE_SIZE != 0 {
        out.push(idx, Kind::SubPage { start, len });
    }
    check_shared_frames(facts, bars, i, out);
    if facts.ctx.beyond_phys_bits(end) {
        let bits = facts.ctx.phys_bits;
        out.push(idx, Kind::BeyondPhysBits { end, bits });
    }
    if bf.ram_overlap {
        out.push(idx, Kind::RamOverlap { start, end });
    }
    if let Some(P2m {
        first: Some((pfn, raw)),
        non_identity: count,
        invalid,
        ..
    }) = bf.p2m
    {
        out.push(
            idx,
            Kind::P2mNotIdentity {
                pfn,
                raw,
                count,
                invalid,
            },
        );
    }
    if let Some(v) = &bf.verdict {
        check_verdict(idx, v, out);
    }
    if let Some(Skip::Scratch(rc)) = bf.skipped {
        out.push(idx, Kind::ScratchFailed { rc });
    }
    match bf.read_probe {
        Some(u32::MAX) => out.push(idx, Kind::ReadProbeAllOnes),
        Some(value) => out.push(idx, Kind::ReadProbe { value }),
        None => {}
    }
}

/// One finding per other memory BAR whose frames overlap BAR `i`'s (first shared pfn).
fn check_shared_frames(
    facts: &DeviceFacts,
    bars: &[Bar; NUM_RESOURCES],
    i: usize,
    out: &mut Findings,
) {
    let res = &facts.bars[i].res;
    let (first, last) = pfn_span(res);
    for (j, other) in bars.iter().enumerate() {
        let ores = &facts.bars[j].res;
        if j == i || !other.is_mem() || ores.is_empty() || ores.flags & IORESOURCE_MEM == 0 {
            continue;
        }
        let (ofirst, olast) = pfn_span(ores);
        if ofirst <= last && first <= olast {
            let pfn = first.max(ofirst);
            out.push(
                Some(index_u8(i)),
                Kind::SharedFrame {
                    pfn,
                    other: index_u8(j),
                },
            );
        }
    }
}
