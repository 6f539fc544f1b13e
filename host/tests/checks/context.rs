//! Where the module runs (PV guest, dom0, pcifront) and the device-wide findings.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::checks::Severity::*;
use pcifront_diag_core::diag::checks::{check, Kind, Severity};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::status;

finding_cases! {
    /// Not a Xen PV guest
    not_a_xen_pv_guest => Case {
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
    /// Dom0 wins over everything
    dom0_wins_over_everything => Case {
        setup: |f| f.ctx.initial_domain = true,
        findings: &[("dom0", None), OK0],
        at: ("dom0", None),
        kind: Kind::InitialDomain,
        severity: Info,
        verdict: "OK",
    },
    /// Not behind pcifront
    not_behind_pcifront => Case {
        setup: |f| f.ctx.pcifront = false,
        findings: &[("not-pcifront", None), OK0],
        at: ("not-pcifront", None),
        kind: Kind::NotPcifront,
        severity: Info,
        verdict: "OK",
    },
    /// Pcifront without backend id
    pcifront_without_backend_id => Case {
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
    /// Device gone hides per-BAR all-ones
    device_gone_hides_per_bar_all_ones => Case {
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
    /// Config read errors
    config_read_errors => Case {
        setup: |f| f.cfg.read_errors = 3,
        findings: &[PCIFRONT, ("config-read-error", None), OK0],
        at: ("config-read-error", None),
        kind: Kind::ConfigReadErrors { count: 3 },
        severity: Error,
        verdict: "FAIL",
    },
    /// Decode off before enable is info
    decode_off_before_enable_is_info => Case {
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
    /// Decode off after the read probe is an error
    decode_off_after_the_read_probe_is_an_error => Case {
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
    /// Scratch PTE restore refused: leaked on purpose
    scratch_pte_restore_refused_leaked_on_purpose => Case {
        setup: |f| f.restore_failed = Some(-1),
        findings: &[PCIFRONT, ("scratch-leaked", None), OK0],
        at: ("scratch-leaked", None),
        kind: Kind::ScratchLeaked { rc: EPERM },
        severity: Warning,
        verdict: "WARN",
    },
}

#[test]
fn healthy_device_is_ok() {
    let f = healthy();
    let out = check(&f);
    assert_eq!(coded(&out), [("pcifront", None), ("ok", Some(0))]);
    assert_eq!(status(&out), "OK");
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
