// SPDX-License-Identifier: GPL-2.0
//! `pcifront-diag dom0 <domain> | --all`: for running PV guests, nothing booted, each assigned
//! device's BARs and ROM (sysfs) and pciback's hold on it against Xen's I/O memory and I/O
//! port permissions of that domain (`xl debug-keys q`, read back from `xl dmesg`), naming
//! what the toolstack did not grant, with the fix. As text, one JSON document, or gauges
//! for node_exporter's textfile collector (`--format prometheus`, [`crate::prometheus`]).

use crate::prometheus::{self, Exposition};
use crate::rangeset::{self, DomainRanges};
use crate::view::{device_view, DeviceView};
use crate::xl::{self, Stage};
use crate::SCHEMA_VERSION;
use crate::{sysfs, Failure};
use pcifront_diag_core::diag::report::Bdf;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

/// For running PV guests (one by name or id, or `--all`): each passed-through device's BARs
/// and ROM against Xen's I/O memory and I/O port permissions of that domain, and pciback's
/// hold on it.
///
/// Nothing is booted: dom0's sysfs, `xl pci-list`, and Xen's rangesets (`xl debug-keys q`,
/// which writes a dump of every domain to Xen's console ring, read back with `xl dmesg`).
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["domain", "all"])))]
pub struct Args {
    /// The guest: a domain name or id.
    pub domain: Option<String>,
    /// Every running domain with passed-through devices (one rangeset dump for all).
    #[arg(long)]
    pub all: bool,
    /// What to print: text, one JSON document, or gauges for node_exporter's textfile collector.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Write to FILE instead of standard output, atomically (a new file in FILE's
    /// directory, renamed over it), as node_exporter's textfile collector needs.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How `dom0` prints its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Lines for a terminal.
    Text,
    /// One JSON document (docs/schema/pcifront-diag.schema.json).
    Json,
    /// Prometheus's text format, for node_exporter's textfile collector.
    Prometheus,
}

/// dom0's view of one domain's devices.
struct DomainView {
    name: String,
    id: u32,
    devices: Vec<DeviceView>,
    /// Items of Xen's rangeset dump of the domain that did not read.
    skipped: usize,
}

impl DomainView {
    fn errors(&self) -> usize {
        self.devices.iter().map(|d| d.errors).sum()
    }
}

/// One domain of a run: its view, or why it has none.
enum Outcome {
    Viewed(DomainView),
    NotChecked { name: String, why: String },
}

/// What one run found: the domains it looked at, and when.
struct Run {
    /// `--all`: a run over every domain, where one domain's failure does not end it.
    all: bool,
    outcomes: Vec<Outcome>,
    at: SystemTime,
}

impl Run {
    fn errors(&self) -> usize {
        self.views().map(DomainView::errors).sum()
    }

    fn views(&self) -> impl Iterator<Item = &DomainView> {
        self.outcomes.iter().filter_map(|o| match o {
            Outcome::Viewed(v) => Some(v),
            Outcome::NotChecked { .. } => None,
        })
    }

    fn not_checked(&self) -> impl Iterator<Item = (&str, &str)> {
        self.outcomes.iter().filter_map(|o| match o {
            Outcome::NotChecked { name, why } => Some((name.as_str(), why.as_str())),
            Outcome::Viewed(_) => None,
        })
    }
}

/// Runs `dom0` and prints (or writes) its report.
pub fn run(opts: &Args) -> Result<ExitCode, Failure> {
    let format = if opts.json { Format::Json } else { opts.format };
    let at = SystemTime::now();
    let looked = xl::require_dom0().and_then(|()| match &opts.domain {
        Some(domain) if !opts.all => one_domain(domain),
        _ => all_domains(),
    });
    let outcomes = match looked {
        Ok(outcomes) => outcomes,
        Err(failure) => {
            // The textfile says the run failed too: a monitoring system sees it there.
            if format == Format::Prometheus {
                emit(opts, &failed_metrics(at))?;
            }
            return Err(failure);
        }
    };
    let run = Run {
        all: opts.all,
        outcomes,
        at,
    };
    emit(
        opts,
        &match format {
            Format::Text => text(&run),
            Format::Json => format!("{}\n", document(&run)),
            Format::Prometheus => metrics(&run).render(),
        },
    )?;
    for (name, why) in run.not_checked() {
        eprintln!("pcifront-diag: domain {name} not checked: {why}");
    }
    let code = match (run.not_checked().count(), run.errors()) {
        (0, 0) => 0,
        (0, _) => 1,
        _ => 3,
    };
    Ok(ExitCode::from(code))
}

/// Prints `out`, or writes it to `--output` atomically.
fn emit(opts: &Args, out: &str) -> Result<(), Failure> {
    match &opts.output {
        None => {
            print!("{out}");
            Ok(())
        }
        Some(path) => prometheus::write_atomically(path, out)
            .map_err(|e| Failure::Environment(format!("cannot write {}: {e}", path.display()))),
    }
}

/// The one domain named: any failure is the run's.
fn one_domain(domain: &str) -> Result<Vec<Outcome>, Failure> {
    let id = xl::domid(domain)?;
    if id == 0 {
        return Err(Failure::BadInput(
            "domain 0 is dom0 itself: name a guest".into(),
        ));
    }
    let devices = xl::assigned(domain)?;
    let ranges = xl::ranges_of(id)?;
    let view = domain_view(domain, id, &devices, &ranges).map_err(Failure::Environment)?;
    Ok(vec![Outcome::Viewed(view)])
}

/// Every running guest with passed-through devices, against one rangeset dump. A domain
/// that cannot be read is not checked (and said so), the others are; one that went away
/// meanwhile is left out.
fn all_domains() -> Result<Vec<Outcome>, Failure> {
    let mut found = Vec::new();
    let mut outcomes = Vec::new();
    for name in xl::guests()? {
        match passed_through(&name) {
            Ok(None) => {}
            Ok(Some((id, devices))) => found.push((name, id, devices)),
            Err(_) if !xl::exists(&name).unwrap_or(true) => {}
            Err(e) => outcomes.push(Outcome::NotChecked {
                name,
                why: e.to_string(),
            }),
        }
    }
    let mut dumps = match found.is_empty() {
        true => BTreeMap::new(),
        false => rangeset_dumps()?,
    };
    for (name, id, devices) in found {
        let outcome = match dumps.remove(&id) {
            None => Err(xl::no_dump(id)),
            Some(ranges) => domain_view(&name, id, &devices, &ranges),
        };
        outcomes.push(match outcome {
            Ok(view) => Outcome::Viewed(view),
            Err(why) => Outcome::NotChecked { name, why },
        });
    }
    Ok(outcomes)
}

/// The domain's id and devices, if it has any (`xl pci-list`, then `xl domid`).
fn passed_through(name: &str) -> Result<Option<(u32, Vec<Bdf>)>, Failure> {
    let devices = xl::assigned(name)?;
    if devices.is_empty() {
        return Ok(None);
    }
    Ok(Some((xl::domid(name)?, devices)))
}

/// Every domain's rangesets, from one fresh `q` dump.
fn rangeset_dumps() -> Result<BTreeMap<u32, DomainRanges>, Failure> {
    xl::run(&["debug-keys", "q"], Stage::DebugKeys)?;
    Ok(rangeset::parse(&xl::run(&["dmesg"], Stage::Dmesg)?))
}

/// dom0's view of each of the domain's devices against its rangesets.
fn domain_view(
    name: &str,
    id: u32,
    devices: &[Bdf],
    ranges: &DomainRanges,
) -> Result<DomainView, String> {
    let devices = devices
        .iter()
        .map(|bdf| sysfs::device(Path::new("/sys"), bdf).map(|dev| device_view(&dev, ranges)))
        .collect::<Result<_, _>>()?;
    Ok(DomainView {
        name: name.to_string(),
        id,
        devices,
        skipped: ranges.skipped,
    })
}

/// One domain as text: a header, a warning if the dump lost items, each device's block.
fn domain_text(v: &DomainView) -> String {
    let (name, id) = (&v.name, v.id);
    let mut text = format!(
        "pcifront-diag dom0 view of domain {name} (d{id}): {} passed-through device(s)\n",
        v.devices.len()
    );
    if v.skipped > 0 {
        text.push_str(&format!("warning: {} item(s) of Xen's rangeset dump of d{id} did not read (interleaved console output) and were skipped: a frame they held may show as not granted\n", v.skipped));
    }
    for d in &v.devices {
        text.push_str(&d.text);
    }
    if v.devices.is_empty() {
        text.push_str(
            "no device is passed through to it (xl pci-list is empty): nothing to check\n",
        );
    }
    text
}

/// The run as text.
fn text(run: &Run) -> String {
    let mut text = String::new();
    let viewed = run.views().count();
    if run.all {
        text.push_str(&format!(
            "pcifront-diag dom0 --all: {} running domain(s) with passed-through devices\n",
            run.outcomes.len()
        ));
    }
    for v in run.views() {
        text.push_str(&domain_text(v));
    }
    for (name, why) in run.not_checked() {
        text.push_str(&format!("domain {name}: not checked: {why}\n"));
    }
    text.push_str(&format!("summary: {} error(s)", run.errors()));
    if run.all {
        let not_checked = run.outcomes.len() - viewed;
        text.push_str(&format!(
            " in {viewed} domain(s); {not_checked} not checked"
        ));
    }
    text.push('\n');
    text
}

/// One domain's fields of the JSON document.
fn domain_json(v: &DomainView) -> Value {
    json!({"domain": v.name, "domid": v.id,
        "devices": v.devices.iter().map(|d| &d.json).collect::<Vec<_>>(),
        "errors": v.errors(), "rangeset_items_skipped": v.skipped})
}

/// The run as one JSON document: one domain's fields at the top, or with `--all` a list.
fn document(run: &Run) -> Value {
    let mut doc = json!({"schema_version": SCHEMA_VERSION, "version": crate::VERSION});
    let fields = match run.all {
        false => run.views().next().map(domain_json).unwrap_or_default(),
        true => json!({"all": true,
            "domains": run.views().map(domain_json).collect::<Vec<_>>(),
            "not_checked": run.not_checked().map(|(name, why)| json!({"domain": name, "why": why})).collect::<Vec<_>>(),
            "errors": run.errors()}),
    };
    if let (Some(doc), Value::Object(fields)) = (doc.as_object_mut(), fields) {
        doc.extend(fields);
    }
    doc
}

const RUN_TIME: &str = "pcifront_diag_last_run_timestamp_seconds";
const RUN_TIME_HELP: &str = "When pcifront-diag dom0 last ran, in seconds since the Unix epoch.";
const RUN_OK: &str = "pcifront_diag_run_success";
const RUN_OK_HELP: &str = "1 if pcifront-diag dom0 could ask the toolstack and Xen, 0 if not (its reason is in the service's log).";

/// The run's own gauges: its version, its time, whether it could look at all.
fn run_metrics(at: SystemTime, ok: bool) -> Exposition {
    let mut e = Exposition::default();
    e.gauge(
        "pcifront_diag_info",
        "The version of pcifront-diag that wrote these metrics.",
        &[("version", crate::VERSION)],
        1,
    );
    e.gauge(RUN_TIME, RUN_TIME_HELP, &[], prometheus::unix_seconds(at));
    e.gauge(RUN_OK, RUN_OK_HELP, &[], u8::from(ok));
    e
}

/// The gauges of a run that could not look at any domain.
fn failed_metrics(at: SystemTime) -> String {
    run_metrics(at, false).render()
}

/// The run as gauges: per domain, device and BAR the frames (ports) not granted, and the
/// findings by code and severity. Everything is read from the device views' JSON, so a
/// finding kind the views gain is counted without a change here.
fn metrics(run: &Run) -> Exposition {
    let mut e = run_metrics(run.at, true);
    for (name, _) in run.not_checked() {
        domain_gauges(&mut e, name, false, 0, 0);
    }
    for v in run.views() {
        domain_gauges(&mut e, &v.name, true, v.devices.len(), v.skipped);
        for d in &v.devices {
            device_gauges(&mut e, &v.name, &d.json);
        }
    }
    e
}

/// One domain's own gauges.
fn domain_gauges(e: &mut Exposition, domain: &str, ok: bool, devices: usize, skipped: usize) {
    let labels = [("domain", domain)];
    e.gauge("pcifront_diag_domain_check_success", "1 if the domain's devices were checked, 0 if something could not be read (the service's log says what).", &labels, u8::from(ok));
    if ok {
        e.gauge(
            "pcifront_diag_domain_devices",
            "Devices passed through to the domain (xl pci-list).",
            &labels,
            devices,
        );
        e.gauge("pcifront_diag_domain_rangeset_items_skipped", "Items of Xen's rangeset dump of the domain that did not read: a frame they held may count as not granted.", &labels, skipped);
    }
}

/// The BAR gauges of one unit: its size, and what of it Xen does not grant.
fn bar_families(unit: &str) -> Option<[(&'static str, &'static str); 2]> {
    match unit {
        "frames" => Some([
            ("pcifront_diag_bar_frames", "4 KiB frames of a memory BAR (or ROM) of a device passed through to the domain."),
            ("pcifront_diag_bar_frames_not_granted", "Frames of the BAR that Xen does not let the domain map: a driver faults on them. The fix is in pcifront-diag dom0's text."),
        ]),
        "ports" => Some([
            ("pcifront_diag_bar_ports", "I/O ports of an I/O BAR of a device passed through to the domain."),
            ("pcifront_diag_bar_ports_not_granted", "Ports of the BAR that Xen does not let the domain use. The fix is in pcifront-diag dom0's text."),
        ]),
        _ => None,
    }
}

/// One device's BARs and findings, from its view's JSON.
fn device_gauges(e: &mut Exposition, domain: &str, dev: &Value) {
    let device = dev["device"].as_str().unwrap_or("unknown");
    for bar in dev["bars"].as_array().into_iter().flatten() {
        let (Some([size, missing]), Some(name)) = (
            bar_families(bar["unit"].as_str().unwrap_or("")),
            bar["bar"].as_str(),
        ) else {
            continue;
        };
        let labels = [("domain", domain), ("device", device), ("bar", name)];
        e.gauge(size.0, size.1, &labels, bar["total"].as_u64().unwrap_or(0));
        e.gauge(
            missing.0,
            missing.1,
            &labels,
            bar["not_granted"].as_u64().unwrap_or(0),
        );
    }
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for f in dev["findings"].as_array().into_iter().flatten() {
        let key = (
            f["code"].as_str().unwrap_or("unknown"),
            f["severity"].as_str().unwrap_or("unknown"),
        );
        *counts.entry(key).or_default() += 1;
    }
    for ((code, severity), n) in counts {
        let labels = [
            ("domain", domain),
            ("device", device),
            ("code", code),
            ("severity", severity),
        ];
        e.gauge("pcifront_diag_findings", "Findings of pcifront-diag dom0 on a device passed through to the domain, by code and severity.", &labels, n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rangeset::DomainRanges;
    use crate::sysfs::{Bar, Device, IORESOURCE_IO, IORESOURCE_MEM};
    use pcifront_diag_core::diag::span::Span;

    fn span(a: u64, b: u64) -> Span {
        Span::new(a, b).unwrap()
    }

    /// The lab's dom0-denied: edu (BAR0 revoked) and e1000e's BAR0 and I/O BAR granted.
    fn denied_run(name: &str) -> Run {
        let edu = Device {
            bdf: Bdf::parse("0000:00:04.0").unwrap(),
            bars: vec![Bar {
                index: 0,
                addrs: span(0xfea0_0000, 0xfeaf_ffff),
                flags: IORESOURCE_MEM,
            }],
            driver: Some("pciback".into()),
            permissive: false,
            irq: None,
            msix_vectors: None,
        };
        let nic = Device {
            bdf: Bdf::parse("0000:00:05.0").unwrap(),
            bars: vec![
                Bar {
                    index: 0,
                    addrs: span(0xfeb4_0000, 0xfeb5_ffff),
                    flags: IORESOURCE_MEM,
                },
                Bar {
                    index: 2,
                    addrs: span(0xc040, 0xc05f),
                    flags: IORESOURCE_IO,
                },
            ],
            driver: None,
            permissive: false,
            irq: None,
            msix_vectors: None,
        };
        let ranges = DomainRanges {
            iomem: vec![span(0xfeb40, 0xfeb5f)],
            ioports: vec![span(0xc040, 0xc05f)],
            ..Default::default()
        };
        let view = DomainView {
            name: name.into(),
            id: 1,
            devices: vec![device_view(&edu, &ranges), device_view(&nic, &ranges)],
            skipped: 0,
        };
        Run {
            all: true,
            outcomes: vec![
                Outcome::Viewed(view),
                Outcome::NotChecked {
                    name: "gone".into(),
                    why: "sysfs says no".into(),
                },
            ],
            at: std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_764_000_000),
        }
    }

    #[test]
    fn prometheus_lines_of_a_denied_bar() {
        let out = metrics(&denied_run("domu")).render();
        for line in [
            "pcifront_diag_last_run_timestamp_seconds 1764000000.000",
            "pcifront_diag_run_success 1",
            "pcifront_diag_domain_check_success{domain=\"domu\"} 1",
            "pcifront_diag_domain_check_success{domain=\"gone\"} 0",
            "pcifront_diag_bar_frames_not_granted{domain=\"domu\",device=\"0000:00:04.0\",bar=\"BAR0\"} 256",
            "pcifront_diag_bar_frames_not_granted{domain=\"domu\",device=\"0000:00:05.0\",bar=\"BAR0\"} 0",
            "pcifront_diag_bar_ports_not_granted{domain=\"domu\",device=\"0000:00:05.0\",bar=\"BAR2\"} 0",
            "pcifront_diag_findings{domain=\"domu\",device=\"0000:00:04.0\",code=\"xen-iomem-missing\",severity=\"error\"} 1",
            "pcifront_diag_findings{domain=\"domu\",device=\"0000:00:05.0\",code=\"not-pciback\",severity=\"error\"} 1",
            "# TYPE pcifront_diag_bar_frames_not_granted gauge",
        ] {
            assert!(out.lines().any(|l| l == line), "no '{line}' in\n{out}");
        }
        // Each family declared once.
        let helps = out
            .lines()
            .filter(|l| l.starts_with("# HELP pcifront_diag_findings "))
            .count();
        assert_eq!(helps, 1, "{out}");
    }

    #[test]
    fn hostile_domain_name_stays_in_its_label() {
        let out = metrics(&denied_run("evil\"} 1\npcifront_diag_run_success 0\n#\\")).render();
        assert!(
            !out.lines().any(|l| l == "pcifront_diag_run_success 0"),
            "{out}"
        );
        assert!(
            out.contains(r#"domain="evil\"} 1\npcifront_diag_run_success 0\n#\\""#),
            "{out}"
        );
        // Every line is a comment or one sample whose name is ours.
        assert!(out
            .lines()
            .all(|l| l.starts_with("# ") || l.starts_with("pcifront_diag_")));
    }

    #[test]
    fn json_document_all_and_one() {
        let mut run = denied_run("domu");
        let all = document(&run);
        assert_eq!(all["schema_version"], SCHEMA_VERSION);
        assert_eq!(all["errors"], 2);
        assert_eq!(
            all["domains"][0]["devices"][0]["findings"][0]["code"],
            "xen-iomem-missing"
        );
        assert_eq!(
            all["domains"][0]["devices"][0]["findings"][0]["evidence"],
            "Xen grants the domain 0 of the BAR's 256 frames; not granted 256: 0xfea00-0xfeaff"
        );
        assert_eq!(all["not_checked"][0]["domain"], "gone");
        run.all = false;
        run.outcomes.pop();
        let one = document(&run);
        assert_eq!(
            (one["domain"].as_str(), one["domid"].as_u64()),
            (Some("domu"), Some(1))
        );
        let f = &one["devices"][1]["findings"][0];
        assert_eq!(
            (f["code"].as_str(), f["severity"].as_str()),
            (Some("not-pciback"), Some("error"))
        );
        assert!(f["evidence"].is_string() && f["fix"].is_string());
    }

    #[test]
    fn text_of_all() {
        let t = text(&denied_run("domu"));
        assert!(
            t.starts_with(
                "pcifront-diag dom0 --all: 2 running domain(s) with passed-through devices\n"
            ),
            "{t}"
        );
        assert!(
            t.contains("domain gone: not checked: sysfs says no\n"),
            "{t}"
        );
        assert!(
            t.ends_with("summary: 2 error(s) in 1 domain(s); 1 not checked\n"),
            "{t}"
        );
    }

    #[test]
    fn failed_run_metrics() {
        let out = failed_metrics(std::time::UNIX_EPOCH);
        assert!(out.contains("\npcifront_diag_run_success 0\n"), "{out}");
        assert!(
            out.contains("\npcifront_diag_last_run_timestamp_seconds 0.000\n"),
            "{out}"
        );
    }
}
