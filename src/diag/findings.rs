// SPDX-License-Identifier: GPL-2.0

//! Every finding kind, declared once: its evidence fields, stable code, usual severity, and
//! its words (what it means, the evidence behind it, the fix). [`super::checks`] decides which
//! findings a device has; [`super::report`] lays them out as log lines and JSON.
//!
//! Adding a finding is one entry in [`define_kinds!`] below and the check that pushes it.

use core::fmt::{self, Write};

use super::bar::{bar_name, index_u8, ROM_INDEX};
use super::dma;
use super::facts::{
    DeviceFacts, DmaFacts, Granted, IrqFacts, LeftOn, MsiType, MsixSkip, Resource, Verdict,
    PAGE_SHIFT,
};
use super::irq;
use super::report::{errno_name, write_answers, write_iomem, write_verdict, Bdf, Size};

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

/// What a finding's words draw on besides its own fields.
pub struct At<'a> {
    /// The BAR the finding is about (6: the ROM), `None` for the device.
    pub bar: Option<u8>,
    /// Everything gathered about the device.
    pub facts: &'a DeviceFacts,
    /// The device's address in dom0, where the probe learnt it.
    pub dom0: Option<Bdf>,
}

impl At<'_> {
    /// The guest's resource for the BAR (empty for device-wide findings).
    fn res(&self) -> Resource {
        self.bar
            .and_then(|i| self.facts.bars.get(usize::from(i)))
            .map(|bar| bar.res)
            .unwrap_or_default()
    }

    /// Xen's answers for the BAR's frames, if it was asked.
    fn xen(&self) -> Option<&Verdict> {
        let i = usize::from(self.bar?);
        self.facts.bars.get(i)?.verdict.as_ref()
    }

    /// `raw=0x...`: the BAR's register as read (nothing for device-wide findings).
    fn raw(&self) -> RawRegister {
        let cfg = &self.facts.cfg;
        RawRegister(match self.bar.map(usize::from) {
            Some(ROM_INDEX) => Some(cfg.rom),
            Some(i) => cfg.bars.get(i).copied(),
            None => None,
        })
    }

    /// Where to grant: dom0's BDF if known, else a placeholder the admin fills in.
    fn dom0(&self) -> Dom0Bdf {
        Dom0Bdf(self.dom0)
    }
}

/// `raw=0x...`, or nothing.
struct RawRegister(Option<u32>);

impl fmt::Display for RawRegister {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(raw) => write!(f, "raw=0x{raw:08x}"),
            None => Ok(()),
        }
    }
}

/// What a fix says for dom0's BDF when the probe did not learn it, written in one piece (see
/// [`Finding::fix_names_dom0`]).
pub const DOM0_PLACEHOLDER: &str = "<dom0 BDF>";

/// dom0's BDF, or `<dom0 BDF>` when the probe did not learn it.
struct Dom0Bdf(Option<Bdf>);

impl fmt::Display for Dom0Bdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(bdf) => write!(f, "{bdf}"),
            None => f.write_str(DOM0_PLACEHOLDER),
        }
    }
}

/// The last of `len` units from `start` (the first when `len` is 0), saturating at the top of
/// the address space instead of overflowing.
fn last_of(start: u64, len: u64) -> u64 {
    start.saturating_add(len.saturating_sub(1))
}

/// Declares [`Kind`] from one list (as nova-core's `define_chipset!` does for chipsets). Each
/// entry is a variant with its evidence fields, its stable code and usual severity, and its
/// words:
/// - `what`: what it means, a `&'static str` (the fields are in scope);
/// - `evidence: |w, at| ...`: writes the raw values behind it;
/// - `fix: |w, at| ...`: writes the xl.cfg option, dom0 setting or command; writes nothing if
///   there is none.
///
/// `w` is a `&mut dyn Write`, `at` an [`At`]. Every use of a kind (code, severity, words,
/// [`KINDS`]) is generated from its entry, so the compiler checks that each has all of them.
macro_rules! define_kinds {
    ($(
        $(#[$doc:meta])*
        $variant:ident $({ $($(#[$fdoc:meta])* $field:ident: $ty:ty),* $(,)? })?
            => ($code:literal, $severity:ident) {
                what: $what:expr,
                evidence: |$ew:pat_param, $eat:pat_param| $evidence:expr,
                fix: |$fw:pat_param, $fat:pat_param| $fix:expr $(,)?
            }
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

            /// What a finding of this kind means.
            #[allow(unused_variables)]
            pub fn what(&self) -> &'static str {
                match *self {
                    $(Kind::$variant $({ $($field),* })? => $what,)*
                }
            }

            /// Writes the evidence: the raw values behind the finding.
            #[allow(unused_variables)]
            pub fn write_evidence(&self, w: &mut dyn Write, at: &At<'_>) -> fmt::Result {
                match *self {
                    $(Kind::$variant $({ $($field),* })? => {
                        let ($ew, $eat) = (w, at);
                        $evidence
                    })*
                }
            }

            /// Writes the fix; nothing if there is none.
            #[allow(unused_variables)]
            pub fn write_fix(&self, w: &mut dyn Write, at: &At<'_>) -> fmt::Result {
                match *self {
                    $(Kind::$variant $({ $($field),* })? => {
                        let ($fw, $fat) = (w, at);
                        $fix
                    })*
                }
            }
        }

        /// Every variant's code and usual severity, in declaration order.
        pub const KINDS: &[KindInfo] = &[$(KindInfo { code: $code, severity: Severity::$severity }),*];
    };
}

define_kinds! {
    /// Not a Xen PV guest: the Xen checks are skipped.
    NotXenPv => ("not-xen-pv", Info) {
        what: "not a Xen PV guest: Xen permission checks skipped, generic BAR checks only",
        evidence: |w, at| write_where(w, at),
        fix: |_, _| Ok(()),
    }
    /// Running in dom0: the device is not passed through.
    InitialDomain => ("dom0", Info) {
        what: "running in dom0 (the initial domain): the device is not passed through, Xen checks skipped",
        evidence: |w, at| write_where(w, at),
        fix: |_, _| Ok(()),
    }
    /// A PV guest, but the device does not sit behind pcifront.
    NotPcifront => ("not-pcifront", Info) {
        what: "Xen PV guest, but the device is not behind xen-pcifront: Xen checks still run",
        evidence: |w, at| write_where(w, at),
        fix: |_, _| Ok(()),
    }
    /// Behind pcifront: backend and guest facts.
    Pcifront {
        /// Backend domain.
        backend: Option<u16>,
        /// Guest RAM pages.
        ram_pages: u64,
    } => ("pcifront", Info) {
        what: "device reached through xen-pcifront",
        evidence: |w, at| {
            match backend {
                Some(domid) => write!(w, "backend=d{domid}")?,
                None => w.write_str("backend=?")?,
            }
            let ram = Size(ram_pages << PAGE_SHIFT);
            write!(w, " guest_ram={ram} phys_bits={}", at.facts.ctx.phys_bits)
        },
        fix: |_, _| Ok(()),
    }
    /// Class/revision reads all-ones.
    DeviceGone {
        /// The value read.
        class_rev: u32,
    } => ("device-gone", Error) {
        what: "class/revision reads all-ones: the device is gone, powered down or unreachable through pciback",
        evidence: |w, at| write!(w, "class_rev=0x{class_rev:08x} id=0x{:08x}", at.facts.cfg.id),
        fix: |w, at| write!(w, "on dom0: lspci -vv -s {} (power state, presence) and xl pci-list <domain>; re-attach with xl pci-detach/pci-attach", at.dom0()),
    }
    /// Config reads returned errors.
    ConfigReadErrors {
        /// How many.
        count: u32,
    } => ("config-read-error", Error) {
        what: "config-space reads through pcifront failed",
        evidence: |w, _| write!(w, "failed_reads={count}"),
        fix: |w, _| w.write_str(LOOK_FOR_PCIBACK_ERRORS),
    }
    /// `PCI_COMMAND_MEMORY` clear.
    DecodeOff {
        /// Command register when the finding was made.
        command: u16,
        /// Still clear after the read probe enabled the device.
        after_enable: bool,
    } => ("decode-off", Info) {
        what: if after_enable {
            "memory decoding is still off after enabling the device: MMIO reads will return all-ones"
        } else {
            "memory decoding is off; expected until a driver enables the device (pciback then enables it in dom0)"
        },
        evidence: |w, _| write!(w, "command=0x{command:04x}"),
        fix: |w, at| match after_enable {
            true => write!(w, "pciback did not enable the device: on dom0 check dmesg for xen-pciback errors, or set permissive=1 for {} in the pci= entry", at.dom0()),
            false => Ok(()),
        },
    }
    /// BAR register reads all-ones.
    BarAllOnes => ("bar-all-ones", Error) {
        what: "BAR register reads all-ones: device powered down or config read failing",
        evidence: |w, at| write!(w, "{}", at.raw()),
        fix: |w, at| write!(w, "on dom0: lspci -vv -s {} (power state, presence) and xl pci-list <domain>; re-attach with xl pci-detach/pci-attach", at.dom0()),
    }
    /// The BAR register's read (or its upper half's) failed: its value is not the device's.
    BarReadFailed => ("bar-read-failed", Warning) {
        what: "the BAR register could not be read through pcifront: its checks against the register are skipped, the guest's resource is still checked",
        evidence: |w, at| write!(w, "failed_registers=0x{:02x}", at.facts.cfg.bars_failed),
        fix: |w, _| w.write_str(LOOK_FOR_PCIBACK_ERRORS),
    }
    /// BAR reads 0 but the domU has a resource of that size.
    BarHidden {
        /// Resource length.
        len: u64,
    } => ("bar-hidden", Error) {
        what: "BAR reads 0 although the guest sized a region: pciback hides it because dom0 had no valid resource (unset, disabled or busy) when the device was seized",
        evidence: |w, at| write!(w, "{} guest_len=0x{len:x}", at.raw()),
        fix: |w, at| {
            let d = at.dom0();
            write!(w, "fix the BAR assignment in dom0 (dom0 dmesg 'BAR n: no space' / 'failed to assign'; try pci=realloc on dom0's command line), then xl pci-assignable-remove {d} && xl pci-assignable-add {d}")
        },
    }
    /// 64-bit BAR in the last slot.
    Truncated64 => ("bar-64-truncated", Error) {
        what: "64-bit BAR in the last slot: its upper half is outside the header",
        evidence: |w, at| write!(w, "{}", at.raw()),
        fix: |w, _| w.write_str(MALFORMED_BAR),
    }
    /// Reserved memory type `11b`.
    ReservedType => ("bar-reserved-type", Error) {
        what: "memory BAR with the reserved type 11b",
        evidence: |w, at| write!(w, "{}", at.raw()),
        fix: |w, _| w.write_str(MALFORMED_BAR),
    }
    /// The register holds an address, but the guest has no resource for the BAR: its sizing
    /// through pcifront found no size.
    NoResource {
        /// The address in the register.
        addr: u64,
    } => ("no-resource", Error) {
        what: "the BAR register holds an address, but the guest's PCI core has no resource for it: sizing the BAR through pcifront and pciback found no size, so drivers cannot request or map it",
        evidence: |w, at| write!(w, "{} addr=0x{addr:x} res_flags=0x0", at.raw()),
        fix: |w, at| {
            let d = at.dom0();
            write!(w, "compare with dom0's view (lspci -vv -s {d}) and let pciback take a fresh look at the device: xl pci-detach, then xl pci-assignable-remove {d} && xl pci-assignable-add {d} and attach it again")
        },
    }
    /// Resource not claimed (or `IORESOURCE_UNSET`).
    Unclaimed {
        /// Resource start.
        start: u64,
        /// Resource end.
        end: u64,
        /// `IORESOURCE_UNSET` set.
        unset: bool,
    } => ("unclaimed", Error) {
        what: if unset {
            "resource is unset: the guest's PCI core could not claim it, pci_enable_device() fails with -EINVAL"
        } else {
            "resource is not claimed in the guest's resource tree: pci_request_region() and ioremap will fail"
        },
        evidence: |w, at| {
            let flags = at.res().flags;
            write!(w, "{} res=[0x{start:x}-0x{end:x}] flags=0x{flags:x} unset={unset}", at.raw())
        },
        fix: |w, _| w.write_str("set e820_host=1 in the domU's xl.cfg so the guest's memory map keeps the host's PCI hole free; see the guest's /proc/iomem for the conflicting range"),
    }
    /// Config-space address differs from the domU's resource.
    StartMismatch {
        /// From config space.
        bar: u64,
        /// From the resource.
        res: u64,
    } => ("start-mismatch", Error) {
        what: "config space and the guest's resource disagree on the address: the guest reassigned the BAR, pciback dropped the write, the device still decodes at the old address",
        evidence: |w, _| write!(w, "bar=0x{bar:x} res=0x{res:x}"),
        fix: |w, _| w.write_str("do not reassign BARs in the guest (remove pci=realloc/pci=assign-busses from the domU command line, no rescans): under pcifront the BAR stays where dom0 put it"),
    }
    /// Resource length not a power of two, or start not aligned to it.
    SizeInconsistent {
        /// Resource start.
        start: u64,
        /// Resource length.
        len: u64,
    } => ("size-inconsistent", Warning) {
        what: "resource length is not a power of two or its start is not aligned to it, unlike any real BAR",
        evidence: |w, _| write!(w, "start=0x{start:x} len=0x{len:x}"),
        fix: |w, at| write_reseize(w, at),
    }
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
    } => ("flag-mismatch", Warning) {
        what: "64-bit/prefetchable bits of the BAR and of the guest's resource disagree",
        evidence: |w, at| write!(w, "{} bar_64={bar64} res_64={res64} bar_prefetch={bar_pf} res_prefetch={res_pf}", at.raw()),
        fix: |w, at| write_reseize(w, at),
    }
    /// BAR is I/O but resource is memory, or the reverse.
    TypeMismatch {
        /// BAR is I/O.
        bar_io: bool,
    } => ("type-mismatch", Error) {
        what: if bar_io {
            "BAR is I/O space but the guest's resource is memory"
        } else {
            "BAR is memory but the guest's resource is I/O space"
        },
        evidence: |w, at| write!(w, "{} res_flags=0x{:x}", at.raw(), at.res().flags),
        fix: |w, at| write_reseize(w, at),
    }
    /// Start or length not a multiple of 4 KiB.
    SubPage {
        /// Resource start.
        start: u64,
        /// Resource length.
        len: u64,
    } => ("sub-page", Warning) {
        what: "BAR is smaller than or not aligned to a 4 KiB page: Xen grants and maps whole frames, so the guest also gets the rest of the frame",
        evidence: |w, _| write!(w, "start=0x{start:x} len=0x{len:x} ({})", Size(len)),
        fix: |w, at| write_page_align(w, at),
    }
    /// Shares a 4 KiB frame with another BAR of this device.
    SharedFrame {
        /// The frame.
        pfn: u64,
        /// The other BAR.
        other: u8,
    } => ("shared-frame", Warning) {
        what: "BAR shares a 4 KiB frame with another BAR",
        evidence: |w, _| write!(w, "pfn=0x{pfn:x} other={}", bar_name(other)),
        fix: |w, at| write_page_align(w, at),
    }
    /// Ends above the CPU's physical address width.
    BeyondPhysBits {
        /// Resource end.
        end: u64,
        /// Address bits.
        bits: u8,
    } => ("beyond-phys-bits", Error) {
        what: "BAR ends above the CPU's physical address width: ioremap refuses it",
        evidence: |w, _| write!(w, "end=0x{end:x} phys_bits={bits}"),
        fix: |w, _| w.write_str("dom0 or firmware must place the BAR below the CPU's address limit (firmware 'above 4G decoding' setting, or pci=realloc on dom0)"),
    }
    /// Inside guest RAM.
    RamOverlap {
        /// Resource start.
        start: u64,
        /// Resource end.
        end: u64,
    } => ("ram-overlap", Error) {
        what: "BAR lies inside the guest's RAM: the PCI core cannot claim it and ioremap refuses RAM",
        evidence: |w, at| {
            let ram = Size(at.facts.ctx.ram_pages << PAGE_SHIFT);
            write!(w, "res=[0x{start:x}-0x{end:x}] guest_ram={ram}")
        },
        fix: |w, at| write_guest_memory_map(w, at),
    }
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
    } => ("p2m-not-identity", Error) {
        what: if invalid == count {
            "BAR frames have INVALID p2m entries: a mapping becomes a silently non-present PTE and the first access faults"
        } else {
            "BAR frames are not identity-mapped in the p2m: a mapping would hit guest memory, not the device"
        },
        evidence: |w, _| write!(w, "pfn=0x{pfn:x} p2m=0x{raw:x} non_identity={count} invalid={invalid}"),
        fix: |w, at| write_guest_memory_map(w, at),
    }
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
    } => ("xen-refused", Error) {
        what: match rc {
            EPERM => "Xen refuses to map BAR frames: they are not in this domain's I/O memory permission (the 2009 'Non-privileged attempt to map I/O space'); ioremap returns a pointer anyway and the first access to them faults",
            EINVAL => "Xen rejects uncached mappings: this domain has no I/O memory, no I/O port permission and no assigned device at all ('Bad L1 flags')",
            EBUSY => "Xen refuses the BAR frames: they are RAM owned by another domain",
            _ => "Xen refuses to map the BAR frames",
        },
        evidence: |w, at| {
            write!(w, "xen_rc={rc} ({}) ", errno_name(rc))?;
            write_answers(w, at.xen())
        },
        fix: |w, at| match rc {
            EBUSY => write!(w, "the BAR address collides with RAM in the host's view: check /proc/iomem on dom0 and dom0's assignment of {}", at.dom0()),
            _ => {
                write!(w, "pass the device with pci=['{}'] in xl.cfg or xl pci-attach so the toolstack grants its BARs, or grant the refused frames: iomem=[", at.dom0())?;
                write_iomem(w, at.xen(), at.res(), pfn)?;
                w.write_str("] in xl.cfg; verify on dom0 with xl debug-keys q; xl dmesg (I/O Memory)")
            }
        },
    }
    /// Xen mapped some tested frames read-only: it write-protects MSI-X tables and PBAs, which
    /// is expected but worth knowing.
    XenReadOnly {
        /// First read-only pfn.
        pfn: u64,
        /// Tested frames mapped read-only.
        count: u64,
    } => ("xen-read-only", Info) {
        what: "Xen maps some BAR frames read-only (MSI-X table/PBA in mmio_ro_ranges), as expected for MSI-X: writes there are dropped, drivers program MSI-X through pci_enable_msix (pcifront)",
        evidence: |w, at| write_answers(w, at.xen()),
        fix: |_, _| Ok(()),
    }
    /// A batch of trial mappings failed as a whole: later frames were not asked.
    XenIncomplete {
        /// The multicall's return code.
        rc: i32,
        /// Frames asked before it.
        tested: u64,
        /// Frames in the BAR.
        frames: u64,
    } => ("xen-incomplete", Warning) {
        what: "a batch of trial mappings failed as a whole: Xen's verdict on the frames after it is unknown",
        evidence: |w, _| write!(w, "rc={rc} ({}) asked={tested}/{frames} frames", errno_name(rc)),
        fix: |w, _| w.write_str(RETRY_WITH_MEMORY),
    }
    /// Xen refused to restore a scratch PTE: the scratch slots are leaked on purpose.
    ScratchLeaked {
        /// The restore's return code.
        rc: i32,
    } => ("scratch-leaked", Warning) {
        what: "Xen refused to restore a scratch PTE after the trial mappings: the scratch slots are kept mapped for good (never freed), a few KiB lost until reboot",
        evidence: |w, _| write!(w, "restore_rc={rc}"),
        fix: |w, _| w.write_str("nothing to do for the device; reboot the guest to get the pages back, and report it with this guest's log and xl dmesg from dom0"),
    }
    /// Scratch mapping could not be set up.
    ScratchFailed {
        /// Error code.
        rc: i32,
    } => ("scratch-failed", Warning) {
        what: "could not set up the scratch mapping for the Xen test: Xen verdict unknown",
        evidence: |w, _| write!(w, "rc={rc}"),
        fix: |w, _| w.write_str(RETRY_WITH_MEMORY),
    }
    /// I/O-port BAR.
    IoPorts {
        /// First port.
        start: u64,
        /// Number of ports.
        len: u64,
    } => ("io-ports", Info) {
        what: "I/O-port BAR: no mapping to test; Xen emulates port I/O and ports not granted read as all-ones (read_probe=1 reads the first port)",
        evidence: |w, _| write!(w, "ports=0x{start:x}-0x{:x}", last_of(start, len)),
        fix: |_, _| Ok(()),
    }
    /// Dword 0 read all-ones through an accepted mapping.
    ReadProbeAllOnes => ("read-all-ones", Error) {
        what: "dword 0 reads 0xffffffff through a mapping Xen accepted: the device does not decode this BAR",
        evidence: |w, _| w.write_str("dword0=0xffffffff"),
        fix: |w, at| write!(w, "on dom0: check lspci -vv -s {} (Control: Mem+, power state D0) and whether dom0 moved the BAR after the grant", at.dom0()),
    }
    /// Dword 0 of an I/O-port BAR read all-ones while the device answers config reads and
    /// decodes I/O: what Xen returns for ports it does not grant the domain.
    IoAllOnes {
        /// First port.
        port: u64,
        /// Command register after the device was enabled.
        command: u16,
    } => ("io-all-ones", Error) {
        what: "the I/O BAR's first dword reads all-ones although the device answers config reads and decodes I/O: Xen returns all-ones for ports it does not grant this domain (a guest cannot ask Xen directly; a register that really reads 0xffffffff would look the same)",
        evidence: |w, at| {
            let class_rev = at.facts.cfg.class_rev;
            write!(w, "dword0=0xffffffff port=0x{port:x} command=0x{command:04x} class_rev=0x{class_rev:08x}")
        },
        fix: |w, at| {
            let last = last_of(port, at.res().len().max(1));
            write!(w, "pass the device with pci=['{}'] in xl.cfg or xl pci-attach so the toolstack grants its ports, or grant them: ioports=['{port:x}-{last:x}'] in xl.cfg; verify on dom0 with xl debug-keys q; xl dmesg (I/O Ports)", at.dom0())
        },
    }
    /// Dword 0 read through the real driver path.
    ReadProbe {
        /// The value.
        value: u32,
    } => ("read-ok", Info) {
        what: "dword 0 read through the driver path",
        evidence: |w, _| write!(w, "dword0=0x{value:08x}"),
        fix: |_, _| Ok(()),
    }
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
    } => ("ok", Info) {
        what: "usable",
        evidence: |w, at| {
            let end = last_of(start, len);
            let bits = if is64 { 64 } else { 32 };
            let pf = if prefetch { " prefetchable" } else { "" };
            write!(w, "mem [0x{start:x}-0x{end:x}] {} {bits}-bit{pf}", Size(len))?;
            write_verdict(w, at.xen())
        },
        fix: |_, _| Ok(()),
    }
    /// The interrupt path as the guest knows it without installing a handler.
    Interrupts => ("interrupts", Info) {
        what: "interrupt path: INTx through the pirq pciback puts in the interrupt line, MSI and MSI-X through pcifront's enable ops and pirqs Xen maps in this domain",
        evidence: |w, at| write_interrupts(w, &at.facts.irq),
        fix: |_, _| Ok(()),
    }
    /// Xen refuses this domain the binding of the device's INTx pirq.
    IntxDenied {
        /// The pirq (the interrupt line pciback shows: dom0's GSI).
        pirq: u8,
        /// Xen's error for `EVTCHNOP_bind_pirq`.
        rc: i32,
    } => ("intx-denied", Error) {
        what: match rc {
            EPERM => "Xen refuses this domain the device's legacy interrupt (INTx): its GSI is not in the domain's IRQ permissions (or the pirq is not mapped), so a driver's request_irq() gets a line that never fires (the guest logs 'Failed to obtain physical IRQ N')",
            _ => "Xen refuses to bind the device's legacy interrupt (INTx) pirq to an event channel: a driver's request_irq() gets a line that never fires (the guest logs 'Failed to obtain physical IRQ N')",
        },
        evidence: |w, _| write!(w, "EVTCHNOP_bind_pirq pirq={pirq} rc={rc} ({})", irq::errno_name(rc)),
        fix: |w, at| write!(w, "on dom0: xl pci-detach <domain> {d} and xl pci-attach <domain> {d} (the toolstack grants the device's GSI at attach), or irqs=[{pirq}] in the guest's xl.cfg; pcifront-diag dom0 <domain> shows the domain's Interrupts against the GSI", d = at.dom0()),
    }
    /// dom0's view: Xen's `Interrupts` rangeset of the domain lacks the device's GSI.
    XenIrqMissing {
        /// The GSI (dom0's sysfs `irq`).
        gsi: u32,
    } => ("xen-irq-missing", Error) {
        what: "Xen's Interrupts rangeset of the domain lacks the device's GSI: the guest cannot bind the device's legacy interrupt (EVTCHNOP_bind_pirq -EPERM; the guest logs 'Failed to obtain physical IRQ N' and the line never fires)",
        evidence: |w, _| write!(w, "gsi={gsi} (dom0's sysfs irq) not in the domain's Interrupts (xl debug-keys q)"),
        fix: |w, at| write!(w, "xl pci-detach <domain> {d} and xl pci-attach <domain> {d} (the toolstack grants the GSI at attach), or irqs=[{gsi}] in the guest's xl.cfg", d = at.dom0()),
    }
    /// dom0's view: the device offers more MSI-X vectors than a domU gets pirqs for all its
    /// MSI and MSI-X (Xen's `extra_guest_irqs=`).
    MsixOverGuestIrqs {
        /// Vectors the device offers (dom0's config space).
        vectors: u32,
        /// The domU number of Xen's `extra_guest_irqs=` (default 32).
        limit: u32,
    } => ("msix-over-extra-guest-irqs", Warning) {
        what: "the device offers more MSI-X vectors than Xen gives a domU pirqs for all its MSI/MSI-X: a driver asking for all of them fails in Xen's pirq allocation (in the guest 'enable msix get err ffffffe4', 'Xen PCI frontend error: -28!')",
        evidence: |w, _| write!(w, "msix_vectors={vectors} extra_guest_irqs={limit} (xl info xen_commandline; default 32)"),
        fix: |w, _| write_extra_guest_irqs(w, vectors),
    }
    /// The device offers more MSI-X vectors than this domain has pirqs for MSI.
    MsixPirqLimit {
        /// Vectors the device offers.
        vectors: u16,
        /// This domain's pirqs.
        nr_pirqs: u32,
        /// The most of them MSI and MSI-X can get.
        at_most: u32,
    } => ("msix-pirq-limit", Warning) {
        what: "the device offers more MSI-X vectors than this domain has pirqs for MSI/MSI-X: a driver asking for all of them fails in Xen's pirq allocation for the guest (PHYSDEVOP_map_pirq -ENOSPC, in the guest 'enable msix get err ffffffe4' and 'Xen PCI frontend error: -28!')",
        evidence: |w, _| write!(w, "msix_vectors={vectors} nr_pirqs={nr_pirqs} msi_pirqs_at_most={at_most} (pirqs below the GSIs' end are not handed out for MSI)"),
        fix: |w, _| write_extra_guest_irqs(w, u32::from(vectors)),
    }
    /// More MSI-X vectors than pcifront passes in one enable.
    MsixOverPcifront {
        /// Vectors the device offers.
        vectors: u16,
    } => ("msix-over-pcifront", Warning) {
        what: "the device offers more MSI-X vectors than pcifront passes to pciback in one enable: a driver asking for more than 128 gets -EINVAL ('too many vectors (0x...) for PCI frontend: Increase SH_INFO_MAX_VEC')",
        evidence: |w, _| write!(w, "msix_vectors={vectors} pcifront_max={}", super::facts::SH_INFO_MAX_VEC),
        fix: |w, _| w.write_str("have the driver ask for at most 128 vectors (its queue-count parameter), or pass the device to an HVM guest"),
    }
    /// A trial enable through pcifront got vectors (and gave them back).
    MsiEnabled {
        /// MSI or MSI-X.
        kind: MsiType,
        /// Vectors asked for.
        asked: u32,
        /// What came back.
        granted: Granted,
    } => ("msi-trial", Info) {
        what: match kind {
            MsiType::MsiX => "MSI-X enabled through pcifront as a driver does (pci_alloc_irq_vectors), and disabled again; bus mastering stayed off",
            MsiType::Msi => "MSI enabled through pcifront as a driver does (pci_alloc_irq_vectors), and disabled again; bus mastering stayed off",
        },
        evidence: |w, _| {
            write!(w, "{} asked={asked} granted={}", kind.name(), granted.vectors)?;
            write!(w, " first_irq={} pirqs={}-{}", granted.first_irq, granted.first_pirq, granted.last_pirq)?;
            if kind == MsiType::Msi && granted.vectors < asked {
                w.write_str(" (a PV guest gets one MSI vector: Xen's pcifront path has no multi-message MSI)")?;
            }
            Ok(())
        },
        fix: |_, _| Ok(()),
    }
    /// A trial enable through pcifront failed.
    MsiFailed {
        /// MSI or MSI-X.
        kind: MsiType,
        /// Vectors asked for.
        asked: u32,
        /// The errno `pci_alloc_irq_vectors()` returned.
        rc: i32,
    } => ("msi-failed", Error) {
        what: irq::stage_of(kind, rc).what(),
        evidence: |w, at| {
            write!(w, "{} asked={asked} rc={rc} ({}) stage={}", kind.name(), irq::errno_name(rc), irq::stage_of(kind, rc).name())?;
            if let Some(n) = at.facts.irq.nr_pirqs {
                write!(w, " nr_pirqs={n}")?;
            }
            Ok(())
        },
        fix: |w, at| match irq::stage_of(kind, rc) {
            irq::Stage::XenPirq => write_extra_guest_irqs(w, asked),
            stage => stage.write_fix(w, kind, at.dom0),
        },
    }
    /// The MSI-X trial was not run: the table's frames are not known to be mapped by Xen.
    MsixNotTried {
        /// Why.
        why: MsixSkip,
        /// The table's BAR.
        table_bar: u8,
    } => ("msix-not-tried", Warning) {
        what: match why {
            MsixSkip::TableNotGranted => "MSI-X not tried: Xen does not map every frame of the BAR holding the MSI-X table, and enabling MSI-X maps the table in the guest",
            MsixSkip::TableUnchecked => "MSI-X not tried: the BAR holding the MSI-X table has no resource Xen was asked about",
        },
        evidence: |w, _| write!(w, "table_bar={}", bar_name(table_bar)),
        fix: |w, _| write!(w, "see the findings of {} and fix those first", bar_name(table_bar)),
    }
    /// MSI-X stayed enabled in dom0 after the guest freed its vectors (Linux 7.3's teardown
    /// sends pcifront's disable-MSI op instead of disable-MSI-X).
    MsixLeftEnabled {
        /// The MSI-X control word after the free, and whether the module's op cleared it.
        left: LeftOn,
    } => ("msix-left-enabled", Warning) {
        what: "MSI-X was left on in dom0 after the guest freed its vectors: pci_msix_shutdown() clears msix_enabled before xen_pv_teardown_msi_irqs() picks its op, so pciback gets disable-MSI, not disable-MSI-X; until pciback resets the device, MSI-X enables fail with -EALREADY ('enable msix get err ffffff8e') and MSI with -ENXIO in dom0 ('Xen PCI frontend error: -22!')",
        evidence: |w, _| {
            let done = if left.cleared { "cleared it" } else { "did not clear it" };
            match left.at_bind {
                true => write!(w, "msix_control=0x{:04x} at bind, no driver holding the device (an earlier driver's teardown left it)", left.control)?,
                false => write!(w, "msix_control=0x{:04x} after pci_free_irq_vectors()", left.control)?,
            }
            match (left.at_bind, left.cleared) {
                (true, false) => Ok(()),
                _ => write!(w, "; the module's own disable-MSI-X op {done}"),
            }
        },
        fix: |w, at| write!(w, "after a driver that used MSI-X let go of the device (rmmod, unbind), reset pciback before the next: xl pci-detach <domain> {d} and xl pci-attach <domain> {d}; the guest kernel's xen_pv_teardown_msi_irqs() should pick the op from the MSI descriptors", d = at.dom0()),
    }
    /// Enabling the device for the trials failed.
    IrqEnableFailed {
        /// The errno.
        rc: i32,
    } => ("irq-enable-failed", Error) {
        what: "enabling the device (memory decoding, as a driver does before asking for interrupts) failed: MSI and MSI-X not tried",
        evidence: |w, _| write!(w, "rc={rc} ({})", irq::errno_name(rc)),
        fix: |w, _| w.write_str(LOOK_FOR_PCIBACK_ERRORS),
    }
    /// The DMA path.
    Dma => ("dma", Info) {
        what: "DMA path: how the device's bus addresses are made",
        evidence: |w, at| write_dma(w, &at.facts.dma),
        fix: |_, _| Ok(()),
    }
    /// A PV domU's device whose DMA does not go through swiotlb-xen.
    DmaNoSwiotlbXen => ("dma-no-swiotlb-xen", Error) {
        what: "DMA does not go through swiotlb-xen in a PV guest: bus addresses are pseudo-physical, not machine addresses, so the device would read and write other memory. Linux sets swiotlb-xen up at boot only when the guest's memory map has reserved regions (e820_host=1) or it is dom0: a device hot-plugged with xl pci-attach into a guest created without them gets none",
        evidence: |w, at| write_dma(w, &at.facts.dma),
        fix: |w, _| w.write_str("set e820_host=1 in the guest's xl.cfg (pci=[...] at xl create turns it on) and restart the guest, so its kernel sets up swiotlb-xen at boot (it needs CONFIG_SWIOTLB_XEN=y)"),
    }
    /// swiotlb-xen without a bounce pool.
    DmaNoPool => ("dma-no-pool", Error) {
        what: "swiotlb-xen has no bounce pool: Xen could not exchange the pool's pages for machine-contiguous ones below 4 GiB at boot (the guest logged 'Failed to remap' / 'Failed to get contiguous memory for DMA from Xen!'), so every mapping a driver makes fails",
        evidence: |w, at| write_dma(w, &at.facts.dma),
        fix: |w, _| w.write_str(LOW_MEMORY_FIX),
    }
    /// The bounce pool is nearly full.
    DmaPoolFull {
        /// Bytes in use.
        used: u64,
        /// Pool size.
        size: u64,
    } => ("dma-pool-full", Warning) {
        what: "the swiotlb-xen bounce pool is nearly full: further mappings fail with 'swiotlb buffer is full' and drivers report it as 'Failed to map TX DMA' and the like",
        evidence: |w, _| write!(w, "pool_used={} of {}", Size(used), Size(size)),
        fix: |w, _| w.write_str(ENLARGE_POOL_FIX),
    }
    /// All of the guest's RAM lies above the device's DMA mask in machine addresses.
    DmaAboveMask {
        /// The mask.
        mask: u64,
        /// Frames checked.
        checked: u64,
    } => ("dma-above-mask", Warning) {
        what: "every checked frame of the guest's RAM lies above the device's DMA mask in machine addresses: every streaming mapping is bounced through the pool and every coherent allocation needs Xen to exchange pages for ones below the mask",
        evidence: |w, _| write!(w, "mask=0x{mask:x} frames_above_mask={checked}/{checked}"),
        fix: |w, _| w.write_str(LOW_MEMORY_FIX),
    }
    /// The opt-in DMA trial ran: its bus addresses, or the errno of a failed step.
    DmaTrial => ("dma-trial", Info) {
        what: "DMA trial: one coherent allocation and one streaming mapping (to the device) of a page with the device's masks, as a driver makes them, freed again; nothing was handed to the device and bus mastering stayed off",
        evidence: |w, at| match &at.facts.dma.trial {
            Some(trial) => dma::write_trial(w, trial),
            None => Ok(()),
        },
        fix: |_, _| Ok(()),
    }
    /// A step of the DMA trial failed: what a driver's allocation or mapping gets.
    DmaTrialFailed {
        /// The coherent allocation or the streaming mapping.
        step: dma::Step,
        /// The errno (`-ENOMEM` for a NULL allocation).
        rc: i32,
        /// Why, as far as the DMA path's facts tell.
        cause: dma::Cause,
    } => ("dma-trial-failed", Error) {
        what: match cause {
            dma::Cause::NoPool => "a streaming mapping that needs a bounce buffer failed: swiotlb-xen has no pool ('Can not allocate SWIOTLB buffer earlier and can't now provide you with the DMA bounce buffer'), so drivers fail as with 'Failed to map TX DMA'",
            dma::Cause::PoolFull => "a streaming mapping failed: the swiotlb-xen bounce pool has no room left ('swiotlb buffer is full'), so drivers fail as with 'Failed to map TX DMA' or 'Rx DMA map failed'",
            dma::Cause::Exchange => "a coherent allocation of one page failed: Xen did not exchange the page for a machine-contiguous one below the coherent mask (XENMEM_exchange), or the guest had no free page; drivers fail to allocate their descriptor rings",
            dma::Cause::Guest => "the guest's DMA code refused the allocation or mapping (not swiotlb-xen, or no free page)",
        },
        evidence: |w, at| {
            let dma = &at.facts.dma;
            write!(w, "step={} rc={rc} ({}) ops=", step.name(), super::irq::errno_name(rc))?;
            w.write_str(if dma.swiotlb_xen { "swiotlb-xen" } else { "not-swiotlb-xen" })?;
            write!(w, " pool={}", Size(dma.pool_bytes))?;
            if let Some(used) = dma.pool_used {
                write!(w, " pool_used={}", Size(used))?;
            }
            match step {
                dma::Step::Coherent => write!(w, " coherent_mask=0x{:x}", dma.coherent_mask),
                dma::Step::Streaming => write!(w, " mask=0x{:x}", dma.mask),
            }
        },
        fix: |w, _| match cause {
            dma::Cause::NoPool | dma::Cause::Exchange => w.write_str(LOW_MEMORY_FIX),
            dma::Cause::PoolFull => w.write_str(ENLARGE_POOL_FIX),
            dma::Cause::Guest => w.write_str("free memory in the guest; in a PV guest behind pcifront, set e820_host=1 in its xl.cfg (pci=[...] at xl create turns it on) so its kernel sets up swiotlb-xen at boot"),
        },
    }
}

/// The fix of both config-read failures.
const LOOK_FOR_PCIBACK_ERRORS: &str =
    "look for 'pciback not responding' in this guest's log and for pciback errors in dom0's dmesg";
/// The fix of both malformed registers.
const MALFORMED_BAR: &str =
    "the device's BAR is malformed: a quirk or firmware update is needed, passthrough cannot fix it";
/// The fix when Xen lacks memory below 4 GiB for a guest's DMA.
const LOW_MEMORY_FIX: &str = "start this guest while Xen still has free memory below 4 GiB (before large guests), or keep memory below the mask for DMA with Xen's dma_bits= option (the width of the heap Xen keeps for such allocations); a smaller swiotlb=<slabs> on the guest's command line needs less of it";
/// The fix of a full bounce pool.
const ENLARGE_POOL_FIX: &str = "enlarge the guest's bounce pool: swiotlb=<slabs of 2 KiB> on its kernel command line (extra= in xl.cfg), e.g. swiotlb=65536 for 128 MiB, which Xen must find below 4 GiB at the guest's boot";
/// The fix when the trial mappings could not run to the end.
const RETRY_WITH_MEMORY: &str =
    "retry with more free memory; if it persists, report it with this guest's log";

/// The evidence of where the module runs.
fn write_where(w: &mut dyn Write, at: &At<'_>) -> fmt::Result {
    let ctx = &at.facts.ctx;
    let (pv, dom0, front) = (ctx.xen_pv, ctx.initial_domain, ctx.pcifront);
    write!(w, "xen_pv={pv} dom0={dom0} pcifront={front}")
}

/// pciback keeps the resource it saw when it seized the device: seize it again.
fn write_reseize(w: &mut dyn Write, at: &At<'_>) -> fmt::Result {
    let d = at.dom0();
    write!(w, "pciback snapshots dom0's resource when it seizes the device: xl pci-assignable-remove {d} && xl pci-assignable-add {d} after dom0's assignment is right")
}

/// Page-align the device's BARs on dom0's command line.
fn write_page_align(w: &mut dyn Write, at: &At<'_>) -> fmt::Result {
    write!(
        w,
        "page-align the BAR in dom0: pci=resource_alignment=4096@{} on dom0's kernel command line",
        at.dom0()
    )
}

/// Keep the guest's RAM out of the host's PCI hole.
fn write_guest_memory_map(w: &mut dyn Write, at: &At<'_>) -> fmt::Result {
    let mib = (at.res().start >> 20).max(1);
    write!(w, "set e820_host=1 in the domU's xl.cfg (guest memory map with the host's PCI hole), or keep memory/maxmem below {mib} MiB")
}

/// Xen's `extra_guest_irqs=`, sized for a device asking for `vectors` vectors.
fn write_extra_guest_irqs(w: &mut dyn Write, vectors: u32) -> fmt::Result {
    let n = vectors.saturating_add(8).max(64);
    write!(w, "boot Xen with extra_guest_irqs={n} (the pirqs each domU gets beyond the GSIs; default 32, this device alone asks for {vectors}) on its command line (GRUB_CMDLINE_XEN_DEFAULT), then reboot the host; or let the driver use fewer vectors")
}

/// INTx, MSI and MSI-X as the guest knows them.
fn write_interrupts(w: &mut dyn Write, irq: &IrqFacts) -> fmt::Result {
    let intx = &irq.intx;
    match intx.pin {
        0 => w.write_str("intx=none")?,
        _ => {
            write!(
                w,
                "intx=INT{} line={} (pirq {}) guest_irq=",
                intx.pin_name(),
                intx.line,
                intx.line
            )?;
            match intx.guest_irq {
                Some(irq) => write!(w, "{irq}")?,
                None => w.write_str("unbound")?,
            }
        }
    }
    match irq.msi {
        Some(m) => write!(
            w,
            "; msi={} vector(s){}{}",
            m.vectors,
            if m.is64 { " 64-bit" } else { "" },
            if m.enabled { " enabled" } else { "" }
        )?,
        None => w.write_str("; msi=none")?,
    }
    match irq.msix {
        Some(m) => write!(
            w,
            "; msix={} vector(s) table={}+0x{:x}{}",
            m.vectors,
            bar_name(m.table_bar),
            m.table_offset,
            if m.enabled { " enabled" } else { "" }
        )?,
        None => w.write_str("; msix=none")?,
    }
    if let (Some(n), Some(most)) = (irq.nr_pirqs, irq.msi_pirqs_at_most()) {
        write!(w, "; nr_pirqs={n} (at most {most} for MSI/MSI-X)")?;
    }
    // The probe asks only for a device with a pin.
    match intx.bind_rc.filter(|_| intx.pin != 0) {
        Some(rc) if irq::bind_permitted(rc) => w.write_str("; intx_bind=permitted"),
        Some(rc) => write!(w, "; intx_bind={}", irq::errno_name(rc)),
        None => Ok(()),
    }
}

/// The DMA path's figures.
fn write_dma(w: &mut dyn Write, dma: &DmaFacts) -> fmt::Result {
    let ops = match (dma.swiotlb_xen, dma.other_ops) {
        (true, _) => "swiotlb-xen",
        (false, true) => "other",
        (false, false) => "direct",
    };
    write!(
        w,
        "ops={ops} mask=0x{:x} coherent_mask=0x{:x} pool={}",
        dma.mask,
        dma.coherent_mask,
        Size(dma.pool_bytes)
    )?;
    match dma.pool_used {
        Some(used) => write!(w, " pool_used={}", Size(used))?,
        None => w.write_str(" pool_used=?")?,
    }
    write!(
        w,
        " guest_frames_above_mask={}/{} max_mfn=0x{:x}",
        dma.frames_above_mask, dma.frames_checked, dma.max_mfn
    )?;
    w.write_str(if dma.sampled { " (p2m sampled)" } else { "" })
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
    /// Whether this finding's fix names the device's address in dom0: the probe looks it up
    /// only then (a xenstore read, a round trip to dom0).
    pub fn fix_names_dom0(&self, facts: &DeviceFacts) -> bool {
        let mut seen = SeesPlaceholder(false);
        let at = At {
            bar: self.bar,
            facts,
            dom0: None,
        };
        // `SeesPlaceholder` never fails.
        let _ = self.kind.write_fix(&mut seen, &at);
        seen.0
    }

    /// Severity of this finding: its kind's, but for two cases that depend on more.
    pub fn severity(&self) -> Severity {
        match self.kind {
            Kind::DecodeOff {
                after_enable: true, ..
            } => Severity::Error,
            // A ROM that cannot be used rarely stops a driver.
            Kind::Unclaimed { .. } | Kind::StartMismatch { .. } | Kind::NoResource { .. }
                if self.bar == Some(index_u8(ROM_INDEX)) =>
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

/// A sink that notes whether [`DOM0_PLACEHOLDER`] went through it: `Dom0Bdf` and the
/// interrupt stages write it as one piece, which a `Formatter` passes on unsplit.
struct SeesPlaceholder(bool);

impl Write for SeesPlaceholder {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 |= s.contains(DOM0_PLACEHOLDER);
        Ok(())
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
