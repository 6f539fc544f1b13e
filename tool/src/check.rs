// SPDX-License-Identifier: GPL-2.0
//! `pcifront-diag check <guest.cfg>`: the guest's own passthrough settings, run in a
//! throwaway PV domain `<guest>-pfd` that boots the diagnostic image (`make image`), whose
//! pcifront_diag reports come back over its console; dom0's view of the same domain is
//! taken while it waits, and both are merged per device. The domain is destroyed whatever
//! happens: a guard's `Drop`, also after SIGINT/SIGTERM/SIGHUP, and the absence is checked.

use crate::view::{device_view, DeviceView};
use crate::xl::{assigned, domid, ranges_of, xl};
use crate::{sysfs, Failure};
use pcifront_diag_core::diag::line::FindingLine;
use pcifront_diag_core::diag::report::Bdf;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
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

/// The command line of `check`.
pub struct Options {
    /// The guest's xl.cfg.
    pub cfg: String,
    /// Which workflow to mirror.
    pub workflow: Workflow,
    /// Seconds to wait for the image's reports.
    pub timeout_s: u64,
    /// One JSON document instead of text.
    pub json: bool,
}

/// What `check` takes from the guest's configuration (as libxl parsed it).
#[derive(Debug, PartialEq, Eq)]
pub struct Guest {
    /// `c_info.name`.
    pub name: String,
    /// `c_info.type`: `pv`, `hvm`, `pvh`.
    pub kind: String,
    /// `pcidevs[]`: dom0 BDF and whether pciback lets the guest write config space freely.
    pub devices: Vec<(Bdf, bool)>,
}

fn truthy(v: &Value) -> bool {
    v.as_bool().unwrap_or(false) || v.as_str() == Some("True")
}

/// Reads `xl -N create`'s JSON (libxl's domain config).
pub fn parse_guest(text: &str) -> Result<Guest, String> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("xl -N create printed no JSON ({e})"))?;
    let info = &v["c_info"];
    let devices = v["pcidevs"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let devices = devices
        .iter()
        .map(|d| {
            // Xen 4.16+ nests the address in "bdf"; older libxl had it at the top.
            let a = if d["bdf"].is_object() { &d["bdf"] } else { d };
            let n = |k: &str| a[k].as_u64().unwrap_or(0);
            let bdf = Bdf {
                domain: n("domain") as u16,
                bus: n("bus") as u8,
                dev: n("dev") as u8,
                func: n("func") as u8,
            };
            (bdf, truthy(&d["permissive"]))
        })
        .collect();
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

/// The running domain that holds `bdf`, if any.
fn holder(bdf: &Bdf) -> Result<Option<String>, Failure> {
    let list = xl(&["list"])?;
    for name in list
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
    {
        if name == "Domain-0" {
            continue;
        }
        if assigned(name).unwrap_or_default().contains(bdf) {
            return Ok(Some(name.to_string()));
        }
    }
    Ok(None)
}

/// Every device can be given to a new domain, or a message that says why not.
fn check_devices(g: &Guest) -> Result<(), Failure> {
    let assignable = xl(&["pci-assignable-list"])?;
    for (bdf, _) in &g.devices {
        if let Some(dom) = holder(bdf)? {
            return Err(Failure::Environment(format!(
                "{bdf} is assigned to the running domain {dom}: shut {dom} down or xl pci-detach {dom} {bdf}, then check again"
            )));
        }
        if !assignable
            .lines()
            .any(|l| l.split_whitespace().next().and_then(Bdf::parse) == Some(*bdf))
        {
            return Err(Failure::Environment(format!(
                "{bdf} is not assignable (dom0's own driver holds it): xl pci-assignable-add {bdf} first; check changes no assignment itself"
            )));
        }
    }
    Ok(())
}

static STOP: AtomicBool = AtomicBool::new(false);

fn interrupted() -> Failure {
    Failure::Environment("interrupted; the temporary domain is destroyed".into())
}

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// SIGINT, SIGTERM and SIGHUP only set `STOP`: the main loop then destroys the domain.
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

/// The throwaway domain; destroyed on drop, and its absence checked.
struct TempDomain {
    name: String,
}

impl Drop for TempDomain {
    fn drop(&mut self) {
        let _ = Command::new("xl").args(["destroy", &self.name]).output();
        if xl(&["domid", &self.name]).is_ok() {
            eprintln!(
                "pcifront-diag: could not destroy {}: run xl destroy {}",
                self.name, self.name
            );
        }
    }
}

/// `xl create` with the guest's passthrough settings and the image instead of its system.
fn create(opts: &Options, g: &Guest, dir: &Path, name: &str) -> Result<TempDomain, Failure> {
    let n = g.devices.len();
    let mut args = vec![
        "create".to_string(),
        opts.cfg.clone(),
        format!("name=\"{name}\""),
        format!("kernel=\"{}\"", dir.join("vmlinuz").display()),
        format!("ramdisk=\"{}\"", dir.join("initrd").display()),
        format!(
            "cmdline=\"console=hvc0 loglevel=4 pfd.devices={n} pfd.wait={}\"",
            opts.timeout_s
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
    if opts.workflow == Workflow::Create {
        args.push("e820_host=1".into());
    }
    let guard = TempDomain {
        name: name.to_string(),
    };
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    xl(&refs)?;
    Ok(guard)
}

/// `xl pci-attach` of every device, once the image says it is up (pcifront registered).
fn attach(
    g: &Guest,
    name: &str,
    rx: &mpsc::Receiver<String>,
    t0: Instant,
    timeout: Duration,
) -> Result<(), Failure> {
    while !rx
        .recv_timeout(Duration::from_millis(200))
        .is_ok_and(|l| l.starts_with("PFD-IMAGE up"))
    {
        if STOP.load(Ordering::SeqCst) {
            return Err(interrupted());
        }
        if t0.elapsed() > timeout {
            return Err(Failure::Environment(format!(
                "the diagnostic image did not start within {} s in {name} (raise --timeout, or look at xl dmesg)",
                timeout.as_secs()
            )));
        }
    }
    for (bdf, permissive) in &g.devices {
        let spec = if *permissive {
            format!("{bdf},permissive=1")
        } else {
            bdf.to_string()
        };
        xl(&["pci-attach", name, &spec])?;
    }
    Ok(())
}

/// The console of domain `id`: the pty xenconsoled made for it (as `xl console` uses it,
/// raw), its lines on a channel, and the file to write a line to the guest.
fn console(id: u32) -> Result<(std::fs::File, mpsc::Receiver<String>), Failure> {
    let node = format!("/local/domain/{id}/console/tty");
    let mut tty = String::new();
    for _ in 0..50 {
        let out = Command::new("xenstore-read")
            .arg(&node)
            .output()
            .map_err(|e| {
                Failure::Environment(format!(
                    "cannot run xenstore-read ({e}): install xenstore-utils"
                ))
            })?;
        tty = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if out.status.success() && !tty.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&tty)
        .map_err(|e| Failure::Environment(format!("cannot open d{id}'s console {tty} ({e})")))?;
    let reader = file
        .try_clone()
        .map_err(|e| Failure::Environment(format!("{tty}: {e}")))?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines().map_while(Result::ok) {
            if tx.send(line.trim_end_matches('\r').to_string()).is_err() {
                break;
            }
        }
    });
    Ok((file, rx))
}

/// What came back from the image.
#[derive(Default)]
pub struct Reports {
    /// The module's JSON report of each device.
    pub devices: Vec<Value>,
    /// Seconds from `xl create` to the image's `PFD-DONE`, if it came.
    pub done_s: Option<f64>,
    /// Lines the image marked as errors.
    pub errors: Vec<String>,
}

/// Reads the console until `PFD-DONE`, the deadline or a signal.
fn collect(
    rx: &mpsc::Receiver<String>,
    t0: Instant,
    timeout: Duration,
) -> Result<Reports, Failure> {
    let mut r = Reports::default();
    let mut json: Option<String> = None;
    while t0.elapsed() < timeout {
        if STOP.load(Ordering::SeqCst) {
            return Err(interrupted());
        }
        let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        if line.starts_with("PFD-ERROR") {
            r.errors.push(line);
        } else if line.starts_with("PFD-REPORT-BEGIN") {
            json = Some(String::new());
        } else if line.starts_with("PFD-REPORT-END") {
            let text = json.take().unwrap_or_default();
            match serde_json::from_str(&text) {
                Ok(v) => r.devices.push(v),
                Err(e) => r
                    .errors
                    .push(format!("a report that is not JSON ({e}): {text}")),
            }
        } else if let Some(j) = json.as_mut() {
            j.push_str(&line);
        } else if line.starts_with("PFD-DONE") {
            r.done_s = Some(t0.elapsed().as_secs_f64());
            return Ok(r);
        }
    }
    Err(Failure::Environment(format!(
        "the diagnostic image did not report within {} s (raise --timeout, or look at xl dmesg)",
        timeout.as_secs()
    )))
}

/// The merged result of one device: the module's findings and dom0's lines.
fn device_text(guest: Option<&Value>, dom0: &DeviceView) -> (String, usize) {
    let mut text = dom0.text.replace("\n  ", "\n  dom0:  ");
    let mut errors = dom0.errors;
    let Some(g) = guest else {
        text.push_str("  guest: no report from the image for this device\n");
        return (text, errors + 1);
    };
    for f in g["findings"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
        if s("severity") == "error" {
            errors += 1;
        }
        let fix = s("fix");
        let line = FindingLine {
            severity: &s("severity"),
            code: &s("code"),
            scope: &s("scope"),
            what: &s("what"),
            evidence: &s("evidence"),
            fix: (!fix.is_empty()).then_some(&fix as &dyn std::fmt::Display),
        };
        text.push_str(&format!("  guest: {line}\n"));
    }
    (text, errors)
}

/// A progress line on stderr: long work shows where it is.
fn progress(t0: Instant, what: &str) {
    eprintln!("pcifront-diag: {:.1} s: {what}", t0.elapsed().as_secs_f64());
}

/// `check`'s options from the words after `check`.
pub fn parse(words: &[String]) -> Result<Options, Failure> {
    let mut opts = Options {
        cfg: String::new(),
        workflow: Workflow::Create,
        timeout_s: 120,
        json: false,
    };
    let mut it = words.iter().map(String::as_str);
    while let Some(w) = it.next() {
        match w {
            "--json" => opts.json = true,
            "--hotplug" => opts.workflow = Workflow::Hotplug,
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

/// Parses and runs `check`.
pub fn main(words: &[String]) -> Result<ExitCode, Failure> {
    run(&parse(words)?)
}

/// Runs `check` and prints the merged report.
pub fn run(opts: &Options) -> Result<ExitCode, Failure> {
    crate::xl::require_dom0()?;
    std::fs::File::open(&opts.cfg)
        .map_err(|e| Failure::BadInput(format!("cannot read {}: {e}", opts.cfg)))?;
    let parsed = xl(&["-N", "create", &opts.cfg]).map_err(|_| {
        Failure::BadInput(format!(
            "xl cannot parse {} (xl -N create {} says why)",
            opts.cfg, opts.cfg
        ))
    })?;
    let g = parse_guest(&parsed).map_err(Failure::Environment)?;
    if g.kind != "pv" {
        return Err(Failure::BadInput(format!(
            "{} is a {} guest: pcifront (and this check) is for PV guests; an HVM or PVH guest gets its devices through QEMU or vPCI (look at xl dmesg and the device model's log)",
            opts.cfg,
            g.kind.to_uppercase()
        )));
    }
    if g.devices.is_empty() {
        return Err(Failure::BadInput(format!(
            "{} passes no device through (no pci= entry): nothing to check",
            opts.cfg
        )));
    }
    check_devices(&g)?;
    let dir = image_dir()?;
    let name = format!("{}-pfd", g.name);
    if xl(&["domid", &name]).is_ok() {
        return Err(Failure::Environment(format!(
            "a domain {name} is already running (an earlier check?): xl destroy {name}"
        )));
    }
    catch_signals();
    let t0 = Instant::now();
    let guard = create(opts, &g, &dir, &name)?;
    let id = domid(&name)?;
    let (mut cons, rx) = console(id)?;
    progress(
        t0,
        &format!("{name} created (d{id}), attaching the devices when its image is up"),
    );
    attach(&g, &name, &rx, t0, Duration::from_secs(opts.timeout_s))?;
    progress(t0, "devices attached, reading Xen's view of the domain");
    let ranges = ranges_of(id)?;
    let dom0: Vec<DeviceView> = g
        .devices
        .iter()
        .map(|(bdf, _)| sysfs::device(Path::new("/sys"), bdf).map(|d| device_view(&d, &ranges)))
        .collect::<Result<_, _>>()
        .map_err(Failure::Environment)?;
    let _ = writeln!(cons, "PFD-GO");
    progress(
        t0,
        &format!(
            "waiting for the image's reports (up to {} s)",
            opts.timeout_s
        ),
    );
    let reports = collect(&rx, t0, Duration::from_secs(opts.timeout_s));
    drop(cons);
    drop(guard);
    print_result(opts, &g, &name, &dom0, &reports?)
}

fn print_result(
    opts: &Options,
    g: &Guest,
    name: &str,
    dom0: &[DeviceView],
    r: &Reports,
) -> Result<ExitCode, Failure> {
    let workflow = match opts.workflow {
        Workflow::Create => "create: as with pci= at xl create, e820_host on (xl forces it then)",
        Workflow::Hotplug => {
            "hot-plug: created without devices, then xl pci-attach, e820_host as configured"
        }
    };
    let mut errors = r.errors.len();
    let mut text = format!(
        "pcifront-diag check {} in temporary domain {name}, workflow {workflow}\n",
        opts.cfg
    );
    let mut devs = Vec::new();
    for ((bdf, _), d) in g.devices.iter().zip(dom0) {
        let guest = r
            .devices
            .iter()
            .find(|v| v["dom0_device"].as_str().and_then(Bdf::parse) == Some(*bdf));
        let (t, e) = device_text(guest, d);
        text.push_str(&t);
        errors += e;
        devs.push(json!({"dom0_device": bdf.to_string(), "guest": guest, "dom0": d.json}));
    }
    for e in &r.errors {
        text.push_str(&format!("image: {e}\n"));
    }
    let boot = r.done_s.map_or("?".to_string(), |s| format!("{s:.1}"));
    text.push_str(&format!(
        "summary: {errors} error(s); xl create to the last report {boot} s; {name} destroyed\n"
    ));
    if opts.json {
        let doc = json!({"config": opts.cfg, "domain": name, "workflow": opts.workflow == Workflow::Create, "devices": devs, "errors": errors, "seconds_to_last_report": r.done_s});
        println!("{doc}");
    } else {
        print!("{text}");
    }
    Ok(ExitCode::from(if errors > 0 { 1 } else { 0 }))
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
    }
}
