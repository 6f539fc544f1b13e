//! Finding kinds: codes, severities and the findings list.

use crate::common::*;
use pcifront_diag_core::diag::checks::{self, check, Finding, Kind, Severity, MAX_FINDINGS};
use pcifront_diag_core::diag::report::verdict;

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
    named.sort_unstable();
    named.dedup();
    let mut all: Vec<&str> = checks::all_codes().collect();
    all.sort_unstable();
    assert_eq!(named, all, "the table gives every code its severity");
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
