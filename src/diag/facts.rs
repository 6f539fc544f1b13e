// SPDX-License-Identifier: GPL-2.0

//! The evidence the checks work on, gathered by the probe flow (`src/probe.rs`).
//!
//! Plain data: the kernel module fills it from config space, `struct resource`, the p2m and
//! Xen; the host tests fill it by hand.

use super::bar::{NUM_BARS, NUM_RESOURCES};

/// `IORESOURCE_IO`.
pub const IORESOURCE_IO: u64 = 0x0000_0100;
/// `IORESOURCE_MEM`.
pub const IORESOURCE_MEM: u64 = 0x0000_0200;
/// `IORESOURCE_PREFETCH`.
pub const IORESOURCE_PREFETCH: u64 = 0x0000_2000;
/// `IORESOURCE_MEM_64`.
pub const IORESOURCE_MEM_64: u64 = 0x0010_0000;
/// `IORESOURCE_DISABLED`.
pub const IORESOURCE_DISABLED: u64 = 0x1000_0000;
/// `IORESOURCE_UNSET`.
pub const IORESOURCE_UNSET: u64 = 0x2000_0000;

/// `PCI_COMMAND`: the command register's offset in config space.
pub const PCI_COMMAND: u16 = 0x04;
/// `PCI_CLASS_REVISION`: the class/revision dword's offset.
pub const PCI_CLASS_REVISION: u16 = 0x08;

/// `PCI_COMMAND_IO`.
pub const PCI_COMMAND_IO: u16 = 0x1;
/// `PCI_COMMAND_MEMORY`.
pub const PCI_COMMAND_MEMORY: u16 = 0x2;

/// Xen/Linux page size: permissions and PTEs are per 4 KiB frame.
pub const PAGE_SIZE: u64 = 4096;
/// log2 of [`PAGE_SIZE`].
pub const PAGE_SHIFT: u32 = 12;

/// The domU's `struct resource` for one BAR, as the PCI core derived it through pcifront.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resource {
    /// `start`.
    pub start: u64,
    /// `end` (inclusive); `end < start` or both 0 means no resource.
    pub end: u64,
    /// `flags` (`IORESOURCE_*`).
    pub flags: u64,
    /// `parent != NULL`: claimed in the resource tree.
    pub claimed: bool,
}

impl Resource {
    /// Length as `pci_resource_len()` computes it (0 if none).
    pub fn len(&self) -> u64 {
        if self.start == 0 && self.end == 0 || self.end < self.start {
            0
        } else {
            // `resource_size()` wraps to 0 for [0, u64::MAX] instead of overflowing.
            (self.end - self.start).wrapping_add(1)
        }
    }

    /// The 4 KiB frames the resource touches: (first pfn, count); (start's pfn, 0) if it has no
    /// bytes. The one place frames are counted: the Xen test, the checks and the fixes use it.
    pub fn frames(&self) -> (u64, u64) {
        let first = self.start >> PAGE_SHIFT;
        match self.len() {
            0 => (first, 0),
            // `start + len` overflows for a resource ending at the top of the address space.
            len => (first, ((self.start + (len - 1)) >> PAGE_SHIFT) - first + 1),
        }
    }

    /// No bytes: no resource, or one the PCI core could not size.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where the module runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Running as a Xen PV guest (`xen_pv_domain()`).
    pub xen_pv: bool,
    /// Running in the initial domain (dom0): BARs are not behind pcifront there.
    pub initial_domain: bool,
    /// The device's host bridge is the pcifront xenbus device.
    pub pcifront: bool,
    /// Backend domain id read from xenbus (`otherend_id`), when behind pcifront.
    pub backend_domid: Option<u16>,
    /// Guest RAM in pages (`xen_start_info->nr_pages`), 0 when unknown.
    pub ram_pages: u64,
    /// CPU physical address width in bits.
    pub phys_bits: u8,
}

impl Context {
    /// Whether an address is above the CPU's physical address width (unknown width: no).
    pub fn beyond_phys_bits(&self, addr: u64) -> bool {
        (1..64).contains(&self.phys_bits) && addr >> self.phys_bits != 0
    }
}

/// Raw config-space values the checks need.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Vendor/device dword (offset 0).
    pub id: u32,
    /// Command register when the module was bound.
    pub command: u16,
    /// Command register after the read probe enabled the device, if it did.
    pub command_after_enable: Option<u16>,
    /// Class/revision dword ([`PCI_CLASS_REVISION`]); pciback does not cache it, so all-ones
    /// means gone.
    pub class_rev: u32,
    /// The BAR dwords.
    pub bars: [u32; NUM_BARS],
    /// Expansion ROM dword.
    pub rom: u32,
    /// Config reads that returned an error code.
    pub read_errors: u32,
    /// BAR registers whose read failed (bit i: BAR i, bit 6: the ROM): their values are
    /// not the device's.
    pub bars_failed: u8,
}

impl Config {
    /// The command register as the device last showed it: after the read probe's enable if
    /// that ran, else at bind.
    pub fn command_now(&self) -> u16 {
        self.command_after_enable.unwrap_or(self.command)
    }
}

/// The p2m state of a BAR's frames (Xen PV pseudo-physical to machine map).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct P2m {
    /// Frames looked up: every frame, or the same sample as Xen's trials for a BAR beyond the
    /// test limit.
    pub frames: u64,
    /// Frames whose p2m entry is not an identity entry for the same frame.
    pub non_identity: u64,
    /// Frames whose entry is `INVALID_P2M_ENTRY` (silently non-present PTE).
    pub invalid: u64,
    /// First non-identity frame: (pfn, raw p2m value).
    pub first: Option<(u64, u64)>,
}

/// Xen's answer to one trial mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trial {
    /// Mapped as asked.
    Mapped,
    /// Mapped, but Xen dropped `_PAGE_RW` (MSI-X table/PBA, `mmio_ro_ranges`).
    ReadOnly,
    /// Refused with this (negative) return code.
    Refused(i32),
}

/// Consecutive tested frames that got the same answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// First pfn of the run.
    pub first_pfn: u64,
    /// Frames in the run.
    pub frames: u64,
    /// Xen's answer for each of them.
    pub answer: Trial,
}

impl Run {
    /// Last pfn of the run.
    pub fn last_pfn(&self) -> u64 {
        self.first_pfn + (self.frames - 1)
    }
}

/// Runs kept per kind of answer; the report names these and counts the rest. Three of each
/// kind keep the longest log line within a printk record (`longest_line_fits_a_printk_record`).
pub const RUNS_KEPT: usize = 3;

/// The runs of one kind of answer (granted, refused or read-only) over a BAR's tested frames:
/// the first [`RUNS_KEPT`] in pfn order, and totals over all of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Runs {
    /// The first runs, in pfn order.
    pub kept: [Option<Run>; RUNS_KEPT],
    /// Runs in all, kept or not.
    pub count: u64,
    /// Frames in all runs.
    pub frames: u64,
}

impl Runs {
    /// Adds the next run (in pfn order).
    pub fn push(&mut self, run: Run) {
        if let Some(slot) = self.kept.iter_mut().find(|r| r.is_none()) {
            *slot = Some(run);
        }
        self.count += 1;
        self.frames += run.frames;
    }

    /// The kept runs.
    pub fn iter(&self) -> impl Iterator<Item = &Run> + '_ {
        self.kept.iter().flatten()
    }

    /// How many runs are kept (at most [`RUNS_KEPT`]).
    pub fn kept_count(&self) -> u64 {
        // CAST: at most RUNS_KEPT (3).
        #[allow(clippy::cast_possible_truncation)]
        let kept = self.iter().count() as u64;
        kept
    }

    /// Every run is kept: none was only counted.
    pub fn all_kept(&self) -> bool {
        self.kept_count() == self.count
    }

    /// The first run, if any.
    pub fn first(&self) -> Option<&Run> {
        self.kept[0].as_ref()
    }
}

/// Xen's verdict on a BAR's frames: which were asked, and the answers as runs of pfns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// First pfn of the BAR.
    pub first_pfn: u64,
    /// Frames in the BAR.
    pub frames: u64,
    /// Frames asked about. Equal to `frames` unless the BAR was sampled.
    pub tested: u64,
    /// Distance between the frames asked: 1 when every frame was, more when the BAR exceeded
    /// the test limit and was sampled (see `trial::Plan`).
    pub stride: u64,
    /// Tested frames Xen mapped as asked.
    pub granted: Runs,
    /// Tested frames Xen refused (a run per return code).
    pub refused: Runs,
    /// Tested frames Xen mapped without `_PAGE_RW`.
    pub read_only: Runs,
    /// Hypercalls spent on this BAR's trial mappings.
    pub hypercalls: u32,
    /// Trial mappings (multicall entries) spent on this BAR.
    pub entries: u64,
    /// A batch failed as a whole with this code: frames after `tested` were not asked.
    pub aborted: Option<i32>,
}

impl Verdict {
    /// Only a sample of the frames was asked.
    pub fn sampled(&self) -> bool {
        self.stride > 1
    }

    /// Every frame of the BAR was asked and answered.
    pub fn complete(&self) -> bool {
        self.tested == self.frames && self.aborted.is_none()
    }

    /// Xen mapped the BAR's first frame (read-write or read-only): the one a read probe reads.
    /// Frame 0 is the first one every plan tests, so its run is always kept.
    pub fn maps_first_frame(&self) -> bool {
        let starts_bar = |r: &Run| r.first_pfn == self.first_pfn;
        self.granted.first().is_some_and(starts_bar)
            || self.read_only.first().is_some_and(starts_bar)
    }
}

/// Everything known about one BAR (index 0-5, or 6 for the ROM).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BarFacts {
    /// The domU's resource.
    pub res: Resource,
    /// Resource intersects guest System RAM (`region_intersects`) or e820 RAM.
    pub ram_overlap: bool,
    /// p2m state of the frames, if looked up.
    pub p2m: Option<P2m>,
    /// Xen's verdict, if tested.
    pub verdict: Option<Verdict>,
    /// Why the Xen test was skipped, if it was.
    pub skipped: Option<Skip>,
    /// Dword 0 read through the driver path (opt-in `read_probe`): the first page of a memory
    /// BAR mapped, or the first port of an I/O BAR.
    pub read_probe: Option<u32>,
}

/// Why a BAR's frames were not tested with Xen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// Not a Xen PV guest.
    NotPv,
    /// An I/O-port BAR: Xen emulates port I/O, there is nothing to map.
    IoPorts,
    /// The frames are not identity-mapped in the p2m; mapping would hit other memory.
    P2m,
    /// No usable resource.
    NoResource,
    /// Scratch page setup failed (out of memory, or not a 4 KiB PTE).
    Scratch(i32),
    /// The BAR ends above the CPU's physical address width: its frames do not fit a PTE.
    BeyondPhysBits,
}

/// All facts about one device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceFacts {
    /// Where we run.
    pub ctx: Context,
    /// Raw config values.
    pub cfg: Config,
    /// Per-BAR facts, index 6 is the ROM.
    pub bars: [BarFacts; NUM_RESOURCES],
    /// Xen refused to restore a scratch PTE after the trials, with this code.
    pub restore_failed: Option<i32>,
    /// The interrupt path: INTx, MSI and MSI-X, and the trial enable if it ran.
    pub irq: IrqFacts,
    /// The DMA path: swiotlb-xen, its bounce pool and where guest memory is.
    pub dma: DmaFacts,
}

/// `PCI_INTERRUPT_PIN`'s offset in config space.
pub const PCI_INTERRUPT_PIN: u16 = 0x3d;
/// `PCI_CAP_ID_MSI`.
pub const PCI_CAP_ID_MSI: u8 = 0x05;
/// `PCI_CAP_ID_MSIX`.
pub const PCI_CAP_ID_MSIX: u8 = 0x11;
/// Most vectors pcifront passes in one MSI-X enable (`SH_INFO_MAX_VEC` in `pciif.h`).
pub const SH_INFO_MAX_VEC: u16 = 128;

/// The legacy interrupt (INTx) as the guest knows it without installing a handler.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Intx {
    /// `PCI_INTERRUPT_PIN`: 0 none, 1-4 INTA-INTD (the PCI core's copy from enumeration).
    pub pin: u8,
    /// `PCI_INTERRUPT_LINE` as pciback shows it to a PV domU: the pirq Xen knows the device's
    /// GSI by in this domain (`xen_pcifront_enable_irq()` binds exactly that pirq).
    pub line: u8,
    /// The guest irq bound to that pirq (`xen_irq_from_gsi()`), once a driver enabled the
    /// device; `None` while nothing bound it.
    pub guest_irq: Option<u32>,
    /// Xen's answer to `EVTCHNOP_bind_pirq` for that pirq (bound and closed again at once):
    /// 0 or `-EEXIST` (this guest has it bound) when the domain may bind it, `-EPERM` when
    /// the pirq is not mapped or its IRQ is not in the domain's `Interrupts` rangeset.
    /// `None` if not asked (no pin, not a PV domU).
    pub bind_rc: Option<i32>,
}

impl Intx {
    /// `A`-`D` for pins 1-4, `-` for none or a value no device may hold.
    pub fn pin_name(&self) -> char {
        match self.pin {
            1 => 'A',
            2 => 'B',
            3 => 'C',
            4 => 'D',
            _ => '-',
        }
    }
}

/// The MSI capability as config space holds it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsiCap {
    /// Offset of the capability in config space.
    pub offset: u8,
    /// Vectors the device can use (Multiple Message Capable: 1-32).
    pub vectors: u8,
    /// 64-bit message address.
    pub is64: bool,
    /// MSI Enable already set (by dom0, or a driver before us).
    pub enabled: bool,
}

impl MsiCap {
    /// Decodes the Message Control word (the capability's first dword, bits 16-31).
    pub fn from_dword(offset: u8, dword: u32) -> MsiCap {
        let control = dword >> 16;
        // Multiple Message Capable: log2 of the vectors, 0-5 (6 and 7 are reserved).
        let log2 = ((control >> 1) & 7).min(5);
        MsiCap {
            offset,
            vectors: 1 << log2,
            is64: control & 0x80 != 0,
            enabled: control & 1 != 0,
        }
    }
}

/// The MSI-X capability as config space holds it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsixCap {
    /// Offset of the capability in config space.
    pub offset: u8,
    /// Table size: the vectors the device offers (1-2048).
    pub vectors: u16,
    /// The BAR holding the table (BIR).
    pub table_bar: u8,
    /// The table's offset in that BAR.
    pub table_offset: u32,
    /// MSI-X Enable already set.
    pub enabled: bool,
    /// The Message Control word as read.
    pub control: u16,
}

impl MsixCap {
    /// Decodes the capability's first dword (Message Control in bits 16-31) and its table
    /// dword (BIR in bits 0-2, the offset above).
    pub fn from_dwords(offset: u8, dword: u32, table: u32) -> MsixCap {
        let control = dword >> 16;
        // CAST: the table size field is 11 bits.
        let vectors = (control & 0x7ff) as u16 + 1;
        MsixCap {
            offset,
            vectors,
            // CAST: 3 bits.
            table_bar: (table & 7) as u8,
            table_offset: table & !7,
            enabled: control & 0x8000 != 0,
            // CAST: the dword's upper half.
            control: control as u16,
        }
    }

    /// The table's first and last byte in the BAR (16 bytes per vector).
    pub fn table_span(&self) -> (u64, u64) {
        let start = u64::from(self.table_offset);
        (start, start + u64::from(self.vectors) * 16 - 1)
    }
}

/// The kind of message-signalled interrupt a trial enabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsiType {
    /// MSI.
    Msi,
    /// MSI-X.
    MsiX,
}

impl MsiType {
    /// `MSI` or `MSI-X`.
    pub fn name(self) -> &'static str {
        match self {
            MsiType::Msi => "MSI",
            MsiType::MsiX => "MSI-X",
        }
    }
}

/// Vectors an enable got, and how the first and last reached this guest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Granted {
    /// Vectors allocated.
    pub vectors: u32,
    /// Guest irq of the first vector.
    pub first_irq: u32,
    /// The pirq Xen mapped for the first vector (`xen_pirq_from_irq()`), 0 if unknown.
    pub first_pirq: u32,
    /// The pirq of the last vector, 0 if unknown.
    pub last_pirq: u32,
}

/// One trial enable through pcifront, as a driver's `pci_alloc_irq_vectors()` does it, freed
/// again at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsiTrial {
    /// MSI or MSI-X.
    pub kind: MsiType,
    /// Vectors asked for: every vector the capability offers.
    pub asked: u32,
    /// Vectors granted, or the (negative) errno `pci_alloc_irq_vectors()` returned.
    pub outcome: Result<Granted, i32>,
}

/// MSI-X left enabled in dom0 after the guest freed its vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeftOn {
    /// The MSI-X Message Control word read after the vectors were freed.
    pub control: u16,
    /// The module's explicit disable-MSI-X op through pcifront cleared MSI-X Enable.
    pub cleared: bool,
    /// Found so when the module was bound (left by an earlier driver), not after its trial.
    pub at_bind: bool,
}

/// Why the MSI-X trial did not run although the device has the capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsixSkip {
    /// The table's BAR has no usable resource, or Xen was not asked about its frames.
    TableUnchecked,
    /// Xen does not map every frame of the table's BAR: the guest's `ioremap()` of the table
    /// would give PTEs Xen refuses.
    TableNotGranted,
}

/// Everything known about the device's interrupts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IrqFacts {
    /// Gathered at all (false outside the probe's interrupt step).
    pub gathered: bool,
    /// The legacy interrupt.
    pub intx: Intx,
    /// The MSI capability, if the device has one.
    pub msi: Option<MsiCap>,
    /// The MSI-X capability, if the device has one.
    pub msix: Option<MsixCap>,
    /// This domain's number of pirqs (Xen's `nr_pirqs`: the GSIs plus `extra_guest_irqs`),
    /// found with `PHYSDEVOP_irq_status_query`, which fails for a pirq at or above it. `None`
    /// outside a PV domU.
    pub nr_pirqs: Option<u32>,
    /// The MSI-X trial, if it ran.
    pub msix_trial: Option<MsiTrial>,
    /// Why it did not, if the device has MSI-X and the trial was asked for.
    pub msix_skipped: Option<MsixSkip>,
    /// The MSI trial, if it ran.
    pub msi_trial: Option<MsiTrial>,
    /// MSI-X was on in dom0 when the module was bound, with no driver in this guest holding
    /// the device: an earlier driver's teardown left it (cleared before the trial, if one ran).
    pub msix_on_at_bind: Option<LeftOn>,
    /// After the MSI-X trial freed its vectors, MSI-X was still enabled on the device in dom0
    /// (the MSI-X control word read through pcifront); whether the module's own disable-MSI-X
    /// op then cleared it.
    pub msix_left_on: Option<LeftOn>,
    /// Enabling the device for the trials failed with this errno.
    pub enable_failed: Option<i32>,
    /// What gathering all this cost.
    pub cost: StepCost,
}

/// What one step of the probe spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepCost {
    /// Config-space reads (each a round trip to pciback in a PV domU).
    pub config_reads: u32,
    /// Hypercalls.
    pub hypercalls: u32,
    /// pcifront operations besides config reads (MSI/MSI-X enables and disables).
    pub pcifront_ops: u32,
    /// Time spent, in nanoseconds.
    pub ns: u64,
}

impl IrqFacts {
    /// The most pirqs MSI and MSI-X can get in this domain: Xen hands them out from the pirqs
    /// above the GSIs, and the GSIs reach at least to 16 and past the device's own line.
    pub fn msi_pirqs_at_most(&self) -> Option<u32> {
        let gsis = if self.intx.pin != 0 {
            (u32::from(self.intx.line) + 1).max(16)
        } else {
            16
        };
        Some(self.nr_pirqs?.saturating_sub(gsis))
    }
}

/// The DMA path of the device as the guest sets it up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DmaFacts {
    /// Gathered at all.
    pub gathered: bool,
    /// The device's DMA goes through swiotlb-xen (its `dma_map_ops` are
    /// `xen_swiotlb_dma_ops`).
    pub swiotlb_xen: bool,
    /// The device has `dma_map_ops` of some other kind (not direct mapping).
    pub other_ops: bool,
    /// The streaming DMA mask (`dma_get_mask()`).
    pub mask: u64,
    /// The coherent DMA mask.
    pub coherent_mask: u64,
    /// The bounce pool's size in bytes (`io_tlb_mem.nslabs` slabs of 2 KiB), 0 if none.
    pub pool_bytes: u64,
    /// Bytes of the pool in use (the sum of its areas' counts, as the kernel's own 'swiotlb
    /// buffer is full' line has it), if known.
    pub pool_used: Option<u64>,
    /// Guest RAM frames looked up in the p2m (all, or a sample of a large guest).
    pub frames_checked: u64,
    /// The p2m was sampled: `frames_checked` are a sample of the guest's RAM.
    pub sampled: bool,
    /// Of those, frames whose machine address lies above the streaming mask.
    pub frames_above_mask: u64,
    /// Highest machine frame found.
    pub max_mfn: u64,
    /// The opt-in trial (`dma_trial=1`), if it ran.
    pub trial: Option<DmaTrial>,
    /// What gathering all this cost.
    pub cost: StepCost,
}

/// A coherent allocation of one page with the device's coherent mask
/// (`dma_alloc_coherent()`), freed again at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CoherentBuf {
    /// The bus address the DMA API returned.
    pub bus: u64,
    /// The buffer's pseudo-physical address.
    pub phys: u64,
    /// The buffer's machine address (from the p2m, after any exchange with Xen).
    pub machine: u64,
}

/// A streaming mapping of one page toward the device (`dma_map_page()`, `DMA_TO_DEVICE`),
/// unmapped again at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamingMap {
    /// The bus address the DMA API returned.
    pub bus: u64,
    /// The page's pseudo-physical address.
    pub phys: u64,
    /// The page's machine address (from the p2m).
    pub machine: u64,
    /// The bus address lies in the bounce pool (translated back through the p2m).
    pub in_pool: bool,
}

/// The page the streaming trial mapped: the first of the pages tried whose machine frame lies
/// above the streaming mask (the mapping a driver's buffer there needs), else the first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrialPage {
    /// Pages allocated to find it.
    pub tried: u32,
    /// Its machine frame lies above the streaming mask.
    pub above_mask: bool,
}

/// The opt-in DMA trial: one coherent allocation and one streaming mapping, as a driver makes
/// them, never handed to the device (bus mastering stays off).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DmaTrial {
    /// The coherent allocation, or the (negative) errno: `-ENOMEM` for NULL.
    pub coherent: Result<CoherentBuf, i32>,
    /// The page the streaming mapping was asked for.
    pub page: TrialPage,
    /// The streaming mapping, or the (negative) errno: `dma_mapping_error()`'s, or `-ENOMEM`
    /// when no page could be allocated.
    pub streaming: Result<StreamingMap, i32>,
}
