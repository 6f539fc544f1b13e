# dma: a passed-through device's DMA in a PV guest, healthy and with the
# bounce pool full. Both guests get their devices in pci=[...] at xl create
# (create_domu_pci), so libxl sets e820_host=1 and the guest kernel sets up
# swiotlb-xen with a bounce pool at boot.
# 1. edu alone, the default 64 MiB pool: pcifront_diag with dma_trial=1
#    reports the DMA path (ops=swiotlb-xen, the pool's figures) and its
#    trial: a coherent page, and a streaming mapping of a page whose machine
#    frame lies above the device's 32-bit mask, bounced through the pool.
# 2. e1000e and edu, the guest booted with swiotlb=128,force: a 256 KiB pool
#    that every streaming mapping goes through (force: as for a device whose
#    buffers all lie above its mask). e1000e, brought up, maps its 256
#    receive buffers, fills the pool and logs the users' 'swiotlb buffer is
#    full' and 'Rx DMA map failed'; pcifront_diag on edu then finds the pool
#    full (dma-pool-full), and its own streaming mapping fails the same way
#    (dma-trial-failed), both with swiotlb= as the fix.
# lab-timeout: 600
create_domu_pci 0000:00:04.0 || exit 1
domu wait_dev 0000:00:00.0
domu diag 0000:00:00.0 dma_trial=1
domu "echo bus master after the trial: \$(( (0x\$(od -An -tx2 -j4 -N2 /sys/bus/pci/devices/0000:00:00.0/config | tr -d ' ') >> 2) & 1 ))"
domu undiag 0000:00:00.0
xl destroy "$DOMU"

lab "a guest whose bounce pool a driver fills"
# A domain of its own name and console log; lab.sh's helpers read DOMU_LOG,
# and domu_start numbers commands from SEQ.
DOMU=dma-full
# shellcheck disable=SC2034
DOMU_LOG=/var/log/xen/console/guest-$DOMU.log
rm -f "$DOMU_SHOWN"
# shellcheck disable=SC2034
SEQ=0
# e820_host=1 (what pci= at create turns on) gives the guest swiotlb-xen; the
# devices are hot-plugged once pcifront is up, as attach does: two devices
# in pci= at create can meet pcifront's xenbus state-reset race at boot
# ('state reset occurred', the devices never appear; seen in 1 of 2 runs).
create_domu 'e820_host = 1' \
	'extra = "console=hvc0 loglevel=7 print-fatal-signals=1 swiotlb=128,force"' || exit 1
attach 0000:00:05.0 0000:00:00.0 || exit 1
attach 0000:00:04.0 0000:00:01.0 || exit 1
# The domU has no INET sockets for ip/ifconfig: eth0 goes up (IFF_UP |
# IFF_BROADCAST | IFF_MULTICAST) through sysfs, as dev_change_flags().
# swiotlb's 'buffer is full' warning is rate-limited at its call site: 6 s
# after e1000e's, the module's own mapping gets its line too.
domu "insmod /e1000e.ko && echo 0x1003 >/sys/class/net/eth0/flags && sleep 6"
domu diag 0000:00:01.0 dma_trial=1
domu undiag 0000:00:01.0
domu "echo 0x1002 >/sys/class/net/eth0/flags && rmmod e1000e"
