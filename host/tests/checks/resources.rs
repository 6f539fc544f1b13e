//! The guest's resources against the registers, and their frames, address width, RAM and p2m.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::checks::Severity::*;
use pcifront_diag_core::diag::checks::{check, Kind};
use pcifront_diag_core::diag::facts::*;

finding_cases! {
    /// Not claimed in the resource tree
    not_claimed_in_the_resource_tree => Case {
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
    /// Unset resource skips the start mismatch
    unset_resource_skips_the_start_mismatch => Case {
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
    /// No resource built, unset
    no_resource_built_unset => Case {
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
    /// No resource built at all
    no_resource_built_at_all => Case {
        // The bench's ivshmem BAR0: the register holds 0xfeb85000, the guest sized nothing.
        setup: |f| f.bars[0].res = Resource::default(),
        findings: &[PCIFRONT, ("no-resource", Some(0))],
        at: ("no-resource", Some(0)),
        kind: Kind::NoResource { addr: BAR0 },
        severity: Error,
        verdict: "FAIL",
    },
    /// Sized but not placed: unclaimed
    sized_but_not_placed_unclaimed => Case {
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
    /// ROM unclaimed is a warning
    rom_unclaimed_is_a_warning => Case {
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
    /// ROM start mismatch is a warning
    rom_start_mismatch_is_a_warning => Case {
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
    /// ROM ok: no 64-bit/prefetch expectations
    rom_ok_no_mem64_prefetch_expectations => Case {
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
    /// Start mismatch
    start_mismatch => Case {
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
    /// Length not a power of two
    length_not_a_power_of_two => Case {
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
    /// Start not aligned to the length
    start_not_aligned_to_the_length => Case {
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
    /// Prefetch flag mismatch
    prefetch_flag_mismatch => Case {
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
    /// 64-bit flag mismatch
    mem64_flag_mismatch => Case {
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
    /// The same 64-bit BAR with matching flags is fine
    the_same_mem64_bar_with_matching_flags_is_fine => Case {
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
    /// I/O BAR, memory resource
    io_bar_memory_resource => Case {
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
    /// Memory BAR, I/O resource
    memory_bar_io_resource => Case {
        setup: |f| f.bars[0].res.flags = IORESOURCE_IO,
        findings: &[PCIFRONT, ("type-mismatch", Some(0))],
        at: ("type-mismatch", Some(0)),
        kind: Kind::TypeMismatch { bar_io: false },
        severity: Error,
        verdict: "FAIL",
    },
    /// Sub-page BAR
    sub_page_bar => Case {
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
    /// Shared frame, seen from BAR1
    shared_frame_seen_from_bar1 => Case {
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
    /// Shared frame, seen from BAR2
    shared_frame_seen_from_bar2 => Case {
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
    /// Beyond the physical address width
    beyond_the_physical_address_width => Case {
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
    /// One more address bit and it fits
    one_more_address_bit_and_it_fits => FITS_IN_41_BITS,
    /// Unknown address width is not checked
    unknown_address_width_is_not_checked => Case {
        setup: |f| {
            beyond_40_bits(f);
            f.ctx.phys_bits = 0;
        },
        ..FITS_IN_41_BITS
    },
    /// Inside guest RAM
    inside_guest_ram => Case {
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
    /// P2m not identity
    p2m_not_identity => Case {
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
