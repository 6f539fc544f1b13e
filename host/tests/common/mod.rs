//! Hand-built facts shared by the check and report tests.
#![allow(dead_code)]

use pcifront_diag_core::diag::checks::{check, Findings};
use pcifront_diag_core::diag::facts::*;

/// BAR0 of the healthy device: 1 MiB of 32-bit non-prefetchable memory.
pub const BAR0: u64 = 0xfea0_0000;
/// BAR0 length.
pub const BAR0_LEN: u64 = 1 << 20;
/// BAR0 frames.
pub const BAR0_FRAMES: u64 = BAR0_LEN / PAGE_SIZE;

/// A verdict where Xen mapped every frame of a `frames`-frame BAR.
pub fn all_mapped(frames: u64) -> Verdict {
    Verdict {
        frames,
        hypercalls: 4,
        tested: 2,
        exhaustive: false,
        refused: 0,
        first_refused: None,
        read_only: 0,
        first_read_only: None,
    }
}

/// A memory resource, claimed.
pub fn mem_res(start: u64, len: u64, flags: u64) -> Resource {
    Resource {
        start,
        end: start + len - 1,
        flags,
        claimed: true,
    }
}

/// A healthy passthrough device: Xen PV guest behind pcifront (backend d0), BAR0 = 1 MiB
/// 32-bit memory at 0xfea00000, claimed, memory decoding on, every frame mapped by Xen.
pub fn healthy() -> DeviceFacts {
    let mut f = DeviceFacts {
        ctx: Context {
            xen_pv: true,
            initial_domain: false,
            pcifront: true,
            backend_domid: Some(0),
            ram_pages: 65536,
            phys_bits: 40,
        },
        cfg: Config {
            id: 0x1234_8086,
            command: PCI_COMMAND_MEMORY,
            class_rev: 0x0200_0001,
            bars: [BAR0 as u32, 0, 0, 0, 0, 0],
            rom: 0,
            read_errors: 0,
        },
        ..DeviceFacts::default()
    };
    f.bars[0].res = mem_res(BAR0, BAR0_LEN, IORESOURCE_MEM);
    f.bars[0].verdict = Some(all_mapped(BAR0_FRAMES));
    f.bars[0].p2m = Some(P2m {
        frames: BAR0_FRAMES,
        ..P2m::default()
    });
    f
}

/// The codes of the findings, in order.
pub fn codes(f: &Findings) -> Vec<&'static str> {
    f.iter().map(|x| x.code()).collect()
}

/// `(code, scope index)` pairs, in order.
pub fn coded(f: &Findings) -> Vec<(&'static str, Option<u8>)> {
    f.iter().map(|x| (x.code(), x.bar)).collect()
}

/// Runs the checks and returns the codes.
pub fn check_codes(f: &DeviceFacts) -> Vec<&'static str> {
    codes(&check(f))
}
