# shellcheck shell=bash
# Common settings for every pcifront-diag script. Sourced, never run.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Heavy, reusable results (downloads, kernel build, root filesystems) live
# outside the repository so a clean checkout reuses them.
CACHE=${PFD_CACHE:-/var/cache/pcifront-diag}
DEBS=$CACHE/debs
mkdir -p "$CACHE" "$DEBS"

KVER_PKG=linux-source-7.3
XEN_PKGS="xen-hypervisor-4.20-amd64 xen-utils-4.20"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
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
		trixie_apt update >&2
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
		(cd "$DEBS" && trixie_apt download "$name=$ver" >&2)
		f=$(ls "$DEBS/${name}_${ver//:/%3a}_"*.deb | head -n1)
	fi
	echo "$f"
}

# All versions of a package trixie (+ backports) offers.
trixie_versions() {
	trixie_update
	trixie_cache madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -u
}

# lab_scenario <name>: qemu/run <name> (lab inputs already built), up to three
# tries while it ends in an emulation fault: exit 3 (the lab stalled) or 4 (a
# guest user-space program crashed). Those are faults of Xen PV under QEMU TCG
# that happen without the module too (qemu/scenarios/torture.sh); any other
# failure ends at once. qemu/run's verdict is kept in out/lab/<name>.result,
# earlier tries' logs in out/lab/<name>.try<n>.log. Returns qemu/run's last
# exit code; LAB_RETRIED collects the names of retried scenarios.
LAB_RETRIED=""
lab_scenario() {
	local s=$1 rc try=1
	mkdir -p "$TOP/out/lab"
	while :; do
		rc=0
		LAB_NO_BUILD=1 "$TOP/qemu/run" "$s" 2>&1 | tee "$TOP/out/lab/$s.result" || rc=$?
		{ [ "$rc" = 3 ] || [ "$rc" = 4 ]; } && [ "$try" -lt 3 ] || return "$rc"
		cp "$TOP/out/lab/$s.log" "$TOP/out/lab/$s.try$try.log" || true
		LAB_RETRIED="$LAB_RETRIED $s"
		log "lab scenario $s hit an emulation fault (exit $rc) on try $try; retrying"
		try=$((try + 1))
	done
}
