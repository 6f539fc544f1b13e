// SPDX-License-Identifier: GPL-2.0

//! Wording: one log line per finding (what, evidence, fix), a summary line, and the JSON
//! report published in debugfs. Everything is written to a [`core::fmt::Write`], so the
//! kernel can print it without allocating and the host tests can compare strings.

use core::fmt::{self, Write};

use super::bar::bar_name;
use super::checks::{
    Finding, Findings, Kind, Severity, EBUSY, EFAULT, EINVAL, ENODEV, ENOMEM, EPERM,
};
use super::facts::{Config, Context, DeviceFacts, Run, Runs, Trial, Verdict, PAGE_SHIFT};

/// A PCI address `dddd:bb:dd.f`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bdf {
    /// PCI domain (segment).
    pub domain: u16,
    /// Bus.
    pub bus: u8,
    /// Device (slot).
    pub dev: u8,
    /// Function.
    pub func: u8,
}

impl Bdf {
    /// Parses `dddd:bb:dd.f` or `bb:dd.f` (hex), as xenstore's `dev-N` nodes hold it.
    pub fn parse(s: &str) -> Option<Bdf> {
        let s = s.trim_end_matches(['\0', '\n', ' ']);
        let (head, func) = s.rsplit_once('.')?;
        let mut parts = head.rsplitn(3, ':');
        let dev = parts.next()?;
        let bus = parts.next()?;
        let domain = parts.next().unwrap_or("0");
        let bdf = Bdf {
            domain: u16::from_str_radix(domain, 16).ok()?,
            bus: u8::from_str_radix(bus, 16).ok()?,
            dev: u8::from_str_radix(dev, 16).ok()?,
            func: u8::from_str_radix(func, 16).ok()?,
        };
        if bdf.dev > 0x1f || bdf.func > 7 {
            return None;
        }
        Some(bdf)
    }
}

impl fmt::Display for Bdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04x}:{:02x}:{:02x}.{:x}",
            self.domain, self.bus, self.dev, self.func
        )
    }
}

/// What the report says about the probe itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// The device as the guest names it.
    pub bdf: Bdf,
    /// The same device as dom0 names it (from the pciback xenstore nodes).
    pub backend_bdf: Option<Bdf>,
    /// Vendor and device id.
    pub vendor: u16,
    /// Device id.
    pub device: u16,
    /// Task that triggered the probe.
    pub pid: i32,
    /// Its `comm`, NUL padded.
    pub comm: [u8; 16],
    /// Config-space reads spent.
    pub config_reads: u32,
    /// Hypercalls spent (batches of trial mappings and the restore).
    pub hypercalls: u32,
    /// Trial mappings and restores spent (multicall entries).
    pub trial_entries: u64,
    /// Probe duration in nanoseconds.
    pub probe_ns: u64,
    /// Where that time went.
    pub phases: Phases,
}

/// The probe's duration by step, in nanoseconds (`diagnose` in probe.rs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Phases {
    /// Reading config space (through pcifront: a round trip to pciback each).
    pub config_ns: u64,
    /// Xen context: xenstore reads for the backend, guest RAM, resources.
    pub context_ns: u64,
    /// Xen's verdict: scratch slots, trial mappings, restore.
    pub xen_ns: u64,
}

impl Meta {
    fn comm(&self) -> &str {
        let n = self.comm.iter().position(|&c| c == 0).unwrap_or(16);
        core::str::from_utf8(&self.comm[..n]).unwrap_or("?")
    }
}

/// Binary size with a unit, e.g. `1 MiB`, `16 B`.
pub struct Size(pub u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
        let mut v = self.0;
        let mut u = 0;
        while v >= 1024 && v % 1024 == 0 && u + 1 < UNITS.len() {
            v /= 1024;
            u += 1;
        }
        write!(f, "{} {}", v, UNITS[u])
    }
}

fn errno_name(rc: i32) -> &'static str {
    match rc {
        EPERM => "-EPERM",
        EINVAL => "-EINVAL",
        EBUSY => "-EBUSY",
        ENOMEM => "-ENOMEM",
        EFAULT => "-EFAULT",
        ENODEV => "-ENODEV",
        _ => "error",
    }
}

/// The guest-visible name of the finding's scope: `BAR0`..`ROM`, or `device`.
pub fn scope(finding: &Finding) -> &'static str {
    match finding.bar {
        Some(i) => bar_name(i),
        None => "device",
    }
}

/// Where to grant: dom0's BDF if known, else a placeholder the admin fills in.
struct Dom0Bdf<'a>(&'a Meta);

impl fmt::Display for Dom0Bdf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.backend_bdf {
            Some(b) => write!(f, "{b}"),
            None => f.write_str("<dom0 BDF>"),
        }
    }
}

/// Writes what the finding means.
pub fn write_what(w: &mut impl Write, finding: &Finding) -> fmt::Result {
    match finding.kind {
        Kind::NotXenPv => w.write_str("not a Xen PV guest: Xen permission checks skipped, generic BAR checks only"),
        Kind::InitialDomain => w.write_str("running in dom0 (the initial domain): the device is not passed through, Xen checks skipped"),
        Kind::NotPcifront => w.write_str("Xen PV guest, but the device is not behind xen-pcifront: Xen checks still run"),
        Kind::Pcifront { .. } => w.write_str("device reached through xen-pcifront"),
        Kind::DeviceGone { .. } => w.write_str("class/revision reads all-ones: the device is gone, powered down or unreachable through pciback"),
        Kind::ConfigReadErrors { .. } => w.write_str("config-space reads through pcifront failed"),
        Kind::DecodeOff { after_enable: false, .. } => w.write_str("memory decoding is off; expected until a driver enables the device (pciback then enables it in dom0)"),
        Kind::DecodeOff { after_enable: true, .. } => w.write_str("memory decoding is still off after enabling the device: MMIO reads will return all-ones"),
        Kind::BarAllOnes => w.write_str("BAR register reads all-ones: device powered down or config read failing"),
        Kind::BarReadFailed => w.write_str("the BAR register could not be read through pcifront: its checks against the register are skipped, the guest's resource is still checked"),
        Kind::BarHidden { .. } => w.write_str("BAR reads 0 although the guest sized a region: pciback hides it because dom0 had no valid resource (unset, disabled or busy) when the device was seized"),
        Kind::Truncated64 => w.write_str("64-bit BAR in the last slot: its upper half is outside the header"),
        Kind::ReservedType => w.write_str("memory BAR with the reserved type 11b"),
        Kind::NoResource { .. } => w.write_str("the BAR register holds an address, but the guest's PCI core has no resource for it: sizing the BAR through pcifront and pciback found no size, so drivers cannot request or map it"),
        Kind::Unclaimed { unset: true, .. } => w.write_str("resource is unset: the guest's PCI core could not claim it, pci_enable_device() fails with -EINVAL"),
        Kind::Unclaimed { unset: false, .. } => w.write_str("resource is not claimed in the guest's resource tree: pci_request_region() and ioremap will fail"),
        Kind::StartMismatch { .. } => w.write_str("config space and the guest's resource disagree on the address: the guest reassigned the BAR, pciback dropped the write, the device still decodes at the old address"),
        Kind::SizeInconsistent { .. } => w.write_str("resource length is not a power of two or its start is not aligned to it, unlike any real BAR"),
        Kind::FlagMismatch { .. } => w.write_str("64-bit/prefetchable bits of the BAR and of the guest's resource disagree"),
        Kind::TypeMismatch { bar_io: true } => w.write_str("BAR is I/O space but the guest's resource is memory"),
        Kind::TypeMismatch { bar_io: false } => w.write_str("BAR is memory but the guest's resource is I/O space"),
        Kind::SubPage { .. } => w.write_str("BAR is smaller than or not aligned to a 4 KiB page: Xen grants and maps whole frames, so the guest also gets the rest of the frame"),
        Kind::SharedFrame { .. } => w.write_str("BAR shares a 4 KiB frame with another BAR"),
        Kind::BeyondPhysBits { .. } => w.write_str("BAR ends above the CPU's physical address width: ioremap refuses it"),
        Kind::RamOverlap { .. } => w.write_str("BAR lies inside the guest's RAM: the PCI core cannot claim it and ioremap refuses RAM"),
        Kind::P2mNotIdentity { invalid, count, .. } if invalid == count => w.write_str("BAR frames have INVALID p2m entries: a mapping becomes a silently non-present PTE and the first access faults"),
        Kind::P2mNotIdentity { .. } => w.write_str("BAR frames are not identity-mapped in the p2m: a mapping would hit guest memory, not the device"),
        Kind::XenRefused { rc: EPERM, .. } => w.write_str("Xen refuses to map BAR frames: they are not in this domain's I/O memory permission (the 2009 'Non-privileged attempt to map I/O space'); ioremap returns a pointer anyway and the first access to them faults"),
        Kind::XenRefused { rc: EINVAL, .. } => w.write_str("Xen rejects uncached mappings: this domain has no I/O memory, no I/O port permission and no assigned device at all ('Bad L1 flags')"),
        Kind::XenRefused { rc: EBUSY, .. } => w.write_str("Xen refuses the BAR frames: they are RAM owned by another domain"),
        Kind::XenRefused { .. } => w.write_str("Xen refuses to map the BAR frames"),
        Kind::XenReadOnly { .. } => w.write_str("Xen maps some BAR frames read-only (MSI-X table/PBA in mmio_ro_ranges), as expected for MSI-X: writes there are dropped, drivers program MSI-X through pci_enable_msix (pcifront)"),
        Kind::ScratchFailed { .. } => w.write_str("could not set up the scratch mapping for the Xen test: Xen verdict unknown"),
        Kind::XenIncomplete { .. } => w.write_str("a batch of trial mappings failed as a whole: Xen's verdict on the frames after it is unknown"),
        Kind::ScratchLeaked { .. } => w.write_str("Xen refused to restore a scratch PTE after the trial mappings: the scratch slots are kept mapped for good (never freed), a few KiB lost until reboot"),
        Kind::IoPorts { .. } => w.write_str("I/O-port BAR: no mapping to test; Xen emulates port I/O and ports not granted read as all-ones (read_probe=1 reads the first port)"),
        Kind::IoAllOnes { .. } => w.write_str("the I/O BAR's first dword reads all-ones although the device answers config reads and decodes I/O: Xen returns all-ones for ports it does not grant this domain (a guest cannot ask Xen directly; a register that really reads 0xffffffff would look the same)"),
        Kind::ReadProbeAllOnes => w.write_str("dword 0 reads 0xffffffff through a mapping Xen accepted: the device does not decode this BAR"),
        Kind::ReadProbe { .. } => w.write_str("dword 0 read through the driver path"),
        Kind::BarOk { .. } => w.write_str("usable"),
    }
}

/// Writes the evidence: raw values behind the finding.
pub fn write_evidence(w: &mut impl Write, finding: &Finding, facts: &DeviceFacts) -> fmt::Result {
    let i = finding.bar.map(usize::from);
    let raw = |w: &mut dyn Write| raw_register(w, facts, i);
    let res_flags = i.map(|i| facts.bars[i].res.flags).unwrap_or(0);
    match finding.kind {
        Kind::NotXenPv | Kind::InitialDomain | Kind::NotPcifront => {
            let c = &facts.ctx;
            let (pv, dom0, front) = (c.xen_pv, c.initial_domain, c.pcifront);
            write!(w, "xen_pv={pv} dom0={dom0} pcifront={front}")
        }
        Kind::Pcifront { backend, ram_pages } => pcifront_evidence(w, backend, ram_pages, facts),
        Kind::DeviceGone { class_rev } => {
            write!(w, "class_rev=0x{class_rev:08x} id=0x{:08x}", facts.cfg.id)
        }
        Kind::ConfigReadErrors { count } => write!(w, "failed_reads={count}"),
        Kind::DecodeOff { command, .. } => write!(w, "command=0x{command:04x}"),
        Kind::BarAllOnes | Kind::Truncated64 | Kind::ReservedType => raw(w),
        Kind::BarReadFailed => write!(w, "failed_registers=0x{:02x}", facts.cfg.bars_failed),
        Kind::BarHidden { len } => raw(w).and_then(|()| write!(w, " guest_len=0x{len:x}")),
        Kind::NoResource { addr } => {
            raw(w).and_then(|()| write!(w, " addr=0x{addr:x} res_flags=0x0"))
        }
        Kind::Unclaimed { start, end, unset } => raw(w).and_then(|()| {
            write!(
                w,
                " res=[0x{start:x}-0x{end:x}] flags=0x{res_flags:x} unset={unset}"
            )
        }),
        Kind::StartMismatch { bar, res } => write!(w, "bar=0x{bar:x} res=0x{res:x}"),
        Kind::SizeInconsistent { start, len } => write!(w, "start=0x{start:x} len=0x{len:x}"),
        Kind::FlagMismatch {
            bar64,
            res64,
            bar_pf,
            res_pf,
        } => raw(w).and_then(|()| {
            write!(
                w,
                " bar_64={bar64} res_64={res64} bar_prefetch={bar_pf} res_prefetch={res_pf}"
            )
        }),
        Kind::TypeMismatch { .. } => raw(w).and_then(|()| write!(w, " res_flags=0x{res_flags:x}")),
        Kind::SubPage { start, len } => {
            write!(w, "start=0x{start:x} len=0x{len:x} ({})", Size(len))
        }
        Kind::SharedFrame { pfn, other } => write!(w, "pfn=0x{pfn:x} other={}", bar_name(other)),
        Kind::BeyondPhysBits { end, bits } => write!(w, "end=0x{end:x} phys_bits={bits}"),
        Kind::RamOverlap { start, end } => {
            let ram = Size(facts.ctx.ram_pages << PAGE_SHIFT);
            write!(w, "res=[0x{start:x}-0x{end:x}] guest_ram={ram}")
        }
        Kind::P2mNotIdentity {
            pfn,
            raw,
            count,
            invalid,
        } => write!(
            w,
            "pfn=0x{pfn:x} p2m=0x{raw:x} non_identity={count} invalid={invalid}"
        ),
        Kind::XenRefused { .. }
        | Kind::XenReadOnly { .. }
        | Kind::XenIncomplete { .. }
        | Kind::ScratchLeaked { .. }
        | Kind::ScratchFailed { .. }
        | Kind::IoPorts { .. }
        | Kind::ReadProbeAllOnes
        | Kind::IoAllOnes { .. }
        | Kind::ReadProbe { .. }
        | Kind::BarOk { .. } => xen_evidence(w, finding.kind, facts, i),
    }
}

/// The evidence of the findings on Xen's verdict, the scratch slots and the
/// read probe.
fn xen_evidence(
    w: &mut impl Write,
    kind: Kind,
    facts: &DeviceFacts,
    i: Option<usize>,
) -> fmt::Result {
    let verdict = bar_verdict(facts, i);
    match kind {
        Kind::XenRefused { rc, .. } => {
            write!(w, "xen_rc={rc} ({}) ", errno_name(rc))?;
            write_answers(w, verdict)
        }
        Kind::XenReadOnly { .. } => write_answers(w, verdict),
        Kind::XenIncomplete { rc, tested, frames } => {
            write!(
                w,
                "rc={rc} ({}) asked={tested}/{frames} frames",
                errno_name(rc)
            )
        }
        Kind::ScratchLeaked { rc } => write!(w, "restore_rc={rc}"),
        Kind::ScratchFailed { rc } => write!(w, "rc={rc}"),
        Kind::IoPorts { start, len } => write!(w, "ports=0x{start:x}-0x{:x}", start + (len - 1)),
        Kind::ReadProbeAllOnes => w.write_str("dword0=0xffffffff"),
        Kind::IoAllOnes { port, command } => {
            let class_rev = facts.cfg.class_rev;
            write!(
                w,
                "dword0=0xffffffff port=0x{port:x} command=0x{command:04x} "
            )?;
            write!(w, "class_rev=0x{class_rev:08x}")
        }
        Kind::ReadProbe { value } => write!(w, "dword0=0x{value:08x}"),
        Kind::BarOk {
            start,
            len,
            is64,
            prefetch,
        } => {
            let end = start + (len - 1);
            let bits = if is64 { 64 } else { 32 };
            let pf = if prefetch { " prefetchable" } else { "" };
            write!(
                w,
                "mem [0x{start:x}-0x{end:x}] {} {bits}-bit{pf}",
                Size(len)
            )?;
            write_verdict(w, verdict)
        }
        // The device and register findings: write_evidence writes them.
        _ => Ok(()),
    }
}

/// `raw=0x...`: the register of BAR `i` (6: the ROM) as read.
fn raw_register(w: &mut dyn Write, facts: &DeviceFacts, i: Option<usize>) -> fmt::Result {
    match i {
        Some(6) => write!(w, "raw=0x{:08x}", facts.cfg.rom),
        Some(i) if i < 6 => write!(w, "raw=0x{:08x}", facts.cfg.bars[i]),
        _ => Ok(()),
    }
}

fn pcifront_evidence(
    w: &mut impl Write,
    backend: Option<u16>,
    ram_pages: u64,
    facts: &DeviceFacts,
) -> fmt::Result {
    match backend {
        Some(d) => write!(w, "backend=d{d}")?,
        None => w.write_str("backend=?")?,
    }
    let ram = Size(ram_pages << PAGE_SHIFT);
    write!(w, " guest_ram={ram} phys_bits={}", facts.ctx.phys_bits)
}

fn bar_verdict(facts: &DeviceFacts, i: Option<usize>) -> Option<&Verdict> {
    i.and_then(|i| facts.bars.get(i))
        .and_then(|b| b.verdict.as_ref())
}

/// A pfn range `0xa-0xb`, or `0xa` for one frame.
pub struct PfnRange<'a>(pub &'a Run);

impl fmt::Display for PfnRange<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.frames {
            1 => write!(f, "0x{:x}", self.0.first_pfn),
            _ => write!(f, "0x{:x}-0x{:x}", self.0.first_pfn, self.0.last_pfn()),
        }
    }
}

/// `N frames: 0xa-0xb (-EPERM), 0xc, and K more ranges`, or `none`.
struct RunList<'a>(&'a Runs);

impl fmt::Display for RunList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let runs = self.0;
        if runs.count == 0 {
            return f.write_str("none");
        }
        write!(f, "{}: ", runs.frames)?;
        for (n, run) in runs.iter().enumerate() {
            f.write_str(if n > 0 { ", " } else { "" })?;
            write!(f, "{}", PfnRange(run))?;
            if let Trial::Refused(rc) = run.answer {
                write!(f, " ({})", errno_name(rc))?;
            }
        }
        let rest = runs.count - runs.iter().count() as u64;
        if rest > 0 {
            write!(f, ", and {rest} more range(s)")?;
        }
        Ok(())
    }
}

/// What was asked: `every frame of 256 tested`, or the sample.
struct Asked<'a>(&'a Verdict);

impl fmt::Display for Asked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if v.sampled() {
            write!(
                f,
                "sampled {} of {} frames (frame 0, one in every {} after it and the last; the others not asked)",
                v.tested, v.frames, v.stride
            )
        } else if v.tested < v.frames {
            write!(f, "asked {} of {} frames", v.tested, v.frames)
        } else {
            write!(f, "every frame of {} tested", v.frames)
        }
    }
}

/// Xen's answers, range by range, and what they cost.
fn write_answers(w: &mut impl Write, v: Option<&Verdict>) -> fmt::Result {
    let Some(v) = v else {
        return w.write_str("Xen not asked");
    };
    write!(
        w,
        "{}: granted {}; refused {}; read-only {}; {} trial mappings in {} hypercall(s)",
        Asked(v),
        RunList(&v.granted),
        RunList(&v.refused),
        RunList(&v.read_only),
        v.entries,
        v.hypercalls
    )
}

/// The verdict of a BAR with no problem: every tested frame mapped.
fn write_verdict(w: &mut impl Write, v: Option<&Verdict>) -> fmt::Result {
    match v {
        Some(v) if v.sampled() => write!(
            w,
            ", Xen maps all {} sampled frames of {} ({} trial mappings in {} hypercall(s); the others not asked)",
            v.tested, v.frames, v.entries, v.hypercalls
        ),
        Some(v) => write!(
            w,
            ", Xen maps all {} frames, every frame tested ({} trial mappings in {} hypercall(s))",
            v.frames, v.entries, v.hypercalls
        ),
        None => w.write_str(", Xen not asked"),
    }
}

/// Writes the fix: the xl.cfg option, dom0 setting or command to use. Empty if none.
pub fn write_fix(
    w: &mut impl Write,
    finding: &Finding,
    facts: &DeviceFacts,
    m: &Meta,
) -> fmt::Result {
    let d = Dom0Bdf(m);
    let res = finding
        .bar
        .map(|i| facts.bars[usize::from(i)].res)
        .unwrap_or_default();
    match finding.kind {
        Kind::DeviceGone { .. } | Kind::BarAllOnes => write!(w, "on dom0: lspci -vv -s {d} (power state, presence) and xl pci-list <domain>; re-attach with xl pci-detach/pci-attach"),
        Kind::ConfigReadErrors { .. } | Kind::BarReadFailed => w.write_str("look for 'pciback not responding' in this guest's log and for pciback errors in dom0's dmesg"),
        Kind::DecodeOff { after_enable: true, .. } => write!(w, "pciback did not enable the device: on dom0 check dmesg for xen-pciback errors, or set permissive=1 for {d} in the pci= entry"),
        Kind::BarHidden { .. } => write!(w, "fix the BAR assignment in dom0 (dom0 dmesg 'BAR n: no space' / 'failed to assign'; try pci=realloc on dom0's command line), then xl pci-assignable-remove {d} && xl pci-assignable-add {d}"),
        Kind::Truncated64 | Kind::ReservedType => w.write_str("the device's BAR is malformed: a quirk or firmware update is needed, passthrough cannot fix it"),
        Kind::NoResource { .. } => write!(w, "compare with dom0's view (lspci -vv -s {d}) and let pciback take a fresh look at the device: xl pci-detach, then xl pci-assignable-remove {d} && xl pci-assignable-add {d} and attach it again"),
        Kind::Unclaimed { .. } => w.write_str("set e820_host=1 in the domU's xl.cfg so the guest's memory map keeps the host's PCI hole free; see the guest's /proc/iomem for the conflicting range"),
        Kind::StartMismatch { .. } => w.write_str("do not reassign BARs in the guest (remove pci=realloc/pci=assign-busses from the domU command line, no rescans): under pcifront the BAR stays where dom0 put it"),
        Kind::SizeInconsistent { .. } | Kind::FlagMismatch { .. } | Kind::TypeMismatch { .. } => write!(w, "pciback snapshots dom0's resource when it seizes the device: xl pci-assignable-remove {d} && xl pci-assignable-add {d} after dom0's assignment is right"),
        Kind::SubPage { .. } | Kind::SharedFrame { .. } => write!(w, "page-align the BAR in dom0: pci=resource_alignment=4096@{d} on dom0's kernel command line"),
        Kind::BeyondPhysBits { .. } => w.write_str("dom0 or firmware must place the BAR below the CPU's address limit (firmware 'above 4G decoding' setting, or pci=realloc on dom0)"),
        Kind::RamOverlap { .. } | Kind::P2mNotIdentity { .. } => {
            let mib = (res.start >> 20).max(1);
            write!(w, "set e820_host=1 in the domU's xl.cfg (guest memory map with the host's PCI hole), or keep memory/maxmem below {mib} MiB")
        }
        Kind::XenRefused { rc: EBUSY, .. } => write!(w, "the BAR address collides with RAM in the host's view: check /proc/iomem on dom0 and dom0's assignment of {d}"),
        Kind::XenRefused { pfn, .. } => {
            write!(w, "pass the device with pci=['{d}'] in xl.cfg or xl pci-attach so the toolstack grants its BARs, or grant the refused frames: iomem=[")?;
            write_iomem(w, bar_verdict(facts, finding.bar.map(usize::from)), res, pfn)?;
            w.write_str("] in xl.cfg; verify on dom0 with xl debug-keys q; xl dmesg (I/O Memory)")
        }
        Kind::ScratchLeaked { .. } => w.write_str("nothing to do for the device; reboot the guest to get the pages back, and report it with this guest's log and xl dmesg from dom0"),
        Kind::ScratchFailed { .. } | Kind::XenIncomplete { .. } => w.write_str("retry with more free memory; if it persists, report it with this guest's log"),
        Kind::IoAllOnes { port, .. } => {
            let n = res.len();
            write!(w, "pass the device with pci=['{d}'] in xl.cfg or xl pci-attach so the toolstack grants its ports, or grant them: ioports=['{port:x}-{:x}'] in xl.cfg; verify on dom0 with xl debug-keys q; xl dmesg (I/O Ports)", port + n.max(1) - 1)
        }
        Kind::ReadProbeAllOnes => write!(w, "on dom0: check lspci -vv -s {d} (Control: Mem+, power state D0) and whether dom0 moved the BAR after the grant"),
        _ => Ok(()),
    }
}

/// The `iomem=` entries (`'first,count'`, hex) that grant a BAR's refused frames: each refused
/// range when all are known, else the whole BAR.
fn write_iomem(
    w: &mut impl Write,
    v: Option<&Verdict>,
    res: super::facts::Resource,
    pfn: u64,
) -> fmt::Result {
    match v {
        Some(v) if v.complete() => write_iomem_entries(w, &v.refused, v.first_pfn, v.frames),
        Some(v) => write!(w, "'{:x},{:x}'", v.first_pfn, v.frames),
        None => match res.frames() {
            (_, 0) => write!(w, "'{pfn:x},1'"),
            (first, n) => write!(w, "'{first:x},{n:x}'"),
        },
    }
}

/// The `iomem=` entries for refused frames known range by range: each range when every one
/// is kept in `refused`, else the whole BAR (`first_pfn`, `frames`). Also dom0's view.
pub fn write_iomem_entries(
    w: &mut impl Write,
    refused: &Runs,
    first_pfn: u64,
    frames: u64,
) -> fmt::Result {
    if refused.count == 0 || refused.iter().count() as u64 != refused.count {
        return write!(w, "'{first_pfn:x},{frames:x}'");
    }
    for (n, run) in refused.iter().enumerate() {
        let sep = if n > 0 { "," } else { "" };
        write!(w, "{sep}'{:x},{:x}'", run.first_pfn, run.frames)?;
    }
    Ok(())
}

/// Writes one log line (without the `driver BDF: ` prefix `dev_*!` adds).
pub fn write_line(
    w: &mut impl Write,
    finding: &Finding,
    facts: &DeviceFacts,
    m: &Meta,
) -> fmt::Result {
    write!(
        w,
        "{} {} {}: ",
        finding.severity().as_str(),
        finding.code(),
        scope(finding)
    )?;
    write_what(w, finding)?;
    w.write_str("; evidence: ")?;
    write_evidence(w, finding, facts)?;
    let mut probe = Probe(false);
    write_fix(&mut probe, finding, facts, m)?;
    if probe.0 {
        w.write_str("; fix: ")?;
        write_fix(w, finding, facts, m)?;
    }
    Ok(())
}

/// Records whether anything was written.
struct Probe(bool);

impl Write for Probe {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 |= !s.is_empty();
        Ok(())
    }
}

/// The overall verdict of a device.
pub fn verdict(findings: &Findings) -> &'static str {
    if findings.count(Severity::Error) > 0 {
        "FAIL"
    } else if findings.count(Severity::Warning) > 0 {
        "WARN"
    } else {
        "OK"
    }
}

/// Writes the summary line.
pub fn write_summary(w: &mut impl Write, findings: &Findings, m: &Meta) -> fmt::Result {
    write!(
        w,
        "summary: {} {} error(s), {} warning(s), {} info",
        verdict(findings),
        findings.count(Severity::Error),
        findings.count(Severity::Warning),
        findings.count(Severity::Info)
    )?;
    if let Some(first) = findings
        .iter()
        .find(|finding| finding.severity() == Severity::Error)
    {
        write!(w, "; first error: {} {}", first.code(), scope(first))?;
    }
    write!(
        w,
        "; cost: {} config reads, {} hypercalls ({} trial mappings and restores), {} us \
         (config {} us, context {} us, Xen {} us)",
        m.config_reads,
        m.hypercalls,
        m.trial_entries,
        m.probe_ns / 1000,
        m.phases.config_ns / 1000,
        m.phases.context_ns / 1000,
        m.phases.xen_ns / 1000
    )
}

/// Escapes a string for JSON.
struct Json<W>(W);

impl<W: Write> Write for Json<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            match c {
                '"' => self.0.write_str("\\\"")?,
                '\\' => self.0.write_str("\\\\")?,
                c if (c as u32) < 0x20 => write!(self.0, "\\u{:04x}", c as u32)?,
                c => self.0.write_char(c)?,
            }
        }
        Ok(())
    }
}

fn write_json_runs(w: &mut impl Write, runs: &Runs) -> fmt::Result {
    write!(
        w,
        "{{\"frames\":{},\"ranges\":{},\"first\":[",
        runs.frames, runs.count
    )?;
    for (n, run) in runs.iter().enumerate() {
        let sep = if n > 0 { "," } else { "" };
        write!(
            w,
            "{sep}{{\"pfn\":{},\"frames\":{}",
            run.first_pfn, run.frames
        )?;
        if let Trial::Refused(rc) = run.answer {
            write!(w, ",\"rc\":{rc}")?;
        }
        w.write_char('}')?;
    }
    w.write_str("]}")
}

/// Xen's verdict on one BAR: what was asked, the answers as pfn ranges, the cost.
fn write_json_verdict(w: &mut impl Write, v: &Verdict) -> fmt::Result {
    write!(
        w,
        "{{\"first_pfn\":{},\"frames\":{},\"tested\":{},\"stride\":{},\"hypercalls\":{},\"trial_entries\":{},\"aborted\":",
        v.first_pfn, v.frames, v.tested, v.stride, v.hypercalls, v.entries
    )?;
    match v.aborted {
        Some(rc) => write!(w, "{rc}")?,
        None => w.write_str("null")?,
    }
    w.write_str(",\"granted\":")?;
    write_json_runs(w, &v.granted)?;
    w.write_str(",\"refused\":")?;
    write_json_runs(w, &v.refused)?;
    w.write_str(",\"read_only\":")?;
    write_json_runs(w, &v.read_only)?;
    w.write_char('}')
}

/// Writes the whole report as one JSON object, on one line.
pub fn write_json(
    w: &mut impl Write,
    facts: &DeviceFacts,
    findings: &Findings,
    m: &Meta,
) -> fmt::Result {
    write!(w, "{{\"device\":\"{}\",\"dom0_device\":", m.bdf)?;
    match m.backend_bdf {
        Some(b) => write!(w, "\"{b}\"")?,
        None => w.write_str("null")?,
    }
    write!(w, ",\"id\":\"{:04x}:{:04x}\",", m.vendor, m.device)?;
    write_json_context(w, &facts.ctx)?;
    write_json_task_cost(w, m)?;
    write_json_registers(w, &facts.cfg)?;
    write_json_resources(w, facts)?;
    write_json_findings(w, facts, findings, m)?;
    write!(
        w,
        ",\"summary\":{{\"verdict\":\"{}\",\"errors\":{},\"warnings\":{},\"info\":{},\"dropped\":{}}}}}",
        verdict(findings),
        findings.count(Severity::Error),
        findings.count(Severity::Warning),
        findings.count(Severity::Info),
        findings.dropped
    )?;
    w.write_char('\n')
}

/// `"context":{...},`
fn write_json_context(w: &mut impl Write, c: &Context) -> fmt::Result {
    write!(
        w,
        "\"context\":{{\"xen_pv\":{},\"dom0\":{},\"pcifront\":{},\"backend_domid\":",
        c.xen_pv, c.initial_domain, c.pcifront
    )?;
    match c.backend_domid {
        Some(d) => write!(w, "{d}")?,
        None => w.write_str("null")?,
    }
    write!(
        w,
        ",\"ram_pages\":{},\"phys_bits\":{}}},",
        c.ram_pages, c.phys_bits
    )
}

/// `"task":{...},"cost":{...},`: who probed, and what the probe spent.
fn write_json_task_cost(w: &mut impl Write, m: &Meta) -> fmt::Result {
    write!(w, "\"task\":{{\"pid\":{},\"comm\":\"", m.pid)?;
    Json(&mut *w).write_str(m.comm())?;
    write!(
        w,
        "\"}},\"cost\":{{\"config_reads\":{},\"hypercalls\":{},\"trial_entries\":{},\"probe_ns\":{},",
        m.config_reads, m.hypercalls, m.trial_entries, m.probe_ns
    )?;
    let p = &m.phases;
    write!(
        w,
        "\"phases_ns\":{{\"config\":{},\"context\":{},\"xen\":{}}}}},",
        p.config_ns, p.context_ns, p.xen_ns
    )
}

/// `"config":{...},`: the registers as read.
fn write_json_registers(w: &mut impl Write, cfg: &Config) -> fmt::Result {
    write!(
        w,
        "\"config\":{{\"command\":{},\"class_rev\":{},\"bars\":[",
        cfg.command, cfg.class_rev
    )?;
    for (i, b) in cfg.bars.iter().enumerate() {
        write!(w, "{}{}", if i > 0 { "," } else { "" }, b)?;
    }
    write!(w, "],\"rom\":{}}},", cfg.rom)
}

/// `"resources":[...]`: each BAR's resource and Xen's verdict on it.
fn write_json_resources(w: &mut impl Write, facts: &DeviceFacts) -> fmt::Result {
    w.write_str("\"resources\":[")?;
    for (i, b) in facts.bars.iter().enumerate() {
        write!(
            w,
            "{}{{\"bar\":\"{}\",\"start\":{},\"end\":{},\"flags\":{},\"claimed\":{}",
            if i > 0 { "," } else { "" },
            bar_name(i as u8),
            b.res.start,
            b.res.end,
            b.res.flags,
            b.res.claimed
        )?;
        if let Some(v) = &b.verdict {
            w.write_str(",\"xen\":")?;
            write_json_verdict(w, v)?;
        }
        w.write_char('}')?;
    }
    w.write_char(']')
}

/// `,"findings":[...]`, each with its words.
fn write_json_findings(
    w: &mut impl Write,
    facts: &DeviceFacts,
    findings: &Findings,
    m: &Meta,
) -> fmt::Result {
    w.write_str(",\"findings\":[")?;
    for (n, finding) in findings.iter().enumerate() {
        write!(
            w,
            "{}{{\"severity\":\"{}\",\"code\":\"{}\",\"scope\":\"{}\",\"what\":\"",
            if n > 0 { "," } else { "" },
            finding.severity().as_str(),
            finding.code(),
            scope(finding)
        )?;
        write_what(&mut Json(&mut *w), finding)?;
        w.write_str("\",\"evidence\":\"")?;
        write_evidence(&mut Json(&mut *w), finding, facts)?;
        w.write_str("\",\"fix\":\"")?;
        write_fix(&mut Json(&mut *w), finding, facts, m)?;
        w.write_str("\"}")?;
    }
    w.write_char(']')
}
