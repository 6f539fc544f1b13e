# not-pv: bad input. pcifront_diag bound in dom0 (the initial domain: the
# device is not behind pcifront) says so, skips the Xen checks, runs the
# generic ones, and unloads cleanly. No domU.
mount -t debugfs debugfs /sys/kernel/debug
insmod /lab/pcifront_diag.ko || exit 1
echo pcifront_diag >/sys/bus/pci/devices/0000:00:04.0/driver_override
echo 0000:00:04.0 >/sys/bus/pci/drivers_probe
dmesg | grep 'pcifront_diag 0000:00:04.0' | sed 's/^/LAB: dom0 dmesg: /'
echo 0000:00:04.0 >/sys/bus/pci/drivers/pcifront_diag/unbind
rmmod pcifront_diag && [ ! -e /sys/kernel/debug/pcifront_diag ] && lab "dom0: pcifront_diag unloaded cleanly"
