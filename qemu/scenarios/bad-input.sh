# bad-input: module parameters and binding attempts the module must refuse
# or survive with a clear message: a parameter that does not parse, a
# bind through the driver's bind file without driver_override (the ID table
# matches no real device), a device another driver holds, and max_frames=0
# (every BAR sampled at its two ends, and the report says so).
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
domu "insmod /pcifront_diag.ko max_frames=banana; echo \"insmod max_frames=banana rc=\$?\""
domu "insmod /pcifront_diag.ko read_probe=2; echo \"insmod read_probe=2 rc=\$?\""
domu "echo \"modules loaded: \$(lsmod | grep -c pcifront_diag)\""
domu "insmod /pcifront_diag.ko && { echo 0000:00:00.0 >/sys/bus/pci/drivers/pcifront_diag/bind; echo \"bind without driver_override rc=\$?\"; }"
domu "echo \"driver of 0000:00:00.0: \$(basename \"\$(readlink /sys/bus/pci/devices/0000:00:00.0/driver || echo none)\")\""
domu "insmod /pfd_enable_only.ko && bindto pfd_enable_only 0000:00:00.0 && echo pcifront_diag >/sys/bus/pci/devices/0000:00:00.0/driver_override && echo 0000:00:00.0 >/sys/bus/pci/drivers_probe; echo \"held device: driver \$(basename \"\$(readlink /sys/bus/pci/devices/0000:00:00.0/driver)\")\""
domu "unbindfrom pfd_enable_only 0000:00:00.0; rmmod pfd_enable_only pcifront_diag; echo unloaded"
domu diag 0000:00:00.0 max_frames=0
domu undiag 0000:00:00.0
