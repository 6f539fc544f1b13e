//! The fixes: the xl.cfg option, dom0 setting or command each problem names.

use crate::common::*;
use crate::support::*;
use pcifront_diag_core::diag::checks::{check, Finding, Kind};
use pcifront_diag_core::diag::facts::*;
use pcifront_diag_core::diag::report::Meta;

/// The `iomem=` a xen-eperm fix names: each refused range, or the whole BAR.
mod iomem {
    use crate::common::*;
    use crate::support::*;
    use pcifront_diag_core::diag::checks::check;
    use pcifront_diag_core::diag::facts::*;

    /// The `iomem=` a xen-eperm fix names.
    struct IomemCase {
        facts: fn() -> DeviceFacts,
        iomem: &'static str,
    }

    /// One `#[test]` per [`IomemCase`] (`name => IomemCase { .. },`): the whole xen-eperm fix.
    macro_rules! iomem_cases {
        ($($(#[$doc:meta])* $name:ident => $case:expr,)*) => {$(
            $(#[$doc])*
            #[test]
            fn $name() {
                let c: IomemCase = $case;
                let facts = (c.facts)();
                let out = check(&facts);
                let f = out
                    .find("xen-eperm")
                    .unwrap_or_else(|| panic!("no xen-eperm in {:?}", codes(&out)));
                assert_eq!(
                    fix(f, &facts, &meta()),
                    format!(
                        "pass the device with pci=['0000:03:00.0'] in xl.cfg or xl \
                         pci-attach so the toolstack grants its BARs, or grant the refused \
                         frames: {} in xl.cfg; verify on dom0 with xl debug-keys q; xl dmesg \
                         (I/O Memory)",
                        c.iomem
                    )
                );
            }
        )*};
    }

    iomem_cases! {
        /// The 2009 case: the whole BAR is one range
        the_2009_case_the_whole_bar_is_one_range => IomemCase {
            facts: case_2009,
            iomem: "iomem=['fea00,100']",
        },
        /// A 16-frame hole
        a_16_frame_hole => IomemCase {
            facts: || healthy_with(|i| if (0x80..0x90).contains(&i) { DENIED } else { M }),
            iomem: "iomem=['fea80,10']",
        },
        /// Two holes: two entries
        two_holes_two_entries => IomemCase {
            facts: || {
                healthy_with(|i| {
                    if (0x10..0x20).contains(&i) || i == 0x80 {
                        DENIED
                    } else {
                        M
                    }
                })
            },
            iomem: "iomem=['fea10,10','fea80,1']",
        },
        /// The last frame revoked
        the_last_frame_revoked => IomemCase {
            facts: || healthy_with(|i| if i == 0xff { DENIED } else { M }),
            iomem: "iomem=['feaff,1']",
        },
        /// As many ranges as kept: each named
        as_many_ranges_as_kept_each_named => IomemCase {
            facts: || healthy_with(|i| if i % 86 == 0 { DENIED } else { M }),
            iomem: "iomem=['fea00,1','fea56,1','feaac,1']",
        },
        /// More ranges than kept: the whole BAR
        more_ranges_than_kept_the_whole_bar => IomemCase {
            facts: || healthy_with(|i| if i % 16 == 15 { DENIED } else { M }),
            iomem: "iomem=['fea00,100']",
        },
        /// Sampled, all refused: the whole BAR
        sampled_all_refused_the_whole_bar => IomemCase {
            facts: || sampled_with(|_| DENIED),
            iomem: "iomem=['fea00,100']",
        },
        /// Sampled, a hole: the whole BAR, not the sampled frames
        sampled_a_hole_the_whole_bar_not_the_sampled_frames => IomemCase {
            facts: || sampled_with(|i| if (0x80..0x90).contains(&i) { DENIED } else { M }),
            iomem: "iomem=['fea00,100']",
        },
        /// A 16 KiB BAR not aligned to a frame spans 5 frames
        a_16_kib_bar_not_aligned_to_a_frame_spans_5_frames => IomemCase {
            facts: || {
                let mut f = healthy();
                f.cfg.bars[0] = 0xfea0_0800;
                f.bars[0].res = mem_res(0xfea0_0800, 0x4000, IORESOURCE_MEM);
                f.bars[0].verdict = Some(scan_model(BAR0_PFN, 5, |_| DENIED));
                f
            },
            iomem: "iomem=['fea00,5']",
        },

    }
}

#[test]
fn iomem_fix_without_a_verdict_uses_the_resource() {
    // A refusal finding for a BAR the facts hold no verdict for: the frames of the resource.
    let mut facts = healthy();
    facts.bars[0].verdict = None;
    let f = Finding {
        bar: Some(0),
        kind: Kind::XenRefused {
            pfn: 0xfea10,
            rc: EPERM,
            refused: 1,
            tested: 1,
            frames: 256,
        },
    };
    let fx = fix(&f, &facts, &meta());
    assert!(fx.contains(": iomem=['fea00,100'] in xl.cfg"), "{fx}");
    assert_eq!(evidence(&f, &facts), "xen_rc=-1 (-EPERM) Xen not asked");

    // No length (though still flagged memory): the one
    // refused frame the finding names.
    facts.bars[0].res = Resource {
        start: 0,
        end: 0,
        flags: IORESOURCE_MEM,
        claimed: true,
    };
    let fx = fix(&f, &facts, &meta());
    assert!(fx.contains(": iomem=['fea10,1'] in xl.cfg"), "{fx}");
}

#[test]
fn iomem_fix_after_an_aborted_scan_grants_the_whole_bar() {
    // write_iomem: "each refused range when all are known, else the whole BAR". After a failed
    // batch, frames 64-255 were never asked: granting 0xfea10-0xfea1f may not be enough.
    let facts = aborted_with(|i| if (0x10..0x20).contains(&i) { DENIED } else { M });
    let out = check(&facts);
    let fx = fix(out.find("xen-eperm").unwrap(), &facts, &meta());
    assert!(fx.contains("iomem=['fea00,100']"), "{fx}");
}

#[test]
fn fix_without_backend_bdf_uses_placeholder() {
    let f = case_2009();
    let m = Meta {
        backend_bdf: None,
        ..meta()
    };
    let out = check(&f);
    let fx = fix(out.find("xen-eperm").unwrap(), &f, &m);
    assert!(fx.contains("pci=['<dom0 BDF>']"), "{fx}");
}
