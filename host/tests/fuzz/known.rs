//! Bugs the fuzz targets found in src/diag, each with its regression test. While a bug is open
//! its test is `#[ignore]`d and a target's `known` function skips (and counts) the inputs that
//! hit it; every bug below is fixed, so the targets pass `no_open_bug`.

use crate::common::*;
use pcifront_diag_core::diag::checks::check;
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::write_line;
use pcifront_diag_core::diag::trial::{Plan, DEFAULT_MAX_FRAMES};

/// `Plan::index` computes `k * stride` before clamping it to the last frame
/// (src/diag/trial.rs, `Plan::index`): for the last sampled frame of a BAR of nearly 2^64
/// frames, `(len - 1) * stride` exceeds u64::MAX (the stride is rounded up). A BAR of the
/// module cannot have more than 2^52 frames, but `Plan` is public and takes any count. Found
/// by `fuzz_plan` (frames 2^64 - 2, limit 64960).
#[test]
fn plan_index_of_the_last_frame_past_u64_max() {
    let frames = u64::MAX - 1;
    let plan = Plan::new(frames, 64960);
    assert!(plan.sampled() && plan.len() <= 64960);
    assert_eq!(plan.index(plan.len() - 1), frames - 1);
    assert!(plan.index(plan.len() - 2) < frames - 1);
}

/// `trial::scan` puts `first_pfn + plan.index(k)` in the prober's slots (src/diag/trial.rs,
/// `scan`, and again for `Tally::record`): for a BAR whose last pfn would lie past u64::MAX
/// the addition overflows, a BUG with overflow checks and, without them, a wrap that asks Xen
/// about pfn 0 onwards (guest RAM frames, not the BAR's). The module's own BARs cannot get
/// there (`Resource::frames()` ends at pfn 2^52 - 1), but `scan` is public and takes any
/// pair. Found by `fuzz_plan`.
#[test]
fn scan_of_a_bar_ending_past_u64_max() {
    let first_pfn = u64::MAX - 1;
    let mut m = Model::new(first_pfn, 4, BATCH, |_| M);
    let v = m.scan(DEFAULT_MAX_FRAMES);
    assert!(
        m.asked.iter().all(|&pfn| pfn >= first_pfn),
        "{:x?}",
        m.asked
    );
    assert!(v.tested <= 2, "only two frames exist up to u64::MAX");
}

/// The `ioports=` fix of an I/O BAR reading all-ones writes its last port as
/// `port + n.max(1) - 1` (src/diag/report.rs, `write_fix`, `Kind::IoAllOnes`): for ports
/// ending at u64::MAX, `port + n` overflows before the `- 1` (issue 21). Found by
/// `fuzz_report`.
#[test]
fn io_all_ones_fix_for_ports_ending_at_u64_max() {
    let mut f = with_io_bar1();
    let start = u64::MAX - 0x1f;
    f.bars[1].res = Resource {
        start,
        end: u64::MAX,
        flags: IORESOURCE_IO,
        claimed: true,
    };
    f.bars[1].read_probe = Some(u32::MAX);
    let out = check(&f);
    let finding = out.find("io-all-ones").expect("io-all-ones");
    let mut line = String::new();
    write_line(&mut line, finding, &f, &Default::default()).unwrap();
    assert!(
        line.contains("ioports=['ffffffffffffffe0-ffffffffffffffff']"),
        "{line}"
    );
}

/// printk keeps about 1,000 bytes of a record (`longest_line_fits_a_printk_record` in the
/// report tests checks a 1 GiB BAR). The xen-eperm line of a sampled BAR grows with the BAR:
/// its frame counts in decimal, its stride, the "and N more range(s)" of each kind and the
/// whole-BAR `iomem=` entry. At the module's default test limit (2^20 frames) and pfns near
/// the top of a 52-bit address space, the line passes 1,000 bytes with its `dev_*` prefix
/// from about 2^41 frames on (8 PiB; 2^48 frames: 975 bytes, 1,003 with the prefix), and
/// printk cut off the fix
/// (src/diag/report.rs, `write_line`: `write_answers` and `write_fix` for `Kind::XenRefused`).
/// A device chooses its BAR's size. Found while chasing `fuzz_report`'s longest line (952 of
/// 972 bytes allowed). Fixed: a sampled BAR's line names one granted and one read-only range
/// (`write_answers`).
#[test]
fn line_of_a_huge_sampled_bar_fits_a_printk_record() {
    const PREFIX: usize = "pcifront_diag 0000:00:00.0: ".len();
    let frames = 1u64 << 48;
    let first_pfn = (1 << 52) - frames;
    let start = first_pfn << PAGE_SHIFT;
    let mut f = healthy();
    // CAST: the low and high halves of the 64-bit BAR's address.
    f.cfg.bars[..2].copy_from_slice(&[start as u32 | 0xc, (start >> 32) as u32]);
    f.bars[0].res = Resource {
        start,
        end: start + ((frames << PAGE_SHIFT) - 1),
        flags: IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
        claimed: true,
    };
    f.ctx.phys_bits = 52;
    // Every sampled frame its own run: -EPERM first, then granted, -EINVAL, read-only.
    let stride = Plan::new(frames, DEFAULT_MAX_FRAMES).stride();
    let answers = [DENIED, M, Trial::Refused(EINVAL), RO];
    // CAST: below 4.
    let mut m = Model::new(first_pfn, frames, BATCH, move |i| {
        answers[(i / stride % 4) as usize]
    });
    f.bars[0].verdict = Some(m.scan(DEFAULT_MAX_FRAMES));
    let out = check(&f);
    for finding in out.iter() {
        let mut line = String::new();
        write_line(&mut line, finding, &f, &Default::default()).unwrap();
        assert!(PREFIX + line.len() < 1000, "{} bytes: {line}", line.len());
    }
}
