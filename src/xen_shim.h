/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcifront-diag C shim: the few Xen facts and hypercalls that are static
 * inlines or macros in C and therefore out of reach for Rust. Mirrored by
 * src/xen.rs; keep both in sync.
 */
#ifndef PFD_XEN_SHIM_H
#define PFD_XEN_SHIM_H

#include <linux/types.h>

/* Where the device sits. */
struct pfd_xen_ctx {
	u8 xen_pv;		/* xen_pv_domain() */
	u8 initial_domain;	/* xen_initial_domain() */
	u8 pcifront;		/* host bridge parent is the pcifront xenbus device */
	u8 phys_bits;		/* boot_cpu_data.x86_phys_bits */
	s32 backend_domid;	/* xenbus otherend_id, -1 if unknown */
	u32 pci_domain;		/* pci_domain_nr() */
	u64 ram_pages;		/* xen_start_info->nr_pages, 0 if not PV */
};

/* p2m classification of one pfn (pfd_p2m_lookup()). */
#define PFD_P2M_IDENTITY	0	/* identity frame for the same pfn */
#define PFD_P2M_INVALID		1	/* INVALID_P2M_ENTRY */
#define PFD_P2M_FOREIGN		2	/* another domain's frame */
#define PFD_P2M_OTHER		3	/* a different mfn (guest RAM) */

/* Answer for one frame of pfd_trial_batch(), or Xen's negative error. */
#define PFD_TRIAL_MAPPED	0	/* mapped as asked */
#define PFD_TRIAL_READ_ONLY	1	/* mapped without _PAGE_RW */

/* Scratch slots for batched trial mappings; private to xen_shim.c. */
struct pfd_scratch;

/* What the guest knows of a device's interrupts without config reads. */
struct pfd_irq_info {
	u8 msi_cap;		/* pdev->msi_cap: MSI capability offset, 0 if none */
	u8 msix_cap;		/* pdev->msix_cap */
	u8 pad[2];
};

/* The device's DMA path (pfd_dma_facts()). */
struct pfd_dma_info {
	u64 mask;		/* dma_get_mask() */
	u64 coherent_mask;	/* dev->coherent_dma_mask */
	u64 pool_bytes;		/* the bounce pool's size, 0 if none */
	u64 pool_used;		/* bytes in use, U64_MAX if not counted */
	u64 frames_checked;	/* guest RAM frames looked up in the p2m */
	u64 frames_above;	/* of those, frames above mask in machine addresses */
	u64 max_mfn;		/* highest machine frame seen */
	u8 swiotlb_xen;		/* dma_map_ops are xen_swiotlb_dma_ops' */
	u8 other_ops;		/* the device has dma_map_ops (any) */
	u8 sampled;		/* frames_checked is a sample of the p2m */
	u8 pad[5];
};

/* The DMA trial's streaming mapping (pfd_dma_map_trial()). */
struct pfd_dma_map_trial {
	u64 bus;		/* dma_map_page()'s bus address */
	u64 phys;		/* the page's pseudo-physical address */
	u64 machine;		/* the page's machine address (p2m) */
	s32 rc;			/* 0, dma_mapping_error()'s errno, -ENOMEM: no page */
	u32 pages_tried;	/* pages allocated to find one above the mask */
	u8 in_pool;		/* the bus address lies in the bounce pool */
	u8 above_mask;		/* the page's machine frame lies above the mask */
	u8 pad[6];
};

int pfd_xen_context(void *pdev, struct pfd_xen_ctx *out);
int pfd_backend_bdf_of(void *pdev, char *out, u32 len);
int pfd_irq_info(void *pdev, struct pfd_irq_info *out);
int pfd_irq_from_gsi(u32 gsi);
int pfd_pirq_from_irq(u32 irq);
int pfd_nr_pirqs(u32 *hypercalls);
int pfd_pirq_bind_test(u32 pirq, u32 *hypercalls);
int pfd_dma_facts(void *pdev, u64 max_lookups, struct pfd_dma_info *out);
int pfd_disable_msix_backend(void *pdev);
int pfd_dma_map_trial(void *pdev, struct pfd_dma_map_trial *out);
u64 pfd_virt_to_machine(const void *vaddr);
u64 pfd_virt_to_phys(const void *vaddr);
int pfd_p2m_lookup(u64 pfn, u64 *raw);
int pfd_ram_overlap(u64 start, u64 end);
int pfd_scratch_new(u32 slots, struct pfd_scratch **out);
int pfd_trial_batch(struct pfd_scratch *s, const u64 *pfns, s32 *answers, u32 n);
int pfd_scratch_restore(struct pfd_scratch *s);
void pfd_scratch_free(struct pfd_scratch *s);
void pfd_cond_resched(void);

#endif /* PFD_XEN_SHIM_H */
