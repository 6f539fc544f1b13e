// SPDX-License-Identifier: GPL-2.0
/*
 * pcifront-diag C shim: Xen PV facts and the trial mapping.
 *
 * Only what Rust cannot reach lives here: xen_pv_domain() and friends are
 * macros, __pfn_to_mfn(), mfn_pte() and HYPERVISOR_update_va_mapping() are
 * static inlines, and xenbus.h is not in the kernel's Rust bindings. All
 * decisions are taken in Rust (src/diag/).
 */

#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/minmax.h>
#include <linux/gfp.h>
#include <linux/sched.h>
#include <linux/kallsyms.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/swiotlb.h>
#include <asm/processor.h>

#ifdef CONFIG_XEN_PV
#include <asm/e820/api.h>
#include <asm/pgtable.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/events.h>
#include <xen/interface/physdev.h>
#include <xen/interface/event_channel.h>
#include <asm/xen/pci.h>
#endif

#include "xen_shim.h"

/* The Rust module! macro has no version field. */
MODULE_VERSION(PFD_VERSION);

/* The layout src/xen.rs mirrors (RawCtx) and asserts the same way. */
static_assert(sizeof(struct pfd_xen_ctx) == 24);
static_assert(offsetof(struct pfd_xen_ctx, backend_domid) == 4);
static_assert(offsetof(struct pfd_xen_ctx, pci_domain) == 8);
static_assert(offsetof(struct pfd_xen_ctx, ram_pages) == 16);
static_assert(sizeof(struct pfd_irq_info) == 4);
static_assert(sizeof(struct pfd_dma_info) == 64);
static_assert(offsetof(struct pfd_dma_info, swiotlb_xen) == 56);
static_assert(offsetof(struct pfd_dma_info, sampled) == 58);
static_assert(sizeof(struct pfd_dma_map_trial) == 40);
static_assert(offsetof(struct pfd_dma_map_trial, in_pool) == 32);

#ifdef CONFIG_XEN_PV
/* Does pciback's "vdev-@i" hold @pdev's address ("%04x:%02x:%02x.%02x")? */
static bool pfd_vdev_is(struct xenbus_device *xdev, struct pci_dev *pdev,
			unsigned int i)
{
	unsigned int dom, bus, slot, func;
	char node[16];

	snprintf(node, sizeof(node), "vdev-%u", i);
	return xenbus_scanf(XBT_NIL, xdev->otherend, node, "%x:%x:%x.%x",
			    &dom, &bus, &slot, &func) == 4 &&
	       dom == pci_domain_nr(pdev->bus) && bus == pdev->bus->number &&
	       PCI_DEVFN(slot, func) == pdev->devfn;
}

/*
 * Find dom0's BDF for @pdev among the pciback nodes: "vdev-N" holds the
 * guest's address, "dev-N" dom0's. pciback's default (vpci) mode gives the
 * N-th device virtual slot N, so entry PCI_SLOT() is asked first: each
 * xenstore read is a round trip to dom0 that the probe waits for. Every
 * other entry is asked if that one does not match.
 */
static void pfd_backend_bdf(struct xenbus_device *xdev, struct pci_dev *pdev,
			    char *out, size_t len)
{
	unsigned int i = PCI_SLOT(pdev->devfn), n;
	char node[16];
	char *d;

	if (!pfd_vdev_is(xdev, pdev, i)) {
		n = min(xenbus_read_unsigned(xdev->otherend, "num_devs", 0), 256U);
		for (i = 0; i < n; i++)
			if (i != PCI_SLOT(pdev->devfn) && pfd_vdev_is(xdev, pdev, i))
				break;
		if (i == n)
			return;
	}
	snprintf(node, sizeof(node), "dev-%u", i);
	d = xenbus_read(XBT_NIL, xdev->otherend, node, NULL);
	if (!IS_ERR(d)) {
		strscpy(out, d, len);
		kfree(d);
	}
}

/* The pcifront xenbus device @dev hangs off, or NULL. */
static struct xenbus_device *pfd_pcifront_of(struct pci_dev *dev)
{
	struct pci_host_bridge *br = pci_find_host_bridge(dev->bus);
	struct device *parent = br ? br->dev.parent : NULL;

	if (parent && parent->driver && parent->driver->name &&
	    !strcmp(parent->driver->name, "pcifront"))
		return to_xenbus_device(parent);
	return NULL;
}
#endif

/**
 * pfd_xen_context() - where does @pdev sit?
 * @pdev: the bound &struct pci_dev (as void *: Rust passes an opaque pointer)
 * @out: filled with the facts; backend_domid -1 if unknown
 *
 * Return: 0.
 */
int pfd_xen_context(void *pdev, struct pfd_xen_ctx *out)
{
	struct pci_dev *dev = pdev;

	memset(out, 0, sizeof(*out));
	out->backend_domid = -1;
	out->pci_domain = pci_domain_nr(dev->bus);
	out->phys_bits = boot_cpu_data.x86_phys_bits;
#ifdef CONFIG_XEN_PV
	out->xen_pv = xen_pv_domain();
	out->initial_domain = xen_initial_domain();
	if (xen_pv_domain() && xen_start_info)
		out->ram_pages = xen_start_info->nr_pages;
	if (xen_pv_domain() && !xen_initial_domain()) {
		struct xenbus_device *xdev = pfd_pcifront_of(dev);

		if (xdev) {
			out->pcifront = 1;
			out->backend_domid = xdev->otherend_id;
		}
	}
#endif
	return 0;
}

/**
 * pfd_backend_bdf_of() - dom0's name for @pdev, from pciback's xenstore nodes
 * @pdev: the bound &struct pci_dev
 * @out: the BDF ("0000:00:04.0"), NUL-terminated; "" if unknown
 * @len: size of @out
 *
 * One xenstore read in the usual case, each a round trip to dom0: the probe
 * asks only when a finding's fix names the device in dom0.
 *
 * Context: process context, may sleep (xenbus reads).
 * Return: 0.
 */
int pfd_backend_bdf_of(void *pdev, char *out, u32 len)
{
	if (len)
		out[0] = '\0';
#ifdef CONFIG_XEN_PV
	if (xen_pv_domain() && !xen_initial_domain()) {
		struct pci_dev *dev = pdev;
		struct xenbus_device *xdev = pfd_pcifront_of(dev);

		if (xdev && xdev->otherend)
			pfd_backend_bdf(xdev, dev, out, len);
	}
#endif
	return 0;
}

/**
 * pfd_irq_info() - the MSI and MSI-X capability offsets the PCI core found
 * @pdev: the bound &struct pci_dev
 * @out: filled in; 0 for a capability the device lacks
 *
 * Return: 0.
 */
int pfd_irq_info(void *pdev, struct pfd_irq_info *out)
{
	struct pci_dev *dev = pdev;

	memset(out, 0, sizeof(*out));
#ifdef CONFIG_PCI_MSI
	out->msi_cap = dev->msi_cap;
	out->msix_cap = dev->msix_cap;
#endif
	return 0;
}

/**
 * pfd_irq_from_gsi() - the guest irq bound to pirq/GSI @gsi
 * @gsi: the interrupt line pciback shows (the pirq in a PV domU)
 *
 * Return: the irq, or a negative value if nothing bound it (or not Xen PV).
 */
int pfd_irq_from_gsi(u32 gsi)
{
#ifdef CONFIG_XEN_PV
	if (xen_pv_domain())
		return xen_irq_from_gsi(gsi);
#endif
	return -ENODEV;
}

/**
 * pfd_pirq_from_irq() - the pirq behind guest irq @irq
 * @irq: a guest irq (an MSI/MSI-X vector's)
 *
 * Return: the pirq, 0 if @irq has none (or not Xen PV).
 */
int pfd_pirq_from_irq(u32 irq)
{
#ifdef CONFIG_XEN_PV
	if (xen_pv_domain())
		return xen_pirq_from_irq(irq);
#endif
	return 0;
}

#ifdef CONFIG_XEN_PV
/* Does Xen answer PHYSDEVOP_irq_status_query for @pirq (i.e. is it below nr_pirqs)? */
static bool pfd_pirq_exists(u32 pirq, u32 *hypercalls)
{
	struct physdev_irq_status_query q = { .irq = pirq };

	(*hypercalls)++;
	return HYPERVISOR_physdev_op(PHYSDEVOP_irq_status_query, &q) == 0;
}
#endif

/* Above any nr_pirqs Xen allows: its pirq space ends at nr_irqs, at most 32768. */
#define PFD_PIRQ_CEILING (1U << 16)

/**
 * pfd_nr_pirqs() - this PV domain's pirq count (Xen's d->nr_pirqs)
 * @hypercalls: incremented by the hypercalls spent (about 17)
 *
 * Xen answers PHYSDEVOP_irq_status_query for every pirq below nr_pirqs and
 * fails it with -EINVAL at and above it; the query only reads. A binary
 * search between 0 and PFD_PIRQ_CEILING finds the boundary.
 *
 * Return: nr_pirqs (PFD_PIRQ_CEILING if even that pirq answers), or
 * -ENODEV outside a PV domU.
 */
int pfd_nr_pirqs(u32 *hypercalls)
{
#ifdef CONFIG_XEN_PV
	u32 lo = 0, hi = PFD_PIRQ_CEILING, mid;

	if (!xen_pv_domain() || xen_initial_domain())
		return -ENODEV;
	if (!pfd_pirq_exists(0, hypercalls))
		return 0;
	if (pfd_pirq_exists(hi, hypercalls))
		return hi;
	/* pirq lo exists, pirq hi does not. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (pfd_pirq_exists(mid, hypercalls))
			lo = mid;
		else
			hi = mid;
	}
	return hi;
#else
	return -ENODEV;
#endif
}

/**
 * pfd_pirq_bind_test() - may this PV domU bind pirq @pirq (Xen's answer)?
 * @pirq: the pirq (for INTx the GSI pciback shows as the interrupt line)
 * @hypercalls: incremented by the hypercalls spent (1 or 2)
 *
 * Xen's evtchn_bind_pirq() (common/event_channel.c) checks, before it takes
 * a lock or changes anything, that the pirq is below nr_pirqs (-EINVAL) and
 * that the domain may use it: pirq_access_permitted(), the pirq mapped to an
 * IRQ in the domain's Interrupts rangeset (-EPERM). A pirq this guest has
 * bound already gives -EEXIST. Only a pirq that passes and is unbound is
 * bound, and its port closed at once: the port is masked in the guest (Linux
 * starts every port masked and masks each before closing it), so no handler
 * runs, and Xen holds a level-triggered line masked until the guest's EOI,
 * which the close ends (pirq_guest_unbind()).
 * WILL_SHARE: a line dom0 or another guest shares is joined, not refused.
 *
 * Return: 0 (bound and closed again), or Xen's negative error.
 */
int pfd_pirq_bind_test(u32 pirq, u32 *hypercalls)
{
#ifdef CONFIG_XEN_PV
	struct evtchn_bind_pirq bind = {
		.pirq = pirq,
		.flags = BIND_PIRQ__WILL_SHARE,
	};
	struct evtchn_close close = { 0 };
	int rc;

	if (!xen_pv_domain() || xen_initial_domain())
		return -ENODEV;
	(*hypercalls)++;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &bind);
	if (rc)
		return rc;
	close.port = bind.port;
	(*hypercalls)++;
	/* Closing a port this call just bound fails only if it is gone already. */
	(void)HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
	return 0;
#else
	return -ENODEV;
#endif
}

/*
 * Are @ops xen_swiotlb_dma_ops? That object is not exported, and kallsyms
 * knows data symbols only with CONFIG_KALLSYMS_ALL: ask for the name of its
 * ->alloc, a function, instead.
 */
static bool pfd_ops_are_swiotlb_xen(const struct dma_map_ops *ops)
{
	char *name;
	bool yes;

	if (!ops->alloc)
		return false;
	name = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	if (!name)
		return false;
	sprint_symbol_no_offset(name, (unsigned long)ops->alloc);
	yes = !strcmp(name, "xen_swiotlb_alloc_coherent");
	kfree(name);
	return yes;
}

/**
 * pfd_disable_msix_backend() - ask pciback to disable MSI-X for @pdev
 * @pdev: the bound &struct pci_dev, MSI-X vectors already freed
 *
 * Linux 7.3's pci_msix_shutdown() clears dev->msix_enabled before the MSI
 * domain frees the vectors, so xen_pv_teardown_msi_irqs() sends pcifront's
 * disable_msi op instead of disable_msix, and pciback leaves MSI-X enabled
 * in dom0. This sends the op the teardown should have sent.
 *
 * Return: 0, or -ENODEV without pcifront's MSI ops.
 */
int pfd_disable_msix_backend(void *pdev)
{
#if defined(CONFIG_XEN_PV) && defined(CONFIG_PCI_MSI) && defined(CONFIG_PCI_XEN)
	if (xen_pci_frontend && xen_pci_frontend->disable_msix) {
		xen_pci_frontend->disable_msix(pdev);
		return 0;
	}
#endif
	return -ENODEV;
}

#ifdef CONFIG_XEN_PV
/*
 * Guest RAM frames against @mask in machine addresses: every frame of the
 * p2m, or every S-th for a guest of more than @max_lookups frames.
 */
static void pfd_ram_vs_mask(u64 mask, u64 max_lookups, struct pfd_dma_info *out)
{
	unsigned long pfn, mfn, size = xen_p2m_size;
	unsigned long stride = 1;
	u64 n = 0;

	if (max_lookups && size > max_lookups)
		stride = DIV_ROUND_UP(size, max_lookups);
	out->sampled = stride > 1;
	for (pfn = 0; pfn < size; pfn += stride) {
		if (++n % 4096 == 0)
			cond_resched();
		mfn = __pfn_to_mfn(pfn);
		/* Holes, I/O frames and other domains' pages are not our RAM. */
		if (mfn == INVALID_P2M_ENTRY ||
		    (mfn & (IDENTITY_FRAME_BIT | FOREIGN_FRAME_BIT)))
			continue;
		out->frames_checked++;
		out->max_mfn = max_t(u64, out->max_mfn, mfn);
		if (((u64)mfn << PAGE_SHIFT) + PAGE_SIZE - 1 > mask)
			out->frames_above++;
	}
}
#endif

#if defined(CONFIG_SWIOTLB) && !defined(CONFIG_SWIOTLB_DYNAMIC)
/*
 * kernel/dma/swiotlb.c's private struct io_tlb_area, as Linux 7.3 has it.
 * Its per-area count of used slots is the only count 7.3 keeps unless booted
 * with swiotlb=track_hiwater (mem->total_used stays 0 otherwise), and the one
 * the kernel's own 'swiotlb buffer is full ... used %lu (slots)' reads.
 */
struct pfd_io_tlb_area {
	unsigned long used;
	unsigned int index;
	spinlock_t lock;
};

/* Bytes in use in @pool, or U64_MAX if the count is not a believable one. */
static u64 pfd_pool_used(const struct io_tlb_pool *pool)
{
	const struct pfd_io_tlb_area *areas = (const void *)pool->areas;
	unsigned long used = 0;
	unsigned int i;

	if (!areas)
		return pool->nslabs ? U64_MAX : 0;
	/* Unlocked, as the kernel's own count: an approximation under load. */
	for (i = 0; i < pool->nareas; i++)
		used += READ_ONCE(areas[i].used);
	return used <= pool->nslabs ? (u64)used << IO_TLB_SHIFT : U64_MAX;
}
#elif defined(CONFIG_SWIOTLB)
/* A dynamic swiotlb has more pools than the default one: not counted. */
static u64 pfd_pool_used(const void *pool)
{
	return U64_MAX;
}
#endif

/**
 * pfd_dma_facts() - the DMA path of @pdev
 * @pdev: the bound &struct pci_dev
 * @max_lookups: most p2m entries to look at (larger guests are sampled)
 * @out: filled in
 *
 * Context: process context (may sleep).
 * Return: 0.
 */
int pfd_dma_facts(void *pdev, u64 max_lookups, struct pfd_dma_info *out)
{
	struct pci_dev *pci = pdev;
	struct device *dev = &pci->dev;
	const struct dma_map_ops *ops = get_dma_ops(dev);

	memset(out, 0, sizeof(*out));
	out->mask = dma_get_mask(dev);
	out->coherent_mask = dev->coherent_dma_mask;
	out->pool_used = U64_MAX;
	out->other_ops = ops != NULL;
	out->swiotlb_xen = ops && pfd_ops_are_swiotlb_xen(ops);
#ifdef CONFIG_SWIOTLB
	if (dev->dma_io_tlb_mem) {
		struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

		out->pool_bytes = (u64)mem->nslabs << IO_TLB_SHIFT;
		out->pool_used = pfd_pool_used(&mem->defpool);
	}
#endif
#ifdef CONFIG_XEN_PV
	if (xen_pv_domain())
		pfd_ram_vs_mask(out->mask, max_lookups, out);
#endif
	return 0;
}

/* The machine address of @page: its pseudo-physical one outside a PV guest. */
static u64 pfd_page_machine(struct page *page)
{
#ifdef CONFIG_XEN_PV
	if (xen_pv_domain())
		return (u64)pfn_to_mfn(page_to_pfn(page)) << PAGE_SHIFT;
#endif
	return page_to_phys(page);
}

static struct page *pfd_virt_page(const void *vaddr)
{
	return is_vmalloc_addr(vaddr) ? vmalloc_to_page(vaddr) : virt_to_page(vaddr);
}

/**
 * pfd_virt_to_machine() - the machine address of a buffer the DMA API gave
 * @vaddr: a page-aligned kernel virtual address (direct map or vmalloc)
 *
 * Return: the machine address of its page (the p2m's, after any exchange).
 */
u64 pfd_virt_to_machine(const void *vaddr)
{
	return pfd_page_machine(pfd_virt_page(vaddr));
}

/**
 * pfd_virt_to_phys() - the pseudo-physical address of such a buffer
 * @vaddr: as for pfd_virt_to_machine()
 *
 * Return: its page's pseudo-physical address.
 */
u64 pfd_virt_to_phys(const void *vaddr)
{
	return page_to_phys(pfd_virt_page(vaddr));
}

/*
 * Does @bus, a bus address the DMA API returned for @dev, lie in the bounce
 * pool? A PV guest's bus addresses are machine addresses: translated back
 * through the m2p (bfn_to_local_pfn() refuses frames not ours) first.
 */
static bool pfd_bus_in_pool(struct device *dev, dma_addr_t bus)
{
#ifdef CONFIG_SWIOTLB
	phys_addr_t paddr = bus;

#ifdef CONFIG_XEN_PV
	if (xen_pv_domain()) {
		unsigned long pfn = bfn_to_local_pfn(PFN_DOWN(bus));

		if (!pfn_valid(pfn))
			return false;
		paddr = PFN_PHYS(pfn) | offset_in_page(bus);
	}
#endif
	return swiotlb_find_pool(dev, paddr) != NULL;
#else
	return false;
#endif
}

/* Pages allocated at most to find one whose machine frame is above the mask. */
#define PFD_DMA_TRIAL_PAGES 32

/*
 * Allocate pages into @pages until one's machine frame lies above @mask.
 * Return: how many were allocated; the last one is above the mask if any is.
 */
static unsigned int pfd_trial_pages(struct page **pages, u64 mask)
{
	unsigned int n = 0;

	while (n < PFD_DMA_TRIAL_PAGES) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);

		if (!page)
			break;
		pages[n++] = page;
		if (pfd_page_machine(page) + PAGE_SIZE - 1 > mask)
			break;
	}
	return n;
}

/**
 * pfd_dma_map_trial() - one streaming mapping of one page for @pdev
 * @pdev: the bound &struct pci_dev (bus mastering off: nothing reaches it)
 * @out: the bus address, the page's addresses, whether it bounced; or rc
 *
 * Maps, as a driver's dma_map_page(DMA_TO_DEVICE) does, a zeroed page whose
 * machine frame lies above the device's mask if one of the first
 * PFD_DMA_TRIAL_PAGES allocated does (that mapping needs the bounce pool),
 * else the first; then unmaps it and frees every page. A failed mapping logs
 * the kernel's own line ("swiotlb buffer is full", ...), as a driver's would.
 *
 * Context: process context, may sleep.
 * Return: 0.
 */
int pfd_dma_map_trial(void *pdev, struct pfd_dma_map_trial *out)
{
	struct device *dev = &((struct pci_dev *)pdev)->dev;
	struct page *pages[PFD_DMA_TRIAL_PAGES];
	u64 mask = dma_get_mask(dev);
	unsigned int n, i;
	struct page *page;
	dma_addr_t bus;

	memset(out, 0, sizeof(*out));
	n = pfd_trial_pages(pages, mask);
	out->pages_tried = n;
	if (!n) {
		out->rc = -ENOMEM;
		return 0;
	}
	page = pages[n - 1];
	if (pfd_page_machine(page) + PAGE_SIZE - 1 <= mask)
		page = pages[0];
	out->phys = page_to_phys(page);
	out->machine = pfd_page_machine(page);
	out->above_mask = out->machine + PAGE_SIZE - 1 > mask;
	bus = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	out->rc = dma_mapping_error(dev, bus);
	if (!out->rc) {
		out->bus = bus;
		out->in_pool = pfd_bus_in_pool(dev, bus);
		dma_unmap_page(dev, bus, PAGE_SIZE, DMA_TO_DEVICE);
	}
	for (i = 0; i < n; i++)
		__free_page(pages[i]);
	return 0;
}

/**
 * pfd_p2m_lookup() - classify the p2m entry of @pfn
 * @pfn: guest pseudo-physical frame
 * @raw: the raw __pfn_to_mfn() value, flag bits included
 *
 * Return: PFD_P2M_* (identity outside a PV guest).
 */
int pfd_p2m_lookup(u64 pfn, u64 *raw)
{
#ifdef CONFIG_XEN_PV
	unsigned long m;

	if (xen_pv_domain()) {
		m = __pfn_to_mfn(pfn);
		*raw = m;
		if (m == INVALID_P2M_ENTRY)
			return PFD_P2M_INVALID;
		if (m & FOREIGN_FRAME_BIT)
			return PFD_P2M_FOREIGN;
		if ((m & ~IDENTITY_FRAME_BIT) == pfn)
			return PFD_P2M_IDENTITY;
		return PFD_P2M_OTHER;
	}
#endif
	*raw = pfn;
	return PFD_P2M_IDENTITY;
}

/**
 * pfd_ram_overlap() - does [@start, @end] touch guest RAM?
 * @start: first byte
 * @end: last byte
 *
 * Checks the resource tree (System RAM) and, in a PV guest, the e820 table
 * the guest was built with. An @end of U64_MAX is checked up to U64_MAX - 1:
 * the sizes below would wrap to 0 and skip the check.
 *
 * Return: 1 if it overlaps, 0 if not (also for an empty range).
 */
int pfd_ram_overlap(u64 start, u64 end)
{
	if (end < start)
		return 0;
	end = min(end, U64_MAX - 1);
	if (region_intersects(start, end - start + 1, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT)
		return 1;
#ifdef CONFIG_XEN_PV
	if (e820__mapped_any(start, end + 1, E820_TYPE_RAM))
		return 1;
#endif
	return 0;
}

#ifdef CONFIG_XEN_PV
/*
 * Scratch slots for batched trial mappings: one private page vmap()ed
 * @slots times, so that each slot has a PTE of its own to lend to Xen.
 */
struct pfd_scratch {
	void *area;			/* the vmap()ed slots, NULL if leaked */
	struct page *page;		/* the page behind every slot */
	pte_t **ptes;			/* slot i's PTE */
	struct multicall_entry *mc;	/* one entry per slot */
	u64 orig;			/* every slot's PTE before any trial */
	u32 slots;			/* batch size */
	u32 used;			/* slots that may point at a BAR frame */
};

static unsigned long pfd_slot_va(const struct pfd_scratch *s, u32 i)
{
	return (unsigned long)s->area + (unsigned long)i * PAGE_SIZE;
}

/*
 * MULTI_update_va_mapping() without its trace_xen_mc_entry() tracepoint,
 * which is not exported to modules.
 */
static void pfd_mc_update_va(struct multicall_entry *mc, unsigned long va,
			     u64 pte, unsigned long flags)
{
	mc->op = __HYPERVISOR_update_va_mapping;
	mc->args[0] = va;
	mc->args[1] = pte;
	mc->args[2] = flags;
}

static void pfd_scratch_release(struct pfd_scratch *s)
{
	if (s->area)
		vunmap(s->area);
	if (s->page)
		__free_page(s->page);
	kvfree(s->ptes);
	kvfree(s->mc);
	kfree(s);
}

static int pfd_scratch_map(struct pfd_scratch *s)
{
	struct page **pages;
	unsigned int level;
	u32 i;

	pages = kvcalloc(s->slots, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < s->slots; i++)
		pages[i] = s->page;
	s->area = vmap(pages, s->slots, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!s->area)
		return -ENOMEM;
	for (i = 0; i < s->slots; i++) {
		s->ptes[i] = lookup_address(pfd_slot_va(s, i), &level);
		if (!s->ptes[i] || level != PG_LEVEL_4K)
			return -EFAULT;
	}
	s->orig = s->ptes[0]->pte;
	return 0;
}
#endif

/**
 * pfd_scratch_new() - set up the scratch slots for batched trial mappings
 * @slots: number of slots, the batch size
 * @out: the new scratch state
 *
 * One private page is vmap()ed @slots times: every slot is a kernel virtual
 * page with its own 4 KiB PTE that a trial mapping can point at a BAR frame,
 * at the cost of one page of RAM (plus page tables) whatever the batch size.
 *
 * Return: 0, -ENODEV outside a PV guest, -ENOMEM, or -EFAULT if a slot is not
 * mapped by a 4 KiB PTE.
 */
int pfd_scratch_new(u32 slots, struct pfd_scratch **out)
{
#ifdef CONFIG_XEN_PV
	struct pfd_scratch *s;
	int rc;

	*out = NULL;
	if (!xen_pv_domain())
		return -ENODEV;
	if (!slots)
		return -EINVAL;
	s = kzalloc_obj(*s, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->slots = slots;
	s->page = alloc_page(GFP_KERNEL);
	s->ptes = kvcalloc(slots, sizeof(*s->ptes), GFP_KERNEL);
	s->mc = kvcalloc(slots, sizeof(*s->mc), GFP_KERNEL);
	rc = s->page && s->ptes && s->mc ? pfd_scratch_map(s) : -ENOMEM;
	if (rc) {
		pfd_scratch_release(s);
		return rc;
	}
	*out = s;
	return 0;
#else
	*out = NULL;
	return -ENODEV;
#endif
}

/**
 * pfd_trial_batch() - ask Xen whether this domain may map each of @n pfns
 * @s: scratch state from pfd_scratch_new()
 * @pfns: the pseudo-physical frames, identity-mapped in the p2m (checked)
 * @answers: per pfn, PFD_TRIAL_MAPPED, PFD_TRIAL_READ_ONLY or Xen's negative
 *           return code
 * @n: at most @s->slots
 *
 * Points slot i's PTE at pfn i's machine frame (uncached, the mfn and flags
 * xen_make_pte() would use for ioremap()), all in one HYPERVISOR_multicall()
 * of update_va_mapping entries. Each entry has its own result, so a refused
 * frame neither stops the batch nor goes through the lazy-MMU multicall path
 * that WARNs. No flush: the slots are never accessed, and the next batch or
 * pfd_scratch_restore() overwrites them. A refused entry leaves its slot as
 * it was, which is why only accepted entries' PTEs are read back.
 *
 * Context: process context; the slots must not be in use by another batch.
 * Return: 0, the multicall's own error (no answer is valid then), or -ERANGE
 * if a pfn is beyond the CPU's physical address width (it would spill into
 * the PTE's flag bits; nothing is asked).
 */
int pfd_trial_batch(struct pfd_scratch *s, const u64 *pfns, s32 *answers, u32 n)
{
#ifdef CONFIG_XEN_PV
	u32 i;
	int rc;

	if (!s->area || n > s->slots)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (pfns[i] >> (boot_cpu_data.x86_phys_bits - PAGE_SHIFT))
			return -ERANGE;
	for (i = 0; i < n; i++) {
		pte_t pte = mfn_pte(pfn_to_mfn(pfns[i]), PAGE_KERNEL_NOCACHE);

		pfd_mc_update_va(&s->mc[i], pfd_slot_va(s, i), pte.pte, UVMF_NONE);
	}
	s->used = max(s->used, n);
	rc = HYPERVISOR_multicall(s->mc, n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		long r = (long)s->mc[i].result;

		if (r)
			answers[i] = r;
		else if (READ_ONCE(s->ptes[i]->pte) & _PAGE_RW)
			answers[i] = PFD_TRIAL_MAPPED;
		else
			answers[i] = PFD_TRIAL_READ_ONLY;
	}
	return 0;
#else
	return -ENODEV;
#endif
}

/**
 * pfd_scratch_restore() - point every used slot back at the scratch page
 * @s: scratch state
 *
 * One multicall restores the original PTEs; its last entry flushes the TLBs
 * of all CPUs, as vunmap() would, since the slots are global kernel mappings.
 *
 * Return: 0, or -EIO if the multicall or any entry failed: the slots may
 * still point at BAR frames, so the area is never unmapped or freed.
 */
int pfd_scratch_restore(struct pfd_scratch *s)
{
#ifdef CONFIG_XEN_PV
	u32 i, n = s->used;

	if (!s->area || !n)
		return 0;
	for (i = 0; i < n; i++)
		pfd_mc_update_va(&s->mc[i], pfd_slot_va(s, i), s->orig,
				 i == n - 1 ? UVMF_TLB_FLUSH | UVMF_ALL : UVMF_NONE);
	if (HYPERVISOR_multicall(s->mc, n))
		goto leak;
	for (i = 0; i < n; i++)
		if (s->mc[i].result)
			goto leak;
	s->used = 0;
	return 0;
leak:
	/*
	 * Never hand slots we could not restore back to vunmap(), nor their
	 * page to the allocator: both stay allocated for good.
	 */
	s->area = NULL;
	s->page = NULL;
	return -EIO;
#else
	return 0;
#endif
}

/**
 * pfd_scratch_free() - unmap and free the scratch slots
 * @s: scratch state from pfd_scratch_new(), or NULL; after a failed restore
 *     only the bookkeeping is freed
 */
void pfd_scratch_free(struct pfd_scratch *s)
{
#ifdef CONFIG_XEN_PV
	if (s)
		pfd_scratch_release(s);
#endif
}

/* cond_resched() is a macro (a static call under PREEMPT_DYNAMIC). */
void pfd_cond_resched(void)
{
	cond_resched();
}
