# host-no-iommu: Xen booted with its IOMMU off (iommu=0 after qemu/run's
# iommu=1,verbose: Xen applies its options in order, the last wins). host
# fails the iommu check with the fix; then what xl says when the device is
# given to pciback, to a guest at creation and to a running guest.
# lab-xen: iommu=0
pfd_install || exit 1
lab "xl info virt_caps: $(xl info | sed -n 's/^virt_caps *: //p')"
xl dmesg | grep -E 'I/O virtualisation|Interrupt remapping|AMD-Vi' | sed 's/^/LAB: xl dmesg: /'
lab "xl pci-assignable-add 0000:00:04.0: $(xl pci-assignable-add 0000:00:04.0 2>&1 | tr '\n' ' ')"
lab "00:04.0 held by: $(basename "$(readlink /sys/bus/pci/devices/0000:00:04.0/driver)")"
pfd "host 00:04.0" host 00:04.0
# A guest with passthrough (create_domu's config) is refused at creation.
create_domu >/tmp/create.out 2>&1
sed 's/^/LAB: create: /' /tmp/create.out
# One without it is created (paused: it need not boot), then the device is
# hot-plugged.
grep -v '^passthrough' /tmp/domu.cfg >/tmp/nopt.cfg
lab "xl create -p (no passthrough): $(xl create -p /tmp/nopt.cfg 2>&1 | tr '\n' ' ')"
lab "xl pci-attach domu 0000:00:04.0: $(xl pci-attach domu 0000:00:04.0 2>&1 | tr '\n' ' ')"
xl destroy domu
