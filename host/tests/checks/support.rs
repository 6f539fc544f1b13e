//! What the area tests share: the finding case, and facts a few areas build on.

use crate::common::*;
use pcifront_diag_core::diag::checks::{check, Finding, Findings, Kind, Severity};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::status;

/// The one finding with this code and scope.
pub fn only_at<'a>(f: &'a Findings, code: &str, bar: Option<u8>) -> &'a Finding {
    let all: Vec<&Finding> = f
        .iter()
        .filter(|x| x.code() == code && x.bar == bar)
        .collect();
    assert_eq!(
        all.len(),
        1,
        "expected exactly one {code} {bar:?}, got {:?}",
        coded(f)
    );
    all[0]
}

/// The one finding with this code.
pub fn only<'a>(f: &'a Findings, code: &str) -> &'a Finding {
    let all: Vec<&Finding> = f.iter().filter(|x| x.code() == code).collect();
    assert_eq!(
        all.len(),
        1,
        "expected exactly one {code}, got {:?}",
        codes(f)
    );
    all[0]
}

/// The healthy device with Xen refusing every frame of BAR0 with `rc`.
pub fn refused_with(rc: i32) -> DeviceFacts {
    healthy_with(move |_| Trial::Refused(rc))
}

/// The healthy device changed by `setup` gives exactly `findings`; the one at `at` has `kind`
/// and `severity`, and the device's verdict is `verdict`.
pub struct Case {
    pub setup: fn(&mut DeviceFacts),
    pub findings: &'static [(&'static str, Option<u8>)],
    pub at: (&'static str, Option<u8>),
    pub kind: Kind,
    pub severity: Severity,
    pub verdict: &'static str,
}

/// Checks the case: exactly its findings, the one at `at` of its kind and severity, and the
/// device's verdict.
pub fn assert_case(name: &str, c: &Case) {
    let mut f = healthy();
    (c.setup)(&mut f);
    let out = check(&f);
    assert_eq!(coded(&out), c.findings, "{name}");
    let x = only_at(&out, c.at.0, c.at.1);
    assert_eq!(x.kind, c.kind, "{name}");
    assert_eq!(x.severity(), c.severity, "{name}");
    assert_eq!(status(&out), c.verdict, "{name}");
}

/// BAR0 usable.
pub const OK0: (&str, Option<u8>) = ("ok", Some(0));

/// Behind pcifront.
pub const PCIFRONT: (&str, Option<u8>) = ("pcifront", None);

/// The healthy device's BAR0, usable.
pub fn bar0_ok() -> Kind {
    Kind::BarOk {
        start: BAR0,
        len: BAR0_LEN,
        is64: false,
        prefetch: false,
    }
}

/// BAR2 at 1 TiB with a 41-bit address width: usable (and so with an unknown width).
pub const FITS_IN_41_BITS: Case = Case {
    setup: |f| {
        beyond_40_bits(f);
        f.ctx.phys_bits = 41;
    },
    findings: &[PCIFRONT, OK0, ("ok", Some(2))],
    at: ("ok", Some(2)),
    kind: Kind::BarOk {
        start: 0x100_0000_0000,
        len: BAR0_LEN,
        is64: true,
        prefetch: true,
    },
    severity: Severity::Info,
    verdict: "OK",
};

pub const SHARED_FRAME: &[(&str, Option<u8>)] = &[
    PCIFRONT,
    OK0,
    ("sub-page", Some(1)),
    ("shared-frame", Some(1)),
    ("sub-page", Some(2)),
    ("shared-frame", Some(2)),
];

/// BAR1 and BAR2: 256 bytes each in the same frame.
pub fn shared_frame(f: &mut DeviceFacts) {
    f.cfg.bars[1] = 0xfeb0_0000;
    f.cfg.bars[2] = 0xfeb0_0100;
    f.bars[1].res = mem_res(0xfeb0_0000, 0x100, IORESOURCE_MEM);
    f.bars[2].res = mem_res(0xfeb0_0100, 0x100, IORESOURCE_MEM);
}

/// BAR2: 64-bit, 1 MiB at 1 TiB, beyond the healthy device's 40 address bits.
pub fn beyond_40_bits(f: &mut DeviceFacts) {
    f.cfg.bars[2] = 0x0000_000c;
    f.cfg.bars[3] = 0x100;
    let flags = IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH;
    f.bars[2].res = mem_res(0x100_0000_0000, BAR0_LEN, flags);
}
