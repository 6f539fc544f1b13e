// SPDX-License-Identifier: GPL-2.0
//! The temporary domain's console, read as untrusted input: the diagnostic image writes its
//! reports there, but so can the guest kernel on behalf of a device, and a compromised guest
//! at will. Lines are read with a size bound and decoded lossily; only lines that start with
//! a marker carrying this run's random token frame a report; a report is bounded in size,
//! must be one JSON object naming its device, and a second one for a device is a finding, not
//! a choice. Whatever the guest wrote is printed only through [`clean`].

use pcifront_diag_core::diag::report::Bdf;
use serde_json::Value;
use std::io::{self, BufRead};

/// Bytes kept of one console line; the rest of the line is dropped.
pub const MAX_LINE: usize = 8 * 1024;
/// Bytes of one report's JSON (the module's reports are a few KiB).
pub const MAX_REPORT: usize = 256 * 1024;
/// Image error lines kept.
pub const MAX_IMAGE_ERRORS: usize = 16;
/// Characters of one guest-reported string printed.
pub const MAX_FIELD: usize = 1024;

/// One console line, decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// The text, invalid UTF-8 replaced, without its line end, at most [`MAX_LINE`] bytes.
    pub text: String,
    /// The line was longer than [`MAX_LINE`] bytes.
    pub truncated: bool,
    /// It held bytes that are not UTF-8.
    pub lossy: bool,
}

/// Reads one line of at most `max` bytes from `r` (the rest of a longer line is read and
/// dropped); `None` at the end of input.
pub fn read_line(r: &mut impl BufRead, max: usize) -> io::Result<Option<Line>> {
    let mut raw = Vec::new();
    let mut truncated = false;
    let mut any = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], i + 1),
            None => (buf, buf.len()),
        };
        let room = max.saturating_sub(raw.len());
        truncated |= chunk.len() > room;
        raw.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let newline = done > chunk.len();
        r.consume(done);
        if newline {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    while raw.last() == Some(&b'\r') {
        raw.pop();
    }
    let text = String::from_utf8_lossy(&raw);
    let lossy = matches!(text, std::borrow::Cow::Owned(_));
    Ok(Some(Line {
        text: text.into_owned(),
        truncated,
        lossy,
    }))
}

/// Unicode's bidirectional overrides and isolates: they reorder what a terminal shows.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` fit for a terminal: control characters (escape sequences' ESC among them) and
/// bidi overrides removed, at most [`MAX_FIELD`] characters; and how many were removed.
pub fn clean(text: &str) -> (String, usize) {
    let mut removed = 0;
    let mut out = String::new();
    for c in text.chars() {
        if c.is_control() || is_bidi_control(c) {
            removed += 1;
        } else if out.len() < MAX_FIELD {
            out.push(c);
        }
    }
    if out.len() >= MAX_FIELD {
        out.push_str("...");
    }
    (out, removed)
}

/// Where the image is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Nothing from the image yet.
    #[default]
    Booting,
    /// Its init runs (`PFD-IMAGE`).
    Up,
    /// It has sent everything (`PFD-DONE`).
    Done,
}

/// What the console showed that the image would not have written: each a finding about the
/// guest side, none of them dom0's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Anomalies {
    /// Lines that start like a marker but lack this run's token.
    pub forged_markers: usize,
    /// Lines over [`MAX_LINE`] bytes.
    pub long_lines: usize,
    /// Lines with bytes that are not UTF-8.
    pub lossy_lines: usize,
    /// Reports over [`MAX_REPORT`] bytes, dropped.
    pub oversized_reports: usize,
    /// Reports that are not one JSON object naming a device, with why.
    pub malformed_reports: Vec<String>,
    /// Devices with more than one report: none of them is taken.
    pub duplicate_reports: Vec<Bdf>,
}

/// The report being read between its markers.
struct OpenReport {
    json: String,
    oversized: bool,
}

/// Reads the image's protocol out of the console lines, one line at a time.
pub struct Collector {
    token: String,
    /// Where the image is.
    pub stage: Stage,
    open: Option<OpenReport>,
    /// Each device's report, with dom0's BDF (from [`Collector::attached`], not the guest).
    pub reports: Vec<(Bdf, Value)>,
    /// The attached devices: the guest's address and dom0's, as pciback published them.
    devices: Vec<(Bdf, Bdf)>,
    /// Lines the image marked as errors, cleaned.
    pub image_errors: Vec<String>,
    /// What it should not have seen.
    pub anomalies: Anomalies,
}

impl Collector {
    /// A collector for the markers of the run with `token`.
    pub fn new(token: &str) -> Collector {
        Collector {
            token: token.to_string(),
            stage: Stage::Booting,
            open: None,
            reports: Vec::new(),
            devices: Vec::new(),
            image_errors: Vec::new(),
            anomalies: Anomalies::default(),
        }
    }

    /// The devices attached to the domain, `(guest BDF, dom0 BDF)`: a report is taken for
    /// the device at its guest address (the module looks dom0's BDF up only for a fix).
    pub fn attached(&mut self, devices: Vec<(Bdf, Bdf)>) {
        self.devices = devices;
    }

    /// The marker word of `text` (`IMAGE`, `REPORT-BEGIN`, ...) and what follows the token,
    /// if the line is a marker of this run; counts lines that only look like one.
    fn marker<'a>(&mut self, text: &'a str) -> Option<(&'a str, &'a str)> {
        let rest = text.strip_prefix("PFD-")?;
        let (word, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        let (token, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        if token != self.token {
            self.anomalies.forged_markers += 1;
            return None;
        }
        Some((word, rest))
    }

    /// Takes one console line.
    pub fn feed(&mut self, line: &Line) {
        self.anomalies.long_lines += usize::from(line.truncated);
        self.anomalies.lossy_lines += usize::from(line.lossy);
        if self.stage == Stage::Done {
            return;
        }
        match self.marker(&line.text) {
            Some(("IMAGE", _)) => self.stage = self.stage.max(Stage::Up),
            Some(("ERROR", what)) if self.image_errors.len() < MAX_IMAGE_ERRORS => {
                self.image_errors.push(clean(what).0);
            }
            Some(("REPORT-BEGIN", _)) => self.begin(),
            Some(("REPORT-END", _)) => self.end(),
            Some(("DONE", _)) => {
                self.close_unended();
                self.stage = Stage::Done;
            }
            Some(_) => {}
            None => self.append(&line.text),
        }
    }

    fn begin(&mut self) {
        self.close_unended();
        self.open = Some(OpenReport {
            json: String::new(),
            oversized: false,
        });
    }

    /// A report still open when another begins or the image is done never ended.
    fn close_unended(&mut self) {
        if self.open.take().is_some() {
            let why = "a report without its end marker".to_string();
            self.anomalies.malformed_reports.push(why);
        }
    }

    fn append(&mut self, text: &str) {
        let Some(open) = self.open.as_mut() else {
            return; // kernel messages and the image's other lines
        };
        if open.oversized || open.json.len() + text.len() + 1 > MAX_REPORT {
            open.oversized = true;
            open.json.clear();
            return;
        }
        open.json.push_str(text);
        open.json.push('\n');
    }

    fn end(&mut self) {
        let Some(open) = self.open.take() else {
            let why = "an end marker without a report".to_string();
            self.anomalies.malformed_reports.push(why);
            return;
        };
        if open.oversized {
            self.anomalies.oversized_reports += 1;
            return;
        }
        match parse_report(&open.json, &self.devices) {
            Ok((bdf, report)) => self.accept(bdf, report),
            Err(why) => self.anomalies.malformed_reports.push(why),
        }
    }

    /// A device's report; a second one for it makes neither count.
    fn accept(&mut self, bdf: Bdf, report: Value) {
        if self.anomalies.duplicate_reports.contains(&bdf) {
            return;
        }
        if let Some(i) = self.reports.iter().position(|(b, _)| *b == bdf) {
            self.reports.remove(i);
            self.anomalies.duplicate_reports.push(bdf);
            return;
        }
        self.reports.push((bdf, report));
    }
}

/// dom0's BDF of a report's device (its guest address `device`, through `devices`) and the
/// report, or why it is not one.
fn parse_report(json: &str, devices: &[(Bdf, Bdf)]) -> Result<(Bdf, Value), String> {
    let v: Value =
        serde_json::from_str(json).map_err(|e| format!("a report that is not JSON ({e})"))?;
    if !v.is_object() {
        return Err("a report that is not a JSON object".into());
    }
    let guest = v["device"]
        .as_str()
        .and_then(Bdf::parse)
        .ok_or("a report without a device BDF")?;
    let dom0 = devices
        .iter()
        .find(|(g, _)| *g == guest)
        .map(|(_, d)| *d)
        .ok_or_else(|| {
            format!("a report for {guest}, which is not a device attached to the domain")
        })?;
    Ok((dom0, v))
}

#[cfg(test)]
pub mod tests {
    use super::*;

    pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    /// The image's lines for one device, as image/init writes them.
    pub fn image_lines(token: &str, report: &str) -> String {
        format!(
            "PFD-IMAGE {token} up 1.2 s: waiting for 1 device(s)\n\
             PFD-READY {token} 1 device(s)\n\
             PFD-GO {token}\n\
             PFD-REPORT-BEGIN {token} 0000:00:00.0\n{report}\n\
             PFD-REPORT-END {token} 0000:00:00.0\n\
             PFD-DONE {token} 1 device(s) at 3.4 s\n"
        )
    }

    pub const REPORT: &str = r#"{"device":"0000:00:00.0","dom0_device":"0000:00:04.0","findings":[{"severity":"info","code":"ok","scope":"BAR0","what":"usable","evidence":"e","fix":""}],"summary":{"verdict":"OK"}}"#;

    /// Feeds `input` through [`read_line`] as the console thread does.
    pub fn collect(token: &str, input: &[u8]) -> Collector {
        let mut c = Collector::new(token);
        c.attached(attached());
        let mut r = io::BufReader::with_capacity(64, input);
        while let Some(line) = read_line(&mut r, MAX_LINE).unwrap() {
            c.feed(&line);
        }
        c
    }

    /// The report the collector took for `bdf`.
    fn report(c: &Collector, bdf: Bdf) -> Option<&Value> {
        c.reports.iter().find(|(b, _)| *b == bdf).map(|(_, v)| v)
    }

    /// The lab's check-healthy: edu at 00:00.0 in the guest, 00:04.0 in dom0.
    pub fn attached() -> Vec<(Bdf, Bdf)> {
        vec![(Bdf::parse("0000:00:00.0").unwrap(), dom0_bdf())]
    }

    fn dom0_bdf() -> Bdf {
        Bdf::parse("0000:00:04.0").unwrap()
    }

    /// Issue 16: the module names dom0's BDF only when a fix needs it; the report is taken
    /// for the device at its guest address, and one for a device not attached is refused.
    #[test]
    fn reports_matched_by_guest_address() {
        let without_dom0 =
            REPORT.replace(r#""dom0_device":"0000:00:04.0""#, r#""dom0_device":null"#);
        let c = collect(TOKEN, image_lines(TOKEN, &without_dom0).as_bytes());
        assert!(report(&c, dom0_bdf()).is_some());
        let elsewhere = REPORT.replace(r#""device":"0000:00:00.0""#, r#""device":"0000:00:07.0""#);
        let c = collect(TOKEN, image_lines(TOKEN, &elsewhere).as_bytes());
        assert!(c.reports.is_empty());
        assert_eq!(c.anomalies.malformed_reports.len(), 1);
    }

    #[test]
    fn the_image_protocol() {
        let c = collect(TOKEN, image_lines(TOKEN, REPORT).as_bytes());
        assert_eq!(c.stage, Stage::Done);
        assert!(report(&c, dom0_bdf()).is_some());
        assert_eq!(c.anomalies, Anomalies::default());
    }

    /// Issue 21: any line starting with a marker was taken, and the first report of a device
    /// won: a guest could replace the findings.
    #[test]
    fn regression_forged_report_without_token_is_ignored() {
        let forged = REPORT.replace("\"OK\"", "\"FORGED\"");
        let mut input = format!(
            "PFD-REPORT-BEGIN 0000:00:00.0\n{forged}\nPFD-REPORT-END 0000:00:00.0\nPFD-DONE\n"
        );
        input.push_str(&image_lines(TOKEN, REPORT));
        let c = collect(TOKEN, input.as_bytes());
        assert_eq!(report(&c, dom0_bdf()).unwrap()["summary"]["verdict"], "OK");
        assert_eq!(c.anomalies.forged_markers, 3);
        assert_eq!(c.stage, Stage::Done);
    }

    #[test]
    fn regression_duplicate_report_is_a_finding() {
        let mut input = format!("PFD-REPORT-BEGIN {TOKEN} x\n{REPORT}\nPFD-REPORT-END {TOKEN} x\n");
        input.push_str(&image_lines(TOKEN, REPORT));
        let c = collect(TOKEN, input.as_bytes());
        assert!(c.reports.is_empty());
        assert_eq!(c.anomalies.duplicate_reports, [dom0_bdf()]);
    }

    /// Issue 21: one non-UTF-8 byte ended the console reader, and collection then spun.
    #[test]
    fn regression_non_utf8_byte_is_read_lossily() {
        let mut input = b"junk \xff\xfe from a device\n".to_vec();
        input.extend_from_slice(image_lines(TOKEN, REPORT).as_bytes());
        let c = collect(TOKEN, &input);
        assert_eq!(c.anomalies.lossy_lines, 1);
        assert_eq!(c.stage, Stage::Done);
    }

    /// Issue 21: lines and the report had no size limit.
    #[test]
    fn regression_endless_line_and_huge_report_are_bounded() {
        let mut input = vec![b'x'; 3 * MAX_LINE];
        input.push(b'\n');
        input.extend_from_slice(format!("PFD-REPORT-BEGIN {TOKEN} x\n").as_bytes());
        for _ in 0..(MAX_REPORT / MAX_LINE + 2) {
            input.extend_from_slice(&[b'y'; MAX_LINE]);
            input.push(b'\n');
        }
        input.extend_from_slice(format!("PFD-REPORT-END {TOKEN} x\n").as_bytes());
        let c = collect(TOKEN, &input);
        assert_eq!(c.anomalies.long_lines, 1);
        assert_eq!(c.anomalies.oversized_reports, 1);
        assert!(c.reports.is_empty());
    }

    #[test]
    fn read_line_bounds_and_ends() {
        let mut r = io::BufReader::with_capacity(4, &b"abcdefgh\r\nij"[..]);
        let l = read_line(&mut r, 5).unwrap().unwrap();
        assert_eq!((l.text.as_str(), l.truncated), ("abcde", true));
        let l = read_line(&mut r, 5).unwrap().unwrap();
        assert_eq!((l.text.as_str(), l.truncated), ("ij", false));
        assert!(read_line(&mut r, 5).unwrap().is_none());
    }

    /// Issue 21: report strings were printed as decoded, escape sequences included.
    #[test]
    fn regression_escape_sequences_are_removed() {
        let (text, removed) = clean("ok\u{1b}[2J\u{1b}]0;owned\u{7}\u{202e}evil\r\n");
        assert_eq!(text, "ok[2J]0;ownedevil");
        assert_eq!(removed, 6);
        let (long, _) = clean(&"a".repeat(5 * MAX_FIELD));
        assert_eq!(long.len(), MAX_FIELD + 3);
    }

    #[test]
    fn malformed_reports_are_findings() {
        let input = format!(
            "PFD-REPORT-BEGIN {TOKEN} x\n[1, 2]\nPFD-REPORT-END {TOKEN} x\n\
             PFD-REPORT-BEGIN {TOKEN} x\n{{\"dom0_device\": \"zz\"}}\nPFD-REPORT-END {TOKEN} x\n\
             PFD-REPORT-END {TOKEN} x\nPFD-REPORT-BEGIN {TOKEN} x\nPFD-DONE {TOKEN}\n"
        );
        let c = collect(TOKEN, input.as_bytes());
        assert_eq!(c.anomalies.malformed_reports.len(), 4, "{:?}", c.anomalies);
        assert_eq!(c.stage, Stage::Done);
    }
}
