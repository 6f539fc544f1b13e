//! Trial-mapping scan (`diag::trial::scan`): exhaustive for small BARs, ends plus bisection for
//! large ones.

use std::collections::HashSet;

use pcifront_diag_core::diag::facts::{Trial, Verdict};
use pcifront_diag_core::diag::trial::{scan, FULL_SCAN_FRAMES};
use proptest::prelude::*;

const FIRST: u64 = 0xfea00;

/// Xen's return code for a refused pfn: varies with the pfn so the reported code can be
/// checked against the frame it came from.
fn rc_of(pfn: u64) -> i32 {
    [-1, -16, -22][(pfn % 3) as usize]
}

/// What the probe saw: every pfn asked, and the hypercalls a real probe would have spent.
#[derive(Default)]
struct Log {
    pfns: Vec<u64>,
    hypercalls: u32,
}

/// Runs `scan` with `model(index)` answering for frame `index`, and checks the bookkeeping
/// every scan must satisfy.
fn run(first: u64, frames: u64, limit: u64, model: impl Fn(u64) -> Trial) -> (Verdict, Log) {
    let mut log = Log::default();
    let v = scan(first, frames, limit, |pfn| {
        assert!(
            pfn >= first && pfn < first + frames,
            "pfn {pfn:#x} outside the BAR"
        );
        let t = model(pfn - first);
        log.pfns.push(pfn);
        log.hypercalls += match t {
            Trial::Refused(_) => 1,
            Trial::Mapped | Trial::ReadOnly => 2,
        };
        t
    });
    assert_eq!(v.frames, frames);
    assert_eq!(v.tested, log.pfns.len() as u64, "tested counts every trial");
    assert_eq!(
        v.hypercalls, log.hypercalls,
        "2 per mapped trial, 1 per refused"
    );
    let distinct: HashSet<u64> = log.pfns.iter().copied().collect();
    assert_eq!(distinct.len(), log.pfns.len(), "a frame was tested twice");
    assert!(v.refused <= frames);
    (v, log)
}

fn ceil_log2(n: u64) -> u64 {
    u64::from(n.next_power_of_two().trailing_zeros())
}

fn refused(i: u64) -> Trial {
    Trial::Refused(rc_of(FIRST + i))
}

#[test]
fn zero_frames_tests_nothing() {
    let (v, log) = run(FIRST, 0, FULL_SCAN_FRAMES, |_| panic!("no frame to test"));
    assert_eq!(v, Verdict::default());
    assert!(log.pfns.is_empty());
}

#[test]
fn small_bar_all_mapped_is_exhaustive() {
    let (v, log) = run(FIRST, 16, FULL_SCAN_FRAMES, |_| Trial::Mapped);
    assert!(v.exhaustive);
    assert_eq!(v.tested, 16);
    assert_eq!(v.hypercalls, 32);
    assert_eq!(v.refused, 0);
    assert_eq!(v.first_refused, None);
    assert_eq!(v.read_only, 0);
    assert_eq!(v.first_read_only, None);
    assert_eq!(log.pfns, (FIRST..FIRST + 16).collect::<Vec<_>>());
}

#[test]
fn small_bar_all_refused() {
    let (v, _) = run(FIRST, 8, FULL_SCAN_FRAMES, |_| Trial::Refused(-1));
    assert!(v.exhaustive);
    assert_eq!(v.tested, 8);
    assert_eq!(v.hypercalls, 8);
    assert_eq!(v.refused, 8);
    assert_eq!(v.first_refused, Some((FIRST, -1)));
}

#[test]
fn small_bar_scattered_answers_are_counted_exactly() {
    // Not a contiguous grant: only an exhaustive scan gets this right.
    let model = |i: u64| match i {
        3 | 4 | 40 => refused(i),
        7..=9 => Trial::ReadOnly,
        _ => Trial::Mapped,
    };
    let (v, _) = run(FIRST, FULL_SCAN_FRAMES, FULL_SCAN_FRAMES, model);
    assert!(v.exhaustive);
    assert_eq!(v.tested, 64);
    assert_eq!(v.refused, 3);
    assert_eq!(v.first_refused, Some((FIRST + 3, rc_of(FIRST + 3))));
    assert_eq!(v.read_only, 3);
    assert_eq!(v.first_read_only, Some(FIRST + 7));
    assert_eq!(v.hypercalls, 3 + 61 * 2);
}

#[test]
fn single_frame_bar() {
    let (v, _) = run(FIRST, 1, FULL_SCAN_FRAMES, |_| Trial::ReadOnly);
    assert!(v.exhaustive);
    assert_eq!((v.tested, v.hypercalls), (1, 2));
    assert_eq!(v.read_only, 1);
    assert_eq!(v.first_read_only, Some(FIRST));
    assert_eq!(v.refused, 0);
}

#[test]
fn full_scan_limit_boundary() {
    let (v, _) = run(FIRST, FULL_SCAN_FRAMES, FULL_SCAN_FRAMES, |_| Trial::Mapped);
    assert!(v.exhaustive);
    assert_eq!(v.tested, FULL_SCAN_FRAMES);

    let (v, log) = run(FIRST, FULL_SCAN_FRAMES + 1, FULL_SCAN_FRAMES, |_| {
        Trial::Mapped
    });
    assert!(!v.exhaustive);
    assert_eq!(v.tested, 2, "all granted: both ends only");
    assert_eq!(log.pfns, [FIRST, FIRST + FULL_SCAN_FRAMES]);

    // A limit below 2 still scans tiny BARs fully.
    let (v, _) = run(
        FIRST,
        2,
        0,
        |i| if i == 1 { refused(i) } else { Trial::Mapped },
    );
    assert!(v.exhaustive);
    assert_eq!(v.refused, 1);
    assert_eq!(v.first_refused, Some((FIRST + 1, rc_of(FIRST + 1))));
    let (v, _) = run(FIRST, 3, 0, |_| Trial::Mapped);
    assert!(!v.exhaustive);
}

const BIG: u64 = 65536;

fn bound(frames: u64) -> u64 {
    2 + ceil_log2(frames)
}

#[test]
fn large_bar_all_granted() {
    let (v, _) = run(FIRST, BIG, FULL_SCAN_FRAMES, |_| Trial::Mapped);
    assert!(!v.exhaustive);
    assert_eq!(v.refused, 0);
    assert_eq!(v.first_refused, None);
    assert_eq!(v.tested, 2);
    assert_eq!(v.hypercalls, 4);
}

#[test]
fn large_bar_all_refused() {
    let (v, _) = run(FIRST, BIG, FULL_SCAN_FRAMES, refused);
    assert!(!v.exhaustive);
    assert_eq!(v.refused, BIG);
    assert_eq!(v.first_refused, Some((FIRST, rc_of(FIRST))));
    assert_eq!(v.tested, 2);
    assert_eq!(v.hypercalls, 2);
}

#[test]
fn large_bar_granted_prefix() {
    for k in [1, 2, 100, BIG / 2, BIG - 2, BIG - 1] {
        let (v, _) = run(FIRST, BIG, FULL_SCAN_FRAMES, |i| {
            if i < k {
                Trial::Mapped
            } else {
                refused(i)
            }
        });
        assert!(!v.exhaustive);
        assert_eq!(v.refused, BIG - k, "k={k}");
        assert_eq!(
            v.first_refused,
            Some((FIRST + k, rc_of(FIRST + k))),
            "k={k}"
        );
        assert!(v.tested <= bound(BIG), "k={k}: {} trials", v.tested);
        assert!(v.tested <= 18);
    }
}

#[test]
fn large_bar_refused_prefix() {
    for k in [1, 2, 100, BIG / 2, BIG - 2, BIG - 1] {
        let (v, _) = run(FIRST, BIG, FULL_SCAN_FRAMES, |i| {
            if i < k {
                refused(i)
            } else {
                Trial::Mapped
            }
        });
        assert!(!v.exhaustive);
        assert_eq!(v.refused, k, "k={k}");
        assert_eq!(v.first_refused, Some((FIRST, rc_of(FIRST))), "k={k}");
        assert!(v.tested <= bound(BIG), "k={k}: {} trials", v.tested);
    }
}

#[test]
fn large_bar_read_only_counts_as_granted() {
    // MSI-X table in the middle of a granted BAR: still fully mapped.
    let (v, _) = run(FIRST, BIG, FULL_SCAN_FRAMES, |_| Trial::ReadOnly);
    assert_eq!(v.refused, 0);
    assert_eq!(v.read_only, 2, "only tested frames are counted");
    assert_eq!(v.first_read_only, Some(FIRST));
    assert_eq!(v.hypercalls, 4);
}

#[test]
fn the_2009_case_256_frames_all_eperm() {
    let (v, _) = run(0xfea00, 256, FULL_SCAN_FRAMES, |_| Trial::Refused(-1));
    assert_eq!(v.refused, 256);
    assert_eq!(v.first_refused, Some((0xfea00, -1)));
    assert_eq!(v.tested, 2);
    assert_eq!(v.hypercalls, 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn boundary_is_found_exactly(
        frames in 1u64..200_000,
        k_seed in any::<u64>(),
        granted_prefix in any::<bool>(),
        first in 0u64..(1 << 40),
    ) {
        let k = k_seed % (frames + 1);
        let model = |i: u64| {
            let granted = (i < k) == granted_prefix;
            if granted {
                Trial::Mapped
            } else {
                Trial::Refused(rc_of(first + i))
            }
        };
        let (v, _) = run(first, frames, FULL_SCAN_FRAMES, model);
        let (want_refused, want_first) = if granted_prefix {
            (frames - k, (k < frames).then(|| (first + k, rc_of(first + k))))
        } else {
            (k, (k > 0).then(|| (first, rc_of(first))))
        };
        prop_assert_eq!(v.refused, want_refused);
        prop_assert_eq!(v.first_refused, want_first);
        prop_assert_eq!(v.exhaustive, frames <= FULL_SCAN_FRAMES);
        if v.exhaustive {
            prop_assert_eq!(v.tested, frames);
        } else {
            prop_assert!(v.tested <= bound(frames), "{} trials for {} frames", v.tested, frames);
        }
    }

    #[test]
    fn exhaustive_scan_is_exact(answers in proptest::collection::vec(0u8..3, 1..=64usize)) {
        let frames = answers.len() as u64;
        let model = |i: u64| match answers[i as usize] {
            0 => Trial::Mapped,
            1 => Trial::ReadOnly,
            _ => Trial::Refused(rc_of(FIRST + i)),
        };
        let (v, _) = run(FIRST, frames, FULL_SCAN_FRAMES, model);
        prop_assert!(v.exhaustive);
        prop_assert_eq!(v.tested, frames);
        let refused = answers.iter().filter(|&&a| a == 2).count() as u64;
        let ro = answers.iter().filter(|&&a| a == 1).count() as u64;
        prop_assert_eq!(v.refused, refused);
        prop_assert_eq!(v.read_only, ro);
        let first_ref = answers.iter().position(|&a| a == 2).map(|i| {
            let pfn = FIRST + i as u64;
            (pfn, rc_of(pfn))
        });
        prop_assert_eq!(v.first_refused, first_ref);
        let first_ro = answers.iter().position(|&a| a == 1).map(|i| FIRST + i as u64);
        prop_assert_eq!(v.first_read_only, first_ro);
        prop_assert_eq!(u64::from(v.hypercalls), refused + 2 * (frames - refused));
    }
}
