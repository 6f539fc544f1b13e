#!/usr/bin/env bash
# dom0 userland for the lab: Debian trixie (mmdebstrap, essential variant) with
# the real Xen toolstack ($XEN_VER) (xl, xenstored, xenconsoled), packed as an
# uncompressed newc cpio (decompression under TCG costs more than the copy).
# Cached as $CACHE/rootfs/dom0-<key>.cpio; prints its path.
source "$(dirname "$0")/lib.sh"

INCLUDE="xen-utils-$XEN_VER,xenstore-utils,busybox,kmod,pciutils,procps"
key=$( { cat "$0"; echo "$INCLUDE"; } | sha256sum | cut -c1-16)
out=$CACHE/rootfs/dom0-$key.cpio
if [ -f "$out" ]; then
	log "dom0 rootfs cached: $out"
	echo "$out"
	exit 0
fi
mkdir -p "$CACHE/rootfs"
dir=$CACHE/rootfs/dom0-$key.d
rm -rf "$dir"
log "mmdebstrap trixie dom0 root -> $dir"
mmdebstrap --variant=essential --mode=root --include="$INCLUDE" \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/info/*' \
	--dpkgopt="path-exclude=/usr/lib/xen-$XEN_VER/boot/*" \
	trixie "$dir" "deb http://deb.debian.org/debian trixie main" >&2
# Not needed in an initramfs that only runs the toolstack.
rm -rf "$dir"/var/cache/apt/* "$dir"/var/lib/apt/lists/* "$dir"/usr/share/zoneinfo \
	"$dir"/usr/lib/x86_64-linux-gnu/gconv "$dir"/usr/share/i18n
dpkg-query --admindir="$dir/var/lib/dpkg" -W -f='${Package} ${Version}\n' "xen-utils-$XEN_VER" >"$CACHE/rootfs/dom0-$key.xen-version"
(cd "$dir" && find . -print0 | cpio --null -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$dir"
log "dom0 rootfs: $(du -h "$out" | cut -f1), $(cat "$CACHE/rootfs/dom0-$key.xen-version")"
echo "$out"
