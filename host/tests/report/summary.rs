//! The summary line and the device's verdict.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::checks::{check, Findings};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::{status, write_summary, Meta};

#[test]
fn summary_ok_and_warn() {
    let m = Meta {
        config_reads: 40,
        hypercalls: 4,
        trial_entries: 2048,
        probe_ns: 999,
        ..meta()
    };
    let mut s = String::new();
    write_summary(&mut s, &check(&healthy()), &m).unwrap();
    assert_eq!(
        s,
        "summary: OK 0 error(s), 0 warning(s), 2 info; cost: 40 config reads, 4 hypercalls (2048 \
         trial mappings and restores), 0 us (config 400 us, context 300 us, Xen 700 us)"
    );

    let mut f = healthy();
    f.bars[0].res.flags |= IORESOURCE_PREFETCH;
    let mut s = String::new();
    write_summary(&mut s, &check(&f), &m).unwrap();
    assert_eq!(
        s,
        "summary: WARN 0 error(s), 1 warning(s), 1 info; cost: 40 config reads, 4 hypercalls (2048 \
         trial mappings and restores), 0 us (config 400 us, context 300 us, Xen 700 us)"
    );
}

#[test]
fn summary_names_first_error() {
    let mut f = healthy();
    f.bars[0].res.flags |= IORESOURCE_PREFETCH;
    f.cfg.bars[1] = u32::MAX;
    f.bars[2].res = mem_res(0xfeb0_0000, 0x4000, IORESOURCE_MEM);
    let out = check(&f);
    let mut s = String::new();
    write_summary(&mut s, &out, &meta()).unwrap();
    assert_eq!(
        s,
        "summary: FAIL 2 error(s), 1 warning(s), 1 info; first error: bar-all-ones BAR1; cost: 12 \
         config reads, 2 hypercalls (512 trial mappings and restores), 1500 us (config 400 us, \
         context 300 us, Xen 700 us)"
    );
}

#[test]
fn verdict_words() {
    assert_eq!(status(&Findings::default()), "OK");
    assert_eq!(status(&check(&healthy())), "OK");
    assert_eq!(status(&check(&case_2009())), "FAIL");
    assert_eq!(status(&check(&aborted_with(|_| M))), "WARN");
}
