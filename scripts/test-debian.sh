#!/usr/bin/env bash
# The Debian packages (scripts/debian-packages.sh, in out/debian/), installed
# and removed the way Debian installs modules, in the trixie chroot of
# scripts/debian-kbuild.sh, which has Debian's linux-modules of the first
# flavour installed and the headers of all of them:
#   - pcifront-diag-modules-<release>-<first flavour>: dpkg -i puts the module
#     where modprobe finds it (updates/, depmod), dpkg -r takes it away;
#   - the package of a flavour whose kernel is not installed refuses before
#     unpacking anything, with a message that says so;
#   - pcifront-diag-dkms builds and installs the module for every kernel
#     with headers, and removes it again;
#   - dkms's pre-build check names the missing piece: a tree without Rust
#     metadata, and a rustc that is not the kernel's (the host's own).
# Each check prints "ok: ..." or stops with "error: ...".
source "$(dirname "$0")/lib.sh"

read -r -a flavours <<<"$DEB_FLAVOURS"
root=$("$TOP/scripts/debian-kbuild.sh" | tail -n1)
version=$(pfd_version)
pkgs=$TOP/out/debian
[ -f "$pkgs/pcifront-diag-dkms_${version}_all.deb" ] || die "no packages of $version in $pkgs: run scripts/debian-packages.sh"
rm -rf "$root/tmp/pkgs" && cp -a "$pkgs" "$root/tmp/pkgs"
chroot_mounts "$root"
ok() { echo "ok: $*"; }

in_chroot "$root" REL="$DEB_KREL" FIRST="${flavours[0]}" OTHERS="${flavours[*]:1}" VERSION="$version" bash -s <<'IN'
set -euo pipefail
fail() { echo "error: $*"; exit 1; }
cd /tmp/pkgs
# Leftovers of an interrupted run.
dpkg -r "pcifront-diag-modules-$REL-$FIRST" pcifront-diag-dkms >/dev/null 2>&1 || true

k=$REL-$FIRST
dpkg -i "pcifront-diag-modules-${k}_${VERSION}_amd64.deb"
where=$(modinfo -k "$k" -F filename pcifront_diag)
[ "$where" = "/lib/modules/$k/updates/pcifront_diag.ko" ] || fail "modinfo -k $k finds pcifront_diag at '$where'"
magic=$(modinfo -k "$k" -F vermagic pcifront_diag)
echo "ok: pcifront-diag-modules-$k installed: modprobe finds $where, vermagic $magic"
dpkg -r "pcifront-diag-modules-$k"
! modinfo -k "$k" pcifront_diag >/dev/null 2>&1 || fail "pcifront_diag still found after dpkg -r"
echo "ok: pcifront-diag-modules-$k removed: modinfo no longer finds pcifront_diag"

for f in $OTHERS; do
	k=$REL-$f
	if dpkg -i "pcifront-diag-modules-${k}_${VERSION}_amd64.deb" >/tmp/out 2>&1; then
		fail "pcifront-diag-modules-$k installed without its kernel"
	fi
	grep -q "for Linux $k only, which is not installed here" /tmp/out || { cat /tmp/out; fail "no clear message"; }
	st=$(dpkg-query -W -f='${db:Status-Status}' "pcifront-diag-modules-$k" 2>/dev/null || echo not-installed)
	[ "$st" = not-installed ] || fail "a refused pcifront-diag-modules-$k is $st"
	[ ! -e "/lib/modules/$k/updates/pcifront_diag.ko" ] || fail "a refused package left its module behind"
	echo "ok: pcifront-diag-modules-$k refused without its kernel, nothing left: $(grep -m1 'not installed here' /tmp/out)"
done

dpkg -i "pcifront-diag-dkms_${VERSION}_all.deb"
for f in $FIRST $OTHERS; do
	k=$REL-$f
	dkms status -m pcifront-diag -v "$VERSION" -k "$k" | grep -q ': installed' || fail "dkms did not install pcifront-diag for $k: $(dkms status -m pcifront-diag)"
	where=$(ls "/lib/modules/$k/updates/dkms/"pcifront_diag.ko*) || fail "dkms installed no module for $k"
	echo "ok: pcifront-diag-dkms built and installed for $k: $where"
done
dpkg -r pcifront-diag-dkms
[ -z "$(dkms status -m pcifront-diag)" ] || fail "dkms still knows pcifront-diag after dpkg -r: $(dkms status -m pcifront-diag)"
! modinfo -k "$REL-$FIRST" pcifront_diag >/dev/null 2>&1 || fail "pcifront_diag still found after removing the dkms package"
echo "ok: pcifront-diag-dkms removed: dkms and modinfo no longer know pcifront_diag"

# A tree like Debian's headers as shipped: no Rust metadata.
bare=/tmp/headers-without-rust
rm -rf "$bare" && cp -a "/usr/src/linux-headers-$REL-$FIRST" "$bare" && rm -rf "$bare/rust"
if /build/pcifront-diag/dkms/pre-build.sh "$bare" 2>/tmp/out; then fail "pre-build accepted a tree without Rust metadata"; fi
grep -q "has no Rust metadata" /tmp/out || { cat /tmp/out; fail "no clear message for a tree without Rust metadata"; }
echo "ok: dkms pre-build refuses headers without Rust metadata: $(head -n1 /tmp/out)"
rm -rf "$bare"
IN

# The host's rustc is not Debian's 1.85.1: the check must say so.
hdr=$root/usr/src/linux-headers-$DEB_KREL-${flavours[0]}
out=$(PATH=$HOME/.cargo/bin:$PATH "$TOP/dkms/pre-build.sh" "$hdr" 2>&1) && die "pre-build accepted the host's $(rustc --version)"
grep -q "rustc on PATH is '$(PATH=$HOME/.cargo/bin:$PATH rustc --version)', the kernel was built with" <<<"$out" || die "unclear message for a different rustc: $out"
ok "dkms pre-build refuses another rustc: ${out%%:*}: ...$(sed 's/.*\(rustc on PATH\)/\1/' <<<"$out" | cut -c1-110)"
