#!/bin/sh
# pre-build.sh <kernel build tree>: can a Rust module be built against it?
# A Rust module needs the kernel's Rust metadata (rust/*.rmeta, the proc-macro
# .so files, scripts/target.json) and the very rustc the kernel was built
# with: .rmeta files are refused by any other rustc, and symbol names embed
# its version. Exits 1 with a message that names the missing piece.
set -eu
k=${1:?usage: pre-build.sh <kernel build tree>}
fail() {
	echo "pcifront-diag: cannot build against $k: $*" >&2
	exit 1
}
cfg=$k/include/config/auto.conf
[ -f "$cfg" ] || cfg=$k/.config
[ -f "$cfg" ] || fail "no .config there: not a kernel build tree (install the kernel's headers package)"
grep -qx 'CONFIG_RUST=y' "$cfg" || fail "that kernel is built without CONFIG_RUST: no Rust module can load into it"
if [ ! -f "$k/rust/libkernel.rmeta" ] || [ ! -f "$k/scripts/target.json" ]; then
	fail "it has no Rust metadata (rust/libkernel.rmeta, scripts/target.json).
  Debian's linux-headers ship none: for Debian's kernel install
  pcifront-diag-modules-<uname -r>, or add the metadata with pcifront-diag's
  scripts/debian-kbuild.sh <release>. Elsewhere install the package with your
  kernel's rust/ directory (Ubuntu: linux-lib-rust-<uname -r>)."
fi
# auto.conf leaves the quotes out, .config keeps them.
want=$(sed -n 's/^CONFIG_RUSTC_VERSION_TEXT="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$cfg")
[ -n "$want" ] || fail "its config names no CONFIG_RUSTC_VERSION_TEXT: not a Rust-enabled kernel build tree"
got=$(rustc --version 2>/dev/null) || fail "no rustc on PATH; the kernel was built with $want: install exactly that one (Debian: apt install rustc=<the version of '$want'>)"
[ "$got" = "$want" ] || fail "rustc on PATH is '$got', the kernel was built with '$want': only that exact rustc can use the kernel's metadata; install it (Debian: the rustc package of that version) and put it first on PATH"
echo "pcifront-diag: $k has Rust metadata for $want"
