#!/usr/bin/env bash
# The main job, from a bare machine: set up, build the kernel and the module,
# and reproduce the 2009 failure in the lab (scenario "denied"), printing
# pcifront_diag's diagnosis last. One line per step; each step's full output
# is in out/logs/, the lab's in out/lab/denied.log.
source "$(dirname "$0")/lib.sh"
cd "$TOP" || exit
export PATH=$HOME/.cargo/bin:$PATH
rm -rf out/logs
quietly "host setup" scripts/setup-host.sh
quietly "reference kernel" scripts/build-kernel.sh
KDIR=$(kernel_tree 2>>"$QUIET_LOG")
export KDIR
quietly "module" make KDIR="$KDIR" modules
quietly "dom0 command" make tool
quietly "lab inputs" scripts/build-lab.sh
quietly "lab scenario denied (Xen in QEMU, ~3 min)" lab_scenario denied || die "the denied scenario failed (log: out/lab/denied.log)"
grep -E '^lab: (timings|scenario)' "$QUIET_LOG"
echo
echo "== pcifront_diag's diagnosis (from out/lab/denied.log) =="
grep -aE 'domU\| .*pcifront_diag [0-9a-f:.]+: (error|warning|summary)|LAB: (iomem|naive|applying|d[0-9]+ \(XEN\))|domU\| Bus error|multicall|BUG: unable' out/lab/denied.log | sed 's/^\[ *[0-9.]*\] //'
