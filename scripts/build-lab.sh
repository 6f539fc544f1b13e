#!/usr/bin/env bash
# Assemble the lab's boot inputs under out/lab/:
#   xen         Debian's Xen 4.20 hypervisor (same version as the dom0 toolstack)
#   bzImage     the reference kernel (dom0 and domU)
#   dom0.cpio   trixie dom0 root (cached) + overlay: qemu/dom0/*, scenarios, domU
#               kernel and initramfs (busybox, pcifront_diag.ko, e1000e.ko)
# Needs the kernel (scripts/build-kernel.sh) and the module (make) first.
# LAB_OUT: another output directory; LAB_MODULES: a tree whose src/ and bench/
# hold the modules (make test-debug builds them out of tree for its kernel).
source "$(dirname "$0")/lib.sh"

obj=${KDIR:-$("$TOP/scripts/build-kernel.sh" | tail -n1)}
rootfs=$("$TOP/scripts/build-dom0-rootfs.sh" | tail -n1)
xenver=$(awk '{print $2}' "${rootfs%.cpio}.xen-version")
out=${LAB_OUT:-$TOP/out/lab}
mods=${LAB_MODULES:-$TOP}
mkdir -p "$out"

[ -f "$mods/src/pcifront_diag.ko" ] || die "pcifront_diag.ko not built: run make"

xen=$CACHE/xen/xen-$xenver
if [ ! -f "$xen" ]; then
	deb=$(fetch_deb "xen-hypervisor-4.20-amd64=$xenver")
	tmp=$(mktemp -d)
	dpkg-deb -x "$deb" "$tmp"
	mkdir -p "$CACHE/xen"
	zcat "$tmp"/boot/xen-4.20-amd64.gz >"$xen.tmp" && mv "$xen.tmp" "$xen"
	rm -rf "$tmp"
fi
cp "$xen" "$out/xen"
cp "$obj/arch/x86/boot/bzImage" "$out/bzImage"

# domU initramfs: static busybox from the host, the module, e1000e.
d=$(mktemp -d)
mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev"
cp /bin/busybox "$d/bin/busybox"
cp "$TOP/qemu/domu/init" "$d/init"
cp "$TOP/qemu/kmemleak.sh" "$d/"
cp "$mods/src/pcifront_diag.ko" "$mods/bench/pfd_enable_only.ko" "$d/"
e1000e=$obj/drivers/net/ethernet/intel/e1000e/e1000e.ko
[ -f "$e1000e" ] && cp "$e1000e" "$d/"
(cd "$d" && find . | cpio -o -H newc --quiet) >"$out/domu.cpio"
rm -rf "$d"

# dom0 overlay, appended to the cached root (the kernel unpacks both).
d=$(mktemp -d)
mkdir -p "$d/lab/scenarios" "$d/lab/domu"
cp "$TOP/qemu/dom0/init" "$d/init"
cp "$TOP/qemu/dom0/lab.sh" "$TOP/qemu/kmemleak.sh" "$mods/src/pcifront_diag.ko" "$d/lab/"
cp "$TOP"/qemu/scenarios/*.sh "$d/lab/scenarios/"
cp "$obj/arch/x86/boot/bzImage" "$d/lab/domu/vmlinuz"
cp "$out/domu.cpio" "$d/lab/domu/initrd"
(cd "$d" && find . | cpio -o -H newc --quiet) >"$out/overlay.cpio"
rm -rf "$d"
cat "$rootfs" "$out/overlay.cpio" >"$out/dom0.cpio"
log "lab inputs ready in $out (xen $xenver)"
