#!/usr/bin/env bash
# Configure and build the reference kernel (tinyconfig + kernel/pcifront-diag.config)
# with gcc and CONFIG_RUST=y; KERNEL_FLAVOR=debug adds kernel/debug.config
# (kmemleak, lockdep, debug objects) and kernel/patches/debug/;
# KERNEL_FLAVOR=xen-pv-ioremap is the reference config with the series in
# kernel/patches/xen-pv-ioremap/ (the lab's loud-ioremap domU). The object tree is cached under
# $CACHE/kbuild/<key>, key = hash(source version, config fragments, patches' diffs, rustc,
# bindgen, gcc), so a second run returns at once. Prints the object tree's path,
# the only line on stdout (everything else goes to stderr); scripts use
# kernel_tree (scripts/lib.sh).
source "$(dirname "$0")/lib.sh"
export PATH=$HOME/.cargo/bin:$PATH

ksrc=$("$TOP/scripts/fetch-sources.sh" | tail -n1)
rustc_ver=$(rustc --version | awk '{print $2}')
export RUST_LIB_SRC=$CACHE/rust-src-$rustc_ver/usr/lib/rustlib/src/rust/library
export LIBCLANG_PATH=/usr/lib/llvm-19/lib

fragments="$TOP/kernel/pcifront-diag.config"
patches=""
case ${KERNEL_FLAVOR:-} in
"") ;;
debug)
	fragments="$fragments $TOP/kernel/debug.config"
	patches=$(ls "$TOP"/kernel/patches/debug/*.patch)
	;;
xen-pv-ioremap)
	# The numbered patches of the series; 0000 is its cover letter.
	for p in "$TOP"/kernel/patches/xen-pv-ioremap/[0-9][0-9][0-9][0-9]-*.patch; do
		case $p in */0000-*) ;; *) patches="$patches $p" ;; esac
	done
	;;
*) die "KERNEL_FLAVOR=${KERNEL_FLAVOR}: only 'debug', 'xen-pv-ioremap' (or unset) exist" ;;
esac
# What a patch changes in the tree: its diffs, not its commit message (a
# reworded message must not cost a kernel build); -s: each file's own range.
# shellcheck disable=SC2086 # a list of paths without spaces
patch_diffs() { [ -z "$patches" ] || sed -s -n '/^diff --git /,$p' $patches; }
# A flavour with patches builds from its own copy of the source: hard links to
# the pristine tree, broken by patch for the files it changes (GNU patch writes
# a new file), so the reference kernel's tree stays Debian's.
if [ -n "$patches" ]; then
	# shellcheck disable=SC2086
	psrc=$ksrc+$(patch_diffs | sha256sum | cut -c1-12)
	if [ ! -f "$psrc/.patched" ]; then
		log "patching a copy of $ksrc: $(echo $patches | xargs -n1 basename | tr '\n' ' ')"
		rm -rf "$psrc" && cp -al "$ksrc" "$psrc"
		for p in $patches; do
			patch -s -d "$psrc" -p1 --no-backup-if-mismatch <"$p" || die "patch $p does not apply to $ksrc"
		done
		touch "$psrc/.patched"
	fi
	ksrc=$psrc
fi
# shellcheck disable=SC2086 # a list of paths without spaces
key=$( { basename "$ksrc"; cat $fragments; patch_diffs; rustc --version; bindgen --version; gcc --version | head -n1; } | sha256sum | cut -c1-16)
obj=$CACHE/kbuild/$key
if [ -f "$obj/.done" ]; then
	log "kernel cached: $obj"
	echo "$obj"
	exit 0
fi

mkdir -p "$obj"
mk() { make -C "$ksrc" O="$obj" ARCH=x86_64 "$@"; }
t0=$(date +%s)
log "configuring $ksrc -> $obj"
mk -s tinyconfig >&2
# shellcheck disable=SC2086
cat $fragments >>"$obj/.config"
mk -s olddefconfig 2>&1 | grep -v "override: reassigning" >&2 || true
# Every requested line must survive olddefconfig (unmet dependencies drop options silently).
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$obj/.config" || { echo "config: wanted '$line', got '$(grep "^${line%%=*}=" "$obj/.config" || echo unset)'" >&2; bad=1; } ;;
	"# CONFIG_"*" is not set") o=${line#\# }; o=${o%% *}; ! grep -q "^$o=" "$obj/.config" || { echo "config: wanted $o unset" >&2; bad=1; } ;;
	esac
done < <(cat $fragments)
[ "$bad" = 0 ] || die "kernel config fragment not satisfied (see above); rust: $(mk -s rustavailable 2>&1 | tail -n3)"

log "building kernel with $(nproc) jobs"
mk -j"$(nproc)" bzImage modules >&2
# Rust metadata for out-of-tree modules, rust-analyzer support.
t1=$(date +%s)
log "kernel built in $((t1 - t0)) s"
echo "$((t1 - t0))" >"$obj/.build-seconds"
touch "$obj/.done"
echo "$obj"
