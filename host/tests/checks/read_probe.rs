//! The I/O-port BARs and the opt-in read probe: what it read, and where it may read.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::checks::Severity::*;
use pcifront_diag_core::diag::checks::{check, read_probe_safe, Kind};
use pcifront_diag_core::diag::facts::*;

finding_cases! {
    /// Decode off ignored without memory BARs
    decode_off_ignored_without_memory_bars => Case {
        setup: |f| {
            // Only an I/O BAR and a ROM: PCI_COMMAND_MEMORY does not matter.
            f.cfg.command = PCI_COMMAND_IO;
            f.cfg.bars = [0xc001, 0, 0, 0, 0, 0];
            f.cfg.rom = 0xfeb0_0000;
            f.bars[0] = BarFacts {
                res: io_res(0xc000, 0x20),
                skipped: Some(Skip::IoPorts),
                ..BarFacts::default()
            };
            f.bars[6].res = mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM);
        },
        findings: &[PCIFRONT, ("io-ports", Some(0)), ("ok", Some(6))],
        at: ("io-ports", Some(0)),
        kind: Kind::IoPorts {
            start: 0xc000,
            len: 0x20,
        },
        severity: Info,
        verdict: "OK",
    },
    /// I/O ports are info
    io_ports_are_info => Case {
        setup: |f| *f = with_io_bar1(),
        findings: &[PCIFRONT, OK0, ("io-ports", Some(1))],
        at: ("io-ports", Some(1)),
        kind: Kind::IoPorts {
            start: 0xc000,
            len: 0x20,
        },
        severity: Info,
        verdict: "OK",
    },
    /// I/O BAR read through the driver path
    io_bar_read_through_the_driver_path => Case {
        setup: |f| {
            *f = with_io_bar1();
            f.bars[1].read_probe = Some(0x1af4);
        },
        findings: &[PCIFRONT, OK0, ("io-ports", Some(1)), ("read-ok", Some(1))],
        at: ("read-ok", Some(1)),
        kind: Kind::ReadProbe { value: 0x1af4 },
        severity: Info,
        verdict: "OK",
    },
    /// I/O BAR reads all-ones: ports not granted
    io_bar_reads_all_ones_ports_not_granted => Case {
        setup: |f| {
            *f = with_io_bar1();
            f.bars[1].read_probe = Some(u32::MAX);
        },
        findings: &[
            PCIFRONT,
            OK0,
            ("io-ports", Some(1)),
            ("io-all-ones", Some(1)),
        ],
        at: ("io-all-ones", Some(1)),
        kind: Kind::IoAllOnes {
            port: 0xc000,
            command: PCI_COMMAND_MEMORY | PCI_COMMAND_IO,
        },
        severity: Error,
        verdict: "FAIL",
    },
    /// Dword 0 all-ones through an accepted mapping
    dword_0_all_ones_through_an_accepted_mapping => Case {
        setup: |f| f.bars[0].read_probe = Some(u32::MAX),
        findings: &[PCIFRONT, ("read-all-ones", Some(0))],
        at: ("read-all-ones", Some(0)),
        kind: Kind::ReadProbeAllOnes,
        severity: Error,
        verdict: "FAIL",
    },
    /// Dword 0 read
    dword_0_read => Case {
        setup: |f| f.bars[0].read_probe = Some(0x10ec_8168),
        findings: &[PCIFRONT, ("read-ok", Some(0)), OK0],
        at: ("read-ok", Some(0)),
        kind: Kind::ReadProbe { value: 0x10ec_8168 },
        severity: Info,
        verdict: "OK",
    },

}

/// Whether the read probe may read BAR `bar` of the healthy device changed by `setup`.
struct SafeCase {
    setup: fn(&mut DeviceFacts),
    bar: usize,
    want: bool,
}

/// One `#[test]` per [`SafeCase`] (`name => SafeCase { .. },`).
macro_rules! safe_cases {
    ($($(#[$doc:meta])* $name:ident => $case:expr,)*) => {$(
        $(#[$doc])*
        #[test]
        fn $name() {
            let c: SafeCase = $case;
            let mut f = healthy();
            (c.setup)(&mut f);
            assert_eq!(read_probe_safe(&f, c.bar), c.want);
        }
    )*};
}

/// `read_probe_safe` only where a driver could read.
mod may_read {
    use super::SafeCase;
    use crate::common::*;
    use crate::support::*;
    use pcifront_diag_core::diag::checks::read_probe_safe;
    use pcifront_diag_core::diag::facts::*;

    safe_cases! {
        /// Claimed memory BAR, first frame granted
        claimed_memory_bar_first_frame_granted => SafeCase {
            setup: |_| {},
            bar: 0,
            want: true,
        },
        /// First frame read-only (MSI-X table at offset 0)
        first_frame_read_only_msi_x_table_at_offset_0 => SafeCase {
            setup: |f| {
                *f = healthy_with(|i| {
                    if i == 0 {
                        Trial::ReadOnly
                    } else {
                        Trial::Mapped
                    }
                })
            },
            bar: 0,
            want: true,
        },
        /// First frame granted, the rest refused: the probe maps one page
        first_frame_granted_the_rest_refused_the_probe_maps_one_page => SafeCase {
            setup: |f| *f = healthy_with(|i| if i == 0 { Trial::Mapped } else { DENIED }),
            bar: 0,
            want: true,
        },
        /// Frame 0 refused, the rest granted
        frame_0_refused_the_rest_granted => SafeCase {
            setup: |f| *f = healthy_with(|i| if i == 0 { DENIED } else { Trial::Mapped }),
            bar: 0,
            want: false,
        },
        /// Every frame refused (2009)
        every_frame_refused_2009 => SafeCase {
            setup: |f| *f = refused_with(-1),
            bar: 0,
            want: false,
        },
        /// The batch with frame 0 failed
        the_batch_with_frame_0_failed => SafeCase {
            setup: |f| {
                let mut m =
                    Model::new(BAR0_PFN, BAR0_FRAMES, 64, |_| Trial::Mapped).failing(0, -14);
                f.bars[0].verdict = Some(m.scan(1 << 20));
            },
            bar: 0,
            want: false,
        },
        /// Sampled BAR, frame 0 granted
        sampled_bar_frame_0_granted => SafeCase {
            setup: |f| {
                f.bars[0].verdict = Some(scan_sampled(BAR0_PFN, BAR0_FRAMES, 64, |_| Trial::Mapped))
            },
            bar: 0,
            want: true,
        },
        /// Unclaimed
        unclaimed => SafeCase {
            setup: |f| f.bars[0].res.claimed = false,
            bar: 0,
            want: false,
        },
        /// Unset
        unset => SafeCase {
            setup: |f| f.bars[0].res.flags |= IORESOURCE_UNSET,
            bar: 0,
            want: false,
        },
        /// No resource
        no_resource => SafeCase {
            setup: |f| f.bars[0].res = Resource::default(),
            bar: 0,
            want: false,
        },
        /// A zero-length resource still flagged memory
        a_zero_length_resource_still_flagged_memory => SafeCase {
            // The flags say memory, but there are no bytes to read.
            setup: |f| {
                f.bars[0].res = Resource {
                    start: 0,
                    end: 0,
                    flags: IORESOURCE_MEM,
                    claimed: true,
                }
            },
            bar: 0,
            want: false,
        },
        /// A zero-length resource still flagged I/O
        a_zero_length_resource_still_flagged_io => SafeCase {
            setup: |f| {
                *f = with_io_bar1();
                f.bars[1].res = Resource {
                    start: 0xc000,
                    end: 0xbfff,
                    flags: IORESOURCE_IO,
                    claimed: true,
                };
            },
            bar: 1,
            want: false,
        },
        /// Inside guest RAM
        inside_guest_ram => SafeCase {
            setup: |f| f.bars[0].ram_overlap = true,
            bar: 0,
            want: false,
        },
        /// Xen not asked (no verdict)
        xen_not_asked_no_verdict => SafeCase {
            setup: |f| {
                f.bars[0].verdict = None;
                f.bars[0].skipped = Some(Skip::P2m);
            },
            bar: 0,
            want: false,
        },
        /// Device gone
        device_gone => SafeCase {
            setup: |f| f.cfg.class_rev = u32::MAX,
            bar: 0,
            want: false,
        },
        /// Memory BAR with an I/O resource
        memory_bar_with_an_io_resource => SafeCase {
            setup: |f| f.bars[0].res.flags = IORESOURCE_IO,
            bar: 0,
            want: false,
        },
        /// The ROM, even with a granted first frame
        the_rom_even_with_a_granted_first_frame => SafeCase {
            setup: |f| {
                f.cfg.rom = 0xfeb0_0001;
                f.bars[6].res = mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM);
                f.bars[6].verdict = Some(all_mapped_at(0xfeb00, 16));
            },
            bar: 6,
            want: false,
        },
        /// An unused register with a resource
        an_unused_register_with_a_resource => SafeCase {
            setup: |f| {
                f.bars[2].res = mem_res(0xfeb0_0000, 0x4000, IORESOURCE_MEM);
                f.bars[2].verdict = Some(all_mapped_at(0xfeb00, 4));
            },
            bar: 2,
            want: false,
        },
        /// The upper half of a 64-bit BAR
        the_upper_half_of_a_mem64_bar => SafeCase {
            setup: |f| {
                f.cfg.bars = [0xc000_000c, 0x38, 0, 0, 0, 0];
                f.bars[0].res = mem_res(
                    0x38_c000_0000,
                    0x1000_0000,
                    IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
                );
                f.bars[0].verdict = Some(all_mapped_at(0x38_c000_0000 >> PAGE_SHIFT, 0x1_0000));
                f.bars[1] = f.bars[0];
            },
            bar: 1,
            want: false,
        },
        /// The same 64-bit BAR at its own index
        the_same_mem64_bar_at_its_own_index => SafeCase {
            setup: |f| {
                f.cfg.bars = [0xc000_000c, 0x38, 0, 0, 0, 0];
                f.bars[0].res = mem_res(
                    0x38_c000_0000,
                    0x1000_0000,
                    IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
                );
                f.bars[0].verdict = Some(all_mapped_at(0x38_c000_0000 >> PAGE_SHIFT, 0x1_0000));
            },
            bar: 0,
            want: true,
        },
        /// Claimed I/O BAR: no Xen verdict needed
        claimed_io_bar_no_xen_verdict_needed => SafeCase {
            setup: |f| *f = with_io_bar1(),
            bar: 1,
            want: true,
        },
        /// I/O BAR with a memory resource
        io_bar_with_a_memory_resource => SafeCase {
            setup: |f| {
                *f = with_io_bar1();
                f.bars[1].res.flags = IORESOURCE_MEM;
            },
            bar: 1,
            want: false,
        },
        /// I/O BAR unclaimed
        io_bar_unclaimed => SafeCase {
            setup: |f| {
                *f = with_io_bar1();
                f.bars[1].res.claimed = false;
            },
            bar: 1,
            want: false,
        },
        /// I/O BAR of a gone device
        io_bar_of_a_gone_device => SafeCase {
            setup: |f| {
                *f = with_io_bar1();
                f.cfg.class_rev = u32::MAX;
            },
            bar: 1,
            want: false,
        },
        /// I/O BAR of exactly 4 ports
        io_bar_of_exactly_4_ports => SafeCase {
            setup: |f| {
                *f = with_io_bar1();
                f.bars[1].res = io_res(0xc000, 4);
            },
            bar: 1,
            want: true,
        },

    }
}

#[test]
fn read_probe_safe_needs_a_whole_dword() {
    // `read_first_dword` (src/probe.rs) does ioread32 at offset 0, "at least 4 (`read_probe_safe`
    // checked the length)": an inl on a 2-port resource reads two ports beyond it.
    let mut f = with_io_bar1();
    f.bars[1].res = io_res(0xc000, 2);
    assert!(!read_probe_safe(&f, 1), "2-port I/O BAR");

    let mut f = healthy();
    f.cfg.bars[1] = 0xfeb0_0000;
    f.bars[1].res = mem_res(0xfeb0_0000, 2, IORESOURCE_MEM);
    f.bars[1].verdict = Some(all_mapped_at(0xfeb00, 1));
    assert!(!read_probe_safe(&f, 1), "2-byte memory BAR");
}

#[test]
fn io_all_ones_needs_io_decoding() {
    // Kind::IoAllOnes: "read all-ones while the device answers config reads and decodes I/O";
    // its wording says so too. With PCI_COMMAND_IO clear after the enable, all-ones is what
    // the device itself returns, and the ioports= fix would not help.
    let mut f = with_io_bar1();
    f.cfg.command = PCI_COMMAND_MEMORY;
    f.bars[1].read_probe = Some(u32::MAX);
    let out = check(&f);
    assert!(out.find("io-all-ones").is_none(), "{:?}", coded(&out));
}
