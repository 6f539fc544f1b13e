// SPDX-License-Identifier: GPL-2.0

//! The checks: from [`DeviceFacts`] to [`Findings`].
//!
//! Every finding kind has a stable code (`xen-eperm`, `unclaimed`, ...) that logs and the
//! debugfs report share; [`super::report`] turns them into words.

use super::bar::{decode_bars, decode_rom, Bar, BarKind, NUM_RESOURCES, ROM_INDEX};
use super::facts::*;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A driver will fail (or fault) on this BAR.
    Error,
    /// Works, but not as a driver or admin would expect.
    Warning,
    /// Context or a passed check.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A finding kind's stable code and usual severity, as [`define_kinds!`] declares them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindInfo {
    /// The stable code (`xen-refused`, `unclaimed`, ...).
    pub code: &'static str,
    /// The severity a finding of this kind has unless [`Finding::severity`] says otherwise.
    pub severity: Severity,
}

/// Declares [`Kind`] from one list (as nova-core's `define_chipset!` does for chipsets): each
/// variant names its stable code and its usual severity where it is defined, and [`KINDS`]
/// lists both, in declaration order, for the tests and tools that need every one.
macro_rules! define_kinds {
    ($(
        $(#[$doc:meta])*
        $variant:ident $({ $($(#[$fdoc:meta])* $field:ident: $ty:ty),* $(,)? })?
            => ($code:literal, $severity:ident),
    )*) => {
        /// What a finding is about, with its evidence.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Kind {
            $($(#[$doc])* $variant $({ $($(#[$fdoc])* $field: $ty),* })?,)*
        }

        impl Kind {
            /// The variant's code (a Xen refusal's is refined by its error, see
            /// [`Finding::code`]).
            fn variant_code(&self) -> &'static str {
                match self {
                    $(Kind::$variant { .. } => $code,)*
                }
            }

            /// The variant's severity (see [`Finding::severity`] for the exceptions).
            fn variant_severity(&self) -> Severity {
                match self {
                    $(Kind::$variant { .. } => Severity::$severity,)*
                }
            }
        }

        /// Every variant's code and usual severity, in declaration order.
        pub const KINDS: &[KindInfo] = &[$(KindInfo { code: $code, severity: Severity::$severity }),*];
    };
}

define_kinds! {
    /// Not a Xen PV guest: the Xen checks are skipped.
    NotXenPv => ("not-xen-pv", Info),
    /// Running in dom0: the device is not passed through.
    InitialDomain => ("dom0", Info),
    /// A PV guest, but the device does not sit behind pcifront.
    NotPcifront => ("not-pcifront", Info),
    /// Behind pcifront: backend and guest facts.
    Pcifront {
        /// Backend domain.
        backend: Option<u16>,
        /// Guest RAM pages.
        ram_pages: u64,
    } => ("pcifront", Info),
    /// Class/revision reads all-ones.
    DeviceGone {
        /// The value read.
        class_rev: u32,
    } => ("device-gone", Error),
    /// Config reads returned errors.
    ConfigReadErrors {
        /// How many.
        count: u32,
    } => ("config-read-error", Error),
    /// `PCI_COMMAND_MEMORY` clear.
    DecodeOff {
        /// Command register.
        command: u16,
        /// Still clear after the read probe enabled the device.
        after_enable: bool,
    } => ("decode-off", Info),
    /// BAR register reads all-ones.
    BarAllOnes => ("bar-all-ones", Error),
    /// The BAR register's read (or its upper half's) failed: its value is not the device's.
    BarReadFailed => ("bar-read-failed", Warning),
    /// BAR reads 0 but the domU has a resource of that size.
    BarHidden {
        /// Resource length.
        len: u64,
    } => ("bar-hidden", Error),
    /// 64-bit BAR in the last slot.
    Truncated64 => ("bar-64-truncated", Error),
    /// Reserved memory type `11b`.
    ReservedType => ("bar-reserved-type", Error),
    /// The register holds an address, but the guest has no resource for the BAR: its sizing
    /// through pcifront found no size.
    NoResource {
        /// The address in the register.
        addr: u64,
    } => ("no-resource", Error),
    /// Resource not claimed (or `IORESOURCE_UNSET`).
    Unclaimed {
        /// Resource start.
        start: u64,
        /// Resource end.
        end: u64,
        /// `IORESOURCE_UNSET` set.
        unset: bool,
    } => ("unclaimed", Error),
    /// Config-space address differs from the domU's resource.
    StartMismatch {
        /// From config space.
        bar: u64,
        /// From the resource.
        res: u64,
    } => ("start-mismatch", Error),
    /// Resource length not a power of two, or start not aligned to it.
    SizeInconsistent {
        /// Resource start.
        start: u64,
        /// Resource length.
        len: u64,
    } => ("size-inconsistent", Warning),
    /// 64-bit or prefetch bits differ between BAR and resource flags.
    FlagMismatch {
        /// BAR says 64-bit.
        bar64: bool,
        /// Resource says 64-bit.
        res64: bool,
        /// BAR says prefetchable.
        bar_pf: bool,
        /// Resource says prefetchable.
        res_pf: bool,
    } => ("flag-mismatch", Warning),
    /// BAR is I/O but resource is memory, or the reverse.
    TypeMismatch {
        /// BAR is I/O.
        bar_io: bool,
    } => ("type-mismatch", Error),
    /// Start or length not a multiple of 4 KiB.
    SubPage {
        /// Resource start.
        start: u64,
        /// Resource length.
        len: u64,
    } => ("sub-page", Warning),
    /// Shares a 4 KiB frame with another BAR of this device.
    SharedFrame {
        /// The frame.
        pfn: u64,
        /// The other BAR.
        other: u8,
    } => ("shared-frame", Warning),
    /// Ends above the CPU's physical address width.
    BeyondPhysBits {
        /// Resource end.
        end: u64,
        /// Address bits.
        bits: u8,
    } => ("beyond-phys-bits", Error),
    /// Inside guest RAM.
    RamOverlap {
        /// Resource start.
        start: u64,
        /// Resource end.
        end: u64,
    } => ("ram-overlap", Error),
    /// p2m entries that are not identity.
    P2mNotIdentity {
        /// First such pfn.
        pfn: u64,
        /// Its raw p2m value.
        raw: u64,
        /// Non-identity frames.
        count: u64,
        /// Of those, INVALID.
        invalid: u64,
    } => ("p2m-not-identity", Error),
    /// Xen refused the trial mappings of some tested frames.
    XenRefused {
        /// First refused pfn.
        pfn: u64,
        /// Xen's return code for it.
        rc: i32,
        /// Tested frames refused.
        refused: u64,
        /// Frames tested.
        tested: u64,
        /// Frames in the BAR.
        frames: u64,
    } => ("xen-refused", Error),
    /// Xen mapped some tested frames read-only: it write-protects MSI-X tables and PBAs, which
    /// is expected but worth knowing.
    XenReadOnly {
        /// First read-only pfn.
        pfn: u64,
        /// Tested frames mapped read-only.
        count: u64,
    } => ("xen-read-only", Info),
    /// A batch of trial mappings failed as a whole: later frames were not asked.
    XenIncomplete {
        /// The multicall's return code.
        rc: i32,
        /// Frames asked before it.
        tested: u64,
        /// Frames in the BAR.
        frames: u64,
    } => ("xen-incomplete", Warning),
    /// Xen refused to restore a scratch PTE: the scratch slots are leaked on purpose.
    ScratchLeaked {
        /// The restore's return code.
        rc: i32,
    } => ("scratch-leaked", Warning),
    /// Scratch mapping could not be set up.
    ScratchFailed {
        /// Error code.
        rc: i32,
    } => ("scratch-failed", Warning),
    /// I/O-port BAR.
    IoPorts {
        /// First port.
        start: u64,
        /// Number of ports.
        len: u64,
    } => ("io-ports", Info),
    /// Dword 0 read all-ones through an accepted mapping.
    ReadProbeAllOnes => ("read-all-ones", Error),
    /// Dword 0 of an I/O-port BAR read all-ones while the device answers config reads and
    /// decodes I/O: what Xen returns for ports it does not grant the domain.
    IoAllOnes {
        /// First port.
        port: u64,
        /// Command register after the device was enabled.
        command: u16,
    } => ("io-all-ones", Error),
    /// Dword 0 read through the real driver path.
    ReadProbe {
        /// The value.
        value: u32,
    } => ("read-ok", Info),
    /// The BAR passed every check.
    BarOk {
        /// Resource start.
        start: u64,
        /// Resource length.
        len: u64,
        /// 64-bit BAR.
        is64: bool,
        /// Prefetchable.
        prefetch: bool,
    } => ("ok", Info),
}

/// One finding: a kind plus the BAR it is about (`None`: the device).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finding {
    /// BAR index (6 = ROM) or `None` for device-wide findings.
    pub bar: Option<u8>,
    /// What and the evidence.
    pub kind: Kind,
}

impl Finding {
    /// Severity of this finding: its kind's, but for two cases that depend on more.
    pub fn severity(&self) -> Severity {
        match self.kind {
            Kind::DecodeOff {
                after_enable: true, ..
            } => Severity::Error,
            // A ROM that cannot be used rarely stops a driver.
            Kind::Unclaimed { .. } | Kind::StartMismatch { .. } | Kind::NoResource { .. }
                if self.bar == Some(ROM_INDEX as u8) =>
            {
                Severity::Warning
            }
            _ => self.kind.variant_severity(),
        }
    }

    /// Stable, grep-able code.
    pub fn code(&self) -> &'static str {
        match self.kind {
            Kind::XenRefused { rc, .. } => XEN_REFUSAL_CODES
                .iter()
                .find(|(errno, _)| *errno == rc)
                .map_or(self.kind.variant_code(), |(_, code)| code),
            _ => self.kind.variant_code(),
        }
    }
}

/// `-EPERM` as Xen returns it (Xen's error numbers are Linux's).
pub const EPERM: i32 = -1;
/// `-ENOMEM`.
pub const ENOMEM: i32 = -12;
/// `-EFAULT`.
pub const EFAULT: i32 = -14;
/// `-EBUSY`.
pub const EBUSY: i32 = -16;
/// `-ENODEV`.
pub const ENODEV: i32 = -19;
/// `-EINVAL`.
pub const EINVAL: i32 = -22;

/// Codes of Xen refusals by error; a refusal with any other error is `xen-refused`.
const XEN_REFUSAL_CODES: [(i32, &str); 3] = [
    (EPERM, "xen-eperm"),
    (EINVAL, "xen-einval"),
    (EBUSY, "xen-ebusy"),
];

/// Every finding code: the variants' and the refined Xen refusals'.
pub fn all_codes() -> impl Iterator<Item = &'static str> {
    KINDS
        .iter()
        .map(|kind| kind.code)
        .chain(XEN_REFUSAL_CODES.iter().map(|(_, code)| *code))
}

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
    if any_mem && facts.cfg.command & PCI_COMMAND_MEMORY == 0 && facts.cfg.class_rev != u32::MAX {
        out.push(
            None,
            Kind::DecodeOff {
                command: facts.cfg.command,
                after_enable: probed,
            },
        );
    }

    for (i, bar) in bars.iter().enumerate() {
        check_bar(facts, &bars, i, bar, out);
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
    let idx = Some(i as u8);
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
    let idx = Some(i as u8);
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
    let idx = Some(i as u8);
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
    let idx = Some(i as u8);
    let bf = &facts.bars[i];
    let (start, len) = (bf.res.start, bf.res.len());
    out.push(idx, Kind::IoPorts { start, len });
    let command = facts.cfg.command;
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
    let idx = Some(i as u8);
    let bf = &facts.bars[i];
    let res = &bf.res;
    let (start, end, len) = (res.start, res.end, res.len());
    if start % PAGE_SIZE != 0 || len % PAGE_SIZE != 0 {
        out.push(idx, Kind::SubPage { start, len });
    }
    check_shared_frames(facts, bars, i, out);
    let bits = facts.ctx.phys_bits;
    if bits > 0 && bits < 64 && end >> bits != 0 {
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
                Some(i as u8),
                Kind::SharedFrame {
                    pfn,
                    other: j as u8,
                },
            );
        }
    }
}
