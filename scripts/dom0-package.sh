#!/usr/bin/env bash
# The dom0 package, out/debian/pcifront-diag_<version>_amd64.deb: the command
# (/usr/sbin/pcifront-diag), its diagnostic image (/usr/share/pcifront-diag/:
# vmlinuz and initrd, as make image builds them), the man page and shell
# completions the command writes of itself, and for fleets a systemd service and
# timer writing node_exporter's textfile (package/, not enabled on install) with
# an example alerting rule file (checked and unit-tested with promtool).
# Checked with lintian; prints the package's path. Needs make tool and make
# image first.
source "$(dirname "$0")/lib.sh"

version=$(cat "$TOP/src/VERSION")
bin=$TOP/tool/target/release/pcifront-diag
image=${IMAGE_OUT:-$TOP/out/image}
out=$TOP/out/debian
[ -x "$bin" ] || die "the pcifront-diag command is not built: run make tool"
[ -f "$image/vmlinuz" ] && [ -f "$image/initrd" ] || die "no diagnostic image in $image: run make image"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
install -D -m 755 -s "$bin" "$root/usr/sbin/pcifront-diag"
install -D -m 644 "$image/vmlinuz" "$root/usr/share/pcifront-diag/vmlinuz"
install -D -m 644 "$image/initrd" "$root/usr/share/pcifront-diag/initrd"

# The man page and completions come from the command's own definitions.
"$bin" generate man >"$root/pcifront-diag.8"
install -D -m 644 "$root/pcifront-diag.8" "$root/usr/share/man/man8/pcifront-diag.8"
gzip -9n "$root/usr/share/man/man8/pcifront-diag.8"
rm "$root/pcifront-diag.8"
"$bin" generate bash | install -D -m 644 /dev/stdin "$root/usr/share/bash-completion/completions/pcifront-diag"
"$bin" generate zsh | install -D -m 644 /dev/stdin "$root/usr/share/zsh/vendor-completions/_pcifront-diag"
"$bin" generate fish | install -D -m 644 /dev/stdin "$root/usr/share/fish/vendor_completions.d/pcifront-diag.fish"

# The fleet's textfile writer: units and example alerts, the alerts checked
# and their tests run first (promtool: Debian's prometheus, setup-host.sh).
command -v promtool >/dev/null || die "promtool is not installed (scripts/setup-host.sh installs prometheus)"
promtool check rules "$TOP/package/pcifront-diag.rules.yml" >&2
(cd "$TOP/package" && promtool test rules pcifront-diag.rules.test.yml) >&2
install -D -m 644 -t "$root/usr/lib/systemd/system" "$TOP/package/pcifront-diag.service" "$TOP/package/pcifront-diag.timer"
doc=$root/usr/share/doc/pcifront-diag
install -D -m 644 -t "$doc/examples" "$TOP/package/pcifront-diag.rules.yml"
cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: pcifront-diag
Source: https://example.invalid/pcifront-diag

Files: *
Copyright: 2026 pcifront-diag developers
License: GPL-2
 On Debian systems, the complete text of the GNU General Public License
 version 2 can be found in /usr/share/common-licenses/GPL-2.
EOF
printf 'pcifront-diag (%s) unstable; urgency=medium\n\n  * Built from %s.\n\n -- pcifront-diag developers <pcifront-diag@example.invalid>  %s\n' \
	"$version" "$(git -C "$TOP" log -1 --format=%h 2>/dev/null || echo "a source tree")" \
	"$(date -R -d "@$(git -C "$TOP" log -1 --format=%ct 2>/dev/null || date +%s)")" |
	gzip -9n >"$doc/changelog.gz"
chmod 644 "$doc/changelog.gz"

# The newest glibc symbol version the command uses is the libc it needs.
glibc=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n1)
install -d "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<EOF
Package: pcifront-diag
Version: $version
Architecture: amd64
Maintainer: pcifront-diag developers <pcifront-diag@example.invalid>
Installed-Size: $(du -sk --exclude=DEBIAN "$root/usr" | cut -f1)
Depends: libc6 (>= $glibc), libgcc-s1, xen-utils-common, xenstore-utils
Section: admin
Priority: optional
Homepage: https://example.invalid/pcifront-diag
Description: explain why a PCI device passed through to a Xen PV guest fails
 pcifront-diag checks, in dom0, what Xen and xen-pciback grant a PV guest's
 passed-through PCI devices: 'pcifront-diag dom0 <domain>' compares each
 device's BARs with Xen's I/O memory and port permissions of a running
 guest, and 'pcifront-diag check <guest.cfg>' boots the guest's
 passthrough settings in a temporary domain with a diagnostic image and
 reports what the pcifront_diag kernel module finds there.
 'pcifront-diag dom0 --all --format prometheus' does the former for every
 running guest, for node_exporter's textfile collector (a systemd timer,
 not enabled on install, and example alerting rules are included).
EOF

mkdir -p "$out"
deb=$out/pcifront-diag_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
command -v lintian >/dev/null || die "lintian is not installed (scripts/setup-host.sh installs it)"
# Root is how the lab's builds run; lintian only advises against it.
lintian_rc=0
lintian_out=$(lintian --fail-on error,warning "$deb" 2>&1) || lintian_rc=$?
grep -v 'running with root privileges' <<<"$lintian_out" >&2 || true
[ "$lintian_rc" = 0 ] || die "lintian: $deb has errors or warnings (above)"
log "dom0 package: $deb ($(stat -c %s "$deb") bytes), lintian clean"
echo "$deb"
