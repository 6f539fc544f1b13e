// SPDX-License-Identifier: GPL-2.0
//! The facts of a device's config space (sysfs `config`, read as dom0 sees it) that decide
//! passthrough: how it can be reset (PCIe FLR, Advanced Features FLR, PM reset), its MSI and
//! MSI-X vectors, whether it is a bridge, multi-function, and its ACS controls. Every walk
//! is bounded: the bytes come from a device.

use pcifront_diag_core::diag::facts::{MsiCap, MsixCap, PCI_CAP_ID_MSI, PCI_CAP_ID_MSIX};

/// Standard capability IDs (PCI Local Bus 3.0, appendix H).
const CAP_PM: u8 = 0x01;
const CAP_EXP: u8 = 0x10;
const CAP_AF: u8 = 0x13;
/// Extended capability ID of Access Control Services.
const EXT_CAP_ACS: u16 = 0x000d;

/// ACS controls that isolate peers: Source Validation, Request Redirect, Completion
/// Redirect, Upstream Forwarding (Linux's `REQ_ACS_FLAGS` for IOMMU groups).
pub const ACS_ISOLATING: u16 = 0x0001 | 0x0004 | 0x0008 | 0x0010;

/// What the config space says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigFacts {
    /// Vendor and device ID.
    pub ids: (u16, u16),
    /// Header type 1 or 2: a bridge.
    pub bridge: bool,
    /// Header type bit 7.
    pub multifunction: bool,
    /// PCIe capability present, with its device/port type (bits 7:4 of its flags).
    pub pcie_type: Option<u8>,
    /// Device Capabilities bit 28: Function Level Reset.
    pub pcie_flr: bool,
    /// Advanced Features capability with its FLR bit.
    pub af_flr: bool,
    /// PM capability: `Some(no_soft_reset)`; a D3hot->D0 transition resets the function
    /// when No_Soft_Reset is clear.
    pub pm_no_soft_reset: Option<bool>,
    /// MSI-X table size (vectors), if MSI-X is present.
    pub msix_vectors: Option<u32>,
    /// MSI vectors the function can ask for (Multiple Message Capable), if MSI is present.
    pub msi_vectors: Option<u32>,
    /// The ACS control register, if the function has ACS.
    pub acs_ctrl: Option<u16>,
    /// Whether the extended config space (beyond 256 bytes) was readable.
    pub extended: bool,
}

fn u16_at(c: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*c.get(off)?, *c.get(off + 1)?]))
}

fn u32_at(c: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *c.get(off)?,
        *c.get(off + 1)?,
        *c.get(off + 2)?,
        *c.get(off + 3)?,
    ]))
}

/// The standard capabilities: (id, offset), at most 48 (as Linux's `PCI_FIND_CAP_TTL`).
fn capabilities(c: &[u8]) -> Vec<(u8, usize)> {
    const STATUS_CAP_LIST: u16 = 0x10;
    let mut caps = Vec::new();
    if u16_at(c, 0x06).unwrap_or(0) & STATUS_CAP_LIST == 0 {
        return caps;
    }
    let mut pos = usize::from(c.get(0x34).copied().unwrap_or(0) & !3);
    while pos >= 0x40 && caps.len() < 48 {
        let (Some(&id), Some(&next)) = (c.get(pos), c.get(pos + 1)) else {
            break;
        };
        if id == 0xff {
            break;
        }
        caps.push((id, pos));
        pos = usize::from(next & !3);
    }
    caps
}

/// The extended capabilities from 0x100: (id, offset), at most 480 hops (4096/8 as Linux).
fn ext_capabilities(c: &[u8]) -> Vec<(u16, usize)> {
    let mut caps = Vec::new();
    let mut pos = 0x100;
    while pos >= 0x100 && caps.len() < 480 {
        let Some(header) = u32_at(c, pos) else { break };
        if header == 0 || header == 0xffff_ffff {
            break;
        }
        caps.push(((header & 0xffff) as u16, pos));
        pos = (header >> 20) as usize & !3;
    }
    caps
}

/// Reads the facts from a config space dump (64, 256 or 4096 bytes).
pub fn parse(c: &[u8]) -> Result<ConfigFacts, String> {
    let (Some(vendor), Some(device), Some(&header)) = (u16_at(c, 0), u16_at(c, 2), c.get(0x0e))
    else {
        return Err(format!("config space too short ({} bytes)", c.len()));
    };
    if vendor == 0xffff {
        return Err("config space reads all-ones: the device does not answer".into());
    }
    let mut f = ConfigFacts {
        ids: (vendor, device),
        bridge: matches!(header & 0x7f, 1 | 2),
        multifunction: header & 0x80 != 0,
        extended: c.len() > 0x100,
        ..Default::default()
    };
    for (id, pos) in capabilities(c) {
        match id {
            CAP_PM => {
                f.pm_no_soft_reset = u16_at(c, pos + 4).map(|pmcsr| pmcsr & 0x0008 != 0);
            }
            PCI_CAP_ID_MSI => {
                // The module decodes the same capability: one decoder for both.
                let dword = u32_at(c, pos).unwrap_or(0);
                f.msi_vectors = Some(u32::from(MsiCap::from_dword(0, dword).vectors));
            }
            CAP_EXP => {
                f.pcie_type = u16_at(c, pos + 2).map(|flags| ((flags >> 4) & 0xf) as u8);
                f.pcie_flr = u32_at(c, pos + 4).is_some_and(|cap| cap & (1 << 28) != 0);
            }
            PCI_CAP_ID_MSIX => {
                f.msix_vectors = u32_at(c, pos)
                    .map(|dword| u32::from(MsixCap::from_dwords(0, dword, 0).vectors));
            }
            CAP_AF => {
                // AF capabilities byte at +3: TP (bit 0) and FLR (bit 1), both needed.
                f.af_flr = c.get(pos + 3).is_some_and(|cap| cap & 0x3 == 0x3);
            }
            _ => {}
        }
    }
    if let Some(&(_, pos)) = ext_capabilities(c)
        .iter()
        .find(|(id, _)| *id == EXT_CAP_ACS)
    {
        f.acs_ctrl = u16_at(c, pos + 6);
    }
    Ok(f)
}

/// A PCIe port type below which each link has its own device (root or downstream port).
pub fn is_downstream_port(pcie_type: Option<u8>) -> bool {
    // PCI_EXP_TYPE_ROOT_PORT 4, PCI_EXP_TYPE_DOWNSTREAM 6.
    matches!(pcie_type, Some(4 | 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 256-byte config space with the given capabilities chained from 0x40.
    fn space(vendor: u16, header: u8, caps: &[(u8, &[u8])]) -> Vec<u8> {
        let mut c = vec![0u8; 256];
        c[0..2].copy_from_slice(&vendor.to_le_bytes());
        c[2..4].copy_from_slice(&0x1234u16.to_le_bytes());
        c[0x0e] = header;
        if !caps.is_empty() {
            c[0x06] = 0x10;
            c[0x34] = 0x40;
        }
        let mut pos = 0x40;
        for (n, (id, body)) in caps.iter().enumerate() {
            c[pos] = *id;
            let next = if n + 1 < caps.len() { pos + 0x20 } else { 0 };
            c[pos + 1] = next as u8;
            c[pos + 2..pos + 2 + body.len()].copy_from_slice(body);
            pos += 0x20;
        }
        c
    }

    #[test]
    fn pcie_flr_msix_and_pm() {
        // PCIe endpoint (type 0) with FLR in DevCap, MSI-X with 5 vectors (table size 4),
        // PM with No_Soft_Reset set: the shape of QEMU's e1000e.
        let exp = [0x02, 0x00, 0x00, 0x00, 0x00, 0x10];
        let msix = [0x04, 0x00];
        let pm = [0x03, 0x00, 0x08, 0x00];
        let c = space(
            0x8086,
            0x00,
            &[(CAP_PM, &pm), (CAP_EXP, &exp), (PCI_CAP_ID_MSIX, &msix)],
        );
        let f = parse(&c).unwrap();
        assert_eq!(f.ids, (0x8086, 0x1234));
        assert!(f.pcie_flr);
        assert_eq!(f.pcie_type, Some(0));
        assert_eq!(f.msix_vectors, Some(5));
        assert_eq!(f.pm_no_soft_reset, Some(true));
        assert!(!f.bridge && !f.multifunction && !f.extended);
    }

    #[test]
    fn af_flr_msi_multifunction_bridge() {
        let af = [0x06, 0x03];
        let msi = [0x06, 0x00]; // MMC 3: 8 vectors
        let c = space(0x1b36, 0x81, &[(CAP_AF, &af), (PCI_CAP_ID_MSI, &msi)]);
        let f = parse(&c).unwrap();
        assert!(f.af_flr && f.bridge && f.multifunction);
        assert_eq!(f.msi_vectors, Some(8));
        assert_eq!(f.pcie_type, None);
    }

    #[test]
    fn acs_in_extended_space() {
        // PCIe flags 0x0062: version 2, type 6 (downstream port).
        let mut c = space(0x8086, 0x01, &[(CAP_EXP, &[0x62, 0x00])]);
        c.resize(4096, 0);
        // AER at 0x100 pointing to ACS at 0x140.
        c[0x100..0x104].copy_from_slice(&(0x0001u32 | (0x140 << 20)).to_le_bytes());
        c[0x140..0x144].copy_from_slice(&0x000du32.to_le_bytes());
        c[0x146..0x148].copy_from_slice(&0x001du16.to_le_bytes());
        let f = parse(&c).unwrap();
        assert!(is_downstream_port(f.pcie_type));
        assert_eq!(f.acs_ctrl, Some(0x1d));
        assert_eq!(f.acs_ctrl.unwrap() & ACS_ISOLATING, ACS_ISOLATING);
    }

    #[test]
    fn hostile_bytes_are_bounded() {
        // A capability list that loops on itself, and an extended list that does too.
        let mut c = space(0x8086, 0x00, &[(0x09, &[])]);
        c[0x41] = 0x40;
        c.resize(4096, 0);
        c[0x100..0x104].copy_from_slice(&(0x0002u32 | (0x100 << 20)).to_le_bytes());
        let f = parse(&c).unwrap();
        assert_eq!(f.msix_vectors, None);
        assert_eq!(capabilities(&c).len(), 48);
        assert_eq!(ext_capabilities(&c).len(), 480);
        assert!(parse(&[0xff; 64]).is_err());
        assert!(parse(&[0; 8]).is_err());
    }
}
