//! Wording (`diag::report`): BDF parsing, log lines, summary and the JSON report.

mod common;
mod irq_dma_facts;

use common::*;
use pcifront_diag_core::diag::checks::{self, check, Finding, Findings, Kind, Severity};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::{
    scope, verdict, write_evidence, write_fix, write_json, write_line, write_summary, write_what,
    Bdf, Meta, Phases,
};
use pcifront_diag_core::diag::trial::DEFAULT_MAX_FRAMES;
use proptest::prelude::*;
use serde_json::{json, Value};

fn comm(s: &str) -> [u8; 16] {
    let mut c = [0u8; 16];
    c[..s.len()].copy_from_slice(s.as_bytes());
    c
}

/// What the module records for the healthy device and the 2009 case: one batch of 256 trial
/// mappings and one restore of the 256 slots it used.
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
        trial_entries: 512,
        probe_ns: 1_500_000,
        phases: Phases {
            config_ns: 400_000,
            context_ns: 300_000,
            xen_ns: 700_000,
        },
    }
}

/// The 2009 case: Xen refuses every frame of BAR0 with -EPERM (`iomem=` missing).
fn case_2009() -> DeviceFacts {
    let f = healthy_with(|_| DENIED);
    let v = f.bars[0].verdict.unwrap();
    assert_eq!(
        ranges(&v.refused),
        [(BAR0_PFN, BAR0_PFN + 0xff, DENIED)],
        "one refused run over the BAR"
    );
    assert_eq!(v.granted.count, 0);
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

/// The log line of the one finding with this code.
fn line_of(facts: &DeviceFacts, code: &str) -> String {
    let out = check(facts);
    let f = out
        .find(code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(&out)));
    line(f, facts, &meta())
}

fn fix(f: &Finding, facts: &DeviceFacts, m: &Meta) -> String {
    let mut s = String::new();
    write_fix(&mut s, f, facts, m).unwrap();
    s
}

fn evidence(f: &Finding, facts: &DeviceFacts) -> String {
    let mut s = String::new();
    write_evidence(&mut s, f, facts).unwrap();
    s
}

fn json_report(facts: &DeviceFacts, findings: &Findings, m: &Meta) -> Value {
    let mut s = String::new();
    write_json(&mut s, facts, findings, m).unwrap();
    assert!(s.ends_with("}\n"), "JSON report ends with a newline: {s:?}");
    assert_eq!(s.matches('\n').count(), 1, "one line: {s}");
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("invalid JSON ({e}): {s}"))
}

/// The healthy device with BAR0 sampled at a test limit of 64 frames: 52 of its 256 frames
/// (frame 0, one in every 5 after it and the last) asked.
fn sampled_with(answer: impl Fn(u64) -> Trial) -> DeviceFacts {
    let mut f = healthy();
    f.bars[0].verdict = Some(scan_sampled(BAR0_PFN, BAR0_FRAMES, 64, answer));
    f
}

/// The healthy device whose BAR0 scan (batches of 64) failed as a whole in the second batch.
fn aborted_with(answer: impl Fn(u64) -> Trial) -> DeviceFacts {
    let mut f = healthy();
    let mut m = Model::new(BAR0_PFN, BAR0_FRAMES, 64, answer).failing(1, -14);
    f.bars[0].verdict = Some(m.scan(DEFAULT_MAX_FRAMES));
    f
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
             all 256 frames, every frame tested (256 trial mappings in 1 hypercall(s))",
        ]
    );
}

#[test]
fn ok_line_64bit_prefetch_not_asked() {
    let mut f = healthy();
    with_64bit_bar0_not_asked(&mut f);
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
    assert_eq!(
        all[1],
        "error xen-eperm BAR0: Xen refuses to map BAR frames: they are not in this domain's I/O \
         memory permission (the 2009 'Non-privileged attempt to map I/O space'); ioremap returns \
         a pointer anyway and the first access to them faults; evidence: xen_rc=-1 (-EPERM) \
         every frame of 256 tested: granted none; refused 256: 0xfea00-0xfeaff (-EPERM); \
         read-only none; 256 trial mappings in 1 hypercall(s); fix: pass the device with \
         pci=['0000:03:00.0'] in xl.cfg or xl pci-attach so the toolstack grants its BARs, or \
         grant the refused frames: iomem=['fea00,100'] in xl.cfg; verify on dom0 with xl \
         debug-keys q; xl dmesg (I/O Memory)"
    );
    let fx = fix(out.find("xen-eperm").unwrap(), &f, &m);
    assert!(all[1].ends_with(&format!("; fix: {fx}")), "{}", all[1]);

    let mut s = String::new();
    write_summary(&mut s, &out, &m).unwrap();
    assert_eq!(
        s,
        "summary: FAIL 1 error(s), 0 warning(s), 1 info; first error: xen-eperm BAR0; cost: 12 \
         config reads, 2 hypercalls (512 trial mappings and restores), 1500 us (config 400 us, \
         context 300 us, Xen 700 us)"
    );
}

/// A finding's evidence, worded from the verdict of its BAR.
struct EvidenceCase {
    name: &'static str,
    facts: fn() -> DeviceFacts,
    code: &'static str,
    evidence: &'static str,
}

#[test]
fn xen_evidence_lists_the_ranges() {
    let cases = [
        EvidenceCase {
            name: "a 16-frame hole",
            facts: || healthy_with(|i| if (0x80..0x90).contains(&i) { DENIED } else { M }),
            code: "xen-eperm",
            evidence: "xen_rc=-1 (-EPERM) every frame of 256 tested: granted 240: \
                       0xfea00-0xfea7f, 0xfea90-0xfeaff; refused 16: 0xfea80-0xfea8f (-EPERM); \
                       read-only none; 256 trial mappings in 1 hypercall(s)",
        },
        EvidenceCase {
            name: "two holes with two codes, one of a single frame",
            facts: || {
                healthy_with(|i| match i {
                    0x10..=0x1f => BUSY,
                    0x80 => DENIED,
                    _ => M,
                })
            },
            code: "xen-ebusy",
            evidence: "xen_rc=-16 (-EBUSY) every frame of 256 tested: granted 239: \
                       0xfea00-0xfea0f, 0xfea20-0xfea7f, 0xfea81-0xfeaff; refused 17: \
                       0xfea10-0xfea1f (-EBUSY), 0xfea80 (-EPERM); read-only none; 256 trial \
                       mappings in 1 hypercall(s)",
        },
        EvidenceCase {
            name: "more ranges than kept",
            facts: || healthy_with(|i| if i % 16 == 15 { DENIED } else { M }),
            code: "xen-eperm",
            evidence: "xen_rc=-1 (-EPERM) every frame of 256 tested: granted 240: \
                       0xfea00-0xfea0e, 0xfea10-0xfea1e, 0xfea20-0xfea2e, and 13 more range(s); \
                       refused 16: 0xfea0f (-EPERM), 0xfea1f (-EPERM), 0xfea2f (-EPERM), and 13 \
                       more range(s); read-only none; 256 trial mappings in 1 hypercall(s)",
        },
        EvidenceCase {
            name: "an MSI-X frame read-only",
            facts: || healthy_with(|i| if i == 3 { RO } else { M }),
            code: "xen-read-only",
            evidence: "every frame of 256 tested: granted 255: 0xfea00-0xfea02, \
                       0xfea04-0xfeaff; refused none; read-only 1: 0xfea03; 256 trial mappings \
                       in 1 hypercall(s)",
        },
        EvidenceCase {
            name: "sampled",
            facts: || sampled_with(|_| DENIED),
            code: "xen-eperm",
            evidence: "xen_rc=-1 (-EPERM) sampled 52 of 256 frames (frame 0, one in every 5 \
                       after it and the last; the others not asked): granted none; refused 52: \
                       0xfea00 (-EPERM), 0xfea05 (-EPERM), 0xfea0a (-EPERM), and 49 more \
                       range(s); read-only none; 52 trial mappings in 1 hypercall(s)",
        },
        EvidenceCase {
            name: "refused, then a batch failed",
            facts: || aborted_with(|i| if (0x10..0x20).contains(&i) { DENIED } else { M }),
            code: "xen-eperm",
            evidence: "xen_rc=-1 (-EPERM) asked 64 of 256 frames: granted 48: 0xfea00-0xfea0f, \
                       0xfea20-0xfea3f; refused 16: 0xfea10-0xfea1f (-EPERM); read-only none; 64 \
                       trial mappings in 1 hypercall(s)",
        },
        EvidenceCase {
            name: "the failed batch itself",
            facts: || aborted_with(|_| M),
            code: "xen-incomplete",
            evidence: "rc=-14 (-EFAULT) asked=64/256 frames",
        },
    ];
    for c in &cases {
        let facts = (c.facts)();
        let out = check(&facts);
        let f = out
            .find(c.code)
            .unwrap_or_else(|| panic!("{}: no {} in {:?}", c.name, c.code, codes(&out)));
        assert_eq!(evidence(f, &facts), c.evidence, "{}", c.name);
        assert!(
            line(f, &facts, &meta()).contains(&format!("; evidence: {}", c.evidence)),
            "{}",
            c.name
        );
    }
}

/// The `iomem=` a xen-eperm fix names.
struct IomemCase {
    name: &'static str,
    facts: fn() -> DeviceFacts,
    iomem: &'static str,
}

#[test]
fn iomem_fix_grants_each_refused_range() {
    let cases = [
        IomemCase {
            name: "the 2009 case: the whole BAR is one range",
            facts: case_2009,
            iomem: "iomem=['fea00,100']",
        },
        IomemCase {
            name: "a 16-frame hole",
            facts: || healthy_with(|i| if (0x80..0x90).contains(&i) { DENIED } else { M }),
            iomem: "iomem=['fea80,10']",
        },
        IomemCase {
            name: "two holes: two entries",
            facts: || {
                healthy_with(|i| {
                    if (0x10..0x20).contains(&i) || i == 0x80 {
                        DENIED
                    } else {
                        M
                    }
                })
            },
            iomem: "iomem=['fea10,10','fea80,1']",
        },
        IomemCase {
            name: "the last frame revoked",
            facts: || healthy_with(|i| if i == 0xff { DENIED } else { M }),
            iomem: "iomem=['feaff,1']",
        },
        IomemCase {
            name: "as many ranges as kept: each named",
            facts: || healthy_with(|i| if i % 86 == 0 { DENIED } else { M }),
            iomem: "iomem=['fea00,1','fea56,1','feaac,1']",
        },
        IomemCase {
            name: "more ranges than kept: the whole BAR",
            facts: || healthy_with(|i| if i % 16 == 15 { DENIED } else { M }),
            iomem: "iomem=['fea00,100']",
        },
        IomemCase {
            name: "sampled, all refused: the whole BAR",
            facts: || sampled_with(|_| DENIED),
            iomem: "iomem=['fea00,100']",
        },
        IomemCase {
            name: "sampled, a hole: the whole BAR, not the sampled frames",
            facts: || sampled_with(|i| if (0x80..0x90).contains(&i) { DENIED } else { M }),
            iomem: "iomem=['fea00,100']",
        },
        IomemCase {
            name: "a 16 KiB BAR not aligned to a frame spans 5 frames",
            facts: || {
                let mut f = healthy();
                f.cfg.bars[0] = 0xfea0_0800;
                f.bars[0].res = mem_res(0xfea0_0800, 0x4000, IORESOURCE_MEM);
                f.bars[0].verdict = Some(scan_model(BAR0_PFN, 5, |_| DENIED));
                f
            },
            iomem: "iomem=['fea00,5']",
        },
    ];
    let m = meta();
    for c in &cases {
        let facts = (c.facts)();
        let out = check(&facts);
        let f = out
            .find("xen-eperm")
            .unwrap_or_else(|| panic!("{}: no xen-eperm in {:?}", c.name, codes(&out)));
        assert_eq!(
            fix(f, &facts, &m),
            format!(
                "pass the device with pci=['0000:03:00.0'] in xl.cfg or xl pci-attach so the \
                 toolstack grants its BARs, or grant the refused frames: {} in xl.cfg; verify on \
                 dom0 with xl debug-keys q; xl dmesg (I/O Memory)",
                c.iomem
            ),
            "{}",
            c.name
        );
    }
}

#[test]
fn iomem_fix_without_a_verdict_uses_the_resource() {
    // A refusal finding for a BAR the facts hold no verdict for: the frames of the resource.
    let mut facts = healthy();
    facts.bars[0].verdict = None;
    let f = Finding {
        bar: Some(0),
        kind: Kind::XenRefused {
            pfn: 0xfea10,
            rc: EPERM,
            refused: 1,
            tested: 1,
            frames: 256,
        },
    };
    let fx = fix(&f, &facts, &meta());
    assert!(fx.contains(": iomem=['fea00,100'] in xl.cfg"), "{fx}");
    assert_eq!(evidence(&f, &facts), "xen_rc=-1 (-EPERM) Xen not asked");

    // No length (though still flagged memory): the one
    // refused frame the finding names.
    facts.bars[0].res = Resource {
        start: 0,
        end: 0,
        flags: IORESOURCE_MEM,
        claimed: true,
    };
    let fx = fix(&f, &facts, &meta());
    assert!(fx.contains(": iomem=['fea10,1'] in xl.cfg"), "{fx}");
}

#[test]
fn iomem_fix_after_an_aborted_scan_grants_the_whole_bar() {
    // write_iomem: "each refused range when all are known, else the whole BAR". After a failed
    // batch, frames 64-255 were never asked: granting 0xfea10-0xfea1f may not be enough.
    let facts = aborted_with(|i| if (0x10..0x20).contains(&i) { DENIED } else { M });
    let out = check(&facts);
    let fx = fix(out.find("xen-eperm").unwrap(), &facts, &meta());
    assert!(fx.contains("iomem=['fea00,100']"), "{fx}");
}

#[test]
fn sampled_bar_ok_says_what_was_asked() {
    let f = sampled_with(|_| M);
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "ok"]);
    assert_eq!(
        line(out.find("ok").unwrap(), &f, &meta()),
        "info ok BAR0: usable; evidence: mem [0xfea00000-0xfeafffff] 1 MiB 32-bit, Xen maps all \
         52 sampled frames of 256 (52 trial mappings in 1 hypercall(s); the others not asked)"
    );

    // An 8 GiB BAR at the module's default limit: every 3rd frame and the last, 1,024 a batch.
    let mut f = healthy();
    f.cfg.bars = [0x0000_000c, 0x38, 0, 0, 0, 0];
    let start = 0x38_0000_0000;
    let flags = IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH;
    f.bars[0].res = mem_res(start, 8 << 30, flags);
    f.bars[0].verdict = Some(scan_model(start >> PAGE_SHIFT, 1 << 21, |_| M));
    assert_eq!(
        line_of(&f, "ok"),
        "info ok BAR0: usable; evidence: mem [0x3800000000-0x39ffffffff] 8 GiB 64-bit \
         prefetchable, Xen maps all 699052 sampled frames of 2097152 (699052 trial mappings in \
         683 hypercall(s); the others not asked)"
    );
}

#[test]
fn sampled_wording_never_claims_every_frame() {
    for (frames, max_frames) in [
        (4, 2),
        (256, 64),
        (256, 255),
        (4096, 1000),
        (1 << 16, 1 << 10),
    ] {
        let len = frames * PAGE_SIZE;
        for answer in [M, DENIED, RO] {
            let mut f = healthy();
            f.bars[0].res = mem_res(BAR0 & !(len - 1), len, IORESOURCE_MEM);
            f.cfg.bars[0] = f.bars[0].res.start as u32;
            f.bars[0].verdict = Some(scan_sampled(
                f.bars[0].res.start >> PAGE_SHIFT,
                frames,
                max_frames,
                |_| answer,
            ));
            let v = f.bars[0].verdict.unwrap();
            assert!(v.sampled() && v.tested < frames, "{frames}/{max_frames}");
            for l in lines(&f, &meta()).iter().filter(|l| l.contains(" BAR0: ")) {
                for claim in [
                    format!("maps {frames}/{frames}"),
                    format!("maps all {frames} frames"),
                    "every frame".to_string(),
                    format!("of {frames} tested"),
                ] {
                    assert!(
                        !l.contains(&claim),
                        "{frames}/{max_frames}: {claim:?} in {l}"
                    );
                }
                assert!(l.contains(&format!(" {} ", v.tested)), "{l}");
                assert!(l.contains("the others not asked"), "{l}");
            }
        }
    }
}

#[test]
fn sampled_wording_ordinals() {
    for (frames, max_frames, want) in [
        (256, 200, "one in every 2 after it and the last"),
        (256, 100, "one in every 3 after it and the last"),
        (256, 64, "one in every 5 after it and the last"),
    ] {
        let f = {
            let mut f = healthy();
            f.bars[0].verdict = Some(scan_sampled(BAR0_PFN, frames, max_frames, |_| DENIED));
            f
        };
        let l = line_of(&f, "xen-eperm");
        assert!(l.contains(want), "{want:?} not in {l}");
    }
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
    let m = meta();
    let f = healthy_with(|_| BUSY);
    let l = lines(&f, &m).pop().unwrap();
    assert!(l.starts_with("error xen-ebusy BAR0: "), "{l}");
    assert!(l.contains("xen_rc=-16 (-EBUSY)"), "{l}");
    assert!(l.contains("refused 256: 0xfea00-0xfeaff (-EBUSY)"), "{l}");
    assert!(
        l.contains("; fix: the BAR address collides with RAM"),
        "{l}"
    );
    assert!(l.contains("0000:03:00.0"), "{l}");
    assert!(
        !l.contains("iomem="),
        "granting cannot help RAM of another domain: {l}"
    );

    let f = healthy_with(|_| Trial::Refused(EINVAL));
    let l = lines(&f, &m).pop().unwrap();
    assert!(l.starts_with("error xen-einval BAR0: "), "{l}");
    assert!(
        l.contains("xen_rc=-22 (-EINVAL) every frame of 256 tested"),
        "{l}"
    );
    assert!(l.contains("refused 256: 0xfea00-0xfeaff (-EINVAL)"), "{l}");
    assert!(l.contains("iomem=['fea00,100']"), "{l}");

    let f = healthy_with(|_| Trial::Refused(EOPNOTSUPP));
    let l = lines(&f, &m).pop().unwrap();
    assert!(l.starts_with("error xen-refused BAR0: "), "{l}");
    assert!(l.contains("xen_rc=-95 (error)"), "{l}");
    assert!(l.contains("0xfea00-0xfeaff (error)"), "{l}");
}

#[test]
fn new_finding_lines() {
    let m = meta();
    let f = aborted_with(|_| M);
    assert_eq!(codes(&check(&f)), ["pcifront", "xen-incomplete"]);
    assert_eq!(
        line_of(&f, "xen-incomplete"),
        "warning xen-incomplete BAR0: a batch of trial mappings failed as a whole: Xen's verdict \
         on the frames after it is unknown; evidence: rc=-14 (-EFAULT) asked=64/256 frames; fix: \
         retry with more free memory; if it persists, report it with this guest's log"
    );

    let mut f = healthy();
    f.restore_failed = Some(-1);
    assert!(
        line_of(&f, "scratch-leaked").starts_with(
            "warning scratch-leaked device: Xen refused to restore a scratch PTE after the trial \
             mappings: the scratch slots are kept mapped for good (never freed), a few KiB lost \
             until reboot; evidence: restore_rc=-1"
        ),
        "{}",
        line_of(&f, "scratch-leaked")
    );

    let mut f = with_io_bar1();
    f.bars[1].read_probe = Some(u32::MAX);
    let l = line_of(&f, "io-all-ones");
    assert!(
        l.starts_with(
            "error io-all-ones BAR1: the I/O BAR's first dword reads all-ones although the device \
             answers config reads and decodes I/O: Xen returns all-ones for ports it does not \
             grant this domain"
        ),
        "{l}"
    );
    assert!(
        l.ends_with(
            "; evidence: dword0=0xffffffff port=0xc000 command=0x0003 class_rev=0x02000001; fix: \
             pass the device with pci=['0000:03:00.0'] in xl.cfg or xl pci-attach so the \
             toolstack grants its ports, or grant them: ioports=['c000-c01f'] in xl.cfg; verify \
             on dom0 with xl debug-keys q; xl dmesg (I/O Ports)"
        ),
        "{l}"
    );
    // Without a backend BDF, the placeholder.
    let out = check(&f);
    let fx = fix(
        out.find("io-all-ones").unwrap(),
        &f,
        &Meta {
            backend_bdf: None,
            ..m
        },
    );
    assert!(fx.contains("pci=['<dom0 BDF>']"), "{fx}");

    let mut f = with_io_bar1();
    f.bars[1].read_probe = Some(0x1af4);
    let out = check(&f);
    let r = out.iter().find(|x| x.code() == "read-ok").unwrap();
    assert_eq!(r.bar, Some(1));
    assert_eq!(
        line(r, &f, &m),
        "info read-ok BAR1: dword 0 read through the driver path; evidence: dword0=0x00001af4"
    );
}

#[test]
fn scratch_leaked_has_a_fix() {
    let mut f = healthy();
    f.restore_failed = Some(-1);
    let out = check(&f);
    let leak = out.find("scratch-leaked").unwrap();
    assert_eq!(leak.severity(), Severity::Warning);
    assert!(!fix(leak, &f, &meta()).is_empty());
}

/// Whether a line must carry a fix: every problem does, context and passed checks do not.
fn wants_fix(f: &Finding) -> bool {
    f.severity() != Severity::Info
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
            // The answers come from the BAR's verdict, here the healthy one.
            "every frame of 256 tested: granted 256: 0xfea00-0xfeaff; refused none; read-only \
             none; 256 trial mappings in 1 hypercall(s)",
        ),
        (
            Some(1),
            Kind::XenReadOnly {
                pfn: 0xfeb00,
                count: 1,
            },
            "Xen not asked",
        ),
        (
            b0,
            Kind::XenIncomplete {
                rc: ENOMEM,
                tested: 1024,
                frames: 4096,
            },
            "rc=-12 (-ENOMEM) asked=1024/4096 frames",
        ),
        (None, Kind::ScratchLeaked { rc: EINVAL }, "restore_rc=-22"),
        (b0, Kind::ScratchFailed { rc: ENOMEM }, "rc=-12"),
        (
            Some(1),
            Kind::IoPorts {
                start: 0xc000,
                len: 0x20,
            },
            "ports=0xc000-0xc01f",
        ),
        (b0, Kind::ReadProbe { value: 0x1af4 }, "dword0=0x00001af4"),
        (b0, Kind::ReadProbeAllOnes, "dword0=0xffffffff"),
        (
            Some(1),
            Kind::IoAllOnes {
                port: 0xc000,
                command: 0x0003,
            },
            "dword0=0xffffffff port=0xc000 command=0x0003 class_rev=0x02000001",
        ),
        (b0, Kind::Truncated64, "raw=0xfea00000"),
        (
            Some(1),
            Kind::SizeInconsistent {
                start: 0x1000,
                len: 0x3000,
            },
            "start=0x1000 len=0x3000",
        ),
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
    v.extend(irq_dma_facts::catalogue(&healthy()));
    let mut f = healthy();
    f.bars[0].res = Resource::default();
    v.push(f);
    let mut f = healthy();
    f.cfg.bars_failed = 1;
    f.cfg.read_errors = 1;
    v.push(f);
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
    f.restore_failed = Some(-1);
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
    f.bars[3].verdict = Some(scan_model(0xfeb00, 1, |_| RO));
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
        v.push(healthy_with(move |_| Trial::Refused(rc)));
    }
    v.push(healthy_with(|i| match i {
        0x10..=0x1f => BUSY,
        0x80 => DENIED,
        0x81 => RO,
        _ => M,
    }));
    v.push(healthy_with(|i| if i % 16 == 15 { DENIED } else { M }));
    v.push(sampled_with(|_| M));
    v.push(sampled_with(|i| if i < 0x80 { DENIED } else { M }));
    v.push(aborted_with(|i| if i == 0x20 { DENIED } else { M }));
    let mut f = with_io_bar1();
    f.bars[1].read_probe = Some(u32::MAX);
    v.push(f);
    let mut f = with_io_bar1();
    f.bars[1].read_probe = Some(0x1af4);
    v.push(f);
    v
}

#[test]
fn catalogue_covers_every_code() {
    let mut seen: Vec<&str> = catalogue().iter().flat_map(|f| codes(&check(f))).collect();
    seen.sort_unstable();
    seen.dedup();
    let mut all: Vec<&str> = checks::all_codes().collect();
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
            let ev = evidence(f, &facts);
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
            assert_eq!(!fx.is_empty(), wants_fix(f), "{l}");
            assert_eq!(l.contains("; fix: "), wants_fix(f), "{l}");
        }
    }
}

// ---- summary ------------------------------------------------------------------------------

#[test]
fn summary_ok_and_warn() {
    let m = Meta {
        config_reads: 40,
        hypercalls: 4,
        trial_entries: 2048,
        probe_ns: 999,
        ..meta()
    };
    let mut s = String::new();
    write_summary(&mut s, &check(&healthy()), &m).unwrap();
    assert_eq!(
        s,
        "summary: OK 0 error(s), 0 warning(s), 2 info; cost: 40 config reads, 4 hypercalls (2048 \
         trial mappings and restores), 0 us (config 400 us, context 300 us, Xen 700 us)"
    );

    let mut f = healthy();
    f.bars[0].res.flags |= IORESOURCE_PREFETCH;
    let mut s = String::new();
    write_summary(&mut s, &check(&f), &m).unwrap();
    assert_eq!(
        s,
        "summary: WARN 0 error(s), 1 warning(s), 1 info; cost: 40 config reads, 4 hypercalls (2048 \
         trial mappings and restores), 0 us (config 400 us, context 300 us, Xen 700 us)"
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
         config reads, 2 hypercalls (512 trial mappings and restores), 1500 us (config 400 us, \
         context 300 us, Xen 700 us)"
    );
}

#[test]
fn verdict_words() {
    assert_eq!(verdict(&Findings::default()), "OK");
    assert_eq!(verdict(&check(&healthy())), "OK");
    assert_eq!(verdict(&check(&case_2009())), "FAIL");
    assert_eq!(verdict(&check(&aborted_with(|_| M))), "WARN");
}

// ---- JSON ---------------------------------------------------------------------------------

/// An empty `Runs` in the JSON report.
fn no_runs() -> Value {
    json!({"frames": 0, "ranges": 0, "first": []})
}

#[test]
fn json_report_of_the_2009_case() {
    let f = case_2009();
    let out = check(&f);
    let m = Meta {
        comm: comm("my\"tool\\x\t"),
        ..meta()
    };
    let j = json_report(&f, &out, &m);
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
    assert_eq!(
        j["cost"],
        json!({"config_reads": 12, "hypercalls": 2, "trial_entries": 512, "probe_ns": 1_500_000,
               "phases_ns": {"config": 400_000, "context": 300_000, "xen": 700_000}})
    );
    assert_eq!(j["config"]["command"], u64::from(PCI_COMMAND_MEMORY));
    assert_eq!(j["config"]["class_rev"], 0x0200_0001);
    assert_eq!(j["config"]["bars"], json!([0xfea0_0000u32, 0, 0, 0, 0, 0]));
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
    assert_eq!(
        res[0]["xen"],
        json!({
            "first_pfn": 0xfea00,
            "frames": 256,
            "tested": 256,
            "stride": 1,
            "hypercalls": 1,
            "trial_entries": 256,
            "aborted": null,
            "granted": no_runs(),
            "refused": {"frames": 256, "ranges": 1, "first": [{"pfn": 0xfea00, "frames": 256, "rc": -1}]},
            "read_only": no_runs(),
        })
    );
    // Resources Xen was not asked about have no verdict.
    for r in &res[1..] {
        assert!(r.get("xen").is_none(), "{r}");
    }

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
        .contains("xen_rc=-1 (-EPERM) every frame of 256 tested"));
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

/// BAR0's `xen` object in the JSON report of these facts.
struct JsonCase {
    name: &'static str,
    facts: fn() -> DeviceFacts,
    xen: fn() -> Value,
}

#[test]
fn json_xen_object_per_verdict() {
    let cases = [
        JsonCase {
            name: "healthy: one granted range",
            facts: healthy,
            xen: || {
                json!({
                    "first_pfn": 0xfea00, "frames": 256, "tested": 256, "stride": 1,
                    "hypercalls": 1, "trial_entries": 256, "aborted": null,
                    "granted": {"frames": 256, "ranges": 1, "first": [{"pfn": 0xfea00, "frames": 256}]},
                    "refused": no_runs(),
                    "read_only": no_runs(),
                })
            },
        },
        JsonCase {
            name: "two holes, two codes, an MSI-X frame",
            facts: || {
                healthy_with(|i| match i {
                    0x10..=0x1f => BUSY,
                    0x80 => DENIED,
                    0x81 => RO,
                    _ => M,
                })
            },
            xen: || {
                json!({
                    "first_pfn": 0xfea00, "frames": 256, "tested": 256, "stride": 1,
                    "hypercalls": 1, "trial_entries": 256, "aborted": null,
                    "granted": {"frames": 238, "ranges": 3, "first": [
                        {"pfn": 0xfea00, "frames": 0x10},
                        {"pfn": 0xfea20, "frames": 0x60},
                        {"pfn": 0xfea82, "frames": 0x7e},
                    ]},
                    "refused": {"frames": 17, "ranges": 2, "first": [
                        {"pfn": 0xfea10, "frames": 16, "rc": -16},
                        {"pfn": 0xfea80, "frames": 1, "rc": -1},
                    ]},
                    "read_only": {"frames": 1, "ranges": 1, "first": [{"pfn": 0xfea81, "frames": 1}]},
                })
            },
        },
        JsonCase {
            name: "more ranges than kept: totals exact, the first RUNS_KEPT listed",
            facts: || healthy_with(|i| if i % 16 == 15 { DENIED } else { M }),
            xen: || {
                let first = |off: u64, frames: u64, rc: Option<i32>| -> Vec<Value> {
                    (0..RUNS_KEPT as u64)
                        .map(|k| match rc {
                            Some(rc) => {
                                json!({"pfn": 0xfea00 + off + 16 * k, "frames": frames, "rc": rc})
                            }
                            None => json!({"pfn": 0xfea00 + off + 16 * k, "frames": frames}),
                        })
                        .collect()
                };
                json!({
                    "first_pfn": 0xfea00, "frames": 256, "tested": 256, "stride": 1,
                    "hypercalls": 1, "trial_entries": 256, "aborted": null,
                    "granted": {"frames": 240, "ranges": 16, "first": first(0, 15, None)},
                    "refused": {"frames": 16, "ranges": 16, "first": first(15, 1, Some(-1))},
                    "read_only": no_runs(),
                })
            },
        },
        JsonCase {
            name: "sampled",
            facts: || sampled_with(|_| M),
            xen: || {
                let first: Vec<Value> = (0..RUNS_KEPT as u64)
                    .map(|k| json!({"pfn": 0xfea00 + 5 * k, "frames": 1}))
                    .collect();
                json!({
                    "first_pfn": 0xfea00, "frames": 256, "tested": 52, "stride": 5,
                    "hypercalls": 1, "trial_entries": 52, "aborted": null,
                    "granted": {"frames": 52, "ranges": 52, "first": first},
                    "refused": no_runs(),
                    "read_only": no_runs(),
                })
            },
        },
        JsonCase {
            name: "aborted in the second batch",
            facts: || aborted_with(|i| if i == 0x20 { DENIED } else { M }),
            xen: || {
                json!({
                    "first_pfn": 0xfea00, "frames": 256, "tested": 64, "stride": 1,
                    "hypercalls": 1, "trial_entries": 64, "aborted": -14,
                    "granted": {"frames": 63, "ranges": 2, "first": [
                        {"pfn": 0xfea00, "frames": 0x20},
                        {"pfn": 0xfea21, "frames": 0x1f},
                    ]},
                    "refused": {"frames": 1, "ranges": 1, "first": [{"pfn": 0xfea20, "frames": 1, "rc": -1}]},
                    "read_only": no_runs(),
                })
            },
        },
    ];
    for c in &cases {
        let facts = (c.facts)();
        let j = json_report(&facts, &check(&facts), &meta());
        assert_eq!(j["resources"][0]["xen"], (c.xen)(), "{}", c.name);
    }
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
    let j = json_report(&f, &out, &m);
    assert_eq!(j["dom0_device"], Value::Null);
    assert_eq!(j["context"]["backend_domid"], Value::Null);
    assert_eq!(j["task"]["comm"], "0123456789abcdef");
    assert_eq!(j["summary"]["verdict"], "OK");

    let mut c = comm("a");
    c[1] = 0xff;
    let j = json_report(&f, &out, &Meta { comm: c, ..m });
    assert_eq!(j["task"]["comm"], "?");

    let j = json_report(
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
        let j = json_report(&facts, &out, &m);
        let findings = j["findings"].as_array().unwrap();
        assert_eq!(findings.len(), out.len());
        for (jf, f) in findings.iter().zip(out.iter()) {
            assert_eq!(jf["code"], f.code());
            assert_eq!(jf["severity"], f.severity().as_str());
            assert_eq!(jf["scope"], scope(f));
            let mut what = String::new();
            write_what(&mut what, f).unwrap();
            assert_eq!(jf["what"], what.as_str());
            assert_eq!(jf["evidence"], evidence(f, &facts).as_str());
            assert_eq!(jf["fix"], fix(f, &facts, &m).as_str());
        }
        assert_eq!(j["summary"]["verdict"], verdict(&out));
        assert_eq!(j["summary"]["errors"], out.count(Severity::Error));
        assert_eq!(j["summary"]["warnings"], out.count(Severity::Warning));
        assert_eq!(j["summary"]["info"], out.count(Severity::Info));
        // A resource has a `xen` object exactly when Xen was asked about it.
        for (r, b) in j["resources"].as_array().unwrap().iter().zip(&facts.bars) {
            match &b.verdict {
                None => assert!(r.get("xen").is_none(), "{r}"),
                Some(v) => {
                    let x = &r["xen"];
                    assert_eq!(x["first_pfn"], v.first_pfn);
                    assert_eq!(x["tested"], v.tested);
                    assert_eq!(x["stride"], v.stride);
                    assert_eq!(x["aborted"], json!(v.aborted));
                    for (name, runs) in [
                        ("granted", &v.granted),
                        ("refused", &v.refused),
                        ("read_only", &v.read_only),
                    ] {
                        assert_eq!(x[name]["ranges"], runs.count, "{name}");
                        assert_eq!(x[name]["frames"], runs.frames, "{name}");
                        let first: Vec<(u64, u64)> = x[name]["first"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|r| (r["pfn"].as_u64().unwrap(), r["frames"].as_u64().unwrap()))
                            .collect();
                        let want: Vec<(u64, u64)> =
                            runs.iter().map(|r| (r.first_pfn, r.frames)).collect();
                        assert_eq!(first, want, "{name}");
                    }
                }
            }
        }
    }
}

#[test]
fn json_reports_dropped_findings() {
    let f = six_sub_page_bars();
    let out = check(&f);
    assert!(out.dropped > 0);
    let j = json_report(&f, &out, &meta());
    assert_eq!(j["findings"].as_array().unwrap().len(), out.len());
    assert_eq!(j["summary"]["dropped"], out.dropped);
}

#[test]
fn bar_at_top_of_address_space_is_worded_without_overflow() {
    let mut f = healthy_at_top();
    let start = TOP_BAR_START;
    f.bars[0].verdict = Some(all_mapped_at(start >> PAGE_SHIFT, 256));
    f.ctx.phys_bits = 0;
    let m = meta();
    assert_eq!(
        lines(&f, &m)[1],
        "info ok BAR0: usable; evidence: mem [0xfffffffffff00000-0xffffffffffffffff] 1 MiB \
         64-bit prefetchable, Xen maps all 256 frames, every frame tested (256 trial mappings in \
         1 hypercall(s))"
    );
    f.bars[0].verdict = Some(scan_model(start >> PAGE_SHIFT, 256, |i| {
        if i == 255 {
            DENIED
        } else {
            M
        }
    }));
    let out = check(&f);
    let fx = fix(out.find("xen-eperm").unwrap(), &f, &m);
    assert!(fx.contains("iomem=['fffffffffffff,1']"), "{fx}");
    assert!(
        lines(&f, &m)[1].contains("refused 1: 0xfffffffffffff (-EPERM)"),
        "{}",
        lines(&f, &m)[1]
    );
    json_report(&f, &out, &m);
}

prop_compose! {
    /// Any start or a page-aligned one; any length, a small one or none; flags the PCI core
    /// sets.
    fn any_resource()(
        start in prop_oneof![any::<u64>(), (0u64..1 << 20).prop_map(|p| p << 12)],
        len in prop_oneof![any::<u64>(), 0u64..0x10_0000, Just(0)],
        flags in prop::sample::select(vec![
            0,
            IORESOURCE_IO,
            IORESOURCE_MEM,
            IORESOURCE_MEM | IORESOURCE_MEM_64,
            IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64,
            IORESOURCE_MEM | IORESOURCE_UNSET,
            IORESOURCE_UNSET | IORESOURCE_DISABLED,
        ]),
        claimed in any::<bool>(),
    ) -> Resource {
        Resource {
            start,
            end: start.wrapping_add(len).wrapping_sub(1),
            flags,
            claimed,
        }
    }
}

prop_compose! {
    fn any_p2m()(
        frames in any::<u64>(),
        non_identity in any::<u64>(),
        invalid in any::<u64>(),
        first in any::<Option<(u64, u64)>>(),
    ) -> P2m {
        P2m { frames, non_identity, invalid, first }
    }
}

prop_compose! {
    /// A verdict as the scan produces it: any answers, any batch size (0: no slot), any test
    /// limit (often sampled), sometimes a batch failing as a whole.
    fn any_verdict()(
        first in 0u64..1 << 52,
        frames in 0u64..3000,
        max_frames in 0u64..400,
        batch in 0usize..=64,
        fail in prop::option::of((0usize..8, any::<i32>())),
        seed in any::<u64>(),
    ) -> Verdict {
        let answer = move |i: u64| {
            let r = i.wrapping_add(seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 61;
            [M, M, M, RO, DENIED, BUSY, Trial::Refused(EINVAL), Trial::Refused(EOPNOTSUPP)][r as usize]
        };
        let mut m = Model::new(first, frames, batch, answer);
        if let Some((b, rc)) = fail {
            m = m.failing(b, rc);
        }
        m.scan(max_frames)
    }
}

fn any_skip() -> impl Strategy<Value = Skip> {
    prop_oneof![
        Just(Skip::NotPv),
        Just(Skip::IoPorts),
        Just(Skip::P2m),
        Just(Skip::NoResource),
        any::<i32>().prop_map(Skip::Scratch),
    ]
}

prop_compose! {
    fn any_bar_facts()(
        res in any_resource(),
        ram_overlap in any::<bool>(),
        p2m in prop::option::of(any_p2m()),
        verdict in prop::option::of(any_verdict()),
        skipped in prop::option::of(any_skip()),
        read_probe in any::<Option<u32>>(),
    ) -> BarFacts {
        BarFacts { res, ram_overlap, p2m, verdict, skipped, read_probe }
    }
}

prop_compose! {
    fn any_context()(
        (xen_pv, initial_domain, pcifront) in any::<(bool, bool, bool)>(),
        backend_domid in any::<Option<u16>>(),
        ram_pages in any::<u64>(),
        phys_bits in 0u8..=70,
    ) -> Context {
        Context { xen_pv, initial_domain, pcifront, backend_domid, ram_pages, phys_bits }
    }
}

/// A register: anything, 0, all-ones, or a BAR near edu's with any type bits.
fn any_register() -> impl Strategy<Value = u32> {
    prop_oneof![
        any::<u32>(),
        Just(0),
        Just(u32::MAX),
        (0u32..16).prop_map(|t| 0xfea0_0000 | t),
    ]
}

prop_compose! {
    fn any_config()(
        id in any::<u32>(),
        command in any::<u16>(),
        command_after_enable in prop::option::of(any::<u16>()),
        class_rev in prop_oneof![any::<u32>(), Just(u32::MAX)],
        bars in prop::array::uniform6(any_register()),
        rom in any_register(),
        read_errors in 0u32..3,
        bars_failed in prop_oneof![Just(0u8), any::<u8>()],
    ) -> Config {
        Config {
            id,
            command,
            command_after_enable,
            class_rev,
            bars,
            rom,
            read_errors,
            bars_failed: bars_failed & 0x7f,
        }
    }
}

prop_compose! {
    fn any_facts()(
        ctx in any_context(),
        cfg in any_config(),
        // Boxed: seven unboxed value trees of this depth overflow the test thread's stack.
        bars in prop::array::uniform7(any_bar_facts().boxed()),
        restore_failed in any::<Option<i32>>(),
    ) -> DeviceFacts {
        DeviceFacts { ctx, cfg, bars, restore_failed, ..DeviceFacts::default() }
    }
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
            prop_assert_eq!(l.contains("; fix: "), wants_fix(f), "{}", l);
        }
        let j = json_report(&facts, &out, &m);
        prop_assert_eq!(j["findings"].as_array().unwrap().len(), out.len());
        prop_assert_eq!(&j["summary"]["verdict"], verdict(&out));
        prop_assert_eq!(&j["task"]["pid"], pid);
        let mut s = String::new();
        write_summary(&mut s, &out, &m).unwrap();
        let prefix = format!("summary: {} ", verdict(&out));
        prop_assert!(s.starts_with(&prefix), "{}", s);
    }
}

/// printk keeps about 1,000 bytes of a record: the longest line the report can write, a 64-bit
/// BAR at the top of a 52-bit address space whose every kind of answer comes in more runs than
/// are kept, with the longest refusal code and the iomem fix, must fit with its `dev_*` prefix.
#[test]
fn longest_line_fits_a_printk_record() {
    const PREFIX: usize = "pcifront_diag 0000:00:00.0: ".len();
    let start = 0x000f_ffff_0000_0000_u64;
    let len = 1 << 30;
    let mut f = healthy();
    f.cfg.bars[0] = (start as u32) | 0xc;
    f.cfg.bars[1] = (start >> 32) as u32;
    f.bars[0].res = mem_res(
        start,
        len,
        IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
    );
    f.ctx.phys_bits = 52;
    // Alternating answers: granted, -EINVAL, read-only, -EBUSY, ... in runs of 3 frames.
    let answers = [Trial::Mapped, Trial::Refused(EINVAL), Trial::ReadOnly, BUSY];
    f.bars[0].verdict = Some(scan_model(start >> 12, len >> 12, |i| {
        answers[((i / 3) % 4) as usize]
    }));
    let out = check(&f);
    let longest = out
        .iter()
        .map(|finding| line(finding, &f, &meta()).len())
        .max()
        .unwrap();
    assert!(
        PREFIX + longest < 1000,
        "a {longest}-byte line does not fit a printk record: {}",
        out.iter()
            .map(|finding| line(finding, &f, &meta()))
            .max_by_key(|l| l.len())
            .unwrap()
    );
}
