//! The JSON report in debugfs: one object per device, on one line.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::checks::{check, Severity};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::{scope, status, write_what, Meta};
use serde_json::{json, Value};

#[test]
fn json_report_of_the_2009_case() {
    let f = case_2009();
    let out = check(&f);
    let m = Meta {
        comm: comm("my\"tool\\x\t"),
        ..meta()
    };
    let j = json_report(&f, &out, &m);
    assert_eq!(j["device"], "0000:00:04.0");
    assert_eq!(j["dom0_device"], "0000:03:00.0");
    assert_eq!(j["id"], "8086:1234");
    assert_eq!(j["context"]["xen_pv"], true);
    assert_eq!(j["context"]["dom0"], false);
    assert_eq!(j["context"]["pcifront"], true);
    assert_eq!(j["context"]["backend_domid"], 0);
    assert_eq!(j["context"]["ram_pages"], 65536);
    assert_eq!(j["context"]["phys_bits"], 40);
    assert_eq!(j["task"]["pid"], 4242);
    assert_eq!(j["task"]["comm"], "my\"tool\\x\t");
    assert_eq!(
        j["cost"],
        json!({"config_reads": 12, "hypercalls": 2, "trial_entries": 512, "probe_ns": 1_500_000,
               "phases_ns": {"config": 400_000, "context": 300_000, "xen": 700_000}})
    );
    assert_eq!(j["config"]["command"], u64::from(PCI_COMMAND_MEMORY));
    assert_eq!(j["config"]["class_rev"], 0x0200_0001);
    assert_eq!(j["config"]["bars"], json!([0xfea0_0000u32, 0, 0, 0, 0, 0]));
    assert_eq!(j["config"]["rom"], 0);

    let res = j["resources"].as_array().unwrap();
    assert_eq!(res.len(), 7);
    let names: Vec<&str> = res.iter().map(|r| r["bar"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM"]
    );
    assert_eq!(res[0]["start"], BAR0);
    assert_eq!(res[0]["end"], BAR0 + BAR0_LEN - 1);
    assert_eq!(res[0]["flags"], IORESOURCE_MEM);
    assert_eq!(res[0]["claimed"], true);
    assert_eq!(res[1]["claimed"], false);
    assert_eq!(
        res[0]["xen"],
        json!({
            "first_pfn": 0xfea00,
            "frames": 256,
            "tested": 256,
            "stride": 1,
            "hypercalls": 1,
            "trial_entries": 256,
            "aborted": null,
            "granted": no_runs(),
            "refused": {"frames": 256, "ranges": 1, "first": [{"pfn": 0xfea00, "frames": 256, "rc": -1}]},
            "read_only": no_runs(),
        })
    );
    // Resources Xen was not asked about have no verdict.
    for r in &res[1..] {
        assert!(r.get("xen").is_none(), "{r}");
    }

    let findings = j["findings"].as_array().unwrap();
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["pcifront", "xen-eperm"]);
    let e = &findings[1];
    assert_eq!(e["severity"], "error");
    assert_eq!(e["scope"], "BAR0");
    assert!(e["what"]
        .as_str()
        .unwrap()
        .contains("'Non-privileged attempt to map I/O space'"));
    assert!(e["evidence"]
        .as_str()
        .unwrap()
        .contains("xen_rc=-1 (-EPERM) every frame of 256 tested"));
    assert!(e["fix"].as_str().unwrap().contains("iomem=['fea00,100']"));
    assert_eq!(findings[0]["severity"], "info");
    assert_eq!(findings[0]["scope"], "device");
    assert_eq!(findings[0]["fix"], "");

    assert_eq!(j["summary"]["verdict"], "FAIL");
    assert_eq!(j["summary"]["errors"], 1);
    assert_eq!(j["summary"]["warnings"], 0);
    assert_eq!(j["summary"]["info"], 1);
    assert_eq!(j["summary"]["dropped"], 0);
}

/// BAR0's `xen` object in the JSON report, per verdict.
mod xen_object {
    use crate::common::*;
    use crate::support::*;
    use pcifront_diag_core::diag::checks::check;
    use pcifront_diag_core::diag::facts::*;
    use serde_json::{json, Value};

    /// BAR0's `xen` object in the JSON report of these facts.
    struct JsonCase {
        facts: fn() -> DeviceFacts,
        xen: fn() -> Value,
    }

    /// One `#[test]` per [`JsonCase`] (`name => JsonCase { .. },`).
    macro_rules! json_cases {
        ($($(#[$doc:meta])* $name:ident => $case:expr,)*) => {$(
            $(#[$doc])*
            #[test]
            fn $name() {
                let c: JsonCase = $case;
                let facts = (c.facts)();
                let j = json_report(&facts, &check(&facts), &meta());
                assert_eq!(j["resources"][0]["xen"], (c.xen)());
            }
        )*};
    }

    json_cases! {
        /// Healthy: one granted range
        healthy_one_granted_range => JsonCase {
            facts: healthy,
            xen: || {
                json!({
                    "first_pfn": 0xfea00, "frames": 256, "tested": 256, "stride": 1,
                    "hypercalls": 1, "trial_entries": 256, "aborted": null,
                    "granted": {"frames": 256, "ranges": 1, "first": [{"pfn": 0xfea00, "frames": 256}]},
                    "refused": no_runs(),
                    "read_only": no_runs(),
                })
            },
        },
        /// Two holes, two codes, an MSI-X frame
        two_holes_two_codes_an_msi_x_frame => JsonCase {
            facts: || {
                healthy_with(|i| match i {
                    0x10..=0x1f => BUSY,
                    0x80 => DENIED,
                    0x81 => RO,
                    _ => M,
                })
            },
            xen: || {
                json!({
                    "first_pfn": 0xfea00, "frames": 256, "tested": 256, "stride": 1,
                    "hypercalls": 1, "trial_entries": 256, "aborted": null,
                    "granted": {"frames": 238, "ranges": 3, "first": [
                        {"pfn": 0xfea00, "frames": 0x10},
                        {"pfn": 0xfea20, "frames": 0x60},
                        {"pfn": 0xfea82, "frames": 0x7e},
                    ]},
                    "refused": {"frames": 17, "ranges": 2, "first": [
                        {"pfn": 0xfea10, "frames": 16, "rc": -16},
                        {"pfn": 0xfea80, "frames": 1, "rc": -1},
                    ]},
                    "read_only": {"frames": 1, "ranges": 1, "first": [{"pfn": 0xfea81, "frames": 1}]},
                })
            },
        },
        /// More ranges than kept: totals exact, the first RUNS_KEPT listed
        more_ranges_than_kept_totals_exact_the_first_runs_kept_listed => JsonCase {
            facts: || healthy_with(|i| if i % 16 == 15 { DENIED } else { M }),
            xen: || {
                let first = |off: u64, frames: u64, rc: Option<i32>| -> Vec<Value> {
                    (0..RUNS_KEPT as u64)
                        .map(|k| match rc {
                            Some(rc) => {
                                json!({"pfn": 0xfea00 + off + 16 * k, "frames": frames, "rc": rc})
                            }
                            None => json!({"pfn": 0xfea00 + off + 16 * k, "frames": frames}),
                        })
                        .collect()
                };
                json!({
                    "first_pfn": 0xfea00, "frames": 256, "tested": 256, "stride": 1,
                    "hypercalls": 1, "trial_entries": 256, "aborted": null,
                    "granted": {"frames": 240, "ranges": 16, "first": first(0, 15, None)},
                    "refused": {"frames": 16, "ranges": 16, "first": first(15, 1, Some(-1))},
                    "read_only": no_runs(),
                })
            },
        },
        /// Sampled
        sampled => JsonCase {
            facts: || sampled_with(|_| M),
            xen: || {
                let first: Vec<Value> = (0..RUNS_KEPT as u64)
                    .map(|k| json!({"pfn": 0xfea00 + 5 * k, "frames": 1}))
                    .collect();
                json!({
                    "first_pfn": 0xfea00, "frames": 256, "tested": 52, "stride": 5,
                    "hypercalls": 1, "trial_entries": 52, "aborted": null,
                    "granted": {"frames": 52, "ranges": 52, "first": first},
                    "refused": no_runs(),
                    "read_only": no_runs(),
                })
            },
        },
        /// Aborted in the second batch
        aborted_in_the_second_batch => JsonCase {
            facts: || aborted_with(|i| if i == 0x20 { DENIED } else { M }),
            xen: || {
                json!({
                    "first_pfn": 0xfea00, "frames": 256, "tested": 64, "stride": 1,
                    "hypercalls": 1, "trial_entries": 64, "aborted": -14,
                    "granted": {"frames": 63, "ranges": 2, "first": [
                        {"pfn": 0xfea00, "frames": 0x20},
                        {"pfn": 0xfea21, "frames": 0x1f},
                    ]},
                    "refused": {"frames": 1, "ranges": 1, "first": [{"pfn": 0xfea20, "frames": 1, "rc": -1}]},
                    "read_only": no_runs(),
                })
            },
        },

    }
}

#[test]
fn json_nulls_and_odd_comm() {
    let mut f = healthy();
    f.ctx.backend_domid = None;
    let out = check(&f);
    // A comm filling all 16 bytes (no NUL) and one that is not UTF-8.
    let m = Meta {
        backend_bdf: None,
        comm: *b"0123456789abcdef",
        ..meta()
    };
    let j = json_report(&f, &out, &m);
    assert_eq!(j["dom0_device"], Value::Null);
    assert_eq!(j["context"]["backend_domid"], Value::Null);
    assert_eq!(j["task"]["comm"], "0123456789abcdef");
    assert_eq!(j["summary"]["verdict"], "OK");

    let mut c = comm("a");
    c[1] = 0xff;
    let j = json_report(&f, &out, &Meta { comm: c, ..m });
    assert_eq!(j["task"]["comm"], "?");

    let j = json_report(
        &f,
        &out,
        &Meta {
            comm: comm("\u{1}é"),
            ..m
        },
    );
    assert_eq!(j["task"]["comm"], "\u{1}é");
}

#[test]
fn json_matches_lines_for_every_catalogue_device() {
    let m = meta();
    for facts in catalogue() {
        let out = check(&facts);
        let j = json_report(&facts, &out, &m);
        let findings = j["findings"].as_array().unwrap();
        assert_eq!(findings.len(), out.len());
        for (jf, f) in findings.iter().zip(out.iter()) {
            assert_eq!(jf["code"], f.code());
            assert_eq!(jf["severity"], f.severity().as_str());
            assert_eq!(jf["scope"], scope(f));
            let mut what = String::new();
            write_what(&mut what, f).unwrap();
            assert_eq!(jf["what"], what.as_str());
            assert_eq!(jf["evidence"], evidence(f, &facts).as_str());
            assert_eq!(jf["fix"], fix(f, &facts, &m).as_str());
        }
        assert_eq!(j["summary"]["verdict"], status(&out));
        assert_eq!(j["summary"]["errors"], out.count(Severity::Error));
        assert_eq!(j["summary"]["warnings"], out.count(Severity::Warning));
        assert_eq!(j["summary"]["info"], out.count(Severity::Info));
        // A resource has a `xen` object exactly when Xen was asked about it.
        for (r, b) in j["resources"].as_array().unwrap().iter().zip(&facts.bars) {
            match &b.verdict {
                None => assert!(r.get("xen").is_none(), "{r}"),
                Some(v) => {
                    let x = &r["xen"];
                    assert_eq!(x["first_pfn"], v.first_pfn);
                    assert_eq!(x["tested"], v.tested);
                    assert_eq!(x["stride"], v.stride);
                    assert_eq!(x["aborted"], json!(v.aborted));
                    for (name, runs) in [
                        ("granted", &v.granted),
                        ("refused", &v.refused),
                        ("read_only", &v.read_only),
                    ] {
                        assert_eq!(x[name]["ranges"], runs.count, "{name}");
                        assert_eq!(x[name]["frames"], runs.frames, "{name}");
                        let first: Vec<(u64, u64)> = x[name]["first"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|r| (r["pfn"].as_u64().unwrap(), r["frames"].as_u64().unwrap()))
                            .collect();
                        let want: Vec<(u64, u64)> =
                            runs.iter().map(|r| (r.first_pfn, r.frames)).collect();
                        assert_eq!(first, want, "{name}");
                    }
                }
            }
        }
    }
}

#[test]
fn json_reports_dropped_findings() {
    let f = six_sub_page_bars();
    let out = check(&f);
    assert!(out.dropped > 0);
    let j = json_report(&f, &out, &meta());
    assert_eq!(j["findings"].as_array().unwrap().len(), out.len());
    assert_eq!(j["summary"]["dropped"], out.dropped);
}

/// The report says which layout it has and which pcifront-diag wrote it, and carries the
/// command register at bind and after the read probe's enable apart.
#[test]
fn json_schema_version_and_both_commands() {
    let mut facts = healthy();
    facts.cfg.command_after_enable = Some(0x6);
    let doc = json_report(&facts, &check(&facts), &meta());
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(
        doc["version"],
        include_str!("../../../src/VERSION").trim_end()
    );
    assert_eq!(doc["config"]["command"], 2);
    assert_eq!(doc["config"]["command_after_enable"], 6);
}
