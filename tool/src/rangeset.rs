// SPDX-License-Identifier: GPL-2.0
//! Xen's own account of what each domain may map: the `Rangesets belonging to domain N:`
//! blocks that `xl debug-keys q` writes into the hypervisor's console ring (`xl dmesg`).
//!
//! The dump is not atomic: Xen prints each item with its own printk, and another CPU's
//! output, or dom0's console with `console_to_ring`, can land between two of them, in the
//! middle of a line (the dom0-garbled scenario). So it is read robustly: every line may carry
//! the `(XEN) [ timestamp]` prefix or not, the rest of a cut line goes on in the next lines,
//! unrelated lines interleaved with it are skipped, an item that does not read is skipped and
//! counted (a cut can only lose items, never make one up: `fuzz_rangeset_interleaved`), and
//! when the ring holds several dumps the last one of each domain counts.

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
    /// Items of this domain's dump that could not be read (another CPU's output in the middle
    /// of one, or a guest writing to the ring), skipped.
    pub skipped: usize,
}

/// The rangesets the dump names, and the base Xen prints each in: `print_limit()` in Xen's
/// common/rangeset.c uses `%lx` for sets created with `RANGESETF_prettyprint_hex` (I/O
/// Memory in common/domain.c, I/O Ports in arch/x86/domain.c) and `%lu` for the others
/// (Interrupts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SetName {
    Iomem,
    Ioports,
    Irqs,
}

impl SetName {
    fn from_label(label: &str) -> Option<SetName> {
        match label {
            "I/O Memory" => Some(SetName::Iomem),
            "I/O Ports" => Some(SetName::Ioports),
            "Interrupts" => Some(SetName::Irqs),
            _ => None,
        }
    }

    fn radix(self) -> u32 {
        match self {
            SetName::Iomem | SetName::Ioports => 16,
            SetName::Irqs => 10,
        }
    }
}

impl DomainRanges {
    fn set(&mut self, name: SetName) -> &mut Vec<Span> {
        match name {
            SetName::Iomem => &mut self.iomem,
            SetName::Ioports => &mut self.ioports,
            SetName::Irqs => &mut self.irqs,
        }
    }

    /// Adds the items of `text` (`a-b, c, ...`) to set `name`; an item that does not read
    /// as one is skipped and counted, the others still count.
    fn add_items(&mut self, name: SetName, text: &str) {
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match parse_item(item, name.radix()) {
                Some(span) => self.set(name).push(span),
                None => self.skipped += 1,
            }
        }
    }
}

/// One item: `a-b` or `a`, in `radix`.
fn parse_item(item: &str, radix: u32) -> Option<Span> {
    let (a, b) = item.split_once('-').unwrap_or((item, item));
    let num = |s: &str| u64::from_str_radix(s, radix).ok();
    Span::new(num(a)?, num(b)?)
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

/// Only hex digits, range dashes, commas and blanks: the items of a rangeset line cut by
/// another writer's output, or too long for one console line.
fn is_continuation(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, '-' | ',' | ' '))
}

/// The domain being read, and the set still open for continuation lines.
struct Open {
    domid: u32,
    ranges: DomainRanges,
    set: Option<SetName>,
}

/// The last rangeset dump of every domain found in `log` (the text of `xl dmesg`). A header
/// whose domain does not read is skipped with its block; other domains are unaffected.
pub fn parse(log: &str) -> BTreeMap<u32, DomainRanges> {
    let mut doms = BTreeMap::new();
    let mut cur: Option<Open> = None;
    for line in log.lines() {
        let text = strip(line);
        if let Some(rest) = text.strip_prefix("Rangesets belonging to domain ") {
            if let Some(done) = cur.take() {
                doms.insert(done.domid, done.ranges);
            }
            cur = rest
                .trim_end_matches(':')
                .trim()
                .parse()
                .ok()
                .map(|domid| Open {
                    domid,
                    ranges: DomainRanges::default(),
                    set: None,
                });
            continue;
        }
        if let Some(open) = cur.as_mut() {
            read_line(open, text);
        }
    }
    if let Some(done) = cur {
        doms.insert(done.domid, done.ranges);
    }
    doms
}

/// One line inside a domain's block: a set's opening line or its continuation.
///
/// A set's opening line always counts, even while another set is open: Xen prints the sets
/// one after another, so the open one was cut and its tail lost. A continuation is what
/// comes before a closing brace on a line of items only; another writer's text after the
/// brace does not keep the set open (`fuzz_rangeset_interleaved`).
fn read_line(open: &mut Open, text: &str) {
    if let Some((label, body)) = text.split_once('{') {
        if let Some(name) = SetName::from_label(label.trim()) {
            open.ranges.set(name).clear();
            open.ranges
                .add_items(name, body.split('}').next().unwrap_or(""));
            open.set = (!body.contains('}')).then_some(name);
            return;
        }
    }
    let Some(name) = open.set else {
        return;
    };
    let (items, closed) = match text.split_once('}') {
        Some((items, _)) => (items, true),
        None => (text, false),
    };
    let only_items = is_continuation(items) || (closed && items.trim().is_empty());
    if !only_items {
        return; // a line of another CPU, interleaved
    }
    open.ranges.add_items(name, items);
    if closed {
        open.set = None;
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// The spans as (first, last) pairs, to compare with literals.
    fn pairs(spans: &[Span]) -> Vec<(u64, u64)> {
        spans.iter().map(|s| (s.first(), s.last())).collect()
    }

    /// Lines of a real dump, from the lab's denied scenario (Xen 4.20, console_timestamps=boot).
    pub const DENIED: &str = "\
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
        let d = parse(DENIED);
        assert_eq!(pairs(&d[&1].iomem), [(0xfeb00, 0xfeb3f)]);
        assert_eq!(pairs(&d[&1].ioports), [(0xc040, 0xc05f)]);
        assert_eq!(pairs(&d[&1].irqs), [(20, 21)]);
        assert_eq!(d[&0].iomem.len(), 3);
        assert_eq!(pairs(&d[&0].iomem)[2], (0xfee01, 0xfcfffff));
    }

    #[test]
    fn empty_sets_single_values_and_no_prefix() {
        let d =
            parse("Rangesets belonging to domain 7:\n    I/O Memory { }\n    I/O Ports  { 3f8 }\n");
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
        let d = parse(log);
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
        assert!(parse(log)[&2].iomem.is_empty());
    }

    /// Issue 21: one bad item failed the parse of every domain.
    #[test]
    fn regression_bad_item_skipped_alone() {
        let log = "\
Rangesets belonging to domain 1:
    I/O Memory { fea00-zz, feb00-feb3f, 10-1 }
    I/O Ports  { c040-c05f }
Rangesets belonging to domain x:
    I/O Memory { 0-ffff }
Rangesets belonging to domain 2:
    I/O Memory { e0000-effff }
";
        let d = parse(log);
        assert_eq!(pairs(&d[&1].iomem), [(0xfeb00, 0xfeb3f)]);
        assert_eq!(d[&1].skipped, 2);
        assert_eq!(pairs(&d[&1].ioports), [(0xc040, 0xc05f)]);
        assert_eq!(pairs(&d[&2].iomem), [(0xe0000, 0xeffff)]);
        assert_eq!(d[&2].skipped, 0);
        assert_eq!(
            d.len(),
            2,
            "the block of the domain that does not read is skipped"
        );
    }

    /// Found by `fuzz_rangeset_interleaved`: another writer's text after the closing brace
    /// kept the set open, the next set's opening line was then taken for garbage, and that
    /// set's items went to the wrong set.
    #[test]
    fn regression_text_after_the_brace_closes_the_set() {
        let log = "\
(XEN) [ 1.0] Rangesets belonging to domain 1:
(XEN) [ 1.1]     I/O Memory {garbled 17
 }garbled 18
(XEN) [ 1.1]     I/O Ports  { c040-
garbled 19
c05f }
";
        let d = parse(log);
        assert!(d[&1].iomem.is_empty());
        assert_eq!(pairs(&d[&1].ioports), [(0xc05f, 0xc05f)]);
        assert_eq!(d[&1].skipped, 2);
    }

    /// Issue 21: Interrupts are printed in decimal (`%lu`) and were parsed as hex.
    #[test]
    fn regression_interrupts_are_decimal() {
        let d = parse("Rangesets belonging to domain 3:\n    Interrupts { 9, 16-23 }\n");
        assert_eq!(pairs(&d[&3].irqs), [(9, 9), (16, 23)]);
        let d = parse("Rangesets belonging to domain 3:\n    Interrupts { 1f }\n");
        assert!(d[&3].irqs.is_empty());
        assert_eq!(d[&3].skipped, 1);
    }
}
