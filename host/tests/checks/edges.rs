//! The edges of the facts: the command register before and after the read probe's enable,
//! the CPU's address width, resource indices, and ports at the top of the address space.

use crate::common::*;
use pcifront_diag_core::diag::bar::index_u8;
use pcifront_diag_core::diag::checks::{check, Finding, Kind};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::{write_evidence, write_fix, Meta};

/// Decoding off at bind and on after the read probe's enable is not a finding: the device
/// decodes once a driver enables it.
#[test]
fn decode_off_at_bind_on_after_enable() {
    let mut f = healthy();
    f.cfg.command = 0;
    f.cfg.command_after_enable = Some(PCI_COMMAND_MEMORY);
    f.bars[0].read_probe = Some(0x1234);
    assert!(
        !check_codes(&f).contains(&"decode-off"),
        "{:?}",
        check_codes(&f)
    );
}

/// Decoding on at bind and off after the enable is the after-enable error, with the command
/// the device showed last.
#[test]
fn decode_on_at_bind_off_after_enable() {
    let mut f = healthy();
    f.cfg.command = PCI_COMMAND_MEMORY;
    f.cfg.command_after_enable = Some(0);
    f.bars[0].read_probe = Some(u32::MAX);
    let findings = check(&f);
    let off = findings.find("decode-off").expect("decode-off");
    assert_eq!(
        off.kind,
        Kind::DecodeOff {
            command: 0,
            after_enable: true
        }
    );
}

#[test]
fn command_now_prefers_after_enable() {
    let cfg = Config {
        command: 7,
        command_after_enable: Some(2),
        ..Config::default()
    };
    assert_eq!(cfg.command_now(), 2);
    assert_eq!(
        Config {
            command: 7,
            ..Config::default()
        }
        .command_now(),
        7
    );
}

#[test]
fn beyond_phys_bits_needs_a_known_width() {
    let at = |phys_bits| Context {
        phys_bits,
        ..Context::default()
    };
    assert!(!at(0).beyond_phys_bits(u64::MAX), "unknown width");
    assert!(!at(64).beyond_phys_bits(u64::MAX));
    assert!(!at(40).beyond_phys_bits((1 << 40) - 1));
    assert!(at(40).beyond_phys_bits(1 << 40));
}

#[test]
fn resource_indices_fit_a_byte() {
    for i in 0..7 {
        assert_eq!(usize::from(index_u8(i)), i);
    }
    assert_eq!(index_u8(300), u8::MAX);
}

/// An I/O resource ending at the top of the address space: the evidence and fix name its
/// last port without overflowing (issue 21: `port + n - 1`).
#[test]
fn io_ports_ending_at_the_top() {
    let mut f = with_io_bar1();
    let start = u64::MAX - 0x1f;
    f.bars[1].res = io_res(start, 0x20);
    assert_eq!(f.bars[1].res.end, u64::MAX);
    let ports = Finding {
        bar: Some(1),
        kind: Kind::IoPorts { start, len: 0x20 },
    };
    let mut evidence = String::new();
    write_evidence(&mut evidence, &ports, &f).unwrap();
    assert_eq!(evidence, format!("ports=0x{start:x}-0xffffffffffffffff"));

    let all_ones = Finding {
        bar: Some(1),
        kind: Kind::IoAllOnes {
            port: start,
            command: PCI_COMMAND_IO,
        },
    };
    let mut fix = String::new();
    write_fix(&mut fix, &all_ones, &f, &Meta::default()).unwrap();
    assert!(
        fix.contains(&format!("ioports=['{start:x}-ffffffffffffffff']")),
        "{fix}"
    );
}
