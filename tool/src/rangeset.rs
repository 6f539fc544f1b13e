// SPDX-License-Identifier: GPL-2.0
//! Xen's own account of what each domain may map: the `Rangesets belonging to domain N:`
//! blocks that `xl debug-keys q` writes into the hypervisor's console ring (`xl dmesg`).
//!
//! The dump is not atomic: Xen prints each item with its own printk, and another CPU's
//! output, or dom0's console with `console_to_ring`, can land between two of them, in the
//! middle of a line (the dom0-garbled scenario). So it is read robustly: every line may carry
//! the `(XEN) [ timestamp]` prefix or not, a header or a set's name may have another writer's
//! text before it, an open set is read item by item over as many lines as it was cut into, an
//! item that does not read is skipped and counted, and when the ring holds several dumps the
//! last one of each domain counts. A cut loses items, it does not make one up
//! (`fuzz_rangeset_interleaved`), unless the other writer's text is itself an item: only dom0
//! (root) and Xen can write to the ring (a domU's console_io writes need a debug build).

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
    const ALL: [SetName; 3] = [SetName::Iomem, SetName::Ioports, SetName::Irqs];

    fn label(self) -> &'static str {
        match self {
            SetName::Iomem => "I/O Memory",
            SetName::Ioports => "I/O Ports",
            SetName::Irqs => "Interrupts",
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

    /// Adds one item (`a-b` or `a`, blanks around it) to set `name`; one that does not read
    /// is skipped and counted, the others still count.
    fn add_item(&mut self, name: SetName, item: &str) {
        let item = item.trim();
        if item.is_empty() {
            return;
        }
        match parse_item(item, name.radix()) {
            Some(span) => self.set(name).push(span),
            None => self.skipped += 1,
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

/// Longest text kept of an item cut across lines; longer, it is another writer's.
const MAX_PENDING: usize = 80;

/// The domain being read, the set still open (its closing brace not seen yet), and the text
/// of that set's last item so far, which the next line may complete.
struct Open {
    domid: u32,
    ranges: DomainRanges,
    set: Option<SetName>,
    pending: String,
}

impl Open {
    fn new(domid: u32) -> Open {
        Open {
            domid,
            ranges: DomainRanges::default(),
            set: None,
            pending: String::new(),
        }
    }

    /// The items of `text`, the next part of the open set `name` (`closed`: up to its
    /// brace). A line break cuts an item only where Xen's printk calls meet: after a range's
    /// dash, or before it; anywhere else the item before the break is whole.
    fn feed(&mut self, name: SetName, text: &str, closed: bool) {
        let joins = self.pending.trim_end().ends_with('-') || text.trim_start().starts_with('-');
        let mut chunk = std::mem::take(&mut self.pending);
        if !joins {
            self.ranges.add_item(name, &chunk);
            chunk.clear();
        }
        chunk.push_str(text);
        let mut parts: Vec<&str> = chunk.split(',').collect();
        let last = parts.pop().unwrap_or("");
        for part in parts {
            self.ranges.add_item(name, part);
        }
        if closed || last.len() > MAX_PENDING {
            self.ranges.add_item(name, last);
        } else {
            self.pending = last.to_string();
        }
        self.set = (!closed).then_some(name);
    }

    /// Ends the open set, if any, before another starts: Xen closes every set on the line
    /// it opened it, so one still open lost its end to another writer.
    fn close(&mut self) {
        if let Some(name) = self.set.take() {
            let last = std::mem::take(&mut self.pending);
            self.ranges.add_item(name, &last);
            self.ranges.skipped += 1;
        }
    }

    fn done(mut self) -> (u32, DomainRanges) {
        self.close();
        (self.domid, self.ranges)
    }
}

/// The last rangeset dump of every domain found in `log` (the text of `xl dmesg`). A header
/// whose domain does not read is skipped with its block; other domains are unaffected.
pub fn parse(log: &str) -> BTreeMap<u32, DomainRanges> {
    let mut doms = BTreeMap::new();
    let mut cur: Option<Open> = None;
    for line in log.lines() {
        let text = strip(line);
        // One printk: whole, but another writer's text may stand before it.
        const HEADER: &str = "Rangesets belonging to domain ";
        if let Some((_, rest)) = text.split_once(HEADER) {
            if let Some((domid, ranges)) = cur.take().map(Open::done) {
                doms.insert(domid, ranges);
            }
            cur = rest
                .trim_end_matches(':')
                .trim()
                .parse()
                .ok()
                .map(Open::new);
            continue;
        }
        if let Some(open) = cur.as_mut() {
            read_line(open, text);
        }
    }
    if let Some((domid, ranges)) = cur.map(Open::done) {
        doms.insert(domid, ranges);
    }
    doms
}

/// A set's opening line: its name and the text after the brace. Another writer's text may
/// stand before the name (Xen prints the indent and the name with separate printk calls).
fn opening(text: &str) -> Option<(SetName, &str)> {
    let (before, body) = text.split_once('{')?;
    let before = before.trim_end();
    let name = SetName::ALL
        .into_iter()
        .find(|n| before.ends_with(n.label()))?;
    Some((name, body))
}

/// One line inside a domain's block: a set's opening line, or the next part of the open
/// set, up to its closing brace (another writer's text may follow the brace, or stand
/// anywhere among the items, where it makes the item it touches unreadable).
fn read_line(open: &mut Open, text: &str) {
    if let Some((name, body)) = opening(text) {
        open.close();
        open.ranges.set(name).clear();
        let (items, closed) = up_to_brace(body);
        open.feed(name, items, closed);
        return;
    }
    if let Some(name) = open.set {
        let (items, closed) = up_to_brace(text);
        open.feed(name, items, closed);
    }
}

/// The text before the line's last closing brace, and whether there is one.
fn up_to_brace(text: &str) -> (&str, bool) {
    match text.rfind('}') {
        Some(at) => (&text[..at], true),
        None => (text, false),
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

    /// The dom0-garbled scenario's ring (Xen 4.20, `console_to_ring`, dom0 writing
    /// `garbled N: 10-1, zz-7, 1ffffffffffffffff0` lines to its console): n_tty sends a
    /// line's text and its `\r\n` with separate writes, so the text lands glued between two
    /// items and the line break a few items later. The cuts are the lab's (`LAB: ring|`
    /// lines); the domU's 400 extra frames are shortened to a few, and the timestamps but
    /// the I/O ports line's are made up.
    const GARBLED: &str = "\
(XEN) [   26.468104] Rangesets belonging to domain 1:
(XEN) [   26.468376]     Interrupts { 20-21 }
(XEN) [   26.468601]     I/O Memory { feb00-feb83, 1000000, 1000030, garbled 103: 10-1, zz-7, 1ffffffffffffffff01000032, 1000034, 1000036\r
, 1000038, 10000ecgarbled 104: 10-1, zz-7, 1ffffffffffffffff0, 10000ee\r
, 10000f0 }
(XEN) [   26.482213]     garbled 109: 10-1, zz-7, 1ffffffffffffffff0I/O Ports  { c040-\r
c05f }
(XEN) [   26.482401] Memory pages belonging to domain 1:
";

    #[test]
    fn the_lab_s_garbled_dump() {
        let d = parse(GARBLED);
        assert_eq!(pairs(&d[&1].irqs), [(20, 21)]);
        assert_eq!(
            pairs(&d[&1].iomem),
            [
                (0xfeb00, 0xfeb83),
                (0x1000000, 0x1000000),
                (0x1000030, 0x1000030),
                (0x1000034, 0x1000034),
                (0x1000036, 0x1000036),
                (0x1000038, 0x1000038),
                (0x10000ee, 0x10000ee),
                (0x10000f0, 0x10000f0),
            ]
        );
        assert_eq!(
            pairs(&d[&1].ioports),
            [(0xc040, 0xc05f)],
            "joined over the break"
        );
        // 103: three parts, the last glued to 1000032; 104: glued to 10000ec, three parts.
        assert_eq!(d[&1].skipped, 6);
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
