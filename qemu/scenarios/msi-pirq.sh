# msi-pirq: Xen booted with extra_guest_irqs=2, so every domU has two pirqs
# for all its MSI and MSI-X vectors (the case of NVMe drives and multi-queue
# NICs over Xen's default of 32). pcifront_diag finds the domain's pirq count
# without side effects and predicts that e1000e's 5 MSI-X vectors cannot fit
# (msix-pirq-limit); its MSI-X trial fails in Xen's pirq allocation with
# -ENOSPC, which pcifront logs as 'enable msix get err ffffffe4', and the
# finding names the stage and extra_guest_irqs= as the fix. The real e1000e
# driver then falls back from MSI-X to MSI.
# lab-xen: extra_guest_irqs=2
create_domu || exit 1
attach 00:05.0 0000:00:00.0 || exit 1
domu diag 0000:00:00.0 msi_trial=1
domu undiag 0000:00:00.0
lab "dom0 dmesg: $(dmesg | grep -E 'xen map irq failed|error enabling MSI-X' | tail -n 2 | tr '\n' ' ')"
lab "what a real driver gets: e1000e"
domu "insmod /e1000e.ko && sleep 2; grep pcifront /proc/interrupts; true"
