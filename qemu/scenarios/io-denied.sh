# io-denied: an I/O-port BAR whose ports Xen does not grant the domain. Xen
# emulates a PV guest's port I/O and returns all-ones for ports outside the
# domain's I/O port permission; nothing else tells the guest. e1000e's BAR2
# (32 ports, IOADDR at offset 0) is read with read_probe=1 while granted
# (xl pci-attach grants it), then after the ports are revoked.
create_domu || exit 1
attach 00:05.0 0000:00:00.0 || exit 1
xen_ioports
lab "case granted: the ports as xl pci-attach granted them"
domu diag 0000:00:00.0 read_probe=1
domu undiag 0000:00:00.0
lab "case revoked: the I/O BAR's ports taken back"
ioport_perm 0000:00:05.0 2 0
xen_ioports
domu diag 0000:00:00.0 read_probe=1
domu undiag 0000:00:00.0
