// SPDX-License-Identifier: GPL-2.0
/*
 * ioremap_cost: what one ioremap() of an MMIO range costs in the kernel that
 * loads it, for the lab's loud-ioremap scenario (with and without the
 * xen-pv-ioremap series).  At load: @calls times ioremap(@phys, @size), timed
 * around ioremap() alone, each followed by iounmap(); then one line with the
 * median, minimum and maximum, and the first dword the last mapping reads,
 * which shows that the mapping reaches the device.  Loading fails if an
 * ioremap() returns NULL or the parameters are out of range.
 */
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>

#define IOREMAP_COST_MAX_CALLS 10001

static unsigned long phys;
module_param(phys, ulong, 0444);
MODULE_PARM_DESC(phys, "physical address to map (a granted BAR)");

static unsigned int size = SZ_1M;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "bytes to map (default 1 MiB)");

static unsigned int calls = 101;
module_param(calls, uint, 0444);
MODULE_PARM_DESC(calls, "ioremap() calls to time, odd, at most 10001 (default 101)");

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Time @calls ioremap()s into @ns; the last mapping's first dword in @dword0. */
static int ioremap_cost_measure(u64 *ns, u32 *dword0)
{
	unsigned int i;

	for (i = 0; i < calls; i++) {
		void __iomem *p;
		u64 t0 = ktime_get_ns();

		p = ioremap(phys, size);
		ns[i] = ktime_get_ns() - t0;
		if (!p) {
			pr_err("ioremap_cost: call %u: ioremap(%#lx, %#x) returned NULL\n",
			       i + 1, phys, size);
			return -ENOMEM;
		}
		if (i == calls - 1)
			*dword0 = readl(p);
		iounmap(p);
		cond_resched();
	}
	return 0;
}

static int __init ioremap_cost_init(void)
{
	u32 dword0 = 0;
	u64 *ns;
	int err;

	if (!phys || !size || !(calls & 1) || calls > IOREMAP_COST_MAX_CALLS)
		return -EINVAL;
	ns = kcalloc(calls, sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return -ENOMEM;
	err = ioremap_cost_measure(ns, &dword0);
	if (!err) {
		sort(ns, calls, sizeof(*ns), cmp_u64, NULL);
		pr_info("ioremap_cost: %u calls of ioremap(%#lx, %#x): median %llu ns, min %llu ns, max %llu ns; dword0=%#010x\n",
			calls, phys, size, ns[calls / 2], ns[0], ns[calls - 1],
			dword0);
	}
	kfree(ns);
	return err;
}

static void __exit ioremap_cost_exit(void)
{
}

module_init(ioremap_cost_init);
module_exit(ioremap_cost_exit);
MODULE_DESCRIPTION("Cost of one ioremap() of an MMIO range, for the pcifront-diag lab");
MODULE_LICENSE("GPL");
