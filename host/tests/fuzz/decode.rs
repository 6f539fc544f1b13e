//! Fuzzing `diag::bar`: the six BAR dwords and the ROM dword as config space returned them
//! (through pciback, so anything), random or mutated from the test fixtures' registers.

use crate::common::*;
use crate::driver::{run, Rng};
use pcifront_diag_core::diag::bar::{decode_bars, decode_rom, BarKind, NUM_BARS, ROM_INDEX};
use pcifront_diag_core::diag::checks::decode_all;
use pcifront_diag_core::diag::facts::Config;

/// Registers as the fixtures hold them: the seeds of the mutations.
fn corpus() -> Vec<Config> {
    let mut configs: Vec<Config> = catalogue().iter().map(|f| f.cfg).collect();
    configs.extend([healthy_at_top().cfg, six_sub_page_bars().cfg]);
    configs
}

/// A register: random, a fixture's with a bit flipped, an edge value, or a given type.
fn mutate_register(rng: &mut Rng, v: u32) -> u32 {
    match rng.below(5) {
        // CAST: a bit of the low 32.
        0 => rng.flip(u64::from(v)) as u32,
        1 => rng.edgy_u32(),
        // Keep the address, choose the type bits (I/O, 32/1M/64/reserved, prefetch).
        2 => (v & !0xf) | rng.below(16) as u32,
        3 => v,
        _ => rng.next() as u32,
    }
}

/// Registers: a fixture's with some mutated, or random ones.
fn generate(rng: &mut Rng, corpus: &[Config]) -> Config {
    let mut cfg = rng.pick(corpus);
    if rng.one_in(4) {
        cfg.bars = std::array::from_fn(|_| rng.edgy_u32());
        cfg.rom = rng.edgy_u32();
        return cfg;
    }
    for _ in 0..=rng.below(4) {
        let i = rng.index(NUM_BARS + 1);
        match cfg.bars.get_mut(i) {
            Some(bar) => *bar = mutate_register(rng, *bar),
            None => cfg.rom = mutate_register(rng, cfg.rom),
        }
    }
    cfg
}

/// What the decoding must say of any six registers and any ROM register.
fn check(cfg: &Config) {
    let raw = &cfg.bars;
    let bars = decode_bars(raw);
    for (i, bar) in bars.iter().enumerate() {
        assert_eq!(usize::from(bar.index), i);
        assert_eq!(bar.raw, raw[i], "raw kept");
        assert_eq!(bar.name(), format!("BAR{i}"));
        let upper = i > 0 && bars[i - 1].kind == BarKind::Mem64;
        assert_eq!(bar.kind == BarKind::Upper64, upper, "BAR{i}: upper half");
        if upper {
            assert_eq!(bars[i - 1].raw_hi, raw[i]);
            continue;
        }
        match bar.kind {
            BarKind::AllOnes => assert_eq!(raw[i], u32::MAX),
            BarKind::Unused => assert_eq!(raw[i], 0),
            BarKind::Io => assert_eq!(bar.addr, u64::from(raw[i] & !3)),
            BarKind::Mem64 => {
                assert!(i + 1 < NUM_BARS);
                let addr = u64::from(raw[i] & !0xf) | u64::from(raw[i + 1]) << 32;
                assert_eq!(bar.addr, addr);
            }
            BarKind::Mem64Truncated => assert_eq!(i, NUM_BARS - 1),
            BarKind::Mem32 | BarKind::Mem1M | BarKind::MemReserved => {
                assert_eq!(bar.addr, u64::from(raw[i] & !0xf))
            }
            BarKind::Upper64 | BarKind::Rom => panic!("BAR{i} decoded as {:?}", bar.kind),
        }
        assert_eq!(
            bar.is_64(),
            matches!(bar.kind, BarKind::Mem64 | BarKind::Mem64Truncated)
        );
        assert!(!bar.rom_enabled);
    }
    check_rom(cfg.rom);
    let all = decode_all(cfg);
    assert_eq!(all[..NUM_BARS], bars);
    assert_eq!(all[ROM_INDEX], decode_rom(cfg.rom));
}

/// What the decoding must say of any ROM register.
fn check_rom(raw: u32) {
    let rom = decode_rom(raw);
    assert_eq!(
        (usize::from(rom.index), rom.raw, rom.name()),
        (ROM_INDEX, raw, "ROM")
    );
    assert_eq!(rom.addr & 0x7ff, 0, "ROM address aligned to 2 KiB");
    match rom.kind {
        BarKind::Rom => assert!(rom.addr != 0 && rom.is_mem()),
        BarKind::AllOnes => assert_eq!(raw, u32::MAX),
        BarKind::Unused => assert_eq!(raw & !0x7ff, 0),
        other => panic!("ROM decoded as {other:?}"),
    }
    assert_eq!(rom.rom_enabled, rom.kind == BarKind::Rom && raw & 1 != 0);
}

#[test]
fn fuzz_decode() {
    let corpus = corpus();
    let inputs = run(
        "decode",
        0.15,
        |rng| generate(rng, &corpus),
        |_| None,
        check,
    );
    assert!(inputs > 0);
}
