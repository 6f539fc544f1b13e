// SPDX-License-Identifier: GPL-2.0
//! `pcifront-diag host [BDF...] [--all] [--strict] [--json]`: every host prerequisite of
//! passthrough, per device, in dom0, before a guest starts: Xen's IOMMU and interrupt
//! remapping, xen-pciback's hold (and `xen-pciback.hide=` as pciback parses it),
//! permissive and quirks, how the device can be reset and who else a bus reset hits,
//! reserved regions, peers without ACS, MSI-X vectors against the pirq limit, and Xen's
//! memory below 4 GiB. It reads only: no assignment, reset, bind or module load; the one
//! thing it adds anywhere is a heap dump in Xen's console ring (`xl debug-keys H`).
//!
//! Exit codes: 0 every check passed (WARNs allowed unless `--strict`), 1 a FAIL (or a WARN
//! with `--strict`), 2 bad input (an address that is malformed or names no device), 3 the
//! environment (not root, not dom0, no `xl`).

mod checks;
pub mod config;
mod hide;
pub mod xenlog;

use crate::xl::{Stage, XlError};
use crate::Failure;
use checks::{Addr, Check, DeviceFacts, Holder, HostFacts, Peer, Status};
use serde_json::json;
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Every host prerequisite of passthrough for each device, read in dom0 before a guest
/// starts: Xen's IOMMU and interrupt remapping, xen-pciback's hold, reset, reserved regions,
/// peers without ACS, MSI-X vectors against the pirq limit. Changes nothing.
///
/// Exit codes: 0 every check passed (WARNs allowed unless --strict), 1 a FAIL, 2 bad input,
/// 3 environment.
#[derive(clap::Args)]
pub struct Args {
    /// Devices by address, [domain:]bus:slot.function in hex (e.g. 0000:00:04.0).
    #[arg(required_unless_present = "all")]
    pub devices: Vec<String>,
    /// Every device xen-pciback holds and every device assigned to a running domain.
    #[arg(long)]
    pub all: bool,
    /// A WARN fails too (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

const SYS_PCI: &str = "/sys/bus/pci/devices";
const PCIBACK: &str = "/sys/bus/pci/drivers/pciback";

/// The command line of `host`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    devices: Vec<String>,
    all: bool,
    strict: bool,
}

/// Why the command could not answer, with its exit code.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// Exit 2.
    BadInput(String),
    /// Exit 3.
    Environment(String),
}

/// A device address `[domain:]bus:slot.function` in hex, as lspci and xl write it, in
/// canonical form `0000:00:04.0`.
fn parse_bdf(text: &str) -> Result<(String, Addr), String> {
    let bad = || {
        format!(
            "'{}' is not a PCI device address: expected [domain:]bus:slot.function in hex, e.g. 0000:00:04.0",
            hide::printable(text.as_bytes())
        )
    };
    let hex = |s: &str, max_len: usize, max: u32| -> Result<u32, String> {
        if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        u32::from_str_radix(s, 16)
            .ok()
            .filter(|v| *v <= max)
            .ok_or_else(bad)
    };
    let (head, func) = text.rsplit_once('.').ok_or_else(bad)?;
    let parts: Vec<&str> = head.split(':').collect();
    let (domain, bus, slot) = match parts.as_slice() {
        [d, b, s] => (hex(d, 4, 0xffff)?, hex(b, 2, 0xff)?, hex(s, 2, 0x1f)?),
        [b, s] => (0, hex(b, 2, 0xff)?, hex(s, 2, 0x1f)?),
        _ => return Err(bad()),
    };
    let func = hex(func, 1, 7)?;
    Ok((
        format!("{domain:04x}:{bus:02x}:{slot:02x}.{func:x}"),
        (domain, bus, slot, func),
    ))
}

/// The devices named on the command line, canonical and without repeats.
fn options(args: &Args) -> Result<Options, Refusal> {
    let mut o = Options {
        all: args.all,
        strict: args.strict,
        ..Options::default()
    };
    for bdf in &args.devices {
        let (canon, _) = parse_bdf(bdf).map_err(Refusal::BadInput)?;
        if !o.devices.contains(&canon) {
            o.devices.push(canon);
        }
    }
    if o.devices.is_empty() && !o.all {
        return Err(Refusal::BadInput(
            "host needs device addresses or --all".into(),
        ));
    }
    Ok(o)
}

/// Runs `xl <args>` through the command's one wrapper (`xl.rs`: its own process group, a time
/// limit): its standard output, or what went wrong.
fn xl(args: &[&str]) -> Result<String, String> {
    crate::xl::run(args, Stage::Query).map_err(|e| one_line(&xl_message(e)))
}

/// Root in dom0 with `xl`: `xl info`'s text, or why not.
fn environment() -> Result<String, Refusal> {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1));
    if euid != Some("0") {
        return Err(Refusal::Environment(
            "host: run as root: xl, Xen's console and devices' config space need it".into(),
        ));
    }
    let caps = fs::read_to_string("/proc/xen/capabilities").unwrap_or_default();
    if !caps.contains("control_d") {
        return Err(Refusal::Environment(
            "host: not in dom0 of a running Xen (/proc/xen/capabilities has no control_d)".into(),
        ));
    }
    const NO_XEN: &str =
        "xl needs a running Xen (/dev/xen/privcmd) and xenstored: boot Xen, start xencommons";
    let info = crate::xl::run(&["info"], Stage::Query).map_err(|e| {
        let fix = match e {
            XlError::Missing(..) => {
                "install Xen's toolstack (Debian: xen-utils) and start xencommons"
            }
            _ => NO_XEN,
        };
        Refusal::Environment(format!("host: {}: {fix}", one_line(&xl_message(e))))
    })?;
    // xl info exits 0 even when its hypercalls fail: it then prints no Xen fields.
    if xenlog::info_value(&info, "virt_caps").is_none() {
        return Err(Refusal::Environment(format!(
            "host: xl info printed no virt_caps (Xen did not answer it): {NO_XEN}"
        )));
    }
    Ok(info)
}

/// What went wrong with an `xl` call, for a message.
fn xl_message(e: XlError) -> String {
    match e {
        XlError::Missing(_, err) => format!("cannot run xl: {err}"),
        other => other.message(),
    }
}

/// A tool's multi-line error as one line of at most 600 characters, control characters
/// escaped so that none reaches the terminal.
fn one_line(text: &str) -> String {
    let joined = text.lines().map(str::trim).collect::<Vec<_>>().join("; ");
    joined
        .chars()
        .take(600)
        .flat_map(|c| -> Box<dyn Iterator<Item = char>> {
            if c.is_control() {
                Box::new(c.escape_default())
            } else {
                Box::new(std::iter::once(c))
            }
        })
        .collect()
}

fn link_name(path: &Path) -> Option<String> {
    fs::read_link(path)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// dom0 BDF -> the domain it is assigned to, from `xl list` and `xl pci-list`.
fn assignments() -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for name in crate::xl::guests().map_err(|e| e.to_string())? {
        for bdf in crate::xl::assigned(&name).unwrap_or_default() {
            map.insert(bdf.to_string(), name.clone());
        }
    }
    Ok(map)
}

fn holder(bdf: &str, assigned: &BTreeMap<String, String>) -> Holder {
    match link_name(&Path::new(SYS_PCI).join(bdf).join("driver")) {
        Some(d) if d == "pciback" => Holder::Pciback(assigned.get(bdf).cloned()),
        Some(d) => Holder::Driver(d),
        None => Holder::Nobody,
    }
}

/// Every device in dom0: canonical BDF -> its sysfs path (resolved).
fn all_devices() -> BTreeMap<String, PathBuf> {
    let mut map = BTreeMap::new();
    for e in fs::read_dir(SYS_PCI).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let (Ok((canon, _)), Ok(path)) = (parse_bdf(&name), fs::canonicalize(e.path())) {
            map.insert(canon, path);
        }
    }
    map
}

fn read_config(bdf: &str) -> Result<config::ConfigFacts, String> {
    let path = Path::new(SYS_PCI).join(bdf).join("config");
    let mut bytes = Vec::new();
    fs::File::open(&path)
        .and_then(|f| f.take(4096).read_to_end(&mut bytes))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    config::parse(&bytes)
}

/// Upstream bridges of a device, nearest first, from its sysfs path.
fn bridges(path: &Path) -> Vec<String> {
    path.ancestors()
        .skip(1)
        .filter_map(|p| p.file_name())
        .filter_map(|n| parse_bdf(&n.to_string_lossy()).ok().map(|(c, _)| c))
        .collect()
}

/// Devices a guest with `bdf` could reach without ACS in between, and why (a simplified
/// form of Linux's IOMMU grouping: the slot's other functions unless the function has ACS
/// redirect, and everything below each upstream bridge that is not an ACS-isolating PCIe
/// root or downstream port).
fn acs_peers(
    bdf: &str,
    devices: &BTreeMap<String, PathBuf>,
    cfg: &Result<config::ConfigFacts, String>,
) -> (Vec<String>, String) {
    let mut peers = Vec::new();
    let mut reasons = Vec::new();
    let slot = &bdf[..bdf.len() - 2];
    let redirect = 0x0004 | 0x0008; // ACS Request and Completion Redirect
    let own_acs = cfg.as_ref().ok().and_then(|c| c.acs_ctrl);
    let multifunction = devices
        .keys()
        .any(|d| d != bdf && d.starts_with(slot) && d.len() == bdf.len());
    if multifunction && own_acs.is_none_or(|a| a & redirect != redirect) {
        peers.extend(
            devices
                .keys()
                .filter(|d| *d != bdf && d.starts_with(slot))
                .cloned(),
        );
        reasons.push("multi-function without ACS redirect".to_string());
    }
    let Some(path) = devices.get(bdf) else {
        return (peers, "not in sysfs".into());
    };
    for bridge in bridges(path) {
        let bcfg = read_config(&bridge);
        let isolating = bcfg.as_ref().is_ok_and(|c| {
            config::is_downstream_port(c.pcie_type)
                && c.acs_ctrl
                    .is_some_and(|a| a & config::ACS_ISOLATING == config::ACS_ISOLATING)
        });
        if isolating {
            reasons.push(format!("{bridge} isolates with ACS"));
            break;
        }
        let below = devices.get(&bridge).cloned().unwrap_or_default();
        for (d, p) in devices {
            if d != bdf && p.starts_with(&below) && p != &below && !peers.contains(d) {
                peers.push(d.clone());
            }
        }
        reasons.push(format!("bridge {bridge} without ACS isolation"));
    }
    if reasons.is_empty() {
        reasons.push("on a root bus, single-function: the IOMMU sees its own requester ID".into());
    }
    (peers, reasons.join("; "))
}

fn device_facts(
    bdf: &str,
    addr: Addr,
    devices: &BTreeMap<String, PathBuf>,
    assigned: &BTreeMap<String, String>,
    permissive: &str,
    quirks: &str,
) -> DeviceFacts {
    let dir = Path::new(SYS_PCI).join(bdf);
    let holder_of = |d: &str| holder(d, assigned);
    let config = read_config(bdf);
    let reset_method = match fs::read_to_string(dir.join("reset_method")) {
        Ok(t) => Ok(Some(t.trim().to_string())),
        // No reset method at all: the kernel hides both files.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", dir.join("reset_method").display())),
    };
    let bus_prefix = &bdf[..8];
    let bus_peers = devices
        .keys()
        .filter(|d| *d != bdf && d.starts_with(bus_prefix))
        .map(|d| Peer {
            bdf: d.clone(),
            holder: holder_of(d),
        })
        .collect();
    let (acs, acs_reason) = acs_peers(bdf, devices, &config);
    let root_bus = devices.get(bdf).is_some_and(|p| bridges(p).is_empty());
    // pciback's quirks file names devices without the domain: "00:04.0".
    let short = &bdf[5..];
    let quirks = quirk_lines(quirks, short);
    DeviceFacts {
        bdf: bdf.to_string(),
        addr,
        holder: holder_of(bdf),
        config,
        reset_method,
        reset_file: dir.join("reset").exists(),
        root_bus,
        hotplug_slot: in_hotplug_slot(bdf),
        bus_peers,
        acs_peers: acs
            .into_iter()
            .map(|d| Peer {
                holder: holder_of(&d),
                bdf: d,
            })
            .collect(),
        acs_reason,
        permissive: permissive.lines().any(|l| l.trim() == bdf),
        quirks,
    }
}

/// Whether a hotplug slot holds the device: a `/sys/bus/pci/slots/<name>` whose `address`
/// is its `domain:bus:slot` and that has power or adapter control (pciehp, shpchp, acpiphp;
/// a slot the `pci_slot` driver only names has neither, and Linux cannot reset it).
fn in_hotplug_slot(bdf: &str) -> bool {
    let slot_addr = &bdf[..bdf.len() - 2];
    fs::read_dir("/sys/bus/pci/slots")
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let dir = e.path();
            fs::read_to_string(dir.join("address")).is_ok_and(|a| a.trim() == slot_addr)
                && (dir.join("power").exists() || dir.join("adapter").exists())
        })
}

/// The field lines of pciback's `quirks` file under the device's `bb:ss.f` header.
fn quirk_lines(text: &str, short_bdf: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut mine = false;
    for l in text.lines() {
        if !l.starts_with('\t') {
            mine = l.trim() == short_bdf;
        } else if mine && out.len() < 16 {
            out.push(l.trim().to_string());
        }
    }
    out
}

/// `xen-pciback.hide=`: what the loaded pciback got (its read-only module parameter), else
/// what dom0's command line says (pciback not registered, perhaps because of it).
fn hide_value() -> Result<Option<(String, Vec<u8>)>, String> {
    let param = "/sys/module/xen_pciback/parameters/hide";
    if let Ok(v) = fs::read(param) {
        let v = v.strip_suffix(b"\n").unwrap_or(&v).to_vec();
        // An unset charp reads "(null)".
        return Ok((!v.is_empty() && v != b"(null)").then(|| (param.to_string(), v)));
    }
    let line = fs::read("/proc/cmdline").map_err(|e| format!("/proc/cmdline: {e}"))?;
    Ok(hide::hide_from_cmdline(&line).map(|v| ("/proc/cmdline xen-pciback.hide".to_string(), v)))
}

/// Free pages below 4 GiB from a fresh heap dump.
fn heap_below_4g() -> Result<u64, String> {
    xl(&["debug-keys", "H"])
        .and_then(|_| xl(&["dmesg"]))
        .and_then(|d| {
            xenlog::free_pages_below_4g(&d)
                .ok_or_else(|| "no heap dump in xl dmesg after xl debug-keys H".to_string())
        })
}

/// What Xen and dom0 say, the same for every device. The `xl` calls run side by side:
/// each costs a process and a hypercall round trip, seconds under emulation. The heap dump
/// only appends to Xen's ring; in a ring that is full it pushes out the oldest boot lines,
/// which the IOMMU checks then report as unknown rather than guess.
fn host_facts(info: &str) -> (HostFacts, BTreeMap<String, String>) {
    let lost = |_| "the thread reading it panicked".to_string();
    let (dmesg, below_4g, assigned) = std::thread::scope(|s| {
        let dmesg = s.spawn(|| xl(&["dmesg"]));
        let heap = s.spawn(heap_below_4g);
        let assigned = s.spawn(assignments);
        (
            dmesg.join().map_err(lost).and_then(|r| r),
            heap.join().map_err(lost).and_then(|r| r),
            assigned.join().map_err(lost).and_then(|r| r),
        )
    });
    let facts = HostFacts {
        virt_caps: xenlog::info_value(info, "virt_caps")
            .map(str::to_string)
            .ok_or_else(|| "xl info printed no virt_caps".to_string()),
        xen_cmdline: xenlog::info_value(info, "xen_commandline")
            .map(str::to_string)
            .ok_or_else(|| "xl info printed no xen_commandline".to_string()),
        iommu: dmesg
            .as_deref()
            .map(xenlog::iommu_lines)
            .map_err(Clone::clone),
        reserved: dmesg
            .as_deref()
            .map(xenlog::reserved_regions)
            .map_err(Clone::clone),
        hide: hide_value(),
        pciback_loaded: Path::new(PCIBACK).is_dir(),
        global_permissive: fs::read_to_string("/sys/module/xen_pciback/parameters/permissive")
            .ok()
            .map(|v| v.trim() == "Y"),
        below_4g_pages: below_4g,
    };
    (facts, assigned.unwrap_or_default())
}

/// The devices `--all` covers: pciback's and the running domains'.
fn all_targets(assigned: &BTreeMap<String, String>) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(PCIBACK)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            parse_bdf(&e.file_name().to_string_lossy())
                .ok()
                .map(|(c, _)| c)
        })
        .chain(assigned.keys().cloned())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// One device's block of text.
fn render(d: &DeviceFacts, results: &[Check]) -> String {
    let ids = d
        .config
        .as_ref()
        .map(|c| format!(" [{:04x}:{:04x}]", c.ids.0, c.ids.1))
        .unwrap_or_default();
    let mut s = format!("{}{ids}: {}\n", d.bdf, d.holder);
    for c in results {
        s.push_str(&format!("  {} {}: {}\n", c.status, c.code, c.summary));
        if c.status != Status::Pass {
            s.push_str(&format!("    evidence: {}\n", c.evidence));
        }
        if let Some(f) = &c.fix {
            s.push_str(&format!("    fix: {f}\n"));
        }
    }
    s
}

fn check_json(c: &Check) -> serde_json::Value {
    // The severity a module's finding of the same weight has (the shared finding shape).
    let severity = match c.status {
        Status::Pass => "info",
        Status::Warn => "warning",
        Status::Fail => "error",
    };
    json!({"code": c.code, "severity": severity, "status": c.status.to_string(), "summary": c.summary, "evidence": c.evidence, "fix": c.fix})
}

/// `pcifront-diag host ...`: the exit code.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    match host(args) {
        Ok(code) => Ok(ExitCode::from(code)),
        Err(Refusal::BadInput(m)) => Err(Failure::BadInput(m)),
        Err(Refusal::Environment(m)) => Err(Failure::Environment(m)),
    }
}

fn host(args: &Args) -> Result<u8, Refusal> {
    let opts = options(args)?;
    let as_json = args.json;
    let info = environment()?;
    let devices = all_devices();
    for d in &opts.devices {
        if !devices.contains_key(d) {
            return Err(Refusal::BadInput(format!(
                "host: no PCI device {d} in this dom0 ({SYS_PCI}/{d} does not exist; lspci -D lists them)"
            )));
        }
    }
    let (facts, assigned) = host_facts(&info);
    let mut targets = opts.devices.clone();
    if opts.all {
        targets.extend(all_targets(&assigned));
        targets.sort();
        targets.dedup();
    }
    let permissive = fs::read_to_string(Path::new(PCIBACK).join("permissive")).unwrap_or_default();
    let quirks = fs::read_to_string(Path::new(PCIBACK).join("quirks")).unwrap_or_default();
    let mut text = format!("pcifront-diag host: {} device(s)\n", targets.len());
    if targets.is_empty() {
        text.push_str("no device is held by xen-pciback or assigned to a running domain\n");
    }
    let mut counts = [0usize; 3];
    let mut json_devices = Vec::new();
    for bdf in &targets {
        let Ok((_, addr)) = parse_bdf(bdf) else {
            continue;
        };
        let d = device_facts(bdf, addr, &devices, &assigned, &permissive, &quirks);
        let results = checks::all(&facts, &d);
        for c in &results {
            counts[c.status as usize] += 1;
        }
        text.push_str(&render(&d, &results));
        json_devices.push(json!({
            "device": d.bdf, "holder": d.holder.to_string(),
            "checks": results.iter().map(check_json).collect::<Vec<_>>(),
        }));
    }
    let failed =
        counts[Status::Fail as usize] > 0 || (opts.strict && counts[Status::Warn as usize] > 0);
    let code = u8::from(failed);
    text.push_str(&format!(
        "summary: {} PASS, {} WARN, {} FAIL{}\n",
        counts[0],
        counts[1],
        counts[2],
        if opts.strict {
            " (--strict: WARN fails)"
        } else {
            ""
        }
    ));
    if as_json {
        let doc = json!({"schema_version": crate::SCHEMA_VERSION, "version": crate::VERSION, "devices": json_devices, "pass": counts[0], "warn": counts[1], "fail": counts[2], "strict": opts.strict, "exit": code});
        println!("{doc}");
    } else {
        print!("{text}");
    }
    Ok(code)
}

/// `check`'s gate for a device it is about to pass, from sysfs and `assigned` (dom0 BDF ->
/// domain) alone, so that a refusal costs no `xl` call: the domain that has the device
/// (`None`: pciback holds it for nobody), or why no domain can get it, in the `pciback`
/// check's own words.
pub(crate) fn pciback_gate(
    bdf: &str,
    assigned: &BTreeMap<String, String>,
) -> Result<Option<String>, String> {
    let (canon, addr) = parse_bdf(bdf)?;
    let devices = all_devices();
    if !devices.contains_key(&canon) {
        return Err(format!(
            "no PCI device {canon} in this dom0 ({SYS_PCI}/{canon} does not exist; lspci -D lists them)"
        ));
    }
    let d = device_facts(&canon, addr, &devices, assigned, "", "");
    if let Holder::Pciback(domain) = d.holder {
        return Ok(domain);
    }
    // The pciback check reads no other host fact.
    let unread = "not read".to_string();
    let facts = HostFacts {
        virt_caps: Err(unread.clone()),
        xen_cmdline: Err(unread.clone()),
        iommu: Err(unread.clone()),
        reserved: Err(unread.clone()),
        hide: Err(unread.clone()),
        pciback_loaded: Path::new(PCIBACK).is_dir(),
        global_permissive: None,
        below_4g_pages: Err(unread),
    };
    let c = checks::pciback(&facts, &d);
    Err(format!(
        "{canon}: {}; fix: {}",
        c.summary,
        c.fix.unwrap_or_default()
    ))
}

/// The host checks as `check` prints them at its top: `host`'s text of each device, every
/// line prefixed `host: `, with the number of WARN and FAIL verdicts.
#[derive(Debug, Default)]
pub(crate) struct Section {
    pub text: String,
    pub warns: usize,
    pub fails: usize,
}

/// The host checks of `bdfs` (canonical), as `pcifront-diag host <BDF...>` runs them.
pub(crate) fn section(bdfs: &[String]) -> Section {
    let info = match environment() {
        Ok(info) => info,
        Err(Refusal::BadInput(m) | Refusal::Environment(m)) => {
            return Section {
                text: format!("host: the host checks could not run: {m}\n"),
                ..Section::default()
            }
        }
    };
    let devices = all_devices();
    let (facts, assigned) = host_facts(&info);
    let permissive = fs::read_to_string(Path::new(PCIBACK).join("permissive")).unwrap_or_default();
    let quirks = fs::read_to_string(Path::new(PCIBACK).join("quirks")).unwrap_or_default();
    let mut s = Section::default();
    for bdf in bdfs {
        let Ok((canon, addr)) = parse_bdf(bdf) else {
            continue;
        };
        let d = device_facts(&canon, addr, &devices, &assigned, &permissive, &quirks);
        let results = checks::all(&facts, &d);
        s.warns += results.iter().filter(|c| c.status == Status::Warn).count();
        s.fails += results.iter().filter(|c| c.status == Status::Fail).count();
        for line in render(&d, &results).lines() {
            s.text.push_str(&format!("host: {line}\n"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bdfs_canonical_and_malformed() {
        assert_eq!(parse_bdf("00:04.0").unwrap().0, "0000:00:04.0");
        assert_eq!(
            parse_bdf("0000:0A:1f.7").unwrap(),
            ("0000:0a:1f.7".to_string(), (0, 10, 31, 7))
        );
        for bad in [
            "",
            "00:04",
            "0000:00:04.8",
            "00:20.0",
            "0:00:04.0.1",
            "00:04.0x",
            "10000:00:04.0",
            "g0:04.0",
            "00:04.+1",
        ] {
            let e = parse_bdf(bad).unwrap_err();
            assert!(e.ends_with("is not a PCI device address: expected [domain:]bus:slot.function in hex, e.g. 0000:00:04.0"), "{bad}: {e}");
        }
        // Bytes a terminal would act on are escaped.
        assert!(parse_bdf("\x1b[2J").unwrap_err().starts_with("'\\x1b[2J'"));
    }

    fn args(devices: &[&str], all: bool, strict: bool) -> Args {
        Args {
            devices: devices.iter().map(|d| d.to_string()).collect(),
            all,
            strict,
            json: false,
        }
    }

    #[test]
    fn options_canonical_without_repeats() {
        let o = options(&args(&["00:04.0", "0000:00:04.0", "05:00.0"], false, true)).unwrap();
        assert_eq!(o.devices, ["0000:00:04.0", "0000:05:00.0"]);
        assert!(o.strict && !o.all);
        assert!(
            matches!(options(&args(&[], false, false)), Err(Refusal::BadInput(m)) if m.starts_with("host needs device addresses or --all"))
        );
        assert!(options(&args(&[], true, false)).unwrap().all);
    }

    #[test]
    fn tool_errors_on_one_line() {
        assert_eq!(
            one_line("xencall: error: Could not obtain handle\nlibxl: error: cannot open\n"),
            "xencall: error: Could not obtain handle; libxl: error: cannot open"
        );
        assert_eq!(one_line("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(one_line(&"x".repeat(1000)).len(), 600);
    }

    #[test]
    fn pciback_quirks_of_one_device() {
        // quirks_show()'s layout: "%02x:%02x.%01x\n\t%04x:%04x:%04x:%04x\n" then fields.
        let text = "00:04.0\n\t1234:11e8:1af4:1100\n\t\t00000040:4:ffffffff\n00:05.0\n\t8086:10d3:8086:0000\n\t\t00000050:2:0000ffff\n";
        assert_eq!(
            quirk_lines(text, "00:05.0"),
            ["8086:10d3:8086:0000", "00000050:2:0000ffff"]
        );
        assert!(quirk_lines(text, "00:06.0").is_empty());
    }
}
