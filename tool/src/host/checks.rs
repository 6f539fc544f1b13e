// SPDX-License-Identifier: GPL-2.0
//! The host prerequisites of passthrough, one verdict per device and prerequisite, from
//! facts already read (host.rs reads them): pure functions, so every branch is tested.

use super::config::ConfigFacts;
use super::hide::{self, HideError};
use super::xenlog::{self, IommuLog, Reserved};
use std::fmt;

/// A verdict, ordered by severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        })
    }
}

/// One prerequisite's verdict for one device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// Stable name: `iommu`, `intremap`, `pciback`, `hide`, `permissive`, `reset`,
    /// `reserved`, `acs`, `msix`, `dma32`.
    pub code: &'static str,
    pub status: Status,
    /// What holds, in words.
    pub summary: String,
    /// What it was read from.
    pub evidence: String,
    /// What to do, for WARN and FAIL.
    pub fix: Option<String>,
}

fn check(code: &'static str, status: Status, summary: String, evidence: String) -> Check {
    Check {
        code,
        status,
        summary,
        evidence,
        fix: None,
    }
}

impl Check {
    fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// A device's (domain, bus, slot, function).
pub type Addr = (u32, u32, u32, u32);

/// Who holds a device in dom0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    /// A dom0 driver other than pciback.
    Driver(String),
    /// pciback, assigned to the named domain or to none.
    Pciback(Option<String>),
    /// No driver.
    Nobody,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Holder::Driver(d) => write!(f, "dom0 driver {d}"),
            Holder::Pciback(Some(dom)) => write!(f, "pciback, assigned to domain {dom}"),
            Holder::Pciback(None) => f.write_str("pciback, assignable"),
            Holder::Nobody => f.write_str("no driver"),
        }
    }
}

/// Another device and who holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub bdf: String,
    pub holder: Holder,
}

fn peer_list(peers: &[Peer]) -> String {
    let list: Vec<String> = peers
        .iter()
        .map(|p| format!("{} ({})", p.bdf, p.holder))
        .collect();
    list.join(", ")
}

/// Whether a peer stops the device from being reset or isolated with it: a dom0 driver
/// uses it, or another domain has it.
fn active(p: &Peer, domain: Option<&str>) -> bool {
    match &p.holder {
        Holder::Driver(_) => true,
        Holder::Pciback(Some(d)) => Some(d.as_str()) != domain,
        Holder::Pciback(None) | Holder::Nobody => false,
    }
}

/// Xen's `xl info` says it has no IOMMU for passthrough (no `*_directio` capability).
fn iommu_off(h: &HostFacts) -> bool {
    h.virt_caps
        .as_ref()
        .is_ok_and(|c| !c.split_whitespace().any(|c| c.ends_with("_directio")))
}

/// What is known of Xen and dom0, the same for every device.
#[derive(Clone, Debug)]
pub struct HostFacts {
    /// `xl info`'s `virt_caps`, or why it is unknown.
    pub virt_caps: Result<String, String>,
    /// `xl info`'s `xen_commandline`.
    pub xen_cmdline: Result<String, String>,
    /// IOMMU lines of `xl dmesg`, or why it could not be read.
    pub iommu: Result<IommuLog, String>,
    /// RMRR and IVMD lines of `xl dmesg`.
    pub reserved: Result<Reserved, String>,
    /// `xen-pciback.hide=`'s value and where it was read, if it is set anywhere.
    pub hide: Result<Option<(String, Vec<u8>)>, String>,
    /// `/sys/bus/pci/drivers/pciback` exists.
    pub pciback_loaded: bool,
    /// pciback's global `permissive` module parameter.
    pub global_permissive: Option<bool>,
    /// Free pages below 4 GiB in Xen's heap.
    pub below_4g_pages: Result<u64, String>,
}

/// What is known of one device.
#[derive(Clone, Debug)]
pub struct DeviceFacts {
    pub bdf: String,
    pub addr: Addr,
    pub holder: Holder,
    pub config: Result<ConfigFacts, String>,
    /// `reset_method`: `Ok(None)` when the kernel has no such file (before 5.15).
    pub reset_method: Result<Option<String>, String>,
    /// The `reset` file exists: the kernel has some way to reset the function.
    pub reset_file: bool,
    /// On a root bus: no bridge above it to reset.
    pub root_bus: bool,
    /// A hotplug slot (`/sys/bus/pci/slots/*` with power or adapter control) holds it: Linux
    /// can reset the slot.
    pub hotplug_slot: bool,
    /// The other devices on its bus.
    pub bus_peers: Vec<Peer>,
    /// Devices a guest with this one could reach peer to peer, and why.
    pub acs_peers: Vec<Peer>,
    pub acs_reason: String,
    /// pciback's `permissive` lists it.
    pub permissive: bool,
    /// pciback's `quirks` lines for it.
    pub quirks: Vec<String>,
}

/// IOMMU in use by Xen for passthrough.
pub fn iommu(h: &HostFacts) -> Check {
    let caps = match &h.virt_caps {
        Ok(c) => c,
        Err(e) => {
            return check(
                "iommu",
                Status::Warn,
                "cannot tell whether Xen uses an IOMMU".into(),
                e.clone(),
            )
            .fix("run as root in dom0 where `xl info` works")
        }
    };
    let directio = caps.split_whitespace().any(|c| c.ends_with("_directio"));
    let log = h.iommu.as_ref().ok();
    let mut evidence = format!("virt_caps: {caps}");
    if let Some(l) = log.and_then(|l| l.virtualisation.as_deref()) {
        evidence.push_str(&format!("; xl dmesg: \"{l}\""));
    }
    if let Some(l) = log.and_then(|l| l.vendor_line.as_deref()) {
        evidence.push_str(&format!(", \"{l}\""));
    }
    if directio {
        return check(
            "iommu",
            Status::Pass,
            "Xen uses an IOMMU for passthrough".into(),
            evidence,
        );
    }
    for p in log.map(|l| l.problems.as_slice()).unwrap_or_default() {
        evidence.push_str(&format!(", \"{p}\""));
    }
    let off_by = h
        .xen_cmdline
        .as_deref()
        .ok()
        .and_then(xenlog::iommu_disabled_by);
    if let Some(o) = off_by {
        evidence.push_str(&format!(
            "; xen_commandline: iommu={o} (Xen applies its iommu= options in order)"
        ));
    }
    let c = check(
        "iommu",
        Status::Fail,
        "Xen has no IOMMU in use: no device can be assigned (xl create: \"passthrough not supported on this platform\"; \
         xl pci-attach: \"xc_assign_device failed: Operation not supported\"; xl pci-assignable-add: \"failed to quarantine\"; \
         HVM: \"cannot be assigned - no IOMMU?\")".into(),
        evidence,
    );
    match off_by {
        Some(o) => c.fix(format!("remove iommu={o} from Xen's command line (Debian: GRUB_CMDLINE_XEN_DEFAULT in /etc/default/grub, then update-grub) and reboot")),
        None => c.fix("enable VT-d / AMD-Vi (IOMMU) in the firmware setup, and check xl dmesg for why Xen disabled it"),
    }
}

/// Interrupt remapping: without it a guest's device can forge interrupts (MSI).
pub fn intremap(h: &HostFacts) -> Check {
    let log = match &h.iommu {
        Ok(l) => l,
        Err(e) => {
            return check(
                "intremap",
                Status::Warn,
                "cannot tell whether interrupt remapping is on".into(),
                e.clone(),
            )
            .fix("run as root in dom0 where `xl dmesg` works")
        }
    };
    let cmdline = h.xen_cmdline.as_deref().unwrap_or("");
    if iommu_off(h) {
        return check(
            "intremap",
            Status::Warn,
            "no IOMMU in use, so no interrupt remapping either (see the iommu line)".into(),
            format!(
                "xl dmesg: \"{}\"",
                log.intremap
                    .as_deref()
                    .or(log.virtualisation.as_deref())
                    .unwrap_or("no interrupt remapping line")
            ),
        )
        .fix("the iommu line's fix turns both on");
    }
    match xenlog::intremap_enabled(log) {
        Some(true) => check(
            "intremap",
            Status::Pass,
            "Xen remaps the device's interrupts".into(),
            format!("xl dmesg: \"{}\"", log.intremap.as_deref().unwrap_or_default()),
        ),
        Some(false) => check(
            "intremap",
            Status::Warn,
            "interrupt remapping is off: a guest's device can inject interrupts it was not given (MSI spoofing); Xen still assigns it".into(),
            format!("xl dmesg: \"{}\"; xen_commandline: {cmdline}", log.intremap.as_deref().unwrap_or_default()),
        )
        .fix("enable interrupt remapping in the firmware (VT-d: also Queued Invalidation), remove iommu=no-intremap; if the firmware's tables are broken, a BIOS update"),
        None => check(
            "intremap",
            Status::Warn,
            "cannot tell whether interrupt remapping is on: Xen's boot lines are no longer in its console ring".into(),
            "xl dmesg has no \"Interrupt remapping\" line".into(),
        )
        .fix("boot Xen with a larger conring_size= (e.g. 1M) so its boot lines stay readable"),
    }
}

/// Held by xen-pciback, or who holds it instead.
pub fn pciback(h: &HostFacts, d: &DeviceFacts) -> Check {
    let add = format!("xl pci-assignable-add {}", d.bdf);
    match &d.holder {
        Holder::Pciback(dom) => {
            let whose = dom
                .as_deref()
                .map_or("assignable, no domain has it".to_string(), |n| {
                    format!("assigned to domain {n}")
                });
            check(
                "pciback",
                Status::Pass,
                format!("xen-pciback holds it ({whose})"),
                format!("/sys/bus/pci/devices/{}/driver -> pciback", d.bdf),
            )
        }
        _ if !h.pciback_loaded => check(
            "pciback",
            Status::Fail,
            "xen-pciback is not loaded (xl pci-assignable-add: \"Looks like pciback driver is not loaded\")".into(),
            format!(
                "no /sys/bus/pci/drivers/pciback; device held by: {}",
                d.holder
            ),
        )
        .fix(format!(
            "modprobe xen-pciback (or fix xen-pciback.hide=, see the hide line), then {add}"
        )),
        Holder::Driver(drv) => check(
            "pciback",
            Status::Fail,
            format!("dom0's {drv} driver holds it, not xen-pciback: a guest cannot get it"),
            format!("/sys/bus/pci/devices/{}/driver -> {drv}", d.bdf),
        )
        .fix(format!(
            "{add} (unbinds {drv}), or name it in xen-pciback.hide= so pciback takes it at boot"
        )),
        Holder::Nobody => check(
            "pciback",
            Status::Fail,
            "no driver holds it, not xen-pciback".into(),
            format!("/sys/bus/pci/devices/{}/driver does not exist", d.bdf),
        )
        .fix(add),
    }
}

/// `xen-pciback.hide=` as pciback parsed it, and whether it names the device.
pub fn hide(h: &HostFacts, d: &DeviceFacts) -> Check {
    let (source, value) =
        match &h.hide {
            Err(e) => {
                return check(
                    "hide",
                    Status::Warn,
                    "cannot read xen-pciback.hide=".into(),
                    e.clone(),
                )
                .fix("run as root")
            }
            Ok(None) => return check(
                "hide",
                Status::Pass,
                "no xen-pciback.hide=: pciback takes devices only through xl pci-assignable-add"
                    .into(),
                "/proc/cmdline".into(),
            ),
            Ok(Some(v)) => v,
        };
    let shown = hide::printable(value);
    let (dom, bus, slot, func) = d.addr;
    match hide::parse(value) {
        Ok(entries) if entries.iter().any(|e| e.names(dom, bus, slot, func)) => check(
            "hide",
            Status::Pass,
            "xen-pciback.hide= names it: pciback seizes it at boot".into(),
            format!("{source}: {shown}"),
        ),
        Ok(_) => check(
            "hide",
            Status::Pass,
            "xen-pciback.hide= does not name it (pciback holds only what xl pci-assignable-add gave it, until reboot)".into(),
            format!("{source}: {shown}"),
        ),
        Err(e @ HideError::Syntax { .. }) => check(
            "hide",
            Status::Fail,
            "xen-pciback.hide= has a syntax error: pciback refused the whole parameter and registered no driver".into(),
            format!("{source}: {shown}; the kernel logged: {}", e.kernel_message().unwrap_or_default()),
        )
        .fix(format!("write each device as (DDDD:BB:SS.F) or (BB:SS.F), e.g. xen-pciback.hide=({})", d.bdf)),
        Err(HideError::Range { entry }) => check(
            "hide",
            Status::Fail,
            format!("xen-pciback.hide= entry {entry} is out of range: pciback failed with -EINVAL and registered no driver, logging nothing"),
            format!("{source}: {shown}"),
        )
        .fix("bus 00-ff, slot 00-1f, function 0-7, domain 0000-ffff, in hex"),
    }
}

/// Config writes: `permissive` and pciback's quirks for the device.
pub fn permissive(h: &HostFacts, d: &DeviceFacts) -> Check {
    let quirks = if d.quirks.is_empty() {
        "no pciback quirks".to_string()
    } else {
        format!("pciback quirks: {}", d.quirks.join("; "))
    };
    let global = h.global_permissive == Some(true);
    if d.permissive || global {
        let how = if global {
            "xen_pciback.permissive=1 (every device)"
        } else {
            "pciback's permissive lists it"
        };
        return check(
            "permissive",
            Status::Warn,
            "permissive: the guest may write all of its config space, including registers pciback otherwise guards".into(),
            format!("{how}; {quirks}"),
        )
        .fix("keep it only for a device whose driver needs it; otherwise permissive=0 in pci=");
    }
    check(
        "permissive",
        Status::Pass,
        "not permissive: pciback drops guest config writes outside its emulated fields (a driver that needs them logs config-write failures; then permissive=1)".into(),
        format!("not in /sys/bus/pci/drivers/pciback/permissive; {quirks}"),
    )
}

const FUNCTION_RESETS: [&str; 5] = ["device_specific", "acpi", "flr", "af_flr", "pm"];

fn config_reset_evidence(c: &Result<ConfigFacts, String>) -> String {
    match c {
        Ok(c) => {
            let pm = match c.pm_no_soft_reset {
                Some(true) => "PM No_Soft_Reset set (D3hot keeps state)",
                Some(false) => "PM reset",
                None => "no PM capability",
            };
            format!(
                "config space: PCIe FLR {}, AF FLR {}, {pm}",
                if c.pcie_flr { "yes" } else { "no" },
                if c.af_flr { "yes" } else { "no" }
            )
        }
        Err(e) => format!("config space: {e}"),
    }
}

/// How the device can be reset between guests.
pub fn reset(d: &DeviceFacts) -> Check {
    let methods = match &d.reset_method {
        Ok(Some(m)) => m.split_whitespace().map(str::to_string).collect::<Vec<_>>(),
        Ok(None) => Vec::new(),
        Err(e) => {
            return check(
                "reset",
                Status::Warn,
                "cannot read how the kernel resets it".into(),
                e.clone(),
            )
            .fix("run as root")
        }
    };
    let evidence = format!(
        "reset_method: {}; {}",
        if methods.is_empty() {
            "(none)".to_string()
        } else {
            methods.join(" ")
        },
        config_reset_evidence(&d.config)
    );
    if d.reset_method == Ok(None) && d.reset_file {
        return check(
            "reset",
            Status::Pass,
            "the kernel can reset it (no reset_method file to say how)".into(),
            evidence,
        );
    }
    if let Some(m) = methods
        .iter()
        .find(|m| FUNCTION_RESETS.contains(&m.as_str()))
    {
        return check(
            "reset",
            Status::Pass,
            format!("function reset: {m}"),
            evidence,
        );
    }
    bus_reset(d, &methods, evidence)
}

/// The device has no function reset: a bus or slot reset, with who else it hits, or none.
fn bus_reset(d: &DeviceFacts, methods: &[String], evidence: String) -> Check {
    let active: Vec<Peer> = d
        .bus_peers
        .iter()
        .filter(|p| active(p, assigned_domain(d)))
        .cloned()
        .collect();
    let others = if d.bus_peers.is_empty() {
        "no other device on its bus".to_string()
    } else {
        format!("on its bus: {}", peer_list(&d.bus_peers))
    };
    let evidence = format!("{evidence}; {others}");
    if methods.is_empty() {
        return no_reset(d, &active, evidence, None);
    }
    if d.bus_peers.is_empty() {
        return check(
            "reset",
            Status::Pass,
            format!(
                "{} reset, alone on bus {:02x}: it resets nothing else",
                methods.join(" "),
                d.addr.1
            ),
            evidence,
        );
    }
    // Linux lists its methods once, when it finds the function, and checks them again when it
    // resets: a bus reset only for a device alone on its bus, a slot reset only for a
    // single-function device in a hotplug slot. Function 0, found before its siblings, keeps
    // "bus" in reset_method and its reset then fails (ENOTTY).
    let multifunction = d.config.as_ref().is_ok_and(|c| c.multifunction);
    if !d.hotplug_slot || multifunction {
        return no_reset(d, &active, evidence, Some(methods));
    }
    // A hotplug slot's reset of a single-function header: it resets every function of the slot.
    let c = check(
        "reset",
        if active.is_empty() {
            Status::Warn
        } else {
            Status::Fail
        },
        format!(
            "only a slot reset ({}), which resets every device on bus {:02x} with it: {}",
            methods.join(" "),
            d.addr.1,
            peer_list(&d.bus_peers)
        ),
        evidence,
    );
    if active.is_empty() {
        c.fix("assign every function of the slot to the same guest")
    } else {
        c.fix(format!("the reset hits devices in use ({}): give them to pciback and the same guest, or move them; Qubes: no-strict-reset=true accepts no reset", peer_list(&active)))
    }
}

/// No reset method at all. xl still assigns the device (libxl logs its error and carries
/// on); libvirt, and so Qubes, refuses. Either way the next guest gets the device in the
/// state the last one left.
/// `listed`: the bus methods reset_method names though Linux will refuse them.
fn no_reset(
    d: &DeviceFacts,
    active: &[Peer],
    evidence: String,
    listed: Option<&[String]>,
) -> Check {
    let libxl = match listed {
        None => "xl assigns it anyway (libxl: \"The kernel doesn't support reset from sysfs for PCI device\")".to_string(),
        Some(_) => format!("xl assigns it anyway (libxl: \"write to /sys/bus/pci/devices/{}/reset failed\")", d.bdf),
    };
    if d.root_bus || d.bus_peers.is_empty() {
        let why = if d.root_bus {
            "on the root bus, with no FLR or PM reset: nothing can reset it"
        } else {
            "no FLR, PM or bus reset"
        };
        return check(
            "reset",
            Status::Warn,
            format!("no reset method: {why}; {libxl}, libvirt and Qubes refuse (\"no FLR, PM reset or bus reset available\"), and device state passes from guest to guest"),
            evidence,
        )
        // A root bus has no bridge to reset: freeing it would not help.
        .fix("give it to one guest for good, or (Qubes) no-strict-reset=true");
    }
    // Linux resets a bus (pci_parent_bus_reset) only for a device alone on it, whoever holds
    // the others; libvirt resets it itself when none of them is in use.
    let what = match listed {
        None => "no reset method".to_string(),
        Some(m) => format!(
            "no working reset: reset_method lists {}, which Linux refuses when it resets (it listed it before it found the function's siblings)",
            m.join(" ")
        ),
    };
    let c = check(
        "reset",
        Status::Warn,
        format!(
            "{what}: no FLR or PM reset, and Linux resets a bus only for a device alone on it: bus {:02x} also has {}; {libxl}, libvirt and Qubes reset the bus only when nothing else on it is in use (\"Active ... devices on bus with ..., not doing bus reset\"), and device state passes from guest to guest",
            d.addr.1,
            peer_list(&d.bus_peers)
        ),
        evidence,
    );
    if active.is_empty() {
        c.fix("pass every device of the bus to the same guest (libvirt and Qubes can then reset the bus), or give it to one guest for good")
    } else {
        c.fix(format!("free the bus for libvirt's reset: give {} to pciback and the same guest; or give this device to one guest for good, or (Qubes) no-strict-reset=true", peer_list(active)))
    }
}

fn assigned_domain(d: &DeviceFacts) -> Option<&str> {
    match &d.holder {
        Holder::Pciback(dom) => dom.as_deref(),
        _ => None,
    }
}

/// Reserved memory regions (RMRR/IVMD) it shares with other devices.
pub fn reserved(h: &HostFacts, d: &DeviceFacts) -> Check {
    let r = match &h.reserved {
        Ok(r) => r,
        Err(e) => {
            return check(
                "reserved",
                Status::Warn,
                "cannot read Xen's reserved-region lines".into(),
                e.clone(),
            )
            .fix("run as root in dom0 where `xl dmesg` works")
        }
    };
    if iommu_off(h) {
        return check(
            "reserved",
            Status::Warn,
            "not checked: Xen reads reserved regions from its IOMMU's ACPI tables, and its IOMMU is off".into(),
            "virt_caps has no directio".into(),
        )
        .fix("the iommu line's fix first");
    }
    let cmdline = h.xen_cmdline.as_deref().unwrap_or("");
    let iommu_opts = xenlog::iommu_suboptions(cmdline);
    let verbose = iommu_opts.iter().any(|o| *o == "verbose" || *o == "debug");
    let debug = iommu_opts.contains(&"debug");
    let mine: Vec<&xenlog::Rmrr> = r
        .rmrrs
        .iter()
        .filter(|m| m.endpoints.contains(&d.bdf))
        .collect();
    let refusals: Vec<&String> = r.refusals.iter().filter(|l| l.contains(&d.bdf)).collect();
    if let Some(shared) = mine.iter().find(|m| m.endpoints.len() > 1) {
        let others: Vec<&String> = shared.endpoints.iter().filter(|e| **e != d.bdf).collect();
        let mut evidence = format!(
            "xl dmesg: RMRR{} with endpoints {}",
            shared
                .range
                .as_deref()
                .map(|x| format!(" {x}"))
                .unwrap_or_default(),
            shared.endpoints.join(", ")
        );
        for l in refusals {
            evidence.push_str(&format!("; \"{l}\""));
        }
        return check(
            "reserved",
            Status::Fail,
            format!("shares an Intel RMRR with {}: Xen refuses to assign it (\"It's disallowed to assign {} with shared RMRR\")", others.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "), d.bdf),
            evidence,
        )
        .fix(format!("pci=['{},rdm_policy=relaxed'] in xl.cfg (the guest then shares the region), or assign every device of the RMRR to the same guest", d.bdf));
    }
    if !mine.is_empty() {
        return check(
            "reserved",
            Status::Warn,
            "has its own Intel RMRR: an HVM guest must keep that range free (rdm= in xl.cfg)"
                .into(),
            "xl dmesg: RMRR endpoint listed alone".into(),
        )
        .fix("rdm=\"strategy=host,policy=relaxed\" in xl.cfg if the guest fails to start");
    }
    unshared_reserved(h, d, r, cmdline, verbose, debug)
}

/// No RMRR names the device: what the AMD IVMD lines say, or whether Xen logs enough to tell.
fn unshared_reserved(
    h: &HostFacts,
    d: &DeviceFacts,
    r: &xenlog::Reserved,
    cmdline: &str,
    verbose: bool,
    debug: bool,
) -> Check {
    if let Some(all) = r.ivmd.iter().find(|l| xenlog::ivmd_type(l) == Some(0x20)) {
        return check(
            "reserved",
            Status::Warn,
            "an AMD IVMD block covers every device: each guest shares that range".into(),
            format!("xl dmesg: \"{all}\""),
        )
        .fix("pci=['BDF,rdm_policy=relaxed'] if assignment is refused");
    }
    if !r.ivmd.is_empty() {
        return check(
            "reserved",
            Status::Warn,
            "AMD IVMD blocks exist and Xen's log does not say which devices they cover".into(),
            format!("xl dmesg: {}", r.ivmd.join("; ")),
        )
        .fix("read the IVRS table (acpidump) for the blocks' device ranges");
    }
    let vtd = r.rmrrs.is_empty()
        && h.iommu
            .as_ref()
            .ok()
            .and_then(|l| l.vendor_line.as_deref())
            .is_some_and(|l| l.starts_with("Intel"));
    let amd = h
        .iommu
        .as_ref()
        .ok()
        .and_then(|l| l.vendor_line.as_deref())
        .is_some_and(|l| l.starts_with("AMD-Vi"));
    if (vtd && !verbose) || (amd && !debug) {
        let need = if amd {
            "iommu=debug (AMD IVMD blocks)"
        } else {
            "iommu=verbose (RMRR endpoints)"
        };
        return check(
            "reserved",
            Status::Warn,
            format!(
                "cannot tell whether it shares a reserved region: Xen logs them only with {need}"
            ),
            format!("xen_commandline: {cmdline}"),
        )
        .fix(format!("add {need} to Xen's command line once"));
    }
    check(
        "reserved",
        Status::Pass,
        "no RMRR or IVMD names it in Xen's log".into(),
        format!(
            "xl dmesg: {} RMRR(s), {} IVMD block(s), none with {}",
            r.rmrrs.len(),
            r.ivmd.len(),
            d.bdf
        ),
    )
}

/// Peers a guest with this device would also reach (no ACS between them).
pub fn acs(d: &DeviceFacts) -> Check {
    if d.acs_peers.is_empty() {
        return check(
            "acs",
            Status::Pass,
            "isolated: no other device shares its path to the IOMMU".into(),
            d.acs_reason.clone(),
        );
    }
    let active: Vec<Peer> = d
        .acs_peers
        .iter()
        .filter(|p| active(p, assigned_domain(d)))
        .cloned()
        .collect();
    let c = check(
        "acs",
        Status::Warn,
        format!(
            "not isolated ({}): a guest with it can reach {} peer to peer; Xen does not stop that",
            d.acs_reason,
            peer_list(&d.acs_peers)
        ),
        d.acs_reason.clone(),
    );
    if active.is_empty() {
        c.fix("assign them to the same guest, or leave them unused")
    } else {
        c.fix(format!("{} in use elsewhere: assign them to the same guest, or do not pass this device to an untrusted guest", peer_list(&active)))
    }
}

/// MSI-X (or MSI) vectors against the domain's pirq limit.
pub fn msix(h: &HostFacts, d: &DeviceFacts) -> Check {
    let c = match &d.config {
        Ok(c) => c,
        Err(e) => {
            return check(
                "msix",
                Status::Warn,
                "cannot read its interrupt capabilities".into(),
                e.clone(),
            )
            .fix("run as root")
        }
    };
    let (kind, vectors) = match (c.msix_vectors, c.msi_vectors) {
        (Some(n), _) => ("MSI-X", n),
        (None, Some(n)) => ("MSI", n),
        (None, None) => {
            return check(
                "msix",
                Status::Pass,
                "INTx only: one interrupt, no extra pirqs".into(),
                "config space: no MSI or MSI-X capability".into(),
            )
        }
    };
    let cmdline = match &h.xen_cmdline {
        Ok(c) => c,
        Err(e) => {
            return check(
                "msix",
                Status::Warn,
                format!("{kind} with {vectors} vectors; cannot read the domain pirq limit"),
                e.clone(),
            )
            .fix("run as root in dom0 where `xl info` works")
        }
    };
    let limit = match xenlog::extra_domu_irqs(cmdline) {
        Ok(l) => l,
        Err(e) => {
            return check(
                "msix",
                Status::Warn,
                format!(
                    "{kind} with {vectors} vectors; Xen refuses its extra_guest_irqs= and uses 32"
                ),
                e,
            )
            .fix("extra_guest_irqs=<number>")
        }
    };
    let set = if xenlog::xen_option(cmdline, "extra_guest_irqs").is_some() {
        "extra_guest_irqs"
    } else {
        "Xen's default, no extra_guest_irqs="
    };
    let evidence = format!(
        "config space: {kind} {vectors} vectors; domU pirqs for MSI/MSI-X: {limit} ({set})"
    );
    if vectors > limit {
        return check(
            "msix",
            Status::Warn,
            format!("offers {vectors} {kind} vectors, more than the {limit} pirqs a domU has for all its devices: a driver asking for more fails (pcifront: \"enable msix get err\")"),
            evidence,
        )
        .fix(format!("extra_guest_irqs={} on Xen's command line (domU number first)", vectors.next_power_of_two().max(64)));
    }
    check(
        "msix",
        Status::Pass,
        format!("{kind} with {vectors} vector(s), within the domU's {limit} pirqs"),
        evidence,
    )
}

/// Memory below 4 GiB Xen has left for a PV guest's swiotlb-xen pool (64 MiB by default,
/// in 256 KiB pieces below 4 GiB).
pub fn dma32(h: &HostFacts) -> Check {
    const POOL_PAGES: u64 = (64 << 20) >> 12;
    match &h.below_4g_pages {
        Err(e) => check(
            "dma32",
            Status::Warn,
            "cannot tell how much memory below 4 GiB Xen has free for a PV guest's DMA pool".into(),
            e.clone(),
        )
        .fix("xl debug-keys H; xl dmesg shows Xen's heap by zone"),
        Ok(pages) => {
            let mib = pages / 256;
            let evidence = format!(
                "xl debug-keys H: {pages} free pages below 4 GiB ({mib} MiB) in zones 1-20"
            );
            if *pages >= POOL_PAGES {
                check("dma32", Status::Pass, format!("Xen has {mib} MiB free below 4 GiB: a PV guest's 64 MiB swiotlb-xen pool fits"), evidence)
            } else {
                check(
                    "dma32",
                    Status::Warn,
                    format!("only {mib} MiB free below 4 GiB: a PV guest's swiotlb-xen pool (64 MiB) may not fit (\"Failed to get contiguous memory for DMA from Xen!\", \"swiotlb buffer is full\")"),
                    evidence,
                )
                .fix("start PV guests with devices first, give the guest swiotlb=<slabs> smaller, or lower dom0_mem")
            }
        }
    }
}

/// Every check of one device, in the order they are printed.
pub fn all(h: &HostFacts, d: &DeviceFacts) -> Vec<Check> {
    vec![
        iommu(h),
        intremap(h),
        pciback(h, d),
        hide(h, d),
        permissive(h, d),
        reset(d),
        reserved(h, d),
        acs(d),
        msix(h, d),
        dma32(h),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::xenlog::{iommu_lines, reserved_regions};

    /// The lab's Xen: QEMU's amd-iommu, Xen 4.20's boot lines.
    fn lab_host() -> HostFacts {
        let dmesg = "\
(XEN) [    1.262183] AMD-Vi: IOMMU 0 Enabled.
(XEN) [    1.270050] I/O virtualisation enabled
(XEN) [    1.270242] Interrupt remapping enabled
";
        HostFacts {
            virt_caps: Ok("pv hvm hvm_directio pv_directio hap shadow gnttab-v1 gnttab-v2".into()),
            xen_cmdline: Ok("console=com1 iommu=1,verbose".into()),
            iommu: Ok(iommu_lines(dmesg)),
            reserved: Ok(reserved_regions(dmesg)),
            hide: Ok(None),
            pciback_loaded: true,
            global_permissive: Some(false),
            below_4g_pages: Ok(100_000),
        }
    }

    fn edu(holder: Holder) -> DeviceFacts {
        DeviceFacts {
            bdf: "0000:00:04.0".into(),
            addr: (0, 0, 4, 0),
            holder,
            config: Ok(ConfigFacts {
                msi_vectors: Some(1),
                ..Default::default()
            }),
            reset_method: Ok(Some("flr".into())),
            reset_file: true,
            root_bus: true,
            hotplug_slot: false,
            bus_peers: vec![],
            acs_peers: vec![],
            acs_reason: "on a root bus".into(),
            permissive: false,
            quirks: vec![],
        }
    }

    #[test]
    fn healthy_device_passes_except_the_unknown_ivmd() {
        let all = all(&lab_host(), &edu(Holder::Pciback(None)));
        for c in &all {
            let want = if c.code == "reserved" {
                Status::Warn
            } else {
                Status::Pass
            };
            assert_eq!(c.status, want, "{c:?}");
        }
        // AMD without iommu=debug: Xen never logs IVMD blocks, so it cannot be known.
        let r = all.iter().find(|c| c.code == "reserved").unwrap();
        assert!(r.summary.contains("iommu=debug"), "{}", r.summary);
    }

    #[test]
    fn no_iommu_fails_with_libxls_words() {
        let mut h = lab_host();
        h.virt_caps = Ok("pv hvm hap shadow".into());
        h.iommu = Ok(iommu_lines("(XEN) I/O virtualisation disabled\n"));
        let c = iommu(&h);
        assert_eq!(c.status, Status::Fail);
        assert!(c
            .summary
            .contains("passthrough not supported on this platform"));
        assert!(c.evidence.contains("\"I/O virtualisation disabled\""));
        // And without xl info, a WARN that says so.
        h.virt_caps = Err("xl info failed".into());
        assert_eq!(iommu(&h).status, Status::Warn);
    }

    #[test]
    fn intremap_off_gone_and_on() {
        let mut h = lab_host();
        assert_eq!(intremap(&h).status, Status::Pass);
        h.iommu = Ok(iommu_lines(
            "(XEN) Intel VT-d Interrupt Remapping not enabled.\n",
        ));
        assert_eq!(intremap(&h).status, Status::Warn);
        h.iommu = Ok(iommu_lines("(XEN) ring wrapped\n"));
        let c = intremap(&h);
        assert_eq!(c.status, Status::Warn);
        assert!(c.fix.unwrap().contains("conring_size"));
    }

    #[test]
    fn holders_and_pciback_not_loaded() {
        let h = lab_host();
        let c = pciback(&h, &edu(Holder::Driver("e1000e".into())));
        assert_eq!(c.status, Status::Fail);
        assert!(c
            .fix
            .unwrap()
            .starts_with("xl pci-assignable-add 0000:00:04.0 (unbinds e1000e)"));
        assert_eq!(pciback(&h, &edu(Holder::Nobody)).status, Status::Fail);
        let mut gone = lab_host();
        gone.pciback_loaded = false;
        let c = pciback(&gone, &edu(Holder::Nobody));
        assert!(c
            .summary
            .contains("Looks like pciback driver is not loaded"));
        let c = pciback(&h, &edu(Holder::Pciback(Some("domu".into()))));
        assert_eq!(c.status, Status::Pass);
        assert!(c.summary.contains("assigned to domain domu"));
    }

    #[test]
    fn hide_names_misses_and_errors() {
        let mut h = lab_host();
        let dev = edu(Holder::Pciback(None));
        h.hide = Ok(Some(("/proc/cmdline".into(), b"(00:04.0)".to_vec())));
        assert!(hide(&h, &dev).summary.contains("names it"));
        h.hide = Ok(Some(("/proc/cmdline".into(), b"(00:05.*)".to_vec())));
        assert!(hide(&h, &dev).summary.contains("does not name it"));
        h.hide = Ok(Some(("/proc/cmdline".into(), b"(0000:00.04.0)".to_vec())));
        let c = hide(&h, &dev);
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.evidence
                .contains("xen_pciback: Error parsing pci_devs_to_hide at \"(0000:00.04.0)\""),
            "{}",
            c.evidence
        );
        h.hide = Ok(Some(("/proc/cmdline".into(), b"(00:20.0)".to_vec())));
        let c = hide(&h, &dev);
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.summary.contains("(00:20.0) is out of range"),
            "{}",
            c.summary
        );
    }

    #[test]
    fn permissive_warns() {
        let mut h = lab_host();
        let mut dev = edu(Holder::Pciback(None));
        assert_eq!(permissive(&h, &dev).status, Status::Pass);
        dev.permissive = true;
        assert_eq!(permissive(&h, &dev).status, Status::Warn);
        dev.permissive = false;
        h.global_permissive = Some(true);
        assert!(permissive(&h, &dev).evidence.contains("every device"));
    }

    fn peer(bdf: &str, holder: Holder) -> Peer {
        Peer {
            bdf: bdf.into(),
            holder,
        }
    }

    #[test]
    fn reset_methods() {
        let mut dev = edu(Holder::Pciback(Some("domu".into())));
        assert_eq!(reset(&dev).summary, "function reset: flr");
        // A real reset_method, "pm bus", from https://github.com/Dasharo/dasharo-issues/issues/771
        // (an LSI FW643 behind root port 00:1c.1): the PM reset is a function reset.
        dev.reset_method = Ok(Some("pm bus".into()));
        assert_eq!(reset(&dev).summary, "function reset: pm");
        dev.reset_method = Ok(Some("bus".into()));
        assert_eq!(reset(&dev).status, Status::Pass);
        // Only a slot reset (a hotplug slot, a single-function header), the other function
        // idle in pciback: a WARN.
        dev.bdf = "0000:05:00.0".into();
        dev.addr = (0, 5, 0, 0);
        dev.root_bus = false;
        dev.hotplug_slot = true;
        dev.reset_method = Ok(Some("bus".into()));
        dev.bus_peers = vec![peer("0000:05:00.1", Holder::Pciback(None))];
        assert_eq!(reset(&dev).status, Status::Warn);
        // ... a dom0 driver on the other function: the slot reset hits it.
        dev.bus_peers = vec![peer("0000:05:00.1", Holder::Driver("snd_hda_intel".into()))];
        let c = reset(&dev);
        assert_eq!(c.status, Status::Fail);
        assert!(c.summary.starts_with("only a slot reset (bus), which resets every device on bus 05 with it: 0000:05:00.1 (dom0 driver snd_hda_intel)"), "{}", c.summary);
        assert!(c
            .fix
            .unwrap()
            .contains("0000:05:00.1 (dom0 driver snd_hda_intel)"));
        // The same guest holding the sibling is fine.
        dev.bus_peers = vec![peer("0000:05:00.1", Holder::Pciback(Some("domu".into())))];
        assert_eq!(reset(&dev).status, Status::Warn);
    }

    #[test]
    fn no_reset_at_all() {
        // libvirt's "Unable to reset PCI device 0000:00:1f.6: no FLR, PM reset or bus reset
        // available" as Qubes users quote it (field-reports.md's reset class, from the
        // survey of qubes-issues 7207, 1393 and 7492).
        let mut dev = edu(Holder::Pciback(None));
        dev.reset_method = Ok(None);
        dev.reset_file = false;
        let c = reset(&dev);
        assert_eq!(c.status, Status::Warn);
        assert!(c.summary.contains("on the root bus"), "{}", c.summary);
        assert!(c
            .summary
            .contains("The kernel doesn't support reset from sysfs"));
        // A kernel before 5.15: a reset file but no reset_method.
        dev.reset_file = true;
        assert_eq!(reset(&dev).status, Status::Pass);
    }

    #[test]
    fn a_function_sharing_its_bus_has_no_reset() {
        // host-siblings: edu at 01:00.0 behind a root port, an e1000e function beside it.
        let mut dev = edu(Holder::Pciback(None));
        dev.bdf = "0000:01:00.0".into();
        dev.addr = (0, 1, 0, 0);
        dev.root_bus = false;
        dev.reset_method = Ok(None);
        dev.reset_file = false;
        dev.bus_peers = vec![peer("0000:01:00.1", Holder::Driver("e1000e".into()))];
        let c = reset(&dev);
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.summary.contains(
                "Linux resets a bus only for a device alone on it: bus 01 also has 0000:01:00.1 (dom0 driver e1000e)"
            ),
            "{}",
            c.summary
        );
        assert!(c.summary.contains("not doing bus reset"));
        // As the lab's 7.3 kernel lists it: "bus" for function 0, found before function 1,
        // multi-function, no hotplug slot: the reset fails when tried.
        dev.reset_method = Ok(Some("bus".into()));
        dev.reset_file = true;
        dev.config = Ok(ConfigFacts {
            multifunction: true,
            ..Default::default()
        });
        let c = reset(&dev);
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.summary
                .starts_with("no working reset: reset_method lists bus, which Linux refuses"),
            "{}",
            c.summary
        );
        assert!(c
            .summary
            .contains("write to /sys/bus/pci/devices/0000:01:00.0/reset failed"));
        // Even in a hotplug slot: a multi-function header has no slot reset either.
        dev.hotplug_slot = true;
        assert!(reset(&dev).summary.starts_with("no working reset"));
        dev.hotplug_slot = false;
        dev.reset_method = Ok(None);
        dev.reset_file = false;
        assert!(c.fix.unwrap().starts_with(
            "free the bus for libvirt's reset: give 0000:01:00.1 (dom0 driver e1000e) to pciback"
        ));
        // The sibling idle in pciback: the same line, a fix without a holder to move.
        dev.bus_peers = vec![peer("0000:01:00.1", Holder::Pciback(None))];
        assert!(reset(&dev)
            .fix
            .unwrap()
            .starts_with("pass every device of the bus to the same guest"));
        // Alone behind its bridge: Linux's bus reset, which hits nothing else.
        dev.bus_peers.clear();
        dev.reset_method = Ok(Some("bus".into()));
        dev.reset_file = true;
        let c = reset(&dev);
        assert_eq!(c.status, Status::Pass);
        assert_eq!(
            c.summary,
            "bus reset, alone on bus 01: it resets nothing else"
        );
    }

    #[test]
    fn iommu_off_by_the_command_line() {
        let mut h = lab_host();
        h.virt_caps = Ok("pv hvm hap shadow gnttab-v1 gnttab-v2".into());
        h.xen_cmdline = Ok("console=com1 iommu=1,verbose console_timestamps=boot iommu=0".into());
        h.iommu = Ok(iommu_lines(
            "(XEN) I/O virtualisation disabled\n(XEN) Interrupt remapping disabled\n",
        ));
        let c = iommu(&h);
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.evidence
                .ends_with("xen_commandline: iommu=0 (Xen applies its iommu= options in order)"),
            "{}",
            c.evidence
        );
        assert!(c
            .fix
            .unwrap()
            .starts_with("remove iommu=0 from Xen's command line"));
        // The other Xen checks follow from it rather than guess.
        let c = intremap(&h);
        assert_eq!(c.status, Status::Warn);
        assert!(c.summary.starts_with("no IOMMU in use"), "{}", c.summary);
        let c = reserved(&h, &edu(Holder::Pciback(None)));
        assert_eq!(c.status, Status::Warn);
        assert!(c.summary.starts_with("not checked"), "{}", c.summary);
        // Off without a command-line cause: the firmware.
        h.xen_cmdline = Ok("console=com1".into());
        assert!(iommu(&h).fix.unwrap().starts_with("enable VT-d / AMD-Vi"));
    }

    #[test]
    fn shared_rmrr_fails() {
        let mut h = lab_host();
        h.xen_cmdline = Ok("iommu=verbose".into());
        h.reserved = Ok(reserved_regions(
            "(XEN) [VT-D]found ACPI_DMAR_RMRR:\n(XEN) [VT-D] endpoint: 0000:00:04.0\n(XEN) [VT-D] endpoint: 0000:00:1a.0\n",
        ));
        h.iommu = Ok(iommu_lines(
            "(XEN) Intel VT-d iommu 0 supported page sizes: 4kB\n",
        ));
        let c = reserved(&h, &edu(Holder::Pciback(None)));
        assert_eq!(c.status, Status::Fail);
        assert!(c.summary.contains("shares an Intel RMRR with 0000:00:1a.0"));
        assert!(c.fix.unwrap().contains("rdm_policy=relaxed"));
        // VT-d without verbose: cannot tell.
        h.xen_cmdline = Ok("console=com1".into());
        h.reserved = Ok(reserved_regions(""));
        assert_eq!(reserved(&h, &edu(Holder::Nobody)).status, Status::Warn);
    }

    #[test]
    fn acs_peers_warn() {
        let mut dev = edu(Holder::Pciback(None));
        assert_eq!(acs(&dev).status, Status::Pass);
        dev.acs_peers = vec![peer("0000:00:04.1", Holder::Driver("ahci".into()))];
        dev.acs_reason = "multi-function without ACS redirect".into();
        let c = acs(&dev);
        assert_eq!(c.status, Status::Warn);
        assert!(c
            .fix
            .unwrap()
            .contains("0000:00:04.1 (dom0 driver ahci) in use elsewhere"));
    }

    #[test]
    fn msix_against_extra_guest_irqs() {
        let mut h = lab_host();
        let mut dev = edu(Holder::Pciback(None));
        dev.config = Ok(ConfigFacts {
            msix_vectors: Some(65),
            ..Default::default()
        });
        let c = msix(&h, &dev);
        assert_eq!(c.status, Status::Warn);
        assert!(c.summary.contains("more than the 32 pirqs"));
        assert_eq!(
            c.fix.as_deref(),
            Some("extra_guest_irqs=128 on Xen's command line (domU number first)")
        );
        h.xen_cmdline = Ok("extra_guest_irqs=128".into());
        assert_eq!(msix(&h, &dev).status, Status::Pass);
        // The lab's e1000e: 5 MSI-X vectors, Xen's default limit.
        h.xen_cmdline = Ok("console=com1".into());
        dev.config = Ok(ConfigFacts {
            msix_vectors: Some(5),
            ..Default::default()
        });
        assert_eq!(
            msix(&h, &dev).summary,
            "MSI-X with 5 vector(s), within the domU's 32 pirqs"
        );
        dev.config = Ok(ConfigFacts::default());
        assert!(msix(&h, &dev).summary.starts_with("INTx only"));
    }

    #[test]
    fn dma32_pool() {
        let mut h = lab_host();
        assert_eq!(dma32(&h).status, Status::Pass);
        h.below_4g_pages = Ok(1000);
        let c = dma32(&h);
        assert_eq!(c.status, Status::Warn);
        assert!(c.summary.starts_with("only 3 MiB free below 4 GiB"));
        h.below_4g_pages = Err("no heap dump".into());
        assert_eq!(dma32(&h).status, Status::Warn);
    }
}
