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
rc=0
qemu/run denied || rc=$?
try=1
while { [ "$rc" = 3 ] || [ "$rc" = 4 ]; } && [ "$try" -lt 3 ]; do
	log "the lab hit an emulation fault (exit $rc) on try $try; running it again"
	try=$((try + 1))
	rc=0
	LAB_NO_BUILD=1 qemu/run denied || rc=$?
done
[ "$rc" = 0 ] || die "the denied scenario failed (log: out/lab/denied.log)"
echo
echo "== pcifront_diag's diagnosis (from out/lab/denied.log) =="
grep -aE 'domU\| .*pcifront_diag [0-9a-f:.]+: (error|warning|summary)|LAB: (iomem|naive|applying|d[0-9]+ \(XEN\))|domU\| Bus error|multicall|BUG: unable' out/lab/denied.log | sed 's/^\[ *[0-9.]*\] //'
