// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers around the C shim (`xen_shim.c`): Xen PV context, p2m lookups, the RAM
//! overlap test and the trial mapping.
//!
//! The `#[repr(C)]` structs mirror `xen_shim.h`; the pointers handed to C are to live Rust
//! values or to the bound `pci_dev`.

use core::ffi::{c_int, c_void};

use kernel::prelude::*;

use crate::diag::facts::{P2m, Trial};
use crate::diag::report::Bdf;

/// Mirrors `struct pfd_xen_ctx`.
#[repr(C)]
#[derive(Default)]
struct RawCtx {
    xen_pv: u8,
    initial_domain: u8,
    pcifront: u8,
    phys_bits: u8,
    backend_domid: i32,
    pci_domain: u32,
    ram_pages: u64,
    backend_bdf: [u8; 16],
}

/// Mirrors `struct pfd_scratch`.
#[repr(C)]
struct RawScratch {
    buf: *mut c_void,
    ptep: *mut c_void,
    orig: u64,
}

const P2M_IDENTITY: c_int = 0;
const P2M_INVALID: c_int = 1;

unsafe extern "C" {
    fn pfd_xen_context(pdev: *mut c_void, out: *mut RawCtx) -> c_int;
    fn pfd_p2m_lookup(pfn: u64, raw: *mut u64) -> c_int;
    fn pfd_ram_overlap(start: u64, end: u64) -> c_int;
    fn pfd_scratch_init(s: *mut RawScratch) -> c_int;
    fn pfd_trial_map(s: *mut RawScratch, mfn: u64, read_only: *mut u8) -> c_int;
    fn pfd_scratch_fini(s: *mut RawScratch);
}

/// Where the device sits, as the shim sees it.
pub(crate) struct XenContext {
    pub(crate) ctx: crate::diag::facts::Context,
    pub(crate) backend_bdf: Option<Bdf>,
    pub(crate) pci_domain: u16,
}

/// Queries the Xen context of `pdev`.
pub(crate) fn context(pdev: *mut kernel::bindings::pci_dev) -> XenContext {
    let mut raw = RawCtx::default();
    // SAFETY: `pdev` is the bound device, alive for the whole probe; `raw` is a valid,
    // exclusively borrowed `struct pfd_xen_ctx`.
    unsafe { pfd_xen_context(pdev.cast(), &mut raw) };
    let n = raw.backend_bdf.iter().position(|&c| c == 0).unwrap_or(16);
    let backend_bdf = core::str::from_utf8(&raw.backend_bdf[..n])
        .ok()
        .and_then(Bdf::parse);
    XenContext {
        ctx: crate::diag::facts::Context {
            xen_pv: raw.xen_pv != 0,
            initial_domain: raw.initial_domain != 0,
            pcifront: raw.pcifront != 0,
            backend_domid: u16::try_from(raw.backend_domid).ok(),
            ram_pages: raw.ram_pages,
            phys_bits: raw.phys_bits,
        },
        backend_bdf,
        pci_domain: raw.pci_domain as u16,
    }
}

/// Looks up the p2m entries of `frames` frames from `first_pfn`.
pub(crate) fn p2m(first_pfn: u64, frames: u64) -> P2m {
    let mut p = P2m {
        frames,
        ..P2m::default()
    };
    for pfn in first_pfn..first_pfn + frames {
        let mut raw = 0u64;
        // SAFETY: `raw` is a valid out pointer; the lookup only reads the p2m.
        let kind = unsafe { pfd_p2m_lookup(pfn, &mut raw) };
        if kind != P2M_IDENTITY {
            p.non_identity += 1;
            if kind == P2M_INVALID {
                p.invalid += 1;
            }
            if p.first.is_none() {
                p.first = Some((pfn, raw));
            }
        }
    }
    p
}

/// Whether `[start, end]` overlaps guest RAM.
pub(crate) fn ram_overlap(start: u64, end: u64) -> bool {
    // SAFETY: pure query of the resource tree and e820 table.
    unsafe { pfd_ram_overlap(start, end) != 0 }
}

/// A scratch page whose PTE is lent to Xen for trial mappings; freed on drop.
pub(crate) struct Scratch {
    raw: RawScratch,
    /// Hypercalls spent through this scratch page.
    pub(crate) hypercalls: u32,
}

impl Scratch {
    /// Allocates the scratch page; fails outside a PV guest.
    pub(crate) fn new() -> Result<Self, i32> {
        let mut raw = RawScratch {
            buf: core::ptr::null_mut(),
            ptep: core::ptr::null_mut(),
            orig: 0,
        };
        // SAFETY: `raw` is a valid, exclusively borrowed `struct pfd_scratch`.
        let rc = unsafe { pfd_scratch_init(&mut raw) };
        if rc != 0 {
            return Err(rc);
        }
        Ok(Self { raw, hypercalls: 0 })
    }

    /// Asks Xen whether this domain may map machine frame `mfn`.
    pub(crate) fn trial(&mut self, mfn: u64) -> Trial {
        let mut ro = 0u8;
        // SAFETY: `self.raw` was set up by `pfd_scratch_init` and is only used from here.
        let rc = unsafe { pfd_trial_map(&mut self.raw, mfn, &mut ro) };
        match rc {
            0 => {
                self.hypercalls += 2;
                if ro != 0 {
                    Trial::ReadOnly
                } else {
                    Trial::Mapped
                }
            }
            rc => {
                self.hypercalls += 1;
                Trial::Refused(rc)
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // SAFETY: set up by `pfd_scratch_init`; the shim leaves `buf` NULL if a restore failed.
        unsafe { pfd_scratch_fini(&mut self.raw) };
    }
}
