// SPDX-License-Identifier: GPL-2.0

//! Wording: one log line per finding (what, evidence, fix), a summary line, and the JSON
//! report published in debugfs. Everything is written to a [`core::fmt::Write`], so the
//! kernel can print it without allocating and the host tests can compare strings.

use core::fmt::{self, Write};

use super::bar::{bar_name, index_u8};
use super::checks::Findings;
use super::facts::{Config, Context, DeviceFacts, Runs, Trial, Verdict, RUNS_KEPT};
use super::findings::{At, Finding, Severity, EBUSY, EFAULT, EINVAL, ENODEV, ENOMEM, EPERM};
use super::line::FindingLine;
use super::span::{write_iomem_spans, Span};

/// A PCI address `dddd:bb:dd.f`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bdf {
    /// PCI domain (segment).
    pub domain: u16,
    /// Bus.
    pub bus: u8,
    /// Device (slot).
    pub dev: u8,
    /// Function.
    pub func: u8,
}

impl Bdf {
    /// Parses `dddd:bb:dd.f` or `bb:dd.f` (hex), as xenstore's `dev-N` nodes hold it.
    pub fn parse(s: &str) -> Option<Bdf> {
        let s = s.trim_end_matches(['\0', '\n', ' ']);
        let (head, func) = s.rsplit_once('.')?;
        let mut parts = head.rsplitn(3, ':');
        let dev = parts.next()?;
        let bus = parts.next()?;
        let domain = parts.next().unwrap_or("0");
        let bdf = Bdf {
            domain: u16::from_str_radix(domain, 16).ok()?,
            bus: u8::from_str_radix(bus, 16).ok()?,
            dev: u8::from_str_radix(dev, 16).ok()?,
            func: u8::from_str_radix(func, 16).ok()?,
        };
        if bdf.dev > 0x1f || bdf.func > 7 {
            return None;
        }
        Some(bdf)
    }
}

impl fmt::Display for Bdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04x}:{:02x}:{:02x}.{:x}",
            self.domain, self.bus, self.dev, self.func
        )
    }
}

/// What the report says about the probe itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// The device as the guest names it.
    pub bdf: Bdf,
    /// The same device as dom0 names it (from the pciback xenstore nodes).
    pub backend_bdf: Option<Bdf>,
    /// Vendor id.
    pub vendor: u16,
    /// Device id.
    pub device: u16,
    /// Task that triggered the probe.
    pub pid: i32,
    /// Its `comm`, NUL padded.
    pub comm: [u8; 16],
    /// Config-space reads spent.
    pub config_reads: u32,
    /// Hypercalls spent (batches of trial mappings and the restore).
    pub hypercalls: u32,
    /// Trial mappings and restores spent (multicall entries).
    pub trial_entries: u64,
    /// Probe duration in nanoseconds.
    pub probe_ns: u64,
    /// Where that time went.
    pub phases: Phases,
}

/// The probe's duration by step, in nanoseconds (`diagnose` in probe.rs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Phases {
    /// Reading config space (through pcifront: a round trip to pciback each).
    pub config_ns: u64,
    /// Xen context: xenstore reads for the backend, guest RAM, resources.
    pub context_ns: u64,
    /// Xen's verdict: scratch slots, trial mappings, restore.
    pub xen_ns: u64,
}

impl Meta {
    fn comm(&self) -> &str {
        let n = self.comm.iter().position(|&c| c == 0).unwrap_or(16);
        core::str::from_utf8(&self.comm[..n]).unwrap_or("?")
    }
}

/// Binary size with a unit, e.g. `1 MiB`, `16 B`.
pub struct Size(pub u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
        let mut v = self.0;
        let mut u = 0;
        while v >= 1024 && v % 1024 == 0 && u + 1 < UNITS.len() {
            v /= 1024;
            u += 1;
        }
        write!(f, "{} {}", v, UNITS[u])
    }
}

/// `-EPERM`, ..., or `error` for a code without a name here.
pub(super) fn errno_name(rc: i32) -> &'static str {
    match rc {
        EPERM => "-EPERM",
        EINVAL => "-EINVAL",
        EBUSY => "-EBUSY",
        ENOMEM => "-ENOMEM",
        EFAULT => "-EFAULT",
        ENODEV => "-ENODEV",
        _ => "error",
    }
}

/// The guest-visible name of the finding's scope: `BAR0`..`ROM`, or `device`.
pub fn scope(finding: &Finding) -> &'static str {
    match finding.bar {
        Some(i) => bar_name(i),
        None => "device",
    }
}

/// What a finding's words draw on: its BAR, the device's facts, dom0's BDF if known.
fn at<'a>(finding: &Finding, facts: &'a DeviceFacts, dom0: Option<Bdf>) -> At<'a> {
    At {
        bar: finding.bar,
        facts,
        dom0,
    }
}

/// Writes what the finding means.
pub fn write_what(w: &mut impl Write, finding: &Finding) -> fmt::Result {
    w.write_str(finding.kind.what())
}

/// Writes the evidence: raw values behind the finding.
pub fn write_evidence(w: &mut impl Write, finding: &Finding, facts: &DeviceFacts) -> fmt::Result {
    finding.kind.write_evidence(w, &at(finding, facts, None))
}

/// Writes the fix: the xl.cfg option, dom0 setting or command to use. Empty if none.
pub fn write_fix(
    w: &mut impl Write,
    finding: &Finding,
    facts: &DeviceFacts,
    m: &Meta,
) -> fmt::Result {
    finding
        .kind
        .write_fix(w, &at(finding, facts, m.backend_bdf))
}

/// `N frames: 0xa-0xb (-EPERM), 0xc, and K more ranges`, or `none`: at most `.1` of the kept
/// runs are named, the others counted.
struct RunList<'a>(&'a Runs, usize);

impl fmt::Display for RunList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RunList(runs, named) = *self;
        if runs.count == 0 {
            return f.write_str("none");
        }
        write!(f, "{}: ", runs.frames)?;
        let mut shown = 0u64;
        for (n, run) in runs.iter().take(named).enumerate() {
            f.write_str(if n > 0 { ", " } else { "" })?;
            write!(f, "{}", Span::from(run))?;
            if let Trial::Refused(rc) = run.answer {
                write!(f, " ({})", errno_name(rc))?;
            }
            shown += 1;
        }
        let rest = runs.count - shown;
        if rest > 0 {
            write!(f, ", and {rest} more range(s)")?;
        }
        Ok(())
    }
}

/// What was asked: `every frame of 256 tested`, or the sample.
struct Asked<'a>(&'a Verdict);

impl fmt::Display for Asked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if v.sampled() {
            write!(
                f,
                "sampled {} of {} frames (frame 0, one in every {} after it and the last; the others not asked)",
                v.tested, v.frames, v.stride
            )
        } else if v.tested < v.frames {
            write!(f, "asked {} of {} frames", v.tested, v.frames)
        } else {
            write!(f, "every frame of {} tested", v.frames)
        }
    }
}

/// Xen's answers, range by range, and what they cost.
pub(super) fn write_answers(w: &mut dyn Write, v: Option<&Verdict>) -> fmt::Result {
    let Some(v) = v else {
        return w.write_str("Xen not asked");
    };
    // A sampled BAR's numbers are long (frame counts up to 2^52, the stride): it names one
    // granted and one read-only range, and the refused ones the fix is about, so that the
    // line stays within a printk record (`line_of_a_huge_sampled_bar_fits_a_printk_record`).
    let others = if v.sampled() { 1 } else { RUNS_KEPT };
    write!(
        w,
        "{}: granted {}; refused {}; read-only {}; {} trial mappings in {} hypercall(s)",
        Asked(v),
        RunList(&v.granted, others),
        RunList(&v.refused, RUNS_KEPT),
        RunList(&v.read_only, others),
        v.entries,
        v.hypercalls
    )
}

/// The verdict of a BAR with no problem: every tested frame mapped.
pub(super) fn write_verdict(w: &mut dyn Write, v: Option<&Verdict>) -> fmt::Result {
    match v {
        Some(v) if v.sampled() => write!(
            w,
            ", Xen maps all {} sampled frames of {} ({} trial mappings in {} hypercall(s); the others not asked)",
            v.tested, v.frames, v.entries, v.hypercalls
        ),
        Some(v) => write!(
            w,
            ", Xen maps all {} frames, every frame tested ({} trial mappings in {} hypercall(s))",
            v.frames, v.entries, v.hypercalls
        ),
        None => w.write_str(", Xen not asked"),
    }
}

/// The `iomem=` entries (`'first,count'`, hex) that grant a BAR's refused frames: each refused
/// range when Xen answered for every frame and every range is kept, else the whole BAR.
pub(super) fn write_iomem(
    mut w: &mut dyn Write,
    v: Option<&Verdict>,
    res: super::facts::Resource,
    pfn: u64,
) -> fmt::Result {
    let whole = |first: u64, frames: u64| {
        Span::new(first, first.saturating_add(frames.saturating_sub(1))).unwrap_or(Span::one(pfn))
    };
    match v {
        Some(v) if v.complete() && v.refused.count > 0 && v.refused.all_kept() => {
            write_iomem_spans(&mut w, v.refused.iter().map(Span::from))
        }
        Some(v) => write_iomem_spans(&mut w, [whole(v.first_pfn, v.frames)]),
        None => match res.frames() {
            (_, 0) => write_iomem_spans(&mut w, [Span::one(pfn)]),
            (first, frames) => write_iomem_spans(&mut w, [whole(first, frames)]),
        },
    }
}

/// Writes one log line (without the `driver BDF: ` prefix `dev_*!` adds), in the shape the
/// dom0 command prints a guest's findings in ([`FindingLine`]).
pub fn write_line(
    w: &mut impl Write,
    finding: &Finding,
    facts: &DeviceFacts,
    m: &Meta,
) -> fmt::Result {
    let at = at(finding, facts, m.backend_bdf);
    let mut has_fix = AnyWritten(false);
    finding.kind.write_fix(&mut has_fix, &at)?;
    let evidence = Words(|w: &mut fmt::Formatter<'_>| finding.kind.write_evidence(w, &at));
    let fix = Words(|w: &mut fmt::Formatter<'_>| finding.kind.write_fix(w, &at));
    let line = FindingLine {
        severity: finding.severity().as_str(),
        code: finding.code(),
        scope: scope(finding),
        what: &finding.kind.what(),
        evidence: &evidence,
        fix: if has_fix.0 { Some(&fix) } else { None },
    };
    write!(w, "{line}")
}

/// Words written by a closure, as a [`fmt::Display`].
struct Words<F>(F);

impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Display for Words<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
}

/// Records whether anything was written.
struct AnyWritten(bool);

impl Write for AnyWritten {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 |= !s.is_empty();
        Ok(())
    }
}

/// The device's overall status: `FAIL` (any error), `WARN` (any warning) or `OK`. ("Verdict" is
/// Xen's answers for a BAR's frames, [`super::facts::Verdict`].)
pub fn status(findings: &Findings) -> &'static str {
    if findings.count(Severity::Error) > 0 {
        "FAIL"
    } else if findings.count(Severity::Warning) > 0 {
        "WARN"
    } else {
        "OK"
    }
}

/// Writes the summary line.
pub fn write_summary(w: &mut impl Write, findings: &Findings, m: &Meta) -> fmt::Result {
    write!(
        w,
        "summary: {} {} error(s), {} warning(s), {} info",
        status(findings),
        findings.count(Severity::Error),
        findings.count(Severity::Warning),
        findings.count(Severity::Info)
    )?;
    if let Some(first) = findings
        .iter()
        .find(|finding| finding.severity() == Severity::Error)
    {
        write!(w, "; first error: {} {}", first.code(), scope(first))?;
    }
    write!(
        w,
        "; cost: {} config reads, {} hypercalls ({} trial mappings and restores), {} us \
         (config {} us, context {} us, Xen {} us)",
        m.config_reads,
        m.hypercalls,
        m.trial_entries,
        m.probe_ns / 1000,
        m.phases.config_ns / 1000,
        m.phases.context_ns / 1000,
        m.phases.xen_ns / 1000
    )
}

/// Escapes a string for JSON.
struct Json<W>(W);

impl<W: Write> Write for Json<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            match c {
                '"' => self.0.write_str("\\\"")?,
                '\\' => self.0.write_str("\\\\")?,
                c if (c as u32) < 0x20 => write!(self.0, "\\u{:04x}", c as u32)?,
                c => self.0.write_char(c)?,
            }
        }
        Ok(())
    }
}

fn write_json_runs(w: &mut impl Write, runs: &Runs) -> fmt::Result {
    write!(
        w,
        "{{\"frames\":{},\"ranges\":{},\"first\":[",
        runs.frames, runs.count
    )?;
    for (n, run) in runs.iter().enumerate() {
        let sep = if n > 0 { "," } else { "" };
        write!(
            w,
            "{sep}{{\"pfn\":{},\"frames\":{}",
            run.first_pfn, run.frames
        )?;
        if let Trial::Refused(rc) = run.answer {
            write!(w, ",\"rc\":{rc}")?;
        }
        w.write_char('}')?;
    }
    w.write_str("]}")
}

/// Xen's verdict on one BAR: what was asked, the answers as pfn ranges, the cost.
fn write_json_verdict(w: &mut impl Write, v: &Verdict) -> fmt::Result {
    write!(
        w,
        "{{\"first_pfn\":{},\"frames\":{},\"tested\":{},\"stride\":{},\"hypercalls\":{},\"trial_entries\":{},\"aborted\":",
        v.first_pfn, v.frames, v.tested, v.stride, v.hypercalls, v.entries
    )?;
    match v.aborted {
        Some(rc) => write!(w, "{rc}")?,
        None => w.write_str("null")?,
    }
    w.write_str(",\"granted\":")?;
    write_json_runs(w, &v.granted)?;
    w.write_str(",\"refused\":")?;
    write_json_runs(w, &v.refused)?;
    w.write_str(",\"read_only\":")?;
    write_json_runs(w, &v.read_only)?;
    w.write_char('}')
}

/// The version of pcifront-diag: the module, the dom0 command and its image carry the same.
pub const VERSION: &str = include_str!("../VERSION").trim_ascii_end();

/// The JSON report's layout version: raised when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// Writes the whole report as one JSON object, on one line.
pub fn write_json(
    w: &mut impl Write,
    facts: &DeviceFacts,
    findings: &Findings,
    m: &Meta,
) -> fmt::Result {
    write!(
        w,
        "{{\"schema_version\":{SCHEMA_VERSION},\"version\":\"{}\",\"device\":\"{}\",\"dom0_device\":",
        VERSION, m.bdf
    )?;
    match m.backend_bdf {
        Some(b) => write!(w, "\"{b}\"")?,
        None => w.write_str("null")?,
    }
    write!(w, ",\"id\":\"{:04x}:{:04x}\",", m.vendor, m.device)?;
    write_json_context(w, &facts.ctx)?;
    write_json_task_cost(w, m)?;
    write_json_registers(w, &facts.cfg)?;
    write_json_resources(w, facts)?;
    write_json_findings(w, facts, findings, m)?;
    super::paths::write_json(w, facts)?;
    write!(
        w,
        ",\"summary\":{{\"verdict\":\"{}\",\"errors\":{},\"warnings\":{},\"info\":{},\"dropped\":{}}}}}",
        status(findings),
        findings.count(Severity::Error),
        findings.count(Severity::Warning),
        findings.count(Severity::Info),
        findings.dropped
    )?;
    w.write_char('\n')
}

/// `"context":{...},`
fn write_json_context(w: &mut impl Write, c: &Context) -> fmt::Result {
    write!(
        w,
        "\"context\":{{\"xen_pv\":{},\"dom0\":{},\"pcifront\":{},\"backend_domid\":",
        c.xen_pv, c.initial_domain, c.pcifront
    )?;
    match c.backend_domid {
        Some(d) => write!(w, "{d}")?,
        None => w.write_str("null")?,
    }
    write!(
        w,
        ",\"ram_pages\":{},\"phys_bits\":{}}},",
        c.ram_pages, c.phys_bits
    )
}

/// `"task":{...},"cost":{...},`: who probed, and what the probe spent.
fn write_json_task_cost(w: &mut impl Write, m: &Meta) -> fmt::Result {
    write!(w, "\"task\":{{\"pid\":{},\"comm\":\"", m.pid)?;
    Json(&mut *w).write_str(m.comm())?;
    write!(
        w,
        "\"}},\"cost\":{{\"config_reads\":{},\"hypercalls\":{},\"trial_entries\":{},\"probe_ns\":{},",
        m.config_reads, m.hypercalls, m.trial_entries, m.probe_ns
    )?;
    let p = &m.phases;
    write!(
        w,
        "\"phases_ns\":{{\"config\":{},\"context\":{},\"xen\":{}}}}},",
        p.config_ns, p.context_ns, p.xen_ns
    )
}

/// `"config":{...},`: the registers as read.
fn write_json_registers(w: &mut impl Write, cfg: &Config) -> fmt::Result {
    write!(
        w,
        "\"config\":{{\"command\":{},\"command_after_enable\":",
        cfg.command
    )?;
    match cfg.command_after_enable {
        Some(command) => write!(w, "{command}")?,
        None => w.write_str("null")?,
    }
    write!(w, ",\"class_rev\":{},\"bars\":[", cfg.class_rev)?;
    for (i, b) in cfg.bars.iter().enumerate() {
        write!(w, "{}{}", if i > 0 { "," } else { "" }, b)?;
    }
    write!(w, "],\"rom\":{}}},", cfg.rom)
}

/// `"resources":[...]`: each BAR's resource and Xen's verdict on it.
fn write_json_resources(w: &mut impl Write, facts: &DeviceFacts) -> fmt::Result {
    w.write_str("\"resources\":[")?;
    for (i, b) in facts.bars.iter().enumerate() {
        write!(
            w,
            "{}{{\"bar\":\"{}\",\"start\":{},\"end\":{},\"flags\":{},\"claimed\":{}",
            if i > 0 { "," } else { "" },
            bar_name(index_u8(i)),
            b.res.start,
            b.res.end,
            b.res.flags,
            b.res.claimed
        )?;
        if let Some(v) = &b.verdict {
            w.write_str(",\"xen\":")?;
            write_json_verdict(w, v)?;
        }
        w.write_char('}')?;
    }
    w.write_char(']')
}

/// `,"findings":[...]`, each with its words.
fn write_json_findings(
    w: &mut impl Write,
    facts: &DeviceFacts,
    findings: &Findings,
    m: &Meta,
) -> fmt::Result {
    w.write_str(",\"findings\":[")?;
    for (n, finding) in findings.iter().enumerate() {
        write!(
            w,
            "{}{{\"severity\":\"{}\",\"code\":\"{}\",\"scope\":\"{}\",\"what\":\"",
            if n > 0 { "," } else { "" },
            finding.severity().as_str(),
            finding.code(),
            scope(finding)
        )?;
        write_what(&mut Json(&mut *w), finding)?;
        w.write_str("\",\"evidence\":\"")?;
        write_evidence(&mut Json(&mut *w), finding, facts)?;
        w.write_str("\",\"fix\":\"")?;
        write_fix(&mut Json(&mut *w), finding, facts, m)?;
        w.write_str("\"}")?;
    }
    w.write_char(']')
}
