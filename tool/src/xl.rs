// SPDX-License-Identifier: GPL-2.0
//! The wrapper around Xen's `xl` (and the dom0 test): every call the command makes to the
//! toolstack goes through here, so its failures read the same everywhere.

use crate::rangeset::{self, DomainRanges};
use crate::Failure;
use pcifront_diag_core::diag::report::Bdf;
use std::process::Command;

/// Runs `xl <args>` and returns its standard output.
pub fn xl(args: &[&str]) -> Result<String, Failure> {
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

/// The domain id of `domain` (a name or a number).
pub fn domid(domain: &str) -> Result<u32, Failure> {
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

/// Xen's rangesets of domain `id`, from a fresh `q` dump.
pub fn ranges_of(id: u32) -> Result<DomainRanges, Failure> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pci_list_both_bdf_forms() {
        let out = "Vdev Device\n00.0 0000:00:04.0\n01.0 00:05.0\n";
        let got: Vec<String> = parse_pci_list(out).iter().map(Bdf::to_string).collect();
        assert_eq!(got, ["0000:00:04.0", "0000:00:05.0"]);
    }
}
