# healthy: the toolstack path that works. xl pci-attach grants the BAR's
# frames (libxl: xc_domain_iomem_permission per BAR); pcifront_diag finds
# nothing wrong and, with read_probe=1, reads edu's ID register (0x010000ed).
# dom0 reads the BAR register before and after: the module never writes it.
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
xen_iomem
before=$(setpci -s 00:04.0 BASE_ADDRESS_0)
domu diag 0000:00:00.0 read_probe=1
domu undiag 0000:00:00.0
after=$(setpci -s 00:04.0 BASE_ADDRESS_0)
if [ "$before" = "$after" ]; then
	lab "dom0: edu BAR0 register unchanged by the probe ($after)"
else
	lab "dom0: edu BAR0 register CHANGED by the probe: $before -> $after"
fi
