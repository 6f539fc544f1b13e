# host-healthy: `pcifront-diag host` in dom0 before and while a guest runs,
# on the lab's edu, e1000e and i6300esb: every check with the lab's real Xen
# lines (QEMU's amd-iommu), reset methods and holders, and what each xl call
# of --all costs here (host-bad-input has what host refuses).
# Before anything is assigned: --all has nothing to check.
pfd_install || exit 1
pfd "host --all (nothing held)" host --all
for d in 0000:00:04.0 0000:00:05.0 0000:00:06.0; do
	assignable "$d" || exit 1
done
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
lab "reset_method: $(for d in 04 05 06; do printf '00:%s.0=%s; ' "$d" "$(cat /sys/bus/pci/devices/0000:00:$d.0/reset_method 2>/dev/null || echo none)"; done)"
pfd "host --all" host --all
pfd "host --all --strict" host --all --strict
pfd "host 00:05.0 --json" host 00:05.0 --json
lab "json: $(grep -o '^{.*}$' /tmp/pfd.out | python3 -c 'import json, sys; d = json.load(sys.stdin); c = d["devices"][0]["checks"]; print("devices", len(d["devices"]), "checks", len(c), "codes", ",".join(x["code"] for x in c), "fail", d["fail"], "exit", d["exit"])')"
# Where --all's wall time goes: the xl calls it makes, one at a time.
for c in info dmesg "debug-keys H" list "pci-list domu"; do
	t0=$(date +%s%N)
	# shellcheck disable=SC2086 # c holds xl's arguments
	xl $c >/dev/null 2>&1
	lab "time of xl $c: $((($(date +%s%N) - t0) / 1000000)) ms"
done
