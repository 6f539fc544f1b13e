// SPDX-License-Identifier: GPL-2.0

//! Decoding of raw PCI BAR and expansion-ROM registers.
//!
//! Pure `no_std` code: the kernel module and the host test crate compile this same file. The
//! input is what a config-space read returned; nothing here touches hardware.

/// Number of standard BARs in a type 0 header.
pub const NUM_BARS: usize = 6;
/// Index used for the expansion ROM in per-resource arrays (as `PCI_ROM_RESOURCE`).
pub const ROM_INDEX: usize = 6;
/// BARs plus the ROM.
pub const NUM_RESOURCES: usize = 7;

/// Resource index `i` (a BAR, or [`ROM_INDEX`]) as findings and reports carry it: one byte.
pub const fn index_u8(i: usize) -> u8 {
    if i > u8::MAX as usize {
        return u8::MAX;
    }
    // CAST: `i` fits a byte (checked above); callers pass less than `NUM_RESOURCES`.
    #[allow(clippy::cast_possible_truncation)]
    let index = i as u8;
    index
}

/// Config-space offset of BAR0.
pub const PCI_BASE_ADDRESS_0: u16 = 0x10;
/// Config-space offset of the type 0 expansion ROM register.
pub const PCI_ROM_ADDRESS: u16 = 0x30;

const SPACE_IO: u32 = 0x1;
const MEM_TYPE_MASK: u32 = 0x6;
const MEM_TYPE_32: u32 = 0x0;
const MEM_TYPE_1M: u32 = 0x2;
const MEM_TYPE_64: u32 = 0x4;
const MEM_PREFETCH: u32 = 0x8;
const MEM_ADDR_MASK: u32 = !0xf;
const IO_ADDR_MASK: u32 = !0x3;
const ROM_ENABLE: u32 = 0x1;
const ROM_ADDR_MASK: u32 = !0x7ff;

/// What a BAR register says about itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarKind {
    /// The register reads 0: not implemented, or pciback hides it because dom0 had the resource
    /// unset, disabled or busy when the device was seized.
    Unused,
    /// I/O-port BAR.
    Io,
    /// 32-bit memory BAR.
    Mem32,
    /// Legacy memory BAR that must sit below 1 MiB (type `01b`).
    Mem1M,
    /// Lower half of a 64-bit memory BAR; the next register holds the upper 32 bits.
    Mem64,
    /// Upper half of the 64-bit BAR one index below.
    Upper64,
    /// A 64-bit BAR in the last slot: its upper half would be outside the header.
    Mem64Truncated,
    /// Memory BAR with the reserved type `11b`.
    MemReserved,
    /// The register reads all-ones: device gone, powered down, or the config read failed.
    AllOnes,
    /// Expansion ROM register.
    Rom,
}

/// One decoded BAR (or the ROM).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bar {
    /// BAR number 0-5, or [`ROM_INDEX`] for the ROM.
    pub index: u8,
    /// What the register says it is.
    pub kind: BarKind,
    /// Bus address (upper half included for 64-bit BARs).
    pub addr: u64,
    /// Prefetchable memory.
    pub prefetch: bool,
    /// ROM enable bit (only for the ROM).
    pub rom_enabled: bool,
    /// Raw lower dword as read.
    pub raw: u32,
    /// Raw upper dword for 64-bit BARs, else 0.
    pub raw_hi: u32,
}

impl Bar {
    /// A memory BAR that maps something (32, 1M-legacy, 64-bit, truncated 64 or reserved type).
    pub fn is_mem(&self) -> bool {
        matches!(
            self.kind,
            BarKind::Mem32
                | BarKind::Mem1M
                | BarKind::Mem64
                | BarKind::Mem64Truncated
                | BarKind::MemReserved
                | BarKind::Rom
        )
    }

    /// A 64-bit memory BAR (complete or truncated).
    pub fn is_64(&self) -> bool {
        matches!(self.kind, BarKind::Mem64 | BarKind::Mem64Truncated)
    }

    /// Short name for logs: `BAR0`..`BAR5` or `ROM`.
    pub fn name(&self) -> &'static str {
        bar_name(self.index)
    }
}

/// Short name of a resource index: `BAR0`..`BAR5`, `ROM`, or `BAR?`.
pub fn bar_name(index: u8) -> &'static str {
    match index {
        0 => "BAR0",
        1 => "BAR1",
        2 => "BAR2",
        3 => "BAR3",
        4 => "BAR4",
        5 => "BAR5",
        6 => "ROM",
        _ => "BAR?",
    }
}

/// Decodes the six raw BAR dwords of a type 0 header.
pub fn decode_bars(raw: &[u32; NUM_BARS]) -> [Bar; NUM_BARS] {
    let mut out = [Bar {
        index: 0,
        kind: BarKind::Unused,
        addr: 0,
        prefetch: false,
        rom_enabled: false,
        raw: 0,
        raw_hi: 0,
    }; NUM_BARS];
    let mut i = 0;
    while i < NUM_BARS {
        let v = raw[i];
        let bar = &mut out[i];
        bar.index = index_u8(i);
        bar.raw = v;
        if v == u32::MAX {
            bar.kind = BarKind::AllOnes;
        } else if v == 0 {
            bar.kind = BarKind::Unused;
        } else if v & SPACE_IO != 0 {
            bar.kind = BarKind::Io;
            bar.addr = u64::from(v & IO_ADDR_MASK);
        } else {
            bar.prefetch = v & MEM_PREFETCH != 0;
            bar.addr = u64::from(v & MEM_ADDR_MASK);
            match v & MEM_TYPE_MASK {
                MEM_TYPE_32 => bar.kind = BarKind::Mem32,
                MEM_TYPE_1M => bar.kind = BarKind::Mem1M,
                MEM_TYPE_64 if i + 1 < NUM_BARS => {
                    let hi = raw[i + 1];
                    bar.kind = BarKind::Mem64;
                    bar.raw_hi = hi;
                    bar.addr |= u64::from(hi) << 32;
                    let upper = &mut out[i + 1];
                    upper.index = index_u8(i + 1);
                    upper.kind = BarKind::Upper64;
                    upper.raw = hi;
                    i += 2;
                    continue;
                }
                MEM_TYPE_64 => bar.kind = BarKind::Mem64Truncated,
                _ => bar.kind = BarKind::MemReserved,
            }
        }
        i += 1;
    }
    out
}

/// Decodes the raw expansion ROM dword.
pub fn decode_rom(raw: u32) -> Bar {
    let kind = match raw {
        u32::MAX => BarKind::AllOnes,
        v if v & ROM_ADDR_MASK == 0 => BarKind::Unused,
        _ => BarKind::Rom,
    };
    Bar {
        index: index_u8(ROM_INDEX),
        kind,
        addr: if kind == BarKind::Rom {
            u64::from(raw & ROM_ADDR_MASK)
        } else {
            0
        },
        prefetch: false,
        rom_enabled: kind == BarKind::Rom && raw & ROM_ENABLE != 0,
        raw,
        raw_hi: 0,
    }
}
