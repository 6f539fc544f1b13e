//! PCI addresses: parsing what xenstore holds, and the `dddd:bb:dd.f` form.

use pcifront_diag_core::diag::report::Bdf;
use proptest::prelude::*;

#[test]
fn bdf_parse_full_and_short() {
    let want = Bdf {
        domain: 0,
        bus: 0,
        dev: 4,
        func: 0,
    };
    assert_eq!(Bdf::parse("0000:00:04.0"), Some(want));
    assert_eq!(Bdf::parse("00:04.0"), Some(want));
    assert_eq!(
        Bdf::parse("abcd:Ef:1f.7"),
        Some(Bdf {
            domain: 0xabcd,
            bus: 0xef,
            dev: 0x1f,
            func: 7
        })
    );
    // xenstore values may come NUL- or newline-terminated.
    assert_eq!(Bdf::parse("0000:00:04.0\0"), Some(want));
    assert_eq!(Bdf::parse("0000:00:04.0\n"), Some(want));
    assert_eq!(Bdf::parse("00:04.0 \0\0"), Some(want));
}

#[test]
fn bdf_parse_rejects_invalid() {
    for s in [
        "",
        ".",
        "04.0",
        "0000:00:04",
        "0000:00:04.",
        ":04.0",
        "0000:00:.0",
        "zz:04.0",
        "0000:00:04.g",
        "1:2:3:04.0",
        "0000:00:04.0.1",
        "10000:00:04.0",
        "0000:100:04.0",
        "0000:00:100.0",
        "0000:00:04.10",
        "0000:00:20.0",
        "0000:00:ff.0",
        "0000:00:04.8",
        " 0000:00:04.0",
    ] {
        assert_eq!(Bdf::parse(s), None, "{s:?} must not parse");
    }
}

#[test]
fn bdf_display() {
    let b = Bdf {
        domain: 0,
        bus: 3,
        dev: 0x1f,
        func: 7,
    };
    assert_eq!(b.to_string(), "0000:03:1f.7");
    assert_eq!(Bdf::default().to_string(), "0000:00:00.0");
    assert_eq!(
        Bdf {
            domain: 0xffff,
            bus: 0xff,
            dev: 0,
            func: 1
        }
        .to_string(),
        "ffff:ff:00.1"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn bdf_display_round_trips(domain in any::<u16>(), bus in any::<u8>(), dev in 0u8..=0x1f, func in 0u8..=7) {
        let b = Bdf { domain, bus, dev, func };
        let s = b.to_string();
        prop_assert_eq!(s.len(), 12);
        prop_assert_eq!(Bdf::parse(&s), Some(b));
        // The short form means domain 0.
        let short = &s[5..];
        prop_assert_eq!(Bdf::parse(short), Some(Bdf { domain: 0, ..b }));
    }

    #[test]
    fn bdf_out_of_range_rejected(bus in any::<u8>(), dev in 0x20u8..=0xff, func in 0u8..=0xf) {
        prop_assert_eq!(Bdf::parse(&format!("0000:{bus:02x}:{dev:02x}.{func:x}")), None);
    }

    #[test]
    fn bdf_parse_never_panics(s in "[0-9a-fA-F:. \\n]{0,20}") {
        if let Some(b) = Bdf::parse(&s) {
            prop_assert!(b.dev <= 0x1f && b.func <= 7);
        }
    }
}
