//! Fuzzing `diag::checks` and `diag::report`: any facts (random, or the fixtures' devices
//! mutated) and any probe metadata through `check`, every log line, the summary and the JSON
//! report.

use crate::common::*;
use crate::driver::{no_open_bug, run, Rng};
use crate::plan::{any_resource, Answers};
use pcifront_diag_core::diag::bar::NUM_RESOURCES;
use pcifront_diag_core::diag::checks::{all_codes, check, read_probe_safe, Severity, MAX_FINDINGS};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::{
    scope, write_json, write_line, write_summary, Bdf, Meta, Phases,
};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::Write;

/// printk keeps about 1,000 bytes of a record, and `dev_*!` puts the driver and the BDF first.
const LINE_MAX: usize = 1000 - "pcifront_diag 0000:00:00.0: ".len();
/// The JSON report: every finding's words (each shorter than a line) and the device's facts.
const JSON_MAX: usize = MAX_FINDINGS * 3 * LINE_MAX + 8192;

/// One probe: its facts and its metadata.
#[derive(Debug)]
pub struct ReportInput {
    /// What the probe gathered.
    pub facts: DeviceFacts,
    /// What it cost, who ran it, the device's names.
    pub meta: Meta,
}

/// The fixtures' devices: the seeds of the mutations.
fn corpus() -> Vec<DeviceFacts> {
    let mut devices = catalogue();
    devices.extend([healthy_at_top(), six_sub_page_bars()]);
    let mut f = healthy();
    with_64bit_bar0_not_asked(&mut f);
    devices.push(f);
    devices
}

/// Flags the PCI core sets on a BAR's resource, or any bits.
fn any_flags(rng: &mut Rng) -> u64 {
    const SOME: [u64; 7] = RESOURCE_FLAG_SETS;
    match rng.below(4) {
        0 => rng.next(),
        _ => rng.pick(&SOME),
    }
}

/// Xen's verdict on a resource's frames as the module's scan gives it (any answers, batch,
/// test limit, failed batch), or none.
fn scan_of(rng: &mut Rng, res: &Resource) -> Option<Verdict> {
    if rng.one_in(3) {
        return None;
    }
    let (first_pfn, frames) = res.frames();
    let answers = Answers::generate(rng, frames);
    let batch = match rng.below(3) {
        0 => rng.pick(&[0, 1, 64, BATCH]),
        // CAST: below 300.
        _ => rng.below(300) as usize,
    };
    let mut m = Model::new(first_pfn, frames, batch, move |i| answers.at(i));
    if rng.one_in(6) {
        // CAST: below 4; any code.
        m = m.failing(rng.below(4) as usize, rng.edgy_u32() as i32);
    }
    Some(m.scan(rng.below(600)))
}

/// One BAR's facts: resource, RAM, p2m, verdict, skip and read probe, each random.
fn any_bar(rng: &mut Rng) -> BarFacts {
    let res = Resource {
        flags: any_flags(rng),
        claimed: !rng.one_in(4),
        ..any_resource(rng)
    };
    BarFacts {
        res,
        ram_overlap: rng.one_in(6),
        p2m: rng.one_in(4).then(|| P2m {
            frames: rng.edgy_u64(),
            non_identity: rng.edgy_u64(),
            invalid: rng.edgy_u64(),
            first: rng.one_in(2).then(|| (rng.edgy_u64(), rng.edgy_u64())),
        }),
        verdict: scan_of(rng, &res),
        skipped: rng.one_in(4).then(|| match rng.below(5) {
            0 => Skip::NotPv,
            1 => Skip::IoPorts,
            2 => Skip::P2m,
            3 => Skip::NoResource,
            // CAST: any code.
            _ => Skip::Scratch(rng.edgy_u32() as i32),
        }),
        read_probe: rng.one_in(2).then(|| rng.edgy_u32()),
    }
}

/// Random facts of a whole device.
fn any_facts(rng: &mut Rng) -> DeviceFacts {
    DeviceFacts {
        ctx: Context {
            xen_pv: !rng.one_in(4),
            initial_domain: rng.one_in(8),
            pcifront: !rng.one_in(4),
            // CAST: any domain id.
            backend_domid: rng.one_in(2).then(|| rng.next() as u16),
            ram_pages: rng.edgy_u64(),
            // CAST: below 80.
            phys_bits: rng.below(80) as u8,
        },
        cfg: Config {
            id: rng.edgy_u32(),
            // CAST: any command register.
            command: rng.next() as u16,
            // CAST: any command register.
            command_after_enable: rng.one_in(2).then(|| rng.next() as u16),
            class_rev: rng.edgy_u32(),
            bars: std::array::from_fn(|_| rng.edgy_u32()),
            rom: rng.edgy_u32(),
            read_errors: rng.edgy_u32(),
            // CAST: the seven registers' bits.
            bars_failed: rng.below(0x80) as u8,
        },
        bars: std::array::from_fn(|_| any_bar(rng)),
        // CAST: any code.
        restore_failed: rng.one_in(4).then(|| rng.edgy_u32() as i32),
        // The interrupt and DMA facts come from the corpus (the catalogue's devices) through
        // mutation; random ones are left to a target of their own.
        ..DeviceFacts::default()
    }
}

/// One change to a fixture: a context bit, a register, or one BAR's facts.
fn mutate(rng: &mut Rng, f: &mut DeviceFacts) {
    let i = rng.index(NUM_RESOURCES);
    match rng.below(10) {
        0 => f.ctx.phys_bits = rng.pick(&[0, 32, 39, 40, 46, 52, 63, 64, 255]),
        1 => f.ctx.ram_pages = rng.edgy_u64(),
        // CAST: a bit of the command register.
        2 => f.cfg.command = rng.flip(u64::from(f.cfg.command)) as u16,
        3 if i < 6 => f.cfg.bars[i] = rng.edgy_u32(),
        3 => f.cfg.rom = rng.edgy_u32(),
        4 => {
            let any = rng.edgy_u64();
            f.bars[i].res.end = rng.pick(&[u64::MAX, f.bars[i].res.start, any]);
        }
        5 => f.bars[i].res.start = rng.flip(f.bars[i].res.start),
        6 => f.bars[i].res.flags = any_flags(rng),
        7 => {
            let any = rng.edgy_u32();
            f.bars[i].read_probe = Some(rng.pick(&[u32::MAX, 0, any]));
        }
        8 => f.bars[i] = any_bar(rng),
        _ => f.bars.swap(i, rng.index(NUM_RESOURCES)),
    }
    // The module scans the frames of the resource it has: keep verdicts the scan's.
    let res = f.bars[i].res;
    if f.bars[i]
        .verdict
        .is_some_and(|v| (v.first_pfn, v.frames) != res.frames())
    {
        f.bars[i].verdict = scan_of(rng, &res);
    }
}

/// Any BDF `Bdf::parse` can give (device and function bounded).
fn any_bdf(rng: &mut Rng) -> Bdf {
    Bdf {
        // CAST: any domain and bus; device below 0x20, function below 8.
        domain: rng.next() as u16,
        bus: rng.next() as u8,
        dev: rng.below(0x20) as u8,
        func: rng.below(8) as u8,
    }
}

/// Any metadata: names, counters, the task's `comm` (any bytes).
fn any_meta(rng: &mut Rng) -> Meta {
    let bdf = any_bdf(rng);
    let backend_bdf = rng.one_in(2).then(|| any_bdf(rng));
    Meta {
        bdf,
        backend_bdf,
        // CAST: any ids.
        vendor: rng.next() as u16,
        device: rng.next() as u16,
        pid: rng.edgy_u32() as i32,
        comm: std::array::from_fn(|_| rng.pick(&[0, b'a', b'"', b'\\', 0x1b, 0x7f, 0xc3, 0xff])),
        config_reads: rng.edgy_u32(),
        hypercalls: rng.edgy_u32(),
        trial_entries: rng.edgy_u64(),
        probe_ns: rng.edgy_u64(),
        phases: Phases {
            config_ns: rng.edgy_u64(),
            context_ns: rng.edgy_u64(),
            xen_ns: rng.edgy_u64(),
        },
    }
}

/// A fixture with one to eight changes, or a random device.
fn generate(rng: &mut Rng, corpus: &[DeviceFacts]) -> ReportInput {
    let facts = if rng.one_in(3) {
        any_facts(rng)
    } else {
        let mut f = corpus[rng.index(corpus.len())];
        for _ in 0..=rng.below(8) {
            mutate(rng, &mut f);
        }
        f
    };
    ReportInput {
        facts,
        meta: any_meta(rng),
    }
}

/// A line for the kernel log: printable, one line, fits a printk record.
fn assert_printable(what: &str, s: &str) {
    assert!(s.len() <= LINE_MAX, "{what}: {} bytes: {s}", s.len());
    assert!(
        !s.chars().any(char::is_control),
        "{what}: control character in {s:?}"
    );
}

/// What the inputs reached: the codes found, the longest line and the largest JSON report.
#[derive(Default)]
struct Reach {
    codes: BTreeSet<&'static str>,
    longest_line: usize,
    largest_json: usize,
}

/// What every device's report must be, whatever the facts. Adds what it reached to `reach`.
fn check_report(input: &ReportInput, reach: &mut Reach) {
    let (facts, meta) = (&input.facts, &input.meta);
    let out = check(facts);
    assert!(out.len() <= MAX_FINDINGS);
    let counted = [Severity::Error, Severity::Warning, Severity::Info].map(|s| out.count(s));
    assert_eq!(counted.iter().sum::<usize>(), out.len());
    let codes: Vec<&str> = all_codes().collect();
    for finding in out.iter() {
        assert!(codes.contains(&finding.code()), "{:?}", finding.code());
        let mut line = String::new();
        write_line(&mut line, finding, facts, meta).unwrap();
        let head = format!(
            "{} {} {}: ",
            finding.severity().as_str(),
            finding.code(),
            scope(finding)
        );
        assert!(line.starts_with(&head), "{line}");
        assert_printable("line", &line);
        reach.codes.insert(finding.code());
        reach.longest_line = reach.longest_line.max(line.len());
    }
    let mut summary = String::new();
    write_summary(&mut summary, &out, meta).unwrap();
    assert_printable("summary", &summary);
    let json_len = check_json(input, &out);
    reach.largest_json = reach.largest_json.max(json_len);
    for i in 0..NUM_RESOURCES {
        assert!(!read_probe_safe(facts, i) || i < 6, "the ROM is never read");
    }
}

/// The JSON report: one bounded line that parses, with the findings' codes. Returns its length.
fn check_json(input: &ReportInput, out: &pcifront_diag_core::diag::checks::Findings) -> usize {
    let mut s = String::new();
    write_json(&mut s, &input.facts, out, &input.meta).unwrap();
    assert!(s.len() <= JSON_MAX, "{} bytes of JSON", s.len());
    assert!(
        s.ends_with("}\n") && s.matches('\n').count() == 1,
        "one line"
    );
    let j: Value = serde_json::from_str(&s).unwrap_or_else(|e| panic!("invalid JSON ({e}): {s}"));
    let findings = j["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), out.len());
    let codes: Vec<&str> = all_codes().collect();
    for (jf, f) in findings.iter().zip(out.iter()) {
        assert_eq!(jf["code"], f.code());
        assert!(codes.contains(&jf["code"].as_str().unwrap()));
    }
    assert_eq!(j["summary"]["dropped"], out.dropped);
    s.len()
}

#[test]
fn fuzz_report() {
    let corpus = corpus();
    let reach = RefCell::new(Reach::default());
    let inputs = run(
        "report",
        0.55,
        |rng| generate(rng, &corpus),
        no_open_bug,
        |input| check_report(input, &mut reach.borrow_mut()),
    );
    assert!(inputs > 0);
    // How far the inputs reach: a code never found is a finding never worded.
    let reach = reach.into_inner();
    let missing: Vec<&str> = all_codes().filter(|c| !reach.codes.contains(c)).collect();
    // Nothing to do if stderr is gone.
    let _ = writeln!(
        std::io::stderr(),
        "fuzz report: longest line {} bytes (limit {LINE_MAX}), largest JSON {} bytes; codes \
         never found: {missing:?}",
        reach.longest_line,
        reach.largest_json
    );
}
