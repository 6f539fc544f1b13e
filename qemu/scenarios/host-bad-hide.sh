# host-bad-hide: host-not-hidden on a dom0 booted with a malformed
# xen-pciback.hide= (dots where a colon belongs). Not in make test: it needs
# dom0's command line, so run it as
#   LAB_DOM0_EXTRA='xen-pciback.hide=(0000:00.04.0)' make lab-host-bad-hide
# pciback refuses the whole parameter, registers no driver, and xl says only
# "Looks like pciback driver is not loaded": host names the kernel's parse error.
if ! grep -q 'xen-pciback.hide=' /proc/cmdline; then
	lab "host-bad-hide needs LAB_DOM0_EXTRA='xen-pciback.hide=(0000:00.04.0)'"
	exit 1
fi
# shellcheck source=qemu/scenarios/host-not-hidden.sh
. /lab/scenarios/host-not-hidden.sh
