// SPDX-License-Identifier: GPL-2.0
//! The throwaway domain `check` runs: a lock so that two checks of one guest cannot take
//! each other's domain, random values (the domain's uuid, the console token), and a guard
//! that destroys the domain by id and says so when it cannot.

use crate::xl;
use crate::Failure;
use std::fs::File;
use std::io::Read;
use std::os::unix::io::AsRawFd;

/// `n` random bytes as lowercase hex, from the kernel's generator.
pub fn random_hex(n: usize) -> Result<String, Failure> {
    let mut bytes = vec![0u8; n];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| Failure::Environment(format!("cannot read /dev/urandom ({e})")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A random (version 4) uuid: the temporary domain's own, so that libxl does not rewrite
/// `/vm/<uuid>` of a running guest that shares the config's `uuid=`.
pub fn random_uuid() -> Result<String, Failure> {
    let hex = random_hex(16)?;
    let h = |r: std::ops::Range<usize>| &hex[r];
    // Version nibble 4, variant bits 10.
    let variant = ["8", "9", "a", "b"][usize::from(hex.as_bytes()[16] % 4)];
    Ok(format!(
        "{}-{}-4{}-{variant}{}-{}",
        h(0..8),
        h(8..12),
        h(13..16),
        h(17..20),
        h(20..32)
    ))
}

/// An exclusive lock per temporary domain name, held while the check runs.
pub struct CheckLock {
    _file: File,
}

/// The lock file's name part: the domain name with anything but `[A-Za-z0-9._-]` as `_`.
fn lock_name(domain: &str) -> String {
    domain
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl CheckLock {
    /// Takes the lock of `domain`, or says who holds it.
    pub fn take(domain: &str) -> Result<CheckLock, Failure> {
        let dir = "/run/pcifront-diag";
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::Environment(format!("cannot create {dir} ({e})")))?;
        let path = format!("{dir}/{}.lock", lock_name(domain));
        let file = File::create(&path)
            .map_err(|e| Failure::Environment(format!("cannot create {path} ({e})")))?;
        // SAFETY: `file` is open for the whole call; flock only reads its descriptor.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            return Err(Failure::Environment(format!(
                "another check of a guest named like this one runs ({path} is locked): wait for it to end"
            )));
        }
        Ok(CheckLock { _file: file })
    }
}

/// The temporary domain: destroyed by id when dropped, unless [`TempDomain::destroy`] did.
pub struct TempDomain {
    /// Its name.
    pub name: String,
    /// Its id once known.
    pub domid: Option<u32>,
    destroyed: bool,
}

impl TempDomain {
    /// The guard of domain `name`, about to be created.
    pub fn new(name: &str) -> TempDomain {
        TempDomain {
            name: name.to_string(),
            domid: None,
            destroyed: false,
        }
    }

    /// Destroys the domain and checks it is gone: by id once known (a name may by then be
    /// another's), else by name (the lock makes it ours). Gone already is no failure.
    pub fn destroy(&mut self) -> Result<(), String> {
        self.destroyed = true;
        let target = self.domid.map_or(self.name.clone(), |id| id.to_string());
        let destroyed = xl::run(&["destroy", &target], xl::Stage::Destroy);
        match xl::exists(&target) {
            Ok(false) => Ok(()),
            Ok(true) => Err(format!(
                "{} (d{target}) is still there{}: run xl destroy {target}",
                self.name,
                destroyed
                    .err()
                    .map_or(String::new(), |e| format!(" ({})", e.message()))
            )),
            Err(e) => Err(format!(
                "cannot tell whether {} is gone ({}): look at xl list",
                self.name,
                e.message()
            )),
        }
    }
}

impl Drop for TempDomain {
    fn drop(&mut self) {
        if !self.destroyed {
            if let Err(e) = self.destroy() {
                eprintln!("pcifront-diag: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() {
        let u = random_uuid().unwrap();
        let parts: Vec<&str> = u.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"));
        assert_ne!(random_uuid().unwrap(), u);
    }

    #[test]
    fn lock_names_are_plain() {
        assert_eq!(lock_name("web-pfd"), "web-pfd");
        assert_eq!(lock_name("../x y"), ".._x_y");
    }
}
