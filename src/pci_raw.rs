// SPDX-License-Identifier: GPL-2.0

//! The raw `struct pci_dev` behind a bound `kernel::pci::Device`, for the C calls the 7.3
//! crate has no wrapper for (`pci_disable_device()`, `pci_enable_device()` with I/O decoding,
//! config reads that keep their return code, one-page `pci_iomap_range()`, a resource's flags
//! and parent). `pci::Device::as_raw()` is private to the crate. Shared by `pcifront_diag`
//! and the bench's `pfd_enable_only` (included with `#[path]`).

use kernel::{bindings, device::Core, pci};

/// The raw `struct pci_dev` behind a bound device.
pub(crate) fn raw(pdev: &pci::Device<Core<'_>>) -> *mut bindings::pci_dev {
    // `pci::Device` is `#[repr(transparent)]` over `Opaque<bindings::pci_dev>`.
    core::ptr::from_ref(pdev).cast_mut().cast()
}
