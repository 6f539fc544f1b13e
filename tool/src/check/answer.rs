// SPDX-License-Identifier: GPL-2.0
//! What `check` prints, in the order the admin needs it: the host checks, then each
//! device's verdict as soon as its report arrives, the summary, and only then the
//! teardown, said on the last line (pciback's resets make destroying the domain take
//! longer than the answer). With `--json`, one document at the end instead. Progress on
//! stderr carries the seconds since the command started, "answer printed" and
//! "destroyed" among them.

use super::{notes, Args, Guest, Workflow};
use crate::console::{clean, Collector};
use crate::host::{self, Section};
use crate::view::DeviceView;
use pcifront_diag_core::diag::line::FindingLine;
use pcifront_diag_core::diag::report::Bdf;
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;
use std::thread::JoinHandle;
use std::time::Instant;

/// The host checks running beside the temporary domain's creation, and their cost.
type HostRun = JoinHandle<(Section, f64)>;

/// The answer as it is printed.
pub(super) struct Answer<'a> {
    sink: Box<dyn Write + 'a>,
    opts: &'a Args,
    g: &'a Guest,
    name: &'a str,
    start: Instant,
    host: Option<HostRun>,
    host_counts: Option<(usize, usize)>,
    dom0: Vec<DeviceView>,
    skipped: usize,
    printed: Vec<Bdf>,
    removed: usize,
    errors: usize,
    done_s: f64,
}

impl<'a> Answer<'a> {
    pub(super) fn new(opts: &'a Args, g: &'a Guest, name: &'a str, start: Instant) -> Self {
        Answer {
            sink: Box::new(std::io::stdout()),
            opts,
            g,
            name,
            start,
            host: None,
            host_counts: None,
            dom0: Vec::new(),
            skipped: 0,
            printed: Vec::new(),
            removed: 0,
            errors: 0,
            done_s: 0.0,
        }
    }

    /// A progress line on stderr, with the seconds since the command started.
    pub(super) fn progress(&self, what: &str) {
        eprintln!(
            "pcifront-diag: {:.1} s: {what}",
            self.start.elapsed().as_secs_f64()
        );
    }

    /// Text goes out at once (and nothing in JSON mode, which prints one document).
    fn say(&mut self, text: &str) {
        if !self.opts.json {
            let _ = self.sink.write_all(text.as_bytes());
            let _ = self.sink.flush();
        }
    }

    /// The first line, and the host checks of every device started beside it: they take
    /// `xl` calls (seconds), which then overlap the domain's creation and boot.
    pub(super) fn start(&mut self) {
        let workflow = match self.opts.workflow() {
            Workflow::Create => {
                "create: as with pci= at xl create, e820_host on (xl forces it then)"
            }
            Workflow::Hotplug => {
                "hot-plug: created without devices, then xl pci-attach, e820_host as configured"
            }
        };
        self.say(&format!(
            "pcifront-diag check {} in temporary domain {}, workflow {workflow}\n",
            self.opts.cfg, self.name
        ));
        if self.opts.json {
            return;
        }
        let bdfs: Vec<String> = self.g.devices.iter().map(|(b, _)| b.to_string()).collect();
        self.host = Some(std::thread::spawn(move || {
            let t = Instant::now();
            (host::section(&bdfs), t.elapsed().as_secs_f64())
        }));
    }

    /// Prints the host checks once they are done; `wait` joins them (before the devices
    /// are attached, so what they read is the host before the check changed it).
    pub(super) fn host_section(&mut self, wait: bool) {
        if !self.host.as_ref().is_some_and(|h| wait || h.is_finished()) {
            return;
        }
        let Some(run) = self.host.take() else {
            return;
        };
        let (section, cost) = run.join().unwrap_or_else(|_| {
            let text = "host: the host checks stopped (a thread panicked)\n".to_string();
            (
                Section {
                    text,
                    ..Section::default()
                },
                0.0,
            )
        });
        self.say(&section.text);
        self.host_counts = Some((section.fails, section.warns));
        self.progress(&format!(
            "host checks printed ({cost:.1} s, beside xl create)"
        ));
    }

    /// dom0's view of each device, read once the devices are attached, and what it
    /// changes in the lines that follow.
    pub(super) fn dom0_view(&mut self, dom0: Vec<DeviceView>, skipped: usize) {
        self.dom0 = dom0;
        self.skipped = skipped;
        let mut text = "guest: lines are the temporary domain's report as it sent it (its devices can influence it); dom0: lines are dom0's own\n".to_string();
        for note in notes(self.g) {
            text.push_str(&format!("{note}\n"));
        }
        if skipped > 0 {
            text.push_str(&format!("warning: {skipped} item(s) of Xen's rangeset dump of {} did not read (interleaved console output) and were skipped\n", self.name));
        }
        self.say(&text);
    }

    /// Prints the verdict of each device whose report has arrived and is not printed yet.
    pub(super) fn reports(&mut self, c: &Collector) {
        for (i, (bdf, _)) in self.g.devices.iter().enumerate() {
            let (Some(report), Some(d)) = (report_of(c, bdf), self.dom0.get(i)) else {
                continue;
            };
            if self.printed.contains(bdf) {
                continue;
            }
            self.printed.push(*bdf);
            let (text, _) = device_text(Some(report), d, &mut self.removed);
            self.say(&text);
            self.progress(&format!("report of {bdf} received"));
        }
    }

    /// Everything after the last report: devices without one, reports withdrawn for a
    /// second one, the image's errors, the guest side's problems, the summary.
    pub(super) fn finish(&mut self, c: &Collector, done_s: f64) {
        self.done_s = done_s;
        let mut text = String::new();
        let mut errors = c.image_errors.len();
        let mut scratch = 0;
        for ((bdf, _), d) in self.g.devices.iter().zip(&self.dom0) {
            let report = report_of(c, bdf);
            errors += device_text(report, d, &mut scratch).1;
            if report.is_some() {
                continue;
            }
            if self.printed.contains(bdf) {
                text.push_str(&format!("{bdf}: the report printed above does not count: the image sent more than one for this device\n"));
            } else {
                text.push_str(&device_text(None, d, &mut self.removed).0);
            }
        }
        for e in &c.image_errors {
            text.push_str(&format!("image: {e}\n"));
        }
        for p in anomaly_lines(c, self.removed) {
            text.push_str(&format!("{p}\n"));
        }
        let host = self
            .host_counts
            .map(|(fails, warns)| format!("host checks {fails} FAIL, {warns} WARN; "))
            .unwrap_or_default();
        text.push_str(&format!(
            "summary: {errors} error(s); {host}xl create to the last report {done_s:.1} s; destroying {}\n",
            self.name
        ));
        self.errors = errors;
        self.say(&text);
        let what = if self.opts.json {
            "answer ready (the JSON document follows the teardown)"
        } else {
            "answer printed"
        };
        self.progress(&format!(
            "{what} (xl create to the last report {done_s:.1} s)"
        ));
    }

    /// The last line: the temporary domain is gone, or what to run to make it so.
    pub(super) fn teardown(&mut self, domid: Option<u32>, destroyed: &Result<(), String>) {
        let line = match (destroyed, domid) {
            (Ok(()), Some(id)) => format!("{} (d{id}) destroyed", self.name),
            (Ok(()), None) => format!("no {} left (xl create did not finish)", self.name),
            (Err(e), _) => format!("{} NOT destroyed: {e}", self.name),
        };
        self.say(&format!("{line}\n"));
        self.progress(match destroyed {
            Ok(()) => "destroyed",
            Err(_) => "NOT destroyed",
        });
    }

    /// The exit code of the findings: 0 none is an error, 1 some are. In JSON mode the
    /// one document goes out here, after the teardown it reports on.
    pub(super) fn exit(&self, c: &Collector, destroyed: &Result<(), String>) -> ExitCode {
        if self.opts.json {
            println!("{}", self.document(c, destroyed));
        }
        ExitCode::from(if self.errors > 0 { 1 } else { 0 })
    }

    /// Control characters the devices' final reports hold, as their text would lose them.
    fn removed_in_reports(&self, c: &Collector) -> usize {
        let mut removed = 0;
        for ((bdf, _), d) in self.g.devices.iter().zip(&self.dom0) {
            device_text(report_of(c, bdf), d, &mut removed);
        }
        removed
    }

    fn document(&self, c: &Collector, destroyed: &Result<(), String>) -> Value {
        let opts = self.opts;
        let devs: Vec<Value> = self
            .g
            .devices
            .iter()
            .zip(&self.dom0)
            .map(|((bdf, _), d)| {
                json!({"dom0_device": bdf.to_string(), "guest": report_of(c, bdf), "dom0": d.json})
            })
            .collect();
        let problems = anomaly_lines(c, self.removed_in_reports(c));
        json!({"schema_version": crate::SCHEMA_VERSION, "version": crate::VERSION, "config": opts.cfg, "domain": self.name,
            "workflow": match opts.workflow() { Workflow::Create => "create", Workflow::Hotplug => "hotplug" },
            "read_probe": opts.read_probe, "devices": devs, "errors": self.errors,
            "image_errors": c.image_errors, "guest_side_problems": problems,
            "rangeset_items_skipped": self.skipped,
            "seconds_to_last_report": self.done_s, "destroyed": destroyed.is_ok()})
    }
}

/// The report the collector took for `bdf`.
fn report_of<'c>(c: &'c Collector, bdf: &Bdf) -> Option<&'c Value> {
    c.reports.iter().find(|(b, _)| b == bdf).map(|(_, v)| v)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::tests::{image_lines, REPORT, TOKEN};
    use crate::console::{read_line, MAX_LINE};
    use std::cell::RefCell;
    use std::rc::Rc;

    /// What the answer wrote, shared with the test.
    #[derive(Clone, Default)]
    struct Sink(Rc<RefCell<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Sink {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.borrow()).into_owned()
        }
    }

    fn opts() -> Args {
        Args {
            cfg: "/tmp/web.cfg".into(),
            hotplug: false,
            read_probe: false,
            timeout: 120,
            json: false,
        }
    }

    fn guest() -> Guest {
        Guest {
            name: "web".into(),
            kind: "pv".into(),
            devices: vec![(Bdf::parse("0000:00:04.0").unwrap(), false)],
        }
    }

    fn view() -> DeviceView {
        DeviceView {
            text: "0000:00:04.0: dom0 driver pciback\n  ok BAR0\n".into(),
            json: Value::Null,
            errors: 0,
        }
    }

    /// Feeds `input` to `c` line by line, letting the answer look after each, as the
    /// console loop does.
    fn feed(c: &mut Collector, a: &mut Answer, input: &str) {
        let mut r = std::io::BufReader::new(input.as_bytes());
        while let Some(line) = read_line(&mut r, MAX_LINE).unwrap() {
            c.feed(&line);
            a.reports(c);
        }
    }

    /// Issue 18: the verdict came only after the domain was destroyed. It is printed when
    /// the report ends, before the image is done, and the teardown is the last line.
    #[test]
    fn regression_verdict_before_teardown() {
        let (opts, g, sink) = (opts(), guest(), Sink::default());
        let mut a = Answer::new(&opts, &g, "web-pfd", Instant::now());
        a.sink = Box::new(sink.clone());
        a.dom0_view(vec![view()], 0);
        let mut c = Collector::new(TOKEN);
        c.attached(crate::console::tests::attached());
        let lines = image_lines(TOKEN, REPORT);
        let (before_done, done) = lines.split_at(lines.find("PFD-DONE").unwrap());
        feed(&mut c, &mut a, before_done);
        assert!(sink
            .text()
            .contains("  guest: info ok BAR0: usable; evidence: e\n"));
        assert!(!sink.text().contains("summary"));
        feed(&mut c, &mut a, done);
        a.finish(&c, 4.6);
        a.teardown(Some(3), &Ok(()));
        let text = sink.text();
        let verdict = text.find("0000:00:04.0: dom0 driver pciback").unwrap();
        let summary = text
            .find("summary: 0 error(s); xl create to the last report 4.6 s; destroying web-pfd\n")
            .unwrap();
        assert!(verdict < summary, "{text}");
        assert!(text.ends_with("\nweb-pfd (d3) destroyed\n"), "{text}");
        assert_eq!(text.matches("0000:00:04.0: dom0").count(), 1, "{text}");
        let mut a = Answer::new(&opts, &g, "web-pfd", Instant::now());
        a.sink = Box::new(sink.clone());
        a.teardown(
            Some(3),
            &Err("web-pfd (d3) is still there: run xl destroy 3".into()),
        );
        assert!(sink
            .text()
            .ends_with("\nweb-pfd NOT destroyed: web-pfd (d3) is still there: run xl destroy 3\n"));
    }

    /// A second report for a device printed already withdraws it: the summary counts the
    /// device as without a usable report.
    #[test]
    fn a_second_report_withdraws_the_printed_one() {
        let (opts, g, sink) = (opts(), guest(), Sink::default());
        let mut a = Answer::new(&opts, &g, "web-pfd", Instant::now());
        a.sink = Box::new(sink.clone());
        a.dom0_view(vec![view()], 0);
        let mut c = Collector::new(TOKEN);
        c.attached(crate::console::tests::attached());
        let twice = format!(
            "PFD-REPORT-BEGIN {TOKEN} x\n{REPORT}\nPFD-REPORT-END {TOKEN} x\n{}",
            image_lines(TOKEN, REPORT)
        );
        feed(&mut c, &mut a, &twice);
        a.finish(&c, 1.0);
        let text = sink.text();
        assert!(text.contains("0000:00:04.0: the report printed above does not count: the image sent more than one for this device\n"), "{text}");
        assert!(text.contains("guest-side problem: more than one report for 0000:00:04.0: none of them is taken\n"), "{text}");
        assert!(text.contains("summary: 1 error(s);"), "{text}");
        assert_eq!(a.errors, 1);
    }

    /// In JSON mode nothing is printed before the one document.
    #[test]
    fn json_mode_prints_no_text() {
        let (mut opts, g, sink) = (opts(), guest(), Sink::default());
        opts.json = true;
        let mut a = Answer::new(&opts, &g, "web-pfd", Instant::now());
        a.sink = Box::new(sink.clone());
        a.start();
        a.dom0_view(vec![view()], 0);
        let mut c = Collector::new(TOKEN);
        c.attached(crate::console::tests::attached());
        feed(&mut c, &mut a, &image_lines(TOKEN, REPORT));
        a.finish(&c, 1.0);
        a.teardown(Some(3), &Ok(()));
        assert!(sink.text().is_empty(), "{}", sink.text());
        assert!(a.host.is_none());
        let doc = a.document(&c, &Ok(()));
        assert_eq!(doc["errors"], 0);
        assert_eq!(doc["destroyed"], true);
        assert_eq!(doc["devices"][0]["guest"]["summary"]["verdict"], "OK");
    }
}
