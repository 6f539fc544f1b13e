// SPDX-License-Identifier: GPL-2.0
//! dom0's verdict on a guest's devices: each BAR's frames (or ports) against what Xen lets
//! the domain map, worded with the module's own types (`src/diag`) where the facts are the
//! same: pfn ranges, sizes, the `iomem=` entries.

use crate::rangeset::{DomainRanges, Range};
use crate::sysfs::{Bar, Device};
use pcifront_diag_core::diag::facts::{Run, Runs, Trial};
use pcifront_diag_core::diag::report::{write_iomem_entries, PfnRange, Size};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Frames (memory BAR) or ports (I/O BAR) of one BAR, split by Xen's permission.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Split {
    /// Inside the domain's rangeset.
    pub granted: Runs,
    /// Outside it.
    pub missing: Runs,
}

/// Splits `first..=last` by `ranges` (sorted or not, possibly overlapping). The runs'
/// answers only tell the two apart: dom0 made no trial mapping.
pub fn split(first: u64, last: u64, ranges: &[Range]) -> Split {
    let mut inside: Vec<Range> = ranges
        .iter()
        .filter(|&&(a, b)| b >= first && a <= last)
        .map(|&(a, b)| (a.max(first), b.min(last)))
        .collect();
    inside.sort_unstable();
    let mut out = Split::default();
    let run = |a: u64, b: u64, answer| Run {
        first_pfn: a,
        frames: b - a + 1,
        answer,
    };
    let mut next = first; // first value not yet accounted for
    for (a, b) in inside {
        if b < next {
            continue;
        }
        let a = a.max(next);
        if a > next {
            out.missing.push(run(next, a - 1, Trial::Refused(0)));
        }
        out.granted.push(run(a, b, Trial::Mapped));
        next = b + 1;
    }
    if next <= last {
        out.missing.push(run(next, last, Trial::Refused(0)));
    }
    out
}

/// `N: 0xa-0xb, 0xc and K more range(s)`, or `none`.
fn ranges(runs: &Runs) -> String {
    if runs.count == 0 {
        return "none".into();
    }
    let mut s = format!("{}: ", runs.frames);
    for (n, r) in runs.iter().enumerate() {
        let _ = write!(s, "{}{}", if n > 0 { ", " } else { "" }, PfnRange(r));
    }
    let rest = runs.count - runs.iter().count() as u64;
    if rest > 0 {
        let _ = write!(s, ", and {rest} more range(s)");
    }
    s
}

/// The BAR as a bar of `WIDTH` cells: `#` granted, `.` not, `:` partly.
pub fn frame_map(first: u64, last: u64, ranges: &[Range]) -> String {
    const WIDTH: u64 = 32;
    let total = last - first + 1;
    let cells = WIDTH.min(total);
    let mut s = String::from("[");
    for c in 0..cells {
        let a = first + total * c / cells;
        let b = first + total * (c + 1) / cells - 1;
        let sp = split(a, b, ranges);
        s.push(match (sp.granted.frames, sp.missing.frames) {
            (_, 0) => '#',
            (0, _) => '.',
            _ => ':',
        });
    }
    s.push(']');
    s
}

/// One BAR's line and, when Xen does not grant all of it, its finding.
pub struct BarView {
    /// The text line.
    pub line: String,
    /// The fix, when something is missing.
    pub fix: Option<String>,
    /// The same as JSON.
    pub json: Value,
}

/// dom0's view of one BAR against the domain's rangesets.
pub fn bar_view(bar: &Bar, doms: &DomainRanges, dom0_bdf: &str) -> BarView {
    let (unit, first, last, set) = if bar.is_mem() {
        let (a, b) = bar.frames();
        ("frames", a, b, &doms.iomem)
    } else {
        ("ports", bar.start, bar.end, &doms.ioports)
    };
    let sp = split(first, last, set);
    let kind = if bar.is_mem() { "mem" } else { "io" };
    let size = Size(bar.end - bar.start + 1);
    let map = frame_map(first, last, set);
    let mut line = format!(
        "{} {kind} [0x{:x}-0x{:x}] {size} {map} granted {}; not granted {}",
        bar.name(),
        bar.start,
        bar.end,
        ranges(&sp.granted),
        ranges(&sp.missing)
    );
    let fix = (sp.missing.count > 0).then(|| {
        let mut entries = String::new();
        if bar.is_mem() {
            let _ = write_iomem_entries(&mut entries, &sp.missing, first, last - first + 1);
            format!("iomem=[{entries}] in the guest's xl.cfg, or pass the device with pci=['{dom0_bdf}'] / xl pci-attach so the toolstack grants its BARs")
        } else {
            let spans: Vec<String> = sp.missing.iter().map(|r| format!("'{:x}-{:x}'", r.first_pfn, r.last_pfn())).collect();
            format!("ioports=[{}] in the guest's xl.cfg, or pass the device with pci=['{dom0_bdf}'] / xl pci-attach so the toolstack grants its ports", spans.join(","))
        }
    });
    if fix.is_some() {
        let code = if bar.is_mem() {
            "xen-iomem-missing"
        } else {
            "xen-ioports-missing"
        };
        line = format!("error {code} {line}");
    } else {
        line = format!("ok {line}");
    }
    let json = json!({
        "bar": bar.name(), "kind": kind, "start": bar.start, "end": bar.end,
        "unit": unit, "total": last - first + 1,
        "granted": sp.granted.frames, "not_granted": sp.missing.frames,
        "not_granted_ranges": sp.missing.iter().map(|r| json!([r.first_pfn, r.last_pfn()])).collect::<Vec<_>>(),
        "not_granted_range_count": sp.missing.count,
        "map": map, "fix": fix,
    });
    BarView { line, fix, json }
}

/// A device's block: its header and a line per BAR; the number of BARs with errors.
pub fn device_view(dev: &Device, doms: &DomainRanges) -> (String, Value, usize) {
    let driver = dev.driver.as_deref().unwrap_or("none");
    let mut text = format!(
        "{}: dom0 driver {driver}{}\n",
        dev.bdf,
        if dev.permissive { " (permissive)" } else { "" }
    );
    let mut errors = 0;
    if driver != "pciback" {
        errors += 1;
        let holder = match dev.driver.as_deref() {
            Some(d) => format!("dom0's {d} driver holds the device"),
            None => "no dom0 driver holds the device".to_string(),
        };
        let _ = writeln!(text, "  error not-pciback: {holder}, not xen-pciback: the guest cannot reach it; fix: xl pci-assignable-add {}", dev.bdf);
    }
    let mut bars = Vec::new();
    for bar in &dev.bars {
        let v = bar_view(bar, doms, &dev.bdf);
        let _ = writeln!(text, "  {}", v.line);
        if let Some(fix) = &v.fix {
            errors += 1;
            let _ = writeln!(text, "    fix: {fix}");
        }
        bars.push(v.json);
    }
    let json =
        json!({"device": dev.bdf, "driver": driver, "permissive": dev.permissive, "bars": bars});
    (text, json, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sysfs::IORESOURCE_MEM;

    /// edu's BAR0 in the lab (0xfea00000, 1 MiB) against a domain's I/O memory rangeset.
    fn edu_view(iomem: &[Range]) -> BarView {
        let bar = Bar {
            index: 0,
            start: 0xfea0_0000,
            end: 0xfeaf_ffff,
            flags: IORESOURCE_MEM,
        };
        let doms = DomainRanges {
            iomem: iomem.to_vec(),
            ..Default::default()
        };
        bar_view(&bar, &doms, "0000:00:04.0")
    }

    fn frames(r: &Runs) -> Vec<(u64, u64)> {
        r.iter().map(|r| (r.first_pfn, r.last_pfn())).collect()
    }

    #[test]
    fn split_table() {
        // (granted rangeset, BAR frames, want granted, want missing)
        type Case = (
            &'static [Range],
            (u64, u64),
            &'static [Range],
            &'static [Range],
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
        ];
        for &(set, (a, b), granted, missing) in cases {
            let s = split(a, b, set);
            assert_eq!(frames(&s.granted), granted, "{set:?}");
            assert_eq!(frames(&s.missing), missing, "{set:?}");
            assert_eq!(s.granted.frames + s.missing.frames, b - a + 1);
        }
    }

    #[test]
    fn denied_edu_bar() {
        // The lab's denied scenario: edu BAR0 at 0xfea00000 (1 MiB), domain holds the ROM only.
        let v = edu_view(&[(0xfeb00, 0xfeb3f)]);
        assert_eq!(
            v.line,
            "error xen-iomem-missing BAR0 mem [0xfea00000-0xfeafffff] 1 MiB \
             [................................] granted none; not granted 256: 0xfea00-0xfeaff"
        );
        assert!(v
            .fix
            .unwrap()
            .starts_with("iomem=['fea00,100'] in the guest's xl.cfg"));
    }

    #[test]
    fn holes_and_map() {
        // A 256 MiB BAR with two holes, as the lab's holes scenario makes them.
        let bar = Bar {
            index: 2,
            start: 0xe000_0000,
            end: 0xefff_ffff,
            flags: IORESOURCE_MEM,
        };
        let set = [(0xe0000, 0xe0fff), (0xe1001, 0xebfff), (0xec100, 0xeffff)];
        let doms = DomainRanges {
            iomem: set.to_vec(),
            ..Default::default()
        };
        let v = bar_view(&bar, &doms, "0000:00:06.0");
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
        assert!(v.fix.unwrap().starts_with("iomem=['e1000,1','ec000,100']"));
    }

    #[test]
    fn granted_bar_is_ok() {
        let v = edu_view(&[(0xfea00, 0xfeaff)]);
        assert!(v.line.starts_with("ok BAR0"), "{}", v.line);
        assert!(v.fix.is_none());
    }

    #[test]
    fn device_pciback_does_not_hold() {
        let dev = Device {
            bdf: "0000:00:04.0".into(),
            bars: vec![],
            driver: None,
            permissive: false,
        };
        let (text, _, errors) = device_view(&dev, &DomainRanges::default());
        assert_eq!(errors, 1);
        assert!(
            text.contains("error not-pciback: no dom0 driver holds the device, not xen-pciback"),
            "{text}"
        );
    }
}
