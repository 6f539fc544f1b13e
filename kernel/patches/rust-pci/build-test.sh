#!/usr/bin/env bash
# Build-tests the rust-pci series (see docs/rust-pci-patches.md) on a copy of the reference
# kernel's source: checkpatch --strict on every patch, then `make CLIPPY=1 rust/` (kernel crate
# and KUnit doctests) and `make rustdoc` in a fresh object tree with the reference config plus
# CONFIG_KUNIT and CONFIG_RUST_KERNEL_DOCTESTS. Only rust/ is compiled, not the kernel: about
# 10 minutes on 2 cores. Usage: build-test.sh [work dir, default /tmp/rust-pci-build].
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../../scripts/lib.sh"
work=${1:-/tmp/rust-pci-build}
export PATH=$HOME/.cargo/bin:$PATH

ksrc=$("$TOP/scripts/fetch-sources.sh" | tail -n1)
# Cached after the first run: prints the reference kernel's object tree, whose .config we reuse.
kobj=$("$TOP/scripts/build-kernel.sh" | tail -n1)
rustc_ver=$(rustc --version | awk '{print $2}')
export RUST_LIB_SRC=$CACHE/rust-src-$rustc_ver/usr/lib/rustlib/src/rust/library
export LIBCLANG_PATH=/usr/lib/llvm-19/lib

rm -rf "$work" && mkdir -p "$work/obj"
# Hard links to the pristine tree; GNU patch writes new files for the ones it changes.
cp -al "$ksrc" "$work/linux"
for p in "$here"/0*.patch; do
	case $p in *0000-cover-letter.patch) continue ;; esac
	(cd "$work/linux" && ./scripts/checkpatch.pl --strict -q "$p") || {
		echo "checkpatch: $p" >&2
		exit 1
	}
	patch -s -d "$work/linux" -p1 --no-backup-if-mismatch <"$p"
done

cp "$kobj/.config" "$work/obj/.config"
printf 'CONFIG_KUNIT=y\nCONFIG_RUST_KERNEL_DOCTESTS=y\n' >>"$work/obj/.config"
mk() { make -C "$work/linux" O="$work/obj" ARCH=x86_64 "$@"; }
mk -s olddefconfig
grep -qx 'CONFIG_RUST_KERNEL_DOCTESTS=y' "$work/obj/.config"
mk -j"$(nproc)" CLIPPY=1 rust/ 2>&1 | tee "$work/build.log"
mk -j"$(nproc)" rustdoc 2>&1 | tee -a "$work/build.log"
if grep -E '^(warning|error)' "$work/build.log"; then
	echo "build-test: warnings or errors above" >&2
	exit 1
fi
log "build-test: series applies, checkpatch clean, rust/ and rustdoc build without warnings"
