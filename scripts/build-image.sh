#!/usr/bin/env bash
# make image: pcifront-diag's diagnostic PV image in out/image/: the reference
# kernel (pcifront built in) as vmlinuz, and an initramfs (static busybox,
# pcifront_diag.ko, image/init) as initrd. `pcifront-diag check` boots it
# with a guest's passthrough settings. Prints the directory.
source "$(dirname "$0")/lib.sh"
obj=${KDIR:-$(kernel_tree)}
# LAB_MODULES, IMAGE_OUT: another module tree and output directory (the lab's
# debug kernel has its own, scripts/test-debug.sh).
ko=${LAB_MODULES:-$TOP}/src/pcifront_diag.ko
[ -f "$ko" ] || die "pcifront_diag.ko not built: run make"
out=${IMAGE_OUT:-$TOP/out/image}
mkdir -p "$out"
d=$(mktemp -d)
mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev"
cp /bin/busybox "$d/bin/busybox"
cp "$TOP/image/init" "$d/init"
cp "$ko" "$d/"
(cd "$d" && find . | cpio -o -H newc --quiet) | gzip -9 >"$out/initrd"
rm -rf "$d"
cp "$obj/arch/x86/boot/bzImage" "$out/vmlinuz"
log "image: vmlinuz $(stat -c %s "$out/vmlinuz") + initrd $(stat -c %s "$out/initrd") bytes"
echo "$out"
