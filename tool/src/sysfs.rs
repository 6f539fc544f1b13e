// SPDX-License-Identifier: GPL-2.0
//! What dom0's kernel knows about a device: its BARs and ROM (`resource`) and whether
//! xen-pciback holds it, permissively or not.

use std::fs;
use std::path::{Path, PathBuf};

use pcifront_diag_core::diag::facts::Resource;
/// `IORESOURCE_IO` and `IORESOURCE_MEM`, as sysfs prints them: the module's own copies.
pub use pcifront_diag_core::diag::facts::{IORESOURCE_IO, IORESOURCE_MEM};

/// One BAR or the ROM as dom0 assigned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bar {
    /// 0-5, or 6 for the ROM.
    pub index: usize,
    /// First address (bus address: on x86 the machine address).
    pub start: u64,
    /// Last address, inclusive.
    pub end: u64,
    /// `IORESOURCE_*` flags.
    pub flags: u64,
}

impl Bar {
    /// `BAR0`..`BAR5`, `ROM`.
    pub fn name(&self) -> String {
        match self.index {
            6 => "ROM".into(),
            i => format!("BAR{i}"),
        }
    }

    /// A memory BAR (or ROM), as opposed to I/O ports.
    pub fn is_mem(&self) -> bool {
        self.flags & IORESOURCE_MEM != 0
    }

    /// First and last machine frame, counted as the module counts a resource's frames.
    pub fn frames(&self) -> (u64, u64) {
        let res = Resource {
            start: self.start,
            end: self.end,
            flags: self.flags,
            claimed: true,
        };
        let (first, count) = res.frames();
        (first, first + count.saturating_sub(1))
    }
}

/// The device's assigned BARs and ROM from `resource` (unassigned ones left out).
pub fn parse_resource(text: &str) -> Result<Vec<Bar>, String> {
    let mut bars = Vec::new();
    for (index, line) in text.lines().take(7).enumerate() {
        let mut n = line.split_whitespace().map(|v| {
            u64::from_str_radix(v.trim_start_matches("0x"), 16).map_err(|_| format!("'{line}'"))
        });
        let (Some(start), Some(end), Some(flags)) = (n.next(), n.next(), n.next()) else {
            return Err(format!("resource line '{line}' has not three numbers"));
        };
        let (start, end, flags) = (start?, end?, flags?);
        if flags & (IORESOURCE_IO | IORESOURCE_MEM) != 0 && end > start {
            bars.push(Bar {
                index,
                start,
                end,
                flags,
            });
        }
    }
    Ok(bars)
}

/// dom0's view of one device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// `0000:00:04.0`.
    pub bdf: String,
    /// Its BARs and ROM.
    pub bars: Vec<Bar>,
    /// The driver dom0 has bound (`pciback` when assigned), if any.
    pub driver: Option<String>,
    /// pciback lets the guest write all of config space (`permissive`).
    pub permissive: bool,
}

/// Reads a device from `sys` (normally `/sys`).
pub fn device(sys: &Path, bdf: &str) -> Result<Device, String> {
    let dir: PathBuf = sys.join("bus/pci/devices").join(bdf);
    let resource = fs::read_to_string(dir.join("resource"))
        .map_err(|e| format!("{bdf}: not a PCI device of this dom0 ({e})"))?;
    let driver = fs::read_link(dir.join("driver"))
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    let permissive = fs::read_to_string(sys.join("bus/pci/drivers/pciback/permissive"))
        .map(|t| t.lines().any(|l| l.trim() == bdf))
        .unwrap_or(false);
    Ok(Device {
        bdf: bdf.to_string(),
        bars: parse_resource(&resource).map_err(|e| format!("{bdf}: {e}"))?,
        driver,
        permissive,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Modelled on e1000e in the lab's dom0 (BAR0 at 0xfeb40000, ROM at 0xfeb00000, as the
    /// denied scenario's log shows them); the lab's dom0-denied scenario reads the real file.
    const E1000E: &str = "\
0x00000000feb40000 0x00000000feb5ffff 0x0000000000040200
0x00000000feb60000 0x00000000feb7ffff 0x0000000000040200
0x000000000000c040 0x000000000000c05f 0x0000000000040101
0x00000000feb80000 0x00000000feb83fff 0x0000000000040200
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x00000000feb00000 0x00000000feb3ffff 0x0000000000046200
0x0000000000000000 0x0000000000000000 0x0000000000000000
";

    #[test]
    fn e1000e_bars() {
        let b = parse_resource(E1000E).unwrap();
        let names: Vec<_> = b.iter().map(Bar::name).collect();
        assert_eq!(names, ["BAR0", "BAR1", "BAR2", "BAR3", "ROM"]);
        assert!(!b[2].is_mem());
        assert_eq!(b[0].frames(), (0xfeb40, 0xfeb5f));
        assert_eq!(b[4].frames(), (0xfeb00, 0xfeb3f));
    }

    #[test]
    fn bad_lines_are_errors() {
        assert!(parse_resource("0x1 0x2\n").is_err());
        assert!(parse_resource("0x1 zz 0x200\n").is_err());
    }
}
