# host-healthy: `pcifront-diag host` in dom0 before and while a guest runs,
# on the lab's edu, e1000e and i6300esb: every check with the lab's real Xen
# lines (QEMU's amd-iommu), reset methods and holders; then bad input in the
# same boot: a device that does not exist, malformed addresses, no address,
# an unknown option (exit 2), not root and no xl (exit 3).
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
# Bad input: nothing is checked, the message says why.
pfd "host 00:11.0" host 00:11.0
pfd "host 0001:00:00.0" host 0001:00:00.0
pfd "host 00:04" host 00:04
pfd "host 0000:00:04.8" host 0000:00:04.8
pfd "host 00:20.0" host 00:20.0
pfd "host (no device)" host
pfd "host --bogus" host --bogus
# Not root (setpriv, util-linux), then no xl on PATH: exit 3 each. The lab's
# dom0 root directory comes from build-lab.sh's overlay, a mktemp directory
# (mode 700): opened up so that another user can run a program at all.
lab "dom0 root directory mode: $(stat -c %a /)"
chmod 755 /
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups /usr/sbin/pcifront-diag host --all
	echo "rc=$?"
}
without_xl() {
	PATH=/nonexistent /usr/sbin/pcifront-diag host --all
	echo "rc=$?"
}
as_nobody 2>&1 | sed 's/^/pfd| as nobody: /'
without_xl 2>&1 | sed 's/^/pfd| without xl: /'
