# healthy: the toolstack path that works. xl pci-attach grants the BAR's
# frames (libxl: xc_domain_iomem_permission per BAR); pcifront_diag finds
# nothing wrong and, with read_probe=1, reads edu's ID register (0x010000ed).
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
xen_iomem
domu diag 0000:00:00.0 read_probe=1
domu undiag 0000:00:00.0
