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
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/processor.h>

#ifdef CONFIG_XEN_PV
#include <asm/e820/api.h>
#include <asm/pgtable.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#endif

#include "xen_shim.h"

#ifdef CONFIG_XEN_PV
/*
 * Find dom0's BDF for @pdev among the pciback nodes: "vdev-N" holds the
 * guest's address ("%04x:%02x:%02x.%02x", the PV protocol), "dev-N" dom0's.
 */
static void pfd_backend_bdf(struct xenbus_device *xdev, struct pci_dev *pdev,
			    char *out, size_t len)
{
	unsigned int n, i, dom, bus, slot, func;
	char node[16];

	n = xenbus_read_unsigned(xdev->otherend, "num_devs", 0);
	for (i = 0; i < n && i < 256; i++) {
		char *d;

		snprintf(node, sizeof(node), "vdev-%u", i);
		if (xenbus_scanf(XBT_NIL, xdev->otherend, node, "%x:%x:%x.%x",
				 &dom, &bus, &slot, &func) != 4)
			continue;
		if (dom != pci_domain_nr(pdev->bus) || bus != pdev->bus->number ||
		    PCI_DEVFN(slot, func) != pdev->devfn)
			continue;
		snprintf(node, sizeof(node), "dev-%u", i);
		d = xenbus_read(XBT_NIL, xdev->otherend, node, NULL);
		if (!IS_ERR(d)) {
			strscpy(out, d, len);
			kfree(d);
		}
		return;
	}
}
#endif

/**
 * pfd_xen_context() - where does @pdev sit?
 * @pdev: the bound &struct pci_dev (as void *: Rust passes an opaque pointer)
 * @out: filled with the facts; backend_domid -1 and backend_bdf "" if unknown
 *
 * Context: process context, may sleep (xenbus reads).
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
		struct pci_host_bridge *br = pci_find_host_bridge(dev->bus);
		struct device *parent = br ? br->dev.parent : NULL;

		if (parent && parent->driver && parent->driver->name &&
		    !strcmp(parent->driver->name, "pcifront")) {
			struct xenbus_device *xdev = to_xenbus_device(parent);

			out->pcifront = 1;
			out->backend_domid = xdev->otherend_id;
			if (xdev->otherend)
				pfd_backend_bdf(xdev, dev, out->backend_bdf,
						sizeof(out->backend_bdf));
		}
	}
#endif
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
 * the guest was built with.
 *
 * Return: 1 if it overlaps, 0 if not.
 */
int pfd_ram_overlap(u64 start, u64 end)
{
	if (region_intersects(start, end - start + 1, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT)
		return 1;
#ifdef CONFIG_XEN_PV
	if (e820__mapped_any(start, end + 1, E820_TYPE_RAM))
		return 1;
#endif
	return 0;
}

/**
 * pfd_scratch_init() - allocate the scratch page for trial mappings
 * @s: scratch state
 *
 * Return: 0, -ENODEV outside a PV guest, -ENOMEM, or -EFAULT if the page is
 * not mapped by a 4 KiB PTE.
 */
int pfd_scratch_init(struct pfd_scratch *s)
{
#ifdef CONFIG_XEN_PV
	unsigned int level;
	pte_t *ptep;

	memset(s, 0, sizeof(*s));
	if (!xen_pv_domain())
		return -ENODEV;
	s->buf = vmalloc(PAGE_SIZE);
	if (!s->buf)
		return -ENOMEM;
	ptep = lookup_address((unsigned long)s->buf, &level);
	if (!ptep || level != PG_LEVEL_4K) {
		vfree(s->buf);
		s->buf = NULL;
		return -EFAULT;
	}
	s->ptep = ptep;
	s->orig = ptep->pte;
	return 0;
#else
	memset(s, 0, sizeof(*s));
	return -ENODEV;
#endif
}

/**
 * pfd_trial_map() - ask Xen whether this domain may map @mfn
 * @s: scratch state from pfd_scratch_init()
 * @mfn: machine frame, exactly as xen_make_pte() would put it in a PTE
 * @read_only: set to 1 if Xen accepted but dropped _PAGE_RW
 *
 * Points the scratch page's PTE at @mfn (uncached, as ioremap() would) with a
 * direct HYPERVISOR_update_va_mapping(), outside the lazy-MMU multicall path,
 * so a refusal comes back as a return code instead of a multicall WARN. The
 * frame is never accessed; the original PTE is restored before returning.
 *
 * Return: Xen's return code for the mapping (0 or a negative errno), or
 * -EIO if the restore failed (the scratch page is then leaked, never freed).
 */
int pfd_trial_map(struct pfd_scratch *s, u64 mfn, u8 *read_only)
{
#ifdef CONFIG_XEN_PV
	unsigned long va = (unsigned long)s->buf;
	pte_t *ptep = s->ptep;
	int rc, rc2 = 0;

	*read_only = 0;
	if (!s->buf)
		return -ENODEV;
	preempt_disable();
	rc = HYPERVISOR_update_va_mapping(va, mfn_pte(mfn, PAGE_KERNEL_NOCACHE),
					  UVMF_INVLPG | UVMF_ALL);
	if (!rc) {
		*read_only = !(READ_ONCE(ptep->pte) & _PAGE_RW);
		rc2 = HYPERVISOR_update_va_mapping(va, __pte_ma(s->orig),
						   UVMF_INVLPG | UVMF_ALL);
	}
	preempt_enable();
	if (rc2) {
		/* Never hand a PTE we could not restore back to vfree(). */
		s->buf = NULL;
		return -EIO;
	}
	return rc;
#else
	return -ENODEV;
#endif
}

/**
 * pfd_scratch_fini() - free the scratch page (unless a restore failed)
 * @s: scratch state
 */
void pfd_scratch_fini(struct pfd_scratch *s)
{
	if (s->buf)
		vfree(s->buf);
	s->buf = NULL;
}
