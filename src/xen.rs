// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers around the C shim (`xen_shim.c`): Xen PV context, p2m lookups, the RAM
//! overlap test and the trial mapping.
//!
//! The `#[repr(C)]` structs mirror `xen_shim.h`; the pointers handed to C are to live Rust
//! values or to the bound `pci_dev`.

use core::ptr::NonNull;

use kernel::ffi::{c_int, c_void};

use kernel::prelude::*;

use crate::diag::facts::{P2m, StreamingMap, Trial, TrialPage};
use crate::diag::report::Bdf;
use crate::diag::trial;

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
}

// The layout `xen_shim.c` asserts too (static_assert on the same size and offsets).
const _: () = {
    assert!(core::mem::size_of::<RawCtx>() == 24);
    assert!(core::mem::offset_of!(RawCtx, backend_domid) == 4);
    assert!(core::mem::offset_of!(RawCtx, pci_domain) == 8);
    assert!(core::mem::offset_of!(RawCtx, ram_pages) == 16);
};

/// `struct pfd_scratch`, private to the shim.
#[repr(C)]
struct RawScratch {
    _private: [u8; 0],
}

/// `PFD_P2M_IDENTITY`: the p2m maps the pfn to the same machine frame.
const P2M_IDENTITY: c_int = 0;
/// `PFD_P2M_INVALID`: `INVALID_P2M_ENTRY`.
const P2M_INVALID: c_int = 1;
/// `PFD_TRIAL_MAPPED`: Xen mapped the frame as asked.
const TRIAL_MAPPED: i32 = 0;
/// `PFD_TRIAL_READ_ONLY`: Xen mapped the frame without `_PAGE_RW`.
const TRIAL_READ_ONLY: i32 = 1;

unsafe extern "C" {
    fn pfd_xen_context(pdev: *mut c_void, out: *mut RawCtx) -> c_int;
    fn pfd_backend_bdf_of(pdev: *mut c_void, out: *mut u8, len: u32) -> c_int;
    fn pfd_p2m_lookup(pfn: u64, raw: *mut u64) -> c_int;
    fn pfd_ram_overlap(start: u64, end: u64) -> c_int;
    fn pfd_scratch_new(slots: u32, out: *mut *mut RawScratch) -> c_int;
    fn pfd_trial_batch(s: *mut RawScratch, pfns: *const u64, answers: *mut i32, n: u32) -> c_int;
    fn pfd_scratch_restore(s: *mut RawScratch) -> c_int;
    fn pfd_scratch_free(s: *mut RawScratch);
    fn pfd_cond_resched();
}

/// Where the device sits, as the shim sees it.
pub(crate) struct XenContext {
    pub(crate) ctx: crate::diag::facts::Context,
    pub(crate) pci_domain: u16,
}

/// Queries the Xen context of `pdev`.
pub(crate) fn context(pdev: *mut kernel::bindings::pci_dev) -> XenContext {
    let mut raw = RawCtx::default();
    // SAFETY: `pdev` is the bound device, alive for the whole probe; `raw` is a valid,
    // exclusively borrowed `struct pfd_xen_ctx`.
    unsafe { pfd_xen_context(pdev.cast(), &mut raw) };
    XenContext {
        ctx: crate::diag::facts::Context {
            xen_pv: raw.xen_pv != 0,
            initial_domain: raw.initial_domain != 0,
            pcifront: raw.pcifront != 0,
            backend_domid: u16::try_from(raw.backend_domid).ok(),
            ram_pages: raw.ram_pages,
            phys_bits: raw.phys_bits,
        },
        pci_domain: raw.pci_domain as u16,
    }
}

/// dom0's name for `pdev` (pciback's `dev-N` in xenstore), if pcifront knows it: one
/// xenstore read in the usual case, a round trip to dom0.
pub(crate) fn backend_bdf(pdev: *mut kernel::bindings::pci_dev) -> Option<Bdf> {
    let mut name = [0u8; 16];
    // CAST: the buffer's 16 bytes fit `u32`.
    let len = name.len() as u32;
    // SAFETY: `pdev` is the bound device, alive for the whole probe; `name` is a valid,
    // exclusively borrowed buffer of `len` bytes, which the shim NUL-terminates.
    unsafe { pfd_backend_bdf_of(pdev.cast(), name.as_mut_ptr(), len) };
    let n = name.iter().position(|&c| c == 0).unwrap_or(name.len());
    core::str::from_utf8(&name[..n]).ok().and_then(Bdf::parse)
}

/// p2m lookups between two chances for the scheduler to run something else.
const P2M_LOOKUPS_PER_RESCHED: u64 = 4096;

/// Looks up the p2m entries of the BAR of `frames` frames from `first_pfn`: every frame, or
/// for a BAR beyond `max_frames` the same sample Xen's trials take ([`trial::Plan`]), so a
/// BAR of any size (the device chooses it) costs at most `max_frames` lookups.
pub(crate) fn p2m(first_pfn: u64, frames: u64, max_frames: u64) -> P2m {
    let plan = trial::Plan::new(frames, max_frames);
    let mut p = P2m {
        frames: plan.len(),
        ..P2m::default()
    };
    for k in 0..plan.len() {
        if k % P2M_LOOKUPS_PER_RESCHED == P2M_LOOKUPS_PER_RESCHED - 1 {
            // SAFETY: process context (the probe), no lock held that a sleep would break.
            unsafe { pfd_cond_resched() };
        }
        let pfn = first_pfn + plan.index(k);
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

/// Most frames asked per multicall, and the number of scratch slots the module keeps. 1,024
/// slots cost one page of RAM, two page tables and 64 KiB of multicall entries, and keep
/// every budget of the bench: a 256 MiB BAR (65,536 frames) in 64 batches.
pub(crate) const BATCH_SLOTS: usize = 1024;

kernel::sync::global_lock! {
    // SAFETY: Initialized by `KeptScratch::new`, in the module initializer, before the driver
    // is registered.
    unsafe(uninit) static KEPT: Mutex<Option<Scratch>> = None;
}

/// The module's scratch slots, kept from the first probe that asks Xen until this guard drops
/// (after the driver is unregistered). Mapping the slots (vmap) and unmapping them are PTE
/// updates Xen checks one by one, as costly as a small BAR's trials, so they are set up once
/// (docs/bench.md). Probes take turns.
pub(crate) struct KeptScratch;

impl KeptScratch {
    /// Sets up the (empty) keeper.
    ///
    /// # Safety
    ///
    /// Called once, before any probe.
    pub(crate) unsafe fn new() -> Self {
        // SAFETY: The caller calls this once, before anything uses `KEPT`.
        unsafe { KEPT.init() };
        Self
    }

    /// The kept slots, for one probe at a time: set up on first use, `Err` (the shim's error)
    /// if they cannot be. `done` restores them.
    pub(crate) fn lock() -> ScratchTurn {
        ScratchTurn(KEPT.lock())
    }
}

impl Drop for KeptScratch {
    fn drop(&mut self) {
        // Restores (if still needed) and frees the slots.
        *KEPT.lock() = None;
    }
}

/// One probe's turn with the kept slots.
pub(crate) struct ScratchTurn(kernel::sync::GlobalGuard<KEPT>);

impl ScratchTurn {
    /// The slots, set up on first use.
    pub(crate) fn get(&mut self) -> Result<&mut Scratch, i32> {
        if self.0.is_none() {
            *self.0 = Some(Scratch::new(BATCH_SLOTS)?);
        }
        self.0.as_mut().ok_or(ENOMEM.to_errno())
    }

    /// Restores the slots this turn used, and says what the turn spent. Slots that could not
    /// be restored are dropped (the shim leaks them on purpose) and the next probe sets up new
    /// ones.
    pub(crate) fn done(mut self) -> TurnEnd {
        let Some(s) = self.0.as_mut() else {
            return TurnEnd {
                restored: Ok(()),
                hypercalls: 0,
                entries: 0,
            };
        };
        let end = TurnEnd {
            restored: s.restore(),
            hypercalls: s.hypercalls,
            entries: s.entries,
        };
        (s.hypercalls, s.entries) = (0, 0);
        if end.restored.is_err() {
            *self.0 = None;
        }
        end
    }
}

/// How a turn with the scratch slots ended.
pub(crate) struct TurnEnd {
    /// The restore of the slots: `Err` with Xen's code if it refused one.
    pub(crate) restored: Result<(), i32>,
    /// Hypercalls the turn spent, the restore included.
    pub(crate) hypercalls: u32,
    /// Multicall entries (trial mappings and restores) the turn spent.
    pub(crate) entries: u64,
}

/// Scratch slots whose PTEs are lent to Xen for trial mappings, a batch at a time
/// ([`trial::TrialMapper`]), with the buffers of one batch. Restored and freed on drop.
pub(crate) struct Scratch {
    raw: NonNull<RawScratch>,
    pfns: KVec<u64>,
    answers: KVec<i32>,
    /// Slots that may point at a BAR frame: what a restore has to undo.
    used: usize,
    /// Hypercalls spent through these slots since the last turn ended, restores included.
    hypercalls: u32,
    /// Multicall entries spent likewise.
    entries: u64,
}

// SAFETY: The shim's scratch state belongs to no thread or CPU; `KEPT`'s mutex gives one
// probe at a time access to it.
unsafe impl Send for Scratch {}

impl Scratch {
    /// Sets up `slots` slots (1 to [`BATCH_SLOTS`]); fails outside a PV guest or without
    /// memory.
    pub(crate) fn new(slots: usize) -> Result<Self, i32> {
        let slots = slots.clamp(1, BATCH_SLOTS);
        let mut pfns = KVec::with_capacity(slots, GFP_KERNEL).map_err(|_| ENOMEM.to_errno())?;
        let mut answers = KVec::with_capacity(slots, GFP_KERNEL).map_err(|_| ENOMEM.to_errno())?;
        pfns.resize(slots, 0, GFP_KERNEL)
            .map_err(|_| ENOMEM.to_errno())?;
        answers
            .resize(slots, 0, GFP_KERNEL)
            .map_err(|_| ENOMEM.to_errno())?;
        let mut raw = core::ptr::null_mut();
        // SAFETY: `raw` is a valid out pointer; the shim sets it only on success.
        let rc = unsafe { pfd_scratch_new(slots as u32, &mut raw) };
        let raw = NonNull::new(raw).ok_or(if rc != 0 { rc } else { ENOMEM.to_errno() })?;
        Ok(Self {
            raw,
            pfns,
            answers,
            used: 0,
            hypercalls: 0,
            entries: 0,
        })
    }

    /// Points every slot back at the scratch page. `Err` if Xen refused a restore: the slots
    /// are then leaked on purpose (never unmapped or freed), and the report says so.
    fn restore(&mut self) -> Result<(), i32> {
        let used = self.used;
        // SAFETY: `self.raw` came from `pfd_scratch_new` and is only used from here.
        let rc = unsafe { pfd_scratch_restore(self.raw.as_ptr()) };
        if used > 0 {
            self.hypercalls += 1;
            self.entries += used as u64;
        }
        self.used = 0;
        if rc == 0 {
            Ok(())
        } else {
            Err(rc)
        }
    }
}

impl trial::TrialMapper for Scratch {
    fn slots(&mut self) -> &mut [u64] {
        &mut self.pfns
    }

    fn ask(&mut self, n: usize) -> Result<u32, i32> {
        let n = n.min(self.pfns.len());
        // SAFETY: `self.raw` came from `pfd_scratch_new` with `pfns.len()` slots; `pfns` and
        // `answers` hold that many >= `n` elements and are not aliased during the call.
        let rc = unsafe {
            pfd_trial_batch(
                self.raw.as_ptr(),
                self.pfns.as_ptr(),
                self.answers.as_mut_ptr(),
                n as u32,
            )
        };
        self.hypercalls += 1;
        self.entries += n as u64;
        self.used = self.used.max(n);
        if rc == 0 {
            Ok(1)
        } else {
            Err(rc)
        }
    }

    fn answer(&self, k: usize) -> Trial {
        match self.answers[k] {
            TRIAL_MAPPED => Trial::Mapped,
            TRIAL_READ_ONLY => Trial::ReadOnly,
            rc => Trial::Refused(rc),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // A failed restore makes the shim keep the slots; the bookkeeping is freed either way.
        let _ = self.restore();
        // SAFETY: `self.raw` came from `pfd_scratch_new` and is not used after this.
        unsafe { pfd_scratch_free(self.raw.as_ptr()) };
    }
}

/// Mirrors `struct pfd_irq_info`.
#[repr(C)]
#[derive(Default)]
struct RawIrqInfo {
    msi_cap: u8,
    msix_cap: u8,
    _pad: [u8; 2],
}

/// Mirrors `struct pfd_dma_info`.
#[repr(C)]
#[derive(Default)]
struct RawDmaInfo {
    mask: u64,
    coherent_mask: u64,
    pool_bytes: u64,
    pool_used: u64,
    frames_checked: u64,
    frames_above: u64,
    max_mfn: u64,
    swiotlb_xen: u8,
    other_ops: u8,
    sampled: u8,
    _pad: [u8; 5],
}

/// Mirrors `struct pfd_dma_map_trial`.
#[repr(C)]
#[derive(Default)]
struct RawMapTrial {
    bus: u64,
    phys: u64,
    machine: u64,
    rc: i32,
    pages_tried: u32,
    in_pool: u8,
    above_mask: u8,
    _pad: [u8; 6],
}

// The layouts `xen_shim.c` asserts too.
const _: () = {
    assert!(core::mem::size_of::<RawMapTrial>() == 40);
    assert!(core::mem::offset_of!(RawMapTrial, in_pool) == 32);
    assert!(core::mem::size_of::<RawIrqInfo>() == 4);
    assert!(core::mem::size_of::<RawDmaInfo>() == 64);
    assert!(core::mem::offset_of!(RawDmaInfo, swiotlb_xen) == 56);
    assert!(core::mem::offset_of!(RawDmaInfo, sampled) == 58);
};

unsafe extern "C" {
    fn pfd_irq_info(pdev: *mut c_void, out: *mut RawIrqInfo) -> c_int;
    fn pfd_irq_from_gsi(gsi: u32) -> c_int;
    fn pfd_pirq_from_irq(irq: u32) -> c_int;
    fn pfd_nr_pirqs(hypercalls: *mut u32) -> c_int;
    fn pfd_pirq_bind_test(pirq: u32, hypercalls: *mut u32) -> c_int;
    fn pfd_dma_facts(pdev: *mut c_void, max_lookups: u64, out: *mut RawDmaInfo) -> c_int;
    fn pfd_disable_msix_backend(pdev: *mut c_void) -> c_int;
    fn pfd_dma_map_trial(pdev: *mut c_void, out: *mut RawMapTrial) -> c_int;
    fn pfd_virt_to_machine(vaddr: *const c_void) -> u64;
    fn pfd_virt_to_phys(vaddr: *const c_void) -> u64;
}

/// Sends pcifront's disable-MSI-X op for `pdev`, whose MSI-X vectors are already freed: Linux
/// 7.3's teardown sends the MSI op instead (`xen_shim.c`), leaving MSI-X on in dom0. `Err`
/// without pcifront's MSI ops.
pub(crate) fn disable_msix_backend(pdev: *mut kernel::bindings::pci_dev) -> Result<(), i32> {
    // SAFETY: `pdev` is the bound device, alive for the whole probe, with no MSI-X vectors
    // allocated in the guest: the op only changes dom0's state.
    match unsafe { pfd_disable_msix_backend(pdev.cast()) } {
        0 => Ok(()),
        rc => Err(rc),
    }
}

/// The MSI and MSI-X capability offsets the PCI core found at enumeration (0: none).
pub(crate) struct CapOffsets {
    pub(crate) msi: u8,
    pub(crate) msix: u8,
}

/// Where `pdev`'s MSI and MSI-X capabilities are.
pub(crate) fn cap_offsets(pdev: *mut kernel::bindings::pci_dev) -> CapOffsets {
    let mut raw = RawIrqInfo::default();
    // SAFETY: `pdev` is the bound device, alive for the whole probe; `raw` is a valid,
    // exclusively borrowed `struct pfd_irq_info`.
    unsafe { pfd_irq_info(pdev.cast(), &mut raw) };
    CapOffsets {
        msi: raw.msi_cap,
        msix: raw.msix_cap,
    }
}

/// The guest irq bound to pirq/GSI `gsi`, if any.
pub(crate) fn irq_from_gsi(gsi: u8) -> Option<u32> {
    // SAFETY: a lookup in the event channel code's tables.
    let irq = unsafe { pfd_irq_from_gsi(u32::from(gsi)) };
    u32::try_from(irq).ok().filter(|&irq| irq > 0)
}

/// The pirq behind guest irq `irq`, 0 if none.
pub(crate) fn pirq_from_irq(irq: u32) -> u32 {
    // SAFETY: a lookup in the event channel code's tables.
    let pirq = unsafe { pfd_pirq_from_irq(irq) };
    u32::try_from(pirq).unwrap_or(0)
}

/// This PV domU's pirq count, found with read-only `PHYSDEVOP_irq_status_query` hypercalls
/// (added to `hypercalls`); `None` outside a PV domU.
pub(crate) fn nr_pirqs(hypercalls: &mut u32) -> Option<u32> {
    // SAFETY: `hypercalls` is a valid out pointer; the queries only read Xen's state.
    let n = unsafe { pfd_nr_pirqs(hypercalls) };
    u32::try_from(n).ok()
}

/// Xen's answer to whether this PV domU may bind `pirq` to an event channel
/// (`EVTCHNOP_bind_pirq`, closed again at once if it succeeds; see `xen_shim.c`): 0, or
/// Xen's negative error (`-EPERM`: not permitted or not mapped; `-EEXIST`: bound already).
/// The hypercalls spent are added to `hypercalls`.
pub(crate) fn pirq_bind_test(pirq: u8, hypercalls: &mut u32) -> i32 {
    // SAFETY: `hypercalls` is a valid out pointer; the shim closes any port it bound, so
    // the guest's and Xen's state is as before.
    unsafe { pfd_pirq_bind_test(u32::from(pirq), hypercalls) }
}

/// p2m entries looked up at most for the DMA facts (larger guests are sampled): 64 MiB of
/// frames. Each is a memory read, but under the lab's emulation 65,536 took 0.1-0.6 s.
pub(crate) const DMA_MAX_LOOKUPS: u64 = 16384;

/// The DMA path of `pdev`.
pub(crate) fn dma_facts(pdev: *mut kernel::bindings::pci_dev) -> crate::diag::facts::DmaFacts {
    let mut raw = RawDmaInfo::default();
    // SAFETY: `pdev` is the bound device, alive for the whole probe; `raw` is a valid,
    // exclusively borrowed `struct pfd_dma_info`.
    unsafe { pfd_dma_facts(pdev.cast(), DMA_MAX_LOOKUPS, &mut raw) };
    crate::diag::facts::DmaFacts {
        gathered: true,
        swiotlb_xen: raw.swiotlb_xen != 0,
        other_ops: raw.other_ops != 0,
        mask: raw.mask,
        coherent_mask: raw.coherent_mask,
        pool_bytes: raw.pool_bytes,
        pool_used: (raw.pool_used != u64::MAX).then_some(raw.pool_used),
        frames_checked: raw.frames_checked,
        sampled: raw.sampled != 0,
        frames_above_mask: raw.frames_above,
        max_mfn: raw.max_mfn,
        trial: None,
        cost: Default::default(),
    }
}

/// The DMA trial's streaming mapping of one page for `pdev` (`xen_shim.c`): mapped and
/// unmapped again, never handed to the device.
pub(crate) fn dma_map_trial(
    pdev: *mut kernel::bindings::pci_dev,
) -> (TrialPage, Result<StreamingMap, i32>) {
    let mut raw = RawMapTrial::default();
    // SAFETY: `pdev` is the bound device, alive for the whole probe, with bus mastering off;
    // `raw` is a valid, exclusively borrowed `struct pfd_dma_map_trial`.
    unsafe { pfd_dma_map_trial(pdev.cast(), &mut raw) };
    let page = TrialPage {
        tried: raw.pages_tried,
        above_mask: raw.above_mask != 0,
    };
    let map = match raw.rc {
        0 => Ok(StreamingMap {
            bus: raw.bus,
            phys: raw.phys,
            machine: raw.machine,
            in_pool: raw.in_pool != 0,
        }),
        rc => Err(rc),
    };
    (page, map)
}

/// The pseudo-physical and machine addresses of the page at `vaddr`, a buffer the DMA API
/// allocated and that is still allocated.
pub(crate) fn buffer_addresses(vaddr: *const c_void) -> (u64, u64) {
    // SAFETY: `vaddr` is the start of a live coherent allocation (direct map or vmalloc): the
    // shim only looks its page up.
    unsafe { (pfd_virt_to_phys(vaddr), pfd_virt_to_machine(vaddr)) }
}
