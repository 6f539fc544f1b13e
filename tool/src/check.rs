// SPDX-License-Identifier: GPL-2.0
//! `pcifront-diag check <guest.cfg>`: the guest's own passthrough settings, run in a
//! throwaway PV domain `<guest>-pfd` that boots the diagnostic image (`make image`), whose
//! pcifront_diag reports come back over its console; dom0's view of the same domain is
//! taken while it waits, and both are printed per device. The domain is destroyed by id on
//! every path this command controls (a guard's `Drop`, also after SIGINT/SIGTERM/SIGHUP),
//! and the absence is checked; after SIGKILL it stays until the image's own wait ends.
//!
//! What comes back over the console is the guest's word: see console.rs.

use crate::console::{self, clean, Collector, Line, Stage};
use crate::temp_domain::{domid_of, random_hex, random_uuid, CheckLock, TempDomain};
use crate::view::{device_view, DeviceView};
use crate::xl::{self, assigned, ranges_of, xl};
use crate::{sysfs, Failure};
use pcifront_diag_core::diag::line::FindingLine;
use pcifront_diag_core::diag::report::Bdf;
use serde_json::{json, Value};
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

/// The running domain that holds `bdf`, if any.
fn holder(bdf: &Bdf) -> Result<Option<String>, Failure> {
    for name in xl::guests()? {
        if assigned(&name).unwrap_or_default().contains(bdf) {
            return Ok(Some(name));
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
    dom.domid = Some(domid_of(&dom.name)?);
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
    /// passes, the console ends or a signal comes.
    fn wait_for(&mut self, stage: Stage, until: (Instant, u64), what: &str) -> Result<(), Failure> {
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
                Ok(Some(line)) => self.collector.feed(&line),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
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

/// The pty of domain `id`'s console, from xenstore.
fn console_tty(id: u32) -> Result<String, Failure> {
    let node = format!("/local/domain/{id}/console/tty");
    for _ in 0..50 {
        match xl::run_program("xenstore-read", &[&node], xl::Stage::Xenstore) {
            Ok(out) if !out.trim().is_empty() => return Ok(out.trim().to_string()),
            // Not written yet: xenconsoled writes it once it has made the pty.
            Ok(_) | Err(xl::XlError::Failed { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(Failure::Environment(format!(
        "xenstore has no console for d{id} ({node})"
    )))
}

/// `xl pci-attach` of every device, once the image says it is up. Never `permissive=1`:
/// pciback has no way to take it back, so it would outlive the check (see `notes`).
fn attach(
    g: &Guest,
    dom: &TempDomain,
    cons: &mut Console,
    until: (Instant, u64),
) -> Result<(), Failure> {
    cons.wait_for(Stage::Up, until, "start")?;
    for (bdf, _) in &g.devices {
        xl::run(
            &["pci-attach", &dom.name, &bdf.to_string()],
            xl::Stage::Attach,
        )?;
    }
    Ok(())
}

/// Lines about what the check does differently from the guest's config.
fn notes(g: &Guest) -> Vec<String> {
    g.devices
        .iter()
        .filter(|(_, permissive)| *permissive)
        .map(|(bdf, _)| format!("note: the config asks permissive=1 for {bdf}; check attaches it without (pciback keeps permissive set until the device leaves it), so the image's config-space writes are filtered as by default"))
        .collect()
}

/// A progress line on stderr: long work shows where it is.
fn progress(t0: Instant, what: &str) {
    eprintln!("pcifront-diag: {:.1} s: {what}", t0.elapsed().as_secs_f64());
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

/// What one run of the temporary domain gave: dom0's view and the console's collector.
struct Outcome {
    dom0: Vec<DeviceView>,
    skipped: usize,
    collector: Collector,
    done_s: f64,
}

/// Creates, attaches, reads dom0's view, lets the image report.
fn boot_and_collect(
    opts: &Args,
    g: &Guest,
    dom: &mut TempDomain,
    t0: Instant,
) -> Result<Outcome, Failure> {
    let dir = image_dir()?;
    let token = random_hex(16)?;
    create(opts, g, &dir, dom, &token)?;
    let id = dom.domid.unwrap_or_default();
    let mut cons = Console::open(id, &token)?;
    progress(
        t0,
        &format!(
            "{} created (d{id}), attaching the devices when its image is up",
            dom.name
        ),
    );
    let until = (t0 + Duration::from_secs(opts.timeout), opts.timeout);
    attach(g, dom, &mut cons, until)?;
    progress(t0, "devices attached, reading Xen's view of the domain");
    let ranges = ranges_of(id)?;
    let dom0 = g
        .devices
        .iter()
        .map(|(bdf, _)| sysfs::device(Path::new("/sys"), bdf).map(|d| device_view(&d, &ranges)))
        .collect::<Result<_, _>>()
        .map_err(Failure::Environment)?;
    // The guest's tty echoes it back: with the token it is no forged marker.
    let _ = writeln!(cons.tty, "PFD-GO {token}");
    progress(
        t0,
        &format!("waiting for the image's reports (up to {} s)", opts.timeout),
    );
    cons.wait_for(Stage::Done, until, "report")?;
    Ok(Outcome {
        dom0,
        skipped: ranges.skipped,
        collector: cons.collector,
        done_s: t0.elapsed().as_secs_f64(),
    })
}

/// Runs `check` and prints the merged report.
pub fn run(opts: &Args) -> Result<ExitCode, Failure> {
    let g = read_guest(&opts.cfg)?;
    let name = format!("{}-pfd", g.name);
    // Before the device checks: a running check of this guest holds its devices.
    let _lock = CheckLock::take(&name)?;
    check_devices(&g)?;
    if xl::exists(&name)? {
        return Err(Failure::Environment(format!(
            "a domain {name} is already running (left by a check that was killed?): xl destroy {name}"
        )));
    }
    catch_signals();
    let t0 = Instant::now();
    let mut dom = TempDomain::new(&name);
    let outcome = boot_and_collect(opts, &g, &mut dom, t0);
    let destroyed = dom.destroy();
    let outcome = outcome.map_err(|f| match (f, &destroyed) {
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
    let code = print_result(opts, &g, &name, &outcome, &destroyed);
    match destroyed {
        Ok(()) => Ok(code),
        Err(e) => Err(Failure::Environment(e)),
    }
}

/// A guest-reported string of a finding, cleaned for the terminal; counts what was removed.
fn field(f: &Value, key: &str, removed: &mut usize) -> String {
    let (text, n) = clean(f[key].as_str().unwrap_or(""));
    *removed += n;
    text
}

/// The merged result of one device: dom0's lines, the module's findings, and the errors.
pub(crate) fn device_text(
    guest: Option<&Value>,
    dom0: &DeviceView,
    removed: &mut usize,
) -> (String, usize) {
    let mut text = dom0.text.replace("\n  ", "\n  dom0:  ");
    let mut errors = dom0.errors;
    let Some(g) = guest else {
        text.push_str("  guest: no usable report from the image for this device\n");
        return (text, errors + 1);
    };
    let findings = g["findings"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    for f in findings
        .iter()
        .take(2 * pcifront_diag_core::diag::checks::MAX_FINDINGS)
    {
        let s = |k: &str, removed: &mut usize| field(f, k, removed);
        let severity = s("severity", removed);
        errors += usize::from(severity == "error");
        let fix = s("fix", removed);
        let line = FindingLine {
            severity: &severity,
            code: &s("code", removed),
            scope: &s("scope", removed),
            what: &s("what", removed),
            evidence: &s("evidence", removed),
            fix: (!fix.is_empty()).then_some(&fix as &dyn std::fmt::Display),
        };
        text.push_str(&format!("  guest: {line}\n"));
    }
    (text, errors)
}

/// The guest side's problems: what its console showed that the image would not write.
pub(crate) fn anomaly_lines(c: &Collector, removed: usize) -> Vec<String> {
    let a = &c.anomalies;
    let mut out = Vec::new();
    let mut say = |n: usize, what: &str| {
        if n > 0 {
            out.push(format!("guest-side problem: {n} {what}"));
        }
    };
    say(
        a.forged_markers,
        "console line(s) looked like the image's markers without this run's token: ignored",
    );
    say(a.long_lines, "console line(s) longer than the limit: cut");
    say(
        a.lossy_lines,
        "console line(s) with bytes that are not UTF-8: replaced",
    );
    say(removed, "control character(s) in the report: removed");
    say(
        a.oversized_reports,
        "report(s) over the size limit: dropped",
    );
    for why in &a.malformed_reports {
        out.push(format!("guest-side problem: {}", clean(why).0));
    }
    for bdf in &a.duplicate_reports {
        out.push(format!(
            "guest-side problem: more than one report for {bdf}: none of them is taken"
        ));
    }
    out
}

fn print_result(
    opts: &Args,
    g: &Guest,
    name: &str,
    o: &Outcome,
    destroyed: &Result<(), String>,
) -> ExitCode {
    let workflow = match opts.workflow() {
        Workflow::Create => "create: as with pci= at xl create, e820_host on (xl forces it then)",
        Workflow::Hotplug => {
            "hot-plug: created without devices, then xl pci-attach, e820_host as configured"
        }
    };
    let mut errors = 0;
    let mut removed = 0;
    let mut text = format!(
        "pcifront-diag check {} in temporary domain {name}, workflow {workflow}\n",
        opts.cfg
    );
    text.push_str("guest: lines are the temporary domain's report as it sent it (its devices can influence it); dom0: lines are dom0's own\n");
    for note in notes(g) {
        text.push_str(&format!("{note}\n"));
    }
    if o.skipped > 0 {
        text.push_str(&format!("warning: {} item(s) of Xen's rangeset dump of {name} did not read (interleaved console output) and were skipped\n", o.skipped));
    }
    let mut devs = Vec::new();
    for ((bdf, _), d) in g.devices.iter().zip(&o.dom0) {
        let guest = o
            .collector
            .reports
            .iter()
            .find(|(b, _)| b == bdf)
            .map(|(_, v)| v);
        let (t, e) = device_text(guest, d, &mut removed);
        text.push_str(&t);
        errors += e;
        devs.push(json!({"dom0_device": bdf.to_string(), "guest": guest, "dom0": d.json}));
    }
    for e in &o.collector.image_errors {
        errors += 1;
        text.push_str(&format!("image: {e}\n"));
    }
    let problems = anomaly_lines(&o.collector, removed);
    for p in &problems {
        text.push_str(&format!("{p}\n"));
    }
    let teardown = match destroyed {
        Ok(()) => format!("{name} destroyed"),
        Err(e) => format!("{name} NOT destroyed: {e}"),
    };
    text.push_str(&format!(
        "summary: {errors} error(s); xl create to the last report {:.1} s; {teardown}\n",
        o.done_s
    ));
    if opts.json {
        let doc = json!({"schema_version": crate::SCHEMA_VERSION, "version": crate::VERSION, "config": opts.cfg, "domain": name,
            "workflow": match opts.workflow() { Workflow::Create => "create", Workflow::Hotplug => "hotplug" },
            "read_probe": opts.read_probe, "devices": devs, "errors": errors,
            "image_errors": o.collector.image_errors, "guest_side_problems": problems,
            "rangeset_items_skipped": o.skipped,
            "seconds_to_last_report": o.done_s, "destroyed": destroyed.is_ok()});
        println!("{doc}");
    } else {
        print!("{text}");
    }
    ExitCode::from(if errors > 0 { 1 } else { 0 })
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
        let report = json!({"findings": [{"severity": "info", "code": "ok\u{1b}[31m", "scope": "BAR0",
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
