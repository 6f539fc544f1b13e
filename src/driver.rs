// SPDX-License-Identifier: GPL-2.0

//! pcifront-diag: explains why a PCI device passed through to a Xen PV guest cannot use its
//! BARs.
//!
//! Bind it to a device through `driver_override`; for every BAR it logs one line per finding
//! (what is wrong, the evidence, the fix) and publishes the whole report as JSON in
//! `/sys/kernel/debug/pcifront_diag/<BDF>/report`. It never writes a BAR.
//!
//! Layout:
//! - this file: module and PCI driver registration;
//! - `probe.rs`: the probe flow (facts from config space, resources, p2m and Xen);
//! - `diag/`: the pure checks and wording, also built and tested on the host (`host/`);
//! - `xen.rs` + `xen_shim.c`: the Xen calls Rust cannot make directly;
//! - `pci_ext.rs`: the few `pci::Device` methods Linux 7.3's crate lacks, as safe methods.

use kernel::{debugfs, device::Core, pci, prelude::*};

pub mod diag;
mod pci_ext;
mod probe;
mod xen;

kernel::sync::global_lock! {
    // SAFETY: Initialized in the module initializer before the driver is registered.
    unsafe(uninit) static ROOT: Mutex<Option<debugfs::Dir>> = None;
}

struct PcifrontDiag;

// The `max_frames` default in `module!` below is `trial::DEFAULT_MAX_FRAMES` (the macro takes
// a literal).
const _: () = assert!(diag::trial::DEFAULT_MAX_FRAMES == 1048576);

// The table matches no real device: the module binds only where an admin writes
// `pcifront_diag` to a device's `driver_override`.
kernel::pci_device_table!(
    PCI_TABLE,
    <PcifrontDiag as pci::Driver>::IdInfo,
    [(pci::DeviceId::from_id(pci::Vendor::XEN, 0xffff), ())]
);

impl pci::Driver for PcifrontDiag {
    type IdInfo = ();
    type Data<'bound> = probe::Diagnosis;
    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        // Set before the driver is registered, cleared after it is unregistered.
        let root = ROOT.lock().clone().ok_or(ENODEV);
        let params = probe::Params {
            read_probe: module_parameters::read_probe.value(),
            max_frames: module_parameters::max_frames.value(),
            paths: module_parameters::paths.value(),
            msi_trial: module_parameters::msi_trial.value(),
            dma_trial: module_parameters::dma_trial.value(),
        };
        probe::diagnose(pdev, root, params)
    }
}

/// The module's debugfs root, published in `ROOT` for as long as this guard lives.
struct DebugfsRoot;

impl DebugfsRoot {
    fn new() -> Self {
        *ROOT.lock() = Some(debugfs::Dir::new(c"pcifront_diag"));
        Self
    }
}

impl Drop for DebugfsRoot {
    fn drop(&mut self) {
        // Devices hold their own reference to the directory until they are unbound.
        *ROOT.lock() = None;
    }
}

/// Fields drop in declaration order: the driver is unregistered (every device unbound, no
/// probe left) before the debugfs root it publishes into and the scratch slots its probes
/// share go away.
#[pin_data]
struct Module {
    #[pin]
    _driver: kernel::driver::Registration<pci::Adapter<PcifrontDiag>>,
    _debugfs: DebugfsRoot,
    _scratch: xen::KeptScratch,
}

impl kernel::InPlaceModule for Module {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // SAFETY: Called exactly once, before anything uses `ROOT`.
        unsafe { ROOT.init() };
        try_pin_init!(Self {
            // SAFETY: Called exactly once, before the driver is registered.
            _scratch: unsafe { xen::KeptScratch::new() },
            _debugfs: DebugfsRoot::new(),
            _driver <- kernel::driver::Registration::new(c"pcifront_diag", module),
        })
    }
}

module! {
    type: Module,
    name: "pcifront_diag",
    authors: ["pcifront-diag developers"],
    description: "Explains why a Xen PV passthrough PCI device cannot map its BARs",
    license: "GPL",
    params: {
        read_probe: bool {
            default: false,
            description: "Read dword 0 of each BAR whose first frame Xen maps (memory: one page mapped) or whose ports the guest claimed (I/O)",
        },
        paths: bool {
            default: false,
            description: "Also explain the interrupt path (INTx, MSI, MSI-X, this domain's pirqs) and the DMA path (swiotlb-xen, its pool, guest RAM against the DMA mask)",
        },
        msi_trial: bool {
            default: false,
            description: "Enable MSI-X and MSI through pcifront once each as a driver would, record the vectors or the error, and free them (bus mastering stays off); implies paths=1",
        },
        dma_trial: bool {
            default: false,
            description: "Allocate one coherent DMA page and map one page for streaming DMA with the device's masks as a driver would, record the bus addresses and whether the mapping bounced, and undo both (bus mastering stays off); implies paths=1",
        },
        max_frames: u64 {
            default: 1048576,
            description: "Ask Xen about every frame of BARs up to this many 4 KiB frames (default: 4 GiB); larger ones are sampled",
        },
    },
}
