# pull-during-probe: the device is detached by force (xl pci-detach -f)
# while pcifront_diag is still asking Xen about the frames of a 4 GiB BAR
# (ivshmem-plain, 1,048,576 frames, a probe of many seconds). dom0 does not
# wait for the bind to return: it pulls the device 2 s after sending it.
# libxl revokes the BAR's permission and pcifront removes the device once
# the probe lets go of it; the report says what the probe measured, and the
# module must unbind and unload cleanly. The domU's timestamps show whether
# pcifront's removal came while the probe ran.
# lab-timeout: 900
# lab-qemu: -object memory-backend-ram,id=pfd-shm,size=4G -device ivshmem-plain,memdev=pfd-shm,addr=07.0
create_domu || exit 1
attach 00:07.0 0000:00:00.0 || exit 1
domu "insmod /pcifront_diag.ko"
DOMU_TIMEOUT=300 domu_start "echo \"bind started at \$(cut -d' ' -f1 /proc/uptime)\"; bindto pcifront_diag 0000:00:00.0; echo \"bind returned at \$(cut -d' ' -f1 /proc/uptime)\""
sleep 2
xl pci-detach -f "$DOMU" 00:07.0
lab "xl pci-detach -f rc=$?"
DOMU_TIMEOUT=300 domu_wait
domu "sleep 2; echo devices: \$(ls /sys/bus/pci/devices/); echo debugfs: \$(ls /sys/kernel/debug/pcifront_diag/)"
domu "rmmod pcifront_diag && test ! -e /sys/kernel/debug/pcifront_diag && echo 'pcifront_diag unloaded cleanly after the pull'"
