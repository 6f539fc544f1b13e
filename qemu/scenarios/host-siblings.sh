# host-siblings: a two-function device behind a PCIe root port (QEMU
# multifunction=on): edu at 01:00.0 for a guest, an e1000e at 01:00.1 that
# dom0's e1000e driver holds (a GPU and its HDMI audio function in the field
# reports). edu has no FLR and no PM capability. Linux lists "bus" for
# 01:00.0, found before its sibling, then refuses that reset while 01:00.1
# shares the bus; the same edu alone behind a second root port (02:00.0) is
# reset. host names the sibling and its holder on the reset line, and the
# slot's ACS gap; xl assigns the device anyway, logging the failed reset.
# lab-qemu: -device pcie-root-port,id=rp7,chassis=7,addr=07.0
# lab-qemu: -device edu,bus=rp7,addr=00.0,multifunction=on
# lab-qemu: -netdev user,id=n1 -device e1000e,bus=rp7,addr=00.1,netdev=n1
# lab-qemu: -device pcie-root-port,id=rp8,chassis=8,addr=08.0
# lab-qemu: -device edu,bus=rp8,addr=00.0
pfd_install || exit 1
# e1000e for dom0: the domU's initramfs carries the module of the same kernel.
mkdir -p /tmp/domu-root
(cd /tmp/domu-root && busybox cpio -i -d </lab/domu/initrd 2>/dev/null)
insmod /tmp/domu-root/e1000e.ko
lspci -D | sed 's/^/LAB: lspci: /'
for d in 0000:01:00.0 0000:01:00.1 0000:02:00.0; do
	f=/sys/bus/pci/devices/$d
	drv=none
	[ -e "$f/driver" ] && drv=$(basename "$(readlink "$f/driver")")
	lab "$d: driver $drv, reset_method $(cat "$f/reset_method" 2>/dev/null || echo none)"
done
# The resets themselves, as libxl asks for them (a write to reset).
for d in 0000:01:00.0 0000:02:00.0; do
	if printf 1 | dd of="/sys/bus/pci/devices/$d/reset" status=none 2>/tmp/dd.err; then
		lab "reset of $d: done"
	else
		lab "reset of $d: $(cat /tmp/dd.err)"
	fi
done
assignable 0000:01:00.0 || exit 1
assignable 0000:02:00.0 || exit 1
pfd "host 01:00.0" host 01:00.0
pfd "host 02:00.0 01:00.1" host 02:00.0 01:00.1
# xl's view: a guest (paused, it need not boot) gets 01:00.0 without a reset.
cat >/tmp/sib.cfg <<CFG
name = "$DOMU"
type = "pv"
kernel = "/lab/domu/vmlinuz"
ramdisk = "/lab/domu/initrd"
memory = 128
passthrough = "enabled"
CFG
xl create -p /tmp/sib.cfg
lab "xl pci-attach domu 0000:01:00.0: $(timeout 60 xl pci-attach "$DOMU" 0000:01:00.0 2>&1 | tr '\n' ' ')"
lab "xl pci-list domu: $(xl pci-list "$DOMU" | tail -n +2 | tr '\n' ' ')"
xl destroy "$DOMU"
