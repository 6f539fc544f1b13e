//! Wording (`diag::report`): BDF parsing, log lines, summary and the JSON report.

mod common;

use common::*;
use pcifront_diag_core::diag::checks::{check, Finding, Findings, Kind, Severity};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::{
    scope, verdict, write_evidence, write_fix, write_json, write_line, write_summary, write_what,
    Bdf, Meta,
};
use pcifront_diag_core::diag::trial::{scan, FULL_SCAN_FRAMES};
use proptest::prelude::*;
use serde_json::Value;

fn comm(s: &str) -> [u8; 16] {
    let mut c = [0u8; 16];
    c[..s.len()].copy_from_slice(s.as_bytes());
    c
}

fn meta() -> Meta {
    Meta {
        bdf: Bdf {
            domain: 0,
            bus: 0,
            dev: 4,
            func: 0,
        },
        backend_bdf: Some(Bdf {
            domain: 0,
            bus: 3,
            dev: 0,
            func: 0,
        }),
        vendor: 0x8086,
        device: 0x1234,
        pid: 4242,
        comm: comm("cat"),
        config_reads: 12,
        hypercalls: 2,
        probe_ns: 1_500_000,
    }
}

/// The 2009 case: Xen refuses every frame of BAR0 with -EPERM (`iomem=` missing).
fn case_2009() -> DeviceFacts {
    let mut f = healthy();
    let v = scan(BAR0 >> PAGE_SHIFT, BAR0_FRAMES, FULL_SCAN_FRAMES, |_| {
        Trial::Refused(-1)
    });
    assert_eq!(v.refused, 256);
    assert_eq!(v.first_refused, Some((0xfea00, -1)));
    f.bars[0].verdict = Some(v);
    f
}

fn line(f: &Finding, facts: &DeviceFacts, m: &Meta) -> String {
    let mut s = String::new();
    write_line(&mut s, f, facts, m).unwrap();
    s
}

fn lines(facts: &DeviceFacts, m: &Meta) -> Vec<String> {
    check(facts).iter().map(|f| line(f, facts, m)).collect()
}

fn fix(f: &Finding, facts: &DeviceFacts, m: &Meta) -> String {
    let mut s = String::new();
    write_fix(&mut s, f, facts, m).unwrap();
    s
}

fn json(facts: &DeviceFacts, findings: &Findings, m: &Meta) -> Value {
    let mut s = String::new();
    write_json(&mut s, facts, findings, m).unwrap();
    assert!(s.ends_with("}\n"), "JSON report ends with a newline: {s:?}");
    assert_eq!(s.matches('\n').count(), 1, "one line: {s}");
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("invalid JSON ({e}): {s}"))
}

// ---- Bdf ----------------------------------------------------------------------------------

#[test]
fn bdf_parse_full_and_short() {
    let want = Bdf {
        domain: 0,
        bus: 0,
        dev: 4,
        func: 0,
    };
    assert_eq!(Bdf::parse("0000:00:04.0"), Some(want));
    assert_eq!(Bdf::parse("00:04.0"), Some(want));
    assert_eq!(
        Bdf::parse("abcd:Ef:1f.7"),
        Some(Bdf {
            domain: 0xabcd,
            bus: 0xef,
            dev: 0x1f,
            func: 7
        })
    );
    // xenstore values may come NUL- or newline-terminated.
    assert_eq!(Bdf::parse("0000:00:04.0\0"), Some(want));
    assert_eq!(Bdf::parse("0000:00:04.0\n"), Some(want));
    assert_eq!(Bdf::parse("00:04.0 \0\0"), Some(want));
}

#[test]
fn bdf_parse_rejects_invalid() {
    for s in [
        "",
        ".",
        "04.0",
        "0000:00:04",
        "0000:00:04.",
        ":04.0",
        "0000:00:.0",
        "zz:04.0",
        "0000:00:04.g",
        "1:2:3:04.0",
        "0000:00:04.0.1",
        "10000:00:04.0",
        "0000:100:04.0",
        "0000:00:100.0",
        "0000:00:04.10",
        "0000:00:20.0",
        "0000:00:ff.0",
        "0000:00:04.8",
        " 0000:00:04.0",
    ] {
        assert_eq!(Bdf::parse(s), None, "{s:?} must not parse");
    }
}

#[test]
fn bdf_display() {
    let b = Bdf {
        domain: 0,
        bus: 3,
        dev: 0x1f,
        func: 7,
    };
    assert_eq!(b.to_string(), "0000:03:1f.7");
    assert_eq!(Bdf::default().to_string(), "0000:00:00.0");
    assert_eq!(
        Bdf {
            domain: 0xffff,
            bus: 0xff,
            dev: 0,
            func: 1
        }
        .to_string(),
        "ffff:ff:00.1"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn bdf_display_round_trips(domain in any::<u16>(), bus in any::<u8>(), dev in 0u8..=0x1f, func in 0u8..=7) {
        let b = Bdf { domain, bus, dev, func };
        let s = b.to_string();
        prop_assert_eq!(s.len(), 12);
        prop_assert_eq!(Bdf::parse(&s), Some(b));
        // The short form means domain 0.
        let short = &s[5..];
        prop_assert_eq!(Bdf::parse(short), Some(Bdf { domain: 0, ..b }));
    }

    #[test]
    fn bdf_out_of_range_rejected(bus in any::<u8>(), dev in 0x20u8..=0xff, func in 0u8..=0xf) {
        prop_assert_eq!(Bdf::parse(&format!("0000:{bus:02x}:{dev:02x}.{func:x}")), None);
    }

    #[test]
    fn bdf_parse_never_panics(s in "[0-9a-fA-F:. \\n]{0,20}") {
        if let Some(b) = Bdf::parse(&s) {
            prop_assert!(b.dev <= 0x1f && b.func <= 7);
        }
    }
}

// ---- log lines ----------------------------------------------------------------------------

#[test]
fn healthy_lines_exact() {
    let f = healthy();
    let m = meta();
    assert_eq!(
        lines(&f, &m),
        [
            "info pcifront device: device reached through xen-pcifront; evidence: backend=d0 \
             guest_ram=256 MiB phys_bits=40",
            "info ok BAR0: usable; evidence: mem [0xfea00000-0xfeafffff] 1 MiB 32-bit, Xen maps \
             256/256 frames (2 tested, 4 hypercalls)",
        ]
    );
}

#[test]
fn ok_line_64bit_prefetch_not_asked() {
    let mut f = healthy();
    f.cfg.bars = [0xc000_000c, 0x38, 0, 0, 0, 0];
    f.bars[0].res = mem_res(
        0x38_c000_0000,
        0x1000_0000,
        IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
    );
    f.bars[0].verdict = None;
    let out = check(&f);
    let ok = out.find("ok").unwrap();
    assert_eq!(
        line(ok, &f, &meta()),
        "info ok BAR0: usable; evidence: mem [0x38c0000000-0x38cfffffff] 256 MiB 64-bit \
         prefetchable, Xen not asked"
    );
}

#[test]
fn the_2009_case_fails_with_eperm_and_iomem_fix() {
    let f = case_2009();
    let m = meta();
    let out = check(&f);
    assert_eq!(verdict(&out), "FAIL");
    assert_eq!(codes(&out), ["pcifront", "xen-eperm"]);
    let all = lines(&f, &m);
    let l = all
        .iter()
        .find(|l| l.contains("xen-eperm BAR0"))
        .expect("a xen-eperm BAR0 line");
    assert!(
        l.starts_with("error xen-eperm BAR0: Xen refuses to map the BAR"),
        "{l}"
    );
    assert!(
        l.contains(
            "; evidence: pfn=0xfea00 mfn=0xfea00 xen_rc=-1 (-EPERM) refused=256/256 frames \
             (ends tested, boundary bisected); fix: "
        ),
        "{l}"
    );
    let fx = fix(out.find("xen-eperm").unwrap(), &f, &m);
    assert!(fx.contains("iomem=['fea00,100']"), "{fx}");
    assert!(fx.contains("pci=['0000:03:00.0']"), "{fx}");
    assert!(l.ends_with(&fx), "{l}");

    let mut s = String::new();
    write_summary(&mut s, &out, &m).unwrap();
    assert_eq!(
        s,
        "summary: FAIL 1 error(s), 0 warning(s), 1 info; first error: xen-eperm BAR0; cost: 12 \
         config reads, 2 hypercalls, 1500 us"
    );
}

#[test]
fn iomem_fix_rounds_to_whole_frames() {
    // A 16 KiB BAR not aligned to a frame spans 5 frames.
    let mut f = healthy();
    f.cfg.bars[0] = 0xfea0_0800;
    f.bars[0].res = mem_res(0xfea0_0800, 0x4000, IORESOURCE_MEM);
    f.bars[0].verdict = Some(scan(0xfea00, 5, FULL_SCAN_FRAMES, |_| Trial::Refused(-1)));
    let out = check(&f);
    let fx = fix(out.find("xen-eperm").unwrap(), &f, &meta());
    assert!(fx.contains("iomem=['fea00,5']"), "{fx}");
}

#[test]
fn fix_without_backend_bdf_uses_placeholder() {
    let f = case_2009();
    let m = Meta {
        backend_bdf: None,
        ..meta()
    };
    let out = check(&f);
    let fx = fix(out.find("xen-eperm").unwrap(), &f, &m);
    assert!(fx.contains("pci=['<dom0 BDF>']"), "{fx}");
}

#[test]
fn other_refusals_wording() {
    let mut f = case_2009();
    let m = meta();
    let mut v = f.bars[0].verdict.unwrap();
    v.first_refused = Some((0xfea00, -16));
    f.bars[0].verdict = Some(v);
    let l = lines(&f, &m).pop().unwrap();
    assert!(l.starts_with("error xen-ebusy BAR0: "), "{l}");
    assert!(l.contains("xen_rc=-16 (-EBUSY)"), "{l}");
    assert!(
        l.contains("; fix: the BAR address collides with RAM"),
        "{l}"
    );
    assert!(l.contains("0000:03:00.0"), "{l}");

    v.first_refused = Some((0xfea00, -22));
    v.exhaustive = true;
    f.bars[0].verdict = Some(v);
    let l = lines(&f, &m).pop().unwrap();
    assert!(l.starts_with("error xen-einval BAR0: "), "{l}");
    assert!(l.contains("xen_rc=-22 (-EINVAL)"), "{l}");
    assert!(l.contains("(every frame tested)"), "{l}");
    assert!(l.contains("iomem=['fea00,100']"), "{l}");

    v.first_refused = Some((0xfea00, -95));
    f.bars[0].verdict = Some(v);
    let l = lines(&f, &m).pop().unwrap();
    assert!(l.starts_with("error xen-refused BAR0: "), "{l}");
    assert!(l.contains("xen_rc=-95 (error)"), "{l}");
}

#[test]
fn info_without_fix_has_no_fix_clause() {
    let m = meta();
    let mut f = healthy();
    f.cfg.command = 0;
    let out = check(&f);
    let d = out.find("decode-off").unwrap();
    assert_eq!(d.severity(), Severity::Info);
    assert_eq!(fix(d, &f, &m), "");
    assert_eq!(
        line(d, &f, &m),
        "info decode-off device: memory decoding is off; expected until a driver enables the \
         device (pciback then enables it in dom0); evidence: command=0x0000"
    );

    // The same finding after the read probe is an error with a fix.
    f.bars[0].read_probe = Some(u32::MAX);
    let out = check(&f);
    let l = line(out.find("decode-off").unwrap(), &f, &m);
    assert!(
        l.starts_with("error decode-off device: memory decoding is still off"),
        "{l}"
    );
    assert!(
        l.contains("; fix: pciback did not enable the device"),
        "{l}"
    );
    assert!(l.contains("permissive=1 for 0000:03:00.0"), "{l}");
    let r = line(out.find("read-all-ones").unwrap(), &f, &m);
    assert!(
        r.starts_with(
            "error read-all-ones BAR0: dword 0 reads 0xffffffff through a mapping Xen accepted"
        ),
        "{r}"
    );
    assert!(
        r.contains("; evidence: dword0=0xffffffff; fix: on dom0: check lspci -vv -s 0000:03:00.0"),
        "{r}"
    );
}

#[test]
fn evidence_wording() {
    let m = meta();
    let ev = |f: &Finding, facts: &DeviceFacts| {
        let mut s = String::new();
        write_evidence(&mut s, f, facts).unwrap();
        s
    };
    let facts = healthy();
    let b0 = Some(0);
    let cases: &[(Option<u8>, Kind, &str)] = &[
        (None, Kind::NotXenPv, "xen_pv=true dom0=false pcifront=true"),
        (
            None,
            Kind::Pcifront {
                backend: None,
                ram_pages: 3,
            },
            "backend=? guest_ram=12 KiB phys_bits=40",
        ),
        (
            None,
            Kind::DeviceGone { class_rev: !0 },
            "class_rev=0xffffffff id=0x12348086",
        ),
        (None, Kind::ConfigReadErrors { count: 2 }, "failed_reads=2"),
        (b0, Kind::BarAllOnes, "raw=0xfea00000"),
        (
            b0,
            Kind::BarHidden { len: 0x4000 },
            "raw=0xfea00000 guest_len=0x4000",
        ),
        (
            b0,
            Kind::Unclaimed {
                start: 1,
                end: 2,
                unset: true,
            },
            "raw=0xfea00000 res=[0x1-0x2] flags=0x200 unset=true",
        ),
        (
            b0,
            Kind::StartMismatch {
                bar: 0x10,
                res: 0x20,
            },
            "bar=0x10 res=0x20",
        ),
        (
            b0,
            Kind::SubPage {
                start: 0xfeb00000,
                len: 0x100,
            },
            "start=0xfeb00000 len=0x100 (256 B)",
        ),
        (
            b0,
            Kind::SharedFrame {
                pfn: 0xfeb00,
                other: 6,
            },
            "pfn=0xfeb00 other=ROM",
        ),
        (
            b0,
            Kind::FlagMismatch {
                bar64: true,
                res64: false,
                bar_pf: false,
                res_pf: true,
            },
            "raw=0xfea00000 bar_64=true res_64=false bar_prefetch=false res_prefetch=true",
        ),
        (
            b0,
            Kind::TypeMismatch { bar_io: false },
            "raw=0xfea00000 res_flags=0x200",
        ),
        (
            b0,
            Kind::BeyondPhysBits {
                end: 0x100_000f_ffff,
                bits: 40,
            },
            "end=0x100000fffff phys_bits=40",
        ),
        (
            b0,
            Kind::RamOverlap {
                start: 0x100,
                end: 0x1ff,
            },
            "res=[0x100-0x1ff] guest_ram=256 MiB",
        ),
        (
            b0,
            Kind::P2mNotIdentity {
                pfn: 0xfea00,
                raw: 0x1234,
                count: 3,
                invalid: 1,
            },
            "pfn=0xfea00 p2m=0x1234 non_identity=3 invalid=1",
        ),
        (
            b0,
            Kind::XenReadOnly {
                pfn: 0xfea03,
                count: 2,
            },
            "first_pfn=0xfea03 read_only_frames=2",
        ),
        (b0, Kind::ScratchFailed { rc: -12 }, "rc=-12"),
        (
            Some(1),
            Kind::IoPorts {
                start: 0xc000,
                len: 0x20,
            },
            "ports=0xc000-0xc01f",
        ),
        (b0, Kind::ReadProbe { value: 0x1af4 }, "dword0=0x00001af4"),
    ];
    for &(bar, kind, want) in cases {
        let f = Finding { bar, kind };
        assert_eq!(ev(&f, &facts), want, "{kind:?}");
        // Every line carries the same evidence.
        assert!(line(&f, &facts, &m).contains(&format!("; evidence: {want}")));
    }

    let mut facts = healthy();
    facts.cfg.rom = 0xfeb0_0001;
    let f = Finding {
        bar: Some(6),
        kind: Kind::BarAllOnes,
    };
    assert_eq!(ev(&f, &facts), "raw=0xfeb00001");
    assert_eq!(scope(&f), "ROM");
    assert_eq!(
        scope(&Finding {
            bar: None,
            kind: Kind::NotXenPv
        }),
        "device"
    );
}

/// Facts exercising every finding kind, one device per entry.
fn catalogue() -> Vec<DeviceFacts> {
    let mut v = vec![healthy(), case_2009()];
    let mut f = healthy();
    f.ctx.xen_pv = false;
    v.push(f);
    let mut f = healthy();
    f.ctx.initial_domain = true;
    v.push(f);
    let mut f = healthy();
    f.ctx.pcifront = false;
    v.push(f);
    let mut f = healthy();
    f.cfg.class_rev = u32::MAX;
    f.cfg.read_errors = 4;
    v.push(f);
    let mut f = healthy();
    f.cfg.command = 0;
    f.cfg.bars[1] = u32::MAX;
    f.bars[2].res = mem_res(0xfeb0_0000, 0x4000, IORESOURCE_MEM);
    f.cfg.bars[5] = 0xd000_000c;
    f.bars[5].res = mem_res(0xd000_0000, 0x100, IORESOURCE_MEM);
    f.bars[0].read_probe = Some(u32::MAX);
    v.push(f);
    let mut f = healthy();
    f.cfg.bars[1] = 0xf000_0006;
    f.cfg.bars[2] = 0xc001;
    f.cfg.bars[3] = 0xfeb0_0000;
    f.cfg.bars[4] = 0xfeb0_0800;
    f.cfg.rom = 0xfec0_0001;
    f.bars[0].res.claimed = false;
    f.bars[0].ram_overlap = true;
    f.bars[0].p2m = Some(P2m {
        frames: 256,
        non_identity: 2,
        invalid: 2,
        first: Some((0xfea00, u64::MAX)),
    });
    f.bars[1].res = mem_res(0xe000_0000, 0x3000, IORESOURCE_MEM | IORESOURCE_PREFETCH);
    f.bars[2].res = mem_res(0xc000, 0x20, IORESOURCE_MEM);
    f.bars[3].res = mem_res(0xfeb0_0000, 0x800, IORESOURCE_MEM);
    f.bars[3].verdict = Some(Verdict {
        read_only: 1,
        first_read_only: Some(0xfeb00),
        ..all_mapped(1)
    });
    f.bars[4].res = mem_res(0xfeb0_0800, 0x800, IORESOURCE_MEM);
    f.bars[4].skipped = Some(Skip::Scratch(-12));
    f.bars[4].read_probe = Some(0x1234);
    f.bars[6].res = Resource {
        flags: IORESOURCE_IO,
        ..mem_res(0xfec0_0000, 0x1_0000, IORESOURCE_MEM)
    };
    v.push(f);
    let mut f = healthy();
    f.cfg.bars = [0x0000_000c, 0x100, 0, 0, 0, 0];
    f.bars[0].res = mem_res(
        0x100_0000_0000,
        BAR0_LEN,
        IORESOURCE_MEM | IORESOURCE_MEM_64,
    );
    v.push(f);
    for rc in [-16, -22, -12] {
        let mut f = case_2009();
        let mut vd = f.bars[0].verdict.unwrap();
        vd.first_refused = Some((0xfea00, rc));
        f.bars[0].verdict = Some(vd);
        v.push(f);
    }
    v
}

#[test]
fn catalogue_covers_every_code() {
    let mut seen: Vec<&str> = catalogue().iter().flat_map(|f| codes(&check(f))).collect();
    seen.sort_unstable();
    seen.dedup();
    let mut all = vec![
        "not-xen-pv",
        "dom0",
        "not-pcifront",
        "pcifront",
        "device-gone",
        "config-read-error",
        "decode-off",
        "bar-all-ones",
        "bar-hidden",
        "bar-64-truncated",
        "bar-reserved-type",
        "unclaimed",
        "start-mismatch",
        "size-inconsistent",
        "flag-mismatch",
        "type-mismatch",
        "sub-page",
        "shared-frame",
        "beyond-phys-bits",
        "ram-overlap",
        "p2m-not-identity",
        "xen-eperm",
        "xen-einval",
        "xen-ebusy",
        "xen-refused",
        "xen-read-only",
        "scratch-failed",
        "io-ports",
        "read-all-ones",
        "read-ok",
        "ok",
    ];
    all.sort_unstable();
    assert_eq!(seen, all);
}

#[test]
fn line_format_for_every_finding() {
    let m = meta();
    for facts in catalogue() {
        for f in check(&facts).iter() {
            let l = line(f, &facts, &m);
            let head = format!("{} {} {}: ", f.severity().as_str(), f.code(), scope(f));
            assert!(l.starts_with(&head), "{l}");
            let mut what = String::new();
            write_what(&mut what, f).unwrap();
            let mut ev = String::new();
            write_evidence(&mut ev, f, &facts).unwrap();
            let fx = fix(f, &facts, &m);
            let want = if fx.is_empty() {
                format!("{head}{what}; evidence: {ev}")
            } else {
                format!("{head}{what}; evidence: {ev}; fix: {fx}")
            };
            assert_eq!(l, want);
            assert!(!what.is_empty());
            assert!(!l.contains('\n'));
            // Every problem comes with a fix; context and passed checks do not.
            assert_eq!(fx.is_empty(), f.severity() == Severity::Info, "{l}");
            assert_eq!(l.contains("; fix: "), f.severity() != Severity::Info, "{l}");
        }
    }
}

// ---- summary ------------------------------------------------------------------------------

#[test]
fn summary_ok_and_warn() {
    let m = Meta {
        config_reads: 40,
        hypercalls: 4,
        probe_ns: 999,
        ..meta()
    };
    let mut s = String::new();
    write_summary(&mut s, &check(&healthy()), &m).unwrap();
    assert_eq!(
        s,
        "summary: OK 0 error(s), 0 warning(s), 2 info; cost: 40 config reads, 4 hypercalls, 0 us"
    );

    let mut f = healthy();
    f.bars[0].res.flags |= IORESOURCE_PREFETCH;
    let mut s = String::new();
    write_summary(&mut s, &check(&f), &m).unwrap();
    assert_eq!(
        s,
        "summary: WARN 0 error(s), 1 warning(s), 1 info; cost: 40 config reads, 4 hypercalls, 0 us"
    );
}

#[test]
fn summary_names_first_error() {
    let mut f = healthy();
    f.bars[0].res.flags |= IORESOURCE_PREFETCH;
    f.cfg.bars[1] = u32::MAX;
    f.bars[2].res = mem_res(0xfeb0_0000, 0x4000, IORESOURCE_MEM);
    let out = check(&f);
    let mut s = String::new();
    write_summary(&mut s, &out, &meta()).unwrap();
    assert_eq!(
        s,
        "summary: FAIL 2 error(s), 1 warning(s), 1 info; first error: bar-all-ones BAR1; cost: 12 \
         config reads, 2 hypercalls, 1500 us"
    );
}

#[test]
fn verdict_words() {
    assert_eq!(verdict(&Findings::default()), "OK");
    assert_eq!(verdict(&check(&healthy())), "OK");
    assert_eq!(verdict(&check(&case_2009())), "FAIL");
}

// ---- JSON ---------------------------------------------------------------------------------

#[test]
fn json_report_of_the_2009_case() {
    let f = case_2009();
    let out = check(&f);
    let m = Meta {
        comm: comm("my\"tool\\x\t"),
        ..meta()
    };
    let j = json(&f, &out, &m);
    assert_eq!(j["device"], "0000:00:04.0");
    assert_eq!(j["dom0_device"], "0000:03:00.0");
    assert_eq!(j["id"], "8086:1234");
    assert_eq!(j["context"]["xen_pv"], true);
    assert_eq!(j["context"]["dom0"], false);
    assert_eq!(j["context"]["pcifront"], true);
    assert_eq!(j["context"]["backend_domid"], 0);
    assert_eq!(j["context"]["ram_pages"], 65536);
    assert_eq!(j["context"]["phys_bits"], 40);
    assert_eq!(j["task"]["pid"], 4242);
    assert_eq!(j["task"]["comm"], "my\"tool\\x\t");
    assert_eq!(j["cost"]["config_reads"], 12);
    assert_eq!(j["cost"]["hypercalls"], 2);
    assert_eq!(j["cost"]["probe_ns"], 1_500_000);
    assert_eq!(j["config"]["command"], u64::from(PCI_COMMAND_MEMORY));
    assert_eq!(j["config"]["class_rev"], 0x0200_0001);
    assert_eq!(
        j["config"]["bars"],
        serde_json::json!([0xfea0_0000u32, 0, 0, 0, 0, 0])
    );
    assert_eq!(j["config"]["rom"], 0);

    let res = j["resources"].as_array().unwrap();
    assert_eq!(res.len(), 7);
    let names: Vec<&str> = res.iter().map(|r| r["bar"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM"]
    );
    assert_eq!(res[0]["start"], BAR0);
    assert_eq!(res[0]["end"], BAR0 + BAR0_LEN - 1);
    assert_eq!(res[0]["flags"], IORESOURCE_MEM);
    assert_eq!(res[0]["claimed"], true);
    assert_eq!(res[1]["claimed"], false);

    let findings = j["findings"].as_array().unwrap();
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["pcifront", "xen-eperm"]);
    let e = &findings[1];
    assert_eq!(e["severity"], "error");
    assert_eq!(e["scope"], "BAR0");
    assert!(e["what"]
        .as_str()
        .unwrap()
        .contains("'Non-privileged attempt to map I/O space'"));
    assert!(e["evidence"]
        .as_str()
        .unwrap()
        .contains("xen_rc=-1 (-EPERM)"));
    assert!(e["fix"].as_str().unwrap().contains("iomem=['fea00,100']"));
    assert_eq!(findings[0]["severity"], "info");
    assert_eq!(findings[0]["scope"], "device");
    assert_eq!(findings[0]["fix"], "");

    assert_eq!(j["summary"]["verdict"], "FAIL");
    assert_eq!(j["summary"]["errors"], 1);
    assert_eq!(j["summary"]["warnings"], 0);
    assert_eq!(j["summary"]["info"], 1);
    assert_eq!(j["summary"]["dropped"], 0);
}

#[test]
fn json_nulls_and_odd_comm() {
    let mut f = healthy();
    f.ctx.backend_domid = None;
    let out = check(&f);
    // A comm filling all 16 bytes (no NUL) and one that is not UTF-8.
    let m = Meta {
        backend_bdf: None,
        comm: *b"0123456789abcdef",
        ..meta()
    };
    let j = json(&f, &out, &m);
    assert_eq!(j["dom0_device"], Value::Null);
    assert_eq!(j["context"]["backend_domid"], Value::Null);
    assert_eq!(j["task"]["comm"], "0123456789abcdef");
    assert_eq!(j["summary"]["verdict"], "OK");

    let mut c = comm("a");
    c[1] = 0xff;
    let j = json(&f, &out, &Meta { comm: c, ..m });
    assert_eq!(j["task"]["comm"], "?");

    let j = json(
        &f,
        &out,
        &Meta {
            comm: comm("\u{1}é"),
            ..m
        },
    );
    assert_eq!(j["task"]["comm"], "\u{1}é");
}

#[test]
fn json_matches_lines_for_every_catalogue_device() {
    let m = meta();
    for facts in catalogue() {
        let out = check(&facts);
        let j = json(&facts, &out, &m);
        let findings = j["findings"].as_array().unwrap();
        assert_eq!(findings.len(), out.len());
        for (jf, f) in findings.iter().zip(out.iter()) {
            assert_eq!(jf["code"], f.code());
            assert_eq!(jf["severity"], f.severity().as_str());
            assert_eq!(jf["scope"], scope(f));
            let mut what = String::new();
            write_what(&mut what, f).unwrap();
            let mut ev = String::new();
            write_evidence(&mut ev, f, &facts).unwrap();
            assert_eq!(jf["what"], what.as_str());
            assert_eq!(jf["evidence"], ev.as_str());
            assert_eq!(jf["fix"], fix(f, &facts, &m).as_str());
        }
        assert_eq!(j["summary"]["verdict"], verdict(&out));
        assert_eq!(j["summary"]["errors"], out.count(Severity::Error));
        assert_eq!(j["summary"]["warnings"], out.count(Severity::Warning));
        assert_eq!(j["summary"]["info"], out.count(Severity::Info));
    }
}

#[test]
fn json_reports_dropped_findings() {
    let mut f = healthy();
    for i in 0..6 {
        let start = 0xfeb0_0000 + 0x100 * i as u64;
        f.cfg.bars[i] = start as u32;
        f.bars[i] = BarFacts {
            res: mem_res(start, 0x100, IORESOURCE_MEM),
            ram_overlap: true,
            read_probe: Some(u32::MAX),
            ..BarFacts::default()
        };
        f.bars[i].res.claimed = false;
    }
    let out = check(&f);
    assert!(out.dropped > 0);
    let j = json(&f, &out, &meta());
    assert_eq!(j["findings"].as_array().unwrap().len(), out.len());
    assert_eq!(j["summary"]["dropped"], out.dropped);
}

#[test]
fn bar_at_top_of_address_space_is_worded_without_overflow() {
    let mut f = healthy();
    f.cfg.bars = [0xfff0_000c, u32::MAX, 0, 0, 0, 0];
    let start = 0xffff_ffff_fff0_0000;
    f.bars[0].res = Resource {
        start,
        end: u64::MAX,
        flags: IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
        claimed: true,
    };
    f.bars[0].verdict = Some(all_mapped(256));
    f.ctx.phys_bits = 0;
    let m = meta();
    assert_eq!(
        lines(&f, &m)[1],
        "info ok BAR0: usable; evidence: mem [0xfffffffffff00000-0xffffffffffffffff] 1 MiB \
         64-bit prefetchable, Xen maps 256/256 frames (2 tested, 4 hypercalls)"
    );
    f.bars[0].verdict = Some(scan(start >> PAGE_SHIFT, 256, FULL_SCAN_FRAMES, |_| {
        Trial::Refused(-1)
    }));
    let out = check(&f);
    let fx = fix(out.find("xen-eperm").unwrap(), &f, &m);
    assert!(fx.contains("iomem=['fffffffffff00,100']"), "{fx}");
    json(&f, &out, &m);
}

fn any_bar_facts() -> BoxedStrategy<BarFacts> {
    let res = (
        prop_oneof![any::<u64>(), (0u64..1 << 20).prop_map(|p| p << 12)],
        prop_oneof![any::<u64>(), 0u64..0x10_0000, Just(0)],
        prop::sample::select(vec![
            0,
            IORESOURCE_IO,
            IORESOURCE_MEM,
            IORESOURCE_MEM | IORESOURCE_MEM_64,
            IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64,
            IORESOURCE_MEM | IORESOURCE_UNSET,
            IORESOURCE_UNSET | IORESOURCE_DISABLED,
        ]),
        any::<bool>(),
    )
        .prop_map(|(start, len, flags, claimed)| Resource {
            start,
            end: start.wrapping_add(len).wrapping_sub(1),
            flags,
            claimed,
        });
    let p2m = prop::option::of(
        (
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
            any::<Option<(u64, u64)>>(),
        )
            .prop_map(|(frames, non_identity, invalid, first)| P2m {
                frames,
                non_identity,
                invalid,
                first,
            }),
    );
    let verdict = prop::option::of(
        (
            0u64..1 << 40,
            any::<u64>(),
            any::<i32>(),
            any::<u64>(),
            any::<bool>(),
        )
            .prop_map(|(frames, r, rc, pfn, exhaustive)| {
                let refused = if frames == 0 { 0 } else { r % (frames + 1) };
                Verdict {
                    frames,
                    hypercalls: (r % 40) as u32,
                    tested: r % 20,
                    exhaustive,
                    refused,
                    first_refused: (refused > 0).then_some((pfn, rc.min(-1))),
                    read_only: r % 3,
                    first_read_only: (r % 3 > 0).then_some(pfn),
                }
            }),
    );
    let skipped = prop::option::of(prop_oneof![
        Just(Skip::NotPv),
        Just(Skip::IoPorts),
        Just(Skip::P2m),
        Just(Skip::NoResource),
        any::<i32>().prop_map(Skip::Scratch),
    ]);
    (
        res,
        any::<bool>(),
        p2m,
        verdict,
        skipped,
        any::<Option<u32>>(),
    )
        .prop_map(
            |(res, ram_overlap, p2m, verdict, skipped, read_probe)| BarFacts {
                res,
                ram_overlap,
                p2m,
                verdict,
                skipped,
                read_probe,
            },
        )
        .boxed()
}

fn any_facts() -> BoxedStrategy<DeviceFacts> {
    let ctx = (
        any::<(bool, bool, bool)>(),
        any::<Option<u16>>(),
        any::<u64>(),
        0u8..=70,
    )
        .prop_map(
            |((xen_pv, initial_domain, pcifront), backend_domid, ram_pages, phys_bits)| Context {
                xen_pv,
                initial_domain,
                pcifront,
                backend_domid,
                ram_pages,
                phys_bits,
            },
        );
    let dword = prop_oneof![
        any::<u32>(),
        Just(0),
        Just(u32::MAX),
        (0u32..16).prop_map(|t| 0xfea0_0000 | t),
    ];
    let cfg = (
        any::<u32>(),
        any::<u16>(),
        prop_oneof![any::<u32>(), Just(u32::MAX)],
        prop::array::uniform6(dword.clone()),
        dword,
        0u32..3,
    )
        .prop_map(|(id, command, class_rev, bars, rom, read_errors)| Config {
            id,
            command,
            class_rev,
            bars,
            rom,
            read_errors,
        });
    (ctx, cfg, prop::array::uniform7(any_bar_facts()))
        .prop_map(|(ctx, cfg, bars)| DeviceFacts { ctx, cfg, bars })
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_facts_give_well_formed_output(
        facts in any_facts(),
        pid in any::<i32>(),
        c in any::<[u8; 16]>(),
    ) {
        let out = check(&facts);
        prop_assert!(out.len() <= pcifront_diag_core::diag::checks::MAX_FINDINGS);
        prop_assert_eq!(
            out.count(Severity::Error) + out.count(Severity::Warning) + out.count(Severity::Info),
            out.len()
        );
        let m = Meta { pid, comm: c, ..meta() };
        for f in out.iter() {
            let l = line(f, &facts, &m);
            let head = format!("{} {} {}: ", f.severity().as_str(), f.code(), scope(f));
            prop_assert!(l.starts_with(&head), "{}", l);
            prop_assert!(l.contains("; evidence: "), "{}", l);
            prop_assert_eq!(l.contains("; fix: "), f.severity() != Severity::Info, "{}", l);
        }
        let j = json(&facts, &out, &m);
        prop_assert_eq!(j["findings"].as_array().unwrap().len(), out.len());
        prop_assert_eq!(&j["summary"]["verdict"], verdict(&out));
        prop_assert_eq!(&j["task"]["pid"], pid);
        let mut s = String::new();
        write_summary(&mut s, &out, &m).unwrap();
        let prefix = format!("summary: {} ", verdict(&out));
        prop_assert!(s.starts_with(&prefix), "{}", s);
    }
}
