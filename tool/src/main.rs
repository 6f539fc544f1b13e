// SPDX-License-Identifier: GPL-2.0
//! `pcifront-diag`: the dom0 side of pcifront-diag. One file per subcommand (`check.rs`,
//! `dom0.rs`, `host.rs`), the toolstack wrapper (`xl.rs`), and this dispatcher over one table of
//! commands, [`Command`] (as Xen's `xl` dispatches over `xl_cmdtable.c`), whose definitions
//! clap turns into the parser, `--help`, `help <command>` and `--version`.

mod check;
mod console;
mod dom0;
#[cfg(test)]
mod fuzz;
mod host;
mod prometheus;
mod rangeset;
mod sysfs;
mod temp_domain;
mod view;
mod xl;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// The version every document carries (`--version` prints it too): src/VERSION, the one the
/// module and the image carry.
pub const VERSION: &str = pcifront_diag_core::diag::report::VERSION;

/// The JSON layout's version every document carries, the module's report's own
/// (docs/schema/pcifront-diag.schema.json describes them all).
pub const SCHEMA_VERSION: u32 = pcifront_diag_core::diag::report::SCHEMA_VERSION;

/// What Xen and pciback grant a PV guest's passed-through devices, and what the guest's
/// own PCI core makes of them.
///
/// Exit codes: 0 no error found, 1 errors found, 2 usage or input that cannot be checked,
/// 3 environment (not root, not dom0, no xl, no such domain, a step that failed or ran out
/// of time), 130 interrupted (after cleaning up).
#[derive(Parser)]
#[command(name = "pcifront-diag", version = VERSION, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Every subcommand.
#[derive(Subcommand)]
enum Command {
    Check(check::Args),
    Dom0(dom0::Args),
    Host(host::Args),
    /// Write the man page (pcifront-diag.8) or a shell's completions to standard output,
    /// from these same definitions (the package ships them).
    #[command(hide = true)]
    Generate {
        /// What to write.
        #[arg(value_enum)]
        what: Generated,
    },
}

/// What `generate` writes.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Generated {
    /// The man page, pcifront-diag(8), in roff.
    Man,
    /// bash completions.
    Bash,
    /// zsh completions.
    Zsh,
    /// fish completions.
    Fish,
}

/// Writes the man page or completions of the command as clap defines it.
fn generate(what: Generated) -> Result<ExitCode, Failure> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    let shell = match what {
        Generated::Man => {
            return clap_mangen::Man::new(cmd)
                .section("8")
                .render(&mut out)
                .map(|()| ExitCode::SUCCESS)
                .map_err(|e| Failure::Environment(format!("cannot write the man page: {e}")));
        }
        Generated::Bash => clap_complete::Shell::Bash,
        Generated::Zsh => clap_complete::Shell::Zsh,
        Generated::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut cmd, "pcifront-diag", &mut out);
    Ok(ExitCode::SUCCESS)
}

/// Why the command could not answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// What the command was given cannot be checked (a config, a domain): exit 2.
    BadInput(String),
    /// The machine lacks something or a step failed: exit 3.
    Environment(String),
    /// SIGINT, SIGTERM or SIGHUP came, and the command cleaned up: exit 130, as a shell
    /// reports a command Ctrl-C ended.
    Interrupted(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::BadInput(m) | Failure::Environment(m) | Failure::Interrupted(m) => {
                f.write_str(m)
            }
        }
    }
}

impl Failure {
    fn exit(self) -> ExitCode {
        let (m, code) = match self {
            Failure::BadInput(m) => (m, 2),
            Failure::Environment(m) => (m, 3),
            Failure::Interrupted(m) => (m, 130),
        };
        eprintln!("pcifront-diag: {m}");
        ExitCode::from(code)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0, usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Dom0(args) => dom0::run(args),
        Command::Host(args) => host::run(args),
        Command::Generate { what } => generate(*what),
    };
    result.unwrap_or_else(Failure::exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("pcifront-diag").chain(words.iter().copied()))
    }

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn conventions() {
        let v = parse(&["--version"]).err().unwrap();
        assert_eq!(v.kind(), clap::error::ErrorKind::DisplayVersion);
        assert!(v.to_string().contains(VERSION));
        let h = parse(&["help", "check"]).err().unwrap();
        assert_eq!(h.kind(), clap::error::ErrorKind::DisplayHelp);
        assert!(h.to_string().contains("--read-probe"), "{h}");
        // Issue 18: `check -h` read -h as the config file.
        let h = parse(&["check", "-h"]).err().unwrap();
        assert_eq!(h.kind(), clap::error::ErrorKind::DisplayHelp);
        let Command::Check(a) = parse(&["check", "--timeout=7", "web.cfg"]).unwrap().command else {
            panic!("not check");
        };
        assert_eq!((a.timeout, a.cfg.as_str()), (7, "web.cfg"));
        assert!(parse(&[]).err().unwrap().use_stderr());
        assert!(parse(&["dom0"]).err().unwrap().use_stderr());
        let Command::Dom0(d) =
            parse(&["dom0", "--all", "--format=prometheus", "--output", "f.prom"])
                .unwrap()
                .command
        else {
            panic!("not dom0");
        };
        assert!(d.all && d.domain.is_none() && d.format == dom0::Format::Prometheus);
        assert_eq!(d.output.as_deref(), Some(std::path::Path::new("f.prom")));
        let Command::Dom0(d) = parse(&["dom0", "domu", "--json"]).unwrap().command else {
            panic!("not dom0");
        };
        assert!(d.json && d.domain.as_deref() == Some("domu"));
        for bad in [
            &["dom0", "domu", "--all"][..],
            &["dom0", "domu", "--json", "--format", "text"],
            &["dom0", "--all", "--format", "xml"],
        ] {
            assert!(parse(bad).err().unwrap().use_stderr(), "{bad:?}");
        }
        assert!(parse(&["check", "web.cfg", "--timeout", "x"])
            .err()
            .unwrap()
            .use_stderr());
    }
}
