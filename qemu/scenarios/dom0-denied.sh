# dom0-denied: the dom0 command on a running guest, nothing booted for it:
# with edu's BAR0 permission revoked (as in denied), `pcifront-diag dom0`
# names the frames Xen does not grant and the iomem= fix, and exits 1; after
# the grant it exits 0; --json says the same; bad input gets its exit code.
# The package's timer service's own command line (dom0 --all --format
# prometheus --output ...) writes the textfile node_exporter would read; it is
# printed as "prom| " lines, which make test feeds to promtool
# (scripts/validate-metrics.sh), and the --json documents go to
# scripts/validate-json.sh.
pfd_install || exit 1
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
attach 00:05.0 0000:00:01.0 || exit 1
revoke_bar 0000:00:04.0 0
pfd "dom0 $DOMU" dom0 "$DOMU"
pfd "dom0 $DOMU --json" dom0 "$DOMU" --json
lab "json errors: $(grep '^{' /tmp/pfd.out | python3 -c 'import json, sys; print(json.load(sys.stdin)["errors"])')"
# The service's ExecStart, as the package installed it, into the directory
# Debian's prometheus-node-exporter reads.
unit=/usr/lib/systemd/system/pcifront-diag.service
exec_start=$(sed -n 's|^ExecStart=/usr/sbin/pcifront-diag ||p' "$unit")
textfile=$(printf '%s\n' "$exec_start" | sed -n 's/.*--output \([^ ]*\).*/\1/p')
lab "service: pcifront-diag $exec_start"
mkdir -p "$(dirname "$textfile")"
# shellcheck disable=SC2086 # the unit's words, as systemd splits them
pfd "dom0 --all --format prometheus (the service's command)" $exec_start
lab "textfile: $(stat -c '%n %a' "$textfile"), $(wc -l <"$textfile") lines, $(find "$(dirname "$textfile")" -name '.*tmp' | wc -l) temporary file(s) left"
sed 's/^/prom| /' "$textfile"
pfd "dom0 --all --json" dom0 --all --json
pfd "dom0 --all" dom0 --all
pfd "dom0 --all --output (no such directory)" dom0 --all --output /nonexistent/pcifront-diag.prom
grant_bar 0000:00:04.0 0 1
pfd "dom0 $DOMU (granted)" dom0 "$DOMU"
pfd "dom0 --all --format=prometheus (granted)" dom0 --all --format=prometheus
pfd "dom0 nosuch" dom0 nosuch
pfd "(no command)"
pfd "dom0 0" dom0 0
