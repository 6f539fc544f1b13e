#!/usr/bin/env bash
# The loud-ioremap scenario's domU: the reference config with the series in
# kernel/patches/xen-pv-ioremap/ (KERNEL_FLAVOR=xen-pv-ioremap, cached like
# the reference kernel), and an initramfs with the modules built for it
# (pcifront_diag.ko, e1000e.ko, ioremap_cost.ko) plus ioremap_cost-ref.ko
# built for the reference kernel, which the scenario boots (vmlinuz-ref) to
# measure ioremap() without the series. Writes vmlinuz, vmlinuz-ref and
# initrd to $LAB_OUT/domu-ioremap/ (out/lab/), which build-lab.sh puts in
# dom0's /lab/domu-ioremap/; the modules are built in out/xen-pv-ioremap/.
# Prints the directory.
source "$(dirname "$0")/lib.sh"
export PATH=$HOME/.cargo/bin:$PATH

ref=$("$TOP/scripts/build-kernel.sh" | tail -n1)
kdir=$(KERNEL_FLAVOR=xen-pv-ioremap "$TOP/scripts/build-kernel.sh" | tail -n1)
out=${LAB_OUT:-$TOP/out/lab}/domu-ioremap
mods=$TOP/out/xen-pv-ioremap
cost=$TOP/kernel/patches/xen-pv-ioremap/cost

# build_modules <kernel tree> <dir>: build the sources copied to <dir> out of tree.
build_modules() {
	make -C "$1" M="$2" modules >&2
}
# fresh <dir>: an empty directory.
fresh() { rm -rf "$1" && mkdir -p "$1"; }
fresh "$mods/modules"
git -C "$TOP" ls-files -z Kbuild src bench | (cd "$TOP" && xargs -0 cp --parents -t "$mods/modules")
build_modules "$kdir" "$mods/modules"
# cost_module <dir> <kernel tree>: ioremap_cost.ko for that kernel, in <dir>.
cost_module() {
	fresh "$1"
	cp "$cost/Kbuild" "$cost/ioremap_cost.c" "$1/"
	build_modules "$2" "$1"
}
cost_module "$mods/cost" "$kdir"
cost_module "$mods/cost-ref" "$ref"

mkdir -p "$out"
d=$(mktemp -d)
mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev"
cp /bin/busybox "$d/bin/busybox"
cp "$TOP/qemu/domu/init" "$TOP/qemu/kmemleak.sh" "$d/"
cp "$mods/modules/src/pcifront_diag.ko" "$kdir/drivers/net/ethernet/intel/e1000e/e1000e.ko" "$d/"
cp "$mods/cost/ioremap_cost.ko" "$d/ioremap_cost.ko"
cp "$mods/cost-ref/ioremap_cost.ko" "$d/ioremap_cost-ref.ko"
(cd "$d" && find . | cpio -o -H newc --quiet) >"$out/initrd"
rm -rf "$d"
cp "$kdir/arch/x86/boot/bzImage" "$out/vmlinuz"
cp "$ref/arch/x86/boot/bzImage" "$out/vmlinuz-ref"
log "loud-ioremap domU: $kdir (kernel built in $(cat "$kdir/.build-seconds" 2>/dev/null || echo ?) s)"
echo "$out"
