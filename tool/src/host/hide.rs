// SPDX-License-Identifier: GPL-2.0
//! `xen-pciback.hide=`, read exactly as Linux 7.3's `pcistub_init()` reads it
//! (drivers/xen/xen-pciback/pci_stub.c): the same `sscanf()` formats, run through a model of
//! the kernel's `vsscanf()` (lib/vsprintf.c), so an entry that pciback refuses is refused
//! here at the same character, with the kernel's own message; then the range checks of
//! `pcistub_device_id_add()`, which fail without any message and leave pciback unregistered.

/// One parsed entry: `None` for a `*` slot or function (every slot, every function).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HideEntry {
    pub domain: i32,
    pub bus: i32,
    pub slot: Option<i32>,
    pub func: Option<i32>,
}

impl HideEntry {
    /// Whether the entry makes pciback seize `domain:bus:slot.func`.
    pub fn names(&self, domain: u32, bus: u32, slot: u32, func: u32) -> bool {
        let eq = |v: i32, want: u32| u32::try_from(v).is_ok_and(|v| v == want);
        eq(self.domain, domain)
            && eq(self.bus, bus)
            && self.slot.is_none_or(|s| eq(s, slot))
            && self.func.is_none_or(|f| eq(f, func))
    }
}

/// Why pciback refused the parameter: it then registers no driver at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HideError {
    /// No format matched at byte `at`: the kernel logs [`HideError::kernel_message`].
    Syntax { at: usize, rest: String },
    /// An entry parsed but is out of range (bus over ff, slot over 1f, function over 7,
    /// domain over ffff): `pcistub_device_id_add()` returns -EINVAL and nothing is logged.
    Range { entry: String },
}

impl HideError {
    /// The line pciback prints, or `None` when it prints nothing.
    pub fn kernel_message(&self) -> Option<String> {
        match self {
            HideError::Syntax { rest, .. } => Some(format!(
                "xen_pciback: Error parsing pci_devs_to_hide at \"{rest}\""
            )),
            HideError::Range { .. } => None,
        }
    }
}

/// What one kernel `sscanf()` call gave: the number of conversions, the values converted
/// (as the kernel stores `%x` into an `int`) and where `%n` was reached, if it was.
#[derive(Debug, PartialEq, Eq)]
struct Scan {
    converted: usize,
    values: Vec<i32>,
    n: Option<usize>,
}

/// The kernel's `isspace()`: ASCII white space and Latin-1's no-break space (0xa0).
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0xa0)
}

fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while s.get(i).copied().is_some_and(is_space) {
        i += 1;
    }
    i
}

/// `simple_strntoull(s + i, &end, 16, INT_MAX)`: an optional `0x`, then hex digits; on
/// overflow the value saturates and the digits are still consumed.
fn parse_hex(s: &[u8], mut i: usize) -> (u64, usize) {
    if s.get(i) == Some(&b'0') && s.get(i + 1).is_some_and(|c| c.eq_ignore_ascii_case(&b'x')) {
        i += 2;
    }
    let mut value: u64 = 0;
    while let Some(d) = s.get(i).and_then(|c| (*c as char).to_digit(16)) {
        value = value
            .checked_mul(16)
            .and_then(|v| v.checked_add(u64::from(d)))
            .unwrap_or(u64::MAX);
        i += 1;
    }
    (value, i)
}

/// The kernel's `sscanf(s, fmt, ...)` for the conversions pciback uses: white space, literal
/// bytes, `%x` and `%n`.
fn kernel_sscanf(s: &[u8], fmt: &[u8]) -> Scan {
    let mut scan = Scan {
        converted: 0,
        values: Vec::new(),
        n: None,
    };
    let (mut f, mut i) = (0, 0);
    while f < fmt.len() {
        if is_space(fmt[f]) {
            f = skip_spaces(fmt, f + 1);
            i = skip_spaces(s, i);
        }
        let Some(&fc) = fmt.get(f) else { break };
        if fc != b'%' {
            // A literal must match; the kernel compares against the NUL at the end too.
            if s.get(i) != Some(&fc) {
                break;
            }
            f += 1;
            i += 1;
            continue;
        }
        match fmt.get(f + 1) {
            Some(b'n') => {
                scan.n = Some(i);
                f += 2;
            }
            Some(b'x') => {
                let j = skip_spaces(s, i);
                if !s.get(j).is_some_and(u8::is_ascii_hexdigit) {
                    break;
                }
                let (value, end) = parse_hex(s, j);
                // Stored through an `unsigned int *` into pciback's `int`s.
                scan.values.push(value as u32 as i32);
                scan.converted += 1;
                i = end;
                f += 2;
            }
            _ => break,
        }
    }
    scan
}

/// One entry at `s` (already past `pos`), as the body of `pcistub_init()`'s loop: the entry
/// and the bytes it took, or `None` where pciback reports a syntax error.
fn parse_one(s: &[u8]) -> Option<(HideEntry, usize)> {
    let full = kernel_sscanf(s, b" (%x:%x:%x.%x) %n");
    let v = &full.values;
    let with_domain = match full.converted {
        4 => full.n.map(|n| (v[0], v[1], Some(v[2]), Some(v[3]), n)),
        3 => kernel_sscanf(s, b" (%x:%x:%x.*) %n")
            .n
            .map(|n| (v[0], v[1], Some(v[2]), None, n)),
        2 => kernel_sscanf(s, b" (%x:%x:*.*) %n")
            .n
            .map(|n| (v[0], v[1], None, None, n)),
        _ => None,
    };
    let found = with_domain.or_else(|| {
        let short = kernel_sscanf(s, b" (%x:%x.%x) %n");
        let v = &short.values;
        match short.converted {
            3 => short.n.map(|n| (0, v[0], Some(v[1]), Some(v[2]), n)),
            2 => kernel_sscanf(s, b" (%x:%x.*) %n")
                .n
                .map(|n| (0, v[0], Some(v[1]), None, n)),
            1 => kernel_sscanf(s, b" (%x:*.*) %n")
                .n
                .map(|n| (0, v[0], None, None, n)),
            _ => None,
        }
    })?;
    let (domain, bus, slot, func, n) = found;
    // `parsed <= 0` is a parse error, and pciback's `*` slot or function is a -1 int: a
    // number that wraps to -1 means "every" to it as well.
    let wild = |v: Option<i32>| v.filter(|&x| x >= 0);
    (n > 0).then_some((
        HideEntry {
            domain,
            bus,
            slot: wild(slot),
            func: wild(func),
        },
        n,
    ))
}

/// `pcistub_device_id_add()`'s checks on the built-in driver (x86 has PCI domains).
fn in_range(e: &HideEntry) -> bool {
    (0..=0xffff).contains(&e.domain)
        && (0..=0xff).contains(&e.bus)
        && e.slot.is_none_or(|s| (0..=0x1f).contains(&s))
        && e.func.is_none_or(|f| (0..=7).contains(&f))
}

/// Parses the value of `xen-pciback.hide=`, stopping where pciback stops.
pub fn parse(value: &[u8]) -> Result<Vec<HideEntry>, HideError> {
    let mut entries = Vec::new();
    let mut pos = 0;
    while pos < value.len() {
        let rest = &value[pos..];
        let Some((entry, taken)) = parse_one(rest) else {
            return Err(HideError::Syntax {
                at: pos,
                rest: printable(rest),
            });
        };
        if !in_range(&entry) {
            return Err(HideError::Range {
                entry: printable(&rest[..taken]).trim().to_string(),
            });
        }
        entries.push(entry);
        pos += taken;
    }
    Ok(entries)
}

/// Bytes of a command line for a message: at most 80, control and non-ASCII bytes escaped.
pub fn printable(bytes: &[u8]) -> String {
    let mut s: String = bytes
        .iter()
        .take(80)
        .flat_map(|&b| std::ascii::escape_default(b).map(char::from))
        .collect();
    if bytes.len() > 80 {
        s.push_str("...");
    }
    s
}

/// The kernel's `next_arg()` (lib/cmdline.c) over a whole command line: each
/// `(param, value)` in order, quotes handled as the kernel handles them, stopping at `--`.
pub fn cmdline_args(line: &[u8]) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut args = skip_spaces(line, 0);
    while args < line.len() {
        let mut start = args;
        let (mut in_quote, mut quoted) = (false, false);
        if line[start] == b'"' {
            start += 1;
            in_quote = true;
            quoted = true;
        }
        let arg = &line[start..];
        let mut equals = 0;
        let mut i = 0;
        while i < arg.len() {
            if is_space(arg[i]) && !in_quote {
                break;
            }
            if equals == 0 && arg[i] == b'=' {
                equals = i;
            }
            if arg[i] == b'"' {
                in_quote = !in_quote;
            }
            i += 1;
        }
        // The kernel cuts a closing quote off both the whole argument (when it began with
        // one) and the value (when it begins with one).
        let closing = i > 0 && arg[i - 1] == b'"';
        let (param, value) = if equals == 0 {
            let end = if quoted && closing { i - 1 } else { i };
            (arg[..end].to_vec(), None)
        } else {
            let mut v_start = equals + 1;
            let mut end = i;
            if arg.get(v_start) == Some(&b'"') {
                v_start += 1;
                if closing {
                    end = i - 1;
                }
            }
            if quoted && closing {
                end = i - 1;
            }
            (
                arg[..equals].to_vec(),
                Some(arg[v_start..end.max(v_start)].to_vec()),
            )
        };
        if param == b"--" {
            break;
        }
        out.push((param, value));
        args = skip_spaces(line, start + (i + 1).min(arg.len()));
    }
    out
}

/// The kernel's `parameq()`: `-` and `_` are the same.
fn parameq(a: &[u8], b: &[u8]) -> bool {
    let norm = |c: &u8| if *c == b'-' { b'_' } else { *c };
    a.len() == b.len() && a.iter().map(norm).eq(b.iter().map(norm))
}

/// The last `xen-pciback.hide=` (or `xen_pciback.hide=`) value on a command line: the one
/// the kernel keeps, as each occurrence replaces the one before.
pub fn hide_from_cmdline(line: &[u8]) -> Option<Vec<u8>> {
    cmdline_args(line)
        .into_iter()
        .filter(|(p, _)| parameq(p, b"xen_pciback.hide"))
        .filter_map(|(_, v)| v)
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(domain: i32, bus: i32, slot: Option<i32>, func: Option<i32>) -> HideEntry {
        HideEntry {
            domain,
            bus,
            slot,
            func,
        }
    }

    #[test]
    fn documented_forms() {
        // Documentation/admin-guide/kernel-parameters: xen-pciback.hide=(0000:04:00.0)...
        let got = parse(b"(0000:04:00.0)(04:00.1)(0000:05:*.*)(06:01.*) (07:*.*)").unwrap();
        assert_eq!(
            got,
            [
                entry(0, 4, Some(0), Some(0)),
                entry(0, 4, Some(0), Some(1)),
                entry(0, 5, None, None),
                entry(0, 6, Some(1), None),
                entry(0, 7, None, None),
            ]
        );
        assert!(got[2].names(0, 5, 0x1f, 7));
        assert!(!got[0].names(0, 4, 0, 1));
    }

    /// `Error parsing pci_devs_to_hide at (0000:82.0.0)`, a device written with dots, as
    /// quoted in https://github.com/xcp-ng/xcp/issues/412 (field-reports.md, "device never
    /// reached pciback"). Linux 7.3 prints the rest of the value in double quotes.
    #[test]
    fn dotted_bdf_is_a_syntax_error() {
        let err = parse(b"(0000:82.0.0)").unwrap_err();
        assert_eq!(
            err.kernel_message().unwrap(),
            "xen_pciback: Error parsing pci_devs_to_hide at \"(0000:82.0.0)\""
        );
        // The error names where parsing stopped, after the entries that parsed.
        let err = parse(b"(00:04.0)(00:05.0,)").unwrap_err();
        assert_eq!(
            err,
            HideError::Syntax {
                at: 9,
                rest: "(00:05.0,)".into()
            }
        );
    }

    #[test]
    fn syntax_errors_and_odd_forms_as_the_kernel_reads_them() {
        // Without parentheses, a comma list, a missing ')': all refused.
        for bad in [
            &b"0000:00:04.0"[..],
            b"(00:04.0),(00:05.0)",
            b"(00:04.0",
            b"()",
        ] {
            assert!(
                matches!(parse(bad), Err(HideError::Syntax { .. })),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        // `%x` skips blanks and takes `0x`, but a literal ':' does not skip blanks.
        assert_eq!(
            parse(b" ( 0x0:0x4. 1) ").unwrap(),
            [entry(0, 0, Some(4), Some(1))]
        );
        assert!(matches!(
            parse(b"( 0 : 4.1)"),
            Err(HideError::Syntax { at: 0, .. })
        ));
    }

    #[test]
    fn out_of_range_fails_silently() {
        for bad in [
            &b"(00:20.0)"[..],
            b"(00:04.8)",
            b"(100:04.0)",
            b"(10000:00:04.0)",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(matches!(err, HideError::Range { .. }), "{err:?}");
            assert_eq!(err.kernel_message(), None);
        }
        // A number that wraps to -1 is pciback's wildcard.
        assert_eq!(
            parse(b"(00:ffffffff.0)").unwrap(),
            [entry(0, 0, None, Some(0))]
        );
    }

    #[test]
    fn cmdline_value_as_the_kernel_splits_it() {
        let line = b"placeholder root=/dev/xvda xen-pciback.hide=(00:04.0) quiet \
                     \"xen_pciback.hide=(00:05.0) (00:06.0)\" -- xen-pciback.hide=(00:07.0)";
        assert_eq!(
            hide_from_cmdline(line).unwrap(),
            b"(00:05.0) (00:06.0)".to_vec()
        );
        let quoted = b"xen-pciback.hide=\"(00:04.0)(00:05.0)\"\n";
        assert_eq!(
            hide_from_cmdline(quoted).unwrap(),
            b"(00:04.0)(00:05.0)".to_vec()
        );
        assert_eq!(hide_from_cmdline(b"xen-pciback.passthrough=1"), None);
    }
}
