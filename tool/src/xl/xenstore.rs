// SPDX-License-Identifier: GPL-2.0
//! A xenstore reader that speaks xenstored's wire protocol (Xen's public
//! `io/xs_wire.h`) over its socket, or over dom0's `/dev/xen/xenbus` when xenstored runs
//! elsewhere. `check` asks xenstore what it must know before and right after it creates
//! the temporary domain (who holds a device, whether a name is taken, the domain's id and
//! console pty): each `xl` or `xenstore-read` started for that costs a process start, about
//! a second in a PV dom0 under load, where one request here costs a round trip.
//!
//! Only dom0 writes the nodes read here (`/local/domain/0/backend/...`, a domain's `name`,
//! which libxl makes read-only to the guest, and `console/tty`, which xenconsoled writes);
//! replies are bounded by the protocol's payload limit all the same.

use crate::console::clean;
use pcifront_diag_core::diag::report::Bdf;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::io::{AsRawFd, RawFd};
use std::time::{Duration, Instant};

/// `XS_DIRECTORY`, `XS_READ` and `XS_ERROR` of `enum xsd_sockmsg_type`.
const XS_DIRECTORY: u32 = 1;
const XS_READ: u32 = 2;
const XS_ERROR: u32 = 16;
/// `XENSTORE_PAYLOAD_MAX`: no message carries more.
const PAYLOAD_MAX: usize = 4096;
/// `struct xsd_sockmsg`: type, req_id, tx_id, len, each a host-endian u32.
const HEADER: usize = 16;
/// A request gets its reply within this or the store is taken as unreachable.
const REPLY_LIMIT: Duration = Duration::from_secs(10);

const SOCKET: &str = "/run/xenstored/socket";
const XENBUS: &str = "/dev/xen/xenbus";
/// Where libxl keeps a PV domain's PCI devices (`xl pci-list` reads it):
/// `<domid>/0/num_devs` and `<domid>/0/dev-<n>`.
const PCI_BACKEND: &str = "/local/domain/0/backend/pci";
/// A backend's entries counted at most (a PCI bus has 256 functions).
const MAX_DEVS: u32 = 256;

/// What `check` reads: a node's value (`None`: no such node) and a directory's children.
pub trait Store {
    fn read(&mut self, path: &str) -> Result<Option<String>, String>;
    fn directory(&mut self, path: &str) -> Result<Vec<String>, String>;
}

trait Channel: Read + Write + AsRawFd + Send {}
impl<T: Read + Write + AsRawFd + Send> Channel for T {}

/// A connection to xenstored.
pub struct Xenstore {
    chan: Box<dyn Channel>,
    req_id: u32,
}

/// One request as the wire carries it: the header, then the path and its NUL.
fn encode(kind: u32, req_id: u32, path: &str) -> Result<Vec<u8>, String> {
    let len = path.len() + 1;
    let too_long = || format!("xenstore path too long or not a path: {}", clean(path).0);
    if len > PAYLOAD_MAX || path.contains('\0') {
        return Err(too_long());
    }
    let wire_len = u32::try_from(len).map_err(|_| too_long())?;
    let mut msg = Vec::with_capacity(HEADER + len);
    for word in [kind, req_id, 0, wire_len] {
        msg.extend_from_slice(&word.to_ne_bytes());
    }
    msg.extend_from_slice(path.as_bytes());
    msg.push(0);
    Ok(msg)
}

/// A reply header's type, request id and payload length, the length bounded.
fn decode_header(h: &[u8; HEADER]) -> Result<(u32, u32, usize), String> {
    let word = |i: usize| u32::from_ne_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
    let len = usize::try_from(word(12)).unwrap_or(usize::MAX);
    if len > PAYLOAD_MAX {
        return Err(format!(
            "xenstore sent a reply of {len} bytes (the protocol allows {PAYLOAD_MAX})"
        ));
    }
    Ok((word(0), word(4), len))
}

/// A directory reply: the children's names, each ended by a NUL.
fn children(payload: &[u8]) -> Vec<String> {
    payload
        .split(|&b| b == 0)
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect()
}

/// A read reply: the value, without the NUL some stores append.
fn value(payload: &[u8]) -> String {
    let v = payload.strip_suffix(&[0]).unwrap_or(payload);
    String::from_utf8_lossy(v).into_owned()
}

impl Xenstore {
    /// Connects to xenstored's socket, or else to the kernel's xenbus device.
    pub fn open() -> Result<Xenstore, String> {
        let chan: Box<dyn Channel> = match std::os::unix::net::UnixStream::connect(SOCKET) {
            Ok(s) => Box::new(s),
            Err(socket_err) => Box::new(
                std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(XENBUS)
                    .map_err(|e| {
                        format!("cannot reach xenstore ({SOCKET}: {socket_err}; {XENBUS}: {e}): is xencommons started?")
                    })?,
            ),
        };
        Ok(Xenstore { chan, req_id: 0 })
    }

    /// Waits until the channel has something to read, at most until `deadline`.
    fn readable(fd: RawFd, deadline: Instant) -> Result<(), String> {
        let left = deadline.saturating_duration_since(Instant::now());
        let ms = libc::c_int::try_from(left.as_millis()).unwrap_or(libc::c_int::MAX);
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: `p` is one valid pollfd on this stack frame for the whole call.
        let n = unsafe { libc::poll(&mut p, 1, ms) };
        match n {
            1.. => Ok(()),
            0 => Err(format!(
                "xenstore did not answer within {} s",
                REPLY_LIMIT.as_secs()
            )),
            _ => Err(format!("xenstore: {}", std::io::Error::last_os_error())),
        }
    }

    /// Reads exactly `buf.len()` bytes, each wait bounded by `deadline`.
    fn receive(&mut self, buf: &mut [u8], deadline: Instant) -> Result<(), String> {
        let mut got = 0;
        while got < buf.len() {
            Self::readable(self.chan.as_raw_fd(), deadline)?;
            match self.chan.read(&mut buf[got..]) {
                Ok(0) => return Err("xenstore closed the connection".into()),
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("xenstore: {e}")),
            }
        }
        Ok(())
    }

    /// One request and its reply's payload; `None` when the node does not exist.
    fn request(&mut self, kind: u32, path: &str) -> Result<Option<Vec<u8>>, String> {
        self.req_id = self.req_id.wrapping_add(1);
        let msg = encode(kind, self.req_id, path)?;
        self.chan
            .write_all(&msg)
            .map_err(|e| format!("xenstore: {e}"))?;
        let deadline = Instant::now() + REPLY_LIMIT;
        let mut header = [0u8; HEADER];
        self.receive(&mut header, deadline)?;
        let (reply, id, len) = decode_header(&header)?;
        let mut payload = vec![0u8; len];
        self.receive(&mut payload, deadline)?;
        if id != self.req_id {
            return Err(format!(
                "xenstore answered request {id}, not {}",
                self.req_id
            ));
        }
        match reply {
            XS_ERROR if value(&payload) == "ENOENT" => Ok(None),
            XS_ERROR => Err(format!(
                "xenstore refused to read {}: {}",
                clean(path).0,
                clean(&value(&payload)).0
            )),
            r if r == kind => Ok(Some(payload)),
            r => Err(format!(
                "xenstore answered with message type {r}, not {kind}"
            )),
        }
    }
}

impl Store for Xenstore {
    fn read(&mut self, path: &str) -> Result<Option<String>, String> {
        Ok(self.request(XS_READ, path)?.map(|p| value(&p)))
    }

    fn directory(&mut self, path: &str) -> Result<Vec<String>, String> {
        Ok(self
            .request(XS_DIRECTORY, path)?
            .map(|p| children(&p))
            .unwrap_or_default())
    }
}

/// Every device a running domain holds, as `xl pci-list` reads it for each domain:
/// dom0 BDF (canonical, `0000:00:04.0`) -> the domain's name. A backend whose domain has no name any more is a domain
/// on its way out, as `xl list` would not show it.
pub fn pci_holders(store: &mut impl Store) -> Result<BTreeMap<String, String>, String> {
    let mut holders = BTreeMap::new();
    for domid in store.directory(PCI_BACKEND)? {
        let Ok(id) = domid.parse::<u32>() else {
            continue;
        };
        let Some(name) = store.read(&format!("/local/domain/{id}/name"))? else {
            continue;
        };
        for (dom0, _) in backend_devices(store, id)? {
            holders.insert(dom0.to_string(), clean(&name).0);
        }
    }
    Ok(holders)
}

/// The devices pciback serves domain `id`: `(guest BDF, dom0 BDF)` for each whose guest
/// address pciback has published (`vdev-N`, once the frontend took the device).
pub fn pci_devices(store: &mut impl Store, id: u32) -> Result<Vec<(Bdf, Bdf)>, String> {
    Ok(backend_devices(store, id)?
        .into_iter()
        .filter_map(|(dom0, guest)| Some((guest?, dom0)))
        .collect())
}

/// Each device of domain `id`'s PCI backend (`num_devs`, at most [`MAX_DEVS`]): dom0's BDF
/// (`dev-N`) and, once published, the guest's (`vdev-N`); entries that do not read are left out.
fn backend_devices(store: &mut impl Store, id: u32) -> Result<Vec<(Bdf, Option<Bdf>)>, String> {
    let base = format!("{PCI_BACKEND}/{id}/0");
    let count = store
        .read(&format!("{base}/num_devs"))?
        .and_then(|n| n.trim().parse::<u32>().ok())
        .unwrap_or(0)
        .min(MAX_DEVS);
    let mut bdf = |node: String| -> Result<Option<Bdf>, String> {
        Ok(store.read(&node)?.as_deref().and_then(Bdf::parse))
    };
    let mut devices = Vec::new();
    for n in 0..count {
        if let Some(dom0) = bdf(format!("{base}/dev-{n}"))? {
            devices.push((dom0, bdf(format!("{base}/vdev-{n}"))?));
        }
    }
    Ok(devices)
}

/// The id of the running domain called `name`, as `xl domid` finds it (libxl reads each
/// domain's `name` node).
pub fn domid_of(store: &mut impl Store, name: &str) -> Result<Option<u32>, String> {
    for domid in store.directory("/local/domain")? {
        let Ok(id) = domid.parse::<u32>() else {
            continue;
        };
        if store.read(&format!("/local/domain/{id}/name"))?.as_deref() == Some(name) {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A store of nodes; a directory lists the direct children of the nodes under it.
    struct Fake(HashMap<String, String>);

    impl Store for Fake {
        fn read(&mut self, path: &str) -> Result<Option<String>, String> {
            Ok(self.0.get(path).cloned())
        }

        fn directory(&mut self, path: &str) -> Result<Vec<String>, String> {
            let mut kids: Vec<String> = self
                .0
                .keys()
                .filter_map(|k| k.strip_prefix(path)?.strip_prefix('/'))
                .map(|rest| rest.split('/').next().unwrap_or_default().to_string())
                .collect();
            kids.sort();
            kids.dedup();
            Ok(kids)
        }
    }

    fn fake(nodes: &[(&str, &str)]) -> Fake {
        Fake(
            nodes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn wire_format() {
        let msg = encode(XS_READ, 7, "/local/domain/1/name").unwrap();
        assert_eq!(msg.len(), HEADER + 21);
        assert_eq!(&msg[..4], &XS_READ.to_ne_bytes());
        assert_eq!(&msg[4..8], &7u32.to_ne_bytes());
        assert_eq!(&msg[12..16], &21u32.to_ne_bytes());
        assert_eq!(msg.last(), Some(&0));
        assert!(encode(XS_READ, 1, &"a".repeat(PAYLOAD_MAX)).is_err());
        let mut h = [0u8; HEADER];
        h[..4].copy_from_slice(&XS_DIRECTORY.to_ne_bytes());
        h[4..8].copy_from_slice(&3u32.to_ne_bytes());
        h[12..16].copy_from_slice(&5u32.to_ne_bytes());
        assert_eq!(decode_header(&h).unwrap(), (XS_DIRECTORY, 3, 5));
        h[12..16].copy_from_slice(&u32::MAX.to_ne_bytes());
        assert!(decode_header(&h).is_err());
        assert_eq!(children(b"0\x001\x0017\x00"), ["0", "1", "17"]);
        assert_eq!(value(b"/dev/pts/3\0"), "/dev/pts/3");
    }

    /// Issue 16: reports are matched by the guest address pciback publishes (`vdev-N`); a
    /// device whose frontend has not taken it yet has none and is not listed.
    #[test]
    fn guest_addresses_from_pciback() {
        let mut s = fake(&[
            ("/local/domain/0/backend/pci/3/0/num_devs", "2"),
            ("/local/domain/0/backend/pci/3/0/dev-0", "0000:00:04.0"),
            ("/local/domain/0/backend/pci/3/0/vdev-0", "0000:00:00.0"),
            ("/local/domain/0/backend/pci/3/0/dev-1", "0000:00:05.0"),
        ]);
        let bdf = |s: &str| Bdf::parse(s).unwrap();
        assert_eq!(
            pci_devices(&mut s, 3).unwrap(),
            [(bdf("0000:00:00.0"), bdf("0000:00:04.0"))]
        );
        assert!(pci_devices(&mut s, 4).unwrap().is_empty());
    }

    /// The nodes libxl writes for a PV domain with edu attached (the lab's domu), and a
    /// backend left by a domain without a name.
    #[test]
    fn holders_as_xl_pci_list_reads_them() {
        let mut s = fake(&[
            ("/local/domain/0/name", "Domain-0"),
            ("/local/domain/3/name", "domu"),
            ("/local/domain/0/backend/pci/3/0/num_devs", "2"),
            ("/local/domain/0/backend/pci/3/0/dev-0", "0000:00:04.0"),
            ("/local/domain/0/backend/pci/3/0/dev-1", "0000:00:05.0"),
            ("/local/domain/0/backend/pci/9/0/num_devs", "1"),
            ("/local/domain/0/backend/pci/9/0/dev-0", "0000:00:06.0"),
        ]);
        let got: Vec<(String, String)> = pci_holders(&mut s).unwrap().into_iter().collect();
        assert_eq!(
            got,
            [
                ("0000:00:04.0".to_string(), "domu".to_string()),
                ("0000:00:05.0".to_string(), "domu".to_string())
            ]
        );
        assert!(pci_holders(&mut fake(&[])).unwrap().is_empty());
        assert_eq!(domid_of(&mut s, "domu").unwrap(), Some(3));
        assert_eq!(domid_of(&mut s, "web-pfd").unwrap(), None);
    }

    #[test]
    fn holders_bounded_and_cleaned() {
        let mut s = fake(&[
            ("/local/domain/4/name", "evil\u{1b}[2J"),
            ("/local/domain/0/backend/pci/4/0/num_devs", "4294967295"),
            ("/local/domain/0/backend/pci/4/0/dev-0", "0000:00:04.0"),
            ("/local/domain/0/backend/pci/4/0/dev-1", "not a bdf"),
        ]);
        let h = pci_holders(&mut s).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h.values().next().unwrap(), "evil[2J");
    }
}
