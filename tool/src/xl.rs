// SPDX-License-Identifier: GPL-2.0
//! The wrapper around Xen's `xl` (and the dom0 test): every call the command makes to the
//! toolstack goes through [`run`], which puts `xl` in its own process group (a Ctrl-C on the
//! terminal reaches this command, which then cleans up, never an `xl destroy` under way),
//! bounds its time by the stage it serves, and tells "xl is missing" from "xl said no".

pub mod xenstore;

use crate::rangeset::{self, DomainRanges};
use crate::Failure;
use pcifront_diag_core::diag::report::Bdf;
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What an `xl` call is for: its name in messages and its time limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// `xl -N create`: parse the guest's config.
    Parse,
    /// `xl create` of the temporary domain.
    Create,
    /// `xl pci-attach`.
    Attach,
    /// `xl debug-keys q`.
    DebugKeys,
    /// `xl dmesg`.
    Dmesg,
    /// `xl destroy`.
    Destroy,
    /// `xl list`, `domid`, `pci-list`, `pci-assignable-list`.
    Query,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Parse => "parsing the config (xl -N create)",
            Stage::Create => "creating the temporary domain (xl create)",
            Stage::Attach => "attaching a device (xl pci-attach)",
            Stage::DebugKeys => "asking Xen for its rangesets (xl debug-keys q)",
            Stage::Dmesg => "reading Xen's console ring (xl dmesg)",
            Stage::Destroy => "destroying the temporary domain (xl destroy)",
            Stage::Query => "asking the toolstack",
        }
    }

    /// Generous for a loaded host: a PV domain's build and a device reset take seconds.
    fn limit(self) -> Duration {
        Duration::from_secs(match self {
            Stage::Create | Stage::Attach | Stage::Destroy => 180,
            Stage::Parse | Stage::DebugKeys | Stage::Dmesg | Stage::Query => 60,
        })
    }
}

/// Why an `xl` call gave no answer.
#[derive(Debug)]
pub enum XlError {
    /// The program (`xl`, `xenstore-read`) could not be started.
    Missing(&'static str, std::io::Error),
    /// It ran and failed: its command line and what it said.
    Failed { args: String, stderr: String },
    /// It ran out of time in this stage, and was killed.
    TimedOut(Stage),
}

impl XlError {
    /// What went wrong, for a message.
    pub fn message(&self) -> String {
        match self {
            XlError::Missing(program, e) if e.kind() == std::io::ErrorKind::NotFound => {
                let package = if *program == "xl" {
                    "Xen's toolstack (Debian: xen-utils)"
                } else {
                    "xenstore-utils"
                };
                format!("{program} is not installed (not on PATH): install {package} and run this in dom0")
            }
            XlError::Missing(program, e) => format!("cannot run {program} ({e})"),
            XlError::Failed { args, stderr } => format!("{args} failed: {stderr}"),
            XlError::TimedOut(stage) => format!(
                "no answer within {} s while {}: it was stopped",
                stage.limit().as_secs(),
                stage.name()
            ),
        }
    }
}

impl From<XlError> for Failure {
    fn from(e: XlError) -> Failure {
        Failure::Environment(e.message())
    }
}

/// Reads all of `pipe` on a thread, keeping at most 64 MiB (`xl dmesg` is about the size
/// of Xen's console ring).
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(p) = pipe {
            let _ = p.take(64 << 20).read_to_end(&mut out);
        }
        out
    })
}

/// Kills `xl`'s process group (it may have children of its own).
fn kill_group(child: &std::process::Child) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill() has no memory effects; -pid names the group the child leads.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
}

/// Runs `xl <args>` for `stage` and returns its standard output.
pub fn run(args: &[&str], stage: Stage) -> Result<String, XlError> {
    run_program("xl", args, stage)
}

/// Runs `program <args>` in its own process group for at most `stage`'s time limit, and
/// returns its standard output.
pub fn run_program(program: &'static str, args: &[&str], stage: Stage) -> Result<String, XlError> {
    let mut child = Command::new(program)
        .args(args)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| XlError::Missing(program, e))?;
    let (out, err) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let deadline = Instant::now() + stage.limit();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() > deadline => {
                kill_group(&child);
                let _ = child.wait();
                break Err(XlError::TimedOut(stage));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => break Err(XlError::Missing(program, e)),
        }
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    if !status?.success() {
        return Err(XlError::Failed {
            args: format!("{program} {}", args.join(" ")),
            stderr: String::from_utf8_lossy(&err).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Runs a query (`xl list`, `domid`, ...) and returns its standard output.
pub fn xl(args: &[&str]) -> Result<String, Failure> {
    run(args, Stage::Query).map_err(Failure::from)
}

/// Root in a dom0 with Xen running, or a message that says what is missing.
pub fn require_dom0() -> Result<(), Failure> {
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

/// Whether `xl list` shows a domain of this name or id.
pub fn exists(name_or_id: &str) -> Result<bool, XlError> {
    let list = run(&["list"], Stage::Query)?;
    Ok(list.lines().skip(1).any(|l| {
        let mut cols = l.split_whitespace();
        let (name, id) = (cols.next(), cols.next());
        name == Some(name_or_id) || id == Some(name_or_id)
    }))
}

/// The domain id of `domain` (a name or a number); a domain that is not there is exit 3
/// with the list to look at, xl's own failures say what they are.
pub fn domid(domain: &str) -> Result<u32, Failure> {
    let not_running = || {
        Failure::Environment(format!(
            "no running domain '{domain}' (xl list shows the running ones)"
        ))
    };
    if let Ok(id) = domain.parse::<u32>() {
        // `xl domid` takes names only.
        return match exists(domain)? {
            true => Ok(id),
            false => Err(not_running()),
        };
    }
    let out = match run(&["domid", domain], Stage::Query) {
        Err(XlError::Failed { .. }) => return Err(not_running()),
        other => other?,
    };
    out.trim()
        .parse()
        .map_err(|_| Failure::Environment(format!("xl domid {domain} said '{}'", out.trim())))
}

/// The running guests by name (`xl list`, without Domain-0).
pub fn guests() -> Result<Vec<String>, Failure> {
    Ok(xl(&["list"])?
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "Domain-0")
        .map(str::to_string)
        .collect())
}

/// The devices `xl pci-list` shows for `domain`, as dom0 names them.
pub fn assigned(domain: &str) -> Result<Vec<Bdf>, Failure> {
    Ok(parse_pci_list(&xl(&["pci-list", domain])?))
}

/// The BDF column of `xl pci-list` (`Vdev Device`, then `00.0 0000:00:04.0` lines).
fn parse_pci_list(out: &str) -> Vec<Bdf> {
    out.lines()
        .skip_while(|l| !l.starts_with("Vdev"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter_map(Bdf::parse)
        .collect()
}

/// Every device a running domain holds (dom0 BDF -> domain name), as `xl pci-list` of each
/// domain would say, read from xenstore in one connection.
pub fn pci_holders() -> Result<BTreeMap<String, String>, Failure> {
    let mut store = xenstore::Xenstore::open().map_err(Failure::Environment)?;
    xenstore::pci_holders(&mut store).map_err(Failure::Environment)
}

/// The id of the running domain called `name`, if there is one, from xenstore.
pub fn domid_by_name(name: &str) -> Result<Option<u32>, Failure> {
    let mut store = xenstore::Xenstore::open().map_err(Failure::Environment)?;
    xenstore::domid_of(&mut store, name).map_err(Failure::Environment)
}

/// Xen's rangesets of domain `id`, from a fresh `q` dump.
pub fn ranges_of(id: u32) -> Result<DomainRanges, Failure> {
    run(&["debug-keys", "q"], Stage::DebugKeys)?;
    let log = run(&["dmesg"], Stage::Dmesg)?;
    rangeset::parse(&log)
        .remove(&id)
        .ok_or_else(|| Failure::Environment(no_dump(id)))
}

/// Why domain `id` has no rangesets after a `q` dump.
pub fn no_dump(id: u32) -> String {
    format!("Xen's console ring holds no rangeset dump of domain {id} after xl debug-keys q: it is too small for the dump; boot Xen with a larger conring_size= (e.g. 1M)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pci_list_both_bdf_forms() {
        let out = "Vdev Device\n00.0 0000:00:04.0\n01.0 00:05.0\n";
        let got: Vec<String> = parse_pci_list(out).iter().map(Bdf::to_string).collect();
        assert_eq!(got, ["0000:00:04.0", "0000:00:05.0"]);
    }

    #[test]
    fn missing_xl_says_so() {
        let e = XlError::Missing("xl", std::io::Error::from(std::io::ErrorKind::NotFound));
        assert!(e.message().starts_with("xl is not installed"));
        let e = XlError::Missing("xenstore-read", std::io::ErrorKind::NotFound.into());
        assert!(
            e.message().contains("install xenstore-utils"),
            "{}",
            e.message()
        );
        let t = XlError::TimedOut(Stage::Create).message();
        assert!(
            t.contains("while creating the temporary domain (xl create)"),
            "{t}"
        );
    }
}
