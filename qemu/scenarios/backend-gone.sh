# backend-gone: pciback lets go of a device the domU still uses, first while
# pcifront_diag is bound to it, then while it probes (dom0 does not wait for
# the bind: it unbinds 2 s after sending it, during the 4 GiB BAR's trials). dom0 unbinds the device
# from pciback by force (the driver core does not ask pciback whether a
# domain still has it); pciback warns and drops it from the domain's
# backend, so the guest's config accesses through pcifront fail from then on.
# The module must report what it saw and unbind and unload cleanly.
# lab-timeout: 900
# lab-qemu: -object memory-backend-ram,id=pfd-shm,size=4G -device ivshmem-plain,memdev=pfd-shm,addr=07.0
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
attach 00:07.0 0000:00:01.0 || exit 1
domu diag 0000:00:00.0
lab "case bound: edu taken from pciback while pcifront_diag is bound"
# On the debug kernel dom0's kmemleak then finds pciback's config-space
# fields of the devices it lost (xen_pcibk_config_add_field_offset, from
# pcistub_probe): pciback's, in dom0, where the module does not run.
kmemleak_name dom0 dom0-after-pciback-lost-two-devices
echo 0000:00:04.0 >/sys/bus/pci/drivers/pciback/unbind
# shellcheck disable=SC2320 # $? is the write to unbind
lab "pciback unbind rc=$?"
domu "echo 0000:00:00.0 >/sys/bus/pci/drivers/pcifront_diag/unbind; bindto pcifront_diag 0000:00:00.0; cat /sys/kernel/debug/pcifront_diag/0000:00:00.0/report"
domu undiag 0000:00:00.0
lab "case probing: ivshmem taken from pciback while pcifront_diag probes its 4 GiB BAR"
domu "insmod /pcifront_diag.ko"
DOMU_TIMEOUT=300 domu_start "echo \"bind started at \$(cut -d' ' -f1 /proc/uptime)\"; bindto pcifront_diag 0000:00:01.0; echo \"bind returned at \$(cut -d' ' -f1 /proc/uptime)\""
sleep 2
echo 0000:00:07.0 >/sys/bus/pci/drivers/pciback/unbind
# shellcheck disable=SC2320 # $? is the write to unbind
lab "pciback unbind rc=$?"
DOMU_TIMEOUT=300 domu_wait
domu "sleep 1; echo devices: \$(ls /sys/bus/pci/devices/)"
domu "echo 0000:00:01.0 >/sys/bus/pci/drivers/pcifront_diag/unbind; rmmod pcifront_diag && test ! -e /sys/kernel/debug/pcifront_diag && echo 'pcifront_diag unloaded cleanly after backend-gone'"
