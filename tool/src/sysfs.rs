// SPDX-License-Identifier: GPL-2.0
//! What dom0's kernel knows about a device: its BARs and ROM (`resource`) and whether
//! xen-pciback holds it, permissively or not.

use std::fs;
use std::path::{Path, PathBuf};

use pcifront_diag_core::diag::bar::{bar_name, NUM_RESOURCES};
use pcifront_diag_core::diag::facts::Resource;
/// `IORESOURCE_IO` and `IORESOURCE_MEM`, as sysfs prints them: the module's own copies.
pub use pcifront_diag_core::diag::facts::{IORESOURCE_IO, IORESOURCE_MEM};
use pcifront_diag_core::diag::report::Bdf;
use pcifront_diag_core::diag::span::Span;

/// One BAR or the ROM as dom0 assigned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bar {
    /// 0-5, or 6 for the ROM.
    pub index: u8,
    /// Its addresses (bus addresses: on x86 machine addresses), never the whole 64-bit space.
    pub addrs: Span,
    /// `IORESOURCE_*` flags.
    pub flags: u64,
}

impl Bar {
    /// `BAR0`..`BAR5`, `ROM`.
    pub fn name(&self) -> &'static str {
        bar_name(self.index)
    }

    /// A memory BAR (or ROM), as opposed to I/O ports.
    pub fn is_mem(&self) -> bool {
        self.flags & IORESOURCE_MEM != 0
    }

    /// Its machine frames, counted as the module counts a resource's frames.
    pub fn frames(&self) -> Span {
        let res = Resource {
            start: self.addrs.first(),
            end: self.addrs.last(),
            flags: self.flags,
            claimed: true,
        };
        let (first, count) = res.frames();
        // `parse_resource` keeps only resources of 1 to 2^64-1 bytes: count >= 1, and the
        // last frame is at most u64::MAX >> PAGE_SHIFT.
        Span::new(first, first + (count.max(1) - 1)).unwrap_or(Span::one(first))
    }

    /// What Xen's rangesets count for it: frames of a memory BAR, ports of an I/O BAR.
    pub fn units(&self) -> Span {
        if self.is_mem() {
            self.frames()
        } else {
            self.addrs
        }
    }
}

/// One number of a `resource` line: `0x`-prefixed hex.
fn number(word: &str) -> Option<u64> {
    u64::from_str_radix(word.strip_prefix("0x")?, 16).ok()
}

/// The device's assigned BARs and ROM from `resource` (unassigned ones left out).
pub fn parse_resource(text: &str) -> Result<Vec<Bar>, String> {
    let mut bars = Vec::new();
    for (index, line) in (0u8..).zip(text.lines().take(NUM_RESOURCES)) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [start, end, flags] = words[..] else {
            return Err(format!(
                "resource line '{}' has not three numbers",
                line.escape_debug()
            ));
        };
        let (Some(start), Some(end), Some(flags)) = (number(start), number(end), number(flags))
        else {
            return Err(format!(
                "resource line '{}' is not three 0x numbers",
                line.escape_debug()
            ));
        };
        // Unassigned resources read 0 0 0; `end == start` is no BAR either.
        let Some(addrs) = Span::new(start, end).filter(|_| end > start) else {
            continue;
        };
        if flags & (IORESOURCE_IO | IORESOURCE_MEM) == 0 {
            continue;
        }
        if addrs.count() == u64::MAX {
            return Err(format!("{} spans the whole address space", bar_name(index)));
        }
        bars.push(Bar {
            index,
            addrs,
            flags,
        });
    }
    Ok(bars)
}

/// dom0's view of one device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// As dom0 names it.
    pub bdf: Bdf,
    /// Its BARs and ROM.
    pub bars: Vec<Bar>,
    /// The driver dom0 has bound (`pciback` when assigned), if any.
    pub driver: Option<String>,
    /// pciback lets the guest write all of config space (`permissive`).
    pub permissive: bool,
    /// Its legacy interrupt in dom0 (`irq`: the GSI libxl grants the guest at attach), if
    /// it has one (0 or unreadable: none).
    pub irq: Option<u32>,
    /// MSI-X vectors its config space offers, if it has MSI-X (and `config` reads).
    pub msix_vectors: Option<u32>,
}

/// Whether pciback's `permissive` file (one BDF a line) lists `bdf`.
pub fn permissive_lists(text: &str, bdf: &Bdf) -> bool {
    text.lines().any(|l| Bdf::parse(l.trim()) == Some(*bdf))
}

/// The MSI-X vectors the device at `config` offers (the host command's config-space reader,
/// the core crate's decoder); `None` without MSI-X or if config space does not read.
fn msix_vectors(config: &Path) -> Option<u32> {
    use std::io::Read;
    let mut bytes = Vec::new();
    fs::File::open(config)
        .and_then(|f| f.take(4096).read_to_end(&mut bytes))
        .ok()?;
    crate::host::config::parse(&bytes).ok()?.msix_vectors
}

/// Reads a device from `sys` (normally `/sys`).
pub fn device(sys: &Path, bdf: &Bdf) -> Result<Device, String> {
    let dir: PathBuf = sys.join("bus/pci/devices").join(bdf.to_string());
    let resource = fs::read_to_string(dir.join("resource"))
        .map_err(|e| format!("{bdf}: not a PCI device of this dom0 ({e})"))?;
    let driver = fs::read_link(dir.join("driver"))
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    let permissive = fs::read_to_string(sys.join("bus/pci/drivers/pciback/permissive"))
        .map(|t| permissive_lists(&t, bdf))
        .unwrap_or(false);
    let irq = fs::read_to_string(dir.join("irq"))
        .ok()
        .and_then(|t| t.trim().parse::<u32>().ok())
        .filter(|&irq| irq != 0);
    Ok(Device {
        bdf: *bdf,
        bars: parse_resource(&resource).map_err(|e| format!("{bdf}: {e}"))?,
        driver,
        permissive,
        irq,
        msix_vectors: msix_vectors(&dir.join("config")),
    })
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Modelled on e1000e in the lab's dom0 (BAR0 at 0xfeb40000, ROM at 0xfeb00000, as the
    /// denied scenario's log shows them); the lab's dom0-denied scenario reads the real file.
    pub const E1000E: &str = "\
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
        assert_eq!(b[0].frames(), Span::new(0xfeb40, 0xfeb5f).unwrap());
        assert_eq!(b[4].frames(), Span::new(0xfeb00, 0xfeb3f).unwrap());
        assert_eq!(b[2].units(), Span::new(0xc040, 0xc05f).unwrap());
    }

    #[test]
    fn bad_lines_are_errors() {
        assert!(parse_resource("0x1 0x2\n").is_err());
        assert!(parse_resource("0x1 zz 0x200\n").is_err());
        assert!(parse_resource("1 2 0x200\n").is_err());
    }

    /// Issue 21: dom0's range arithmetic wrapped for a line ending at 0xffffffffffffffff.
    #[test]
    fn regression_resource_ending_at_u64_max() {
        let top = "0xfffffffffffff000 0xffffffffffffffff 0x0000000000040200\n";
        let bars = parse_resource(top).unwrap();
        assert_eq!(bars[0].frames(), Span::one(0xf_ffff_ffff_ffff));
        assert_eq!(bars[0].addrs.count(), 0x1000);
        let whole = "0x0000000000000000 0xffffffffffffffff 0x0000000000000200\n";
        assert!(parse_resource(whole).is_err());
    }

    #[test]
    fn permissive_file() {
        let bdf = Bdf::parse("0000:00:04.0").unwrap();
        assert!(permissive_lists("0000:00:05.0\n0000:00:04.0\n", &bdf));
        assert!(!permissive_lists("0000:00:05.0\n", &bdf));
    }
}
