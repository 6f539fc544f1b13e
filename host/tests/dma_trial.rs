//! The DMA trial (`diag::dma`, `dma_trial=1`): how each bus address was made, why a step
//! failed, the findings and their lines, and the trial in the JSON report.

mod common;

use common::irq_dma::*;
use common::*;
use pcifront_diag_core::diag::checks::{check, Finding, Kind, Severity};
use pcifront_diag_core::diag::dma::{self, Cause, Made, Step};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::{write_json, write_line, Meta};

/// The log line of the one finding with this code.
fn line_of(facts: &DeviceFacts, code: &str) -> String {
    let out = check(facts);
    let all: Vec<&Finding> = out.iter().filter(|f| f.code() == code).collect();
    assert_eq!(all.len(), 1, "one {code} in {:?}", codes(&out));
    let mut s = String::new();
    write_line(&mut s, all[0], facts, &Meta::default()).unwrap();
    s
}

/// The codes and severities of the DMA trial's findings.
fn trial_codes(facts: &DeviceFacts) -> Vec<(&'static str, Severity)> {
    check(facts)
        .iter()
        .filter(|f| f.code().starts_with("dma-trial"))
        .map(|f| (f.code(), f.severity()))
        .collect()
}

fn with_trial(trial: DmaTrial) -> DeviceFacts {
    let mut f = with_paths(&healthy());
    f.dma.trial = Some(trial);
    f
}

#[test]
fn how_a_bus_address_was_made() {
    // (bus, phys, machine, in_pool) -> made.
    let table = [
        // A slot of the pool, whatever else matches.
        (0x09c0_0000, 0x09c0_0000, 0x09c0_0000, true, Made::Bounced),
        (0x09c0_0000, 0x1000, 0x1_0000_0000, true, Made::Bounced),
        // The page's own machine address (swiotlb-xen, page below the mask).
        (0x07a3_1000, 0x005e_1000, 0x07a3_1000, false, Made::InPlace),
        // Outside a PV guest machine = phys: in place, not pseudo-physical.
        (0x005e_1000, 0x005e_1000, 0x005e_1000, false, Made::InPlace),
        // dma-direct in a PV guest: the pseudo-physical address.
        (
            0x005e_1000,
            0x005e_1000,
            0x07a3_1000,
            false,
            Made::PseudoPhysical,
        ),
        // Neither.
        (0x0123_4000, 0x005e_1000, 0x07a3_1000, false, Made::Other),
    ];
    for (bus, phys, machine, in_pool, want) in table {
        let m = StreamingMap {
            bus,
            phys,
            machine,
            in_pool,
        };
        assert_eq!(dma::streaming_made(&m), want, "{m:?}");
        if !in_pool {
            let c = CoherentBuf { bus, phys, machine };
            assert_eq!(dma::coherent_made(&c), want, "{c:?}");
        }
    }
    let names: Vec<&str> = [
        Made::InPlace,
        Made::Bounced,
        Made::PseudoPhysical,
        Made::Other,
    ]
    .iter()
    .map(|m| m.name())
    .collect();
    assert_eq!(names, ["in-place", "bounced", "pseudo-physical", "other"]);
}

#[test]
fn why_a_step_failed() {
    // (step, swiotlb_xen, pool_bytes, page_allocated) -> cause.
    let table = [
        (Step::Streaming, true, 0, true, Cause::NoPool),
        (Step::Streaming, true, 256 << 10, true, Cause::PoolFull),
        (Step::Streaming, true, 64 << 20, false, Cause::Guest),
        (Step::Streaming, false, 0, true, Cause::Guest),
        (Step::Coherent, true, 0, true, Cause::Exchange),
        (Step::Coherent, true, 64 << 20, true, Cause::Exchange),
        (Step::Coherent, false, 64 << 20, true, Cause::Guest),
    ];
    for (step, swiotlb_xen, pool_bytes, page, want) in table {
        let mut d = healthy_dma();
        d.swiotlb_xen = swiotlb_xen;
        d.pool_bytes = pool_bytes;
        assert_eq!(dma::cause_of(step, &d, page), want, "{step:?} {d:?}");
    }
}

#[test]
fn no_trial_no_finding() {
    let f = with_paths(&healthy());
    assert!(trial_codes(&f).is_empty());
    assert_eq!(dma::trial_findings(&f.dma), [None, None, None]);
}

#[test]
fn a_healthy_trial_is_one_info_line() {
    let f = with_trial(dma_trial_bounced());
    assert_eq!(trial_codes(&f), [("dma-trial", Severity::Info)]);
    let l = line_of(&f, "dma-trial");
    assert!(
        l.starts_with(
            "info dma-trial device: DMA trial: one coherent allocation and one streaming mapping"
        ),
        "{l}"
    );
    assert!(
        l.ends_with(
            "evidence: coherent bus=0x7a31000 machine=0x7a31000 (in-place); streaming page above the mask (3 tried) bus=0x9c00000 machine=0x123456000 (bounced)"
        ),
        "{l}"
    );
    assert!(!l.contains("fix:"), "{l}");
}

/// A trial with failed steps, and what the checks must make of it.
struct FailedCase {
    coherent_fails: bool,
    streaming_fails: bool,
    pool: u64,
    used: u64,
    pages_tried: u32,
    /// The causes of the `dma-trial-failed` findings, in order.
    causes: &'static [Cause],
    /// Words of the fix (of a single failure).
    fix: &'static str,
}

#[test]
fn each_failed_step_is_an_error_with_its_fix() {
    let case = |coherent_fails, streaming_fails, pool, used, pages_tried, causes, fix| FailedCase {
        coherent_fails,
        streaming_fails,
        pool,
        used,
        pages_tried,
        causes,
        fix,
    };
    let table = [
        case(
            false,
            true,
            256 << 10,
            256 << 10,
            3,
            &[Cause::PoolFull],
            "swiotlb=<slabs of 2 KiB>",
        ),
        case(
            false,
            true,
            0,
            0,
            3,
            &[Cause::NoPool],
            "while Xen still has free memory below 4 GiB",
        ),
        case(true, false, 64 << 20, 0, 3, &[Cause::Exchange], "dma_bits="),
        case(
            true,
            true,
            0,
            0,
            1,
            &[Cause::Exchange, Cause::NoPool],
            "dma_bits=",
        ),
        case(
            false,
            true,
            64 << 20,
            0,
            0,
            &[Cause::Guest],
            "free memory in the guest",
        ),
    ];
    for c in table {
        let mut t = dma_trial_bounced();
        if c.coherent_fails {
            t.coherent = Err(-12);
        }
        if c.streaming_fails {
            t.streaming = Err(-12);
        }
        t.page.tried = c.pages_tried;
        let mut f = with_trial(t);
        f.dma.pool_bytes = c.pool;
        f.dma.pool_used = Some(c.used);
        let found: Vec<Cause> = check(&f)
            .iter()
            .filter_map(|x| match x.kind {
                Kind::DmaTrialFailed { cause, rc, .. } => {
                    assert_eq!(rc, -12);
                    assert_eq!(x.severity(), Severity::Error);
                    Some(cause)
                }
                _ => None,
            })
            .collect();
        assert_eq!(found, c.causes, "{t:?}");
        for finding in check(&f).iter().filter(|x| x.code() == "dma-trial-failed") {
            let mut l = String::new();
            write_line(&mut l, finding, &f, &Meta::default()).unwrap();
            let (_, fix_text) = l.split_once("; fix: ").expect("a fix");
            if c.causes.len() == 1 {
                assert!(fix_text.contains(c.fix), "{l}");
            }
            assert!(l.contains(" rc=-12 (-ENOMEM) ops=swiotlb-xen "), "{l}");
        }
        // The info line names the failed step's errno.
        assert!(line_of(&f, "dma-trial").contains("failed rc=-12 (-ENOMEM)"));
    }
}

#[test]
fn pool_full_line_as_the_lab_shows_it() {
    let f = dma_pool_exhausted(&healthy());
    let l = line_of(&f, "dma-trial-failed");
    assert!(
        l.starts_with("error dma-trial-failed device: a streaming mapping failed: the swiotlb-xen bounce pool has no room left ('swiotlb buffer is full')"),
        "{l}"
    );
    assert!(
        l.contains("evidence: step=streaming rc=-12 (-ENOMEM) ops=swiotlb-xen pool=256 KiB pool_used=256 KiB mask=0xffffffff; fix: enlarge the guest's bounce pool: swiotlb="),
        "{l}"
    );
    // The pool-full finding of the DMA path says the same from the counters.
    assert!(check(&f).find("dma-pool-full").is_some());
    assert!(line_of(&f, "dma-trial").ends_with("(3 tried) failed rc=-12 (-ENOMEM)"));
}

#[test]
fn without_swiotlb_xen_the_trial_shows_pseudo_physical_addresses() {
    let mut t = dma_trial_bounced();
    t.coherent = Ok(CoherentBuf {
        bus: 0x005e_1000,
        phys: 0x005e_1000,
        machine: 0x07a3_1000,
    });
    t.streaming = Ok(StreamingMap {
        bus: 0x0432_1000,
        phys: 0x0432_1000,
        machine: 0x1_2345_6000,
        in_pool: false,
    });
    let mut f = with_trial(t);
    f.dma.swiotlb_xen = false;
    f.dma.other_ops = false;
    f.dma.pool_bytes = 0;
    let l = line_of(&f, "dma-trial");
    assert!(
        l.contains("coherent bus=0x5e1000 machine=0x7a31000 (pseudo-physical)"),
        "{l}"
    );
    assert!(
        l.contains("bus=0x4321000 machine=0x123456000 (pseudo-physical)"),
        "{l}"
    );
    // The trial does not hide the DMA path's own error, nor does it add one.
    assert!(check(&f).find("dma-no-swiotlb-xen").is_some());
    assert!(check(&f).find("dma-trial-failed").is_none());
}

#[test]
fn the_trial_in_json() {
    let mut f = dma_pool_exhausted(&healthy());
    let json = |f: &DeviceFacts| {
        let mut s = String::new();
        write_json(&mut s, f, &check(f), &Meta::default()).unwrap();
        serde_json::from_str::<serde_json::Value>(&s).unwrap()
    };
    let j = json(&f);
    let t = &j["paths"]["dma"]["trial"];
    assert_eq!(
        t["coherent"],
        serde_json::json!({"bus": 0x07a3_1000u64, "phys": 0x005e_1000u64, "machine": 0x07a3_1000u64, "made": "in-place"})
    );
    assert_eq!(t["streaming"], serde_json::json!({"rc": -12}));
    assert_eq!(t["pages_tried"], 3);
    assert_eq!(t["page_above_mask"], true);
    f.dma.trial = Some(dma_trial_bounced());
    let j = json(&f);
    let s = &j["paths"]["dma"]["trial"]["streaming"];
    assert_eq!(s["in_pool"], true);
    assert_eq!(s["made"], "bounced");
    assert_eq!(s["machine"], 0x1_2345_6000u64);
    f.dma.trial = None;
    assert_eq!(json(&f)["paths"]["dma"]["trial"], serde_json::Value::Null);
}

/// printk keeps about 1,000 bytes of a record: the trial's lines fit with the longest values.
#[test]
fn trial_lines_fit_a_printk_record() {
    const PREFIX: usize = "pcifront_diag 0000:00:00.0: ".len();
    let big = CoherentBuf {
        bus: u64::MAX,
        phys: u64::MAX - 1,
        machine: u64::MAX - 2,
    };
    let trials = [
        DmaTrial {
            coherent: Ok(big),
            page: TrialPage {
                tried: u32::MAX,
                above_mask: true,
            },
            streaming: Ok(StreamingMap {
                bus: u64::MAX,
                phys: u64::MAX - 1,
                machine: u64::MAX - 2,
                in_pool: false,
            }),
        },
        DmaTrial {
            coherent: Err(i32::MIN),
            page: TrialPage::default(),
            streaming: Err(i32::MIN),
        },
    ];
    for trial in trials {
        for pool in [0, u64::MAX] {
            let mut f = with_trial(trial);
            f.dma.pool_bytes = pool;
            f.dma.pool_used = Some(u64::MAX);
            f.dma.mask = u64::MAX;
            f.dma.coherent_mask = u64::MAX;
            for finding in check(&f).iter().filter(|x| x.code().starts_with("dma")) {
                let mut s = String::new();
                write_line(&mut s, finding, &f, &Meta::default()).unwrap();
                assert!(PREFIX + s.len() < 1000, "{} bytes: {s}", s.len());
            }
        }
    }
}
