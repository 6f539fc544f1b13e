# host-bad-hide: host-not-hidden on a dom0 booted with a malformed
# xen-pciback.hide= (dots where a colon belongs). pciback refuses the whole
# parameter, registers no driver, and xl says only "Looks like pciback driver
# is not loaded": host names the kernel's parse error.
# lab-dom0: xen-pciback.hide=(0000:00.04.0)
if ! grep -q 'xen-pciback.hide=' /proc/cmdline; then
	lab "host-bad-hide: no xen-pciback.hide= on dom0's command line (its # lab-dom0: line)"
	exit 1
fi
# shellcheck source=qemu/scenarios/host-not-hidden.sh
. /lab/scenarios/host-not-hidden.sh
