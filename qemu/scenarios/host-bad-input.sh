# host-bad-input: what host refuses, each with its reason and exit code, and
# no crash: devices that do not exist and malformed addresses (exit 2), then
# the environment (exit 3): not root, no xl on PATH, xl present but Xen's
# privcmd unusable (xl info fails), and a domain that is not dom0 (an empty
# /proc/xen/capabilities, as in a domU). --help works without any of them.
pfd_install || exit 1
pfd "host --help" host --help
pfd "host 00:11.0" host 00:11.0
pfd "host 0001:00:00.0" host 0001:00:00.0
pfd "host 00:04" host 00:04
pfd "host 0000:00:04.8" host 0000:00:04.8
pfd "host 00:20.0" host 00:20.0
pfd "host 00:04.0 x" host 00:04.0 x
pfd "host (no device)" host
pfd "host --bogus" host --bogus
# Not root (setpriv, util-linux). The lab's dom0 root directory comes from
# build-lab.sh's overlay, a mktemp directory (mode 700): opened up so that
# another user can run a program at all.
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
# xl installed but Xen's hypercall interface unusable: /dev/xen under an
# empty tmpfs and /proc/xen/privcmd (libxencall's fallback) an empty file.
: >/tmp/no-privcmd
mount -t tmpfs none /dev/xen
mount --bind /tmp/no-privcmd /proc/xen/privcmd
pfd "host 00:04.0 (no privcmd)" host 00:04.0
umount /proc/xen/privcmd
umount /dev/xen
# Not dom0: Xen's capabilities file read as empty.
: >/tmp/no-caps
mount --bind /tmp/no-caps /proc/xen/capabilities
pfd "host 00:04.0 (no control_d)" host 00:04.0
umount /proc/xen/capabilities
