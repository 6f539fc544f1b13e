//! Finding kinds: codes, severities and the findings list.

use crate::common::*;
use pcifront_diag_core::diag::bar::ROM_INDEX;
use pcifront_diag_core::diag::checks::Severity::*;
use pcifront_diag_core::diag::checks::{
    self, check, Finding, Kind, KindInfo, Severity, KINDS, MAX_FINDINGS,
};
use pcifront_diag_core::diag::report::status;

#[test]
fn severities_order_and_names() {
    // Errors sort first.
    let mut v = [Severity::Info, Severity::Error, Severity::Warning];
    v.sort();
    assert_eq!(v, [Severity::Error, Severity::Warning, Severity::Info]);
    assert_eq!(v.map(Severity::as_str), ["error", "warning", "info"]);
}

/// The code Xen refusals have when their errno has no code of its own.
const XEN_REFUSED: &str = "xen-refused";
/// The codes of Xen refusals refined by their errno ([`Finding::code`]).
const REFINED_REFUSALS: [&str; 3] = ["xen-eperm", "xen-einval", "xen-ebusy"];

/// The declaration ([`KINDS`]) of a finding's kind, found by its code: a refusal refined by its
/// errno is a `xen-refused`.
fn declared(f: &Finding) -> &'static KindInfo {
    let code = match f.code() {
        code if REFINED_REFUSALS.contains(&code) => XEN_REFUSED,
        code => code,
    };
    KINDS
        .iter()
        .find(|kind| kind.code == code)
        .unwrap_or_else(|| panic!("{code} is not declared in KINDS"))
}

/// The findings whose severity [`Finding::severity`] makes an exception of: decoding still off
/// after the enable, and a ROM that cannot be used.
fn severity_exception(f: &Finding) -> bool {
    let rom = f.bar == Some(ROM_INDEX as u8);
    match f.kind {
        Kind::DecodeOff { after_enable, .. } => after_enable,
        Kind::Unclaimed { .. } | Kind::StartMismatch { .. } | Kind::NoResource { .. } => rom,
        _ => false,
    }
}

/// Every finding of the catalogue's devices and the dom0 command's (which has every kind).
fn catalogue_findings() -> Vec<Finding> {
    catalogue()
        .iter()
        .flat_map(|facts| check(facts).iter().copied().collect::<Vec<_>>())
        .chain(irq_dma::DOM0_KINDS.map(|kind| Finding { bar: None, kind }))
        .collect()
}

#[test]
fn kinds_have_distinct_codes() {
    let mut codes: Vec<&str> = KINDS.iter().map(|kind| kind.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), KINDS.len(), "a code declared twice");
    for code in codes {
        assert!(
            !code.is_empty()
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{code:?} is not a grep-able code"
        );
        assert!(
            !REFINED_REFUSALS.contains(&code),
            "{code} is a refined refusal"
        );
    }
}

#[test]
fn all_codes_are_the_kinds_and_the_refined_refusals() {
    let mut all: Vec<&str> = checks::all_codes().collect();
    all.sort_unstable();
    let mut want: Vec<&str> = KINDS.iter().map(|kind| kind.code).collect();
    want.extend(REFINED_REFUSALS);
    want.sort_unstable();
    assert_eq!(all, want);
    assert!(want.contains(&XEN_REFUSED));
}

#[test]
fn the_catalogue_finds_every_kind() {
    // What makes the severity test below cover every declaration.
    let found = catalogue_findings();
    for kind in KINDS {
        assert!(
            found.iter().any(|f| declared(f).code == kind.code),
            "no finding of kind {}",
            kind.code
        );
    }
}

#[test]
fn findings_have_their_kinds_code_and_usual_severity() {
    for f in catalogue_findings() {
        let kind = declared(&f);
        if !REFINED_REFUSALS.contains(&f.code()) {
            assert_eq!(f.code(), kind.code, "{f:?}");
        }
        if !severity_exception(&f) {
            assert_eq!(f.severity(), kind.severity, "{f:?}");
        }
    }
}

/// One `#[test]` per finding whose code or severity is not simply its kind's, and per finding
/// that looks like such an exception but is not one: `name => (scope, kind, code, severity),`.
macro_rules! exception_cases {
    ($($name:ident => ($bar:expr, $kind:expr, $code:expr, $severity:expr),)*) => {$(
        #[test]
        fn $name() {
            let f = Finding { bar: $bar, kind: $kind };
            assert_eq!((f.code(), f.severity()), ($code, $severity));
            assert_eq!(severity_exception(&f), f.severity() != declared(&f).severity);
        }
    )*};
}

/// A refusal of Xen with `rc`, on one frame.
const fn refused(rc: i32) -> Kind {
    Kind::XenRefused {
        pfn: 0,
        rc,
        refused: 1,
        tested: 1,
        frames: 1,
    }
}

const ROM: Option<u8> = Some(ROM_INDEX as u8);
const UNSET: Kind = Kind::Unclaimed {
    start: 0,
    end: 0,
    unset: true,
};
const MISMATCH: Kind = Kind::StartMismatch { bar: 1, res: 2 };

exception_cases! {
    decode_off_before_enable_is_info => (
        None,
        Kind::DecodeOff { command: 0, after_enable: false },
        "decode-off",
        Info
    ),
    decode_off_after_enable_is_an_error => (
        None,
        Kind::DecodeOff { command: 0, after_enable: true },
        "decode-off",
        Error
    ),
    no_resource_is_an_error => (Some(0), Kind::NoResource { addr: 1 }, "no-resource", Error),
    rom_no_resource_is_a_warning => (ROM, Kind::NoResource { addr: 1 }, "no-resource", Warning),
    unclaimed_is_an_error => (Some(0), UNSET, "unclaimed", Error),
    rom_unclaimed_is_a_warning => (ROM, UNSET, "unclaimed", Warning),
    start_mismatch_is_an_error => (Some(0), MISMATCH, "start-mismatch", Error),
    rom_start_mismatch_is_a_warning => (ROM, MISMATCH, "start-mismatch", Warning),
    rom_type_mismatch_stays_an_error => (
        ROM,
        Kind::TypeMismatch { bar_io: false },
        "type-mismatch",
        Error
    ),
    rom_refusal_stays_an_error => (ROM, refused(EPERM), "xen-eperm", Error),
    refused_eperm_code => (Some(0), refused(EPERM), "xen-eperm", Error),
    refused_einval_code => (Some(0), refused(EINVAL), "xen-einval", Error),
    refused_ebusy_code => (Some(0), refused(EBUSY), "xen-ebusy", Error),
    refused_other_errno_code => (Some(0), refused(EOPNOTSUPP), "xen-refused", Error),
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
    assert_eq!(status(&out), "FAIL");
}
