// SPDX-License-Identifier: GPL-2.0

//! Where an MSI or MSI-X enable through pcifront fails, from the errno the driver gets.
//!
//! The path in a PV domU (docs/interrupts-dma.md): the guest's MSI core calls
//! `xen_setup_msi_irqs()`, which asks pcifront (`XEN_PCI_OP_enable_msi[x]`); pciback in dom0
//! enables MSI(-X) on the real device (`pci_enable_msi()` / `pci_enable_msix_exact()`), and
//! dom0's MSI setup asks Xen to map a pirq in the guest's pirq space
//! (`PHYSDEVOP_map_pirq`, domid = the guest); the pirqs come back to the guest, which binds
//! each to an irq. For MSI-X pcifront passes dom0's errno through unchanged; for MSI it turns
//! every failure into `-EINVAL`.

use core::fmt::{self, Write};

use super::facts::{MsiType, SH_INFO_MAX_VEC};
use super::findings::{EINVAL, ENODEV, ENOMEM, EPERM};
use super::report::Bdf;

/// `-EIO`, and `XEN_PCI_ERR_op_failed` of pciback, which is the same number.
pub const EIO: i32 = -5;
/// `-ENXIO`: pciback's MSI-X enable when dom0 sees MSI on or memory decoding off.
pub const ENXIO: i32 = -6;
/// `-ENOSPC`: Xen has no free pirq left in the guest's pirq space.
pub const ENOSPC: i32 = -28;
/// `-ENOSYS`: pcifront registered no MSI ops.
pub const ENOSYS: i32 = -38;
/// `-EALREADY`: pciback finds MSI-X already enabled in dom0.
pub const EALREADY: i32 = -114;
/// `-EEXIST`: `EVTCHNOP_bind_pirq` for a pirq this guest has bound already (after Xen's
/// permission check passed).
pub const EEXIST: i32 = -17;

/// Whether Xen's answer to `EVTCHNOP_bind_pirq` (`bind_rc`) means the domain may bind the
/// pirq: Xen checks the permission before anything else but the pirq's range.
pub fn bind_permitted(bind_rc: i32) -> bool {
    matches!(bind_rc, 0 | EEXIST)
}

/// The stage of the path an errno points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The guest's pcifront has no MSI ops (`-ENOSYS`).
    PcifrontMissing,
    /// pcifront or the guest's MSI core refused or got no usable vector (`-EINVAL` for MSI-X).
    Pcifront,
    /// pciback did not answer, or does not know the device (`XEN_PCI_ERR_dev_not_found`).
    PcibackGone,
    /// pciback's enable in dom0 refused: MSI on, memory decoding off, already enabled.
    PcibackState,
    /// pciback's enable in dom0 failed (`XEN_PCI_ERR_op_failed` / `-EIO`).
    PcibackFailed,
    /// Xen found no free pirq for the guest (`-ENOSPC` from `PHYSDEVOP_map_pirq`).
    XenPirq,
    /// MSI: pcifront reports any failure of pciback or Xen as `-EINVAL`.
    MsiBackend,
    /// An allocation failed (`-ENOMEM`), in the guest or dom0.
    Memory,
    /// Anything else.
    Unknown,
}

/// The stage a failed enable of `kind` with `rc` points at.
pub fn stage_of(kind: MsiType, rc: i32) -> Stage {
    match (kind, rc) {
        (_, ENOSYS) => Stage::PcifrontMissing,
        (_, ENOMEM) => Stage::Memory,
        (MsiType::Msi, EINVAL) => Stage::MsiBackend,
        (MsiType::MsiX, EINVAL) => Stage::Pcifront,
        (MsiType::MsiX, EPERM) => Stage::PcibackGone,
        (MsiType::MsiX, ENXIO | EALREADY) => Stage::PcibackState,
        (MsiType::MsiX, EIO) => Stage::PcibackFailed,
        (MsiType::MsiX, ENOSPC) => Stage::XenPirq,
        _ => Stage::Unknown,
    }
}

impl Stage {
    /// A short, stable name for the evidence.
    pub fn name(self) -> &'static str {
        match self {
            Stage::PcifrontMissing => "pcifront-no-msi",
            Stage::Pcifront => "pcifront",
            Stage::PcibackGone => "pciback-no-answer",
            Stage::PcibackState => "pciback-state",
            Stage::PcibackFailed => "pciback",
            Stage::XenPirq => "xen-pirq",
            Stage::MsiBackend => "pciback-or-xen",
            Stage::Memory => "memory",
            Stage::Unknown => "unknown",
        }
    }

    /// What a failure at this stage means.
    pub fn what(self) -> &'static str {
        match self {
            Stage::PcifrontMissing => "MSI/MSI-X enable failed: this guest's pcifront registered no MSI operations ('Xen PCI frontend has not registered MSI/MSI-X support!')",
            Stage::Pcifront => "MSI-X enable failed in pcifront: the request was refused before dom0 (more than 128 vectors) or pciback returned no usable vector ('MSI-X entry N is invalid')",
            Stage::PcibackGone => "MSI-X enable failed: pciback did not answer or does not know the device (XEN_PCI_ERR_dev_not_found; the guest logs 'enable msix get err ffffffff')",
            Stage::PcibackState => "MSI-X enable refused by pciback in dom0: MSI is on, MSI-X already enabled, or memory decoding off for the device in dom0 ('error enabling MSI-X for guest' in dom0's log)",
            Stage::PcibackFailed => "MSI-X enable failed in pciback in dom0 (XEN_PCI_ERR_op_failed or -EIO; the guest logs 'enable msix get err fffffffb')",
            Stage::XenPirq => "MSI-X enable failed in Xen: no free pirq left in this domain's pirq space for dom0's PHYSDEVOP_map_pirq on its behalf (the guest logs 'enable msix get err ffffffe4', 'Xen PCI frontend error: -28!')",
            Stage::MsiBackend => "MSI enable failed in pciback or Xen: pcifront reports every failure of dom0's pci_enable_msi() or of Xen's pirq mapping as -EINVAL ('pci frontend enable msi failed', 'Xen PCI frontend error: -22!', drivers: 'Couldn't initialize interrupts: -22')",
            Stage::Memory => "MSI/MSI-X enable failed for lack of memory, in the guest or in dom0",
            Stage::Unknown => "MSI/MSI-X enable through pcifront failed",
        }
    }

    /// The fix for a failure at this stage ([`Stage::XenPirq`]'s names the vectors, see
    /// `findings.rs`).
    pub fn write_fix(self, w: &mut dyn Write, kind: MsiType, dom0: Option<Bdf>) -> fmt::Result {
        let dev = Dom0(dom0);
        match self {
            Stage::PcifrontMissing => w.write_str("use a guest kernel whose pcifront has MSI (CONFIG_PCI_MSI=y with CONFIG_XEN_PCIDEV_FRONTEND), and no pci=nomsi on its command line"),
            Stage::Pcifront => write!(w, "let the driver ask for at most {SH_INFO_MAX_VEC} vectors; on dom0 look for 'xen-pciback {dev}' lines in dmesg and for pirq errors in xl dmesg"),
            Stage::PcibackGone => write!(w, "on dom0: is {dev} still bound to pciback (xl pci-assignable-list) and the guest's backend connected (xenstore-ls /local/domain/0/backend/pci)? re-attach with xl pci-detach / xl pci-attach"),
            Stage::PcibackState | Stage::PcibackFailed => write!(w, "on dom0: dmesg | grep '{dev}' for 'error enabling {} for guest'; re-assign the device so pciback starts from a clean state: xl pci-detach, xl pci-assignable-remove {dev} && xl pci-assignable-add {dev}, xl pci-attach", kind.name()),
            Stage::MsiBackend => write!(w, "on dom0: dmesg | grep '{dev}' for 'error enabling MSI for guest' (pciback) or 'xen map irq failed' (Xen's pirq mapping: raise Xen's extra_guest_irqs=), and xl dmesg"),
            Stage::Memory => w.write_str("free memory in the guest and in dom0, then retry"),
            Stage::XenPirq | Stage::Unknown => write!(w, "on dom0: dmesg | grep '{dev}' (pciback, 'xen map irq failed') and xl dmesg name the failing step"),
        }
    }
}

/// dom0's BDF, or `<dom0 BDF>`.
struct Dom0(Option<Bdf>);

impl fmt::Display for Dom0 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(bdf) => write!(f, "{bdf}"),
            None => f.write_str(super::findings::DOM0_PLACEHOLDER),
        }
    }
}

/// The errno's name, for the errnos this path returns.
pub fn errno_name(rc: i32) -> &'static str {
    match rc {
        EPERM => "-EPERM",
        EIO => "-EIO",
        ENXIO => "-ENXIO",
        ENOMEM => "-ENOMEM",
        ENODEV => "-ENODEV",
        EINVAL => "-EINVAL",
        ENOSPC => "-ENOSPC",
        ENOSYS => "-ENOSYS",
        EALREADY => "-EALREADY",
        EEXIST => "-EEXIST",
        _ => "error",
    }
}
