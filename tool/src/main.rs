// SPDX-License-Identifier: GPL-2.0
//! `pcifront-diag`: the dom0 side of pcifront-diag. One file per subcommand (`check.rs`,
//! `dom0.rs`), the toolstack wrapper (`xl.rs`), and this dispatcher over [`COMMANDS`], as
//! Xen's `xl` dispatches over `xl_cmdtable.c`.
//!
//! Exit codes: 0 no error found, 1 errors found, 2 usage or input that cannot be checked,
//! 3 environment (not root, not dom0, no `xl`, no such domain, no rangeset dump).

mod check;
mod console;
mod dom0;
mod rangeset;
mod sysfs;
mod temp_domain;
mod view;
mod xl;

use std::process::ExitCode;

/// One subcommand: its name, synopsis and help, and its entry point.
struct CommandDef {
    name: &'static str,
    synopsis: &'static str,
    help: &'static str,
    main: fn(&[String]) -> Result<ExitCode, Failure>,
}

/// Every subcommand.
const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "check",
        synopsis: "check <guest.cfg> [--hotplug] [--read-probe] [--timeout <s>] [--json]",
        help: "run the guest's passthrough settings in a temporary PV domain <guest>-pfd that boots the diagnostic image, and report what pcifront_diag finds in it and what dom0 sees; --hotplug creates it without the devices and attaches them after, as xl pci-attach does (default: pci= at creation); --read-probe lets the module read dword 0 of each BAR Xen grants (it enables the device, writing COMMAND through pciback; a read-to-clear register loses its value), off by default",
        main: check::main,
    },
    CommandDef {
        name: "dom0",
        synopsis: "dom0 <domain> [--json]",
        help: "for a running PV guest (name or id): each passed-through device's BARs against Xen's I/O memory and I/O port permissions of that domain",
        main: dom0::main,
    },
];

/// The usage text, from [`COMMANDS`].
fn usage() -> String {
    let mut text = String::from("usage:");
    for c in COMMANDS {
        text.push_str(&format!(
            "\n  pcifront-diag {}\n      {}",
            c.synopsis, c.help
        ));
    }
    text
}

/// Why the command could not answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The command line is wrong: the message and the usage, exit 2.
    Usage(String),
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
        match self {
            Failure::Usage(m) => {
                eprintln!("pcifront-diag: {m}\n{}", usage());
                ExitCode::from(2)
            }
            Failure::BadInput(m) => {
                eprintln!("pcifront-diag: {m}");
                ExitCode::from(2)
            }
            Failure::Environment(m) => {
                eprintln!("pcifront-diag: {m}");
                ExitCode::from(3)
            }
            Failure::Interrupted(m) => {
                eprintln!("pcifront-diag: {m}");
                ExitCode::from(130)
            }
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        None => Err(Failure::Usage("no command".into())),
        Some((word, _)) if word == "-h" || word == "--help" => {
            println!("{}", usage());
            Ok(ExitCode::SUCCESS)
        }
        Some((word, rest)) => match COMMANDS.iter().find(|c| c.name == word) {
            Some(c) => (c.main)(rest),
            None => Err(Failure::Usage(format!("no command '{word}'"))),
        },
    };
    result.unwrap_or_else(Failure::exit)
}
