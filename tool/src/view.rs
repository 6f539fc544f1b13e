// SPDX-License-Identifier: GPL-2.0
//! dom0's verdict on a guest's devices: each BAR's frames (or ports) against what Xen lets
//! the domain map. Its own range lists keep every range (dom0 can allocate), so a fix names
//! exactly the missing ones however many; spans and `iomem=` entries are `src/diag`'s.

use crate::rangeset::DomainRanges;
use crate::sysfs::{Bar, Device};
use pcifront_diag_core::diag::checks::{Finding, Kind, Severity};
use pcifront_diag_core::diag::facts::DeviceFacts;
use pcifront_diag_core::diag::findings::At;
use pcifront_diag_core::diag::report::{Bdf, Size};
use pcifront_diag_core::diag::span::{write_iomem_spans, write_ioport_spans, Span};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Every range of one kind, in order, and how many values they hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpanList {
    /// The ranges, sorted, not overlapping.
    pub spans: Vec<Span>,
    /// Values in all of them.
    pub total: u64,
}

impl SpanList {
    fn push(&mut self, span: Span) {
        // The spans lie in one BAR's span, whose length fits: so does the sum.
        self.total = self.total.saturating_add(span.count());
        self.spans.push(span);
    }
}

impl std::fmt::Display for SpanList {
    /// `N: 0xa-0xb, 0xc`, or `none`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.spans.is_empty() {
            return f.write_str("none");
        }
        write!(f, "{}: ", self.total)?;
        for (n, span) in self.spans.iter().enumerate() {
            write!(f, "{}{span}", if n > 0 { ", " } else { "" })?;
        }
        Ok(())
    }
}

/// Frames (memory BAR) or ports (I/O BAR) of one BAR, split by Xen's permission.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Split {
    /// Inside the domain's rangeset.
    pub granted: SpanList,
    /// Outside it.
    pub missing: SpanList,
}

/// Splits `bar` by `set` (sorted or not, possibly overlapping).
pub fn split(bar: Span, set: &[Span]) -> Split {
    let mut inside: Vec<Span> = set.iter().filter_map(|s| s.intersect(&bar)).collect();
    inside.sort_unstable();
    let mut out = Split::default();
    // The first value not yet accounted for; None once the BAR's last one is.
    let mut next = Some(bar.first());
    for span in inside {
        let Some(from) = next else { break };
        if span.last() < from {
            continue;
        }
        if let Some(gap) =
            Span::new(from, span.first().saturating_sub(1)).filter(|_| span.first() > from)
        {
            out.missing.push(gap);
        }
        let granted = Span::new(span.first().max(from), span.last()).unwrap_or(span);
        out.granted.push(granted);
        next = granted.last().checked_add(1).filter(|&n| n <= bar.last());
    }
    if let Some(rest) = next.and_then(|from| Span::new(from, bar.last())) {
        out.missing.push(rest);
    }
    out
}

/// The BAR as a bar of `WIDTH` cells: `#` granted, `.` not, `:` partly.
pub fn frame_map(bar: Span, set: &[Span]) -> String {
    const WIDTH: u128 = 32;
    // u128: a cell's bounds are total * c / cells, which overflows u64 for large totals.
    let total = u128::from(bar.count());
    let cells = WIDTH.min(total);
    let bound = |c: u128| u128::from(bar.first()) + total * c / cells;
    let mut s = String::from("[");
    for c in 0..cells {
        // Cell c holds bound(c)..bound(c+1); the last cell ends at the BAR's last value.
        let cell = match (u64::try_from(bound(c)), u64::try_from(bound(c + 1) - 1)) {
            (Ok(a), Ok(b)) => Span::new(a, b),
            _ => None,
        }
        .unwrap_or(bar);
        let sp = split(cell, set);
        s.push(match (sp.granted.total, sp.missing.total) {
            (_, 0) => '#',
            (0, _) => '.',
            _ => ':',
        });
    }
    s.push(']');
    s
}

/// dom0's finding on one BAR, when Xen does not grant all of it.
pub struct BarFinding {
    /// `xen-iomem-missing` or `xen-ioports-missing`.
    pub code: &'static str,
    /// What it means.
    pub what: &'static str,
    /// How much of the BAR Xen grants, and which ranges it does not.
    pub evidence: String,
    /// The xl.cfg entries or the command that grant the rest.
    pub fix: String,
}

/// A finding in the shape the module's report and every subcommand's JSON share
/// (docs/schema/pcifront-diag.schema.json, `$defs/finding`).
pub fn finding_json(
    severity: &str,
    code: &str,
    scope: &str,
    what: &str,
    evidence: &str,
    fix: &str,
) -> Value {
    json!({"severity": severity, "code": code, "scope": scope, "what": what,
        "evidence": evidence, "fix": fix})
}

/// One BAR's line and, when Xen does not grant all of it, its finding.
pub struct BarView {
    /// The text line.
    pub line: String,
    /// What is wrong, if anything.
    pub finding: Option<BarFinding>,
    /// The same as JSON.
    pub json: Value,
}

/// The finding for a BAR whose `missing` units Xen does not grant.
fn bar_finding(bar: &Bar, missing: &SpanList, dom0_bdf: &str) -> BarFinding {
    let mut entries = String::new();
    let total = bar.units().count();
    let unit = if bar.is_mem() { "frames" } else { "ports" };
    let evidence = format!(
        "Xen grants the domain {} of the BAR's {total} {unit}; not granted {missing}",
        total.saturating_sub(missing.total)
    );
    if bar.is_mem() {
        let _ = write_iomem_spans(&mut entries, missing.spans.iter().copied());
        BarFinding { code: "xen-iomem-missing", what: "Xen does not let the domain map all of the BAR's frames", evidence, fix: format!("iomem=[{entries}] in the guest's xl.cfg, or pass the device with pci=['{dom0_bdf}'] / xl pci-attach so the toolstack grants its BARs") }
    } else {
        let _ = write_ioport_spans(&mut entries, missing.spans.iter().copied());
        BarFinding { code: "xen-ioports-missing", what: "Xen does not let the domain use all of the BAR's ports", evidence, fix: format!("ioports=[{entries}] in the guest's xl.cfg, or pass the device with pci=['{dom0_bdf}'] / xl pci-attach so the toolstack grants its ports") }
    }
}

/// dom0's view of one BAR against the domain's rangesets.
pub fn bar_view(bar: &Bar, doms: &DomainRanges, dom0_bdf: &str) -> BarView {
    let (unit, set) = if bar.is_mem() {
        ("frames", &doms.iomem)
    } else {
        ("ports", &doms.ioports)
    };
    let units = bar.units();
    let sp = split(units, set);
    let kind = if bar.is_mem() { "mem" } else { "io" };
    let map = frame_map(units, set);
    let finding = (!sp.missing.spans.is_empty()).then(|| bar_finding(bar, &sp.missing, dom0_bdf));
    let line = format!(
        "{} {} {kind} [0x{:x}-0x{:x}] {} {map} granted {}; not granted {}",
        finding.as_ref().map_or("ok", |f| f.code),
        bar.name(),
        bar.addrs.first(),
        bar.addrs.last(),
        Size(bar.addrs.count()),
        sp.granted,
        sp.missing
    );
    let line = match &finding {
        Some(_) => format!("error {line}"),
        None => line,
    };
    let json = json!({
        "bar": bar.name(), "kind": kind, "start": bar.addrs.first(), "end": bar.addrs.last(),
        "unit": unit, "total": units.count(),
        "granted": sp.granted.total, "not_granted": sp.missing.total,
        "not_granted_ranges": sp.missing.spans.iter().map(|r| json!([r.first(), r.last()])).collect::<Vec<_>>(),
        "not_granted_range_count": sp.missing.spans.len(),
        "map": map, "code": finding.as_ref().map(|f| f.code),
        "severity": finding.as_ref().map(|_| "error"),
        "fix": finding.as_ref().map(|f| &f.fix),
    });
    BarView {
        line,
        finding,
        json,
    }
}

/// dom0's view of one device: its text block, its JSON and its errors.
pub struct DeviceView {
    /// A header line and a line per BAR (and fix).
    pub text: String,
    /// The same as JSON.
    pub json: Value,
    /// Findings of severity error.
    pub errors: usize,
}

/// One finding of `src/diag/findings.rs` about the device as dom0 sees it: its text (a line,
/// and its fix on the next) and its JSON.
fn finding_text(kind: Kind, dom0: Bdf) -> (String, Value) {
    let finding = Finding { bar: None, kind };
    let facts = DeviceFacts::default();
    let at = At {
        bar: None,
        facts: &facts,
        dom0: Some(dom0),
    };
    let (mut evidence, mut fix) = (String::new(), String::new());
    // Writing to a String does not fail.
    let _ = kind.write_evidence(&mut evidence, &at);
    let _ = kind.write_fix(&mut fix, &at);
    let sev = finding.severity().as_str();
    let text = format!(
        "{sev} {}: {}; evidence: {evidence}\n    fix: {fix}",
        finding.code(),
        kind.what()
    );
    let json = json!({"severity": sev, "code": finding.code(), "scope": "device",
        "what": kind.what(), "evidence": evidence, "fix": fix});
    (text, json)
}

/// Whether Xen's rangeset `set` holds `value`.
fn holds(set: &[Span], value: u64) -> bool {
    set.iter().any(|s| s.first() <= value && value <= s.last())
}

/// dom0's view of the device's interrupts: its GSI against the domain's `Interrupts`
/// rangeset, its MSI-X vectors against the pirqs a domU has for MSI/MSI-X (`limit`, asked
/// only for a device with MSI-X). Returns the lines, the JSON and the errors.
pub fn irq_view(
    dev: &Device,
    doms: &DomainRanges,
    limit: impl FnOnce() -> Result<u32, String>,
) -> (String, Value, usize) {
    let mut text = String::new();
    let mut findings = Vec::new();
    let mut errors = 0;
    match dev.irq {
        Some(gsi) if holds(&doms.irqs, u64::from(gsi)) => {
            let _ = writeln!(text, "  ok INTx GSI {gsi} in the domain's Interrupts");
        }
        Some(gsi) => {
            let (t, j) = finding_text(Kind::XenIrqMissing { gsi }, dev.bdf);
            let _ = writeln!(text, "  {t}");
            findings.push(j);
            errors += 1;
        }
        None => text.push_str("  ok INTx none (no irq in dom0)\n"),
    }
    let mut limit_json = Value::Null;
    if let Some(vectors) = dev.msix_vectors {
        match limit() {
            Ok(limit) if vectors > limit => {
                let kind = Kind::MsixOverGuestIrqs { vectors, limit };
                let (t, j) = finding_text(kind, dev.bdf);
                let _ = writeln!(text, "  {t}");
                if (Finding { bar: None, kind }).severity() == Severity::Error {
                    errors += 1;
                }
                findings.push(j);
                limit_json = json!(limit);
            }
            Ok(limit) => {
                let _ = writeln!(text, "  ok MSI-X {vectors} vector(s), within the {limit} pirqs a domU has for MSI/MSI-X (extra_guest_irqs)");
                limit_json = json!(limit);
            }
            Err(e) => {
                let _ = writeln!(
                    text,
                    "  warning MSI-X {vectors} vector(s): the domU pirq limit does not read ({e})"
                );
            }
        }
    }
    let json = json!({"gsi": dev.irq, "gsi_granted": dev.irq.map(|g| holds(&doms.irqs, u64::from(g))),
        "msix_vectors": dev.msix_vectors, "extra_guest_irqs": limit_json, "findings": findings});
    (text, json, errors)
}

/// The domU number of Xen's `extra_guest_irqs=`, from `xl info` once per run.
fn extra_guest_irqs() -> Result<u32, String> {
    use crate::host::xenlog;
    static LIMIT: std::sync::OnceLock<Result<u32, String>> = std::sync::OnceLock::new();
    LIMIT
        .get_or_init(|| {
            let info = crate::xl::xl(&["info"]).map_err(|e| e.to_string())?;
            let cmdline = xenlog::info_value(&info, "xen_commandline")
                .ok_or_else(|| "xl info printed no xen_commandline".to_string())?;
            xenlog::extra_domu_irqs(cmdline)
        })
        .clone()
}

/// dom0's view of one device against the domain's rangesets.
pub fn device_view(dev: &Device, doms: &DomainRanges) -> DeviceView {
    device_view_with(dev, doms, extra_guest_irqs)
}

/// [`device_view`] with the domU pirq limit from `limit`.
pub fn device_view_with(
    dev: &Device,
    doms: &DomainRanges,
    limit: impl FnOnce() -> Result<u32, String>,
) -> DeviceView {
    let driver = dev.driver.as_deref().unwrap_or("none");
    let mut text = format!(
        "{}: dom0 driver {driver}{}\n",
        dev.bdf,
        if dev.permissive { " (permissive)" } else { "" }
    );
    let mut errors = 0;
    let mut findings = Vec::new();
    if driver != "pciback" {
        errors += 1;
        let holder = match dev.driver.as_deref() {
            Some(d) => format!("dom0's {d} driver holds the device"),
            None => "no dom0 driver holds the device".to_string(),
        };
        let what = format!("{holder}, not xen-pciback: the guest cannot reach it");
        let fix = format!("xl pci-assignable-add {}", dev.bdf);
        let _ = writeln!(text, "  error not-pciback: {what}; fix: {fix}");
        let evidence = format!("dom0 driver {driver}");
        findings.push(finding_json(
            "error",
            "not-pciback",
            "device",
            &what,
            &evidence,
            &fix,
        ));
    }
    let dom0_bdf = dev.bdf.to_string();
    let mut bars = Vec::new();
    for bar in &dev.bars {
        let v = bar_view(bar, doms, &dom0_bdf);
        let _ = writeln!(text, "  {}", v.line);
        if let Some(f) = &v.finding {
            errors += 1;
            let _ = writeln!(text, "    fix: {}", f.fix);
            findings.push(finding_json(
                "error",
                f.code,
                bar.name(),
                f.what,
                &f.evidence,
                &f.fix,
            ));
        }
        bars.push(v.json);
    }
    let (irq_text, irq_json, irq_errors) = irq_view(dev, doms, limit);
    text.push_str(&irq_text);
    errors += irq_errors;
    // One list of the device's findings, the interrupt ones included (Prometheus counts it).
    if let Some(irq_findings) = irq_json["findings"].as_array() {
        findings.extend(irq_findings.iter().cloned());
    }
    let json = json!({"device": dom0_bdf, "driver": driver, "permissive": dev.permissive,
        "pciback": driver == "pciback", "bars": bars, "interrupts": irq_json, "findings": findings});
    DeviceView { text, json, errors }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sysfs::IORESOURCE_MEM;
    use pcifront_diag_core::diag::report::Bdf;

    fn span(a: u64, b: u64) -> Span {
        Span::new(a, b).unwrap()
    }

    fn mem_bar(index: u8, start: u64, end: u64) -> Bar {
        Bar {
            index,
            addrs: span(start, end),
            flags: IORESOURCE_MEM,
        }
    }

    /// edu's BAR0 in the lab (0xfea00000, 1 MiB) against a domain's I/O memory rangeset.
    fn edu_view(iomem: &[Span]) -> BarView {
        let doms = DomainRanges {
            iomem: iomem.to_vec(),
            ..Default::default()
        };
        bar_view(&mem_bar(0, 0xfea0_0000, 0xfeaf_ffff), &doms, "0000:00:04.0")
    }

    fn pairs(list: &SpanList) -> Vec<(u64, u64)> {
        list.spans.iter().map(|s| (s.first(), s.last())).collect()
    }

    #[test]
    fn split_table() {
        // (granted rangeset, BAR units, want granted, want missing)
        type Case = (
            &'static [(u64, u64)],
            (u64, u64),
            &'static [(u64, u64)],
            &'static [(u64, u64)],
        );
        let cases: &[Case] = &[
            (&[], (10, 19), &[], &[(10, 19)]),
            (&[(0, 100)], (10, 19), &[(10, 19)], &[]),
            (&[(12, 13)], (10, 19), &[(12, 13)], &[(10, 11), (14, 19)]),
            (
                &[(15, 30), (0, 11)],
                (10, 19),
                &[(10, 11), (15, 19)],
                &[(12, 14)],
            ),
            (
                &[(10, 14), (12, 16)],
                (10, 19),
                &[(10, 14), (15, 16)],
                &[(17, 19)],
            ),
            (&[(19, 19)], (10, 19), &[(19, 19)], &[(10, 18)]),
            (
                &[(0, u64::MAX)],
                (u64::MAX - 3, u64::MAX),
                &[(u64::MAX - 3, u64::MAX)],
                &[],
            ),
            (
                &[(5, 6)],
                (u64::MAX - 3, u64::MAX),
                &[],
                &[(u64::MAX - 3, u64::MAX)],
            ),
        ];
        for &(set, (a, b), granted, missing) in cases {
            let set: Vec<Span> = set.iter().map(|&(a, b)| span(a, b)).collect();
            let s = split(span(a, b), &set);
            assert_eq!(pairs(&s.granted), granted, "{set:?}");
            assert_eq!(pairs(&s.missing), missing, "{set:?}");
            assert_eq!(s.granted.total + s.missing.total, b - a + 1);
        }
    }

    #[test]
    fn denied_edu_bar() {
        // The lab's denied scenario: edu BAR0 at 0xfea00000 (1 MiB), domain holds the ROM only.
        let v = edu_view(&[span(0xfeb00, 0xfeb3f)]);
        assert_eq!(
            v.line,
            "error xen-iomem-missing BAR0 mem [0xfea00000-0xfeafffff] 1 MiB \
             [................................] granted none; not granted 256: 0xfea00-0xfeaff"
        );
        assert!(v
            .finding
            .unwrap()
            .fix
            .starts_with("iomem=['fea00,100'] in the guest's xl.cfg"));
    }

    #[test]
    fn holes_and_map() {
        // A 256 MiB BAR with two holes, as the lab's holes scenario makes them.
        let set = [
            span(0xe0000, 0xe0fff),
            span(0xe1001, 0xebfff),
            span(0xec100, 0xeffff),
        ];
        let doms = DomainRanges {
            iomem: set.to_vec(),
            ..Default::default()
        };
        let v = bar_view(&mem_bar(2, 0xe000_0000, 0xefff_ffff), &doms, "0000:00:06.0");
        assert!(
            v.line.contains("not granted 257: 0xe1000, 0xec000-0xec0ff"),
            "{}",
            v.line
        );
        // 2,048 frames a cell: the holes fall in cells 2 (0xe1000) and 24 (0xec000).
        assert!(
            v.line.contains("[##:#####################:#######]"),
            "{}",
            v.line
        );
        assert!(v
            .finding
            .unwrap()
            .fix
            .starts_with("iomem=['e1000,1','ec000,100']"));
    }

    /// Issue 19: dom0 kept three ranges like the module's printk lines, so with four or more
    /// holes its fix fell back to the whole BAR.
    #[test]
    fn regression_five_holes_each_named() {
        let set: Vec<Span> = (0..6)
            .map(|i| span(0xe0000 + i * 0x10 + 1, 0xe0000 + i * 0x10 + 0xf))
            .collect();
        let doms = DomainRanges {
            iomem: set,
            ..Default::default()
        };
        let v = bar_view(&mem_bar(0, 0xe000_0000, 0xe005_ffff), &doms, "0000:00:06.0");
        assert!(
            v.line
                .contains("not granted 6: 0xe0000, 0xe0010, 0xe0020, 0xe0030, 0xe0040, 0xe0050"),
            "{}",
            v.line
        );
        let fix = v.finding.unwrap().fix;
        assert!(
            fix.starts_with("iomem=['e0000,1','e0010,1','e0020,1','e0030,1','e0040,1','e0050,1']"),
            "{fix}"
        );
        assert_eq!(v.json["not_granted_range_count"], 6);
    }

    #[test]
    fn granted_bar_is_ok() {
        let v = edu_view(&[span(0xfea00, 0xfeaff)]);
        assert!(v.line.starts_with("ok BAR0"), "{}", v.line);
        assert!(v.finding.is_none());
    }

    #[test]
    fn device_pciback_does_not_hold() {
        let dev = Device {
            bdf: Bdf::parse("0000:00:04.0").unwrap(),
            bars: vec![],
            driver: None,
            permissive: false,
            irq: None,
            msix_vectors: None,
        };
        let view = device_view_with(&dev, &DomainRanges::default(), || unreachable!());
        assert_eq!(view.errors, 1);
        assert!(
            view.text
                .contains("error not-pciback: no dom0 driver holds the device, not xen-pciback"),
            "{}",
            view.text
        );
        assert_eq!(view.json["pciback"], false);
    }

    /// e1000e as the lab's irq-denied scenario has it: GSI 21, 5 MSI-X vectors.
    fn e1000e(irq: Option<u32>, msix_vectors: Option<u32>) -> Device {
        Device {
            bdf: Bdf::parse("0000:00:05.0").unwrap(),
            bars: vec![],
            driver: Some("pciback".into()),
            permissive: false,
            irq,
            msix_vectors,
        }
    }

    #[test]
    fn gsi_not_in_interrupts_is_an_error_with_the_fix() {
        let doms = DomainRanges {
            irqs: vec![span(16, 20), span(22, 23)],
            ..Default::default()
        };
        let (text, json, errors) = irq_view(&e1000e(Some(21), Some(5)), &doms, || Ok(32));
        assert_eq!(errors, 1);
        assert!(text.contains("  error xen-irq-missing: Xen's Interrupts rangeset of the domain lacks the device's GSI"), "{text}");
        assert!(
            text.contains("evidence: gsi=21 (dom0's sysfs irq) not in the domain's Interrupts"),
            "{text}"
        );
        assert!(text.contains("    fix: xl pci-detach <domain> 0000:00:05.0 and xl pci-attach <domain> 0000:00:05.0 (the toolstack grants the GSI at attach), or irqs=[21] in the guest's xl.cfg"), "{text}");
        assert!(
            text.contains("  ok MSI-X 5 vector(s), within the 32 pirqs"),
            "{text}"
        );
        assert_eq!(json["gsi_granted"], false);
        assert_eq!(json["findings"][0]["code"], "xen-irq-missing");
    }

    #[test]
    fn gsi_granted_is_ok_and_limit_asked_only_for_msix() {
        let doms = DomainRanges {
            irqs: vec![span(21, 21)],
            ..Default::default()
        };
        let (text, json, errors) = irq_view(&e1000e(Some(21), None), &doms, || unreachable!());
        assert_eq!(
            (errors, text.as_str()),
            (0, "  ok INTx GSI 21 in the domain's Interrupts\n")
        );
        assert_eq!(json["gsi_granted"], true);
        let (text, _, errors) = irq_view(&e1000e(None, None), &doms, || unreachable!());
        assert_eq!(
            (errors, text.as_str()),
            (0, "  ok INTx none (no irq in dom0)\n")
        );
    }

    #[test]
    fn msix_over_the_domu_pirqs_is_a_warning() {
        let doms = DomainRanges {
            irqs: vec![span(21, 21)],
            ..Default::default()
        };
        let (text, json, errors) = irq_view(&e1000e(Some(21), Some(40)), &doms, || Ok(32));
        assert_eq!(errors, 0);
        assert!(
            text.contains("  warning msix-over-extra-guest-irqs: "),
            "{text}"
        );
        assert!(
            text.contains("evidence: msix_vectors=40 extra_guest_irqs=32"),
            "{text}"
        );
        assert!(
            text.contains("fix: boot Xen with extra_guest_irqs=64"),
            "{text}"
        );
        assert_eq!(json["extra_guest_irqs"], 32);
        let (text, _, _) = irq_view(&e1000e(Some(21), Some(5)), &doms, || Err("no xl".into()));
        assert!(
            text.contains("  warning MSI-X 5 vector(s): the domU pirq limit does not read (no xl)"),
            "{text}"
        );
    }
}
