//! The BAR registers: all-ones, hidden, truncated 64-bit, reserved type, unread.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::checks::Severity::*;
use pcifront_diag_core::diag::checks::{check, decode_all, Kind};
use pcifront_diag_core::diag::facts::*;

finding_cases! {
    /// BAR reads all-ones
    bar_reads_all_ones => Case {
        setup: |f| f.cfg.bars[1] = u32::MAX,
        findings: &[PCIFRONT, OK0, ("bar-all-ones", Some(1))],
        at: ("bar-all-ones", Some(1)),
        kind: Kind::BarAllOnes,
        severity: Error,
        verdict: "FAIL",
    },
    /// BAR hidden by pciback
    bar_hidden_by_pciback => Case {
        setup: |f| f.bars[2].res = mem_res(0xfeb0_0000, 0x4000, IORESOURCE_MEM),
        findings: &[PCIFRONT, OK0, ("bar-hidden", Some(2))],
        at: ("bar-hidden", Some(2)),
        kind: Kind::BarHidden { len: 0x4000 },
        severity: Error,
        verdict: "FAIL",
    },
    /// An unused ROM register with a guest resource is not reported
    an_unused_rom_register_with_a_guest_resource_is_not_reported => Case {
        setup: |f| f.bars[6].res = mem_res(0xfeb0_0000, 0x1_0000, IORESOURCE_MEM),
        findings: &[PCIFRONT, OK0],
        at: OK0,
        kind: bar0_ok(),
        severity: Info,
        verdict: "OK",
    },
    /// 64-bit BAR in the last slot
    mem64_bar_in_the_last_slot => Case {
        setup: |f| {
            f.cfg.bars[5] = 0xd000_000c;
            f.bars[5].res = mem_res(
                0xd000_0000,
                BAR0_LEN,
                IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
            );
        },
        findings: &[PCIFRONT, OK0, ("bar-64-truncated", Some(5))],
        at: ("bar-64-truncated", Some(5)),
        kind: Kind::Truncated64,
        severity: Error,
        verdict: "FAIL",
    },
    /// Reserved memory type
    reserved_memory_type => Case {
        setup: |f| {
            f.cfg.bars[1] = 0xf000_0006;
            f.bars[1].res = mem_res(0xf000_0000, 0x1_0000, IORESOURCE_MEM);
        },
        findings: &[PCIFRONT, OK0, ("bar-reserved-type", Some(1))],
        at: ("bar-reserved-type", Some(1)),
        kind: Kind::ReservedType,
        severity: Error,
        verdict: "FAIL",
    },
}

#[test]
fn decode_all_appends_rom() {
    let mut f = healthy();
    f.cfg.rom = 0xfeb0_0001;
    let b = decode_all(&f.cfg);
    assert_eq!(b.len(), 7);
    assert_eq!(b[0].addr, BAR0);
    assert_eq!(b[6].index, 6);
    assert_eq!(b[6].addr, 0xfeb0_0000);
    assert!(b[6].rom_enabled);
}

/// The holes scenario under load: pciback timed out on one read, the upper half of a 64-bit
/// BAR. The register's value is not the device's, so nothing is judged from it (no
/// start-mismatch), while the resource-based checks and Xen's verdict still are.
#[test]
fn failed_register_read_is_not_judged() {
    let start = 0xe000_0000_u64;
    let mut f = healthy();
    f.cfg.bars = [start as u32 | 0xc, u32::MAX, 0, 0, 0, 0];
    f.cfg.read_errors = 1;
    f.cfg.bars_failed = 1 << 1;
    f.bars[0].res = mem_res(
        start,
        1 << 28,
        IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
    );
    f.bars[0].verdict = Some(scan_model(start >> 12, 1 << 16, |i| {
        if (0x8000..0x8010).contains(&i) {
            DENIED
        } else {
            Trial::Mapped
        }
    }));
    let out = check(&f);
    let codes: Vec<_> = out.iter().map(|x| (x.code(), x.bar)).collect();
    assert_eq!(
        codes,
        [
            ("pcifront", None),
            ("config-read-error", None),
            ("bar-read-failed", Some(0)),
            ("xen-eperm", Some(0)),
        ]
    );
}
