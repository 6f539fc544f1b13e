// SPDX-License-Identifier: GPL-2.0
//! `pcifront-diag dom0 <domain>`: for a running PV guest, nothing booted, each assigned
//! device's BARs and ROM (sysfs) and pciback's hold on it against Xen's I/O memory and I/O
//! port permissions of that domain (`xl debug-keys q`, read back from `xl dmesg`), naming
//! what the toolstack did not grant, with the fix.

use crate::view::device_view;
use crate::{sysfs, xl, Failure};
use std::path::Path;
use std::process::ExitCode;

/// For a running PV guest (name or id): each passed-through device's BARs and ROM against
/// Xen's I/O memory and I/O port permissions of that domain, and pciback's hold on it.
///
/// Nothing is booted: dom0's sysfs, `xl pci-list`, and Xen's rangesets (`xl debug-keys q`,
/// which writes a dump of every domain to Xen's console ring, read back with `xl dmesg`).
#[derive(clap::Args)]
pub struct Args {
    /// The guest: a domain name or id.
    pub domain: String,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `dom0` and prints its report.
pub fn run(opts: &Args) -> Result<ExitCode, Failure> {
    let domain = opts.domain.as_str();
    xl::require_dom0()?;
    let id = xl::domid(domain)?;
    if id == 0 {
        return Err(Failure::BadInput(
            "domain 0 is dom0 itself: name a guest".into(),
        ));
    }
    let devices = xl::assigned(domain)?;
    let ranges = xl::ranges_of(id)?;
    let mut errors = 0;
    let mut text = format!(
        "pcifront-diag dom0 view of domain {domain} (d{id}): {} passed-through device(s)\n",
        devices.len()
    );
    if ranges.skipped > 0 {
        text.push_str(&format!("warning: {} item(s) of Xen's rangeset dump of d{id} did not read (interleaved console output) and were skipped: a frame they held may show as not granted\n", ranges.skipped));
    }
    let mut json_devs = Vec::new();
    for bdf in &devices {
        let dev = sysfs::device(Path::new("/sys"), bdf).map_err(Failure::Environment)?;
        let view = device_view(&dev, &ranges);
        text.push_str(&view.text);
        json_devs.push(view.json);
        errors += view.errors;
    }
    if devices.is_empty() {
        text.push_str(
            "no device is passed through to it (xl pci-list is empty): nothing to check\n",
        );
    }
    text.push_str(&format!("summary: {errors} error(s)\n"));
    if opts.json {
        let doc = serde_json::json!({"version": crate::VERSION, "domain": domain, "domid": id, "devices": json_devs, "errors": errors, "rangeset_items_skipped": ranges.skipped});
        println!("{doc}");
    } else {
        print!("{text}");
    }
    Ok(ExitCode::from(if errors > 0 { 1 } else { 0 }))
}
