#!/usr/bin/env bash
# make test-debug: every lab scenario on the debug kernel (kernel/debug.config:
# kmemleak, lockdep, debug objects), with qemu/debug.expect's lines on top of
# each scenario's own: kmemleak finds nothing after a forced scan in dom0 and
# in the domU, and no lockdep, debug-objects or WARN report appears. The
# module is built out of tree for that kernel (out/debug/modules), the lab
# inputs and logs go to out/lab-debug/. Not part of make test: it builds a
# second kernel and every scenario runs slower.
source "$(dirname "$0")/lib.sh"
cd "$TOP" || exit
export PATH=$HOME/.cargo/bin:$PATH
t0=$(date +%s)
step() { log "== $* ($(($(date +%s) - t0)) s)"; }

step "host setup"
scripts/setup-host.sh
step "debug kernel"
kdir=$(KERNEL_FLAVOR=debug kernel_tree)
step "module for the debug kernel"
mods=$TOP/out/debug/modules
rm -rf "$mods" && mkdir -p "$mods"
git ls-files -z Kbuild src bench | xargs -0 cp --parents -t "$mods"
make -C "$kdir" M="$mods" modules
step "dom0 command"
make tool
step "debug lab inputs"
export LAB_OUT=$TOP/out/lab-debug
# loud-ioremap's domU is the reference config with kernel/patches/xen-pv-ioremap.
scripts/build-ioremap-domu.sh
LAB_MODULES=$mods KDIR=$kdir scripts/build-lab.sh
export LAB_EXPECT_EXTRA=$TOP/qemu/debug.expect LAB_DOM0_EXTRA=pfd.env.LAB_DEBUG=1
# Lockdep, kmemleak and slub_debug slow every scenario: twice its limits.
export LAB_SLOW=${LAB_SLOW:-2}
failed=""
for s in ${LAB_SCENARIOS:-$(lab_scenarios)}; do
	step "debug lab scenario $s"
	lab_scenario "$s" || failed="$failed $s"
done
[ -z "$failed" ] || die "debug lab scenarios failed:$failed (logs: $LAB_OUT/<name>.log)"
step "all scenarios passed on the debug kernel"
