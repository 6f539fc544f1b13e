# denied: the 2009 failure in modern form. The device reaches the domU through
# pcifront, but the domain has no permission for its BAR frames (here: what
# libxl granted at pci-attach is revoked, as if the toolstack never granted
# it). A naive access faults; pcifront_diag names the frame and the fix; the
# fix (granting the frames, what iomem=[...] does at creation) makes the same
# BAR usable; a real driver (e1000e) shows what drivers get today.
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
attach 00:05.0 0000:00:01.0 || exit 1
revoke_bar 0000:00:04.0 0
for b in 0 1 3; do revoke_bar 0000:00:05.0 $b; done
xen_iomem
edu=$(bar_of 0000:00:04.0 0 | cut -d' ' -f1)
lab "naive access to edu BAR0 at $edu from the domU:"
domu "devmem $edu 32"
domu diag 0000:00:00.0
domu undiag 0000:00:00.0
domu diag 0000:00:01.0
domu undiag 0000:00:01.0
lab "applying the fix pcifront_diag printed: grant edu BAR0's frames"
grant_bar 0000:00:04.0 0 1
domu diag 0000:00:00.0 read_probe=1
domu undiag 0000:00:00.0
# On the debug kernel, the module's leak check comes before e1000e oopses on
# purpose: an insmod killed in its init leaks its mod_initfree.
if [ "${LAB_DEBUG:-}" = 1 ]; then
	domu "kmemleak_report domU"
	kmemleak_name domU domU-after-the-e1000e-oops
fi
lab "what a naive driver gets today: e1000e on the denied NIC"
DOMU_TIMEOUT=60 domu "insmod /e1000e.ko; sleep 2"
