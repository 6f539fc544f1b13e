# host-not-hidden: devices that never reached xen-pciback. dom0's own e1000e
# driver holds the NIC (00:05.0) and nothing holds edu (00:04.0): host names
# the driver and the fix, and exits 1. host-bad-hide runs this on a dom0
# booted with a malformed xen-pciback.hide=.
lab "dom0 command line: $(tr ' ' '\n' </proc/cmdline | grep -c pciback) pciback option(s)"
dmesg | grep -F 'pci_devs_to_hide' | sed 's/^/LAB: dom0 kernel: /'
lab "pciback driver registered: $([ -d /sys/bus/pci/drivers/pciback ] && echo yes || echo no)"
# e1000e for dom0: the domU's initramfs carries the module of the same kernel.
mkdir -p /tmp/domu-root
(cd /tmp/domu-root && busybox cpio -i -d </lab/domu/initrd 2>/dev/null)
insmod /tmp/domu-root/e1000e.ko
lab "00:05.0 held by: $(basename "$(readlink /sys/bus/pci/devices/0000:00:05.0/driver)")"
pfd "host 00:05.0" host 00:05.0
pfd "host 00:04.0" host 00:04.0
lab "xl pci-assignable-add 0000:00:04.0: $(xl pci-assignable-add 0000:00:04.0 2>&1 | tr '\n' ' ')"
