# msi: e1000e's interrupts through pcifront. pcifront_diag with msi_trial=1
# enables MSI-X (all the vectors the device offers) and then MSI exactly as a
# driver would (pci_alloc_irq_vectors: pcifront's op, pciback's enable in
# dom0, Xen's pirq mapping for this domain), reports the vectors and pirqs,
# and frees them again; bus mastering stays off. Linux 7.3's teardown sends
# pcifront the disable-MSI op instead of disable-MSI-X, so dom0 keeps MSI-X
# on: the module says so and sends the right op. Then the real driver: e1000e
# gets MSI-X; once it is unloaded, dom0 has MSI-X on again, which the module
# finds at bind (paths=1, no trial) and clears before its trials.
# e820_host=1, as pci= at xl create would set: only then does the guest kernel
# set up swiotlb-xen at boot (msi-pirq shows the hot-plug case without it).
create_domu "e820_host = 1" || exit 1
attach 00:05.0 0000:00:00.0 || exit 1
domu diag 0000:00:00.0 msi_trial=1
domu "echo bus master after the trial: \$(( (0x\$(od -An -tx2 -j4 -N2 /sys/bus/pci/devices/0000:00:00.0/config | tr -d ' ') >> 2) & 1 ))"
domu undiag 0000:00:00.0
lab "dom0 after the trial: $(lspci -vv -s 00:05.0 | grep -o 'MSI-X: Enable[+-]')"
lab "what a real driver gets: e1000e"
domu "insmod /e1000e.ko && sleep 2 && rmmod e1000e"
lab "dom0 after e1000e's unload: $(lspci -vv -s 00:05.0 | grep -o 'MSI-X: Enable[+-]')"
domu diag 0000:00:00.0 paths=1
domu undiag 0000:00:00.0
domu diag 0000:00:00.0 msi_trial=1
domu undiag 0000:00:00.0
lab "dom0 after the second trial: $(lspci -vv -s 00:05.0 | grep -o 'MSI-X: Enable[+-]')"
