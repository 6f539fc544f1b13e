#!/usr/bin/env bash
# Assemble the lab's boot inputs under out/lab/:
#   xen         Debian's Xen hypervisor ($XEN_VER) (same version as the dom0 toolstack)
#   bzImage     the reference kernel (dom0 and domU)
#   dom0.cpio   trixie dom0 root (cached) + overlay: qemu/dom0/*, scenarios, the
#               dom0 package (scripts/dom0-package.sh: the command and its image), domU
#               kernel and initramfs (busybox, pcifront_diag.ko, e1000e.ko),
#               loud-ioremap's domU kernels and initramfs (build-ioremap-domu.sh),
#               and for each package scripts/debian-packages.sh left in
#               out/debian/, Debian's own kernel with its initramfs
# Needs the kernel (scripts/build-kernel.sh) and the module (make) first.
# LAB_OUT: another output directory; LAB_MODULES: a tree whose src/ and bench/
# hold the modules (make test-debug builds them out of tree for its kernel).
source "$(dirname "$0")/lib.sh"

obj=${KDIR:-$(kernel_tree)}
rootfs=$("$TOP/scripts/build-dom0-rootfs.sh" | tail -n1)
xenver=$(awk '{print $2}' "${rootfs%.cpio}.xen-version")
out=${LAB_OUT:-$TOP/out/lab}
mods=${LAB_MODULES:-$TOP}
mkdir -p "$out"

[ -f "$mods/src/pcifront_diag.ko" ] || die "pcifront_diag.ko not built: run make"
[ -x "$TOP/tool/target/release/pcifront-diag" ] || die "the pcifront-diag command is not built: run make tool"

image=$(KDIR=$obj IMAGE_OUT=$out/image "$TOP/scripts/build-image.sh" | tail -n1)
xen=$CACHE/xen/xen-$xenver
if [ ! -f "$xen" ]; then
	deb=$(fetch_deb "xen-hypervisor-$XEN_VER-amd64=$xenver")
	tmp=$(mktemp -d)
	dpkg-deb -x "$deb" "$tmp"
	mkdir -p "$CACHE/xen"
	zcat "$tmp/boot/xen-$XEN_VER-amd64.gz" >"$xen.tmp" && mv "$xen.tmp" "$xen"
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

# debian_domu <dir> <pcifront-diag-modules-*.deb> <release>: the debian-kernel
# scenario's domU for that package's kernel release: Debian's vmlinuz
# (linux-binary-unsigned-<release>) and an initramfs with Debian's
# xen-pcifront.ko (linux-modules-<release>, decompressed: busybox insmod reads
# plain .ko) and pcifront_diag.ko as the package installs it.
debian_domu() {
	local dir=$1 deb=$2 kver=$3 pkgver t
	pkgver=$(trixie_versions "linux-modules-$kver" | tail -n1)
	t=$(mktemp -d)
	dpkg-deb -x "$(fetch_deb "linux-binary-unsigned-$kver=$pkgver")" "$t/image"
	dpkg-deb --fsys-tarfile "$(fetch_deb "linux-modules-$kver=$pkgver")" |
		tar -x -C "$t" --wildcards './usr/lib/modules/*/kernel/drivers/pci/xen-pcifront.ko.xz'
	dpkg-deb -x "$deb" "$t/pkg"
	mkdir -p "$dir" "$t/root/bin" "$t/root/proc" "$t/root/sys" "$t/root/dev"
	cp "$t/image/usr/lib/modules/$kver/vmlinuz.unsigned" "$dir/vmlinuz"
	cp /bin/busybox "$t/root/bin/busybox"
	cp "$TOP/qemu/domu/init" "$TOP/qemu/kmemleak.sh" "$t/root/"
	xz -dc "$t/usr/lib/modules/$kver/kernel/drivers/pci/xen-pcifront.ko.xz" >"$t/root/xen-pcifront.ko"
	cp "$t/pkg/lib/modules/$kver/updates/pcifront_diag.ko" "$t/root/"
	(cd "$t/root" && find . | cpio -o -H newc --quiet) >"$dir/initrd"
	rm -rf "$t"
}

# dom0 overlay, appended to the cached root (the kernel unpacks both).
d=$(mktemp -d)
# The overlay's top becomes dom0's /: mktemp's 700 would lock every other user out.
chmod 755 "$d"
mkdir -p "$d/lab/scenarios" "$d/lab/domu"
for deb in "$TOP"/out/debian/pcifront-diag-modules-*.deb; do
	[ -f "$deb" ] || continue
	kver=$(dpkg-deb -f "$deb" Package)
	kver=${kver#pcifront-diag-modules-}
	debian_domu "$d/lab/debian/$kver" "$deb" "$kver"
	log "debian-kernel domU: Debian's $kver, $(du -h "$d/lab/debian/$kver/vmlinuz" | cut -f1) kernel"
done
cp "$TOP/qemu/dom0/init" "$d/init"
cp "$TOP/qemu/dom0/lab.sh" "$TOP/qemu/dom0/xc_perm.py" "$TOP/qemu/kmemleak.sh" "$mods/src/pcifront_diag.ko" "$d/lab/"
# The dom0 command and its image as the package ships them: dom0 installs it
# with dpkg -i (lab.sh, pfd_install).
deb=$(IMAGE_OUT=$image "$TOP/scripts/dom0-package.sh" | tail -n1)
cp "$deb" "$d/lab/"
cp "$TOP"/qemu/scenarios/*.sh "$d/lab/scenarios/"
cp "$obj/arch/x86/boot/bzImage" "$d/lab/domu/vmlinuz"
cp "$out/domu.cpio" "$d/lab/domu/initrd"
# The loud-ioremap scenario's domUs, if scripts/build-ioremap-domu.sh made them.
if [ -f "$out/domu-ioremap/initrd" ]; then
	cp -r "$out/domu-ioremap" "$d/lab/domu-ioremap"
else
	log "no $out/domu-ioremap: run scripts/build-ioremap-domu.sh first for the loud-ioremap scenario"
fi
(cd "$d" && find . | cpio -o -H newc --quiet) >"$out/overlay.cpio"
rm -rf "$d"
cat "$rootfs" "$out/overlay.cpio" >"$out/dom0.cpio"
log "lab inputs ready in $out (xen $xenver)"
