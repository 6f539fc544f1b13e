# dom0-denied: the dom0 command on a running guest, nothing booted for it:
# with edu's BAR0 permission revoked (as in denied), `pcifront-diag dom0`
# names the frames Xen does not grant and the iomem= fix, and exits 1; after
# the grant it exits 0; --json says the same; bad input gets its exit code.
pfd_install || exit 1
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
attach 00:05.0 0000:00:01.0 || exit 1
revoke_bar 0000:00:04.0 0
pfd "dom0 $DOMU" dom0 "$DOMU"
lab "json errors: $(/usr/sbin/pcifront-diag dom0 "$DOMU" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["errors"])')"
grant_bar 0000:00:04.0 0 1
pfd "dom0 $DOMU (granted)" dom0 "$DOMU"
pfd "dom0 nosuch" dom0 nosuch
pfd "(no command)"
pfd "dom0 0" dom0 0
