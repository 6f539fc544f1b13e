// SPDX-License-Identifier: GPL-2.0

//! Ranges of frame numbers or ports as both sides of the project name them: the module's
//! runs of Xen's answers and the dom0 command's view of Xen's rangesets, with the `iomem=` and
//! `ioports=` entries of xl.cfg that grant them.

use core::fmt::{self, Write};

use super::facts::Run;

/// An inclusive range of frame numbers (or ports): `0xa-0xb`, or `0xa` for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    first: u64,
    last: u64,
}

impl Span {
    /// `first..=last`, or `None` when it ends before it starts.
    pub fn new(first: u64, last: u64) -> Option<Span> {
        (first <= last).then_some(Span { first, last })
    }

    /// One value.
    pub fn one(value: u64) -> Span {
        Span {
            first: value,
            last: value,
        }
    }

    /// The first value.
    pub fn first(&self) -> u64 {
        self.first
    }

    /// The last value (inclusive).
    pub fn last(&self) -> u64 {
        self.last
    }

    /// How many values it holds. The whole `u64` space holds 2^64, which does not fit: it
    /// saturates at `u64::MAX` there (no BAR, frame or port range is that large).
    pub fn count(&self) -> u64 {
        (self.last - self.first).saturating_add(1)
    }

    /// The values both hold, if any.
    pub fn intersect(&self, other: &Span) -> Option<Span> {
        Span::new(self.first.max(other.first), self.last.min(other.last))
    }
}

impl From<&Run> for Span {
    fn from(run: &Run) -> Span {
        Span {
            first: run.first_pfn,
            last: run.last_pfn(),
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "0x{:x}", self.first)
        } else {
            write!(f, "0x{:x}-0x{:x}", self.first, self.last)
        }
    }
}

/// xl.cfg's `iomem=` entries that grant `spans` of frames: `'first,count'` (hex) each,
/// comma-separated, as xl.cfg(5) reads them.
pub fn write_iomem_spans(w: &mut impl Write, spans: impl IntoIterator<Item = Span>) -> fmt::Result {
    for (n, span) in spans.into_iter().enumerate() {
        let sep = if n > 0 { "," } else { "" };
        write!(w, "{sep}'{:x},{:x}'", span.first, span.count())?;
    }
    Ok(())
}

/// xl.cfg's `ioports=` entries that grant `spans` of ports: `'first-last'` (hex) each.
pub fn write_ioport_spans(
    w: &mut impl Write,
    spans: impl IntoIterator<Item = Span>,
) -> fmt::Result {
    for (n, span) in spans.into_iter().enumerate() {
        let sep = if n > 0 { "," } else { "" };
        write!(w, "{sep}'{:x}-{:x}'", span.first, span.last)?;
    }
    Ok(())
}
