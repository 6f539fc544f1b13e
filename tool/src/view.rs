// SPDX-License-Identifier: GPL-2.0
//! dom0's verdict on a guest's devices: each BAR's frames (or ports) against what Xen lets
//! the domain map. Its own range lists keep every range (dom0 can allocate), so a fix names
//! exactly the missing ones however many; spans and `iomem=` entries are `src/diag`'s.

use crate::rangeset::DomainRanges;
use crate::sysfs::{Bar, Device};
use pcifront_diag_core::diag::report::Size;
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

/// dom0's view of one device against the domain's rangesets.
pub fn device_view(dev: &Device, doms: &DomainRanges) -> DeviceView {
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
    let json = json!({"device": dom0_bdf, "driver": driver, "permissive": dev.permissive,
        "pciback": driver == "pciback", "bars": bars, "findings": findings});
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
        };
        let view = device_view(&dev, &DomainRanges::default());
        assert_eq!(view.errors, 1);
        assert!(
            view.text
                .contains("error not-pciback: no dom0 driver holds the device, not xen-pciback"),
            "{}",
            view.text
        );
        assert_eq!(view.json["pciback"], false);
    }
}
