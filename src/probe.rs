// SPDX-License-Identifier: GPL-2.0

//! The probe flow: gather facts about the bound device, run the pure checks, log one line per
//! finding and publish the JSON report in debugfs.
//!
//! Order matters and is the point of the module: config space and resources first (reads
//! only, never a BAR write), then the p2m and Xen's verdict per frame through a scratch PTE
//! (no lazy-MMU multicall, so no WARN), and only for BARs that passed all that, the opt-in read
//! through `kernel::pci` (`read_probe=1`).

use core::fmt;

use kernel::{bindings, debugfs, device, device::Core, dma, pci, prelude::*, time};

use crate::diag::{
    bar::{NUM_RESOURCES, PCI_BASE_ADDRESS_0, PCI_ROM_ADDRESS, ROM_INDEX},
    checks::{self, Findings, Severity},
    facts::{
        BarFacts, CoherentBuf, Config, Context, DeviceFacts, DmaTrial, Granted, IrqFacts, LeftOn,
        MsiCap, MsiTrial, MsiType, MsixCap, MsixSkip, Resource, Skip, IORESOURCE_IO,
        IORESOURCE_MEM, PAGE_SIZE, PCI_CLASS_REVISION, PCI_COMMAND, PCI_INTERRUPT_PIN,
    },
    paths,
    report::{self, Bdf, Meta, Phases},
    trial,
};
use crate::pci_ext::DeviceExt;
use crate::xen;

// `src/diag` is built on the host too, so it carries its own copies of these C constants; the
// kernel build checks them against the kernel's.
const _: () = {
    use crate::diag::facts as f;
    assert!(f::IORESOURCE_IO == bindings::IORESOURCE_IO as u64);
    assert!(f::IORESOURCE_MEM == bindings::IORESOURCE_MEM as u64);
    assert!(f::IORESOURCE_PREFETCH == bindings::IORESOURCE_PREFETCH as u64);
    assert!(f::IORESOURCE_MEM_64 == bindings::IORESOURCE_MEM_64 as u64);
    assert!(f::IORESOURCE_DISABLED == bindings::IORESOURCE_DISABLED as u64);
    assert!(f::IORESOURCE_UNSET == bindings::IORESOURCE_UNSET as u64);
    assert!(f::PCI_COMMAND as u32 == bindings::PCI_COMMAND);
    assert!(f::PCI_CLASS_REVISION as u32 == bindings::PCI_CLASS_REVISION);
    assert!(f::PCI_COMMAND_IO as u32 == bindings::PCI_COMMAND_IO);
    assert!(f::PCI_COMMAND_MEMORY as u32 == bindings::PCI_COMMAND_MEMORY);
    assert!(f::PAGE_SIZE == bindings::PAGE_SIZE as u64);
    assert!(f::PCI_INTERRUPT_PIN as u32 == bindings::PCI_INTERRUPT_PIN);
    assert!(f::PCI_CAP_ID_MSI as u32 == bindings::PCI_CAP_ID_MSI);
    assert!(f::PCI_CAP_ID_MSIX as u32 == bindings::PCI_CAP_ID_MSIX);
    use crate::diag::checks as c;
    assert!(c::EPERM == -(bindings::EPERM as i32));
    assert!(c::ENOMEM == -(bindings::ENOMEM as i32));
    assert!(c::EFAULT == -(bindings::EFAULT as i32));
    assert!(c::EBUSY == -(bindings::EBUSY as i32));
    assert!(c::ENODEV == -(bindings::ENODEV as i32));
    assert!(c::EINVAL == -(bindings::EINVAL as i32));
};

/// What one probe found: the facts, the findings and how they were measured.
pub(crate) struct Report {
    facts: DeviceFacts,
    findings: Findings,
    meta: Meta,
}

/// The debugfs `report` file's contents: the report as one line of JSON.
///
/// `Writer` is implemented here rather than derived through `Debug`, whose output is not
/// stable between Rust versions; the file is read by the dom0 tool and the lab.
struct ReportFile(KBox<Report>);

impl debugfs::Writer for ReportFile {
    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rep = &self.0;
        report::write_json(f, &rep.facts, &rep.findings, &rep.meta)
    }
}

/// Per-device state: the debugfs directory and its report file, removed on unbind.
pub(crate) struct Diagnosis {
    _report: Pin<KBox<debugfs::File<ReportFile>>>,
    _dir: debugfs::Dir,
}

/// Config-space reads, counted, with failed reads counted apart and read as all-ones.
struct ConfigReader<'a, 'bound> {
    pdev: &'a pci::Device<Core<'bound>>,
    reads: u32,
    errors: u32,
}

impl ConfigReader<'_, '_> {
    fn dword(&mut self, offset: u16) -> u32 {
        self.reads += 1;
        self.pdev.read_config_dword(offset).unwrap_or_else(|_| {
            self.errors += 1;
            u32::MAX
        })
    }

    /// The command register: the low half of its dword (all-ones if the read failed).
    fn command(&mut self) -> u16 {
        // CAST: the register is the dword's low 16 bits.
        (self.dword(PCI_COMMAND) & 0xffff) as u16
    }
}

/// A finding's log line, formatted by `dev_*!` itself: no buffer of its own.
struct LogLine<'a> {
    finding: &'a checks::Finding,
    rep: &'a Report,
}

impl kernel::fmt::Display for LogLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        report::write_line(f, self.finding, &self.rep.facts, &self.rep.meta)
    }
}

/// The summary line.
struct SummaryLine<'a>(&'a Report);

impl kernel::fmt::Display for SummaryLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        report::write_summary(f, &self.0.findings, &self.0.meta)?;
        paths::write_cost(f, &self.0.facts)
    }
}

/// The guest's resources for BAR0-5 and the ROM.
fn resources(pdev: &pci::Device<Core<'_>>) -> [Resource; NUM_RESOURCES] {
    core::array::from_fn(|i| {
        pdev.resource(i)
            .map_or_else(Resource::default, |res| Resource {
                start: res.start,
                end: res.end,
                flags: res.flags,
                claimed: res.claimed,
            })
    })
}

/// Who probed: pid and command name (`kernel::task` has no accessor for the name).
fn task_meta(meta: &mut Meta) {
    let task = kernel::current!();
    meta.pid = task.pid();
    // SAFETY: `current` is a live task; `comm` is a fixed-size array that is always
    // NUL-terminated, and we copy at most its size.
    let comm = unsafe { (*task.as_ptr()).comm };
    for (d, s) in meta.comm.iter_mut().zip(comm.iter()) {
        *d = *s;
    }
}

/// A BAR's frames to ask Xen about.
#[derive(Clone, Copy)]
struct Frames {
    first_pfn: u64,
    count: u64,
}

/// Checks one memory BAR against guest RAM, the CPU's address width and the p2m. Returns its
/// frames if Xen is to be asked about them. Not inlined: the p2m walk's state stays off the
/// frame that holds the verdicts.
#[inline(never)]
fn xen_prechecks(bf: &mut BarFacts, ctx: &Context, max_frames: u64) -> Option<Frames> {
    let res = bf.res;
    if res.is_empty() || res.flags & IORESOURCE_MEM == 0 {
        bf.skipped = Some(Skip::NoResource);
        return None;
    }
    bf.ram_overlap = xen::ram_overlap(res.start, res.end);
    if !ctx.xen_pv || ctx.initial_domain {
        bf.skipped = Some(Skip::NotPv);
        return None;
    }
    if ctx.beyond_phys_bits(res.end) {
        // Such a frame number does not fit a PTE: it would set flag bits, never ask Xen.
        bf.skipped = Some(Skip::BeyondPhysBits);
        return None;
    }
    let (first_pfn, count) = res.frames();
    let p2m = xen::p2m(first_pfn, count, max_frames);
    bf.p2m = Some(p2m);
    if p2m.non_identity > 0 {
        // Mapping would not reach the device (or would map guest RAM): report, do not try.
        bf.skipped = Some(Skip::P2m);
        return None;
    }
    Some(Frames { first_pfn, count })
}

/// Asks Xen about one BAR's frames with the kept slots. Not inlined: the answers are tallied
/// on its own stack frame.
#[inline(never)]
fn ask_xen(bf: &mut BarFacts, frames: Frames, max_frames: u64, turn: &mut xen::ScratchTurn) {
    match turn.get() {
        Ok(s) => bf.verdict = Some(trial::scan(frames.first_pfn, frames.count, max_frames, s)),
        Err(rc) => bf.skipped = Some(Skip::Scratch(rc)),
    }
}

/// Asks Xen about every memory BAR (every frame, or a sample of a BAR of more than
/// `max_frames` frames) through the module's kept scratch slots, then restores them. The
/// prechecks run before the slots are locked, so other probes and rmmod wait only for the
/// trials. Not inlined: verdicts are built on its stack frame, not the probe's.
#[inline(never)]
fn xen_verdicts(facts: &mut DeviceFacts, max_frames: u64) -> xen::TurnEnd {
    let ctx = facts.ctx;
    let mut to_ask: [Option<Frames>; NUM_RESOURCES] = [None; NUM_RESOURCES];
    for (frames, bf) in to_ask.iter_mut().zip(facts.bars.iter_mut()) {
        *frames = xen_prechecks(bf, &ctx, max_frames);
    }
    let mut turn = xen::KeptScratch::lock();
    for (bf, frames) in facts.bars.iter_mut().zip(to_ask) {
        if let Some(frames) = frames {
            ask_xen(bf, frames, max_frames, &mut turn);
        }
    }
    let end = turn.done();
    facts.restore_failed = end.restored.err();
    end
}

/// Reads dword 0 of BAR `bar` the way a driver would (request, iomap, `ioread32`), but maps
/// only its first page (or the first ports of an I/O BAR).
fn read_first_dword(pdev: &pci::Device<Core<'_>>, bar: u8) -> Result<u32> {
    // CAST: `PAGE_SIZE` (4096) fits `usize`.
    let region = pdev.map_region_start(bar, PAGE_SIZE as usize)?;
    region.read32(0)
}

/// Enables the device for the read probe: memory decoding, and I/O too when an I/O BAR is to
/// be read.
fn enable(pdev: &pci::Device<Core<'_>>, io: bool) -> Result {
    if io {
        pdev.enable_device()
    } else {
        pdev.enable_device_mem()
    }
}

/// The opt-in read probe: dword 0 of every BAR [`checks::read_probe_safe`] allows, kept as a
/// fact (`BarFacts::read_probe`) for the checks, and the command register after the enable.
#[inline(never)]
fn read_probe(
    pdev: &pci::Device<Core<'_>>,
    facts: &mut DeviceFacts,
    cfg: &mut ConfigReader<'_, '_>,
) {
    let safe: [bool; NUM_RESOURCES] = core::array::from_fn(|i| checks::read_probe_safe(facts, i));
    if !safe.contains(&true) {
        return;
    }
    let io = facts
        .bars
        .iter()
        .zip(safe)
        .any(|(bf, safe)| safe && bf.res.flags & IORESOURCE_IO != 0);
    if let Err(e) = enable(pdev, io) {
        dev_warn!(pdev, "read probe: enabling the device failed: {:?}\n", e);
        return;
    }
    for (i, bf) in facts.bars.iter_mut().enumerate() {
        if !safe[i] {
            continue;
        }
        match read_first_dword(pdev, i as u8) {
            Ok(v) => bf.read_probe = Some(v),
            Err(e) => dev_warn!(pdev, "read probe BAR{}: {:?}\n", i, e),
        }
    }
    facts.cfg.command_after_enable = Some(cfg.command());
    // Enabled above; every mapping of the read probe is gone.
    pdev.disable_device();
}

/// Vectors one MSI or MSI-X trial enable got: how many, and the irq and pirq of the first and
/// the last. The registration drops (and the vectors are freed) when this returns.
fn granted(vectors: &pci::IrqVectorRegistration<'_>) -> Granted {
    let irq_of = |i: usize| {
        vectors
            .index(i)
            .map_or(0, |v| kernel::irq::IrqRequest::from(v).irq())
    };
    let last = vectors.len().saturating_sub(1);
    let (first_irq, last_irq) = (irq_of(0), irq_of(last));
    Granted {
        vectors: u32::try_from(vectors.len()).unwrap_or(u32::MAX),
        first_irq,
        first_pirq: xen::pirq_from_irq(first_irq),
        last_pirq: xen::pirq_from_irq(last_irq),
    }
}

/// One trial enable of `kind`, as a driver asks for interrupts: every vector the capability
/// offers, at least one; freed again at once (through pcifront's disable op).
fn msi_trial(pdev: &pci::Device<Core<'_>>, kind: MsiType, asked: u32) -> MsiTrial {
    let types = pci::IrqTypes::default().with(match kind {
        MsiType::Msi => pci::IrqType::Msi,
        MsiType::MsiX => pci::IrqType::MsiX,
    });
    let outcome = match pdev.alloc_irq_vectors(1, asked.max(1), types) {
        Ok(vectors) => Ok(granted(&vectors)),
        Err(e) => Err(e.to_errno()),
    };
    MsiTrial {
        kind,
        asked,
        outcome,
    }
}

/// Whether the guest may enable MSI-X: enabling maps the table, so Xen must map every frame
/// of the table's BAR (MSI-X tables are mapped read-only, which is fine).
fn msix_table_mapped(facts: &DeviceFacts, msix: &MsixCap) -> Result<(), MsixSkip> {
    let verdict = facts
        .bars
        .get(usize::from(msix.table_bar))
        .and_then(|bar| bar.verdict);
    match verdict {
        None => Err(MsixSkip::TableUnchecked),
        Some(v) if v.complete() && !v.sampled() && v.refused.count == 0 => Ok(()),
        Some(_) => Err(MsixSkip::TableNotGranted),
    }
}

/// MSI-X Enable in the capability's Message Control word.
const MSIX_ENABLE: u16 = 0x8000;

/// After the MSI-X trial freed its vectors: is MSI-X still on in dom0? Linux 7.3's teardown
/// sends pcifront the wrong op (`xen::disable_msix_backend`); if it is, the right op is sent
/// and the word read again, so the trial leaves the device as it found it.
fn msix_left_on(
    pdev: &pci::Device<Core<'_>>,
    cfg: &mut CountedReads<'_, '_>,
    cap: u8,
    at_bind: bool,
) -> Option<LeftOn> {
    let control_of = |dword: u32| (dword >> 16) as u16;
    let control = control_of(cfg.dword(u16::from(cap)).ok()?);
    if control & MSIX_ENABLE == 0 {
        return None;
    }
    let sent = xen::disable_msix_backend(pdev.raw()).is_ok();
    let after = cfg.dword(u16::from(cap)).map(control_of);
    Some(LeftOn {
        control,
        cleared: sent && after.is_ok_and(|c| c & MSIX_ENABLE == 0),
        at_bind,
    })
}

/// The opt-in MSI and MSI-X trials: the device's memory decoding on (pciback enables MSI-X
/// only then), MSI-X then MSI enabled and freed, the device disabled again. Bus mastering is
/// never set, so the device can send neither an interrupt nor DMA. Returns the pcifront
/// enable and disable operations spent.
#[inline(never)]
fn msi_trials(
    pdev: &pci::Device<Core<'_>>,
    facts: &mut DeviceFacts,
    cfg: &mut CountedReads<'_, '_>,
) -> u32 {
    let (msi, msix) = (facts.irq.msi, facts.irq.msix);
    if msi.is_none() && msix.is_none() {
        return 0;
    }
    let msix_ok = msix.map(|m| msix_table_mapped(facts, &m));
    if let Some(Err(why)) = msix_ok {
        facts.irq.msix_skipped = Some(why);
    }
    if let Err(e) = pdev.enable_device_mem() {
        facts.irq.enable_failed = Some(e.to_errno());
        return 0;
    }
    let mut ops = 0;
    if let Some(m) = msix.filter(|m| m.enabled) {
        // Left on by an earlier driver's teardown: both trials would fail on it.
        facts.irq.msix_on_at_bind = msix_left_on(pdev, cfg, m.offset, true);
        ops += u32::from(facts.irq.msix_on_at_bind.is_some());
    }
    if let (Some(m), Some(Ok(()))) = (msix, msix_ok) {
        let trial = msi_trial(pdev, MsiType::MsiX, u32::from(m.vectors));
        facts.irq.msix_trial = Some(trial);
        ops += 2;
        if trial.outcome.is_ok() {
            facts.irq.msix_left_on = msix_left_on(pdev, cfg, m.offset, false);
            ops += u32::from(facts.irq.msix_left_on.is_some());
        }
    }
    if let Some(m) = msi {
        facts.irq.msi_trial = Some(msi_trial(pdev, MsiType::Msi, u32::from(m.vectors)));
        ops += 2;
    }
    pdev.disable_device();
    ops
}

/// The MSI and MSI-X capabilities from config space (the PCI core knows where they are).
fn read_msi_caps(cfg: &mut CountedReads<'_, '_>, irq: &mut IrqFacts, caps: &xen::CapOffsets) {
    if caps.msi != 0 {
        if let Ok(dword) = cfg.dword(u16::from(caps.msi)) {
            irq.msi = Some(MsiCap::from_dword(caps.msi, dword));
        }
    }
    if caps.msix != 0 {
        let dword = cfg.dword(u16::from(caps.msix));
        let table = cfg.dword(u16::from(caps.msix) + 4);
        if let (Ok(dword), Ok(table)) = (dword, table) {
            irq.msix = Some(MsixCap::from_dwords(caps.msix, dword, table));
        }
    }
}

/// Config reads of the interrupt step, counted apart from the BAR checks' (whose count the
/// summary has always given); a failed read is an error, not all-ones.
struct CountedReads<'a, 'b> {
    pdev: &'a pci::Device<Core<'b>>,
    reads: u32,
}

impl CountedReads<'_, '_> {
    fn dword(&mut self, offset: u16) -> Result<u32> {
        self.reads += 1;
        self.pdev.read_config_dword(offset)
    }
}

/// The interrupt path: INTx from config space and the event channel code, the MSI and MSI-X
/// capabilities, this domain's pirq count, and (opt-in) the trial enables.
#[inline(never)]
fn interrupts(pdev: &pci::Device<Core<'_>>, facts: &mut DeviceFacts, trial: bool) {
    let t0 = time::Instant::<time::Monotonic>::now();
    let mut cfg = CountedReads { pdev, reads: 0 };
    let ctx = facts.ctx;
    let pv_domu = ctx.xen_pv && !ctx.initial_domain;
    let irq = &mut facts.irq;
    irq.gathered = true;
    // Line at 0x3c, pin at 0x3d: one dword.
    if let Ok(dword) = cfg.dword(PCI_INTERRUPT_PIN & !3) {
        let [line, pin, ..] = dword.to_le_bytes();
        irq.intx.line = line;
        irq.intx.pin = pin;
    }
    read_msi_caps(&mut cfg, irq, &xen::cap_offsets(pdev.raw()));
    let mut hypercalls = 0;
    if pv_domu {
        irq.nr_pirqs = xen::nr_pirqs(&mut hypercalls);
        if irq.intx.pin != 0 {
            irq.intx.guest_irq = xen::irq_from_gsi(irq.intx.line);
            irq.intx.bind_rc = Some(xen::pirq_bind_test(irq.intx.line, &mut hypercalls));
        }
    }
    let ops = if trial && pv_domu && ctx.pcifront {
        msi_trials(pdev, facts, &mut cfg)
    } else {
        if let Some(m) = facts.irq.msix.filter(|m| m.enabled && ctx.pcifront) {
            facts.irq.msix_on_at_bind = Some(LeftOn {
                control: m.control,
                cleared: false,
                at_bind: true,
            });
        }
        0
    };
    facts.irq.cost = crate::diag::facts::StepCost {
        config_reads: cfg.reads,
        hypercalls,
        pcifront_ops: ops,
        ns: nanos(t0.elapsed()),
    };
}

/// The DMA path: swiotlb-xen, its pool, the mask against where guest RAM is, and (opt-in) the
/// trial.
#[inline(never)]
fn dma(pdev: &pci::Device<Core<'_>>, facts: &mut DeviceFacts, trial: bool) {
    let t0 = time::Instant::<time::Monotonic>::now();
    facts.dma = xen::dma_facts(pdev.raw());
    if trial {
        facts.dma.trial = Some(dma_trial(pdev));
    }
    facts.dma.cost.ns = nanos(t0.elapsed());
}

/// One coherent page with the device's coherent mask, as a driver's `dma_alloc_coherent()`
/// gets it: its bus address and where it really is; freed when this returns.
fn coherent_trial(pdev: &pci::Device<Core<'_>>) -> Result<CoherentBuf, i32> {
    let dev: &device::Device<device::Bound> = pdev.as_ref();
    // CAST: `PAGE_SIZE` (4096) fits `usize`.
    let buf = dma::Coherent::<u8>::zeroed_slice(dev, PAGE_SIZE as usize, GFP_KERNEL)
        .map_err(|e| e.to_errno())?;
    let (phys, machine) = xen::buffer_addresses(buf.as_ptr().cast());
    Ok(CoherentBuf {
        bus: buf.dma_address(),
        phys,
        machine,
    })
}

/// The opt-in DMA trial: a coherent allocation and a streaming mapping, each undone at once.
/// The device is never enabled and bus mastering stays off: nothing can reach the buffers.
fn dma_trial(pdev: &pci::Device<Core<'_>>) -> DmaTrial {
    let coherent = coherent_trial(pdev);
    let (page, streaming) = xen::dma_map_trial(pdev.raw());
    DmaTrial {
        coherent,
        page,
        streaming,
    }
}

/// A zeroed report on the heap: the facts and findings are kilobytes, too much for the
/// probe's kernel stack to hold several copies of.
#[inline(never)]
fn new_report() -> Result<KBox<Report>> {
    Ok(KBox::new(
        Report {
            facts: DeviceFacts::default(),
            findings: Findings::default(),
            meta: Meta::default(),
        },
        GFP_KERNEL,
    )?)
}

/// Reads the config registers the checks need (9 dword reads; the IDs are the PCI core's
/// copies, class/revision is read live and shows whether the device still answers).
fn read_config(pdev: &pci::Device<Core<'_>>, cfg: &mut ConfigReader<'_, '_>, out: &mut Config) {
    out.id = u32::from(pdev.vendor_id().as_raw()) | u32::from(pdev.device_id()) << 16;
    out.command = cfg.command();
    out.class_rev = cfg.dword(PCI_CLASS_REVISION);
    for (i, b) in out.bars.iter_mut().enumerate() {
        let errors = cfg.errors;
        *b = cfg.dword(PCI_BASE_ADDRESS_0 + 4 * i as u16);
        out.bars_failed |= u8::from(cfg.errors > errors) << i;
    }
    let errors = cfg.errors;
    out.rom = cfg.dword(PCI_ROM_ADDRESS);
    out.bars_failed |= u8::from(cfg.errors > errors) << ROM_INDEX;
    out.read_errors = cfg.errors;
}

/// Logs one line per finding and the summary line.
#[inline(never)]
fn log_findings(pdev: &pci::Device<Core<'_>>, rep: &Report) {
    for finding in rep.findings.iter() {
        let line = LogLine { finding, rep };
        match finding.severity() {
            Severity::Error => dev_err!(pdev, "{}\n", line),
            Severity::Warning => dev_warn!(pdev, "{}\n", line),
            Severity::Info => dev_info!(pdev, "{}\n", line),
        }
    }
    dev_info!(pdev, "{}\n", SummaryLine(rep));
}

fn nanos(d: time::Delta) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(0)
}

/// The module parameters a probe runs with.
#[derive(Clone, Copy)]
pub(crate) struct Params {
    /// Read dword 0 of every BAR that passed the side-effect-free checks.
    pub(crate) read_probe: bool,
    /// BARs of more frames than this are sampled.
    pub(crate) max_frames: u64,
    /// Explain the interrupt and DMA paths too.
    pub(crate) paths: bool,
    /// Enable MSI-X and MSI through pcifront once each, and free them again (implies
    /// `paths`).
    pub(crate) msi_trial: bool,
    /// Allocate a coherent page and map a page for streaming DMA once each, and undo them
    /// (implies `paths`).
    pub(crate) dma_trial: bool,
}

/// Diagnoses the bound device: logs the findings and returns the debugfs state.
pub(crate) fn diagnose(
    pdev: &pci::Device<Core<'_>>,
    root: Result<debugfs::Dir>,
    params: Params,
) -> Result<Diagnosis> {
    let root = root?;
    let t0 = time::Instant::<time::Monotonic>::now();
    let mut cfg = ConfigReader {
        pdev,
        reads: 0,
        errors: 0,
    };
    let mut rep = new_report()?;
    read_config(pdev, &mut cfg, &mut rep.facts.cfg);
    let t_config = t0.elapsed();

    let xc = xen::context(pdev.raw());
    rep.facts.ctx = xc.ctx;
    for (bf, res) in rep.facts.bars.iter_mut().zip(resources(pdev)) {
        bf.res = res;
    }
    let t_context = t0.elapsed();

    let xen_cost = xen_verdicts(&mut rep.facts, params.max_frames);
    let t_xen = t0.elapsed();
    if params.read_probe {
        read_probe(pdev, &mut rep.facts, &mut cfg);
    }
    if params.paths || params.msi_trial || params.dma_trial {
        interrupts(pdev, &mut rep.facts, params.msi_trial);
        dma(pdev, &mut rep.facts, params.dma_trial);
    }
    let r = &mut *rep;
    checks::check_into(&r.facts, &mut r.findings);
    let t_lookup = time::Instant::<time::Monotonic>::now();
    if r.findings.iter().any(|f| f.fix_names_dom0(&r.facts)) {
        r.meta.backend_bdf = xen::backend_bdf(pdev.raw());
    }
    let lookup_ns = nanos(t_lookup.elapsed());

    let [bus, devfn] = pdev.dev_id().to_be_bytes();
    let id = rep.facts.cfg.id;
    let m = &mut rep.meta;
    m.bdf = Bdf {
        domain: xc.pci_domain,
        bus,
        dev: devfn >> 3,
        func: devfn & 7,
    };
    m.vendor = (id & 0xffff) as u16;
    m.device = (id >> 16) as u16;
    m.config_reads = cfg.reads;
    m.hypercalls = xen_cost.hypercalls;
    m.trial_entries = xen_cost.entries;
    task_meta(m);
    m.probe_ns = nanos(t0.elapsed());
    m.phases = Phases {
        config_ns: nanos(t_config),
        // dom0's BDF, when a fix names it, is context too.
        context_ns: nanos(t_context - t_config).saturating_add(lookup_ns),
        xen_ns: nanos(t_xen - t_context),
    };

    log_findings(pdev, &rep);

    // The device's name is its BDF, `0000:00:00.0`.
    let dir = root.subdir(pdev.as_ref().name());
    let file = KBox::pin_init(dir.read_only_file(c"report", ReportFile(rep)), GFP_KERNEL)?;
    Ok(Diagnosis {
        _report: file,
        _dir: dir,
    })
}
