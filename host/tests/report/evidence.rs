//! The evidence: the raw values behind each finding.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::checks::{Finding, Kind};
use pcifront_diag_core::diag::report::scope;

/// Xen's answers in a finding's evidence, range by range.
mod xen_evidence {
    use crate::common::*;
    use crate::support::*;
    use pcifront_diag_core::diag::checks::check;
    use pcifront_diag_core::diag::facts::DeviceFacts;

    /// A finding's evidence, worded from the verdict of its BAR.
    struct EvidenceCase {
        facts: fn() -> DeviceFacts,
        code: &'static str,
        evidence: &'static str,
    }

    /// One `#[test]` per [`EvidenceCase`] (`name => EvidenceCase { .. },`).
    macro_rules! evidence_cases {
        ($($(#[$doc:meta])* $name:ident => $case:expr,)*) => {$(
            $(#[$doc])*
            #[test]
            fn $name() {
                let c: EvidenceCase = $case;
                let facts = (c.facts)();
                let out = check(&facts);
                let f = out
                    .find(c.code)
                    .unwrap_or_else(|| panic!("no {} in {:?}", c.code, codes(&out)));
                assert_eq!(evidence(f, &facts), c.evidence);
                assert!(line(f, &facts, &meta()).contains(&format!("; evidence: {}", c.evidence)));
            }
        )*};
    }

    evidence_cases! {
        /// A 16-frame hole
        a_16_frame_hole => EvidenceCase {
            facts: || healthy_with(|i| if (0x80..0x90).contains(&i) { DENIED } else { M }),
            code: "xen-eperm",
            evidence: "xen_rc=-1 (-EPERM) every frame of 256 tested: granted 240: \
                       0xfea00-0xfea7f, 0xfea90-0xfeaff; refused 16: 0xfea80-0xfea8f (-EPERM); \
                       read-only none; 256 trial mappings in 1 hypercall(s)",
        },
        /// Two holes with two codes, one of a single frame
        two_holes_with_two_codes_one_of_a_single_frame => EvidenceCase {
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
        /// More ranges than kept
        more_ranges_than_kept => EvidenceCase {
            facts: || healthy_with(|i| if i % 16 == 15 { DENIED } else { M }),
            code: "xen-eperm",
            evidence: "xen_rc=-1 (-EPERM) every frame of 256 tested: granted 240: \
                       0xfea00-0xfea0e, 0xfea10-0xfea1e, 0xfea20-0xfea2e, and 13 more range(s); \
                       refused 16: 0xfea0f (-EPERM), 0xfea1f (-EPERM), 0xfea2f (-EPERM), and 13 \
                       more range(s); read-only none; 256 trial mappings in 1 hypercall(s)",
        },
        /// An MSI-X frame read-only
        an_msi_x_frame_read_only => EvidenceCase {
            facts: || healthy_with(|i| if i == 3 { RO } else { M }),
            code: "xen-read-only",
            evidence: "every frame of 256 tested: granted 255: 0xfea00-0xfea02, \
                       0xfea04-0xfeaff; refused none; read-only 1: 0xfea03; 256 trial mappings \
                       in 1 hypercall(s)",
        },
        /// Sampled
        sampled => EvidenceCase {
            facts: || sampled_with(|_| DENIED),
            code: "xen-eperm",
            evidence: "xen_rc=-1 (-EPERM) sampled 52 of 256 frames (frame 0, one in every 5 \
                       after it and the last; the others not asked): granted none; refused 52: \
                       0xfea00 (-EPERM), 0xfea05 (-EPERM), 0xfea0a (-EPERM), and 49 more \
                       range(s); read-only none; 52 trial mappings in 1 hypercall(s)",
        },
        /// Refused, then a batch failed
        refused_then_a_batch_failed => EvidenceCase {
            facts: || aborted_with(|i| if (0x10..0x20).contains(&i) { DENIED } else { M }),
            code: "xen-eperm",
            evidence: "xen_rc=-1 (-EPERM) asked 64 of 256 frames: granted 48: 0xfea00-0xfea0f, \
                       0xfea20-0xfea3f; refused 16: 0xfea10-0xfea1f (-EPERM); read-only none; 64 \
                       trial mappings in 1 hypercall(s)",
        },
        /// The failed batch itself
        the_failed_batch_itself => EvidenceCase {
            facts: || aborted_with(|_| M),
            code: "xen-incomplete",
            evidence: "rc=-14 (-EFAULT) asked=64/256 frames",
        },

    }
}

/// The evidence of each kind of finding, from the healthy device's facts.
mod of_each_kind {
    use crate::common::*;
    use crate::support::*;
    use pcifront_diag_core::diag::checks::{Finding, Kind};

    /// One `#[test]` per finding (`name => (scope, kind, evidence),`) of the healthy device: its
    /// evidence, and the same evidence in its line.
    macro_rules! evidence_rows {
        ($($name:ident => ($bar:expr, $kind:expr, $want:expr $(,)?),)*) => {$(
            #[test]
            fn $name() {
                let facts = healthy();
                let f = Finding { bar: $bar, kind: $kind };
                let want: &str = $want;
                assert_eq!(evidence(&f, &facts), want);
                assert!(line(&f, &facts, &meta()).contains(&format!("; evidence: {want}")));
            }
        )*};
    }

    evidence_rows! {
        not_xen_pv => (None, Kind::NotXenPv, "xen_pv=true dom0=false pcifront=true"),
        pcifront => (
            None,
            Kind::Pcifront {
                backend: None,
                ram_pages: 3,
            },
            "backend=? guest_ram=12 KiB phys_bits=40",
        ),
        device_gone => (
            None,
            Kind::DeviceGone { class_rev: !0 },
            "class_rev=0xffffffff id=0x12348086",
        ),
        config_read_errors => (None, Kind::ConfigReadErrors { count: 2 }, "failed_reads=2"),
        bar_all_ones => (Some(0), Kind::BarAllOnes, "raw=0xfea00000"),
        bar_hidden => (
            Some(0),
            Kind::BarHidden { len: 0x4000 },
            "raw=0xfea00000 guest_len=0x4000",
        ),
        unclaimed => (
            Some(0),
            Kind::Unclaimed {
                start: 1,
                end: 2,
                unset: true,
            },
            "raw=0xfea00000 res=[0x1-0x2] flags=0x200 unset=true",
        ),
        start_mismatch => (
            Some(0),
            Kind::StartMismatch {
                bar: 0x10,
                res: 0x20,
            },
            "bar=0x10 res=0x20",
        ),
        sub_page => (
            Some(0),
            Kind::SubPage {
                start: 0xfeb00000,
                len: 0x100,
            },
            "start=0xfeb00000 len=0x100 (256 B)",
        ),
        shared_frame => (
            Some(0),
            Kind::SharedFrame {
                pfn: 0xfeb00,
                other: 6,
            },
            "pfn=0xfeb00 other=ROM",
        ),
        flag_mismatch => (
            Some(0),
            Kind::FlagMismatch {
                bar64: true,
                res64: false,
                bar_pf: false,
                res_pf: true,
            },
            "raw=0xfea00000 bar_64=true res_64=false bar_prefetch=false res_prefetch=true",
        ),
        type_mismatch => (
            Some(0),
            Kind::TypeMismatch { bar_io: false },
            "raw=0xfea00000 res_flags=0x200",
        ),
        beyond_phys_bits => (
            Some(0),
            Kind::BeyondPhysBits {
                end: 0x100_000f_ffff,
                bits: 40,
            },
            "end=0x100000fffff phys_bits=40",
        ),
        ram_overlap => (
            Some(0),
            Kind::RamOverlap {
                start: 0x100,
                end: 0x1ff,
            },
            "res=[0x100-0x1ff] guest_ram=256 MiB",
        ),
        p2m_not_identity => (
            Some(0),
            Kind::P2mNotIdentity {
                pfn: 0xfea00,
                raw: 0x1234,
                count: 3,
                invalid: 1,
            },
            "pfn=0xfea00 p2m=0x1234 non_identity=3 invalid=1",
        ),
        xen_read_only => (
            Some(0),
            Kind::XenReadOnly {
                pfn: 0xfea03,
                count: 2,
            },
            // The answers come from the BAR's verdict, here the healthy one.
            "every frame of 256 tested: granted 256: 0xfea00-0xfeaff; refused none; read-only \
             none; 256 trial mappings in 1 hypercall(s)",
        ),
        xen_read_only_not_asked => (
            Some(1),
            Kind::XenReadOnly {
                pfn: 0xfeb00,
                count: 1,
            },
            "Xen not asked",
        ),
        xen_incomplete => (
            Some(0),
            Kind::XenIncomplete {
                rc: ENOMEM,
                tested: 1024,
                frames: 4096,
            },
            "rc=-12 (-ENOMEM) asked=1024/4096 frames",
        ),
        scratch_leaked => (None, Kind::ScratchLeaked { rc: EINVAL }, "restore_rc=-22"),
        scratch_failed => (Some(0), Kind::ScratchFailed { rc: ENOMEM }, "rc=-12"),
        io_ports => (
            Some(1),
            Kind::IoPorts {
                start: 0xc000,
                len: 0x20,
            },
            "ports=0xc000-0xc01f",
        ),
        read_probe => (Some(0), Kind::ReadProbe { value: 0x1af4 }, "dword0=0x00001af4"),
        read_probe_all_ones => (Some(0), Kind::ReadProbeAllOnes, "dword0=0xffffffff"),
        io_all_ones => (
            Some(1),
            Kind::IoAllOnes {
                port: 0xc000,
                command: 0x0003,
            },
            "dword0=0xffffffff port=0xc000 command=0x0003 class_rev=0x02000001",
        ),
        truncated64 => (Some(0), Kind::Truncated64, "raw=0xfea00000"),
        size_inconsistent => (
            Some(1),
            Kind::SizeInconsistent {
                start: 0x1000,
                len: 0x3000,
            },
            "start=0x1000 len=0x3000",
        ),
    }
}

#[test]
fn rom_evidence_and_scope() {
    let mut facts = healthy();
    facts.cfg.rom = 0xfeb0_0001;
    let f = Finding {
        bar: Some(6),
        kind: Kind::BarAllOnes,
    };
    assert_eq!(evidence(&f, &facts), "raw=0xfeb00001");
    assert_eq!(scope(&f), "ROM");
    assert_eq!(
        scope(&Finding {
            bar: None,
            kind: Kind::NotXenPv
        }),
        "device"
    );
}
