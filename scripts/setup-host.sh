#!/usr/bin/env bash
# Install what the bookworm host needs to build the kernel, the module and the
# lab: compiler/kernel build deps, libclang-19 (bookworm), bindgen-cli
# (crates.io), QEMU (bookworm), the tools that build root filesystems, and
# the shell linter scripts/shellcheck.sh runs, lintian for the dom0 package,
# Prometheus for its promtool (the dom0 package's alert rules, the lab's
# textfile: scripts/validate-metrics.sh; the server itself is not wanted) and
# python3-jsonschema for the lab's JSON documents (scripts/validate-json.sh).
# Idempotent: a second run only checks.
source "$(dirname "$0")/lib.sh"

BINDGEN_VERSION=${BINDGEN_VERSION:-0.72.1}
PKGS="build-essential bc flex bison libelf-dev libssl-dev cpio kmod rsync xz-utils zstd
      libclang-19-dev clang-19 llvm-19 lld-19 dwarves python3
      qemu-system-x86 busybox-static mmdebstrap debian-archive-keyring
      ca-certificates curl expect shellcheck lintian prometheus python3-jsonschema"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	log "apt-get install:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# Installing from stale or missing package lists fails later with a
	# less clear message: stop here, with apt's own reason.
	apt-get -q update >&2 || die "apt-get update failed (its message is above): check the network and /etc/apt/sources.list*, then run scripts/setup-host.sh again"
	# shellcheck disable=SC2086
	apt-get -q install -y --no-install-recommends $missing >&2
	# Only promtool is needed: the Prometheus server the package enables stays off.
	case " $missing " in
	*" prometheus "*) [ ! -d /run/systemd/system ] || systemctl disable --now prometheus >&2 ;;
	esac
fi

export PATH=$HOME/.cargo/bin:$PATH
if ! bindgen --version 2>/dev/null | grep -q " $BINDGEN_VERSION\$"; then
	log "cargo install bindgen-cli $BINDGEN_VERSION"
	LIBCLANG_PATH=/usr/lib/llvm-19/lib cargo install --locked --quiet bindgen-cli --version "$BINDGEN_VERSION" >&2
fi
log "host ready: $(rustc --version), $(bindgen --version), $(qemu-system-x86_64 --version | head -n1)"
