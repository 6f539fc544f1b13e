# shellcheck shell=bash
# Common settings for every pcifront-diag script. Sourced, never run; sourcing
# only sets variables and functions (make clean sources it, and writes nothing
# outside the tree): each function that writes under $CACHE creates what it
# writes to.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Heavy, reusable results (downloads, kernel build, root filesystems) live
# outside the repository so a clean checkout reuses them.
CACHE=${PFD_CACHE:-/var/cache/pcifront-diag}
DEBS=$CACHE/debs

# Debian's Xen (trixie): hypervisor and toolstack of the same version.
# shellcheck disable=SC2034 # read by build-dom0-rootfs.sh and build-lab.sh
XEN_VER=4.20
# Debian's stock kernel the module is packaged for (scripts/debian-kbuild.sh):
# the ABI release of linux-image-<release>-<flavour>, and its flavours.
DEB_KREL=${DEB_KREL:-7.3.4+deb13}
DEB_FLAVOURS=${DEB_FLAVOURS:-amd64 cloud-amd64}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# quietly <what> <command...>: a step of a long job, with all its output in
# out/logs/<n>-<what>.log (QUIET_LOG). Prints a line when it starts, every
# 30 s one with its progress (objects compiled, for a build; else its last
# line of output), one when it ends with its time, and on failure the log's last 25
# lines and its path. Returns the command's exit code.
QUIET_N=0
# quiet_progress <log>: objects compiled so far for a build, else its last line.
quiet_progress() {
	local n
	n=$(grep -cE '^  (CC|RUSTC|LD|AR|AS|BINDGEN) ' "$1" || true)
	if [ "$n" -gt 0 ]; then
		echo "$n objects compiled"
	else
		tail -n 1 "$1" | sed 's/^\[ *[0-9.]*\] //' | cut -c1-100
	fi
}
quietly() {
	local what=$1 t0 pid rc=0 n=0
	shift
	QUIET_N=$((QUIET_N + 1))
	mkdir -p "$TOP/out/logs"
	QUIET_LOG=$TOP/out/logs/$(printf %02d "$QUIET_N")-${what//[[:space:]\/]/-}.log
	t0=$(date +%s)
	log "$what ..."
	"$@" >"$QUIET_LOG" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		[ $((n % 30)) = 0 ] || continue
		log "  $what, $n s: $(quiet_progress "$QUIET_LOG")"
	done
	wait "$pid" || rc=$?
	if [ "$rc" != 0 ]; then
		tail -n 25 "$QUIET_LOG" >&2
		log "$what FAILED after $(($(date +%s) - t0)) s (exit $rc); full output: $QUIET_LOG"
		return "$rc"
	fi
	log "$what: done in $(($(date +%s) - t0)) s (output: $QUIET_LOG)"
}
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A private apt configuration for Debian trixie (+ backports). Packages from it
# are only downloaded and unpacked with dpkg-deb -x, never installed on the
# bookworm host.
TRIXIE_APT=$CACHE/apt-trixie
trixie_apt() { _trixie apt-get "$@"; }
trixie_cache() { _trixie apt-cache "$@"; }
_trixie() {
	local tool=$1 d=$TRIXIE_APT
	shift
	if [ ! -f "$d/sources.list" ]; then
		mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/etc/preferences.d" "$d/state"
		cat >"$d/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security trixie-security main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
SRC
		touch "$d/state/status"
	fi
	"$tool" -q \
		-o Dir::Etc::sourcelist="$d/sources.list" \
		-o Dir::Etc::sourceparts=- \
		-o Dir::Etc::preferencesparts="$d/etc/preferences.d" \
		-o Dir::State::Lists="$d/lists" \
		-o Dir::State::status="$d/state/status" \
		-o Dir::Cache="$d/cache" \
		-o APT::Default-Release= \
		"$@"
}

trixie_update() {
	local stamp=$TRIXIE_APT/updated
	if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
		# Explicit: callers run this inside $(...), where bash drops set -e.
		trixie_apt update >&2 || die "apt-get update of the trixie package lists ($TRIXIE_APT/sources.list) failed: see apt's message above"
		touch "$stamp"
	fi
}

# Download one package version (pkg or pkg=ver) into $DEBS; print the .deb path.
fetch_deb() {
	local spec=$1 name ver f
	trixie_update
	name=${spec%%=*}
	if [ "$spec" = "$name" ]; then
		ver=$(trixie_cache policy "$name" 2>/dev/null | awk '/Candidate:/ {print $2}')
		[ -n "$ver" ] && [ "$ver" != "(none)" ] || die "no $name in trixie/trixie-backports"
	else
		ver=${spec#*=}
	fi
	f=$(ls "$DEBS/${name}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		mkdir -p "$DEBS"
		(cd "$DEBS" && trixie_apt download "$name=$ver" >&2)
		f=$(ls "$DEBS/${name}_${ver//:/%3a}_"*.deb | head -n1)
	fi
	echo "$f"
}

# All versions of a package trixie (+ backports) offers.
trixie_versions() {
	trixie_update
	trixie_cache madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -uV
}

# chroot_mounts <root> [<kernel source>]: /proc (objtool reads it), /dev and
# the kernel source, read-only at /usr/src/linux-source, inside a chroot,
# until the script exits.
chroot_mounts() {
	local root=$1 m
	mkdir -p "$root/usr/src/linux-source"
	CHROOT_MOUNTS="$root/usr/src/linux-source $root/dev $root/proc"
	trap chroot_unmount EXIT
	for m in $CHROOT_MOUNTS; do ! mountpoint -q "$m" || umount "$m"; done
	mount -t proc proc "$root/proc"
	mount --bind /dev "$root/dev"
	[ $# -lt 2 ] || mount --bind "$2" "$root/usr/src/linux-source"
	[ $# -lt 2 ] || mount -o remount,bind,ro "$root/usr/src/linux-source"
}
chroot_unmount() {
	local m
	for m in ${CHROOT_MOUNTS:-}; do ! mountpoint -q "$m" || umount "$m" 2>/dev/null || umount -l "$m"; done
}
# The module packages' version: <src/VERSION>~git<commit date>.<commit>, rising with history.
pfd_version() {
	printf '%s~git%s' "$(cat "$TOP/src/VERSION")" "$(git -C "$TOP" log -1 --format='%cd.%h' --date=format:%Y%m%d%H%M)"
}

# in_chroot <root> [VAR=value...] <command...>: run a command in a chroot with
# a clean environment.
in_chroot() {
	local root=$1
	shift
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}

# kernel_tree: the object tree of the reference kernel (with KERNEL_FLAVOR=debug,
# of the debug kernel), built on first use and cached: build-kernel.sh prints
# only that path on stdout, its progress goes to stderr.
kernel_tree() {
	local obj
	obj=$("$TOP/scripts/build-kernel.sh") || return
	[ -f "$obj/.done" ] || die "scripts/build-kernel.sh printed '$obj', not a built kernel tree"
	echo "$obj"
}

# The scenarios make test runs, in order (torture is a measuring tool).
lab_scenarios() {
	echo healthy denied loud-ioremap unclaimed sub-page decode-off not-pv detach holes io-denied \
		bad-input backend-gone pull-during-probe race debian-kernel dom0-denied dom0-garbled \
		check-healthy check-sub-page check-unclaimed check-bad-input check-hostile msi msi-pirq irq-denied dma bench
	echo host-healthy host-not-hidden host-bad-hide host-siblings host-no-iommu host-bad-input
}

# lab_scenario <name>: qemu/run <name> (lab inputs already built), once, with
# its verdict kept in $LAB_OUT/<name>.result (out/lab/). No retries: the lab
# does not fault on its own, so every failure is one to read (docs/lab.md,
# "The lab's emulation fault").
lab_scenario() {
	local out=${LAB_OUT:-$TOP/out/lab}
	mkdir -p "$out"
	LAB_NO_BUILD=1 "$TOP/qemu/run" "$1" 2>&1 | tee "$out/$1.result"
	return "${PIPESTATUS[0]}"
}

# The scenarios make test runs again with their domU on the kernel with
# kernel/patches/xen-pv-ioremap/: granted mappings behave as before.
lab_patched_scenarios() {
	echo healthy holes race
}

# lab_scenario_patched <name>: lab_scenario, the domU booting the patched
# kernel (scripts/build-ioremap-domu.sh), with the same expectations; log and
# verdict in $LAB_OUT/<name>-patched.{log,result}.
lab_scenario_patched() {
	local out=${LAB_OUT:-$TOP/out/lab} d=/lab/domu-ioremap
	mkdir -p "$out"
	LAB_NO_BUILD=1 LAB_LOG="$out/$1-patched.log" \
		LAB_DOM0_EXTRA="pfd.env.DOMU_KERNEL=$d/vmlinuz pfd.env.DOMU_RAMDISK=$d/initrd" \
		"$TOP/qemu/run" "$1" 2>&1 | tee "$out/$1-patched.result"
	return "${PIPESTATUS[0]}"
}
