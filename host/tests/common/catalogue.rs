//! Devices with every kind of finding, and the facts of a few well-known cases: shared by
//! the checks tests (every kind's severity) and the report tests (every kind's wording).

use super::*;
use pcifront_diag_core::diag::trial::DEFAULT_MAX_FRAMES;

/// The 2009 case: Xen refuses every frame of BAR0 with -EPERM (`iomem=` missing).
pub fn case_2009() -> DeviceFacts {
    let f = healthy_with(|_| DENIED);
    let v = f.bars[0].verdict.unwrap();
    assert_eq!(
        ranges(&v.refused),
        [(BAR0_PFN, BAR0_PFN + 0xff, DENIED)],
        "one refused run over the BAR"
    );
    assert_eq!(v.granted.count, 0);
    f
}

/// The healthy device with BAR0 sampled at a test limit of 64 frames: 52 of its 256 frames
/// (frame 0, one in every 5 after it and the last) asked.
pub fn sampled_with(answer: impl Fn(u64) -> Trial) -> DeviceFacts {
    let mut f = healthy();
    f.bars[0].verdict = Some(scan_sampled(BAR0_PFN, BAR0_FRAMES, 64, answer));
    f
}

/// The healthy device whose BAR0 scan (batches of 64) failed as a whole in the second batch.
pub fn aborted_with(answer: impl Fn(u64) -> Trial) -> DeviceFacts {
    let mut f = healthy();
    let mut m = Model::new(BAR0_PFN, BAR0_FRAMES, 64, answer).failing(1, -14);
    f.bars[0].verdict = Some(m.scan(DEFAULT_MAX_FRAMES));
    f
}

/// Facts exercising every finding kind, one device per entry.
pub fn catalogue() -> Vec<DeviceFacts> {
    let mut v = vec![healthy(), case_2009()];
    v.extend(super::irq_dma::catalogue(&healthy()));
    let mut f = healthy();
    f.bars[0].res = Resource::default();
    v.push(f);
    let mut f = healthy();
    f.cfg.bars_failed = 1;
    f.cfg.read_errors = 1;
    v.push(f);
    let mut f = healthy();
    f.ctx.xen_pv = false;
    v.push(f);
    let mut f = healthy();
    f.ctx.initial_domain = true;
    v.push(f);
    let mut f = healthy();
    f.ctx.pcifront = false;
    v.push(f);
    let mut f = healthy();
    f.cfg.class_rev = u32::MAX;
    f.cfg.read_errors = 4;
    f.restore_failed = Some(-1);
    v.push(f);
    let mut f = healthy();
    f.cfg.command = 0;
    f.cfg.bars[1] = u32::MAX;
    f.bars[2].res = mem_res(0xfeb0_0000, 0x4000, IORESOURCE_MEM);
    f.cfg.bars[5] = 0xd000_000c;
    f.bars[5].res = mem_res(0xd000_0000, 0x100, IORESOURCE_MEM);
    f.bars[0].read_probe = Some(u32::MAX);
    v.push(f);
    let mut f = healthy();
    f.cfg.bars[1] = 0xf000_0006;
    f.cfg.bars[2] = 0xc001;
    f.cfg.bars[3] = 0xfeb0_0000;
    f.cfg.bars[4] = 0xfeb0_0800;
    f.cfg.rom = 0xfec0_0001;
    f.bars[0].res.claimed = false;
    f.bars[0].ram_overlap = true;
    f.bars[0].p2m = Some(P2m {
        frames: 256,
        non_identity: 2,
        invalid: 2,
        first: Some((0xfea00, u64::MAX)),
    });
    f.bars[1].res = mem_res(0xe000_0000, 0x3000, IORESOURCE_MEM | IORESOURCE_PREFETCH);
    f.bars[2].res = mem_res(0xc000, 0x20, IORESOURCE_MEM);
    f.bars[3].res = mem_res(0xfeb0_0000, 0x800, IORESOURCE_MEM);
    f.bars[3].verdict = Some(scan_model(0xfeb00, 1, |_| RO));
    f.bars[4].res = mem_res(0xfeb0_0800, 0x800, IORESOURCE_MEM);
    f.bars[4].skipped = Some(Skip::Scratch(-12));
    f.bars[4].read_probe = Some(0x1234);
    f.bars[6].res = Resource {
        flags: IORESOURCE_IO,
        ..mem_res(0xfec0_0000, 0x1_0000, IORESOURCE_MEM)
    };
    v.push(f);
    let mut f = healthy();
    f.cfg.bars = [0x0000_000c, 0x100, 0, 0, 0, 0];
    f.bars[0].res = mem_res(
        0x100_0000_0000,
        BAR0_LEN,
        IORESOURCE_MEM | IORESOURCE_MEM_64,
    );
    v.push(f);
    for rc in [-16, -22, -12] {
        v.push(healthy_with(move |_| Trial::Refused(rc)));
    }
    v.push(healthy_with(|i| match i {
        0x10..=0x1f => BUSY,
        0x80 => DENIED,
        0x81 => RO,
        _ => M,
    }));
    v.push(healthy_with(|i| if i % 16 == 15 { DENIED } else { M }));
    v.push(sampled_with(|_| M));
    v.push(sampled_with(|i| if i < 0x80 { DENIED } else { M }));
    v.push(aborted_with(|i| if i == 0x20 { DENIED } else { M }));
    let mut f = with_io_bar1();
    f.bars[1].read_probe = Some(u32::MAX);
    v.push(f);
    let mut f = with_io_bar1();
    f.bars[1].read_probe = Some(0x1af4);
    v.push(f);
    v
}
