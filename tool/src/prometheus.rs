// SPDX-License-Identifier: GPL-2.0
//! Prometheus's text exposition format (0.0.4), the one node_exporter's textfile collector
//! reads: every metric family once, with its `# HELP` and `# TYPE` lines, its samples
//! together; label values escaped as the format says (domain names are an admin's input,
//! and whatever else lands in a label is escaped the same way). And the atomic write the
//! collector needs: it may read the file at any moment, so it must never see half of one.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// One metric family: its name, help text and samples, in the order they were added.
struct Family {
    name: &'static str,
    help: &'static str,
    /// Each sample's labels (already escaped and joined) and value.
    samples: Vec<(String, String)>,
}

/// Gauges gathered for one exposition.
#[derive(Default)]
pub struct Exposition {
    families: Vec<Family>,
}

impl Exposition {
    /// Adds a sample of the gauge `name` (declared by its first sample; later samples must
    /// give the same `help`). Each family's samples are written together, whatever the
    /// order they were added in, as the format requires.
    pub fn gauge(
        &mut self,
        name: &'static str,
        help: &'static str,
        labels: &[(&'static str, &str)],
        value: impl std::fmt::Display,
    ) {
        debug_assert!(is_name(name) && labels.iter().all(|(l, _)| is_name(l)));
        let i = match self.families.iter().position(|f| f.name == name) {
            Some(i) => i,
            None => {
                self.families.push(Family {
                    name,
                    help,
                    samples: Vec::new(),
                });
                self.families.len() - 1
            }
        };
        debug_assert_eq!(self.families[i].help, help, "{name}: two help texts");
        let mut set = String::new();
        for (n, (label, value)) in labels.iter().enumerate() {
            let sep = if n > 0 { "," } else { "" };
            let _ = write!(set, "{sep}{label}=\"{}\"", escape_label_value(value));
        }
        self.families[i].samples.push((set, value.to_string()));
    }

    /// The whole exposition, each family as `# HELP`, `# TYPE` and its samples.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for f in &self.families {
            let _ = writeln!(out, "# HELP {} {}", f.name, escape_help(f.help));
            let _ = writeln!(out, "# TYPE {} gauge", f.name);
            for (labels, value) in &f.samples {
                let _ = if labels.is_empty() {
                    writeln!(out, "{} {value}", f.name)
                } else {
                    writeln!(out, "{}{{{labels}}} {value}", f.name)
                };
            }
        }
        out
    }
}

/// A metric or label name as the format allows it (`[a-zA-Z_:][a-zA-Z0-9_:]*`; label names
/// without `:`, which this code never uses in either).
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A label value as the format writes it between double quotes: backslash, double quote and
/// line feed escaped (`\\`, `\"`, `\n`), everything else as it is.
pub fn escape_label_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A `# HELP` text: backslash and line feed escaped.
fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Seconds since the Unix epoch, with milliseconds, as a sample value.
pub fn unix_seconds(t: std::time::SystemTime) -> String {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("{}.{:03}", d.as_secs(), d.subsec_millis())
}

/// Writes `text` to `path` atomically: into a new file in the same directory (renaming
/// across file systems is not atomic), flushed to disk, readable by all whatever the umask
/// (node_exporter runs as its own user), then renamed over `path`. The temporary name does not end in `.prom`,
/// so the textfile collector never reads it.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "names no file"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| {
            f.set_permissions(std::fs::Permissions::from_mode(0o644))?;
            f.write_all(text.as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_escaped() {
        assert_eq!(escape_label_value(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape_label_value("web\n} 1\nx{"), r"web\n} 1\nx{");
        assert_eq!(escape_label_value("plain-name_1"), "plain-name_1");
        assert_eq!(escape_help("a\\b\nc"), r"a\\b\nc");
    }

    #[test]
    fn families_grouped_with_help_and_type() {
        let mut e = Exposition::default();
        e.gauge("pfd_a", "A.", &[("domain", "x")], 1);
        e.gauge("pfd_b", "B.", &[], "2.500");
        e.gauge("pfd_a", "A.", &[("domain", "y\"z")], 3);
        assert_eq!(
            e.render(),
            "# HELP pfd_a A.\n# TYPE pfd_a gauge\npfd_a{domain=\"x\"} 1\npfd_a{domain=\"y\\\"z\"} 3\n\
             # HELP pfd_b B.\n# TYPE pfd_b gauge\npfd_b 2.500\n"
        );
    }

    #[test]
    fn names_checked() {
        assert!(is_name("pcifront_diag_bar_frames_not_granted"));
        assert!(!is_name("9lives") && !is_name("a-b") && !is_name(""));
    }

    #[test]
    fn timestamp_has_milliseconds() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_764_000_000_042);
        assert_eq!(unix_seconds(t), "1764000000.042");
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("pfd-prom-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pcifront-diag.prom");
        write_atomically(&path, "old\n").unwrap();
        write_atomically(&path, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["pcifront-diag.prom"]);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
        assert!(write_atomically(&dir.join("no/such/dir.prom"), "x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
