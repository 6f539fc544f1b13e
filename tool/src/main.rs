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
mod rangeset;
mod sysfs;
mod temp_domain;
mod view;
mod xl;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The version every document carries (`--version` prints it too).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What Xen and pciback grant a PV guest's passed-through devices, and what the guest's
/// own PCI core makes of them.
///
/// Exit codes: 0 no error found, 1 errors found, 2 usage or input that cannot be checked,
/// 3 environment (not root, not dom0, no xl, no such domain, a step that failed or ran out
/// of time), 130 interrupted (after cleaning up).
#[derive(Parser)]
#[command(name = "pcifront-diag", version, propagate_version = true)]
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
    };
    result.unwrap_or_else(Failure::exit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

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
        assert!(parse(&["check", "web.cfg", "--timeout", "x"])
            .err()
            .unwrap()
            .use_stderr());
    }
}
