#!/usr/bin/env bash
# Rust metadata for Debian's stock kernel, so that Rust modules build against
# linux-headers-<release>-<flavour>, which ship none. Only the identical rustc
# accepts the kernel's .rmeta files and reproduces the kernel crate's symbol
# names, so the metadata is rebuilt with Debian's own toolchain:
#  1. the headers' .config names the toolchain Debian built with
#     (CONFIG_RUSTC_VERSION_TEXT, CONFIG_BINDGEN_VERSION_TEXT,
#     CONFIG_CC_VERSION_TEXT); every flavour must name the same one;
#  2. a trixie chroot (mmdebstrap, cached by its package list) gets exactly
#     those rustc, rust-src, bindgen and gcc, and the headers of each flavour;
#  3. per flavour, linux-source at the headers' Debian version is configured
#     with the headers' .config (olddefconfig must change nothing) and
#     modules_prepare'd; the _R symbols the rebuilt crates export must be
#     exactly those Debian's Module.symvers lists; then rust/*.rmeta,
#     rust/*.so and scripts/target.json join the installed headers.
# Usage: debian-kbuild.sh [release [flavour...]] (default $DEB_KREL,
# $DEB_FLAVOURS). Prints the chroot's path; in it, the module build trees are
# /usr/src/linux-headers-<release>-<flavour>. Cached: a second run only checks.
source "$(dirname "$0")/lib.sh"

rel=${1:-$DEB_KREL}
[ $# -eq 0 ] || shift
read -r -a flavours <<<"${*:-$DEB_FLAVOURS}"

pkgver=$(trixie_versions "linux-headers-$rel-${flavours[0]}" | tail -n1)
[ -n "$pkgver" ] || die "Debian (trixie, trixie-backports) has no linux-headers-$rel-${flavours[0]}: give a Debian kernel release as uname -r prints it, without the flavour (e.g. $DEB_KREL)"

# cfg_text <option> <.config>: the string value of CONFIG_<option>.
cfg_text() { sed -n "s/^CONFIG_$1=\"\(.*\)\"$/\1/p" "$2"; }
# debian_version <package> <upstream version>: the newest Debian version of it.
debian_version() {
	trixie_versions "$1" | awk -v v="$2" '{ u = $0; sub(/^[0-9]+:/, "", u); sub(/[-+~].*/, "", u) } u == v' | tail -n1
}

work=$CACHE/debian/$rel
mkdir -p "$work"
toolchain=""
for f in "${flavours[@]}"; do
	deb=$(fetch_deb "linux-headers-$rel-$f=$pkgver")
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/linux-headers-$rel-$f/.config" >"$work/config-$f"
	t="$(cfg_text RUSTC_VERSION_TEXT "$work/config-$f")|$(cfg_text BINDGEN_VERSION_TEXT "$work/config-$f")|$(cfg_text CC_VERSION_TEXT "$work/config-$f")"
	[ -n "$toolchain" ] || toolchain=$t
	[ "$t" = "$toolchain" ] || die "flavours $f and ${flavours[0]} were built with different toolchains: $t vs $toolchain"
	grep -qx 'CONFIG_RUST=y' "$work/config-$f" || die "linux-image-$rel-$f has no CONFIG_RUST=y: no Rust module can load into it"
done
IFS='|' read -r rustc_text bindgen_text cc_text <<<"$toolchain"
rustc_up=$(awk '{print $2}' <<<"$rustc_text")
bindgen_up=$(awk '{print $2}' <<<"$bindgen_text")
cc=${cc_text%% *}                                   # x86_64-linux-gnu-gcc-14
gcc_pkg=${cc#x86_64-linux-gnu-}                     # gcc-14
gcc_ver=$(sed -n 's/.*(Debian \([^)]*\)).*/\1/p' <<<"$cc_text")
rustc_ver=$(debian_version rustc "$rustc_up")
bindgen_ver=$(debian_version bindgen "$bindgen_up")
[ -n "$rustc_ver" ] || die "the kernel was built with $rustc_text; Debian offers rustc $(trixie_versions rustc | tr '\n' ' ')- none is $rustc_up"
[ -n "$bindgen_ver" ] || die "the kernel was built with $bindgen_text; Debian offers bindgen $(trixie_versions bindgen | tr '\n' ' ')- none is $bindgen_up"
trixie_versions "$gcc_pkg" | grep -qxF "$gcc_ver" || die "the kernel was built with $cc_text; Debian offers $gcc_pkg $(trixie_versions "$gcc_pkg" | tr '\n' ' ')only"
log "Debian $rel ($pkgver): $rustc_text, $bindgen_text, $cc_text"

include="rustc=$rustc_ver,rust-src=$rustc_ver,bindgen=$bindgen_ver,$gcc_pkg=$gcc_ver"
include="$include,make,libc6-dev,bc,bison,flex,perl,python3,libelf-dev,libssl-dev,openssl,kmod,dwarves,xz-utils,dkms"
for f in "${flavours[@]}"; do include="$include,linux-headers-$rel-$f=$pkgver"; done
# The first flavour's modules too: scripts/test-debian.sh installs the
# packages into this chroot, and a package must find its kernel there (and
# refuse when it does not: the other flavours').
include="$include,linux-modules-$rel-${flavours[0]}=$pkgver"
# Keyed by what is installed (bump the tag when the mmdebstrap call changes).
key=$(echo "chroot-v1 $include" | sha256sum | cut -c1-16)
root=$CACHE/debian/chroot-$key
if [ ! -f "$root.done" ]; then
	log "mmdebstrap trixie chroot with Debian's kernel toolchain -> $root"
	rm -rf "$root"
	mmdebstrap --variant=apt --mode=root --include="$include" \
		--aptopt='APT::Install-Recommends "false"' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		trixie "$root" \
		"deb http://deb.debian.org/debian trixie main" \
		"deb http://deb.debian.org/debian trixie-backports main" >&2
	touch "$root.done"
fi
got=$(chroot "$root" rustc --version)
[ "$got" = "$rustc_text" ] || die "the chroot's rustc says '$got', the kernel's .config '$rustc_text'"

ksrc=$("$TOP/scripts/fetch-sources.sh" "$pkgver" | tail -n1)
chroot_mounts "$root" "$ksrc"
for f in "${flavours[@]}"; do
	log "Rust metadata for $rel-$f"
	in_chroot "$root" REL="$rel" FLAVOUR="$f" CC="$cc" JOBS="$(nproc)" bash -s <<'IN' >&2
set -euo pipefail
hdr=/usr/src/linux-headers-$REL-$FLAVOUR
obj=/build/$REL-$FLAVOUR
mk() { make -C /usr/src/linux-source O="$obj" CC="$CC" "$@"; }
if [ ! -f "$obj/.prepared" ]; then
	rm -rf "$obj" && mkdir -p "$obj"
	cp "$hdr/.config" "$obj/.config"
	mk -s olddefconfig
	if ! diff -u <(grep -E '^(CONFIG_|# CONFIG_)' "$hdr/.config") \
		<(grep -E '^(CONFIG_|# CONFIG_)' "$obj/.config") >"$obj/olddefconfig.diff"; then
		cat "$obj/olddefconfig.diff"
		echo "error: olddefconfig changed Debian's .config for $FLAVOUR (above): the toolchain differs from Debian's"
		exit 1
	fi
	start=$(date +%s)
	mk -j"$JOBS" modules_prepare
	echo "$(($(date +%s) - start))" >"$obj/.prepare-seconds"
	touch "$obj/.prepared"
fi
# The symbol names must line up before anything is built against them.
exports() { sed -n 's/^EXPORT_SYMBOL_RUST_GPL(\(_R[^)]*\));$/\1/p' "$obj"/rust/exports_*_generated.h | sort -u; }
debian() { awk '$2 ~ /^_R/ { print $2 }' "$hdr/Module.symvers" | sort -u; }
if ! cmp -s <(exports) <(debian); then
	echo "error: the rebuilt kernel crates' Rust symbols differ from Debian's Module.symvers:"
	diff <(exports) <(debian) | head -n 20
	exit 1
fi
echo "symbols: $(exports | wc -l) Rust symbols exported, identical to Debian's Module.symvers"
# Debian's scripts/ is shared by the flavours: target.json goes into the
# flavour's own tree, as a real scripts/ of links into the shared one.
mkdir -p "$hdr/rust"
cp "$obj"/rust/*.rmeta "$obj"/rust/*.so "$hdr/rust/"
if [ -L "$hdr/scripts" ]; then
	shared=$(readlink -f "$hdr/scripts")
	rm "$hdr/scripts" && mkdir "$hdr/scripts"
	for e in "$shared"/* "$shared"/.[!.]*; do [ -e "$e" ] && ln -s "$e" "$hdr/scripts/"; done
fi
cp "$obj/scripts/target.json" "$hdr/scripts/target.json"
echo "$hdr: $(ls "$hdr"/rust/*.rmeta | wc -l) .rmeta, $(ls "$hdr"/rust/*.so | wc -l) proc-macro .so, target.json (modules_prepare $(cat "$obj/.prepare-seconds") s)"
IN
done
echo "$root"
