# debian-kernel: the module on the kernel users run. For each Debian kernel
# the lab was given (scripts/debian-packages.sh, then build-lab.sh: Debian's
# own vmlinuz, its xen-pcifront.ko, and pcifront_diag.ko from
# pcifront-diag-modules-<release>.deb), boot it as the PV domU, show that
# the module loads (taint OE and nothing else), reproduce the denied
# diagnosis on a revoked BAR, read the BAR once granted, and unload cleanly.
# lab-timeout: 700
set -- /lab/debian/*/
[ -d "$1" ] || { lab "no Debian kernels in /lab/debian: run scripts/debian-packages.sh before scripts/build-lab.sh"; exit 1; }
for dir in "$@"; do
	kver=$(basename "$dir")
	DOMU=deb-${kver##*+}
	DOMU_LOG=/var/log/xen/console/guest-$DOMU.log
	rm -f "$DOMU_SHOWN"
	lab "Debian kernel $kver"
	DOMU_KERNEL=$dir/vmlinuz DOMU_RAMDISK=$dir/initrd create_domu || exit 1
	domu 'echo "uname -r: $(uname -r)"; echo "tainted before: $(cat /proc/sys/kernel/tainted)"; lsmod'
	attach 00:04.0 0000:00:00.0 || exit 1
	revoke_bar 0000:00:04.0 0
	domu diag 0000:00:00.0
	domu 'echo "pcifront_diag taint: $(cat /sys/module/pcifront_diag/taint)"'
	domu undiag 0000:00:00.0
	grant_bar 0000:00:04.0 0 1
	domu diag 0000:00:00.0 read_probe=1
	domu undiag 0000:00:00.0
	domu 'echo "tainted after: $(cat /proc/sys/kernel/tainted)"'
	# One line per kernel from the real lines above, so that the expectations
	# hold for every flavour, not just for the first that prints them.
	n() { tr -d '\r' <"$DOMU_LOG" | grep -c -- "$1"; }
	v() { tr -d '\r' <"$DOMU_LOG" | sed -n "s/^$1: //p" | tail -n1; }
	lab "$kver: tainted $(v 'tainted before') -> $(v 'tainted after') uname=$(n "^uname -r: $kver\$") eperm=$(n 'pcifront_diag 0000:00:00.0: error xen-eperm BAR0') read_ok=$(n 'pcifront_diag 0000:00:00.0: info read-ok BAR0: .*dword0=0x010000ed') taint_oe=$(n 'pcifront_diag taint: OE') unloaded=$(n 'pcifront_diag unloaded cleanly') refused=$(n 'Unknown symbol\|version magic\|Invalid module format')"
	xl destroy "$DOMU"
done
