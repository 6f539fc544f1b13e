// SPDX-License-Identifier: GPL-2.0
//! What Xen says about passthrough: `xl info` (its `virt_caps` and `xen_commandline`) and
//! the lines of its console ring (`xl dmesg`) that Xen 4.20 prints about its IOMMU, interrupt
//! remapping, reserved regions (Intel RMRR, AMD IVMD) and its heap below 4 GiB. Each line
//! matched here is quoted from Xen 4.20's sources at the parser that reads it.

/// `key : value` lines of `xl info`.
pub fn info_value<'a>(info: &'a str, key: &str) -> Option<&'a str> {
    info.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim())
    })
}

/// The message of one `xl dmesg` line: without `(XEN) ` and the `[  1.234] ` timestamp
/// that `console_timestamps=` adds; `None` for a guest's line (`(d1) `) or a blank one.
pub fn message(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("(XEN) ")?;
    // A timestamp holds only blanks, digits and a dot; "[VT-D]" is part of the message.
    let stamp = rest.strip_prefix('[').and_then(|r| r.split_once("] "));
    let rest = match stamp {
        Some((t, m))
            if t.bytes()
                .all(|b| b == b' ' || b == b'.' || b.is_ascii_digit()) =>
        {
            m
        }
        _ => rest,
    };
    Some(rest.trim_end())
}

/// One `name[=value]` option of Xen's command line, the last occurrence (Xen applies them
/// in order, so the last wins).
pub fn xen_option<'a>(cmdline: &'a str, name: &str) -> Option<&'a str> {
    cmdline
        .split_whitespace()
        .filter_map(|w| {
            let (k, v) = w.split_once('=').unwrap_or((w, ""));
            (k == name).then_some(v)
        })
        .next_back()
}

/// The sub-options of every `iommu=` on Xen's command line, in order: Xen's
/// `parse_iommu_param()` (drivers/passthrough/iommu.c) runs once per occurrence, so
/// `iommu=1,verbose iommu=0` leaves verbose on and the IOMMU off.
pub fn iommu_suboptions(cmdline: &str) -> Vec<&str> {
    cmdline
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("iommu="))
        .flat_map(|v| v.split(','))
        .collect()
}

/// The `iommu=` sub-option that leaves Xen's IOMMU off, if the last boolean one does
/// (Xen's `parse_bool()`: `0`, `no`, `off`, `false`, `disable`).
pub fn iommu_disabled_by(cmdline: &str) -> Option<&str> {
    const OFF: [&str; 5] = ["0", "no", "off", "false", "disable"];
    const ON: [&str; 5] = ["1", "yes", "on", "true", "enable"];
    iommu_suboptions(cmdline)
        .into_iter()
        .rfind(|o| OFF.contains(o) || ON.contains(o))
        .filter(|o| OFF.contains(o))
}

/// `extra_guest_irqs=[<domU number>][,<dom0 number>]` as xen/common/domain.c's
/// `parse_extra_guest_irqs()` reads it: the domU number with `simple_strtoul(s, &s, 0)`
/// (decimal, `0x` hex or `0` octal), default 32. `Err` when Xen refuses the value (it then
/// keeps its default and says `parameter "extra_guest_irqs" has invalid value`).
pub fn extra_domu_irqs(cmdline: &str) -> Result<u32, String> {
    const DEFAULT: u32 = 32;
    let Some(value) = xen_option(cmdline, "extra_guest_irqs") else {
        return Ok(DEFAULT);
    };
    let (mut domu, rest) = if value.starts_with(|c: char| c.is_ascii_digit()) {
        let (n, rest) = strtoul0(value);
        (n, rest)
    } else {
        (u64::from(DEFAULT), value)
    };
    let tail = match rest.strip_prefix(',') {
        Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => strtoul0(r).1,
        Some(r) => r,
        None => rest,
    };
    if !tail.is_empty() {
        return Err(format!(
            "extra_guest_irqs={value}: Xen refuses it (invalid value)"
        ));
    }
    // Xen bounds it at boot to what its IRQ space allows ("domU IRQs bounded to"), far
    // above what one device asks; saturate rather than wrap.
    domu = domu.min(u64::from(u32::MAX));
    Ok(domu as u32)
}

/// `simple_strtoul(s, &end, 0)`: the number and the rest.
fn strtoul0(s: &str) -> (u64, &str) {
    let (radix, digits) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, h)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..])
    } else {
        (10, s)
    };
    let end = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    let n = digits[..end].chars().fold(0u64, |acc, c| {
        acc.saturating_mul(u64::from(radix))
            .saturating_add(u64::from(c.to_digit(radix).unwrap_or(0)))
    });
    (n, &digits[end..])
}

/// What Xen's console ring says about its IOMMU.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IommuLog {
    /// `I/O virtualisation enabled` / `disabled` (xen/drivers/passthrough/iommu.c,
    /// `iommu_setup()`): the line, if still in the ring.
    pub virtualisation: Option<String>,
    /// `Interrupt remapping enabled` / `disabled` (the same function, once the IOMMU is on),
    /// or VT-d's `Intel VT-d Interrupt Remapping enabled.` / `not enabled.`.
    pub intremap: Option<String>,
    /// Which IOMMU: `AMD-Vi: IOMMU 0 Enabled.` (amd/iommu_init.c) or VT-d's lines.
    pub vendor_line: Option<String>,
    /// Warnings and errors about the IOMMU and interrupt remapping worth showing as they are.
    pub problems: Vec<String>,
}

/// Reads the IOMMU lines of `xl dmesg`.
pub fn iommu_lines(dmesg: &str) -> IommuLog {
    let mut log = IommuLog::default();
    for m in dmesg.lines().filter_map(message) {
        if m.starts_with("I/O virtualisation ") {
            log.virtualisation = Some(m.to_string());
        } else if m.starts_with("Interrupt remapping ")
            || m.starts_with("Intel VT-d Interrupt Remapping ")
        {
            log.intremap = Some(m.to_string());
        } else if (m.starts_with("AMD-Vi: IOMMU ") && m.ends_with("Enabled."))
            || m.starts_with("Intel VT-d iommu ")
        {
            log.vendor_line.get_or_insert_with(|| m.to_string());
        } else if (m.contains("Interrupt Remapping disabled")
            || m.starts_with("AMD-Vi: Error:")
            || m.contains("disabling IOMMU")
            || m.starts_with("Couldn't enable"))
            && log.problems.len() < 8
        {
            log.problems.push(m.to_string());
        }
    }
    log
}

/// Whether Xen's boot said interrupt remapping is on: `Some(true/false)`, `None` when the
/// line is gone from the ring.
pub fn intremap_enabled(log: &IommuLog) -> Option<bool> {
    let line = log.intremap.as_deref()?;
    Some(line.ends_with(" enabled") || line.ends_with("Remapping enabled."))
}

/// An Intel RMRR as Xen's boot (with `iommu=verbose`) lists it: `[VT-D]found
/// ACPI_DMAR_RMRR:` (vtd/dmar.c, `acpi_parse_dmar()`) followed by one `[VT-D] endpoint:
/// <sbdf>` per device of its scope (`acpi_parse_dev_scope()`). Release builds print no
/// address: that line is a `dprintk`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rmrr {
    /// The endpoints of its scope, as Xen printed them (`0000:00:14.0`).
    pub endpoints: Vec<String>,
    /// ` RMRR: [base,end]` when a debug build printed it.
    pub range: Option<String>,
}

/// AMD IVMD blocks as `iommu=debug` shows them: `AMD-Vi: IVMD Block: type 0x20 phys ...
/// len ...` (amd/iommu_acpi.c, `parse_ivmd_block()`). Type 0x20 covers every device, 0x21
/// one, 0x22 a range: Xen does not print which.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reserved {
    pub rmrrs: Vec<Rmrr>,
    /// The IVMD block lines, as printed.
    pub ivmd: Vec<String>,
    /// Xen's complaints: overlapping RMRRs, IVMD errors, a refused assignment.
    pub problems: Vec<String>,
    /// `It's disallowed to assign <sbdf> with shared RMRR at <addr> for <d>.` lines
    /// (vtd/iommu.c, `intel_iommu_assign_device()`), when an assignment was tried.
    pub refusals: Vec<String>,
}

const VTD: &str = "[VT-D]";

/// Reads RMRR and IVMD lines.
pub fn reserved_regions(dmesg: &str) -> Reserved {
    let mut r = Reserved::default();
    let mut in_rmrr = false;
    for m in dmesg.lines().filter_map(message) {
        if let Some(rest) = m.strip_prefix(VTD) {
            if rest.starts_with("found ACPI_DMAR_") {
                in_rmrr = rest == "found ACPI_DMAR_RMRR:";
                if in_rmrr {
                    r.rmrrs.push(Rmrr::default());
                }
                continue;
            }
            if let (true, Some(cur)) = (in_rmrr, r.rmrrs.last_mut()) {
                if let Some(ep) = rest.strip_prefix(" endpoint: ") {
                    cur.endpoints.push(ep.trim().to_string());
                    continue;
                }
            }
            if rest.contains("with shared RMRR") {
                r.refusals.push(m.to_string());
            } else if rest.starts_with("Overlapping RMRRs") || rest.contains("RMRR [") {
                r.problems.push(m.to_string());
            }
            continue;
        }
        // A debug build's dprintk carries its file and line first: "dmar.c:610: [VT-D] ...".
        if let Some((_, after)) = m.split_once(&format!(" {VTD} RMRR: [")) {
            if let Some(cur) = r.rmrrs.last_mut() {
                cur.range = Some(format!("[{after}"));
            }
            continue;
        }
        if m.starts_with("AMD-Vi: IVMD Block:") {
            r.ivmd.push(m.to_string());
        } else if m.contains("IVMD: ") && m.starts_with("AMD-Vi: ") {
            r.problems.push(m.to_string());
        } else if m.contains("with shared RMRR") {
            r.refusals.push(m.to_string());
        }
    }
    r
}

/// The IVMD type of a block line (`type 0x20 ...`).
pub fn ivmd_type(line: &str) -> Option<u32> {
    let t = line.split_once("type ")?.1.split_whitespace().next()?;
    u32::from_str_radix(t.trim_start_matches("0x"), 16).ok()
}

/// Free pages below 4 GiB from the last `'H' pressed -> dumping heap info` dump
/// (common/page_alloc.c, `dump_heap()`): `heap[node=N][zone=Z] -> P pages`. Zone Z > 0 holds
/// the frames whose highest set bit is Z (mfn in [2^(Z-1), 2^Z)), so zones 1-20 are below
/// 4 GiB; zone 0 is a separate Xen heap, never given to guests.
pub fn free_pages_below_4g(dmesg: &str) -> Option<u64> {
    let mut total = None;
    for m in dmesg.lines().filter_map(message) {
        if m.contains("pressed -> dumping heap info") {
            total = Some(0u64);
            continue;
        }
        let Some(sum) = total.as_mut() else { continue };
        let Some(rest) = m.strip_prefix("heap[node=") else {
            continue;
        };
        let zone = rest
            .split_once("][zone=")
            .and_then(|(_, z)| z.split_once(']'))
            .and_then(|(z, _)| z.parse::<u32>().ok());
        let pages = rest
            .split_once("-> ")
            .and_then(|(_, p)| p.strip_suffix(" pages"))
            .and_then(|p| p.parse::<u64>().ok());
        if let (Some(1..=20), Some(pages)) = (zone, pages) {
            *sum = sum.saturating_add(pages);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `xl info` lines of the lab's Xen 4.20 (virt_caps as host-healthy's JSON evidence
    /// shows it), with an extra_guest_irqs= added to its command line.
    const INFO: &str = "\
host                   : (none)
virt_caps              : pv hvm hvm_directio pv_directio hap gnttab-v1 gnttab-v2
xen_commandline        : console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M loglvl=all guest_loglvl=all iommu=1,verbose console_timestamps=boot spec-ctrl=eager-fpu extra_guest_irqs=64,512
";

    #[test]
    fn info_fields() {
        let caps = info_value(INFO, "virt_caps").unwrap();
        assert!(caps.split_whitespace().any(|c| c == "pv_directio"));
        let cmd = info_value(INFO, "xen_commandline").unwrap();
        assert_eq!(xen_option(cmd, "iommu"), Some("1,verbose"));
        assert_eq!(extra_domu_irqs(cmd), Ok(64));
    }

    #[test]
    fn extra_guest_irqs_as_xen_reads_it() {
        assert_eq!(extra_domu_irqs("console=com1"), Ok(32));
        assert_eq!(extra_domu_irqs("extra_guest_irqs=,512"), Ok(32));
        assert_eq!(extra_domu_irqs("extra_guest_irqs=0x40"), Ok(64));
        assert_eq!(extra_domu_irqs("extra_guest_irqs=010"), Ok(8));
        assert_eq!(extra_domu_irqs("extra_guest_irqs=0"), Ok(0));
        assert!(extra_domu_irqs("extra_guest_irqs=64k").is_err());
        // The last occurrence wins.
        assert_eq!(
            extra_domu_irqs("extra_guest_irqs=8 extra_guest_irqs=128"),
            Ok(128)
        );
    }

    /// Xen 4.20's boot on QEMU's amd-iommu, from the lab's host-healthy log (console
    /// timestamps on), with a guest's line that must be ignored.
    const LAB_BOOT: &str = "\
(XEN) [    1.632577] AMD-Vi: IOMMU Extended Features:
(XEN) [    1.640433] AMD-Vi: Disabled HAP memory map sharing with IOMMU
(XEN) [    1.642919] AMD-Vi: IOMMU 0 Enabled.
(XEN) [    1.644022] I/O virtualisation enabled
(XEN) [    1.644356]  - Dom0 mode: Relaxed
(XEN) [    1.644476] Interrupt remapping enabled
(d1) a guest's line
";

    #[test]
    fn iommu_options_accumulate_as_xen_applies_them() {
        // host-no-iommu's Xen: qemu/run's iommu=1,verbose, then the scenario's iommu=0.
        let lab = "console=com1 iommu=1,verbose console_timestamps=boot iommu=0";
        assert_eq!(iommu_suboptions(lab), ["1", "verbose", "0"]);
        assert_eq!(iommu_disabled_by(lab), Some("0"));
        assert_eq!(iommu_disabled_by("iommu=off iommu=1,verbose"), None);
        assert_eq!(iommu_disabled_by("iommu=no-intremap"), None);
        assert_eq!(iommu_disabled_by("console=com1"), None);
    }

    #[test]
    fn iommu_lines_of_the_labs_amd_boot() {
        let log = iommu_lines(LAB_BOOT);
        assert_eq!(
            log.virtualisation.as_deref(),
            Some("I/O virtualisation enabled")
        );
        assert_eq!(intremap_enabled(&log), Some(true));
        assert_eq!(log.vendor_line.as_deref(), Some("AMD-Vi: IOMMU 0 Enabled."));
        assert!(log.problems.is_empty());
        // No RMRR or IVMD line in it: QEMU's IVRS has no IVMD block.
        assert_eq!(reserved_regions(LAB_BOOT), Reserved::default());
    }

    #[test]
    fn vtd_without_queued_invalidation() {
        // vtd/iommu.c's P() lines, "Intel VT-d %s %senabled.".
        let dmesg = "\
(XEN) Intel VT-d iommu 0 supported page sizes: 4kB, 2MB, 1GB
(XEN) Intel VT-d Queued Invalidation not enabled.
(XEN) Intel VT-d Interrupt Remapping not enabled.
(XEN) I/O virtualisation enabled
";
        let log = iommu_lines(dmesg);
        assert_eq!(intremap_enabled(&log), Some(false));
        assert!(log.vendor_line.unwrap().starts_with("Intel VT-d iommu 0"));
        // Gone from the ring: unknown, not "off".
        assert_eq!(intremap_enabled(&iommu_lines("(XEN) hello\n")), None);
    }

    #[test]
    fn shared_rmrr_from_a_verbose_boot() {
        // Line shapes from vtd/dmar.c; the refusal quoted as users see it in
        // https://github.com/QubesOS/qubes-issues/issues/2530 ("It's disallowed to assign
        // 0000:08:00.0 with shared RMRR").
        let dmesg = "\
(XEN) [VT-D]found ACPI_DMAR_DRHD:
(XEN) [VT-D]  dmaru->address = fed90000
(XEN) [VT-D] endpoint: 0000:00:02.0
(XEN) [VT-D]found ACPI_DMAR_RMRR:
(XEN) [VT-D] endpoint: 0000:00:14.0
(XEN) [VT-D] endpoint: 0000:00:1a.0
(XEN) [VT-D]found ACPI_DMAR_RMRR:
(XEN) [VT-D] endpoint: 0000:00:02.0
(XEN) [VT-D]found ACPI_DMAR_ATSR:
(XEN) [VT-D] It's disallowed to assign 0000:00:14.0 with shared RMRR at 7d000000 for d1.
";
        let r = reserved_regions(dmesg);
        assert_eq!(r.rmrrs.len(), 2);
        assert_eq!(r.rmrrs[0].endpoints, ["0000:00:14.0", "0000:00:1a.0"]);
        assert_eq!(r.rmrrs[1].endpoints, ["0000:00:02.0"]);
        assert_eq!(r.refusals.len(), 1);
    }

    #[test]
    fn ivmd_blocks_with_iommu_debug() {
        let dmesg = "\
(XEN) AMD-Vi: IVMD Block: type 0x20 phys 0xd0000000 len 0x1000000
(XEN) AMD-Vi: Error: IVMD: overlap [d0000000,d1000000) vs [d0000000,d0800000)
";
        let r = reserved_regions(dmesg);
        assert_eq!(r.ivmd.len(), 1);
        assert_eq!(ivmd_type(&r.ivmd[0]), Some(0x20));
        assert_eq!(r.problems.len(), 1);
    }

    /// A whole `xl debug-keys H` dump from the lab's host-healthy log, with the line of
    /// Xen's UART that landed in the middle of it. Zones 15-19 are the lab's RAM below
    /// 2 GiB, zone 20 (2-4 GiB) is QEMU's PCI hole, zone 21 RAM above 4 GiB.
    const LAB_HEAP: &str = "\
(XEN) [   85.219508] 'H' pressed -> dumping heap info (now = 85212898088)
(XEN) [   85.222062] heap[node=0][zone=0] -> 0 pages
(XEN) [   85.222665] heap[node=0][zone=1] -> 0 pages
(XEN) [   85.223250] heap[node=0][zone=2] -> 0 pages
(XEN) [   85.223926] heap[node=0][zone=3] -> 0 pages
(XEN) [   85.225010] heap[node=0][zone=4] -> 0 pages
(XEN) [   85.225989] heap[node=0][zone=5] -> 0 pages
(XEN) [   85.226685] heap[node=0][zone=6] -> 0 pages
(XEN) [   85.227451] heap[node=0][zone=7] -> 0 pages
(XEN) [   85.227593] heap[node=0][zone=8] -> 0 pages
(XEN) [   85.227679] uart interrupt taking more than 4ms, switched to polling
(XEN) [   85.227995] heap[node=0][zone=9] -> 0 pages
(XEN) [   85.228062] heap[node=0][zone=10] -> 0 pages
(XEN) [   85.228215] heap[node=0][zone=11] -> 0 pages
(XEN) [   85.228282] heap[node=0][zone=12] -> 0 pages
(XEN) [   85.228345] heap[node=0][zone=13] -> 0 pages
(XEN) [   85.228468] heap[node=0][zone=14] -> 0 pages
(XEN) [   85.228529] heap[node=0][zone=15] -> 16128 pages
(XEN) [   85.228594] heap[node=0][zone=16] -> 32768 pages
(XEN) [   85.228681] heap[node=0][zone=17] -> 65536 pages
(XEN) [   85.228753] heap[node=0][zone=18] -> 131072 pages
(XEN) [   85.228821] heap[node=0][zone=19] -> 236818 pages
(XEN) [   85.228890] heap[node=0][zone=20] -> 0 pages
(XEN) [   85.229942] heap[node=0][zone=21] -> 516 pages
(XEN) [   85.230901] heap[node=0][zone=22] -> 0 pages
(XEN) [   85.231054] heap[node=0][zone=23] -> 0 pages
(XEN) [   85.231119] heap[node=0][zone=24] -> 0 pages
(XEN) [   85.231186] heap[node=0][zone=25] -> 0 pages
(XEN) [   85.231251] heap[node=0][zone=26] -> 0 pages
(XEN) [   85.232092] heap[node=0][zone=27] -> 0 pages
(XEN) [   85.232399] heap[node=0][zone=28] -> 0 pages
(XEN) [   85.233442] heap[node=0][zone=29] -> 0 pages
(XEN) [   85.234464] heap[node=0][zone=30] -> 0 pages
(XEN) [   85.235561] heap[node=0][zone=31] -> 0 pages
(XEN) [   85.236576] heap[node=0][zone=32] -> 0 pages
(XEN) [   85.236877] heap[node=0][zone=33] -> 0 pages
(XEN) [   85.236944] heap[node=0][zone=34] -> 0 pages
(XEN) [   85.237932] heap[node=0][zone=35] -> 0 pages
(XEN) [   85.238271] heap[node=0][zone=36] -> 0 pages
(XEN) [   85.238547] heap[node=0][zone=37] -> 0 pages
(XEN) [   85.239203] heap[node=0][zone=38] -> 0 pages
(XEN) [   85.240277] heap[node=0][zone=39] -> 0 pages
(XEN) [   85.240981] heap[node=0][zone=40] -> 0 pages
";

    #[test]
    fn heap_below_4g_of_the_lab() {
        // 16128 + 32768 + 65536 + 131072 + 236818 pages = 1884 MiB, as host printed.
        assert_eq!(free_pages_below_4g(LAB_HEAP), Some(482_322));
    }

    #[test]
    fn heap_below_4g_from_the_last_dump() {
        let dmesg = "\
(XEN) 'H' pressed -> dumping heap info (now = 1000)
(XEN) heap[node=0][zone=20] -> 1 pages
(XEN) 'H' pressed -> dumping heap info (now = 2000)
(XEN) heap[node=0][zone=0] -> 99 pages
(XEN) heap[node=0][zone=19] -> 100 pages
(XEN) heap[node=0][zone=20] -> 200 pages
(XEN) heap[node=0][zone=21] -> 300 pages
(XEN) heap[node=1][zone=20] -> 4 pages
";
        assert_eq!(free_pages_below_4g(dmesg), Some(304));
        assert_eq!(free_pages_below_4g("(XEN) nothing\n"), None);
    }
}
