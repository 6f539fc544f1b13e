# decode-off: dom0 leaves the device with memory decoding off (as firmware or
# a previous owner may). pciback snapshots the command register when it
# seizes the device, so the guest sees decoding off until a driver enables
# it; pcifront_diag reports it, and with read_probe=1 enables the device
# (pciback then runs pci_enable_device in dom0) and reads the BAR.
setpci -s 00:04.0 COMMAND=0000
lab "dom0: edu command register now $(setpci -s 00:04.0 COMMAND)"
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
domu diag 0000:00:00.0
domu undiag 0000:00:00.0
domu diag 0000:00:00.0 read_probe=1
domu undiag 0000:00:00.0
lab "dom0: edu command register after the guest's enable/disable: $(setpci -s 00:04.0 COMMAND)"
