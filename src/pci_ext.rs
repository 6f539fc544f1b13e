// SPDX-License-Identifier: GPL-2.0

//! What the probe needs from a bound PCI device that Linux 7.3's `kernel::pci` does not offer
//! yet, as safe methods on [`pci::Device`]: each names the C API it stands in for. They are
//! drafted for the Rust-for-Linux tree in `kernel/patches/rust-pci/`; when the crate has them,
//! this file goes. `pci::Device::as_raw()` is private to the crate, hence [`DeviceExt::raw`].
//! Shared by `pcifront_diag` and the bench's `pfd_enable_only` (included with `#[path]`).

use core::{marker::PhantomData, ptr::NonNull};

use kernel::{bindings, device::Core, error::to_result, ffi::c_void, pci, prelude::*};

/// One BAR's resource as the guest's PCI core holds it.
#[derive(Clone, Copy, Default)]
pub(crate) struct ResourceView {
    /// `start`.
    pub(crate) start: u64,
    /// `end`, inclusive.
    pub(crate) end: u64,
    /// `flags` (`IORESOURCE_*`).
    pub(crate) flags: u64,
    /// `parent != NULL`: claimed in the resource tree.
    pub(crate) claimed: bool,
}

/// Resources a `pci_dev` has in `resource[]` that [`DeviceExt::resource`] reads: BAR0-5 and the
/// ROM (`PCI_ROM_RESOURCE`).
const RESOURCES: usize = bindings::PCI_ROM_RESOURCE as usize + 1;

/// The methods `kernel::pci::Device` lacks.
pub(crate) trait DeviceExt {
    /// The raw `struct pci_dev`, for the C shim's calls only.
    fn raw(&self) -> *mut bindings::pci_dev;

    /// `pci_read_config_dword()`, keeping its error: `kernel::pci`'s config-space accessors
    /// return the value alone, and pcifront's reads can fail.
    fn read_config_dword(&self, offset: u16) -> Result<u32>;

    /// `pci_enable_device()`: I/O and memory decoding (the crate has only the memory variant,
    /// `enable_device_mem()`).
    fn enable_device(&self) -> Result;

    /// `pci_disable_device()`, which the crate does not wrap.
    fn disable_device(&self);

    /// BAR `index`'s (or the ROM's) `struct resource`: start, end, flags and whether it is
    /// claimed. The crate's `resource_start()`/`resource_len()` give neither flags nor parent.
    fn resource(&self, index: usize) -> Option<ResourceView>;

    /// `pci_request_region()` and `pci_iomap_range()` of the first `len` bytes of BAR `bar`,
    /// released on drop. The crate's `iomap_region()` maps the whole BAR, which for a large
    /// BAR in a PV guest costs a PTE update Xen checks per frame.
    fn map_region_start(&self, bar: u8, len: usize) -> Result<RegionStart<'_>>;
}

impl DeviceExt for pci::Device<Core<'_>> {
    fn raw(&self) -> *mut bindings::pci_dev {
        // `pci::Device` is `#[repr(transparent)]` over `Opaque<bindings::pci_dev>`.
        core::ptr::from_ref(self).cast_mut().cast()
    }

    fn read_config_dword(&self, offset: u16) -> Result<u32> {
        let mut value = 0u32;
        // SAFETY: `self` is a bound device, so `raw()` is a valid `pci_dev` for the call;
        // `value` is a valid out pointer.
        let rc =
            unsafe { bindings::pci_read_config_dword(self.raw(), i32::from(offset), &mut value) };
        // The return codes are PCIBIOS_*, positive: pcibios_err_to_errno() is a static inline.
        if rc != 0 {
            return Err(EIO);
        }
        Ok(value)
    }

    fn enable_device(&self) -> Result {
        // SAFETY: `self` is a bound device; the caller disables it again.
        to_result(unsafe { bindings::pci_enable_device(self.raw()) })
    }

    fn disable_device(&self) {
        // SAFETY: `self` is a bound device; `pci_disable_device()` balances an earlier enable
        // and warns (never faults) if there was none.
        unsafe { bindings::pci_disable_device(self.raw()) };
    }

    fn resource(&self, index: usize) -> Option<ResourceView> {
        if index >= RESOURCES {
            return None;
        }
        // SAFETY: `self` is a bound device; `resource` has `DEVICE_COUNT_RESOURCE` entries,
        // more than `RESOURCES`, and the PCI core does not change them while a driver is bound.
        let res = unsafe { &(*self.raw()).resource[index] };
        Some(ResourceView {
            start: res.start,
            end: res.end,
            // CAST: `c_ulong` is 64 bits on the 64-bit kernels this module builds for.
            flags: res.flags as u64,
            claimed: !res.parent.is_null(),
        })
    }

    fn map_region_start(&self, bar: u8, len: usize) -> Result<RegionStart<'_>> {
        if usize::from(bar) >= bindings::PCI_STD_NUM_BARS as usize {
            return Err(EINVAL);
        }
        let bar = i32::from(bar);
        // SAFETY: `self` is a bound device, `bar` a standard BAR, the name a static C string.
        to_result(unsafe {
            bindings::pci_request_region(self.raw(), bar, c"pcifront_diag".as_char_ptr())
        })?;
        // SAFETY: the region is requested above; `pci_iomap_range()` maps at most `len` bytes
        // of it (0 maps the whole BAR, which no caller asks for).
        let addr = unsafe { bindings::pci_iomap_range(self.raw(), bar, 0, len.max(1)) };
        let Some(addr) = NonNull::new(addr) else {
            // SAFETY: requested above, not mapped.
            unsafe { bindings::pci_release_region(self.raw(), bar) };
            return Err(ENOMEM);
        };
        Ok(RegionStart {
            pdev: self.raw(),
            bar,
            addr,
            len: len.max(1),
            _bound: PhantomData,
        })
    }
}

/// The first bytes of a BAR, requested and mapped; unmapped, then released, on drop.
pub(crate) struct RegionStart<'a> {
    pdev: *mut bindings::pci_dev,
    bar: i32,
    addr: NonNull<c_void>,
    len: usize,
    /// The bound device `pdev` is borrowed from: it outlives the mapping.
    _bound: PhantomData<&'a ()>,
}

impl RegionStart<'_> {
    /// `ioread32()` at `offset`: MMIO or port I/O, whichever the BAR is.
    pub(crate) fn read32(&self, offset: usize) -> Result<u32> {
        if offset.checked_add(4).is_none_or(|end| end > self.len) {
            return Err(EINVAL);
        }
        // SAFETY: `addr` maps `len` bytes of the BAR, and `offset + 4 <= len`.
        Ok(unsafe { bindings::ioread32(self.addr.as_ptr().byte_add(offset)) })
    }
}

impl Drop for RegionStart<'_> {
    fn drop(&mut self) {
        // SAFETY: `addr` came from `pci_iomap_range()` on this device and is not used again;
        // the region was requested by `map_region_start()` and is released once, after it.
        unsafe {
            bindings::pci_iounmap(self.pdev, self.addr.as_ptr());
            bindings::pci_release_region(self.pdev, self.bar);
        }
    }
}
