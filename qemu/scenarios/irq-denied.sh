# irq-denied: the domain's permission for e1000e's legacy interrupt (its GSI,
# dom0's sysfs 'irq') is revoked through libxenctrl after pci-attach, as if
# the toolstack never granted it (what denied does for I/O memory). The
# device looks fine to the guest; its INTx line would never fire.
# pcifront_diag (paths=1) asks Xen whether the domain may bind the pirq
# (EVTCHNOP_bind_pirq, which checks the permission before it changes
# anything) and names it; `pcifront-diag dom0` finds the GSI missing from
# the domain's Interrupts rangeset. A real driver on legacy interrupts
# (e1000e IntMode=0) logs 'Failed to obtain physical IRQ'. After the grant,
# both say it is permitted.
pfd_install || exit 1
create_domu || exit 1
attach 00:05.0 0000:00:00.0 || exit 1
gsi=$(cat /sys/bus/pci/devices/0000:00:05.0/irq)
lab "e1000e's GSI in dom0: $gsi"
python3 /lab/xc_perm.py irq "$DOMID" "$gsi" 0
xen_rangeset Interrupts
domu diag 0000:00:00.0 paths=1
domu undiag 0000:00:00.0
pfd "dom0 $DOMU" dom0 "$DOMU"
# e1000e requests its interrupt when the interface goes up. The domU kernel has
# no INET or PACKET sockets for ip/ifconfig: the netdev's sysfs flags file
# brings it up the same way (dev_change_flags()).
up_eth0="insmod /e1000e.ko IntMode=0 && sleep 2 && echo \$(( \$(cat /sys/class/net/eth0/flags) | 1 )) >/sys/class/net/eth0/flags; sleep 2; grep eth0 /proc/interrupts; rmmod e1000e"
lab "what a real driver gets: e1000e on legacy interrupts"
domu "$up_eth0"
python3 /lab/xc_perm.py irq "$DOMID" "$gsi" 1
domu diag 0000:00:00.0 paths=1
domu undiag 0000:00:00.0
pfd "dom0 $DOMU (granted)" dom0 "$DOMU"
lab "e1000e on legacy interrupts after the grant"
domu "$up_eth0"
