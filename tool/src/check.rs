// SPDX-License-Identifier: GPL-2.0
//! `pcifront-diag check <guest.cfg>`: the guest's own passthrough settings, run in a
//! throwaway PV domain `<guest>-pfd` that boots the diagnostic image (`make image`), whose
//! pcifront_diag reports come back over its console; dom0's view of the same domain is
//! taken while it waits, and both are printed per device as each report arrives, before
//! the teardown (answer.rs). What makes the check pointless is refused first, from sysfs
//! and xenstore, before any domain exists. The domain is destroyed by id on every path this
//! command controls (a guard's `Drop`, also after SIGINT/SIGTERM/SIGHUP), and the absence
//! is checked; after SIGKILL it stays until the image's own wait ends.
//!
//! What comes back over the console is the guest's word: see console.rs.

mod answer;

#[cfg(test)]
pub(crate) use answer::{anomaly_lines, device_text};

use crate::console::{self, clean, Collector, Line, Stage};
use crate::host;
use crate::temp_domain::{random_hex, random_uuid, CheckLock, TempDomain};
use crate::view::{device_view, DeviceView};
use crate::xl::xenstore::{self, Store};
use crate::xl::{self, ranges_of};
use crate::{sysfs, Failure};
use answer::Answer;
use pcifront_diag_core::diag::report::Bdf;
use serde_json::Value;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How the devices reach the domain. Both attach them once the image is up; they differ in
/// what `pci=` at creation changes for a PV guest: `e820_host`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Workflow {
    /// As with `pci=` at creation: xl then forces `e820_host` on.
    Create,
    /// Created without devices, then `xl pci-attach`: as a hot-plugging admin does it.
    Hotplug,
}

/// Run the guest's passthrough settings in a temporary PV domain <guest>-pfd that boots the
/// diagnostic image, and report what pcifront_diag finds in it and what dom0 sees.
///
/// The temporary domain gets the config's pci= devices, attached once the image is up, and
/// the image instead of the guest's kernel, disks and network; it is destroyed before this
/// command ends (after SIGKILL it stays until the image's own wait ends: xl list | grep -- -pfd).
#[derive(clap::Args)]
pub struct Args {
    /// The guest's xl.cfg.
    pub cfg: String,
    /// Create the domain without devices and attach them after, as xl pci-attach does
    /// (e820_host as configured); default: as with pci= at creation (xl forces e820_host on).
    #[arg(long)]
    pub hotplug: bool,
    /// Let the module read dword 0 of each BAR Xen grants: it enables the device (writing
    /// COMMAND through pciback) and reads the first dword, which a read-to-clear register
    /// loses. Off by default.
    #[arg(long)]
    pub read_probe: bool,
    /// Seconds to wait for the image to start and report.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub timeout: u64,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

impl Args {
    fn workflow(&self) -> Workflow {
        if self.hotplug {
            Workflow::Hotplug
        } else {
            Workflow::Create
        }
    }
}

/// What `check` takes from the guest's configuration (as libxl parsed it).
#[derive(Debug, PartialEq, Eq)]
pub struct Guest {
    /// `c_info.name`.
    pub name: String,
    /// `c_info.type`: `pv`, `hvm`, `pvh`.
    pub kind: String,
    /// `pcidevs[]`: dom0 BDF and whether the config asks pciback to let the guest write
    /// config space freely.
    pub devices: Vec<(Bdf, bool)>,
}

fn truthy(v: &Value) -> bool {
    v.as_bool().unwrap_or(false) || v.as_str() == Some("True")
}

/// One `pcidevs[]` entry: its dom0 BDF, or why it has none this check can use.
fn pci_entry(d: &Value) -> Result<(Bdf, bool), String> {
    if let Some(name) = d["name"].as_str().filter(|n| !n.is_empty()) {
        let (name, _) = clean(name);
        return Err(format!(
            "pci= entry name={name} names the device by the name given to xl pci-assignable-add; check needs its BDF: xl pci-assignable-list -n shows it, then write pci=['<BDF>']"
        ));
    }
    // Xen 4.16+ nests the address in "bdf"; older libxl had it at the top.
    let a = if d["bdf"].is_object() { &d["bdf"] } else { d };
    // libxl leaves out fields that are 0; a PCI address has 16, 8, 5 and 3 bits.
    let field = |k: &str, max: u64| {
        a.get(k)
            .map_or(Some(0), Value::as_u64)
            .filter(|&v| v <= max)
    };
    let address = || {
        Some(Bdf {
            domain: u16::try_from(field("domain", 0xffff)?).ok()?,
            bus: u8::try_from(field("bus", 0xff)?).ok()?,
            dev: u8::try_from(field("dev", 0x1f)?).ok()?,
            func: u8::try_from(field("func", 7)?).ok()?,
        })
    };
    let bdf = address().ok_or_else(|| {
        format!(
            "pci= entry {} has no valid address",
            clean(&d.to_string()).0
        )
    })?;
    Ok((bdf, truthy(&d["permissive"])))
}

/// Reads `xl -N create`'s JSON (libxl's domain config).
pub fn parse_guest(text: &str) -> Result<Guest, String> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("xl -N create printed no JSON ({e})"))?;
    let info = &v["c_info"];
    let devices = v["pcidevs"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let devices = devices.iter().map(pci_entry).collect::<Result<_, _>>()?;
    Ok(Guest {
        name: info["name"].as_str().unwrap_or("guest").to_string(),
        kind: info["type"].as_str().unwrap_or("").to_string(),
        devices,
    })
}

/// The image's files: `PFD_IMAGE_DIR`, or `<prefix>/share/pcifront-diag` next to the binary.
fn image_dir() -> Result<PathBuf, Failure> {
    let dir = match std::env::var_os("PFD_IMAGE_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            let exe = std::env::current_exe().unwrap_or_default();
            let prefix = exe
                .parent()
                .and_then(Path::parent)
                .unwrap_or(Path::new("/usr/local"));
            prefix.join("share/pcifront-diag")
        }
    };
    if dir.join("vmlinuz").is_file() && dir.join("initrd").is_file() {
        return Ok(dir);
    }
    Err(Failure::Environment(format!(
        "no diagnostic image (vmlinuz, initrd) in {}: make image && make install, or set PFD_IMAGE_DIR",
        dir.display()
    )))
}

/// Every device can be given to a new domain, or a message that says why not. Read from
/// sysfs and xenstore only: a refusal needs no domain and no `xl` call. Whether pciback
/// holds a device is `host`'s `pciback` check, the one source of that verdict.
fn check_devices(g: &Guest) -> Result<(), Failure> {
    let holders = xl::pci_holders()?;
    for (bdf, _) in &g.devices {
        match host::pciback_gate(&bdf.to_string(), &holders) {
            Ok(None) => {}
            Ok(Some(dom)) => {
                return Err(Failure::Environment(format!(
                    "{bdf} is assigned to the running domain {dom}: shut {dom} down or xl pci-detach {dom} {bdf}, then check again"
                )))
            }
            Err(why) => {
                return Err(Failure::Environment(format!(
                    "{why}; check changes no assignment itself"
                )))
            }
        }
    }
    Ok(())
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// SIGINT, SIGTERM and SIGHUP only set `STOP`: the main loop then destroys the domain. The
/// `xl` children run in their own process group, so a second Ctrl-C cannot kill them.
fn catch_signals() {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: `on_signal` is async-signal-safe (one atomic store) and lives forever.
        unsafe {
            libc::signal(
                sig,
                on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
            )
        };
    }
}

/// The kernel command line of the image: how many devices to wait for, how long, this
/// run's console token, and whether to read BARs.
fn image_cmdline(opts: &Args, devices: usize, token: &str) -> String {
    format!(
        "console=hvc0 loglevel=4 pfd.devices={devices} pfd.wait={} pfd.token={token} pfd.read_probe={}",
        opts.timeout,
        u8::from(opts.read_probe)
    )
}

/// `xl create` with the guest's passthrough settings and the image instead of its system.
fn create(
    opts: &Args,
    g: &Guest,
    dir: &Path,
    dom: &mut TempDomain,
    token: &str,
) -> Result<(), Failure> {
    let mut args = vec![
        "create".to_string(),
        opts.cfg.clone(),
        format!("name=\"{}\"", dom.name),
        format!("uuid=\"{}\"", random_uuid()?),
        format!("kernel=\"{}\"", dir.join("vmlinuz").display()),
        format!("ramdisk=\"{}\"", dir.join("initrd").display()),
        format!(
            "cmdline=\"{}\"",
            image_cmdline(opts, g.devices.len(), token)
        ),
    ];
    for o in [
        "disk=[]",
        "vif=[]",
        "vfb=[]",
        "on_poweroff=\"destroy\"",
        "on_crash=\"destroy\"",
        "on_reboot=\"destroy\"",
    ] {
        args.push(o.to_string());
    }
    // The devices are attached once the image is up (attach()): with pci= at creation,
    // pcifront and pciback sometimes never connected in the lab. What pci= at creation
    // changes for a PV guest besides is e820_host, which xl then forces on: so does this.
    args.push("pci=[]".into());
    // Without pci= at creation libxl leaves the IOMMU context out, and pci-attach fails.
    args.push("passthrough=\"enabled\"".into());
    if opts.workflow() == Workflow::Create {
        args.push("e820_host=1".into());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    xl::run(&refs, xl::Stage::Create)?;
    let id = xl::domid_by_name(&dom.name)?.ok_or_else(|| {
        Failure::Environment(format!(
            "xl create returned but no domain {} is running (look at xl dmesg)",
            dom.name
        ))
    })?;
    dom.domid = Some(id);
    Ok(())
}

/// The temporary domain's console: the pty xenconsoled made for it (as `xl console` uses
/// it), its lines read by a thread (`None` at the end of input), and the protocol collector.
struct Console {
    tty: std::fs::File,
    lines: mpsc::Receiver<Option<Line>>,
    collector: Collector,
}

impl Console {
    fn open(id: u32, token: &str) -> Result<Console, Failure> {
        let tty_path = console_tty(id)?;
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&tty_path)
            .map_err(|e| {
                Failure::Environment(format!("cannot open d{id}'s console {tty_path} ({e})"))
            })?;
        make_raw(&tty);
        let reader = tty
            .try_clone()
            .map_err(|e| Failure::Environment(format!("{tty_path}: {e}")))?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(reader);
            // An error or the end of input ends the stream; the receiver sees None.
            while let Ok(Some(line)) = console::read_line(&mut r, console::MAX_LINE) {
                if tx.send(Some(line)).is_err() {
                    return;
                }
            }
            let _ = tx.send(None);
        });
        Ok(Console {
            tty,
            lines,
            collector: Collector::new(token),
        })
    }

    /// Feeds console lines to the collector until the image reaches `stage`, the deadline
    /// passes, the console ends or a signal comes; `seen` looks at the collector after
    /// each line.
    fn wait_for(
        &mut self,
        stage: Stage,
        until: (Instant, u64),
        what: &str,
        seen: &mut dyn FnMut(&Collector),
    ) -> Result<(), Failure> {
        let (deadline, limit_s) = until;
        while self.collector.stage < stage {
            if STOP.load(Ordering::SeqCst) {
                return Err(Failure::Interrupted(String::new()));
            }
            if Instant::now() > deadline {
                return Err(Failure::Environment(format!(
                    "the diagnostic image did not {what} within {limit_s} s (raise --timeout, or look at xl dmesg)"
                )));
            }
            match self.lines.recv_timeout(Duration::from_millis(200)) {
                Ok(Some(line)) => {
                    self.collector.feed(&line);
                    seen(&self.collector);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => seen(&self.collector),
                Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(Failure::Environment(format!(
                        "the temporary domain's console ended before the image could {what} (look at xl dmesg)"
                    )))
                }
            }
        }
        Ok(())
    }
}

/// Puts the pty in raw mode, as `xl console` does: no line editing (a canonical line stops
/// at 4,095 bytes), no echo of the guest's output back to its input.
fn make_raw(tty: &std::fs::File) {
    use std::os::unix::io::AsRawFd;
    // SAFETY: termios is plain old data, all zeroes a valid value; tcgetattr fills it from
    // the open descriptor, cfmakeraw edits it in place, tcsetattr only reads it.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(tty.as_raw_fd(), &mut t) == 0 {
            libc::cfmakeraw(&mut t);
            libc::tcsetattr(tty.as_raw_fd(), libc::TCSANOW, &t);
        }
    }
}

/// The pty of domain `id`'s console, from xenstore, once xenconsoled has made it.
fn console_tty(id: u32) -> Result<String, Failure> {
    let node = format!("/local/domain/{id}/console/tty");
    let mut store = xenstore::Xenstore::open().map_err(Failure::Environment)?;
    for _ in 0..100 {
        match store.read(&node).map_err(Failure::Environment)? {
            Some(tty) if !tty.trim().is_empty() => return Ok(tty.trim().to_string()),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    Err(Failure::Environment(format!(
        "xenstore has no console for d{id} ({node}): is xenconsoled running?"
    )))
}

/// `xl pci-attach` of every device, once the image is up. Never `permissive=1`: pciback
/// has no way to take it back, so it would outlive the check (see `notes`).
fn attach(g: &Guest, dom: &TempDomain) -> Result<(), Failure> {
    for (bdf, _) in &g.devices {
        xl::run(
            &["pci-attach", &dom.name, &bdf.to_string()],
            xl::Stage::Attach,
        )?;
    }
    Ok(())
}

/// Each attached device's guest address and dom0's BDF, as pciback publishes them when
/// pcifront takes the device; reports are matched by the guest address.
fn guest_addresses(g: &Guest, id: u32, until: (Instant, u64)) -> Result<Vec<(Bdf, Bdf)>, Failure> {
    let mut store = xenstore::Xenstore::open().map_err(Failure::Environment)?;
    loop {
        let devices = xenstore::pci_devices(&mut store, id).map_err(Failure::Environment)?;
        if devices.len() >= g.devices.len() {
            return Ok(devices);
        }
        if STOP.load(Ordering::SeqCst) {
            return Err(Failure::Interrupted(String::new()));
        }
        if Instant::now() >= until.0 {
            return Err(Failure::Environment(format!(
                "pciback published guest addresses for {} of {} device(s) of d{id} in {} s",
                devices.len(),
                g.devices.len(),
                until.1
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Lines about what the check does differently from the guest's config.
fn notes(g: &Guest) -> Vec<String> {
    g.devices
        .iter()
        .filter(|(_, permissive)| *permissive)
        .map(|(bdf, _)| format!("note: the config asks permissive=1 for {bdf}; check attaches it without (pciback keeps permissive set until the device leaves it), so the image's config-space writes are filtered as by default"))
        .collect()
}

/// The guest's config as xl reads it, or why it cannot be checked.
fn read_guest(cfg: &str) -> Result<Guest, Failure> {
    std::fs::File::open(cfg).map_err(|e| Failure::BadInput(format!("cannot read {cfg}: {e}")))?;
    xl::require_dom0()?;
    let parsed = xl::run(&["-N", "create", cfg], xl::Stage::Parse).map_err(|_| {
        Failure::BadInput(format!(
            "xl cannot parse {cfg} (xl -N create {cfg} says why)"
        ))
    })?;
    let g = parse_guest(&parsed).map_err(Failure::Environment)?;
    if g.kind != "pv" {
        return Err(Failure::BadInput(format!(
            "{cfg} is a {} guest: pcifront (and this check) is for PV guests; an HVM or PVH guest gets its devices through QEMU or vPCI (look at xl dmesg and the device model's log)",
            g.kind.to_uppercase()
        )));
    }
    if g.devices.is_empty() {
        return Err(Failure::BadInput(format!(
            "{cfg} passes no device through (no pci= entry): nothing to check"
        )));
    }
    Ok(g)
}

/// dom0's view of each device against the domain's rangesets, read once they are attached.
fn dom0_views(g: &Guest, id: u32) -> Result<(Vec<DeviceView>, usize), Failure> {
    let ranges = ranges_of(id)?;
    let views = g
        .devices
        .iter()
        .map(|(bdf, _)| sysfs::device(Path::new("/sys"), bdf).map(|d| device_view(&d, &ranges)))
        .collect::<Result<_, _>>()
        .map_err(Failure::Environment)?;
    Ok((views, ranges.skipped))
}

/// Creates the domain, attaches the devices once its image is up, reads dom0's view, lets
/// the image report, and prints each device's verdict as its report arrives.
fn boot_and_answer(
    opts: &Args,
    g: &Guest,
    dom: &mut TempDomain,
    out: &mut Answer,
) -> Result<Collector, Failure> {
    let dir = image_dir()?;
    let token = random_hex(16)?;
    out.progress(&format!("creating {} (xl create)", dom.name));
    let created_at = Instant::now();
    create(opts, g, &dir, dom, &token)?;
    let id = dom.domid.unwrap_or_default();
    let mut cons = Console::open(id, &token)?;
    out.progress(&format!(
        "{} created (d{id}), attaching the devices when its image is up",
        dom.name
    ));
    let until = (created_at + Duration::from_secs(opts.timeout), opts.timeout);
    cons.wait_for(Stage::Up, until, "start", &mut |_| out.host_section(false))?;
    out.host_section(true);
    attach(g, dom)?;
    cons.collector.attached(guest_addresses(g, id, until)?);
    out.progress("devices attached, reading Xen's view of the domain");
    let (views, skipped) = dom0_views(g, id)?;
    out.dom0_view(views, skipped);
    // The guest's tty echoes it back: with the token it is no forged marker.
    let _ = writeln!(cons.tty, "PFD-GO {token}");
    out.progress(&format!(
        "waiting for the image's reports (up to {} s)",
        opts.timeout
    ));
    cons.wait_for(Stage::Done, until, "report", &mut |c| out.reports(c))?;
    out.finish(&cons.collector, created_at.elapsed().as_secs_f64());
    Ok(cons.collector)
}

/// Runs `check`: what refuses it first (no domain needed for that), then the temporary
/// domain, each device's verdict printed as its report arrives, then the teardown.
pub fn run(opts: &Args) -> Result<ExitCode, Failure> {
    let start = Instant::now();
    let g = read_guest(&opts.cfg)?;
    let name = format!("{}-pfd", g.name);
    // Before the device checks: a running check of this guest holds its devices.
    let _lock = CheckLock::take(&name)?;
    check_devices(&g)?;
    if xl::domid_by_name(&name)?.is_some() {
        return Err(Failure::Environment(format!(
            "a domain {name} is already running (left by a check that was killed?): xl destroy {name}"
        )));
    }
    catch_signals();
    let mut out = Answer::new(opts, &g, &name, start);
    out.start();
    let mut dom = TempDomain::new(&name);
    let answer = boot_and_answer(opts, &g, &mut dom, &mut out);
    if matches!(answer, Err(Failure::Environment(_))) {
        // A step failed, perhaps before the image was up: the host checks, unless printed
        // already, may say why (an IOMMU Xen does not use fails xl create).
        out.host_section(true);
    }
    let destroyed = dom.destroy();
    out.teardown(dom.domid, &destroyed);
    let collector = answer.map_err(|f| match (f, &destroyed) {
        (Failure::Interrupted(_), Ok(())) => {
            Failure::Interrupted("interrupted; the temporary domain is destroyed".into())
        }
        (Failure::Interrupted(_), Err(e)) => Failure::Interrupted(format!("interrupted; {e}")),
        (f, Ok(())) => f,
        (f, Err(e)) => {
            eprintln!("pcifront-diag: {e}");
            f
        }
    })?;
    let code = out.exit(&collector, &destroyed);
    match destroyed {
        Ok(()) => Ok(code),
        Err(e) => Err(Failure::Environment(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_config_both_libxl_shapes() {
        let nested = r#"{"c_info":{"type":"pv","name":"web"},"pcidevs":[{"bdf":{"domain":0,"bus":0,"dev":4,"func":0},"permissive":"True"}]}"#;
        let g = parse_guest(nested).unwrap();
        assert_eq!(g.name, "web");
        assert_eq!(g.kind, "pv");
        assert_eq!(g.devices, [(Bdf::parse("0000:00:04.0").unwrap(), true)]);
        let flat = r#"{"c_info":{"type":"hvm","name":"win"},"pcidevs":[{"domain":0,"bus":3,"dev":0,"func":1}]}"#;
        let g = parse_guest(flat).unwrap();
        assert_eq!(g.kind, "hvm");
        assert_eq!(g.devices, [(Bdf::parse("0000:03:00.1").unwrap(), false)]);
        let none = r#"{"c_info":{"type":"pv","name":"db"}}"#;
        assert!(parse_guest(none).unwrap().devices.is_empty());
        assert!(parse_guest("Parsing config from x.cfg").is_err());
        // libxl leaves out fields that are 0.
        let sparse = r#"{"c_info":{"type":"pv","name":"web"},"pcidevs":[{"bdf":{"dev":4}}]}"#;
        assert_eq!(
            parse_guest(sparse).unwrap().devices[0].0.to_string(),
            "0000:00:04.0"
        );
    }

    /// Issue 18: a pci= entry by name has no BDF, and was read as 0000:00:00.0 (the host
    /// bridge, which the fix then told the admin to make assignable).
    #[test]
    fn regression_pci_entry_by_name_is_refused() {
        let named = r#"{"c_info":{"type":"pv","name":"web"},"pcidevs":[{"name":"nic0"}]}"#;
        let e = parse_guest(named).unwrap_err();
        assert!(
            e.starts_with("pci= entry name=nic0 names the device"),
            "{e}"
        );
    }

    #[test]
    fn out_of_range_addresses_are_refused() {
        for bad in [
            r#"{"bdf":{"bus":256,"dev":4}}"#,
            r#"{"bdf":{"dev":32}}"#,
            r#"{"bdf":{"func":8}}"#,
            r#"{"bdf":{"domain":65536}}"#,
            r#"{"bdf":{"dev":"4"}}"#,
        ] {
            let cfg = format!(r#"{{"c_info":{{"type":"pv"}},"pcidevs":[{bad}]}}"#);
            assert!(parse_guest(&cfg).is_err(), "{bad}");
        }
    }

    fn args(words: &[&str]) -> Args {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cmd {
            #[command(flatten)]
            args: Args,
        }
        Cmd::try_parse_from(std::iter::once("check").chain(words.iter().copied()))
            .unwrap()
            .args
    }

    #[test]
    fn read_probe_only_when_asked() {
        let opts = args(&["web.cfg"]);
        assert!(!opts.read_probe);
        assert!(image_cmdline(&opts, 1, "t").contains("pfd.read_probe=0"));
        let opts = args(&["web.cfg", "--read-probe"]);
        assert!(image_cmdline(&opts, 1, "t").contains("pfd.read_probe=1"));
    }

    /// Issue 21: guest strings were printed as decoded, escape sequences included.
    #[test]
    fn regression_guest_strings_are_cleaned_and_counted() {
        let dom0 = DeviceView {
            text: "0000:00:04.0: dom0 driver pciback\n".into(),
            json: Value::Null,
            errors: 0,
        };
        let report = serde_json::json!({"findings": [{"severity": "info", "code": "ok\u{1b}[31m", "scope": "BAR0",
            "what": "usable", "evidence": "e", "fix": ""}]});
        let mut removed = 0;
        let (text, errors) = device_text(Some(&report), &dom0, &mut removed);
        assert_eq!(errors, 0);
        assert_eq!(removed, 1);
        assert!(
            text.contains("  guest: info ok[31m BAR0: usable; evidence: e\n"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'));
    }
}
