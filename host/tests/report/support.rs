//! What the wording tests share: the probe's metadata, the facts of a few cases, and the
//! report's writers as strings.

use crate::common::*;
use pcifront_diag_core::diag::checks::{check, Finding, Findings, Severity};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::{
    write_evidence, write_fix, write_json, write_line, Bdf, Meta, Phases,
};
use serde_json::{json, Value};

pub fn comm(s: &str) -> [u8; 16] {
    let mut c = [0u8; 16];
    c[..s.len()].copy_from_slice(s.as_bytes());
    c
}

/// What the module records for the healthy device and the 2009 case: one batch of 256 trial
/// mappings and one restore of the 256 slots it used.
pub fn meta() -> Meta {
    Meta {
        bdf: Bdf {
            domain: 0,
            bus: 0,
            dev: 4,
            func: 0,
        },
        backend_bdf: Some(Bdf {
            domain: 0,
            bus: 3,
            dev: 0,
            func: 0,
        }),
        vendor: 0x8086,
        device: 0x1234,
        pid: 4242,
        comm: comm("cat"),
        config_reads: 12,
        hypercalls: 2,
        trial_entries: 512,
        probe_ns: 1_500_000,
        phases: Phases {
            config_ns: 400_000,
            context_ns: 300_000,
            xen_ns: 700_000,
        },
    }
}

pub fn line(f: &Finding, facts: &DeviceFacts, m: &Meta) -> String {
    let mut s = String::new();
    write_line(&mut s, f, facts, m).unwrap();
    s
}

pub fn lines(facts: &DeviceFacts, m: &Meta) -> Vec<String> {
    check(facts).iter().map(|f| line(f, facts, m)).collect()
}

/// The log line of the one finding with this code.
pub fn line_of(facts: &DeviceFacts, code: &str) -> String {
    let out = check(facts);
    let f = out
        .find(code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(&out)));
    line(f, facts, &meta())
}

pub fn fix(f: &Finding, facts: &DeviceFacts, m: &Meta) -> String {
    let mut s = String::new();
    write_fix(&mut s, f, facts, m).unwrap();
    s
}

pub fn evidence(f: &Finding, facts: &DeviceFacts) -> String {
    let mut s = String::new();
    write_evidence(&mut s, f, facts).unwrap();
    s
}

pub fn json_report(facts: &DeviceFacts, findings: &Findings, m: &Meta) -> Value {
    let mut s = String::new();
    write_json(&mut s, facts, findings, m).unwrap();
    assert!(s.ends_with("}\n"), "JSON report ends with a newline: {s:?}");
    assert_eq!(s.matches('\n').count(), 1, "one line: {s}");
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("invalid JSON ({e}): {s}"))
}

/// Whether a line must carry a fix: every problem does, context and passed checks do not.
pub fn wants_fix(f: &Finding) -> bool {
    f.severity() != Severity::Info
}

/// An empty `Runs` in the JSON report.
pub fn no_runs() -> Value {
    json!({"frames": 0, "ranges": 0, "first": []})
}
