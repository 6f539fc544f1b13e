// SPDX-License-Identifier: GPL-2.0
//! `pcifront-diag`: the dom0 side of pcifront-diag.
//!
//! `pcifront-diag dom0 <domain> [--json]` compares, for a running PV guest, what dom0 knows
//! without booting anything: each assigned device's BARs and ROM (sysfs), pciback's hold on
//! it, and Xen's I/O memory and I/O port permissions of that domain (`xl debug-keys q`, read
//! back from `xl dmesg`), and names the frames or ports the toolstack did not grant, with the
//! fix. Exit codes: 0 no error found, 1 errors found, 2 usage, 3 environment (not root, no
//! `xl`, Xen not running, no such domain, no rangeset dump in Xen's console ring).
//!
//! `pcifront-diag check <guest.cfg>` boots the guest's passthrough settings with the
//! diagnostic image instead (check.rs) and merges the module's reports with dom0's view.

mod check;
mod host;
mod rangeset;
mod sysfs;
mod view;

use std::path::Path;
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: pcifront-diag check <guest.cfg> [--hotplug] [--timeout <s>] [--json]
       pcifront-diag dom0 <domain> [--json]
  check <guest.cfg>  run the guest's passthrough settings in a temporary PV domain <guest>-pfd
                     that boots the diagnostic image, and report what pcifront_diag finds in
                     it and what dom0 sees; --hotplug creates it without the devices and
                     attaches them after, as xl pci-attach does (default: pci= at creation)
  dom0 <domain>      for a running PV guest (name or id): each passed-through device's BARs
                     against Xen's I/O memory and I/O port permissions of that domain";

/// Why the command could not answer.
pub(crate) enum Failure {
    /// The command line is wrong: the message and the usage, exit 2.
    Usage(String),
    /// What the command was given cannot be checked (a config, a domain): exit 2.
    BadInput(String),
    /// The machine lacks something or a step failed: exit 3.
    Environment(String),
}

impl Failure {
    fn exit(self) -> ExitCode {
        match self {
            Failure::Usage(m) => {
                eprintln!("pcifront-diag: {m}\n{USAGE}");
                ExitCode::from(2)
            }
            Failure::BadInput(m) => {
                eprintln!("pcifront-diag: {m}");
                ExitCode::from(2)
            }
            Failure::Environment(m) => {
                eprintln!("pcifront-diag: {m}");
                ExitCode::from(3)
            }
        }
    }
}

/// Runs `xl <args>` and returns its standard output.
pub(crate) fn xl(args: &[&str]) -> Result<String, Failure> {
    let out = Command::new("xl").args(args).output().map_err(|e| {
        Failure::Environment(format!(
            "cannot run xl ({e}): install Xen's toolstack (Debian: xen-utils) and run this in dom0"
        ))
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(Failure::Environment(format!(
            "xl {} failed: {}",
            args.join(" "),
            err.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Root in a dom0 with Xen running, or a message that says what is missing.
pub(crate) fn check_environment() -> Result<(), Failure> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1));
    if euid != Some("0") {
        return Err(Failure::Environment(
            "run as root: xl and Xen's console need it".into(),
        ));
    }
    let caps = std::fs::read_to_string("/proc/xen/capabilities").unwrap_or_default();
    if !caps.contains("control_d") {
        return Err(Failure::Environment(
            "not in dom0 of a running Xen (/proc/xen/capabilities has no control_d): run this in dom0".into(),
        ));
    }
    Ok(())
}

/// The domain id of `domain` (a name or a number).
pub(crate) fn domid(domain: &str) -> Result<u32, Failure> {
    if let Ok(id) = domain.parse::<u32>() {
        // `xl domid` takes names only; `xl list` takes ids too.
        return xl(&["list", domain]).map(|_| id).map_err(|_| {
            Failure::Environment(format!(
                "no running domain {id} (xl list shows the running ones)"
            ))
        });
    }
    let out = xl(&["domid", domain]).map_err(|_| {
        Failure::Environment(format!(
            "no running domain '{domain}' (xl list shows the running ones)"
        ))
    })?;
    out.trim()
        .parse()
        .map_err(|_| Failure::Environment(format!("xl domid {domain} said '{}'", out.trim())))
}

/// dom0 BDFs of the devices assigned to `domain` (`xl pci-list`).
pub(crate) fn assigned(domain: &str) -> Result<Vec<String>, Failure> {
    let out = xl(&["pci-list", domain])?;
    Ok(out
        .lines()
        .skip_while(|l| !l.starts_with("Vdev"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(|bdf| {
            if bdf.matches(':').count() == 1 {
                format!("0000:{bdf}")
            } else {
                bdf.to_string()
            }
        })
        .collect())
}

/// Xen's rangesets of `id`, from a fresh `q` dump.
pub(crate) fn ranges_of(id: u32) -> Result<rangeset::DomainRanges, Failure> {
    xl(&["debug-keys", "q"])?;
    let log = xl(&["dmesg"])?;
    let doms = rangeset::parse(&log)
        .map_err(|e| Failure::Environment(format!("cannot read Xen's rangeset dump: {e}")))?;
    doms.get(&id).cloned().ok_or_else(|| {
        Failure::Environment(format!(
            "Xen's console ring holds no rangeset dump of domain {id} after xl debug-keys q: it is too small for the dump; boot Xen with a larger conring_size= (e.g. 1M)"
        ))
    })
}

fn dom0(domain: &str, as_json: bool) -> Result<ExitCode, Failure> {
    check_environment()?;
    let id = domid(domain)?;
    if id == 0 {
        return Err(Failure::BadInput(
            "domain 0 is dom0 itself: name a guest".into(),
        ));
    }
    let devices = assigned(domain)?;
    let ranges = ranges_of(id)?;
    let mut errors = 0;
    let mut text = format!(
        "pcifront-diag dom0 view of domain {domain} (d{id}): {} passed-through device(s)\n",
        devices.len()
    );
    let mut json_devs = Vec::new();
    for bdf in &devices {
        let dev = sysfs::device(Path::new("/sys"), bdf).map_err(Failure::Environment)?;
        let (t, j, e) = view::device_view(&dev, &ranges);
        text.push_str(&t);
        json_devs.push(j);
        errors += e;
    }
    if devices.is_empty() {
        text.push_str(
            "no device is passed through to it (xl pci-list is empty): nothing to check\n",
        );
    }
    text.push_str(&format!("summary: {} error(s)\n", errors));
    if as_json {
        let doc = serde_json::json!({"domain": domain, "domid": id, "devices": json_devs, "errors": errors});
        println!("{doc}");
    } else {
        print!("{text}");
    }
    Ok(ExitCode::from(if errors > 0 { 1 } else { 0 }))
}

/// `check`'s options from the words after `check`.
fn check_options(words: &[&str], json: bool) -> Result<check::Options, Failure> {
    let mut opts = check::Options {
        cfg: String::new(),
        workflow: check::Workflow::Create,
        timeout_s: 120,
        json,
    };
    let mut it = words.iter();
    while let Some(w) = it.next() {
        match *w {
            "--hotplug" => opts.workflow = check::Workflow::Hotplug,
            "--timeout" => {
                let v = it.next().and_then(|v| v.parse().ok());
                opts.timeout_s =
                    v.ok_or_else(|| Failure::Usage("--timeout needs seconds".into()))?;
            }
            cfg if opts.cfg.is_empty() && !cfg.starts_with("--") => opts.cfg = cfg.to_string(),
            other => return Err(Failure::Usage(format!("cannot understand '{other}'"))),
        }
    }
    if opts.cfg.is_empty() {
        return Err(Failure::Usage("check needs the guest's xl.cfg".into()));
    }
    Ok(opts)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let as_json = args.iter().any(|a| a == "--json");
    let rest: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--json")
        .collect();
    let result = match rest.as_slice() {
        ["check", words @ ..] => check_options(words, as_json).and_then(|o| check::run(&o)),
        ["dom0", domain] => dom0(domain, as_json),
        ["host", words @ ..] => Ok(host::run(words, as_json)),
        ["-h" | "--help"] => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        [] => Err(Failure::Usage("no command".into())),
        _ => Err(Failure::Usage(format!(
            "cannot understand '{}'",
            rest.join(" ")
        ))),
    };
    result.unwrap_or_else(Failure::exit)
}
