#!/usr/bin/env bash
# Fetch Debian's linux-source-7.3 (trixie-backports) and the Debian rust-src
# whose upstream version equals `rustc --version` exactly, unpacked with
# dpkg-deb -x under $CACHE. Usage: fetch-sources.sh [linux-source version]
# (default: the newest trixie-backports has). Prints the kernel source tree's
# path (and logs to stderr); results:
#   $CACHE/src/linux-<ver>/            kernel source tree
#   $CACHE/rust-src-<rustc ver>/usr/lib/rustlib/src/rust/library  (RUST_LIB_SRC)
source "$(dirname "$0")/lib.sh"
KVER_PKG=linux-source-7.3

rustc_ver=$(rustc --version | awk '{print $2}')
# Debian version of rust-src that matches the host rustc (1.95.0 -> 1.95.0+dfsg1-...).
rs_ver=$(trixie_versions rust-src | awk -v v="$rustc_ver" -F'+' '$1 == v' | tail -n1)
if [ -z "$rs_ver" ]; then
	die "rustc is $rustc_ver but Debian trixie/trixie-backports offers rust-src $(trixie_versions rust-src | tr '\n' ' ')- none matches; install one of those rustc versions"
fi
rs_dir=$CACHE/rust-src-$rustc_ver
if [ ! -d "$rs_dir/usr/lib/rustlib/src/rust/library/core" ]; then
	deb=$(fetch_deb "rust-src=$rs_ver")
	log "unpacking $deb"
	mkdir -p "$CACHE"
	rm -rf "$rs_dir.tmp" && dpkg-deb -x "$deb" "$rs_dir.tmp" && mv "$rs_dir.tmp" "$rs_dir"
fi

ls_ver=${1:-$(trixie_versions "$KVER_PKG" | tail -n1)}
[ -n "$ls_ver" ] || die "no $KVER_PKG in trixie-backports"
ksrc_deb=$(fetch_deb "$KVER_PKG=$ls_ver")
upstream=${ls_ver%%-*}
ksrc=$CACHE/src/linux-$ls_ver
if [ ! -f "$ksrc/Makefile" ]; then
	log "unpacking $ksrc_deb"
	tmp=$CACHE/src/tmp.$$
	rm -rf "$tmp" && mkdir -p "$tmp"
	dpkg-deb -x "$ksrc_deb" "$tmp"
	tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.* | head -n1)
	mkdir -p "$tmp/x" && tar -C "$tmp/x" -xf "$tarball"
	mv "$tmp"/x/linux-source-* "$ksrc"
	rm -rf "$tmp"
fi
log "kernel source $upstream at $ksrc, RUST_LIB_SRC from rust-src $rs_ver"
echo "$ksrc"
