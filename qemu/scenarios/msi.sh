# msi: e1000e's interrupts through pcifront. pcifront_diag with msi_trial=1
# enables MSI-X (all the vectors the device offers) and then MSI exactly as a
# driver would (pci_alloc_irq_vectors: pcifront's op, pciback's enable in
# dom0, Xen's pirq mapping for this domain), reports the vectors and pirqs,
# and frees them again; bus mastering stays off. dom0 sees MSI-X off again
# afterwards. Then the real driver: e1000e takes MSI-X at probe and binds the
# vectors' event channels when its interface comes up.
create_domu || exit 1
attach 00:05.0 0000:00:00.0 || exit 1
domu diag 0000:00:00.0 msi_trial=1
domu "echo bus master after the trial: \$(( (0x\$(od -An -tx2 -j4 -N2 /sys/bus/pci/devices/0000:00:00.0/config | tr -d ' ') >> 2) & 1 ))"
domu undiag 0000:00:00.0
lab "dom0 after the trial: $(lspci -vv -s 00:05.0 | grep -o 'MSI-X: Enable[+-]')"
lab "what a real driver gets: e1000e"
domu "insmod /e1000e.ko && sleep 2 && ip link set eth0 up && sleep 1; grep pcifront /proc/interrupts"
