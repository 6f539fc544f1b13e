# sub-page: QEMU's i6300esb watchdog has a 16-byte MMIO BAR. Xen grants and
# maps whole 4 KiB frames, so the guest gets the rest of the frame too.
create_domu || exit 1
attach 00:06.0 0000:00:00.0 || exit 1
domu diag 0000:00:00.0
domu undiag 0000:00:00.0
