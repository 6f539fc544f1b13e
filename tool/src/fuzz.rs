// SPDX-License-Identifier: GPL-2.0
//! Fuzzing on stable Rust: each target gets random and mutated inputs, seeded with real ones
//! (the lab's expected lines in qemu/scenarios/*.expect and the tool tests' captures), for a
//! bounded time, in a test build (overflow checks on), and checks its invariants besides not
//! panicking. `PFD_FUZZ_SECS` sets the time per target (default 3 s, so `cargo test` stays
//! short; `make fuzz` runs longer), `PFD_FUZZ_SEED` replays a run. Each target prints its
//! inputs per second (`cargo test fuzz -- --nocapture`).

use crate::check::{anomaly_lines, device_text, parse_guest};
use crate::console::{self, clean, Collector, MAX_IMAGE_ERRORS, MAX_LINE, MAX_REPORT};
use crate::rangeset::{self, DomainRanges};
use crate::sysfs::{self, IORESOURCE_IO, IORESOURCE_MEM};
use crate::view::{bar_view, device_view, split, DeviceView};
use pcifront_diag_core::diag::report::Bdf;
use pcifront_diag_core::diag::span::Span;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// xorshift64*: small, fast, reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Bytes the parsers give meaning to, for splicing in.
const DICTIONARY: &[&str] = &[
    "\n",
    "\r",
    "-",
    ",",
    " ",
    "{",
    "}",
    ":",
    ".",
    "0x",
    "ffffffffffffffff",
    "fffffffffffff",
    "0",
    "1",
    "Rangesets belonging to domain ",
    "I/O Memory {",
    "I/O Ports  {",
    "Interrupts {",
    "(XEN) [ 1.0] ",
    "PFD-",
    "PFD-REPORT-BEGIN ",
    "PFD-REPORT-END ",
    "PFD-DONE ",
    "PFD-IMAGE ",
    "PFD-ERROR ",
    console::tests::TOKEN,
    "\u{1b}[2J",
    "\u{202e}",
    "\u{ff}",
    "\"",
    "\\u001b",
    "{\"dom0_device\":\"0000:00:04.0\"}",
    "\"pcidevs\":",
    "\"bdf\":",
    "\"name\":\"x\"",
    "99999999999999999999",
    "-1",
    "null",
    "[]",
    "0x0000000000040200",
];

/// One mutation of `input`, using `seeds` for splices.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    let at = |rng: &mut Rng, v: &Vec<u8>| rng.below(v.len() + 1);
    match rng.below(7) {
        0 if !input.is_empty() => {
            let i = rng.below(input.len());
            input[i] ^= 1 << rng.below(8);
        }
        1 if !input.is_empty() => {
            let i = rng.below(input.len());
            input[i] = [0, 0xff, b'\n', b'-', b',', b'}', 0x1b, 0xc3, b'9', b'f'][rng.below(10)];
        }
        2 => {
            let i = at(rng, input);
            let word = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
            input.splice(i..i, word.iter().copied());
        }
        3 if !input.is_empty() => {
            let a = rng.below(input.len());
            let b = (a + rng.below(64)).min(input.len());
            input.drain(a..b);
        }
        4 if !input.is_empty() => {
            let a = rng.below(input.len());
            let b = (a + rng.below(256)).min(input.len());
            let copy = input[a..b].to_vec();
            let i = at(rng, input);
            input.splice(i..i, copy);
        }
        5 => {
            let other = &seeds[rng.below(seeds.len())];
            if !other.is_empty() {
                let a = rng.below(other.len());
                let b = (a + rng.below(512)).min(other.len());
                let i = at(rng, input);
                input.splice(i..i, other[a..b].iter().copied());
            }
        }
        _ => {
            let i = at(rng, input);
            let n = rng.below(16);
            let noise: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            input.splice(i..i, noise);
        }
    }
}

/// Seeds from the lab: the lines its scenarios expect, regex escapes removed.
fn lab_lines() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../qemu/scenarios");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().extension().is_some_and(|e| e == "expect") {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let unescaped: String = text.replace('\\', "");
            out.push(unescaped.into_bytes());
        }
    }
    out
}

/// Runs `target` on mutated inputs for the time budget; returns inputs run. The target
/// says whether an input got past parsing to the checks that follow (printed as a share, to
/// show the mutations are not all rejected at the door).
fn run(
    name: &str,
    mut seeds: Vec<Vec<u8>>,
    generate: fn(&mut Rng) -> Vec<u8>,
    target: impl Fn(&[u8]) -> bool,
) -> u64 {
    let secs = std::env::var("PFD_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let seed = std::env::var("PFD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    // The target's own seeds are the base three times in four; the lab's lines the rest.
    let own = seeds.len();
    seeds.extend(lab_lines());
    for s in &seeds {
        target(s);
    }
    let mut rng = Rng(seed);
    let t0 = Instant::now();
    let (mut inputs, mut deep) = (0u64, 0u64);
    while t0.elapsed() < Duration::from_secs_f64(secs) {
        // Half the inputs are generated from the target's grammar, half are seeds.
        let mut input = if rng.below(2) == 0 {
            generate(&mut rng)
        } else if rng.below(4) > 0 {
            seeds[rng.below(own)].clone()
        } else {
            seeds[rng.below(seeds.len())].clone()
        };
        for _ in 0..rng.below(4) {
            mutate(&mut rng, &mut input, &seeds);
        }
        deep += u64::from(target(&input));
        inputs += 1;
    }
    let per_s = inputs as f64 / t0.elapsed().as_secs_f64();
    let share = 100 * deep / inputs.max(1);
    eprintln!("fuzz {name}: {inputs} inputs in {secs} s, {per_s:.0} inputs/s, {share}% past parsing (PFD_FUZZ_SEED={seed})");
    inputs
}

/// A number a parser should handle: the edges, around them, or anything.
fn edgy(rng: &mut Rng) -> u64 {
    match rng.below(6) {
        0 => 0,
        1 => u64::MAX - rng.below(3) as u64,
        2 => 1 << rng.below(64),
        3 => rng.below(0x1_0000) as u64,
        4 => 0xfea00 + rng.below(0x200) as u64,
        _ => rng.next(),
    }
}

/// `xl dmesg` with a dump of a few domains, in the bases Xen prints them.
fn gen_dump(rng: &mut Rng) -> Vec<u8> {
    let mut out = String::new();
    for _ in 0..=rng.below(3) {
        out.push_str(&format!(
            "(XEN) [ 1.0] Rangesets belonging to domain {}:\n",
            rng.below(4)
        ));
        for label in ["Interrupts", "I/O Memory", "I/O Ports "] {
            let items: Vec<String> = (0..rng.below(6))
                .map(|_| {
                    let (a, b) = (edgy(rng), edgy(rng));
                    if label == "Interrupts" {
                        format!("{a}-{b}")
                    } else {
                        format!("{a:x}-{b:x}")
                    }
                })
                .collect();
            out.push_str(&format!(
                "(XEN) [ 1.1]     {label} {{ {} }}\n",
                items.join(", ")
            ));
        }
    }
    out.into_bytes()
}

/// A `resource` file of seven lines.
fn gen_resource(rng: &mut Rng) -> Vec<u8> {
    let flags = [0x200, 0x100, 0x40200, 0x46200, 0x140204, 0];
    (0..7)
        .map(|_| {
            let start = edgy(rng);
            let end = if rng.below(2) == 0 {
                start.saturating_add(edgy(rng) % 0x10_0000)
            } else {
                edgy(rng)
            };
            let f = if rng.below(4) == 0 {
                edgy(rng)
            } else {
                flags[rng.below(flags.len())]
            };
            format!("0x{start:016x} 0x{end:016x} 0x{f:016x}\n")
        })
        .collect::<String>()
        .into_bytes()
}

/// `xl -N create`'s JSON with a few pcidevs entries, nested or flat.
fn gen_guest_config(rng: &mut Rng) -> Vec<u8> {
    let entries: Vec<String> = (0..rng.below(4))
        .map(|_| {
            let mut n = || match rng.below(3) {
                0 => edgy(rng) % 0x40,
                1 => edgy(rng),
                _ => 0,
            };
            let addr = format!(
                r#""domain":{},"bus":{},"dev":{},"func":{}"#,
                n(),
                n(),
                n(),
                n()
            );
            match rng.below(3) {
                0 => format!(r#"{{"bdf":{{{addr}}},"permissive":"True"}}"#),
                1 => format!("{{{addr}}}"),
                _ => r#"{"name":"nic0"}"#.to_string(),
            }
        })
        .collect();
    format!(
        r#"{{"c_info":{{"type":"pv","name":"web"}},"pcidevs":[{}]}}"#,
        entries.join(",")
    )
    .into_bytes()
}

/// The image's lines with a report whose findings hold random text.
fn gen_console(rng: &mut Rng) -> Vec<u8> {
    let junk: String = (0..rng.below(40))
        .map(|_| char::from_u32(rng.below(0x300) as u32).unwrap_or('?'))
        .collect();
    let report = serde_json::json!({"dom0_device": "0000:00:04.0", "findings": [
        {"severity": "error", "code": junk, "scope": "BAR0", "what": junk, "evidence": "e", "fix": junk}]});
    let token = if rng.below(8) == 0 {
        "forged"
    } else {
        console::tests::TOKEN
    };
    console::tests::image_lines(token, &report.to_string()).into_bytes()
}

fn text(input: &[u8]) -> String {
    String::from_utf8_lossy(input).into_owned()
}

/// Sorted, disjoint, inside `bar`, and together exactly its values.
fn check_split(bar: Span, set: &[Span]) {
    let s = split(bar, set);
    let mut all: Vec<Span> = s
        .granted
        .spans
        .iter()
        .chain(&s.missing.spans)
        .copied()
        .collect();
    all.sort_unstable();
    let mut next = Some(bar.first());
    for span in &all {
        assert_eq!(Some(span.first()), next, "{bar:?} {set:?}");
        next = span.last().checked_add(1);
    }
    assert_eq!(all.last().map(Span::last), Some(bar.last()));
    assert_eq!(
        s.granted.total.checked_add(s.missing.total),
        Some(bar.count())
    );
}

#[test]
fn fuzz_rangeset_parser() {
    let seeds = vec![rangeset::tests::DENIED.as_bytes().to_vec()];
    let bars = [
        Span::new(0xfea00, 0xfeaff).unwrap(),
        Span::new(0, 0xff).unwrap(),
        Span::new(u64::MAX - 0x10, u64::MAX).unwrap(),
    ];
    let n = run("rangeset parser", seeds, gen_dump, |input| {
        let doms = rangeset::parse(&text(input));
        for ranges in doms.values() {
            for bar in bars {
                check_split(bar, &ranges.iomem);
                check_split(bar, &ranges.ioports);
            }
        }
        doms.values().any(|r| !r.iomem.is_empty())
    });
    assert!(n > 0);
}

/// `ranges` as Xen 4.20 prints them for `xl debug-keys q`, one string per printk call
/// (`rangeset_domain_printk()` and `rangeset_printk()` in common/rangeset.c: the indent, the
/// name, each separator, each bound): another writer's output can land between any two.
/// The `(XEN)` prefix belongs to a line's first piece.
fn printk_pieces(doms: &BTreeMap<u32, DomainRanges>) -> Vec<String> {
    let mut out = Vec::new();
    for (domid, r) in doms {
        out.push(format!(
            "(XEN) [ 1.0] Rangesets belonging to domain {domid}:\n"
        ));
        for (label, set, hex) in [
            ("Interrupts", &r.irqs, false),
            ("I/O Memory", &r.iomem, true),
            ("I/O Ports", &r.ioports, true),
        ] {
            let num = |v: u64| if hex { format!("{v:x}") } else { v.to_string() };
            out.push("(XEN) [ 1.1]     ".into());
            out.push(format!("{label:<10} {{"));
            for (n, span) in set.iter().enumerate() {
                if n > 0 {
                    out.push(",".into());
                }
                out.push(" ".into());
                out.push(num(span.first()));
                if span.last() != span.first() {
                    out.push("-".into());
                    out.push(num(span.last()));
                }
            }
            out.push(" }".into());
            out.push("\n".into());
        }
    }
    out
}

/// Another writer's text, as it lands between two printk calls of Xen's dump: it does not
/// start with a digit, a blank or a separator, and has no comma or brace (no item of its
/// own).
fn interloper(rng: &mut Rng) -> String {
    const FIRST: &[u8] = b"gzGZ(:x*";
    const REST: &[u8] = b"gzx09afAF -:().d";
    let mut text = String::from(FIRST[rng.below(FIRST.len())] as char);
    for _ in 0..rng.below(40) {
        text.push(REST[rng.below(REST.len())] as char);
    }
    text
}

/// What another writer puts between two pieces of the dump, and whether Xen then starts the
/// next piece with its prefix. `breaks_only`: only line breaks.
fn cut(rng: &mut Rng, breaks_only: bool) -> (String, bool) {
    match if breaks_only { 0 } else { rng.below(4) } {
        // dom0's console through n_tty: the line end and its text come in separate writes.
        0 => ("\r\n".into(), false),
        1 => (interloper(rng), false),
        2 => (interloper(rng) + "\r\n", false),
        // Another CPU's printk: a whole line; Xen's next piece starts a line, prefixed.
        _ => (interloper(rng) + "\n", true),
    }
}

/// The seed of an input's cuts, so that a failure replays with its input.
fn hash(input: &[u8]) -> u64 {
    input.iter().fold(0x9e37_79b9_7f4a_7c15, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) | 1
}

/// `pieces` with other writers' output between some of them.
fn garble(rng: &mut Rng, pieces: &[String], breaks_only: bool) -> String {
    let cuts = 1 + rng.below(4);
    let mut out = String::new();
    let mut prefix = false;
    for piece in pieces {
        if rng.below(pieces.len().max(1)) < cuts {
            let (text, prefixed) = cut(rng, breaks_only);
            out.push_str(&text);
            prefix = prefixed;
        }
        if prefix && !piece.starts_with("(XEN)") {
            out.push_str("(XEN) [ 2.0] ");
        }
        prefix = false;
        out.push_str(piece);
    }
    out
}

/// Every span of `got` lies in one of `was`.
fn within(got: &[Span], was: &[Span]) -> bool {
    got.iter().all(|s| {
        was.iter()
            .any(|w| w.first() <= s.first() && s.last() <= w.last())
    })
}

/// Issue 21: Xen prints each rangeset item with its own printk, so another CPU's or dom0's
/// console output cuts a dump mid-line (the dom0-garbled scenario). Whatever the cut, the
/// garbled dump names no frame, port or interrupt the clean one did not, and keeps every
/// domain: a cut item can only be skipped, which `dom0` reports. Cut by line breaks alone,
/// it reads as the clean dump.
#[test]
fn fuzz_rangeset_interleaved() {
    let seeds = vec![rangeset::tests::DENIED.as_bytes().to_vec()];
    let n = run("rangeset dump, cut mid-line", seeds, gen_dump, |input| {
        let clean = rangeset::parse(&text(input));
        let mut rng = Rng(hash(input));
        let breaks_only = rng.below(4) == 0;
        let garbled = garble(&mut rng, &printk_pieces(&clean), breaks_only);
        let after = rangeset::parse(&garbled);
        if breaks_only {
            let unskipped: BTreeMap<u32, DomainRanges> = clean
                .iter()
                .map(|(d, r)| {
                    (
                        *d,
                        DomainRanges {
                            skipped: 0,
                            ..r.clone()
                        },
                    )
                })
                .collect();
            assert_eq!(after, unskipped, "{garbled}");
            return false;
        }
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            clean.keys().collect::<Vec<_>>()
        );
        for (domid, r) in &after {
            let c = &clean[domid];
            for (got, was) in [
                (&r.iomem, &c.iomem),
                (&r.ioports, &c.ioports),
                (&r.irqs, &c.irqs),
            ] {
                assert!(
                    within(got, was),
                    "d{domid}: {got:?} not within {was:?}\n{garbled}"
                );
            }
        }
        after.values().any(|r| r.skipped > 0)
    });
    assert!(n > 0);
}

/// No control character but the line ends.
fn printable(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() && c != '\n')
}

#[test]
fn fuzz_console_collector() {
    let token = console::tests::TOKEN;
    let seeds = vec![
        console::tests::image_lines(token, console::tests::REPORT).into_bytes(),
        console::tests::image_lines("forged", console::tests::REPORT).into_bytes(),
    ];
    let dom0 = DeviceView {
        text: "0000:00:04.0: dom0 driver pciback\n".into(),
        json: serde_json::Value::Null,
        errors: 0,
    };
    let n = run("console collector", seeds, gen_console, |input| {
        let mut c = Collector::new(token);
        c.attached(console::tests::attached());
        let mut r = std::io::BufReader::with_capacity(64, input);
        while let Some(line) = console::read_line(&mut r, MAX_LINE).unwrap() {
            // Each byte that is not UTF-8 becomes U+FFFD, three bytes.
            assert!(line.text.len() <= 3 * MAX_LINE);
            c.feed(&line);
        }
        assert!(c.image_errors.len() <= MAX_IMAGE_ERRORS);
        for (_, report) in &c.reports {
            assert!(report.to_string().len() <= 2 * MAX_REPORT);
            let mut removed = 0;
            let (t, _) = device_text(Some(report), &dom0, &mut removed);
            assert!(printable(&t), "{t:?}");
        }
        for line in anomaly_lines(&c, 0).iter().chain(&c.image_errors) {
            assert!(printable(line), "{line:?}");
        }
        !c.reports.is_empty()
    });
    assert!(n > 0);
}

#[test]
fn fuzz_guest_config_reader() {
    let seeds = vec![
        br#"{"c_info":{"type":"pv","name":"web"},"pcidevs":[{"bdf":{"domain":0,"bus":0,"dev":4,"func":0},"permissive":"True"}]}"#.to_vec(),
        br#"{"c_info":{"type":"hvm","name":"win"},"pcidevs":[{"domain":0,"bus":3,"dev":0,"func":1}]}"#.to_vec(),
        br#"{"c_info":{"type":"pv","name":"web"},"pcidevs":[{"name":"nic0"}]}"#.to_vec(),
    ];
    let n = run("guest-config reader", seeds, gen_guest_config, |input| {
        let Ok(g) = parse_guest(&text(input)) else {
            return false;
        };
        for (bdf, _) in &g.devices {
            assert_eq!(Bdf::parse(&bdf.to_string()), Some(*bdf));
        }
        !g.devices.is_empty()
    });
    assert!(n > 0);
}

#[test]
fn fuzz_sysfs_reader() {
    let seeds = vec![sysfs::tests::E1000E.as_bytes().to_vec()];
    let doms = rangeset::parse(rangeset::tests::DENIED);
    let n = run("sysfs reader", seeds, gen_resource, |input| {
        let Ok(bars) = sysfs::parse_resource(&text(input)) else {
            return false;
        };
        assert!(bars.len() <= 7);
        for bar in &bars {
            assert!(bar.flags & (IORESOURCE_IO | IORESOURCE_MEM) != 0);
            check_split(bar.units(), &doms[&1].iomem);
            for ranges in doms.values() {
                let v = bar_view(bar, ranges, "0000:00:04.0");
                assert!(v.line.len() < 64 * 1024);
            }
        }
        let dev = sysfs::Device {
            bdf: Bdf::default(),
            bars: bars.clone(),
            driver: Some(clean(&text(input)).0),
            permissive: false,
            irq: None,
            msix_vectors: None,
        };
        let view = device_view(&dev, &doms[&1]);
        assert!(view.errors <= 1 + bars.len());
        !bars.is_empty()
    });
    assert!(n > 0);
}
