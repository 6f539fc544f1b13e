// SPDX-License-Identifier: GPL-2.0

//! The text line of one finding, `severity code scope: what; evidence: ...; fix: ...`: the
//! shape the module logs and the dom0 command prints a guest's findings in.

use core::fmt;

/// One finding's parts, each written by whoever holds it (the module from its facts, the
/// dom0 command from a guest's JSON report).
pub struct FindingLine<'a> {
    /// `error`, `warning` or `info`.
    pub severity: &'a str,
    /// The stable code (`xen-eperm`, ...).
    pub code: &'a str,
    /// `BAR0`..`BAR5`, `ROM` or `device`.
    pub scope: &'a str,
    /// What the finding means.
    pub what: &'a dyn fmt::Display,
    /// The raw values behind it.
    pub evidence: &'a dyn fmt::Display,
    /// The fix, when there is one.
    pub fix: Option<&'a dyn fmt::Display>,
}

impl fmt::Display for FindingLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}: {}; evidence: {}",
            self.severity, self.code, self.scope, self.what, self.evidence
        )?;
        match self.fix {
            Some(fix) => write!(f, "; fix: {fix}"),
            None => Ok(()),
        }
    }
}
