//! Xen's answers to the trial mappings: refusals by code, read-only frames, failed batches.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::checks::Severity::*;
use pcifront_diag_core::diag::checks::{check, Kind, Severity};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::status;

finding_cases! {
    /// The 2009 case: every frame refused
    the_2009_case_every_frame_refused => Case {
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
    /// A 16-frame hole in the grant
    a_16_frame_hole_in_the_grant => Case {
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
    /// Two holes with different codes: the first one names the finding
    two_holes_with_different_codes_the_first_one_names_the_finding => Case {
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
    /// A sampled BAR: counts are of the tested frames
    a_sampled_bar_counts_are_of_the_tested_frames => Case {
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
    /// MSI-X frame read-only: still usable
    msi_x_frame_read_only_still_usable => Case {
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
    /// A batch failed as a whole: incomplete, no ok
    a_batch_failed_as_a_whole_incomplete_no_ok => Case {
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
    /// Refused before the failed batch: both reported
    refused_before_the_failed_batch_both_reported => Case {
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
    /// Scratch setup failed
    scratch_setup_failed => Case {
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
}

/// One `#[test]` per reason to skip Xen's test (`name => skip,`): only a failed scratch setup
/// is worth a finding; the other skips explain themselves.
macro_rules! skip_cases {
    ($($name:ident => $skip:expr,)*) => {$(
        #[test]
        fn $name() {
            let mut f = healthy();
            f.bars[0].verdict = None;
            f.bars[0].skipped = Some($skip);
            assert_eq!(check_codes(&f), ["pcifront", "ok"]);
        }
    )*};
}

skip_cases! {
    skipped_not_pv_without_a_finding => Skip::NotPv,
    skipped_no_resource_without_a_finding => Skip::NoResource,
    skipped_io_ports_without_a_finding => Skip::IoPorts,
    skipped_p2m_without_a_finding => Skip::P2m,
}

/// One `#[test]` per return code of Xen's refusal (`name => (rc, code),`), as the multicall
/// reports them: the finding's code, and the rest of it.
macro_rules! refusal_cases {
    ($($name:ident => ($rc:expr, $code:expr),)*) => {$(
        #[test]
        fn $name() {
            let (rc, code) = ($rc, $code);
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
            assert_eq!(status(&out), "FAIL");
        }
    )*};
}

refusal_cases! {
    refused_eperm_is_xen_eperm => (-1, "xen-eperm"),
    refused_einval_is_xen_einval => (-22, "xen-einval"),
    refused_ebusy_is_xen_ebusy => (-16, "xen-ebusy"),
    refused_enomem_is_xen_refused => (-12, "xen-refused"),
    refused_enodev_is_xen_refused => (-19, "xen-refused"),
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
