//! The log lines: one per finding (what, evidence, fix), for every kind of finding.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::checks::{self, check, Severity};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::{scope, status, write_summary, write_what, Meta};

#[test]
fn healthy_lines_exact() {
    let f = healthy();
    let m = meta();
    assert_eq!(
        lines(&f, &m),
        [
            "info pcifront device: device reached through xen-pcifront; evidence: backend=d0 \
             guest_ram=256 MiB phys_bits=40",
            "info ok BAR0: usable; evidence: mem [0xfea00000-0xfeafffff] 1 MiB 32-bit, Xen maps \
             all 256 frames, every frame tested (256 trial mappings in 1 hypercall(s))",
        ]
    );
}

#[test]
fn ok_line_64bit_prefetch_not_asked() {
    let mut f = healthy();
    with_64bit_bar0_not_asked(&mut f);
    let out = check(&f);
    let ok = out.find("ok").unwrap();
    assert_eq!(
        line(ok, &f, &meta()),
        "info ok BAR0: usable; evidence: mem [0x38c0000000-0x38cfffffff] 256 MiB 64-bit \
         prefetchable, Xen not asked"
    );
}

#[test]
fn the_2009_case_fails_with_eperm_and_iomem_fix() {
    let f = case_2009();
    let m = meta();
    let out = check(&f);
    assert_eq!(status(&out), "FAIL");
    assert_eq!(codes(&out), ["pcifront", "xen-eperm"]);
    let all = lines(&f, &m);
    assert_eq!(
        all[1],
        "error xen-eperm BAR0: Xen refuses to map BAR frames: they are not in this domain's I/O \
         memory permission (the 2009 'Non-privileged attempt to map I/O space'); ioremap returns \
         a pointer anyway and the first access to them faults; evidence: xen_rc=-1 (-EPERM) \
         every frame of 256 tested: granted none; refused 256: 0xfea00-0xfeaff (-EPERM); \
         read-only none; 256 trial mappings in 1 hypercall(s); fix: pass the device with \
         pci=['0000:03:00.0'] in xl.cfg or xl pci-attach so the toolstack grants its BARs, or \
         grant the refused frames: iomem=['fea00,100'] in xl.cfg; verify on dom0 with xl \
         debug-keys q; xl dmesg (I/O Memory)"
    );
    let fx = fix(out.find("xen-eperm").unwrap(), &f, &m);
    assert!(all[1].ends_with(&format!("; fix: {fx}")), "{}", all[1]);

    let mut s = String::new();
    write_summary(&mut s, &out, &m).unwrap();
    assert_eq!(
        s,
        "summary: FAIL 1 error(s), 0 warning(s), 1 info; first error: xen-eperm BAR0; cost: 12 \
         config reads, 2 hypercalls (512 trial mappings and restores), 1500 us (config 400 us, \
         context 300 us, Xen 700 us)"
    );
}

#[test]
fn sampled_bar_ok_says_what_was_asked() {
    let f = sampled_with(|_| M);
    let out = check(&f);
    assert_eq!(codes(&out), ["pcifront", "ok"]);
    assert_eq!(
        line(out.find("ok").unwrap(), &f, &meta()),
        "info ok BAR0: usable; evidence: mem [0xfea00000-0xfeafffff] 1 MiB 32-bit, Xen maps all \
         52 sampled frames of 256 (52 trial mappings in 1 hypercall(s); the others not asked)"
    );

    // An 8 GiB BAR at the module's default limit: every 3rd frame and the last, 1,024 a batch.
    let mut f = healthy();
    f.cfg.bars = [0x0000_000c, 0x38, 0, 0, 0, 0];
    let start = 0x38_0000_0000;
    let flags = IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH;
    f.bars[0].res = mem_res(start, 8 << 30, flags);
    f.bars[0].verdict = Some(scan_model(start >> PAGE_SHIFT, 1 << 21, |_| M));
    assert_eq!(
        line_of(&f, "ok"),
        "info ok BAR0: usable; evidence: mem [0x3800000000-0x39ffffffff] 8 GiB 64-bit \
         prefetchable, Xen maps all 699052 sampled frames of 2097152 (699052 trial mappings in \
         683 hypercall(s); the others not asked)"
    );
}

#[test]
fn sampled_wording_never_claims_every_frame() {
    for (frames, max_frames) in [
        (4, 2),
        (256, 64),
        (256, 255),
        (4096, 1000),
        (1 << 16, 1 << 10),
    ] {
        let len = frames * PAGE_SIZE;
        for answer in [M, DENIED, RO] {
            let mut f = healthy();
            f.bars[0].res = mem_res(BAR0 & !(len - 1), len, IORESOURCE_MEM);
            f.cfg.bars[0] = f.bars[0].res.start as u32;
            f.bars[0].verdict = Some(scan_sampled(
                f.bars[0].res.start >> PAGE_SHIFT,
                frames,
                max_frames,
                |_| answer,
            ));
            let v = f.bars[0].verdict.unwrap();
            assert!(v.sampled() && v.tested < frames, "{frames}/{max_frames}");
            for l in lines(&f, &meta()).iter().filter(|l| l.contains(" BAR0: ")) {
                for claim in [
                    format!("maps {frames}/{frames}"),
                    format!("maps all {frames} frames"),
                    "every frame".to_string(),
                    format!("of {frames} tested"),
                ] {
                    assert!(
                        !l.contains(&claim),
                        "{frames}/{max_frames}: {claim:?} in {l}"
                    );
                }
                assert!(l.contains(&format!(" {} ", v.tested)), "{l}");
                assert!(l.contains("the others not asked"), "{l}");
            }
        }
    }
}

#[test]
fn sampled_wording_ordinals() {
    for (frames, max_frames, want) in [
        (256, 200, "one in every 2 after it and the last"),
        (256, 100, "one in every 3 after it and the last"),
        (256, 64, "one in every 5 after it and the last"),
    ] {
        let f = {
            let mut f = healthy();
            f.bars[0].verdict = Some(scan_sampled(BAR0_PFN, frames, max_frames, |_| DENIED));
            f
        };
        let l = line_of(&f, "xen-eperm");
        assert!(l.contains(want), "{want:?} not in {l}");
    }
}

#[test]
fn other_refusals_wording() {
    let m = meta();
    let f = healthy_with(|_| BUSY);
    let l = lines(&f, &m).pop().unwrap();
    assert!(l.starts_with("error xen-ebusy BAR0: "), "{l}");
    assert!(l.contains("xen_rc=-16 (-EBUSY)"), "{l}");
    assert!(l.contains("refused 256: 0xfea00-0xfeaff (-EBUSY)"), "{l}");
    assert!(
        l.contains("; fix: the BAR address collides with RAM"),
        "{l}"
    );
    assert!(l.contains("0000:03:00.0"), "{l}");
    assert!(
        !l.contains("iomem="),
        "granting cannot help RAM of another domain: {l}"
    );

    let f = healthy_with(|_| Trial::Refused(EINVAL));
    let l = lines(&f, &m).pop().unwrap();
    assert!(l.starts_with("error xen-einval BAR0: "), "{l}");
    assert!(
        l.contains("xen_rc=-22 (-EINVAL) every frame of 256 tested"),
        "{l}"
    );
    assert!(l.contains("refused 256: 0xfea00-0xfeaff (-EINVAL)"), "{l}");
    assert!(l.contains("iomem=['fea00,100']"), "{l}");

    let f = healthy_with(|_| Trial::Refused(EOPNOTSUPP));
    let l = lines(&f, &m).pop().unwrap();
    assert!(l.starts_with("error xen-refused BAR0: "), "{l}");
    assert!(l.contains("xen_rc=-95 (error)"), "{l}");
    assert!(l.contains("0xfea00-0xfeaff (error)"), "{l}");
}

#[test]
fn new_finding_lines() {
    let m = meta();
    let f = aborted_with(|_| M);
    assert_eq!(codes(&check(&f)), ["pcifront", "xen-incomplete"]);
    assert_eq!(
        line_of(&f, "xen-incomplete"),
        "warning xen-incomplete BAR0: a batch of trial mappings failed as a whole: Xen's verdict \
         on the frames after it is unknown; evidence: rc=-14 (-EFAULT) asked=64/256 frames; fix: \
         retry with more free memory; if it persists, report it with this guest's log"
    );

    let mut f = healthy();
    f.restore_failed = Some(-1);
    assert!(
        line_of(&f, "scratch-leaked").starts_with(
            "warning scratch-leaked device: Xen refused to restore a scratch PTE after the trial \
             mappings: the scratch slots are kept mapped for good (never freed), a few KiB lost \
             until reboot; evidence: restore_rc=-1"
        ),
        "{}",
        line_of(&f, "scratch-leaked")
    );

    let mut f = with_io_bar1();
    f.bars[1].read_probe = Some(u32::MAX);
    let l = line_of(&f, "io-all-ones");
    assert!(
        l.starts_with(
            "error io-all-ones BAR1: the I/O BAR's first dword reads all-ones although the device \
             answers config reads and decodes I/O: Xen returns all-ones for ports it does not \
             grant this domain"
        ),
        "{l}"
    );
    assert!(
        l.ends_with(
            "; evidence: dword0=0xffffffff port=0xc000 command=0x0003 class_rev=0x02000001; fix: \
             pass the device with pci=['0000:03:00.0'] in xl.cfg or xl pci-attach so the \
             toolstack grants its ports, or grant them: ioports=['c000-c01f'] in xl.cfg; verify \
             on dom0 with xl debug-keys q; xl dmesg (I/O Ports)"
        ),
        "{l}"
    );
    // Without a backend BDF, the placeholder.
    let out = check(&f);
    let fx = fix(
        out.find("io-all-ones").unwrap(),
        &f,
        &Meta {
            backend_bdf: None,
            ..m
        },
    );
    assert!(fx.contains("pci=['<dom0 BDF>']"), "{fx}");

    let mut f = with_io_bar1();
    f.bars[1].read_probe = Some(0x1af4);
    let out = check(&f);
    let r = out.iter().find(|x| x.code() == "read-ok").unwrap();
    assert_eq!(r.bar, Some(1));
    assert_eq!(
        line(r, &f, &m),
        "info read-ok BAR1: dword 0 read through the driver path; evidence: dword0=0x00001af4"
    );
}

#[test]
fn scratch_leaked_has_a_fix() {
    let mut f = healthy();
    f.restore_failed = Some(-1);
    let out = check(&f);
    let leak = out.find("scratch-leaked").unwrap();
    assert_eq!(leak.severity(), Severity::Warning);
    assert!(!fix(leak, &f, &meta()).is_empty());
}

#[test]
fn info_without_fix_has_no_fix_clause() {
    let m = meta();
    let mut f = healthy();
    f.cfg.command = 0;
    let out = check(&f);
    let d = out.find("decode-off").unwrap();
    assert_eq!(d.severity(), Severity::Info);
    assert_eq!(fix(d, &f, &m), "");
    assert_eq!(
        line(d, &f, &m),
        "info decode-off device: memory decoding is off; expected until a driver enables the \
         device (pciback then enables it in dom0); evidence: command=0x0000"
    );

    // The same finding after the read probe is an error with a fix.
    f.bars[0].read_probe = Some(u32::MAX);
    let out = check(&f);
    let l = line(out.find("decode-off").unwrap(), &f, &m);
    assert!(
        l.starts_with("error decode-off device: memory decoding is still off"),
        "{l}"
    );
    assert!(
        l.contains("; fix: pciback did not enable the device"),
        "{l}"
    );
    assert!(l.contains("permissive=1 for 0000:03:00.0"), "{l}");
    let r = line(out.find("read-all-ones").unwrap(), &f, &m);
    assert!(
        r.starts_with(
            "error read-all-ones BAR0: dword 0 reads 0xffffffff through a mapping Xen accepted"
        ),
        "{r}"
    );
    assert!(
        r.contains("; evidence: dword0=0xffffffff; fix: on dom0: check lspci -vv -s 0000:03:00.0"),
        "{r}"
    );
}

#[test]
fn catalogue_covers_every_code() {
    let mut seen: Vec<&str> = catalogue().iter().flat_map(|f| codes(&check(f))).collect();
    let dom0 = irq_dma::DOM0_KINDS.map(|kind| checks::Finding { bar: None, kind }.code());
    seen.extend(dom0);
    seen.sort_unstable();
    seen.dedup();
    let mut all: Vec<&str> = checks::all_codes().collect();
    all.sort_unstable();
    assert_eq!(seen, all);
}

#[test]
fn line_format_for_every_finding() {
    let m = meta();
    for facts in catalogue() {
        for f in check(&facts).iter() {
            let l = line(f, &facts, &m);
            let head = format!("{} {} {}: ", f.severity().as_str(), f.code(), scope(f));
            assert!(l.starts_with(&head), "{l}");
            let mut what = String::new();
            write_what(&mut what, f).unwrap();
            let ev = evidence(f, &facts);
            let fx = fix(f, &facts, &m);
            let want = if fx.is_empty() {
                format!("{head}{what}; evidence: {ev}")
            } else {
                format!("{head}{what}; evidence: {ev}; fix: {fx}")
            };
            assert_eq!(l, want);
            assert!(!what.is_empty());
            assert!(!l.contains('\n'));
            // Every problem comes with a fix; context and passed checks do not.
            assert_eq!(!fx.is_empty(), wants_fix(f), "{l}");
            assert_eq!(l.contains("; fix: "), wants_fix(f), "{l}");
        }
    }
}

#[test]
fn bar_at_top_of_address_space_is_worded_without_overflow() {
    let mut f = healthy_at_top();
    let start = TOP_BAR_START;
    f.bars[0].verdict = Some(all_mapped_at(start >> PAGE_SHIFT, 256));
    f.ctx.phys_bits = 0;
    let m = meta();
    assert_eq!(
        lines(&f, &m)[1],
        "info ok BAR0: usable; evidence: mem [0xfffffffffff00000-0xffffffffffffffff] 1 MiB \
         64-bit prefetchable, Xen maps all 256 frames, every frame tested (256 trial mappings in \
         1 hypercall(s))"
    );
    f.bars[0].verdict = Some(scan_model(start >> PAGE_SHIFT, 256, |i| {
        if i == 255 {
            DENIED
        } else {
            M
        }
    }));
    let out = check(&f);
    let fx = fix(out.find("xen-eperm").unwrap(), &f, &m);
    assert!(fx.contains("iomem=['fffffffffffff,1']"), "{fx}");
    assert!(
        lines(&f, &m)[1].contains("refused 1: 0xfffffffffffff (-EPERM)"),
        "{}",
        lines(&f, &m)[1]
    );
    json_report(&f, &out, &m);
}

/// printk keeps about 1,000 bytes of a record: the longest line the report can write, a 64-bit
/// BAR at the top of a 52-bit address space whose every kind of answer comes in more runs than
/// are kept, with the longest refusal code and the iomem fix, must fit with its `dev_*` prefix.
#[test]
fn longest_line_fits_a_printk_record() {
    const PREFIX: usize = "pcifront_diag 0000:00:00.0: ".len();
    let start = 0x000f_ffff_0000_0000_u64;
    let len = 1 << 30;
    let mut f = healthy();
    f.cfg.bars[0] = (start as u32) | 0xc;
    f.cfg.bars[1] = (start >> 32) as u32;
    f.bars[0].res = mem_res(
        start,
        len,
        IORESOURCE_MEM | IORESOURCE_MEM_64 | IORESOURCE_PREFETCH,
    );
    f.ctx.phys_bits = 52;
    // Alternating answers: granted, -EINVAL, read-only, -EBUSY, ... in runs of 3 frames.
    let answers = [Trial::Mapped, Trial::Refused(EINVAL), Trial::ReadOnly, BUSY];
    f.bars[0].verdict = Some(scan_model(start >> 12, len >> 12, |i| {
        answers[((i / 3) % 4) as usize]
    }));
    let out = check(&f);
    let longest = out
        .iter()
        .map(|finding| line(finding, &f, &meta()).len())
        .max()
        .unwrap();
    assert!(
        PREFIX + longest < 1000,
        "a {longest}-byte line does not fit a printk record: {}",
        out.iter()
            .map(|finding| line(finding, &f, &meta()))
            .max_by_key(|l| l.len())
            .unwrap()
    );
}
