#!/usr/bin/env bash
# The main job, from a bare machine: set up, build the kernel and the module,
# and reproduce the 2009 failure in the lab (scenario "denied"), printing
# pcifront_diag's diagnosis. Full log: out/lab/denied.log
source "$(dirname "$0")/lib.sh"
cd "$TOP"
export PATH=$HOME/.cargo/bin:$PATH
scripts/setup-host.sh
KDIR=$(scripts/build-kernel.sh | tail -n1)
export KDIR
make KDIR="$KDIR" modules
scripts/build-lab.sh
rc=0
lab_scenario denied || rc=$?
[ "$rc" = 0 ] || die "the denied scenario failed (log: out/lab/denied.log)"
echo
echo "== pcifront_diag's diagnosis (from out/lab/denied.log) =="
grep -aE 'domU\| .*pcifront_diag [0-9a-f:.]+: (error|warning|summary)|LAB: (iomem|naive|applying|d[0-9]+ \(XEN\))|domU\| Bus error|multicall|BUG: unable' out/lab/denied.log | sed 's/^\[ *[0-9.]*\] //'
