// SPDX-License-Identifier: GPL-2.0

//! Benchmark baseline for pcifront-diag: a PCI driver whose probe only enables the device's
//! memory decoding (one config write through pcifront, pci_enable_device in dom0's pciback)
//! and logs how long that took. The lab's `bench` scenario binds it and pcifront_diag to the
//! same devices in one run to compare probe times. Binds only through `driver_override`.

use kernel::{device::Core, pci, prelude::*, time};

// The bench calls only `disable_device()` of these.
#[allow(dead_code)]
#[path = "../src/pci_ext.rs"]
mod pci_ext;
use pci_ext::DeviceExt;

struct EnableOnly;

kernel::pci_device_table!(
    PCI_TABLE,
    <EnableOnly as pci::Driver>::IdInfo,
    [(pci::DeviceId::from_id(pci::Vendor::XEN, 0xfffe), ())]
);

impl pci::Driver for EnableOnly {
    type IdInfo = ();
    type Data<'bound> = ();
    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        let t0 = time::Instant::<time::Monotonic>::now();
        let r = pdev.enable_device_mem();
        let ns = t0.elapsed().as_nanos();
        dev_info!(pdev, "enable-only probe: {} ns ({:?})\n", ns, r.is_ok());
        r
    }

    fn unbind<'bound>(pdev: &'bound pci::Device<Core<'_>>, _this: Pin<&Self::Data<'bound>>) {
        // Enabled by our probe; disabling it makes the next bind pay for a real enable again.
        pdev.disable_device();
    }
}

kernel::module_pci_driver! {
    type: EnableOnly,
    name: "pfd_enable_only",
    authors: ["pcifront-diag developers"],
    description: "pcifront-diag benchmark baseline: a probe that only enables the device",
    license: "GPL",
}
