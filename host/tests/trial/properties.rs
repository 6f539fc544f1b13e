//! Properties over any answers, BAR sizes, test limits and batch sizes.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::trial::{Plan, DEFAULT_MAX_FRAMES};

use proptest::prelude::*;

fn any_trial() -> impl Strategy<Value = Trial> {
    prop_oneof![Just(M), Just(RO), Just(DENIED), Just(BUSY)]
}

/// Frames a plan with this stride tests (the definition, not the implementation).
fn sample_len(frames: u64, stride: u64) -> u64 {
    if stride == 1 {
        frames
    } else {
        (frames - 1).div_ceil(stride) + 1
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn exact_mode_equals_a_naive_fold(
        answers in proptest::collection::vec(any_trial(), 0..=300usize),
        batch in prop_oneof![1usize..=64, Just(BATCH)],
        first in 0u64..(1 << 40),
    ) {
        let frames = answers.len() as u64;
        let (v, m) = run(first, frames, DEFAULT_MAX_FRAMES, batch, |i| answers[i as usize]);
        prop_assert_eq!(v, naive(first, &answers, batch));
        prop_assert_eq!(m.asked, (first..first + frames).collect::<Vec<_>>());
    }

    #[test]
    fn sampled_mode_asks_at_most_max_frames_and_only_plan_indices(
        frames in 1u64..200_000,
        max_frames in 0u64..2_000,
        batch in 1usize..=300,
        seed in any::<u64>(),
    ) {
        let answer = |i: u64| [M, RO, DENIED, BUSY][((i ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 62) as usize];
        let (v, m) = run(FIRST, frames, max_frames, batch, answer);
        let asked = m.asked_indices();
        prop_assert!(asked.len() as u64 <= max_frames.max(2), "{} asked", asked.len());
        prop_assert_eq!(asked.len() as u64, sample_len(frames, v.stride));
        prop_assert_eq!(asked[0], 0);
        prop_assert_eq!(*asked.last().unwrap(), frames - 1);
        for &i in &asked {
            prop_assert!(i % v.stride == 0 || i == frames - 1, "index {} with stride {}", i, v.stride);
        }
        prop_assert_eq!(v.tested, asked.len() as u64);
        prop_assert_eq!(v.sampled(), frames > max_frames.max(2));
    }

    #[test]
    fn plan_stride_is_the_smallest_that_fits(
        frames in 0u64..(1 << 40),
        max_frames in 0u64..(1 << 22),
        k_seed in any::<u64>(),
    ) {
        let p = Plan::new(frames, max_frames);
        let max = max_frames.max(2);
        prop_assert_eq!(p.sampled(), frames > max);
        prop_assert_eq!(p.len(), sample_len(frames, p.stride()));
        if p.sampled() {
            prop_assert!(p.stride() >= 2);
            prop_assert!(p.len() <= max, "{} > {}", p.len(), max);
            prop_assert!(
                sample_len(frames, p.stride() - 1) > max,
                "stride {} is not the smallest", p.stride()
            );
        } else {
            prop_assert_eq!((p.stride(), p.len()), (1, frames));
        }
        if frames > 0 {
            prop_assert_eq!(p.index(0), 0);
            prop_assert_eq!(p.index(p.len() - 1), frames - 1);
        }
        if p.len() >= 2 {
            let k = k_seed % (p.len() - 1);
            prop_assert_eq!(p.index(k), k * p.stride());
            prop_assert!(p.index(k) < p.index(k + 1));
        }
    }
}
