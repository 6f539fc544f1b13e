//! The interrupt and DMA paths (`diag::irq`, `diag::paths`, and their checks and findings):
//! capability decoding, the failure stage per errno, each finding from hand-built facts, the
//! summary's cost suffix and the JSON report's `"paths"`.

mod common;

use common::irq_dma::*;
use common::*;
use pcifront_diag_core::diag::checks::{check, Finding, Severity};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::irq::{stage_of, Stage, EALREADY, EIO, ENOSPC, ENOSYS, ENXIO};
use pcifront_diag_core::diag::paths;
use pcifront_diag_core::diag::report::{write_json, write_line, write_summary, Bdf, Meta};

fn meta() -> Meta {
    Meta {
        backend_bdf: Some(Bdf {
            domain: 0,
            bus: 0,
            dev: 5,
            func: 0,
        }),
        ..Meta::default()
    }
}

/// The log line of the one finding with this code.
fn line_of(facts: &DeviceFacts, code: &str) -> String {
    let out = check(facts);
    let all: Vec<&Finding> = out.iter().filter(|f| f.code() == code).collect();
    assert_eq!(all.len(), 1, "one {code} in {:?}", codes(&out));
    let mut s = String::new();
    write_line(&mut s, all[0], facts, &meta()).unwrap();
    s
}

fn e1000e() -> DeviceFacts {
    with_paths(&healthy())
}

#[test]
fn msi_capability_decoding() {
    // e1000e's MSI capability in QEMU: next 0xe0, id 5, control 0x0080 (64-bit, 1 vector).
    let m = MsiCap::from_dword(0xd0, 0x0080_e005);
    assert_eq!(
        m,
        MsiCap {
            offset: 0xd0,
            vectors: 1,
            is64: true,
            enabled: false
        }
    );
    // Multiple Message Capable 5 (32 vectors), enabled, 32-bit.
    let m = MsiCap::from_dword(0x50, 0x000b_0005);
    assert_eq!((m.vectors, m.is64, m.enabled), (32, false, true));
    // The reserved encodings 6 and 7 count as 32, never more.
    assert_eq!(MsiCap::from_dword(0x50, 0x000e_0005).vectors, 32);
}

#[test]
fn msix_capability_decoding() {
    // e1000e: table size field 4 (5 vectors), table in BAR3 at 0, PBA at BAR3 + 0x2000.
    let m = MsixCap::from_dwords(0xa0, 0x0004_0011, 0x0000_0003);
    assert_eq!(Some(m), e1000e_irq().msix);
    assert_eq!(m.table_span(), (0, 5 * 16 - 1));
    // The largest table: 2048 vectors, enabled and masked, at BAR0 + 0x10000.
    let m = MsixCap::from_dwords(0x70, 0xc7ff_0011, 0x0001_0000);
    assert_eq!((m.vectors, m.table_bar, m.table_offset), (2048, 0, 0x10000));
    assert!(m.enabled);
    assert_eq!(m.table_span(), (0x10000, 0x10000 + 2048 * 16 - 1));
}

#[test]
fn pirqs_for_msi_are_those_above_the_gsis() {
    let mut irq = e1000e_irq();
    // 56 pirqs, the device's GSI 23: at most 56 - 24 for MSI/MSI-X.
    assert_eq!(irq.msi_pirqs_at_most(), Some(32));
    // The GSIs reach to 16 at least, whatever the line.
    irq.intx.line = 5;
    assert_eq!(irq.msi_pirqs_at_most(), Some(40));
    irq.intx.pin = 0;
    irq.intx.line = 200;
    assert_eq!(irq.msi_pirqs_at_most(), Some(40));
    irq.nr_pirqs = Some(10);
    assert_eq!(irq.msi_pirqs_at_most(), Some(0));
    irq.nr_pirqs = None;
    assert_eq!(irq.msi_pirqs_at_most(), None);
}

#[test]
fn stage_of_each_errno() {
    use MsiType::*;
    let table = [
        (MsiX, ENOSPC, Stage::XenPirq),
        (MsiX, ENXIO, Stage::PcibackState),
        (MsiX, EALREADY, Stage::PcibackState),
        (MsiX, EIO, Stage::PcibackFailed),
        (MsiX, EPERM, Stage::PcibackGone),
        (MsiX, EINVAL, Stage::Pcifront),
        (Msi, EINVAL, Stage::MsiBackend),
        (Msi, ENOSYS, Stage::PcifrontMissing),
        (MsiX, ENOSYS, Stage::PcifrontMissing),
        (Msi, ENOMEM, Stage::Memory),
        (Msi, ENOSPC, Stage::Unknown),
        (MsiX, EBUSY, Stage::Unknown),
    ];
    for (kind, rc, want) in table {
        assert_eq!(stage_of(kind, rc), want, "{kind:?} {rc}");
    }
}

#[test]
fn healthy_paths_are_two_info_lines() {
    let f = e1000e();
    let out = check(&f);
    let mine: Vec<(&str, Severity)> = out
        .iter()
        .filter(|x| ["interrupts", "dma"].contains(&x.code()))
        .map(|x| (x.code(), x.severity()))
        .collect();
    assert_eq!(
        mine,
        [("interrupts", Severity::Info), ("dma", Severity::Info)]
    );
    assert_eq!(out.count(Severity::Error) + out.count(Severity::Warning), 0);
    let l = line_of(&f, "interrupts");
    assert!(
        l.ends_with(
            "evidence: intx=INTA line=23 (pirq 23) guest_irq=unbound; msi=1 vector(s) 64-bit; \
             msix=5 vector(s) table=BAR3+0x0; nr_pirqs=56 (at most 32 for MSI/MSI-X); \
             intx_bind=permitted"
        ),
        "{l}"
    );
    let l = line_of(&f, "dma");
    assert!(
        l.ends_with(
            "evidence: ops=swiotlb-xen mask=0xffffffff coherent_mask=0xffffffff pool=64 MiB \
             pool_used=0 B guest_frames_above_mask=0/32768 max_mfn=0x7ffff"
        ),
        "{l}"
    );
}

#[test]
fn no_interrupts_and_a_bound_intx() {
    let mut f = e1000e();
    f.irq.msi = None;
    f.irq.msix = None;
    f.irq.intx.guest_irq = Some(28);
    let l = line_of(&f, "interrupts");
    assert!(
        l.contains("intx=INTA line=23 (pirq 23) guest_irq=28; msi=none; msix=none;"),
        "{l}"
    );
    f.irq.intx.pin = 0;
    f.irq.nr_pirqs = None;
    let l = line_of(&f, "interrupts");
    assert!(
        l.ends_with("evidence: intx=none; msi=none; msix=none"),
        "{l}"
    );
}

/// The irq-denied scenario: Xen's `EVTCHNOP_bind_pirq` says -EPERM for the device's pirq.
#[test]
fn intx_denied_names_the_gsi_and_the_fix() {
    let mut f = e1000e();
    f.irq.intx.bind_rc = Some(-1);
    let out = check(&f);
    assert_eq!(
        out.find("intx-denied").map(|x| x.severity()),
        Some(Severity::Error)
    );
    let l = line_of(&f, "intx-denied");
    assert!(l.contains("error intx-denied device: Xen refuses this domain the device's legacy interrupt (INTx): its GSI is not in the domain's IRQ permissions"), "{l}");
    assert!(l.contains("evidence: EVTCHNOP_bind_pirq pirq=23 rc=-1 (-EPERM); fix: on dom0: xl pci-detach <domain> 0000:00:05.0 and xl pci-attach <domain> 0000:00:05.0 (the toolstack grants the device's GSI at attach), or irqs=[23] in the guest's xl.cfg"), "{l}");
    assert!(line_of(&f, "interrupts").ends_with("; intx_bind=-EPERM"));
    // Bound already by this guest: Xen checked the permission first, so it is granted.
    f.irq.intx.bind_rc = Some(-17);
    let out = check(&f);
    assert!(out.find("intx-denied").is_none());
    assert!(line_of(&f, "interrupts").ends_with("; intx_bind=permitted"));
    // Another refusal is still one, with Xen's error.
    f.irq.intx.bind_rc = Some(-16);
    assert!(line_of(&f, "intx-denied")
        .contains("Xen refuses to bind the device's legacy interrupt (INTx) pirq"));
}

/// Issue 16 item 4: the probe looks dom0's BDF up only for a finding whose fix names it.
#[test]
fn fixes_that_name_dom0s_bdf() {
    let mut f = e1000e();
    let out = check(&f);
    assert!(
        out.iter().all(|x| !x.fix_names_dom0(&f)),
        "{:?}",
        codes(&out)
    );
    f.irq.intx.bind_rc = Some(-1);
    let out = check(&f);
    let naming: Vec<&str> = out
        .iter()
        .filter(|x| x.fix_names_dom0(&f))
        .map(|x| x.code())
        .collect();
    assert_eq!(naming, ["intx-denied"]);
    // The placeholder is what a fix says without the lookup.
    let mut s = String::new();
    let m = Meta::default();
    write_line(&mut s, out.find("intx-denied").unwrap(), &f, &m).unwrap();
    assert!(s.contains("xl pci-detach <domain> <dom0 BDF>"), "{s}");
}

#[test]
fn nothing_when_the_paths_were_not_gathered() {
    let f = healthy();
    let out = check(&f);
    assert!(out.find("interrupts").is_none() && out.find("dma").is_none());
    let mut s = String::new();
    paths::write_cost(&mut s, &f).unwrap();
    assert_eq!(s, "");
}

#[test]
fn msix_trial_granted() {
    let mut f = e1000e();
    f.irq.msix_trial = Some(msix_granted());
    f.irq.msi_trial = Some(MsiTrial {
        kind: MsiType::Msi,
        asked: 1,
        outcome: Ok(Granted {
            vectors: 1,
            first_irq: 31,
            first_pirq: 55,
            last_pirq: 55,
        }),
    });
    let out = check(&f);
    let trials: Vec<&Finding> = out.iter().filter(|x| x.code() == "msi-trial").collect();
    assert_eq!(trials.len(), 2, "MSI-X, then MSI");
    let mut lines = trials.iter().map(|x| {
        let mut s = String::new();
        write_line(&mut s, x, &f, &meta()).unwrap();
        s
    });
    let msix = lines.next().unwrap();
    assert!(msix.starts_with("info msi-trial device: MSI-X enabled through pcifront"));
    assert!(
        msix.ends_with("evidence: MSI-X asked=5 granted=5 first_irq=30 pirqs=55-51"),
        "{msix}"
    );
    let msi = lines.next().unwrap();
    assert!(msi.ends_with("evidence: MSI asked=1 granted=1 first_irq=31 pirqs=55-55"));
    assert_eq!(out.count(Severity::Error) + out.count(Severity::Warning), 0);
}

#[test]
fn multi_message_msi_gets_one_vector_and_says_why() {
    let mut f = e1000e();
    f.irq.msi_trial = Some(MsiTrial {
        kind: MsiType::Msi,
        asked: 8,
        outcome: Ok(Granted {
            vectors: 1,
            first_irq: 31,
            first_pirq: 50,
            last_pirq: 50,
        }),
    });
    let l = line_of(&f, "msi-trial");
    assert!(l.contains("MSI asked=8 granted=1"), "{l}");
    assert!(l.contains("a PV guest gets one MSI vector"), "{l}");
}

#[test]
fn pirq_limit_predicted_and_the_trial_failing_in_xen() {
    let f = pirq_limited(&healthy());
    let out = check(&f);
    assert_eq!(out.count(Severity::Error), 1);
    assert_eq!(out.count(Severity::Warning), 1);
    let l = line_of(&f, "msix-pirq-limit");
    assert!(l.starts_with("warning msix-pirq-limit device: "), "{l}");
    assert!(
        l.contains("evidence: msix_vectors=5 nr_pirqs=26 msi_pirqs_at_most=2 "),
        "{l}"
    );
    assert!(
        l.contains("fix: boot Xen with extra_guest_irqs=64 (the pirqs each domU gets beyond the GSIs; default 32, this device alone asks for 5)"),
        "{l}"
    );
    let l = line_of(&f, "msi-failed");
    assert!(l.starts_with("error msi-failed device: MSI-X enable failed in Xen: no free pirq"));
    assert!(l.contains("'enable msix get err ffffffe4'"), "{l}");
    assert!(
        l.contains("evidence: MSI-X asked=5 rc=-28 (-ENOSPC) stage=xen-pirq nr_pirqs=26; fix: boot Xen with extra_guest_irqs=64"),
        "{l}"
    );
}

#[test]
fn the_limit_fits_when_the_vectors_do() {
    let mut f = e1000e();
    // 24 GSIs and 5 pirqs beyond: e1000e's 5 vectors just fit.
    f.irq.nr_pirqs = Some(29);
    assert!(check(&f).find("msix-pirq-limit").is_none());
    f.irq.nr_pirqs = Some(28);
    assert!(check(&f).find("msix-pirq-limit").is_some());
}

#[test]
fn each_stage_has_its_fix() {
    let failing = |kind, rc| {
        let mut f = e1000e();
        f.irq.msix_trial = Some(MsiTrial {
            kind,
            asked: 5,
            outcome: Err(rc),
        });
        line_of(&f, "msi-failed")
    };
    let l = failing(MsiType::MsiX, ENXIO);
    assert!(l.contains("stage=pciback-state"), "{l}");
    assert!(
        l.contains("xl pci-assignable-remove 0000:00:05.0 && xl pci-assignable-add 0000:00:05.0"),
        "{l}"
    );
    assert!(l.contains("'error enabling MSI-X for guest'"), "{l}");
    let l = failing(MsiType::Msi, EINVAL);
    assert!(l.contains("'Xen PCI frontend error: -22!'"), "{l}");
    assert!(l.contains("'Couldn't initialize interrupts: -22'"), "{l}");
    assert!(l.contains("stage=pciback-or-xen"), "{l}");
    assert!(l.contains("raise Xen's extra_guest_irqs="), "{l}");
    let l = failing(MsiType::MsiX, EIO);
    assert!(l.contains("'enable msix get err fffffffb'"), "{l}");
    let l = failing(MsiType::MsiX, ENOSYS);
    assert!(l.contains("CONFIG_PCI_MSI=y"), "{l}");
    let l = failing(MsiType::MsiX, -95);
    assert!(l.contains("rc=-95 (error) stage=unknown"), "{l}");
}

#[test]
fn msix_not_tried_and_enable_failed() {
    let mut f = e1000e();
    f.irq.msix_skipped = Some(MsixSkip::TableNotGranted);
    let l = line_of(&f, "msix-not-tried");
    assert!(l.starts_with("warning msix-not-tried device: MSI-X not tried: Xen does not map"));
    assert!(
        l.ends_with("evidence: table_bar=BAR3; fix: see the findings of BAR3 and fix those first"),
        "{l}"
    );
    f.irq.enable_failed = Some(EINVAL);
    let l = line_of(&f, "irq-enable-failed");
    assert!(l.contains("evidence: rc=-22 (-EINVAL)"), "{l}");
}

#[test]
fn more_vectors_than_pcifront_passes() {
    let mut f = e1000e();
    if let Some(m) = f.irq.msix.as_mut() {
        m.vectors = 129;
    }
    f.irq.nr_pirqs = Some(2048);
    let out = check(&f);
    assert!(out.find("msix-over-pcifront").is_some());
    assert!(out.find("msix-pirq-limit").is_none());
    // pcifront stops more than 128 first: the pirq limit is judged on those.
    f.irq.nr_pirqs = Some(24 + 128);
    assert!(check(&f).find("msix-pirq-limit").is_none());
    f.irq.nr_pirqs = Some(24 + 127);
    assert!(check(&f).find("msix-pirq-limit").is_some());
}

#[test]
fn dma_findings() {
    let mut f = e1000e();
    f.dma.swiotlb_xen = false;
    let l = line_of(&f, "dma-no-swiotlb-xen");
    assert!(l.contains("evidence: ops=other mask=0xffffffff"), "{l}");
    assert!(
        l.contains("fix: set e820_host=1 in the guest's xl.cfg"),
        "{l}"
    );
    f.dma.other_ops = false;
    assert!(line_of(&f, "dma-no-swiotlb-xen").contains("evidence: ops=direct "));
    // Outside a PV domU behind pcifront, no swiotlb-xen is no finding.
    f.ctx.pcifront = false;
    assert!(check(&f).find("dma-no-swiotlb-xen").is_none());

    let mut f = e1000e();
    f.dma.pool_bytes = 0;
    f.dma.pool_used = Some(0);
    let l = line_of(&f, "dma-no-pool");
    assert!(
        l.contains("'Failed to get contiguous memory for DMA from Xen!'"),
        "{l}"
    );
    assert!(l.contains("fix: start this guest while Xen still has free memory below 4 GiB"));

    let mut f = e1000e();
    // 90% of 64 MiB is 60,397,977.6 bytes.
    f.dma.pool_used = Some(60_397_977);
    assert!(check(&f).find("dma-pool-full").is_none());
    f.dma.pool_used = Some(60_397_978);
    let l = line_of(&f, "dma-pool-full");
    assert!(l.contains("'swiotlb buffer is full'"), "{l}");
    assert!(l.contains("swiotlb=65536"), "{l}");
    // An unknown use is no finding.
    f.dma.pool_used = None;
    assert!(check(&f).find("dma-pool-full").is_none());

    let mut f = e1000e();
    f.dma.frames_above_mask = f.dma.frames_checked - 1;
    assert!(check(&f).find("dma-above-mask").is_none());
    f.dma.frames_above_mask = f.dma.frames_checked;
    f.dma.sampled = true;
    assert!(line_of(&f, "dma").ends_with(" max_mfn=0x7ffff (p2m sampled)"));
    let l = line_of(&f, "dma-above-mask");
    assert!(
        l.contains("evidence: mask=0xffffffff frames_above_mask=32768/32768"),
        "{l}"
    );
}

#[test]
fn summary_gives_the_paths_cost() {
    let mut f = e1000e();
    f.irq.cost = StepCost {
        config_reads: 4,
        hypercalls: 17,
        pcifront_ops: 4,
        ns: 5_400_000,
    };
    f.dma.cost.ns = 1_200_000;
    let mut s = String::new();
    write_summary(&mut s, &check(&f), &meta()).unwrap();
    paths::write_cost(&mut s, &f).unwrap();
    assert!(
        s.ends_with(
            "Xen 0 us); interrupts: 4 config reads, 4 pcifront ops, 17 hypercalls, 5400 us; \
             DMA: 1200 us"
        ),
        "{s}"
    );
}

#[test]
fn json_paths() {
    let mut f = pirq_limited(&healthy());
    f.irq.msi_trial = Some(MsiTrial {
        kind: MsiType::Msi,
        asked: 1,
        outcome: Ok(Granted {
            vectors: 1,
            first_irq: 31,
            first_pirq: 25,
            last_pirq: 25,
        }),
    });
    f.dma.pool_used = None;
    let mut s = String::new();
    write_json(&mut s, &f, &check(&f), &meta()).unwrap();
    let j: serde_json::Value = serde_json::from_str(&s).unwrap();
    let irq = &j["paths"]["interrupts"];
    assert_eq!(
        irq["intx"],
        serde_json::json!({"pin": 1, "line": 23, "guest_irq": null})
    );
    assert_eq!(irq["msix"]["vectors"], 5);
    assert_eq!(irq["msix"]["table_bar"], 3);
    assert_eq!(irq["msi"]["is64"], true);
    assert_eq!(irq["nr_pirqs"], 26);
    assert_eq!(irq["msi_pirqs_at_most"], 2);
    assert_eq!(
        irq["msix_trial"],
        serde_json::json!({"asked": 5, "granted": 0, "rc": -28})
    );
    assert_eq!(irq["msi_trial"]["granted"], 1);
    assert_eq!(irq["msi_trial"]["rc"], serde_json::Value::Null);
    let dma = &j["paths"]["dma"];
    assert_eq!(dma["swiotlb_xen"], true);
    assert_eq!(dma["pool_bytes"], 64 << 20);
    assert_eq!(dma["pool_used"], serde_json::Value::Null);
    assert_eq!(dma["mask"], 0xffff_ffffu64);
    assert_eq!(dma["sampled"], false);
    // Not gathered: null.
    let f = healthy();
    let mut s = String::new();
    write_json(&mut s, &f, &check(&f), &meta()).unwrap();
    let j: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(
        j["paths"],
        serde_json::json!({"interrupts": null, "dma": null})
    );
}

/// printk keeps about 1,000 bytes of a record: every line of the new findings fits with its
/// `dev_*` prefix, with the longest values they can hold.
#[test]
fn new_lines_fit_a_printk_record() {
    const PREFIX: usize = "pcifront_diag 0000:00:00.0: ".len();
    let mut cases = common::irq_dma::catalogue(&healthy());
    for f in cases.iter_mut() {
        f.irq.nr_pirqs = Some(u32::MAX);
        f.irq.intx.guest_irq = Some(u32::MAX);
        f.dma.mask = u64::MAX;
        f.dma.max_mfn = u64::MAX;
        f.dma.frames_checked = u64::MAX;
    }
    for kind in [MsiType::Msi, MsiType::MsiX] {
        for rc in [EINVAL, ENOSPC, ENXIO, EIO, EPERM, ENOSYS, ENOMEM, i32::MIN] {
            let mut f = e1000e();
            f.irq.msix_trial = Some(MsiTrial {
                kind,
                asked: u32::MAX,
                outcome: Err(rc),
            });
            cases.push(f);
        }
    }
    for f in &cases {
        for finding in check(f).iter() {
            let mut s = String::new();
            write_line(&mut s, finding, f, &meta()).unwrap();
            assert!(PREFIX + s.len() < 1000, "{} bytes: {s}", s.len());
        }
    }
}

#[test]
fn msix_left_enabled_by_the_teardown() {
    let mut f = msix_left_enabled(&healthy());
    let l = line_of(&f, "msix-left-enabled");
    assert!(l.starts_with("warning msix-left-enabled device: MSI-X was left on in dom0"));
    assert!(l.contains("'enable msix get err ffffff8e'"), "{l}");
    assert!(
        l.contains("evidence: msix_control=0x8004 after pci_free_irq_vectors(); the module's own disable-MSI-X op cleared it; fix: "),
        "{l}"
    );
    assert!(
        l.contains("xl pci-detach <domain> 0000:00:05.0 and xl pci-attach <domain> 0000:00:05.0"),
        "{l}"
    );
    f.irq.msix_left_on = Some(LeftOn {
        control: 0x8004,
        cleared: false,
        at_bind: false,
    });
    assert!(line_of(&f, "msix-left-enabled").contains("op did not clear it"));
    // Found at bind, left by an earlier driver: reported as found, then as cleared.
    f.irq.msix_left_on = None;
    f.irq.msix_on_at_bind = Some(LeftOn {
        control: 0x8004,
        cleared: false,
        at_bind: true,
    });
    let l = line_of(&f, "msix-left-enabled");
    assert!(
        l.contains("evidence: msix_control=0x8004 at bind, no driver holding the device (an earlier driver's teardown left it); fix:"),
        "{l}"
    );
    f.irq.msix_on_at_bind = Some(LeftOn {
        control: 0x8004,
        cleared: true,
        at_bind: true,
    });
    assert!(line_of(&f, "msix-left-enabled")
        .contains("left it); the module's own disable-MSI-X op cleared it; fix:"));
    // -EALREADY, what the next MSI-X enable then gets, is pciback's state.
    assert_eq!(stage_of(MsiType::MsiX, EALREADY), Stage::PcibackState);
    assert_eq!(EALREADY as u32, 0xffff_ff8e);
}
