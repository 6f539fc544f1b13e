//! BAR and expansion-ROM register decoding (`diag::bar`).

use pcifront_diag_core::diag::bar::{
    bar_name, decode_bars, decode_rom, Bar, BarKind, NUM_BARS, ROM_INDEX,
};
use proptest::prelude::*;

fn one(slot: usize, v: u32) -> [Bar; NUM_BARS] {
    let mut raw = [0u32; NUM_BARS];
    raw[slot] = v;
    decode_bars(&raw)
}

#[test]
fn mem32_non_prefetch() {
    let b = one(0, 0xfea0_0000);
    assert_eq!(b[0].kind, BarKind::Mem32);
    assert_eq!(b[0].addr, 0xfea0_0000);
    assert!(!b[0].prefetch);
    assert!(!b[0].rom_enabled);
    assert_eq!(b[0].raw, 0xfea0_0000);
    assert_eq!(b[0].raw_hi, 0);
    assert_eq!(b[0].index, 0);
    assert!(b[0].is_mem());
    assert!(!b[0].is_64());
    assert_eq!(b[0].name(), "BAR0");
    for (i, bar) in b.iter().enumerate().skip(1) {
        assert_eq!(bar.kind, BarKind::Unused);
        assert_eq!(bar.index as usize, i);
        assert!(!bar.is_mem());
    }
}

#[test]
fn mem32_prefetch_bit_and_low_bits_masked() {
    // Type 00b, prefetchable, and junk in the low nibble is masked off the address.
    let b = one(2, 0xe000_0008);
    assert_eq!(b[2].kind, BarKind::Mem32);
    assert!(b[2].prefetch);
    assert_eq!(b[2].addr, 0xe000_0000);
    assert_eq!(b[2].raw, 0xe000_0008);
    assert_eq!(b[2].name(), "BAR2");
}

#[test]
fn mem64_combines_halves_and_marks_upper() {
    let raw = [0xc000_000c, 0x0000_0038, 0, 0, 0, 0];
    let b = decode_bars(&raw);
    assert_eq!(b[0].kind, BarKind::Mem64);
    assert!(b[0].is_64());
    assert!(b[0].is_mem());
    assert!(b[0].prefetch);
    assert_eq!(b[0].addr, 0x38_c000_0000);
    assert_eq!(b[0].raw, 0xc000_000c);
    assert_eq!(b[0].raw_hi, 0x38);
    assert_eq!(b[1].kind, BarKind::Upper64);
    assert_eq!(b[1].index, 1);
    assert_eq!(b[1].raw, 0x38);
    assert!(!b[1].is_mem());
    assert!(!b[1].is_64());
    assert_eq!(b[2].kind, BarKind::Unused);
}

#[test]
fn mem64_non_prefetch_in_slot_4() {
    let raw = [0, 0, 0, 0, 0xfe00_0004, 0x1];
    let b = decode_bars(&raw);
    assert_eq!(b[4].kind, BarKind::Mem64);
    assert!(!b[4].prefetch);
    assert_eq!(b[4].addr, 0x1_fe00_0000);
    assert_eq!(b[5].kind, BarKind::Upper64);
    assert_eq!(b[5].raw, 1);
}

#[test]
fn mem64_upper_half_is_not_decoded_as_its_own_bar() {
    // The upper dword looks like an I/O BAR (bit 0 set) and then like all-ones; it must stay
    // Upper64 in both cases.
    for hi in [0x0000_0001, u32::MAX] {
        let b = decode_bars(&[0x8000_0004, hi, 0, 0, 0, 0]);
        assert_eq!(b[0].kind, BarKind::Mem64);
        assert_eq!(b[0].addr, (u64::from(hi) << 32) | 0x8000_0000);
        assert_eq!(b[1].kind, BarKind::Upper64);
        assert_eq!(b[1].raw, hi);
    }
}

#[test]
fn io_bar_masks_low_two_bits() {
    let b = one(1, 0x0000_c001);
    assert_eq!(b[1].kind, BarKind::Io);
    assert_eq!(b[1].addr, 0xc000);
    assert!(!b[1].is_mem());
    assert!(!b[1].prefetch);

    let b = one(3, 0x0000_e0f3);
    assert_eq!(b[3].kind, BarKind::Io);
    assert_eq!(b[3].addr, 0xe0f0);
    assert_eq!(b[3].raw, 0xe0f3);
}

#[test]
fn all_ones_and_zero() {
    let b = one(0, u32::MAX);
    assert_eq!(b[0].kind, BarKind::AllOnes);
    assert_eq!(b[0].addr, 0);
    assert_eq!(b[0].raw, u32::MAX);
    assert!(!b[0].is_mem());

    let b = decode_bars(&[0; NUM_BARS]);
    for (i, bar) in b.iter().enumerate() {
        assert_eq!(bar.kind, BarKind::Unused);
        assert_eq!(bar.index as usize, i);
        assert_eq!(bar.addr, 0);
        assert_eq!(bar.raw, 0);
    }
}

#[test]
fn legacy_1m_type() {
    let b = one(0, 0x000d_0002);
    assert_eq!(b[0].kind, BarKind::Mem1M);
    assert_eq!(b[0].addr, 0xd_0000);
    assert!(b[0].is_mem());
    assert!(!b[0].is_64());
}

#[test]
fn reserved_type_11b() {
    let b = one(0, 0xf000_0006);
    assert_eq!(b[0].kind, BarKind::MemReserved);
    assert_eq!(b[0].addr, 0xf000_0000);
    assert!(b[0].is_mem());
    assert!(!b[0].is_64());
    // The next slot is decoded on its own (no Upper64).
    let b = decode_bars(&[0xf000_000e, 0x1000_0000, 0, 0, 0, 0]);
    assert_eq!(b[0].kind, BarKind::MemReserved);
    assert!(b[0].prefetch);
    assert_eq!(b[1].kind, BarKind::Mem32);
    assert_eq!(b[1].addr, 0x1000_0000);
}

#[test]
fn mem64_in_slot_5_is_truncated() {
    let b = one(5, 0xd000_000c);
    assert_eq!(b[5].kind, BarKind::Mem64Truncated);
    assert_eq!(b[5].addr, 0xd000_0000);
    assert_eq!(b[5].raw_hi, 0);
    assert!(b[5].is_64());
    assert!(b[5].is_mem());
    assert!(b[5].prefetch);
    assert_eq!(b[5].name(), "BAR5");
}

#[test]
fn rom_enabled_bit_and_address_mask() {
    let r = decode_rom(0xfeb0_0001);
    assert_eq!(r.kind, BarKind::Rom);
    assert_eq!(r.index as usize, ROM_INDEX);
    assert_eq!(r.name(), "ROM");
    assert!(r.rom_enabled);
    assert_eq!(r.addr, 0xfeb0_0000);
    assert!(r.is_mem());
    assert!(!r.is_64());

    // Bits 1-10 are reserved and masked off by 0xfffff800.
    let r = decode_rom(0xfeb0_07fe);
    assert_eq!(r.kind, BarKind::Rom);
    assert!(!r.rom_enabled);
    assert_eq!(r.addr, 0xfeb0_0000);
    assert_eq!(r.raw, 0xfeb0_07fe);

    let r = decode_rom(0xfeb0_0800);
    assert_eq!(r.addr, 0xfeb0_0800);
}

#[test]
fn rom_zero_and_all_ones() {
    let r = decode_rom(0);
    assert_eq!(r.kind, BarKind::Unused);
    assert_eq!(r.addr, 0);
    assert!(!r.rom_enabled);

    // Enable bit alone, no address: nothing decodes.
    let r = decode_rom(0x0000_0001);
    assert_eq!(r.kind, BarKind::Unused);
    assert!(!r.rom_enabled);
    assert_eq!(r.addr, 0);
    assert_eq!(r.raw, 1);

    let r = decode_rom(u32::MAX);
    assert_eq!(r.kind, BarKind::AllOnes);
    assert_eq!(r.addr, 0);
    assert!(!r.rom_enabled);
    assert!(!r.is_mem());
}

#[test]
fn bar_names() {
    let names: Vec<&str> = (0..=7).map(bar_name).collect();
    assert_eq!(
        names,
        ["BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "BAR?"]
    );
    assert_eq!(bar_name(255), "BAR?");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn raw_and_index_preserved(raw in any::<[u32; NUM_BARS]>()) {
        let b = decode_bars(&raw);
        for i in 0..NUM_BARS {
            prop_assert_eq!(b[i].raw, raw[i]);
            prop_assert_eq!(b[i].index as usize, i);
        }
    }

    #[test]
    fn upper64_always_follows_mem64(raw in any::<[u32; NUM_BARS]>()) {
        let b = decode_bars(&raw);
        prop_assert_ne!(b[0].kind, BarKind::Upper64);
        for i in 0..NUM_BARS {
            if b[i].kind == BarKind::Upper64 {
                prop_assert_eq!(b[i - 1].kind, BarKind::Mem64);
            }
            if b[i].kind == BarKind::Mem64 {
                prop_assert!(i + 1 < NUM_BARS);
                prop_assert_eq!(b[i + 1].kind, BarKind::Upper64);
            }
            if b[i].kind == BarKind::Mem64Truncated {
                prop_assert_eq!(i, NUM_BARS - 1);
            }
        }
    }

    #[test]
    fn mem64_address_combines_halves(raw in any::<[u32; NUM_BARS]>()) {
        let b = decode_bars(&raw);
        for i in 0..NUM_BARS {
            if b[i].kind == BarKind::Mem64 {
                let (lo, hi) = (raw[i], raw[i + 1]);
                prop_assert_eq!(b[i].addr, u64::from(lo & !0xf) | (u64::from(hi) << 32));
                prop_assert_eq!(b[i].raw_hi, hi);
                prop_assert_eq!(b[i].prefetch, lo & 0x8 != 0);
            }
        }
    }

    #[test]
    fn mem64_forced(lo in any::<u32>(), hi in any::<u32>(), slot in 0usize..5) {
        // Force a 64-bit memory type so the property is exercised on every case.
        let lo = (lo & !0x7) | 0x4;
        prop_assume!(lo != u32::MAX);
        let mut raw = [0u32; NUM_BARS];
        raw[slot] = lo;
        raw[slot + 1] = hi;
        let b = decode_bars(&raw);
        prop_assert_eq!(b[slot].kind, BarKind::Mem64);
        prop_assert_eq!(b[slot].addr, u64::from(lo & !0xf) | (u64::from(hi) << 32));
        prop_assert_eq!(b[slot + 1].kind, BarKind::Upper64);
    }

    #[test]
    fn io_address_low_bits_clear(raw in any::<[u32; NUM_BARS]>()) {
        let b = decode_bars(&raw);
        for bar in &b {
            if bar.kind == BarKind::Io {
                prop_assert_eq!(bar.addr & 0x3, 0);
                prop_assert_eq!(bar.addr, u64::from(bar.raw & !0x3));
                prop_assert!(bar.raw & 1 == 1);
            }
            if bar.is_mem() {
                prop_assert_eq!(bar.addr & 0xf, 0);
            }
        }
    }

    #[test]
    fn decoding_is_deterministic(raw in any::<[u32; NUM_BARS]>(), rom in any::<u32>()) {
        prop_assert_eq!(decode_bars(&raw), decode_bars(&raw));
        prop_assert_eq!(decode_rom(rom), decode_rom(rom));
    }

    #[test]
    fn rom_decoding(rom in any::<u32>()) {
        let r = decode_rom(rom);
        prop_assert_eq!(r.raw, rom);
        prop_assert_eq!(r.index as usize, ROM_INDEX);
        match r.kind {
            BarKind::Rom => {
                prop_assert_eq!(r.addr, u64::from(rom & 0xffff_f800));
                prop_assert!(r.addr != 0);
                prop_assert_eq!(r.rom_enabled, rom & 1 == 1);
            }
            BarKind::Unused => {
                prop_assert_eq!(rom & 0xffff_f800, 0);
                prop_assert!(!r.rom_enabled);
            }
            BarKind::AllOnes => prop_assert_eq!(rom, u32::MAX),
            k => prop_assert!(false, "unexpected ROM kind {:?}", k),
        }
    }
}
