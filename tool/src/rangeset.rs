// SPDX-License-Identifier: GPL-2.0
//! Xen's own account of what each domain may map: the `Rangesets belonging to domain N:`
//! blocks that `xl debug-keys q` writes into the hypervisor's console ring (`xl dmesg`).
//!
//! The dump is written line by line as other CPUs log, so it is read robustly: every line may
//! carry the `(XEN) [ timestamp]` prefix or not, a rangeset longer than a console line goes on
//! in the next lines, unrelated lines interleaved with it are skipped, and when the ring holds
//! several dumps the last one of each domain counts.

use pcifront_diag_core::diag::span::Span;
use std::collections::BTreeMap;

/// The rangesets of one domain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DomainRanges {
    /// `I/O Memory`: machine frame numbers the domain may map.
    pub iomem: Vec<Span>,
    /// `I/O Ports`.
    pub ioports: Vec<Span>,
    /// `Interrupts`.
    pub irqs: Vec<Span>,
}

impl DomainRanges {
    fn set(&mut self, name: &str) -> Option<&mut Vec<Span>> {
        match name {
            "I/O Memory" => Some(&mut self.iomem),
            "I/O Ports" => Some(&mut self.ioports),
            "Interrupts" => Some(&mut self.irqs),
            _ => None,
        }
    }
}

/// The line without Xen's `(XEN)` and `[ 12.345]` prefixes.
fn strip(line: &str) -> &str {
    let l = line.trim_end_matches('\r');
    let l = l.strip_prefix("(XEN)").unwrap_or(l).trim_start();
    let l = match l.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(l, |(_, after)| after),
        None => l,
    };
    l.trim()
}

/// Only hex digits, range dashes, commas, blanks and a closing brace: the continuation of a
/// rangeset that did not fit on one console line.
fn is_continuation(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, '-' | ',' | ' ' | '}'))
}

fn parse_ranges(text: &str, out: &mut Vec<Span>) -> Result<(), String> {
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (a, b) = item.split_once('-').unwrap_or((item, item));
        let num = |s: &str| u64::from_str_radix(s.trim(), 16).map_err(|_| format!("'{item}'"));
        let (a, b) = (num(a)?, num(b)?);
        out.push(Span::new(a, b).ok_or_else(|| format!("'{item}' ends before it starts"))?);
    }
    Ok(())
}

/// The last rangeset dump of every domain found in `log` (the text of `xl dmesg`).
pub fn parse(log: &str) -> Result<BTreeMap<u32, DomainRanges>, String> {
    let mut doms = BTreeMap::new();
    // (domain, its ranges, the rangeset still open for continuation lines)
    let mut cur: Option<(u32, DomainRanges, Option<&'static str>)> = None;
    for line in log.lines() {
        let text = strip(line);
        if let Some(rest) = text.strip_prefix("Rangesets belonging to domain ") {
            if let Some((d, r, _)) = cur.take() {
                doms.insert(d, r);
            }
            let id = rest.trim_end_matches(':').trim();
            let id = id
                .parse()
                .map_err(|_| format!("domain '{id}' in '{text}'"))?;
            cur = Some((id, DomainRanges::default(), None));
            continue;
        }
        let Some((_, ranges, open)) = cur.as_mut() else {
            continue;
        };
        if let Some(name) = *open {
            if !is_continuation(text) {
                continue; // a line of another CPU, interleaved
            }
            let body = text.split('}').next().unwrap_or("");
            parse_ranges(body, ranges.set(name).expect("known set"))?;
            if text.contains('}') {
                *open = None;
            }
            continue;
        }
        let Some((name, body)) = text.split_once('{') else {
            continue;
        };
        let name = match name.trim() {
            "I/O Memory" => "I/O Memory",
            "I/O Ports" => "I/O Ports",
            "Interrupts" => "Interrupts",
            _ => continue,
        };
        let set = ranges.set(name).expect("known set");
        set.clear();
        parse_ranges(body.split('}').next().unwrap_or(""), set)?;
        if !body.contains('}') {
            *open = Some(name);
        }
    }
    if let Some((d, r, _)) = cur {
        doms.insert(d, r);
    }
    Ok(doms)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spans as (first, last) pairs, to compare with literals.
    fn pairs(spans: &[Span]) -> Vec<(u64, u64)> {
        spans.iter().map(|s| (s.first(), s.last())).collect()
    }

    /// Lines of a real dump, from the lab's denied scenario (Xen 4.20, console_timestamps=boot).
    const DENIED: &str = "\
(XEN) [  255.196797] Rangesets belonging to domain 0:
(XEN) [  255.197362]     Interrupts { 1-23 }
(XEN) [  255.198049]     I/O Memory { 0-fed7f, fed84-fedff, fee01-fcfffff }
(XEN) [  255.199210]     I/O Ports  { 0-1f, 22-3f, 44-60, 62-91, 93-9f, a2-ef, f1-3f7, 400-4cf }
(XEN) [  255.213807] Rangesets belonging to domain 1:
(XEN) [  255.213888]     Interrupts { 20-21 }
(XEN) [  255.213992]     I/O Memory { feb00-feb3f }
(XEN) [  255.214098]     I/O Ports  { c040-c05f }
(XEN) [  255.214110] Memory pages belonging to domain 1:
";

    #[test]
    fn real_dump() {
        let d = parse(DENIED).unwrap();
        assert_eq!(pairs(&d[&1].iomem), [(0xfeb00, 0xfeb3f)]);
        assert_eq!(pairs(&d[&1].ioports), [(0xc040, 0xc05f)]);
        assert_eq!(pairs(&d[&1].irqs), [(0x20, 0x21)]);
        assert_eq!(d[&0].iomem.len(), 3);
        assert_eq!(pairs(&d[&0].iomem)[2], (0xfee01, 0xfcfffff));
    }

    #[test]
    fn empty_sets_single_values_and_no_prefix() {
        let d =
            parse("Rangesets belonging to domain 7:\n    I/O Memory { }\n    I/O Ports  { 3f8 }\n")
                .unwrap();
        assert!(d[&7].iomem.is_empty());
        assert_eq!(pairs(&d[&7].ioports), [(0x3f8, 0x3f8)]);
    }

    #[test]
    fn continued_over_lines_with_another_cpu_in_between() {
        let log = "\
(XEN) [ 1.0] Rangesets belonging to domain 3:
(XEN) [ 1.1]     I/O Memory { e0000-e0fff, e1001-ebfff,
(XEN) [ 1.2] d0v1 some other message, ending in 42
(XEN) [ 1.3] ec100-effff }
(XEN) [ 1.4]     I/O Ports  { }
";
        let d = parse(log).unwrap();
        assert_eq!(
            pairs(&d[&3].iomem),
            [(0xe0000, 0xe0fff), (0xe1001, 0xebfff), (0xec100, 0xeffff)]
        );
    }

    #[test]
    fn the_last_dump_wins() {
        let log = "\
Rangesets belonging to domain 2:
    I/O Memory { fea00-feaff }
Rangesets belonging to domain 2:
    I/O Memory { }
";
        assert!(parse(log).unwrap()[&2].iomem.is_empty());
    }

    #[test]
    fn garbage_is_an_error_not_a_guess() {
        assert!(parse("Rangesets belonging to domain 1:\n I/O Memory { fea00-zz }\n").is_err());
        assert!(parse("Rangesets belonging to domain 1:\n I/O Memory { 10-1 }\n").is_err());
        assert!(parse("Rangesets belonging to domain x:\n").is_err());
    }
}
