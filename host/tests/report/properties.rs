//! Any facts, however odd, give well-formed lines, summary and JSON.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::checks::{check, Severity};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::{scope, status, write_summary, Meta};
use proptest::prelude::*;

prop_compose! {
    /// Any start or a page-aligned one; any length, a small one or none; flags the PCI core
    /// sets.
    fn any_resource()(
        start in prop_oneof![any::<u64>(), (0u64..1 << 20).prop_map(|p| p << 12)],
        len in prop_oneof![any::<u64>(), 0u64..0x10_0000, Just(0)],
        flags in prop::sample::select(RESOURCE_FLAG_SETS.to_vec()),
        claimed in any::<bool>(),
    ) -> Resource {
        Resource {
            start,
            end: start.wrapping_add(len).wrapping_sub(1),
            flags,
            claimed,
        }
    }
}

prop_compose! {
    fn any_p2m()(
        frames in any::<u64>(),
        non_identity in any::<u64>(),
        invalid in any::<u64>(),
        first in any::<Option<(u64, u64)>>(),
    ) -> P2m {
        P2m { frames, non_identity, invalid, first }
    }
}

prop_compose! {
    /// A verdict as the scan produces it: any answers, any batch size (0: no slot), any test
    /// limit (often sampled), sometimes a batch failing as a whole.
    fn any_verdict()(
        first in 0u64..1 << 52,
        frames in 0u64..3000,
        max_frames in 0u64..400,
        batch in 0usize..=64,
        fail in prop::option::of((0usize..8, any::<i32>())),
        seed in any::<u64>(),
    ) -> Verdict {
        let answer = move |i: u64| {
            let r = i.wrapping_add(seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 61;
            [M, M, M, RO, DENIED, BUSY, Trial::Refused(EINVAL), Trial::Refused(EOPNOTSUPP)][r as usize]
        };
        let mut m = Model::new(first, frames, batch, answer);
        if let Some((b, rc)) = fail {
            m = m.failing(b, rc);
        }
        m.scan(max_frames)
    }
}

fn any_skip() -> impl Strategy<Value = Skip> {
    prop_oneof![
        Just(Skip::NotPv),
        Just(Skip::IoPorts),
        Just(Skip::P2m),
        Just(Skip::NoResource),
        any::<i32>().prop_map(Skip::Scratch),
    ]
}

prop_compose! {
    fn any_bar_facts()(
        res in any_resource(),
        ram_overlap in any::<bool>(),
        p2m in prop::option::of(any_p2m()),
        verdict in prop::option::of(any_verdict()),
        skipped in prop::option::of(any_skip()),
        read_probe in any::<Option<u32>>(),
    ) -> BarFacts {
        BarFacts { res, ram_overlap, p2m, verdict, skipped, read_probe }
    }
}

prop_compose! {
    fn any_context()(
        (xen_pv, initial_domain, pcifront) in any::<(bool, bool, bool)>(),
        backend_domid in any::<Option<u16>>(),
        ram_pages in any::<u64>(),
        phys_bits in 0u8..=70,
    ) -> Context {
        Context { xen_pv, initial_domain, pcifront, backend_domid, ram_pages, phys_bits }
    }
}

/// A register: anything, 0, all-ones, or a BAR near edu's with any type bits.
fn any_register() -> impl Strategy<Value = u32> {
    prop_oneof![
        any::<u32>(),
        Just(0),
        Just(u32::MAX),
        (0u32..16).prop_map(|t| 0xfea0_0000 | t),
    ]
}

prop_compose! {
    fn any_config()(
        id in any::<u32>(),
        command in any::<u16>(),
        command_after_enable in prop::option::of(any::<u16>()),
        class_rev in prop_oneof![any::<u32>(), Just(u32::MAX)],
        bars in prop::array::uniform6(any_register()),
        rom in any_register(),
        read_errors in 0u32..3,
        bars_failed in prop_oneof![Just(0u8), any::<u8>()],
    ) -> Config {
        Config {
            id,
            command,
            command_after_enable,
            class_rev,
            bars,
            rom,
            read_errors,
            bars_failed: bars_failed & 0x7f,
        }
    }
}

prop_compose! {
    fn any_facts()(
        ctx in any_context(),
        cfg in any_config(),
        // Boxed: seven unboxed value trees of this depth overflow the test thread's stack.
        bars in prop::array::uniform7(any_bar_facts().boxed()),
        restore_failed in any::<Option<i32>>(),
    ) -> DeviceFacts {
        DeviceFacts { ctx, cfg, bars, restore_failed, ..DeviceFacts::default() }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_facts_give_well_formed_output(
        facts in any_facts(),
        pid in any::<i32>(),
        c in any::<[u8; 16]>(),
    ) {
        let out = check(&facts);
        prop_assert!(out.len() <= pcifront_diag_core::diag::checks::MAX_FINDINGS);
        prop_assert_eq!(
            out.count(Severity::Error) + out.count(Severity::Warning) + out.count(Severity::Info),
            out.len()
        );
        let m = Meta { pid, comm: c, ..meta() };
        for f in out.iter() {
            let l = line(f, &facts, &m);
            let head = format!("{} {} {}: ", f.severity().as_str(), f.code(), scope(f));
            prop_assert!(l.starts_with(&head), "{}", l);
            prop_assert!(l.contains("; evidence: "), "{}", l);
            prop_assert_eq!(l.contains("; fix: "), wants_fix(f), "{}", l);
        }
        let j = json_report(&facts, &out, &m);
        prop_assert_eq!(j["findings"].as_array().unwrap().len(), out.len());
        prop_assert_eq!(&j["summary"]["verdict"], status(&out));
        prop_assert_eq!(&j["task"]["pid"], pid);
        let mut s = String::new();
        write_summary(&mut s, &out, &m).unwrap();
        let prefix = format!("summary: {} ", status(&out));
        prop_assert!(s.starts_with(&prefix), "{}", s);
    }
}
