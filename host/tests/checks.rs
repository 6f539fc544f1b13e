//! The checks (`diag::checks`): every finding kind from hand-built facts.

mod common;
mod irq_dma_facts;

use common::*;
use pcifront_diag_core::diag::checks::{
    self, check, decode_all, read_probe_safe, Finding, Findings, Kind, Severity, MAX_FINDINGS,
};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::verdict;

/// The one finding with this code and scope.
fn only_at<'a>(f: &'a Findings, code: &str, bar: Option<u8>) -> &'a Finding {
    let all: Vec<&Finding> = f
        .iter()
        .filter(|x| x.code() == code && x.bar == bar)
        .collect();
    assert_eq!(
        all.len(),
        1,
        "expected exactly one {code} {bar:?}, got {:?}",
        coded(f)
    );
    all[0]
}

/// The one finding with this code.
fn only<'a>(f: &'a Findings, code: &str) -> &'a Finding {
    let all: Vec<&Finding> = f.iter().filter(|x| x.code() == code).collect();
    assert_eq!(
        all.len(),
        1,
        "expected exactly one {code}, got {:?}",
        codes(f)
    );
    all[0]
}

/// The healthy device with Xen refusing every frame of BAR0 with `rc`.
fn refused_with(rc: i32) -> DeviceFacts {
    healthy_with(move |_| Trial::Refused(rc))
}

#[test]
fn healthy_device_is_ok() {
    let f = healthy();
    let out = check(&f);
    assert_eq!(coded(&out), [("pcifront", None), ("ok", Some(0))]);
    assert_eq!(verdict(&out), "OK");
    assert_eq!(out.len(), 2);
    assert!(!out.is_empty());
    assert_eq!(out.dropped, 0);
    assert_eq!(out.count(Severity::Error), 0);
    assert_eq!(out.count(Severity::Warning), 0);
    assert_eq!(out.count(Severity::Info), 2);
    let p = out.find("pcifront").unwrap();
    assert_eq!(
        p.kind,
        Kind::Pcifront {
            backend: Some(0),
            ram_pages: 65536
        }
    );
    assert_eq!(p.severity(), Severity::Info);
    let ok = out.find("ok").unwrap();
    assert_eq!(ok.severity(), Severity::Info);
    assert_eq!(
        ok.kind,
        Kind::BarOk {
            start: BAR0,
            len: BAR0_LEN,
            is64: false,
            prefetch: false,
        }
    );
    assert!(out.find("xen-eperm").is_none());
}

#[test]
fn decode_all_appends_rom() {
    let mut f = healthy();
    f.cfg.rom = 0xfeb0_0001;
    let b = decode_all(&f.cfg);
    assert_eq!(b.len(), 7);
    assert_eq!(b[0].addr, BAR0);
    assert_eq!(b[6].index, 6);
    assert_eq!(b[6].addr, 0xfeb0_0000);
    assert!(b[6].rom_enabled);
}

// ---- one finding per case -------------------------------------------------------------------

/// The healthy device changed by `setup` gives exactly `findings`; the one at `at` has `kind`
/// and `severity`, and the device's verdict is `verdict`.
struct Case {
    name: &'static str,
    setup: fn(&mut DeviceFacts),
    findings: &'static [(&'static str, Option<u8>)],
    at: (&'static str, Option<u8>),
    kind: Kind,
    severity: Severity,
    verdict: &'static str,
}

const OK0: (&str, Option<u8>) = ("ok", Some(0));
const PCIFRONT: (&str, Option<u8>) = ("pcifront", None);

fn bar0_ok() -> Kind {
    Kind::BarOk {
        start: BAR0,
        len: BAR0_LEN,
        is64: false,
        prefetch: false,
    }
}

/// BAR2 at 1 TiB with a 41-bit address width: usable (and so with an unknown width).
const FITS_IN_41_BITS: Case = Case {
    name: "one more address bit and it fits",
    setup: |f| {
        beyond_40_bits(f);
        f.ctx.phys_bits = 41;
    },
    findings: &[PCIFRONT, OK0, ("ok", Some(2))],
    at: ("ok", Some(2)),
    kind: Kind::BarOk {
        start: 0x100_0000_0000,
        len: BAR0_LEN,
        is64: true,
        prefetch: true,
    },
    severity: Severity::Info,
    verdict: "OK",
};

fn cases() -> Vec<Case> {
    use Severity::*;
    vec![
        // ---- context
        Case {
            name: "not a Xen PV guest",
            setup: |f| {
                f.ctx.xen_pv = false;
                f.ctx.pcifront = false;
                f.ctx.backend_domid = None;
                f.bars[0].verdict = None;
                f.bars[0].p2m = None;
                f.bars[0].skipped = Some(Skip::NotPv);
            },
            findings: &[("not-xen-pv", None), OK0],
            at: ("not-xen-pv", None),
            kind: Kind::NotXenPv,
            severity: Info,
            verdict: "OK",
        },
        Case {
            name: "dom0 wins over everything",
            setup: |f| f.ctx.initial_domain = true,
            findings: &[("dom0", None), OK0],
            at: ("dom0", None),
            kind: Kind::InitialDomain,
            severity: Info,
            verdict: "OK",
        },
        Case {
            name: "not behind pcifront",
            setup: |f| f.ctx.pcifront = false,
            findings: &[("not-pcifront", None), OK0],
            at: ("not-pcifront", None),
            kind: Kind::NotPcifront,
            severity: Info,
            verdict: "OK",
        },
        Case {
            name: "pcifront without backend id",
            setup: |f| {
                f.ctx.backend_domid = None;
                f.ctx.ram_pages = 0;
            },
            findings: &[PCIFRONT, OK0],
            at: PCIFRONT,
            kind: Kind::Pcifront {
                backend: None,
                ram_pages: 0,
            },
            severity: Info,
            verdict: "OK",
        },
        // ---- device
        Case {
            name: "device gone hides per-BAR all-ones",
            setup: |f| {
                f.cfg.id = u32::MAX;
                f.cfg.class_rev = u32::MAX;
                f.cfg.command = 0xffff;
                f.cfg.bars = [u32::MAX; 6];
                f.cfg.rom = u32::MAX;
            },
            findings: &[PCIFRONT, ("device-gone", None)],
            at: ("device-gone", None),
            kind: Kind::DeviceGone {
                class_rev: u32::MAX,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "config read errors",
            setup: |f| f.cfg.read_errors = 3,
            findings: &[PCIFRONT, ("config-read-error", None), OK0],
            at: ("config-read-error", None),
            kind: Kind::ConfigReadErrors { count: 3 },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "decode off before enable is info",
            setup: |f| f.cfg.command = 0x0400,
            findings: &[PCIFRONT, ("decode-off", None), OK0],
            at: ("decode-off", None),
            kind: Kind::DecodeOff {
                command: 0x0400,
                after_enable: false,
            },
            severity: Info,
            verdict: "OK",
        },
        Case {
            name: "decode off after the read probe is an error",
            setup: |f| {
                f.cfg.command = 0;
                f.bars[0].read_probe = Some(u32::MAX);
            },
            findings: &[PCIFRONT, ("decode-off", None), ("read-all-ones", Some(0))],
            at: ("decode-off", None),
            kind: Kind::DecodeOff {
                command: 0,
                after_enable: true,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "scratch PTE restore refused: leaked on purpose",
            setup: |f| f.restore_failed = Some(-1),
            findings: &[PCIFRONT, ("scratch-leaked", None), OK0],
            at: ("scratch-leaked", None),
            kind: Kind::ScratchLeaked { rc: EPERM },
            severity: Warning,
            verdict: "WARN",
        },
        // ---- I/O ports
        Case {
            name: "decode off ignored without memory BARs",
            setup: |f| {
                // Only an I/O BAR and a ROM: PCI_COMMAND_MEMORY does not matter.
                f.cfg.command = PCI_COMMAND_IO;
                f.cfg.bars = [0xc001, 0, 0, 0, 0, 0];
                f.cfg.rom = 0xfeb0_0000;
                f.bars[0] = BarFacts {
                    res: io_res(0xc000, 0x20),
                    skipped: Some(Skip::IoPorts),
                    ..BarFacts::default()
                };
                f.bars[6].res = mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM);
            },
            findings: &[PCIFRONT, ("io-ports", Some(0)), ("ok", Some(6))],
            at: ("io-ports", Some(0)),
            kind: Kind::IoPorts {
                start: 0xc000,
                len: 0x20,
            },
            severity: Info,
            verdict: "OK",
        },
        Case {
            name: "I/O ports are info",
            setup: |f| *f = with_io_bar1(),
            findings: &[PCIFRONT, OK0, ("io-ports", Some(1))],
            at: ("io-ports", Some(1)),
            kind: Kind::IoPorts {
                start: 0xc000,
                len: 0x20,
            },
            severity: Info,
            verdict: "OK",
        },
        Case {
            name: "I/O BAR read through the driver path",
            setup: |f| {
                *f = with_io_bar1();
                f.bars[1].read_probe = Some(0x1af4);
            },
            findings: &[PCIFRONT, OK0, ("io-ports", Some(1)), ("read-ok", Some(1))],
            at: ("read-ok", Some(1)),
            kind: Kind::ReadProbe { value: 0x1af4 },
            severity: Info,
            verdict: "OK",
        },
        Case {
            name: "I/O BAR reads all-ones: ports not granted",
            setup: |f| {
                *f = with_io_bar1();
                f.bars[1].read_probe = Some(u32::MAX);
            },
            findings: &[
                PCIFRONT,
                OK0,
                ("io-ports", Some(1)),
                ("io-all-ones", Some(1)),
            ],
            at: ("io-all-ones", Some(1)),
            kind: Kind::IoAllOnes {
                port: 0xc000,
                command: PCI_COMMAND_MEMORY | PCI_COMMAND_IO,
            },
            severity: Error,
            verdict: "FAIL",
        },
        // ---- BAR registers
        Case {
            name: "BAR reads all-ones",
            setup: |f| f.cfg.bars[1] = u32::MAX,
            findings: &[PCIFRONT, OK0, ("bar-all-ones", Some(1))],
            at: ("bar-all-ones", Some(1)),
            kind: Kind::BarAllOnes,
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "BAR hidden by pciback",
            setup: |f| f.bars[2].res = mem_res(0xfeb0_0000, 0x4000, IORESOURCE_MEM),
            findings: &[PCIFRONT, OK0, ("bar-hidden", Some(2))],
            at: ("bar-hidden", Some(2)),
            kind: Kind::BarHidden { len: 0x4000 },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "an unused ROM register with a guest resource is not reported",
            setup: |f| f.bars[6].res = mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM),
            findings: &[PCIFRONT, OK0],
            at: OK0,
            kind: bar0_ok(),
            severity: Info,
            verdict: "OK",
        },
        Case {
            name: "64-bit BAR in the last slot",
            setup: |f| {
                f.cfg.bars[5] = 0xd000_000c;
                f.bars[5].res = mem_res(
                    0xd000_0000,
                    BAR0_LEN,
                    IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
                );
            },
            findings: &[PCIFRONT, OK0, ("bar-64-truncated", Some(5))],
            at: ("bar-64-truncated", Some(5)),
            kind: Kind::Truncated64,
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "reserved memory type",
            setup: |f| {
                f.cfg.bars[1] = 0xf000_0006;
                f.bars[1].res = mem_res(0xf000_0000, 0x1_0000, IORESOURCE_MEM);
            },
            findings: &[PCIFRONT, OK0, ("bar-reserved-type", Some(1))],
            at: ("bar-reserved-type", Some(1)),
            kind: Kind::ReservedType,
            severity: Error,
            verdict: "FAIL",
        },
        // ---- resources
        Case {
            name: "not claimed in the resource tree",
            setup: |f| f.bars[0].res.claimed = false,
            findings: &[PCIFRONT, ("unclaimed", Some(0))],
            at: ("unclaimed", Some(0)),
            kind: Kind::Unclaimed {
                start: BAR0,
                end: BAR0 + BAR0_LEN - 1,
                unset: false,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "unset resource skips the start mismatch",
            setup: |f| {
                f.bars[0].res = Resource {
                    start: 0,
                    end: BAR0_LEN - 1,
                    flags: IORESOURCE_MEM | IORESOURCE_UNSET,
                    claimed: false,
                };
                f.bars[0].verdict = None;
                f.bars[0].p2m = None;
            },
            findings: &[PCIFRONT, ("unclaimed", Some(0))],
            at: ("unclaimed", Some(0)),
            kind: Kind::Unclaimed {
                start: 0,
                end: BAR0_LEN - 1,
                unset: true,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "no resource built, unset",
            setup: |f| {
                f.bars[0].res = Resource {
                    flags: IORESOURCE_UNSET,
                    ..Resource::default()
                }
            },
            findings: &[PCIFRONT, ("unclaimed", Some(0))],
            at: ("unclaimed", Some(0)),
            kind: Kind::Unclaimed {
                start: 0,
                end: 0,
                unset: true,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            // The bench's ivshmem BAR0: the register holds 0xfeb85000, the guest sized nothing.
            name: "no resource built at all",
            setup: |f| f.bars[0].res = Resource::default(),
            findings: &[PCIFRONT, ("no-resource", Some(0))],
            at: ("no-resource", Some(0)),
            kind: Kind::NoResource { addr: BAR0 },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "sized but not placed: unclaimed",
            setup: |f| {
                f.bars[0].res = Resource {
                    flags: IORESOURCE_MEM,
                    ..Resource::default()
                }
            },
            findings: &[PCIFRONT, ("unclaimed", Some(0))],
            at: ("unclaimed", Some(0)),
            kind: Kind::Unclaimed {
                start: 0,
                end: 0,
                unset: false,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "ROM unclaimed is a warning",
            setup: |f| {
                f.cfg.rom = 0xfeb0_0001;
                f.bars[6].res = Resource {
                    claimed: false,
                    ..mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM)
                };
            },
            findings: &[PCIFRONT, OK0, ("unclaimed", Some(6))],
            at: ("unclaimed", Some(6)),
            kind: Kind::Unclaimed {
                start: 0xfeb0_0000,
                end: 0xfeb0_ffff,
                unset: false,
            },
            severity: Warning,
            verdict: "WARN",
        },
        Case {
            name: "ROM start mismatch is a warning",
            setup: |f| {
                f.cfg.rom = 0xfeb0_0001;
                f.bars[6].res = mem_res(0xfec0_0000, 0x1_0000, IORESOURCE_MEM);
            },
            findings: &[PCIFRONT, OK0, ("start-mismatch", Some(6))],
            at: ("start-mismatch", Some(6)),
            kind: Kind::StartMismatch {
                bar: 0xfeb0_0000,
                res: 0xfec0_0000,
            },
            severity: Warning,
            verdict: "WARN",
        },
        Case {
            name: "ROM ok: no 64-bit/prefetch expectations",
            setup: |f| {
                f.cfg.rom = 0xfeb0_0000;
                f.bars[6].res =
                    mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM | IORESOURCE_PREFETCH);
            },
            findings: &[PCIFRONT, OK0, ("ok", Some(6))],
            at: ("ok", Some(6)),
            kind: Kind::BarOk {
                start: 0xfeb0_0000,
                len: 0x1_0000,
                is64: false,
                prefetch: false,
            },
            severity: Info,
            verdict: "OK",
        },
        Case {
            name: "start mismatch",
            setup: |f| f.bars[0].res = mem_res(0xe000_0000, BAR0_LEN, IORESOURCE_MEM),
            findings: &[PCIFRONT, ("start-mismatch", Some(0))],
            at: ("start-mismatch", Some(0)),
            kind: Kind::StartMismatch {
                bar: BAR0,
                res: 0xe000_0000,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "length not a power of two",
            setup: |f| f.bars[0].res = mem_res(BAR0, 0x18_0000, IORESOURCE_MEM),
            findings: &[PCIFRONT, ("size-inconsistent", Some(0))],
            at: ("size-inconsistent", Some(0)),
            kind: Kind::SizeInconsistent {
                start: BAR0,
                len: 0x18_0000,
            },
            severity: Warning,
            verdict: "WARN",
        },
        Case {
            name: "start not aligned to the length",
            setup: |f| {
                f.cfg.bars[0] = 0xfe90_0000;
                f.bars[0].res = mem_res(0xfe90_0000, 0x20_0000, IORESOURCE_MEM);
            },
            findings: &[PCIFRONT, ("size-inconsistent", Some(0))],
            at: ("size-inconsistent", Some(0)),
            kind: Kind::SizeInconsistent {
                start: 0xfe90_0000,
                len: 0x20_0000,
            },
            severity: Warning,
            verdict: "WARN",
        },
        Case {
            name: "prefetch flag mismatch",
            setup: |f| f.bars[0].res.flags = IORESOURCE_MEM | IORESOURCE_PREFETCH,
            findings: &[PCIFRONT, ("flag-mismatch", Some(0))],
            at: ("flag-mismatch", Some(0)),
            kind: Kind::FlagMismatch {
                bar64: false,
                res64: false,
                bar_pf: false,
                res_pf: true,
            },
            severity: Warning,
            verdict: "WARN",
        },
        Case {
            name: "64-bit flag mismatch",
            setup: |f| {
                f.cfg.bars = [0xc000_000c, 0x38, 0, 0, 0, 0];
                f.bars[0].res = mem_res(
                    0x38_c000_0000,
                    0x1000_0000,
                    IORESOURCE_MEM | IORESOURCE_PREFETCH,
                );
                f.bars[0].verdict = None;
            },
            findings: &[PCIFRONT, ("flag-mismatch", Some(0))],
            at: ("flag-mismatch", Some(0)),
            kind: Kind::FlagMismatch {
                bar64: true,
                res64: false,
                bar_pf: true,
                res_pf: true,
            },
            severity: Warning,
            verdict: "WARN",
        },
        Case {
            name: "the same 64-bit BAR with matching flags is fine",
            setup: with_64bit_bar0_not_asked,
            findings: &[PCIFRONT, OK0],
            at: OK0,
            kind: Kind::BarOk {
                start: 0x38_c000_0000,
                len: 0x1000_0000,
                is64: true,
                prefetch: true,
            },
            severity: Info,
            verdict: "OK",
        },
        Case {
            name: "I/O BAR, memory resource",
            setup: |f| {
                f.cfg.bars[1] = 0xc001;
                f.bars[1].res = mem_res(0xc000, 0x20, IORESOURCE_MEM);
            },
            findings: &[
                PCIFRONT,
                OK0,
                ("type-mismatch", Some(1)),
                ("io-ports", Some(1)),
            ],
            at: ("type-mismatch", Some(1)),
            kind: Kind::TypeMismatch { bar_io: true },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "memory BAR, I/O resource",
            setup: |f| f.bars[0].res.flags = IORESOURCE_IO,
            findings: &[PCIFRONT, ("type-mismatch", Some(0))],
            at: ("type-mismatch", Some(0)),
            kind: Kind::TypeMismatch { bar_io: false },
            severity: Error,
            verdict: "FAIL",
        },
        // ---- frames, address width, RAM, p2m
        Case {
            name: "sub-page BAR",
            setup: |f| {
                f.cfg.bars[1] = 0xfeb0_0000;
                f.bars[1].res = mem_res(0xfeb0_0000, 0x100, IORESOURCE_MEM);
            },
            findings: &[PCIFRONT, OK0, ("sub-page", Some(1))],
            at: ("sub-page", Some(1)),
            kind: Kind::SubPage {
                start: 0xfeb0_0000,
                len: 0x100,
            },
            severity: Warning,
            verdict: "WARN",
        },
        Case {
            name: "shared frame, seen from BAR1",
            setup: shared_frame,
            findings: SHARED_FRAME,
            at: ("shared-frame", Some(1)),
            kind: Kind::SharedFrame {
                pfn: 0xfeb00,
                other: 2,
            },
            severity: Warning,
            verdict: "WARN",
        },
        Case {
            name: "shared frame, seen from BAR2",
            setup: shared_frame,
            findings: SHARED_FRAME,
            at: ("shared-frame", Some(2)),
            kind: Kind::SharedFrame {
                pfn: 0xfeb00,
                other: 1,
            },
            severity: Warning,
            verdict: "WARN",
        },
        Case {
            name: "beyond the physical address width",
            setup: beyond_40_bits,
            findings: &[PCIFRONT, OK0, ("beyond-phys-bits", Some(2))],
            at: ("beyond-phys-bits", Some(2)),
            kind: Kind::BeyondPhysBits {
                end: 0x100_000f_ffff,
                bits: 40,
            },
            severity: Error,
            verdict: "FAIL",
        },
        FITS_IN_41_BITS,
        Case {
            name: "unknown address width is not checked",
            setup: |f| {
                beyond_40_bits(f);
                f.ctx.phys_bits = 0;
            },
            ..FITS_IN_41_BITS
        },
        Case {
            name: "inside guest RAM",
            setup: |f| f.bars[0].ram_overlap = true,
            findings: &[PCIFRONT, ("ram-overlap", Some(0))],
            at: ("ram-overlap", Some(0)),
            kind: Kind::RamOverlap {
                start: BAR0,
                end: BAR0 + BAR0_LEN - 1,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "p2m not identity",
            setup: |f| {
                f.bars[0].verdict = None;
                f.bars[0].skipped = Some(Skip::P2m);
                f.bars[0].p2m = Some(P2m {
                    frames: BAR0_FRAMES,
                    non_identity: 256,
                    invalid: 256,
                    first: Some((0xfea00, u64::MAX)),
                });
            },
            findings: &[PCIFRONT, ("p2m-not-identity", Some(0))],
            at: ("p2m-not-identity", Some(0)),
            kind: Kind::P2mNotIdentity {
                pfn: 0xfea00,
                raw: u64::MAX,
                count: 256,
                invalid: 256,
            },
            severity: Error,
            verdict: "FAIL",
        },
        // ---- Xen
        Case {
            name: "the 2009 case: every frame refused",
            setup: |f| *f = refused_with(-1),
            findings: &[PCIFRONT, ("xen-eperm", Some(0))],
            at: ("xen-eperm", Some(0)),
            kind: Kind::XenRefused {
                pfn: 0xfea00,
                rc: EPERM,
                refused: 256,
                tested: 256,
                frames: 256,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "a 16-frame hole in the grant",
            setup: |f| {
                *f = healthy_with(|i| {
                    if (0x80..0x90).contains(&i) {
                        DENIED
                    } else {
                        Trial::Mapped
                    }
                })
            },
            findings: &[PCIFRONT, ("xen-eperm", Some(0))],
            at: ("xen-eperm", Some(0)),
            kind: Kind::XenRefused {
                pfn: 0xfea80,
                rc: EPERM,
                refused: 16,
                tested: 256,
                frames: 256,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "two holes with different codes: the first one names the finding",
            setup: |f| {
                *f = healthy_with(|i| match i {
                    0x10..=0x1f => BUSY,
                    0x80 => DENIED,
                    _ => Trial::Mapped,
                })
            },
            findings: &[PCIFRONT, ("xen-ebusy", Some(0))],
            at: ("xen-ebusy", Some(0)),
            kind: Kind::XenRefused {
                pfn: 0xfea10,
                rc: EBUSY,
                refused: 17,
                tested: 256,
                frames: 256,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "a sampled BAR: counts are of the tested frames",
            setup: |f| {
                f.bars[0].verdict = Some(scan_sampled(BAR0_PFN, BAR0_FRAMES, 64, |_| DENIED))
            },
            findings: &[PCIFRONT, ("xen-eperm", Some(0))],
            at: ("xen-eperm", Some(0)),
            kind: Kind::XenRefused {
                pfn: 0xfea00,
                rc: EPERM,
                refused: 52,
                tested: 52,
                frames: 256,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "MSI-X frame read-only: still usable",
            setup: |f| {
                *f = healthy_with(|i| {
                    if i == 3 {
                        Trial::ReadOnly
                    } else {
                        Trial::Mapped
                    }
                })
            },
            findings: &[PCIFRONT, ("xen-read-only", Some(0)), OK0],
            at: ("xen-read-only", Some(0)),
            kind: Kind::XenReadOnly {
                pfn: 0xfea03,
                count: 1,
            },
            severity: Info,
            verdict: "OK",
        },
        Case {
            name: "a batch failed as a whole: incomplete, no ok",
            setup: |f| {
                let mut m =
                    Model::new(BAR0_PFN, BAR0_FRAMES, 64, |_| Trial::Mapped).failing(1, -14);
                f.bars[0].verdict = Some(m.scan(1 << 20));
            },
            findings: &[PCIFRONT, ("xen-incomplete", Some(0))],
            at: ("xen-incomplete", Some(0)),
            kind: Kind::XenIncomplete {
                rc: EFAULT,
                tested: 64,
                frames: 256,
            },
            severity: Warning,
            verdict: "WARN",
        },
        Case {
            name: "refused before the failed batch: both reported",
            setup: |f| {
                let answer = |i| {
                    if (0x10..0x20).contains(&i) {
                        DENIED
                    } else {
                        Trial::Mapped
                    }
                };
                let mut m = Model::new(BAR0_PFN, BAR0_FRAMES, 64, answer).failing(1, -12);
                f.bars[0].verdict = Some(m.scan(1 << 20));
            },
            findings: &[
                PCIFRONT,
                ("xen-eperm", Some(0)),
                ("xen-incomplete", Some(0)),
            ],
            at: ("xen-eperm", Some(0)),
            kind: Kind::XenRefused {
                pfn: 0xfea10,
                rc: EPERM,
                refused: 16,
                tested: 64,
                frames: 256,
            },
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "scratch setup failed",
            setup: |f| {
                f.bars[0].verdict = None;
                f.bars[0].skipped = Some(Skip::Scratch(-12));
            },
            findings: &[PCIFRONT, ("scratch-failed", Some(0))],
            at: ("scratch-failed", Some(0)),
            kind: Kind::ScratchFailed { rc: ENOMEM },
            severity: Warning,
            verdict: "WARN",
        },
        // ---- read probe
        Case {
            name: "dword 0 all-ones through an accepted mapping",
            setup: |f| f.bars[0].read_probe = Some(u32::MAX),
            findings: &[PCIFRONT, ("read-all-ones", Some(0))],
            at: ("read-all-ones", Some(0)),
            kind: Kind::ReadProbeAllOnes,
            severity: Error,
            verdict: "FAIL",
        },
        Case {
            name: "dword 0 read",
            setup: |f| f.bars[0].read_probe = Some(0x10ec_8168),
            findings: &[PCIFRONT, ("read-ok", Some(0)), OK0],
            at: ("read-ok", Some(0)),
            kind: Kind::ReadProbe { value: 0x10ec_8168 },
            severity: Info,
            verdict: "OK",
        },
    ]
}

const SHARED_FRAME: &[(&str, Option<u8>)] = &[
    PCIFRONT,
    OK0,
    ("sub-page", Some(1)),
    ("shared-frame", Some(1)),
    ("sub-page", Some(2)),
    ("shared-frame", Some(2)),
];

/// BAR1 and BAR2: 256 bytes each in the same frame.
fn shared_frame(f: &mut DeviceFacts) {
    f.cfg.bars[1] = 0xfeb0_0000;
    f.cfg.bars[2] = 0xfeb0_0100;
    f.bars[1].res = mem_res(0xfeb0_0000, 0x100, IORESOURCE_MEM);
    f.bars[2].res = mem_res(0xfeb0_0100, 0x100, IORESOURCE_MEM);
}

/// BAR2: 64-bit, 1 MiB at 1 TiB, beyond the healthy device's 40 address bits.
fn beyond_40_bits(f: &mut DeviceFacts) {
    f.cfg.bars[2] = 0x0000_000c;
    f.cfg.bars[3] = 0x100;
    let flags = IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH;
    f.bars[2].res = mem_res(0x100_0000_0000, BAR0_LEN, flags);
}

#[test]
fn every_case_gives_its_findings() {
    for c in cases() {
        let mut f = healthy();
        (c.setup)(&mut f);
        let out = check(&f);
        assert_eq!(coded(&out), c.findings, "{}", c.name);
        let x = only_at(&out, c.at.0, c.at.1);
        assert_eq!(x.kind, c.kind, "{}", c.name);
        assert_eq!(x.severity(), c.severity, "{}", c.name);
        assert_eq!(verdict(&out), c.verdict, "{}", c.name);
    }
}

#[test]
fn device_gone_with_decoding_off_is_not_decode_off() {
    // Decoding off is not reported on top of a gone device.
    let mut f = healthy();
    f.cfg.class_rev = u32::MAX;
    f.cfg.command = 0;
    f.bars[0].read_probe = Some(u32::MAX);
    let out = check(&f);
    assert!(out.find("device-gone").is_some());
    assert!(out.find("decode-off").is_none(), "{:?}", codes(&out));
}

#[test]
fn skip_reasons_without_a_finding() {
    // Only a failed scratch setup is worth a finding; the other skips explain themselves.
    for skip in [Skip::NotPv, Skip::NoResource, Skip::IoPorts, Skip::P2m] {
        let mut f = healthy();
        f.bars[0].verdict = None;
        f.bars[0].skipped = Some(skip);
        assert_eq!(check_codes(&f), ["pcifront", "ok"], "{skip:?}");
    }
}

#[test]
fn xen_refusal_codes_by_rc() {
    // Xen's return codes as the multicall reports them.
    for (rc, code) in [
        (-1, "xen-eperm"),
        (-22, "xen-einval"),
        (-16, "xen-ebusy"),
        (-12, "xen-refused"),
        (-19, "xen-refused"),
    ] {
        let out = check(&refused_with(rc));
        assert_eq!(codes(&out), ["pcifront", code], "rc {rc}");
        let x = only(&out, code);
        assert_eq!(x.bar, Some(0));
        assert_eq!(
            x.kind,
            Kind::XenRefused {
                pfn: 0xfea00,
                rc,
                refused: BAR0_FRAMES,
                tested: BAR0_FRAMES,
                frames: BAR0_FRAMES,
            }
        );
        assert_eq!(x.severity(), Severity::Error);
        assert_eq!(verdict(&out), "FAIL");
    }
}

#[test]
fn scratch_leaked_is_device_wide_and_ordered() {
    // Device-level findings come before the BARs', the leak after a gone device and before
    // config read errors.
    let mut f = healthy();
    f.restore_failed = Some(-22);
    f.cfg.read_errors = 1;
    f.cfg.class_rev = u32::MAX;
    let out = check(&f);
    let device: Vec<&str> = out
        .iter()
        .filter(|x| x.bar.is_none())
        .map(|x| x.code())
        .collect();
    assert_eq!(
        device,
        [
            "pcifront",
            "device-gone",
            "scratch-leaked",
            "config-read-error"
        ]
    );
    assert_eq!(
        only(&out, "scratch-leaked").kind,
        Kind::ScratchLeaked { rc: EINVAL }
    );
}

#[test]
fn severities_order_and_names() {
    // Errors sort first.
    let mut v = [Severity::Info, Severity::Error, Severity::Warning];
    v.sort();
    assert_eq!(v, [Severity::Error, Severity::Warning, Severity::Info]);
    assert_eq!(v.map(Severity::as_str), ["error", "warning", "info"]);
}

#[test]
fn severity_and_code_table() {
    let sev = |bar: Option<u8>, kind: Kind| {
        let f = Finding { bar, kind };
        (f.code(), f.severity())
    };
    use Severity::*;
    let b0 = Some(0);
    let refused = |rc| Kind::XenRefused {
        pfn: 0,
        rc,
        refused: 1,
        tested: 1,
        frames: 1,
    };
    let table = [
        (sev(None, Kind::NotXenPv), ("not-xen-pv", Info)),
        (sev(None, Kind::InitialDomain), ("dom0", Info)),
        (sev(None, Kind::NotPcifront), ("not-pcifront", Info)),
        (
            sev(
                None,
                Kind::Pcifront {
                    backend: None,
                    ram_pages: 0,
                },
            ),
            ("pcifront", Info),
        ),
        (
            sev(None, Kind::DeviceGone { class_rev: !0 }),
            ("device-gone", Error),
        ),
        (
            sev(None, Kind::ConfigReadErrors { count: 1 }),
            ("config-read-error", Error),
        ),
        (
            sev(
                None,
                Kind::DecodeOff {
                    command: 0,
                    after_enable: false,
                },
            ),
            ("decode-off", Info),
        ),
        (
            sev(
                None,
                Kind::DecodeOff {
                    command: 0,
                    after_enable: true,
                },
            ),
            ("decode-off", Error),
        ),
        (sev(b0, Kind::BarAllOnes), ("bar-all-ones", Error)),
        (sev(b0, Kind::BarReadFailed), ("bar-read-failed", Warning)),
        (
            sev(b0, Kind::NoResource { addr: 1 }),
            ("no-resource", Error),
        ),
        (
            sev(Some(6), Kind::NoResource { addr: 1 }),
            ("no-resource", Warning),
        ),
        (sev(b0, Kind::BarHidden { len: 1 }), ("bar-hidden", Error)),
        (sev(b0, Kind::Truncated64), ("bar-64-truncated", Error)),
        (sev(b0, Kind::ReservedType), ("bar-reserved-type", Error)),
        (
            sev(
                b0,
                Kind::Unclaimed {
                    start: 0,
                    end: 0,
                    unset: true,
                },
            ),
            ("unclaimed", Error),
        ),
        (
            sev(
                Some(6),
                Kind::Unclaimed {
                    start: 0,
                    end: 0,
                    unset: true,
                },
            ),
            ("unclaimed", Warning),
        ),
        (
            sev(b0, Kind::StartMismatch { bar: 1, res: 2 }),
            ("start-mismatch", Error),
        ),
        (
            sev(Some(6), Kind::StartMismatch { bar: 1, res: 2 }),
            ("start-mismatch", Warning),
        ),
        (
            sev(b0, Kind::SizeInconsistent { start: 0, len: 3 }),
            ("size-inconsistent", Warning),
        ),
        (
            sev(
                b0,
                Kind::FlagMismatch {
                    bar64: true,
                    res64: false,
                    bar_pf: false,
                    res_pf: false,
                },
            ),
            ("flag-mismatch", Warning),
        ),
        (
            sev(b0, Kind::TypeMismatch { bar_io: true }),
            ("type-mismatch", Error),
        ),
        (
            sev(Some(6), Kind::TypeMismatch { bar_io: false }),
            ("type-mismatch", Error),
        ),
        (
            sev(b0, Kind::SubPage { start: 0, len: 16 }),
            ("sub-page", Warning),
        ),
        (
            sev(b0, Kind::SharedFrame { pfn: 0, other: 1 }),
            ("shared-frame", Warning),
        ),
        (
            sev(b0, Kind::BeyondPhysBits { end: 0, bits: 1 }),
            ("beyond-phys-bits", Error),
        ),
        (
            sev(b0, Kind::RamOverlap { start: 0, end: 1 }),
            ("ram-overlap", Error),
        ),
        (
            sev(
                b0,
                Kind::P2mNotIdentity {
                    pfn: 0,
                    raw: 0,
                    count: 1,
                    invalid: 0,
                },
            ),
            ("p2m-not-identity", Error),
        ),
        (sev(b0, refused(EPERM)), ("xen-eperm", Error)),
        (sev(b0, refused(EINVAL)), ("xen-einval", Error)),
        (sev(b0, refused(EBUSY)), ("xen-ebusy", Error)),
        (sev(b0, refused(EOPNOTSUPP)), ("xen-refused", Error)),
        (sev(Some(6), refused(EPERM)), ("xen-eperm", Error)),
        (
            sev(b0, Kind::XenReadOnly { pfn: 0, count: 1 }),
            ("xen-read-only", Info),
        ),
        (
            sev(
                b0,
                Kind::XenIncomplete {
                    rc: EFAULT,
                    tested: 0,
                    frames: 1,
                },
            ),
            ("xen-incomplete", Warning),
        ),
        (
            sev(None, Kind::ScratchLeaked { rc: EPERM }),
            ("scratch-leaked", Warning),
        ),
        (
            sev(b0, Kind::ScratchFailed { rc: ENOMEM }),
            ("scratch-failed", Warning),
        ),
        (
            sev(b0, Kind::IoPorts { start: 0, len: 8 }),
            ("io-ports", Info),
        ),
        (sev(b0, Kind::ReadProbeAllOnes), ("read-all-ones", Error)),
        (
            sev(
                b0,
                Kind::IoAllOnes {
                    port: 0xc000,
                    command: 3,
                },
            ),
            ("io-all-ones", Error),
        ),
        (sev(b0, Kind::ReadProbe { value: 0 }), ("read-ok", Info)),
        (
            sev(
                b0,
                Kind::BarOk {
                    start: 0,
                    len: 4096,
                    is64: false,
                    prefetch: false,
                },
            ),
            ("ok", Info),
        ),
    ];
    for (got, want) in table {
        assert_eq!(got, want);
    }
    let mut named: Vec<&str> = table.iter().map(|(got, _)| got.0).collect();
    for (got, want) in irq_dma_facts::severities() {
        assert_eq!(got, want);
        named.push(got.0);
    }
    named.sort_unstable();
    named.dedup();
    let mut all: Vec<&str> = checks::all_codes().collect();
    all.sort_unstable();
    assert_eq!(named, all, "the table gives every code its severity");
}

#[test]
fn several_problems_on_one_bar_no_ok() {
    // Frames 1-2 (MSI-X) read-only, every other frame refused.
    let mut f = healthy_with(|i| {
        if (1..=2).contains(&i) {
            Trial::ReadOnly
        } else {
            DENIED
        }
    });
    f.bars[0].ram_overlap = true;
    f.bars[0].res.claimed = false;
    f.bars[0].p2m = Some(P2m {
        frames: BAR0_FRAMES,
        non_identity: 1,
        invalid: 0,
        first: Some((0xfea10, 0x1_2345)),
    });
    f.bars[0].read_probe = Some(0x1);
    let out = check(&f);
    assert_eq!(
        codes(&out),
        [
            "pcifront",
            "unclaimed",
            "ram-overlap",
            "p2m-not-identity",
            "xen-eperm",
            "xen-read-only",
            "read-ok"
        ]
    );
    assert_eq!(
        only(&out, "xen-eperm").kind,
        Kind::XenRefused {
            pfn: 0xfea00,
            rc: EPERM,
            refused: 254,
            tested: 256,
            frames: 256
        }
    );
    assert_eq!(
        only(&out, "xen-read-only").kind,
        Kind::XenReadOnly {
            pfn: 0xfea01,
            count: 2
        }
    );
    assert_eq!(out.count(Severity::Error), 4);
    assert_eq!(out.count(Severity::Warning), 0);
    assert_eq!(out.count(Severity::Info), 3);
}

#[test]
fn findings_capacity_drops_the_rest() {
    let mut f = six_sub_page_bars();
    f.cfg.command = 0;
    let out = check(&f);
    // pcifront + decode-off + 6 * (unclaimed, sub-page, 5 shared, ram, read-all-ones) = 56.
    assert_eq!(out.len(), MAX_FINDINGS);
    assert_eq!(out.dropped, 56 - MAX_FINDINGS as u32);
    assert_eq!(out.iter().count(), MAX_FINDINGS);
    assert_eq!(verdict(&out), "FAIL");
}

#[test]
fn bar_ending_at_top_of_address_space() {
    // A 64-bit BAR whose last byte is 2^64 - 1: the PCI core builds [start, u64::MAX].
    let mut f = healthy_at_top();
    f.bars[0].verdict = None;
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "beyond-phys-bits"]);
    assert_eq!(
        only(&out, "beyond-phys-bits").kind,
        Kind::BeyondPhysBits {
            end: u64::MAX,
            bits: 40
        }
    );
    // Unknown address width: nothing to complain about.
    f.ctx.phys_bits = 0;
    assert_eq!(check_codes(&f), ["pcifront", "ok"]);
}

#[test]
fn resource_len_like_pci_resource_len() {
    let r = |start, end| Resource {
        start,
        end,
        flags: IORESOURCE_MEM,
        claimed: true,
    };
    assert_eq!(r(0, 0).len(), 0);
    assert_eq!(r(0x1000, 0xfff).len(), 0);
    assert_eq!(r(0x1000, 0x1000).len(), 1);
    assert_eq!(r(BAR0, BAR0 + BAR0_LEN - 1).len(), BAR0_LEN);
    assert_eq!(r(1, u64::MAX).len(), u64::MAX);
    // resource_size() wraps to 0 for the whole 64-bit space.
    assert_eq!(r(0, u64::MAX).len(), 0);
    assert!(r(0, 0).is_empty(), "no bytes, whatever the flags say");
    assert!(
        r(0, u64::MAX).is_empty(),
        "the wrapped whole-space resource has no length"
    );
    assert!(!r(0x1000, 0x1000).is_empty());
    assert!(Resource::default().is_empty());
}

// ---- read_probe_safe ------------------------------------------------------------------------

struct SafeCase {
    name: &'static str,
    setup: fn(&mut DeviceFacts),
    bar: usize,
    want: bool,
}

#[test]
fn read_probe_safe_only_where_a_driver_could_read() {
    let cases = [
        SafeCase {
            name: "claimed memory BAR, first frame granted",
            setup: |_| {},
            bar: 0,
            want: true,
        },
        SafeCase {
            name: "first frame read-only (MSI-X table at offset 0)",
            setup: |f| {
                *f = healthy_with(|i| {
                    if i == 0 {
                        Trial::ReadOnly
                    } else {
                        Trial::Mapped
                    }
                })
            },
            bar: 0,
            want: true,
        },
        SafeCase {
            name: "first frame granted, the rest refused: the probe maps one page",
            setup: |f| *f = healthy_with(|i| if i == 0 { Trial::Mapped } else { DENIED }),
            bar: 0,
            want: true,
        },
        SafeCase {
            name: "frame 0 refused, the rest granted",
            setup: |f| *f = healthy_with(|i| if i == 0 { DENIED } else { Trial::Mapped }),
            bar: 0,
            want: false,
        },
        SafeCase {
            name: "every frame refused (2009)",
            setup: |f| *f = refused_with(-1),
            bar: 0,
            want: false,
        },
        SafeCase {
            name: "the batch with frame 0 failed",
            setup: |f| {
                let mut m =
                    Model::new(BAR0_PFN, BAR0_FRAMES, 64, |_| Trial::Mapped).failing(0, -14);
                f.bars[0].verdict = Some(m.scan(1 << 20));
            },
            bar: 0,
            want: false,
        },
        SafeCase {
            name: "sampled BAR, frame 0 granted",
            setup: |f| {
                f.bars[0].verdict = Some(scan_sampled(BAR0_PFN, BAR0_FRAMES, 64, |_| Trial::Mapped))
            },
            bar: 0,
            want: true,
        },
        SafeCase {
            name: "unclaimed",
            setup: |f| f.bars[0].res.claimed = false,
            bar: 0,
            want: false,
        },
        SafeCase {
            name: "unset",
            setup: |f| f.bars[0].res.flags |= IORESOURCE_UNSET,
            bar: 0,
            want: false,
        },
        SafeCase {
            name: "no resource",
            setup: |f| f.bars[0].res = Resource::default(),
            bar: 0,
            want: false,
        },
        SafeCase {
            // The flags say memory, but there are no bytes to read.
            name: "a zero-length resource still flagged memory",
            setup: |f| {
                f.bars[0].res = Resource {
                    start: 0,
                    end: 0,
                    flags: IORESOURCE_MEM,
                    claimed: true,
                }
            },
            bar: 0,
            want: false,
        },
        SafeCase {
            name: "a zero-length resource still flagged I/O",
            setup: |f| {
                *f = with_io_bar1();
                f.bars[1].res = Resource {
                    start: 0xc000,
                    end: 0xbfff,
                    flags: IORESOURCE_IO,
                    claimed: true,
                };
            },
            bar: 1,
            want: false,
        },
        SafeCase {
            name: "inside guest RAM",
            setup: |f| f.bars[0].ram_overlap = true,
            bar: 0,
            want: false,
        },
        SafeCase {
            name: "Xen not asked (no verdict)",
            setup: |f| {
                f.bars[0].verdict = None;
                f.bars[0].skipped = Some(Skip::P2m);
            },
            bar: 0,
            want: false,
        },
        SafeCase {
            name: "device gone",
            setup: |f| f.cfg.class_rev = u32::MAX,
            bar: 0,
            want: false,
        },
        SafeCase {
            name: "memory BAR with an I/O resource",
            setup: |f| f.bars[0].res.flags = IORESOURCE_IO,
            bar: 0,
            want: false,
        },
        SafeCase {
            name: "the ROM, even with a granted first frame",
            setup: |f| {
                f.cfg.rom = 0xfeb0_0001;
                f.bars[6].res = mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM);
                f.bars[6].verdict = Some(all_mapped_at(0xfeb00, 16));
            },
            bar: 6,
            want: false,
        },
        SafeCase {
            name: "an unused register with a resource",
            setup: |f| {
                f.bars[2].res = mem_res(0xfeb0_0000, 0x4000, IORESOURCE_MEM);
                f.bars[2].verdict = Some(all_mapped_at(0xfeb00, 4));
            },
            bar: 2,
            want: false,
        },
        SafeCase {
            name: "the upper half of a 64-bit BAR",
            setup: |f| {
                f.cfg.bars = [0xc000_000c, 0x38, 0, 0, 0, 0];
                f.bars[0].res = mem_res(
                    0x38_c000_0000,
                    0x1000_0000,
                    IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
                );
                f.bars[0].verdict = Some(all_mapped_at(0x38_c000_0000 >> PAGE_SHIFT, 0x1_0000));
                f.bars[1] = f.bars[0];
            },
            bar: 1,
            want: false,
        },
        SafeCase {
            name: "the same 64-bit BAR at its own index",
            setup: |f| {
                f.cfg.bars = [0xc000_000c, 0x38, 0, 0, 0, 0];
                f.bars[0].res = mem_res(
                    0x38_c000_0000,
                    0x1000_0000,
                    IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
                );
                f.bars[0].verdict = Some(all_mapped_at(0x38_c000_0000 >> PAGE_SHIFT, 0x1_0000));
            },
            bar: 0,
            want: true,
        },
        SafeCase {
            name: "claimed I/O BAR: no Xen verdict needed",
            setup: |f| *f = with_io_bar1(),
            bar: 1,
            want: true,
        },
        SafeCase {
            name: "I/O BAR with a memory resource",
            setup: |f| {
                *f = with_io_bar1();
                f.bars[1].res.flags = IORESOURCE_MEM;
            },
            bar: 1,
            want: false,
        },
        SafeCase {
            name: "I/O BAR unclaimed",
            setup: |f| {
                *f = with_io_bar1();
                f.bars[1].res.claimed = false;
            },
            bar: 1,
            want: false,
        },
        SafeCase {
            name: "I/O BAR of a gone device",
            setup: |f| {
                *f = with_io_bar1();
                f.cfg.class_rev = u32::MAX;
            },
            bar: 1,
            want: false,
        },
        SafeCase {
            name: "I/O BAR of exactly 4 ports",
            setup: |f| {
                *f = with_io_bar1();
                f.bars[1].res = io_res(0xc000, 4);
            },
            bar: 1,
            want: true,
        },
    ];
    for c in &cases {
        let mut f = healthy();
        (c.setup)(&mut f);
        assert_eq!(read_probe_safe(&f, c.bar), c.want, "{}", c.name);
    }
}

#[test]
fn read_probe_safe_needs_a_whole_dword() {
    // `read_first_dword` (src/probe.rs) does ioread32 at offset 0, "at least 4 (`read_probe_safe`
    // checked the length)": an inl on a 2-port resource reads two ports beyond it.
    let mut f = with_io_bar1();
    f.bars[1].res = io_res(0xc000, 2);
    assert!(!read_probe_safe(&f, 1), "2-port I/O BAR");

    let mut f = healthy();
    f.cfg.bars[1] = 0xfeb0_0000;
    f.bars[1].res = mem_res(0xfeb0_0000, 2, IORESOURCE_MEM);
    f.bars[1].verdict = Some(all_mapped_at(0xfeb00, 1));
    assert!(!read_probe_safe(&f, 1), "2-byte memory BAR");
}

#[test]
fn io_all_ones_needs_io_decoding() {
    // Kind::IoAllOnes: "read all-ones while the device answers config reads and decodes I/O";
    // its wording says so too. With PCI_COMMAND_IO clear after the enable, all-ones is what
    // the device itself returns, and the ioports= fix would not help.
    let mut f = with_io_bar1();
    f.cfg.command = PCI_COMMAND_MEMORY;
    f.bars[1].read_probe = Some(u32::MAX);
    let out = check(&f);
    assert!(out.find("io-all-ones").is_none(), "{:?}", coded(&out));
}

/// The holes scenario under load: pciback timed out on one read, the upper half of a 64-bit
/// BAR. The register's value is not the device's, so nothing is judged from it (no
/// start-mismatch), while the resource-based checks and Xen's verdict still are.
#[test]
fn failed_register_read_is_not_judged() {
    let start = 0xe000_0000_u64;
    let mut f = healthy();
    f.cfg.bars = [start as u32 | 0xc, u32::MAX, 0, 0, 0, 0];
    f.cfg.read_errors = 1;
    f.cfg.bars_failed = 1 << 1;
    f.bars[0].res = mem_res(
        start,
        1 << 28,
        IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
    );
    f.bars[0].verdict = Some(scan_model(start >> 12, 1 << 16, |i| {
        if (0x8000..0x8010).contains(&i) {
            DENIED
        } else {
            Trial::Mapped
        }
    }));
    let out = check(&f);
    let codes: Vec<_> = out.iter().map(|x| (x.code(), x.bar)).collect();
    assert_eq!(
        codes,
        [
            ("pcifront", None),
            ("config-read-error", None),
            ("bar-read-failed", Some(0)),
            ("xen-eperm", Some(0)),
        ]
    );
}
