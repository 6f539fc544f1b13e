//! The checks (`diag::checks`): every finding kind from hand-built facts.

mod common;

use common::*;
use pcifront_diag_core::diag::checks::{
    check, decode_all, Finding, Kind, Severity, EBUSY, EINVAL, EPERM, MAX_FINDINGS,
};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::verdict;

fn only<'a>(f: &'a pcifront_diag_core::diag::checks::Findings, code: &str) -> &'a Finding {
    let all: Vec<&Finding> = f.iter().filter(|x| x.code() == code).collect();
    assert_eq!(
        all.len(),
        1,
        "expected exactly one {code}, got {:?}",
        codes(f)
    );
    all[0]
}

/// Puts a refused verdict on BAR0 of the healthy device.
fn refused_with(rc: i32) -> DeviceFacts {
    let mut f = healthy();
    f.bars[0].verdict = Some(Verdict {
        frames: BAR0_FRAMES,
        hypercalls: 2,
        tested: 2,
        exhaustive: false,
        refused: BAR0_FRAMES,
        first_refused: Some((BAR0 >> PAGE_SHIFT, rc)),
        read_only: 0,
        first_read_only: None,
    });
    f
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

#[test]
fn context_not_xen_pv() {
    let mut f = healthy();
    f.ctx.xen_pv = false;
    f.ctx.pcifront = false;
    f.ctx.backend_domid = None;
    f.bars[0].verdict = None;
    f.bars[0].p2m = None;
    f.bars[0].skipped = Some(Skip::NotPv);
    let out = check(&f);
    assert_eq!(codes(&out), ["not-xen-pv", "ok"]);
    assert_eq!(out.find("not-xen-pv").unwrap().kind, Kind::NotXenPv);
    assert_eq!(out.find("not-xen-pv").unwrap().severity(), Severity::Info);
    assert_eq!(verdict(&out), "OK");
}

#[test]
fn context_dom0_wins_over_everything() {
    let mut f = healthy();
    f.ctx.initial_domain = true;
    let out = check(&f);
    assert_eq!(coded(&out), [("dom0", None), ("ok", Some(0))]);
    assert_eq!(out.find("dom0").unwrap().kind, Kind::InitialDomain);
    assert_eq!(out.find("dom0").unwrap().severity(), Severity::Info);
}

#[test]
fn context_not_pcifront() {
    let mut f = healthy();
    f.ctx.pcifront = false;
    let out = check(&f);
    assert_eq!(codes(&out), ["not-pcifront", "ok"]);
    assert_eq!(out.find("not-pcifront").unwrap().kind, Kind::NotPcifront);
    assert_eq!(out.find("not-pcifront").unwrap().severity(), Severity::Info);
}

#[test]
fn pcifront_without_backend_id() {
    let mut f = healthy();
    f.ctx.backend_domid = None;
    f.ctx.ram_pages = 0;
    let out = check(&f);
    assert_eq!(
        out.find("pcifront").unwrap().kind,
        Kind::Pcifront {
            backend: None,
            ram_pages: 0
        }
    );
}

#[test]
fn device_gone_hides_per_bar_all_ones() {
    let mut f = healthy();
    f.cfg.id = u32::MAX;
    f.cfg.class_rev = u32::MAX;
    f.cfg.command = 0xffff;
    f.cfg.bars = [u32::MAX; 6];
    f.cfg.rom = u32::MAX;
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "device-gone"]);
    let g = only(&out, "device-gone");
    assert_eq!(g.bar, None);
    assert_eq!(
        g.kind,
        Kind::DeviceGone {
            class_rev: u32::MAX
        }
    );
    assert_eq!(g.severity(), Severity::Error);
    assert_eq!(verdict(&out), "FAIL");

    // Decoding off is not reported on top of a gone device.
    f.cfg.command = 0;
    f.cfg.bars[0] = BAR0 as u32;
    assert!(check(&f).find("decode-off").is_none());
}

#[test]
fn config_read_errors() {
    let mut f = healthy();
    f.cfg.read_errors = 3;
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "config-read-error", "ok"]);
    let e = only(&out, "config-read-error");
    assert_eq!(e.kind, Kind::ConfigReadErrors { count: 3 });
    assert_eq!(e.severity(), Severity::Error);
    assert_eq!(verdict(&out), "FAIL");
}

#[test]
fn decode_off_before_enable_is_info() {
    let mut f = healthy();
    f.cfg.command = 0x0400;
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "decode-off", "ok"]);
    let d = only(&out, "decode-off");
    assert_eq!(d.bar, None);
    assert_eq!(
        d.kind,
        Kind::DecodeOff {
            command: 0x0400,
            after_enable: false
        }
    );
    assert_eq!(d.severity(), Severity::Info);
    assert_eq!(verdict(&out), "OK");
}

#[test]
fn decode_off_after_read_probe_is_error() {
    let mut f = healthy();
    f.cfg.command = 0;
    f.bars[0].read_probe = Some(u32::MAX);
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "decode-off", "read-all-ones"]);
    let d = only(&out, "decode-off");
    assert_eq!(
        d.kind,
        Kind::DecodeOff {
            command: 0,
            after_enable: true
        }
    );
    assert_eq!(d.severity(), Severity::Error);
    assert_eq!(verdict(&out), "FAIL");
}

#[test]
fn decode_off_ignored_without_memory_bars() {
    // Only an I/O BAR and a ROM: PCI_COMMAND_MEMORY does not matter.
    let mut f = healthy();
    f.cfg.command = PCI_COMMAND_IO;
    f.cfg.bars = [0xc001, 0, 0, 0, 0, 0];
    f.cfg.rom = 0xfeb0_0000;
    f.bars[0] = BarFacts {
        res: Resource {
            start: 0xc000,
            end: 0xc01f,
            flags: IORESOURCE_IO,
            claimed: true,
        },
        skipped: Some(Skip::IoPorts),
        ..BarFacts::default()
    };
    f.bars[6].res = mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM);
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [("pcifront", None), ("io-ports", Some(0)), ("ok", Some(6))]
    );
}

#[test]
fn io_ports_are_info() {
    let mut f = healthy();
    f.cfg.bars = [BAR0 as u32, 0xc001, 0, 0, 0, 0];
    f.bars[1] = BarFacts {
        res: Resource {
            start: 0xc000,
            end: 0xc01f,
            flags: IORESOURCE_IO,
            claimed: true,
        },
        skipped: Some(Skip::IoPorts),
        ..BarFacts::default()
    };
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [("pcifront", None), ("ok", Some(0)), ("io-ports", Some(1))]
    );
    let io = only(&out, "io-ports");
    assert_eq!(
        io.kind,
        Kind::IoPorts {
            start: 0xc000,
            len: 0x20
        }
    );
    assert_eq!(io.severity(), Severity::Info);
    assert_eq!(verdict(&out), "OK");
}

#[test]
fn bar_all_ones() {
    let mut f = healthy();
    f.cfg.bars[1] = u32::MAX;
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [
            ("pcifront", None),
            ("ok", Some(0)),
            ("bar-all-ones", Some(1))
        ]
    );
    let a = only(&out, "bar-all-ones");
    assert_eq!(a.kind, Kind::BarAllOnes);
    assert_eq!(a.severity(), Severity::Error);
}

#[test]
fn bar_hidden() {
    let mut f = healthy();
    f.bars[2].res = mem_res(0xfeb0_0000, 0x4000, IORESOURCE_MEM);
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [("pcifront", None), ("ok", Some(0)), ("bar-hidden", Some(2))]
    );
    let h = only(&out, "bar-hidden");
    assert_eq!(h.kind, Kind::BarHidden { len: 0x4000 });
    assert_eq!(h.severity(), Severity::Error);

    // An unused ROM register with a guest resource is not reported.
    let mut f = healthy();
    f.bars[6].res = mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM);
    assert_eq!(check_codes(&f), ["pcifront", "ok"]);
}

#[test]
fn bar_64_truncated() {
    let mut f = healthy();
    f.cfg.bars[5] = 0xd000_000c;
    f.bars[5].res = mem_res(
        0xd000_0000,
        BAR0_LEN,
        IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
    );
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [
            ("pcifront", None),
            ("ok", Some(0)),
            ("bar-64-truncated", Some(5))
        ]
    );
    let t = only(&out, "bar-64-truncated");
    assert_eq!(t.kind, Kind::Truncated64);
    assert_eq!(t.severity(), Severity::Error);
}

#[test]
fn bar_reserved_type() {
    let mut f = healthy();
    f.cfg.bars[1] = 0xf000_0006;
    f.bars[1].res = mem_res(0xf000_0000, 0x1_0000, IORESOURCE_MEM);
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [
            ("pcifront", None),
            ("ok", Some(0)),
            ("bar-reserved-type", Some(1))
        ]
    );
    let r = only(&out, "bar-reserved-type");
    assert_eq!(r.kind, Kind::ReservedType);
    assert_eq!(r.severity(), Severity::Error);
}

#[test]
fn unclaimed_not_in_resource_tree() {
    let mut f = healthy();
    f.bars[0].res.claimed = false;
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "unclaimed"]);
    let u = only(&out, "unclaimed");
    assert_eq!(
        u.kind,
        Kind::Unclaimed {
            start: BAR0,
            end: BAR0 + BAR0_LEN - 1,
            unset: false
        }
    );
    assert_eq!(u.severity(), Severity::Error);
    assert_eq!(verdict(&out), "FAIL");
}

#[test]
fn unclaimed_unset_skips_start_mismatch() {
    let mut f = healthy();
    f.bars[0].res = Resource {
        start: 0,
        end: BAR0_LEN - 1,
        flags: IORESOURCE_MEM | IORESOURCE_UNSET,
        claimed: false,
    };
    f.bars[0].verdict = None;
    f.bars[0].p2m = None;
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "unclaimed"]);
    assert_eq!(
        only(&out, "unclaimed").kind,
        Kind::Unclaimed {
            start: 0,
            end: BAR0_LEN - 1,
            unset: true
        }
    );
}

#[test]
fn unclaimed_when_no_resource_was_built() {
    let mut f = healthy();
    f.bars[0].res = Resource {
        flags: IORESOURCE_UNSET,
        ..Resource::default()
    };
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "unclaimed"]);
    assert_eq!(
        only(&out, "unclaimed").kind,
        Kind::Unclaimed {
            start: 0,
            end: 0,
            unset: true
        }
    );

    f.bars[0].res = Resource::default();
    assert!(f.bars[0].res.is_empty());
    assert_eq!(
        only(&check(&f), "unclaimed").kind,
        Kind::Unclaimed {
            start: 0,
            end: 0,
            unset: false
        }
    );
}

#[test]
fn rom_unclaimed_and_start_mismatch_are_warnings() {
    let mut f = healthy();
    f.cfg.rom = 0xfeb0_0001;
    f.bars[6].res = Resource {
        claimed: false,
        ..mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM)
    };
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [("pcifront", None), ("ok", Some(0)), ("unclaimed", Some(6))]
    );
    assert_eq!(only(&out, "unclaimed").severity(), Severity::Warning);
    assert_eq!(verdict(&out), "WARN");

    f.bars[6].res = mem_res(0xfec0_0000, 0x1_0000, IORESOURCE_MEM);
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [
            ("pcifront", None),
            ("ok", Some(0)),
            ("start-mismatch", Some(6))
        ]
    );
    assert_eq!(only(&out, "start-mismatch").severity(), Severity::Warning);
}

#[test]
fn rom_ok() {
    let mut f = healthy();
    f.cfg.rom = 0xfeb0_0000;
    // A ROM resource carries no 64-bit/prefetch expectations.
    f.bars[6].res = mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM | IORESOURCE_PREFETCH);
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [("pcifront", None), ("ok", Some(0)), ("ok", Some(6))]
    );
}

#[test]
fn start_mismatch() {
    let mut f = healthy();
    f.bars[0].res = mem_res(0xe000_0000, BAR0_LEN, IORESOURCE_MEM);
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "start-mismatch"]);
    let s = only(&out, "start-mismatch");
    assert_eq!(
        s.kind,
        Kind::StartMismatch {
            bar: BAR0,
            res: 0xe000_0000
        }
    );
    assert_eq!(s.severity(), Severity::Error);
}

#[test]
fn size_inconsistent_not_power_of_two() {
    let mut f = healthy();
    f.bars[0].res = mem_res(BAR0, 0x18_0000, IORESOURCE_MEM);
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "size-inconsistent"]);
    let s = only(&out, "size-inconsistent");
    assert_eq!(
        s.kind,
        Kind::SizeInconsistent {
            start: BAR0,
            len: 0x18_0000
        }
    );
    assert_eq!(s.severity(), Severity::Warning);
    assert_eq!(verdict(&out), "WARN");
}

#[test]
fn size_inconsistent_misaligned() {
    let mut f = healthy();
    f.cfg.bars[0] = 0xfe90_0000;
    f.bars[0].res = mem_res(0xfe90_0000, 0x20_0000, IORESOURCE_MEM);
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "size-inconsistent"]);
    assert_eq!(
        only(&out, "size-inconsistent").kind,
        Kind::SizeInconsistent {
            start: 0xfe90_0000,
            len: 0x20_0000
        }
    );
}

#[test]
fn flag_mismatch_prefetch() {
    let mut f = healthy();
    f.bars[0].res.flags = IORESOURCE_MEM | IORESOURCE_PREFETCH;
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "flag-mismatch"]);
    let m = only(&out, "flag-mismatch");
    assert_eq!(
        m.kind,
        Kind::FlagMismatch {
            bar64: false,
            res64: false,
            bar_pf: false,
            res_pf: true
        }
    );
    assert_eq!(m.severity(), Severity::Warning);
}

#[test]
fn flag_mismatch_64bit() {
    let mut f = healthy();
    f.cfg.bars = [0xc000_000c, 0x38, 0, 0, 0, 0];
    f.bars[0].res = mem_res(
        0x38_c000_0000,
        0x1000_0000,
        IORESOURCE_MEM | IORESOURCE_PREFETCH,
    );
    f.bars[0].verdict = None;
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "flag-mismatch"]);
    assert_eq!(
        only(&out, "flag-mismatch").kind,
        Kind::FlagMismatch {
            bar64: true,
            res64: false,
            bar_pf: true,
            res_pf: true
        }
    );

    // With matching flags the same BAR is fine.
    f.bars[0].res.flags |= IORESOURCE_MEM_64;
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "ok"]);
    assert_eq!(
        only(&out, "ok").kind,
        Kind::BarOk {
            start: 0x38_c000_0000,
            len: 0x1000_0000,
            is64: true,
            prefetch: true,
        }
    );
}

#[test]
fn type_mismatch_io_bar_memory_resource() {
    let mut f = healthy();
    f.cfg.bars[1] = 0xc001;
    f.bars[1].res = Resource {
        start: 0xc000,
        end: 0xc01f,
        flags: IORESOURCE_MEM,
        claimed: true,
    };
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [
            ("pcifront", None),
            ("ok", Some(0)),
            ("type-mismatch", Some(1)),
            ("io-ports", Some(1))
        ]
    );
    let t = only(&out, "type-mismatch");
    assert_eq!(t.kind, Kind::TypeMismatch { bar_io: true });
    assert_eq!(t.severity(), Severity::Error);
}

#[test]
fn type_mismatch_memory_bar_io_resource() {
    let mut f = healthy();
    f.bars[0].res.flags = IORESOURCE_IO;
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "type-mismatch"]);
    assert_eq!(
        only(&out, "type-mismatch").kind,
        Kind::TypeMismatch { bar_io: false }
    );
}

#[test]
fn sub_page() {
    let mut f = healthy();
    f.cfg.bars[1] = 0xfeb0_0000;
    f.bars[1].res = mem_res(0xfeb0_0000, 0x100, IORESOURCE_MEM);
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [("pcifront", None), ("ok", Some(0)), ("sub-page", Some(1))]
    );
    let s = only(&out, "sub-page");
    assert_eq!(
        s.kind,
        Kind::SubPage {
            start: 0xfeb0_0000,
            len: 0x100
        }
    );
    assert_eq!(s.severity(), Severity::Warning);
}

#[test]
fn shared_frame() {
    let mut f = healthy();
    f.cfg.bars[1] = 0xfeb0_0000;
    f.cfg.bars[2] = 0xfeb0_0100;
    f.bars[1].res = mem_res(0xfeb0_0000, 0x100, IORESOURCE_MEM);
    f.bars[2].res = mem_res(0xfeb0_0100, 0x100, IORESOURCE_MEM);
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [
            ("pcifront", None),
            ("ok", Some(0)),
            ("sub-page", Some(1)),
            ("shared-frame", Some(1)),
            ("sub-page", Some(2)),
            ("shared-frame", Some(2)),
        ]
    );
    let shared: Vec<Kind> = out
        .iter()
        .filter(|x| x.code() == "shared-frame")
        .map(|x| x.kind)
        .collect();
    assert_eq!(
        shared,
        [
            Kind::SharedFrame {
                pfn: 0xfeb00,
                other: 2
            },
            Kind::SharedFrame {
                pfn: 0xfeb00,
                other: 1
            }
        ]
    );
    assert!(out
        .iter()
        .filter(|x| x.code() == "shared-frame")
        .all(|x| x.severity() == Severity::Warning));
    assert_eq!(verdict(&out), "WARN");
}

#[test]
fn beyond_phys_bits() {
    let mut f = healthy();
    f.cfg.bars[2] = 0x0000_000c;
    f.cfg.bars[3] = 0x100;
    let flags = IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH;
    f.bars[2].res = mem_res(0x100_0000_0000, BAR0_LEN, flags);
    let out = check(&f);
    assert_eq!(
        coded(&out),
        [
            ("pcifront", None),
            ("ok", Some(0)),
            ("beyond-phys-bits", Some(2))
        ]
    );
    let b = only(&out, "beyond-phys-bits");
    assert_eq!(
        b.kind,
        Kind::BeyondPhysBits {
            end: 0x100_000f_ffff,
            bits: 40
        }
    );
    assert_eq!(b.severity(), Severity::Error);

    // One more address bit and it fits; unknown width (0) is not checked.
    f.ctx.phys_bits = 41;
    assert_eq!(check_codes(&f), ["pcifront", "ok", "ok"]);
    f.ctx.phys_bits = 0;
    assert_eq!(check_codes(&f), ["pcifront", "ok", "ok"]);
}

#[test]
fn ram_overlap() {
    let mut f = healthy();
    f.bars[0].ram_overlap = true;
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "ram-overlap"]);
    let r = only(&out, "ram-overlap");
    assert_eq!(
        r.kind,
        Kind::RamOverlap {
            start: BAR0,
            end: BAR0 + BAR0_LEN - 1
        }
    );
    assert_eq!(r.severity(), Severity::Error);
}

#[test]
fn p2m_not_identity() {
    let mut f = healthy();
    f.bars[0].verdict = None;
    f.bars[0].skipped = Some(Skip::P2m);
    f.bars[0].p2m = Some(P2m {
        frames: BAR0_FRAMES,
        non_identity: 256,
        invalid: 256,
        first: Some((0xfea00, u64::MAX)),
    });
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "p2m-not-identity"]);
    let p = only(&out, "p2m-not-identity");
    assert_eq!(
        p.kind,
        Kind::P2mNotIdentity {
            pfn: 0xfea00,
            raw: u64::MAX,
            count: 256,
            invalid: 256
        }
    );
    assert_eq!(p.severity(), Severity::Error);
}

#[test]
fn xen_refusal_codes_by_rc() {
    for (rc, code) in [
        (EPERM, "xen-eperm"),
        (EINVAL, "xen-einval"),
        (EBUSY, "xen-ebusy"),
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
                frames: BAR0_FRAMES,
                exhaustive: false
            }
        );
        assert_eq!(x.severity(), Severity::Error);
        assert_eq!(verdict(&out), "FAIL");
    }
    assert_eq!((EPERM, EBUSY, EINVAL), (-1, -16, -22));
}

#[test]
fn xen_read_only() {
    let mut f = healthy();
    f.bars[0].verdict = Some(Verdict {
        read_only: 1,
        first_read_only: Some(0xfea03),
        ..all_mapped(BAR0_FRAMES)
    });
    let out = check(&f);
    // Read-only MSI-X frames are expected: the BAR is still usable.
    assert_eq!(codes(&out), ["pcifront", "xen-read-only", "ok"]);
    let r = only(&out, "xen-read-only");
    assert_eq!(
        r.kind,
        Kind::XenReadOnly {
            pfn: 0xfea03,
            count: 1
        }
    );
    assert_eq!(r.severity(), Severity::Info);
    assert_eq!(verdict(&out), "OK");
}

#[test]
fn scratch_failed() {
    let mut f = healthy();
    f.bars[0].verdict = None;
    f.bars[0].skipped = Some(Skip::Scratch(-12));
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "scratch-failed"]);
    let s = only(&out, "scratch-failed");
    assert_eq!(s.kind, Kind::ScratchFailed { rc: -12 });
    assert_eq!(s.severity(), Severity::Warning);

    // Other skip reasons produce no finding of their own.
    for skip in [Skip::NotPv, Skip::NoResource, Skip::IoPorts] {
        f.bars[0].skipped = Some(skip);
        assert_eq!(check_codes(&f), ["pcifront", "ok"], "{skip:?}");
    }
}

#[test]
fn read_probe_all_ones() {
    let mut f = healthy();
    f.bars[0].read_probe = Some(u32::MAX);
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "read-all-ones"]);
    let r = only(&out, "read-all-ones");
    assert_eq!(r.kind, Kind::ReadProbeAllOnes);
    assert_eq!(r.severity(), Severity::Error);
}

#[test]
fn read_probe_ok() {
    let mut f = healthy();
    f.bars[0].read_probe = Some(0x10ec_8168);
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "read-ok", "ok"]);
    let r = only(&out, "read-ok");
    assert_eq!(r.kind, Kind::ReadProbe { value: 0x10ec_8168 });
    assert_eq!(r.severity(), Severity::Info);
    assert_eq!(verdict(&out), "OK");
}

#[test]
fn severities_order_and_names() {
    assert!(Severity::Error < Severity::Warning);
    assert!(Severity::Warning < Severity::Info);
    assert_eq!(Severity::Error.as_str(), "error");
    assert_eq!(Severity::Warning.as_str(), "warning");
    assert_eq!(Severity::Info.as_str(), "info");
}

#[test]
fn severity_and_code_table() {
    let sev = |bar: Option<u8>, kind: Kind| {
        let f = Finding { bar, kind };
        (f.code(), f.severity())
    };
    use Severity::*;
    let b0 = Some(0);
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
        (
            sev(b0, Kind::XenReadOnly { pfn: 0, count: 1 }),
            ("xen-read-only", Info),
        ),
        (
            sev(b0, Kind::ScratchFailed { rc: -12 }),
            ("scratch-failed", Warning),
        ),
        (
            sev(b0, Kind::IoPorts { start: 0, len: 8 }),
            ("io-ports", Info),
        ),
        (sev(b0, Kind::ReadProbeAllOnes), ("read-all-ones", Error)),
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
}

#[test]
fn several_problems_on_one_bar_no_ok() {
    let mut f = healthy();
    f.bars[0].ram_overlap = true;
    f.bars[0].res.claimed = false;
    f.bars[0].p2m = Some(P2m {
        frames: BAR0_FRAMES,
        non_identity: 1,
        invalid: 0,
        first: Some((0xfea10, 0x1_2345)),
    });
    f.bars[0].verdict = Some(Verdict {
        read_only: 2,
        first_read_only: Some(0xfea01),
        ..refused_with(EPERM).bars[0].verdict.unwrap()
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
    assert_eq!(out.count(Severity::Error), 4);
    assert_eq!(out.count(Severity::Warning), 0);
    assert_eq!(out.count(Severity::Info), 3);
}

#[test]
fn findings_capacity_drops_the_rest() {
    // Six sub-page BARs in one frame: each shares it with five others.
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
    let mut f = healthy();
    f.cfg.bars = [0xfff0_000c, u32::MAX, 0, 0, 0, 0];
    let start = 0xffff_ffff_fff0_0000;
    f.bars[0].res = Resource {
        start,
        end: u64::MAX,
        flags: IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
        claimed: true,
    };
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
    assert!(!r(0, 0).is_empty(), "flags still say memory");
    assert!(Resource::default().is_empty());
}
