//! Hand-built interrupt and DMA facts: e1000e as the lab passes it, and one case per finding of
//! the interrupt and DMA paths. Shared by `interrupts.rs` and the catalogue (which takes a
//! healthy device and adds these facts to it).

use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::irq::ENOSPC;

/// e1000e's interrupt facts as a PV domU sees them in the lab: INTA on GSI 23, one 64-bit MSI
/// vector, five MSI-X vectors with the table at BAR3 offset 0, Xen's default pirq space
/// (24 GSIs + 32).
pub fn e1000e_irq() -> IrqFacts {
    IrqFacts {
        gathered: true,
        intx: Intx {
            pin: 1,
            line: 23,
            guest_irq: None,
            bind_rc: Some(0),
        },
        msi: Some(MsiCap {
            offset: 0xd0,
            vectors: 1,
            is64: true,
            enabled: false,
        }),
        msix: Some(MsixCap {
            offset: 0xa0,
            vectors: 5,
            table_bar: 3,
            table_offset: 0,
            enabled: false,
            control: 0x0004,
        }),
        nr_pirqs: Some(56),
        ..IrqFacts::default()
    }
}

/// The MSI-X trial of e1000e: five vectors, pirqs handed out from the top of the space down.
pub fn msix_granted() -> MsiTrial {
    MsiTrial {
        kind: MsiType::MsiX,
        asked: 5,
        outcome: Ok(Granted {
            vectors: 5,
            first_irq: 30,
            first_pirq: 55,
            last_pirq: 51,
        }),
    }
}

/// A PV domU's DMA through swiotlb-xen with a 64 MiB pool, nothing in use, all 128 MiB of
/// guest RAM below 4 GiB in machine addresses.
pub fn healthy_dma() -> DmaFacts {
    DmaFacts {
        gathered: true,
        swiotlb_xen: true,
        other_ops: true,
        mask: 0xffff_ffff,
        coherent_mask: 0xffff_ffff,
        pool_bytes: 64 << 20,
        pool_used: Some(0),
        frames_checked: 32768,
        sampled: false,
        frames_above_mask: 0,
        max_mfn: 0x7_ffff,
        trial: None,
        cost: StepCost::default(),
    }
}

/// `base` with e1000e's interrupt facts and a healthy DMA path.
pub fn with_paths(base: &DeviceFacts) -> DeviceFacts {
    let mut f = *base;
    f.irq = e1000e_irq();
    f.dma = healthy_dma();
    f
}

/// Xen booted with `extra_guest_irqs=2`: 24 GSIs + 2 pirqs, and the MSI-X trial's failure.
pub fn pirq_limited(base: &DeviceFacts) -> DeviceFacts {
    let mut f = with_paths(base);
    f.irq.nr_pirqs = Some(26);
    f.irq.msix_trial = Some(MsiTrial {
        kind: MsiType::MsiX,
        asked: 5,
        outcome: Err(ENOSPC),
    });
    f
}

/// The MSI-X trial got its vectors, and after freeing them MSI-X was still on in dom0 until the
/// module's own disable-MSI-X op (what Linux 7.3 does, see `xen_shim.c`).
pub fn msix_left_enabled(base: &DeviceFacts) -> DeviceFacts {
    let mut f = with_paths(base);
    f.irq.msix_trial = Some(msix_granted());
    f.irq.msix_left_on = Some(LeftOn {
        control: 0x8004,
        cleared: true,
        at_bind: false,
    });
    f
}

/// One device per finding of the interrupt and DMA paths (with `base`'s BAR findings).
pub fn catalogue(base: &DeviceFacts) -> Vec<DeviceFacts> {
    let mut v = Vec::new();
    let mut f = with_paths(base);
    f.irq.msix_trial = Some(msix_granted());
    v.push(f);
    v.push(pirq_limited(base));
    let mut f = with_paths(base);
    if let Some(m) = f.irq.msix.as_mut() {
        m.vectors = 256;
    }
    f.irq.nr_pirqs = Some(1024);
    f.irq.enable_failed = Some(-22);
    f.irq.msix_skipped = Some(MsixSkip::TableNotGranted);
    v.push(f);
    v.push(msix_left_enabled(base));
    let mut f = with_paths(base);
    f.irq.intx.bind_rc = Some(-1);
    v.push(f);
    let mut f = with_paths(base);
    f.dma.swiotlb_xen = false;
    f.dma.other_ops = false;
    v.push(f);
    let mut f = with_paths(base);
    f.dma.pool_bytes = 0;
    v.push(f);
    let mut f = with_paths(base);
    f.dma.pool_used = Some(62 << 20);
    f.dma.frames_above_mask = f.dma.frames_checked;
    v.push(f);
    let mut f = with_paths(base);
    f.dma.trial = Some(dma_trial_bounced());
    v.push(f);
    v.push(dma_pool_exhausted(base));
    v
}

/// The DMA trial in a healthy guest: the coherent page below the mask used in place, the
/// streaming page (the first of three above the mask) bounced through the pool, whose first
/// slot is at pseudo-physical 0x2000000 and machine 0x9c00000.
pub fn dma_trial_bounced() -> DmaTrial {
    DmaTrial {
        coherent: Ok(CoherentBuf {
            bus: 0x07a3_1000,
            phys: 0x005e_1000,
            machine: 0x07a3_1000,
        }),
        page: TrialPage {
            tried: 3,
            above_mask: true,
        },
        streaming: Ok(StreamingMap {
            bus: 0x09c0_0000,
            phys: 0x0432_1000,
            machine: 0x1_2345_6000,
            in_pool: true,
        }),
    }
}

/// A 256 KiB pool full to the last slot (`swiotlb=128`, a driver's buffers in it): the
/// streaming mapping fails with `dma_mapping_error()`'s -ENOMEM, the coherent one works.
pub fn dma_pool_exhausted(base: &DeviceFacts) -> DeviceFacts {
    let mut f = with_paths(base);
    f.dma.pool_bytes = 256 << 10;
    f.dma.pool_used = Some(256 << 10);
    let mut trial = dma_trial_bounced();
    trial.streaming = Err(-12);
    f.dma.trial = Some(trial);
    f
}
/// The findings only the dom0 command makes (tool/src/view.rs), from dom0's sysfs and Xen's
/// rangesets rather than a probe's facts.
pub const DOM0_KINDS: [pcifront_diag_core::diag::checks::Kind; 2] = [
    pcifront_diag_core::diag::checks::Kind::XenIrqMissing { gsi: 21 },
    pcifront_diag_core::diag::checks::Kind::MsixOverGuestIrqs {
        vectors: 40,
        limit: 32,
    },
];
