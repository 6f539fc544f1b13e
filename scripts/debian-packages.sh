#!/usr/bin/env bash
# Debian packages of pcifront_diag for Debian's stock kernel, built in the
# chroot of scripts/debian-kbuild.sh with Debian's own toolchain and dpkg-deb:
#   pcifront-diag-modules-<release>-<flavour>_<version>_amd64.deb
#       the module, built against linux-headers-<release>-<flavour> plus the
#       Rust metadata, installed to /lib/modules/<release>-<flavour>/updates/;
#   pcifront-diag-dkms_<version>_all.deb
#       the source with a dkms.conf, for kernels whose headers carry Rust
#       metadata (dkms/pre-build.sh says what is missing otherwise).
# Output in out/debian/ (and the module of each flavour as
# out/debian/<release>-<flavour>/pcifront_diag.ko for the lab). Usage:
# debian-packages.sh [release [flavour...]].
source "$(dirname "$0")/lib.sh"

rel=${1:-$DEB_KREL}
[ $# -eq 0 ] || shift
read -r -a flavours <<<"${*:-$DEB_FLAVOURS}"
root=$("$TOP/scripts/debian-kbuild.sh" "$rel" "${flavours[@]}" | tail -n1)
version=$(pfd_version)
out=$TOP/out/debian
rm -rf "$out" && mkdir -p "$out"

# The sources, as git has them, into the chroot.
src=$root/build/pcifront-diag
rm -rf "$src" && mkdir -p "$src"
(cd "$TOP" && git ls-files -z src dkms | xargs -0 cp --parents -t "$src")
cp "$TOP/dkms/Kbuild" "$src/Kbuild"
chroot_mounts "$root"

for f in "${flavours[@]}"; do
	kver=$rel-$f
	log "pcifront_diag for $kver, packaged"
	in_chroot "$root" KVER="$kver" VERSION="$version" bash -s <<'IN' >&2
set -euo pipefail
b=/build/mod-$KVER
rm -rf "$b" && cp -a /build/pcifront-diag "$b"
/build/pcifront-diag/dkms/pre-build.sh "/usr/src/linux-headers-$KVER"
make -C "/usr/src/linux-headers-$KVER" M="$b" modules
ko=$b/src/pcifront_diag.ko
vermagic=$(modinfo -F vermagic "$ko")
case "$vermagic" in "$KVER "*) ;; *) echo "error: $ko has vermagic '$vermagic', not $KVER"; exit 1 ;; esac
echo "built $ko: vermagic $vermagic"

p=pcifront-diag-modules-$KVER
d=/build/pkg/$p
rm -rf "$d" && mkdir -p "$d/DEBIAN" "$d/lib/modules/$KVER/updates" "$d/usr/share/doc/$p"
install -m 644 "$ko" "$d/lib/modules/$KVER/updates/"
cat >"$d/usr/share/doc/$p/README" <<DOC
pcifront_diag $VERSION for Linux $KVER (Debian's linux-image-$KVER).
Built with $(rustc --version) against linux-headers-$KVER and Rust
metadata rebuilt from the same linux-source (pcifront-diag's
scripts/debian-kbuild.sh). Usage: see pcifront-diag's README.
DOC
cat >"$d/DEBIAN/control" <<CTL
Package: $p
Version: $VERSION
Architecture: amd64
Section: kernel
Priority: optional
Maintainer: pcifront-diag developers <pcifront-diag@localhost>
Depends: linux-modules-$KVER
Description: pcifront_diag for Linux $KVER (Xen PV passthrough BAR diagnosis)
 The pcifront_diag kernel module, built for Debian's linux-image-$KVER:
 binds to a PCI device passed through to a Xen PV guest and explains why
 its BARs cannot be used, with the evidence and the fix.
CTL
# preinst: refuse before unpacking anything, so a wrong release leaves nothing.
cat >"$d/DEBIAN/preinst" <<SH
#!/bin/sh
set -e
if [ ! -d /lib/modules/$KVER/kernel ]; then
	echo "$p: this package holds pcifront_diag for Linux $KVER only, which is not installed here (running: \$(uname -r))." >&2
	echo "$p: install linux-image-$KVER first, or the package for your kernel (pcifront-diag-modules-\$(uname -r)), or pcifront-diag-dkms." >&2
	exit 1
fi
SH
printf '#!/bin/sh\nset -e\ndepmod -a %s\n' "$KVER" >"$d/DEBIAN/postinst"
printf '#!/bin/sh\nset -e\nif [ -d /lib/modules/%s/kernel ]; then depmod -a %s; fi\n' "$KVER" "$KVER" >"$d/DEBIAN/postrm"
chmod 755 "$d/DEBIAN/preinst" "$d/DEBIAN/postinst" "$d/DEBIAN/postrm"
dpkg-deb --root-owner-group -Zxz --build "$d" /build/pkg/ >/dev/null
IN
	mkdir -p "$out/$kver"
	cp "$root/build/mod-$kver/src/pcifront_diag.ko" "$out/$kver/"
	cp "$root/build/pkg/pcifront-diag-modules-${kver}_${version}_amd64.deb" "$out/"
done

log "pcifront-diag-dkms $version"
in_chroot "$root" VERSION="$version" bash -s <<'IN' >&2
set -euo pipefail
p=pcifront-diag-dkms
d=/build/pkg/$p
s=$d/usr/src/pcifront-diag-$VERSION
rm -rf "$d" && mkdir -p "$d/DEBIAN" "$s" "$d/usr/share/doc/$p"
(cd /build/pcifront-diag && cp -a Kbuild src "$s/")
install -m 755 /build/pcifront-diag/dkms/pre-build.sh "$s/dkms-pre-build.sh"
sed "s/@VERSION@/$VERSION/" /build/pcifront-diag/dkms/dkms.conf.in >"$s/dkms.conf"
cat >"$d/DEBIAN/control" <<CTL
Package: $p
Version: $VERSION
Architecture: all
Section: kernel
Priority: optional
Maintainer: pcifront-diag developers <pcifront-diag@localhost>
Depends: dkms
Description: pcifront_diag source for DKMS (Xen PV passthrough BAR diagnosis)
 Builds pcifront_diag for every installed kernel whose headers carry Rust
 metadata (rust/*.rmeta) made by the kernel's own rustc. Debian's
 linux-headers carry none; for Debian's stock kernel install
 pcifront-diag-modules-<release>-<flavour> instead.
CTL
cat >"$d/DEBIAN/postinst" <<SH
#!/bin/sh
set -e
dkms add -m pcifront-diag -v $VERSION >/dev/null 2>&1 || true
for k in \$(ls /lib/modules 2>/dev/null); do
	[ -e "/lib/modules/\$k/build" ] || continue
	dkms install -m pcifront-diag -v $VERSION -k "\$k" || echo "pcifront-diag-dkms: not built for \$k (the reason is above)" >&2
done
SH
printf '#!/bin/sh\nset -e\ndkms remove -m pcifront-diag -v %s --all >/dev/null 2>&1 || true\n' "$VERSION" >"$d/DEBIAN/prerm"
chmod 755 "$d/DEBIAN/postinst" "$d/DEBIAN/prerm"
dpkg-deb --root-owner-group -Zxz --build "$d" /build/pkg/ >/dev/null
IN
cp "$root/build/pkg/pcifront-diag-dkms_${version}_all.deb" "$out/"
(cd "$out" && for p in *.deb; do echo "$p $(stat -c %s "$p") bytes"; done) | tee "$out/SIZES" >&2
echo "$out"
