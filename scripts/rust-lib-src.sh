#!/usr/bin/env bash
# Print RUST_LIB_SRC: Debian's rust-src matching `rustc --version`, as unpacked
# by scripts/fetch-sources.sh.
source "$(dirname "$0")/lib.sh"
echo "$CACHE/rust-src-$(rustc --version | awk '{print $2}')/usr/lib/rustlib/src/rust/library"
