# detach: the device disappears under the module. dom0 hot-unplugs it
# (xl pci-detach) while pcifront_diag is bound; pcifront removes it, the
# module's unbind runs, its debugfs entry goes, and it unloads cleanly.
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
domu diag 0000:00:00.0
xl pci-detach "$DOMU" 00:04.0
lab "xl pci-detach rc=$?"
domu "ls /sys/bus/pci/devices/; ls /sys/kernel/debug/pcifront_diag/"
domu "rmmod pcifront_diag && test ! -e /sys/kernel/debug/pcifront_diag && echo 'pcifront_diag unloaded cleanly after detach'"
