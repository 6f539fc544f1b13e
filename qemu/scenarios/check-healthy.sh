# check-healthy: `pcifront-diag check web.cfg` on a guest config that passes
# edu with pci=: the temporary domain web-pfd boots the diagnostic image, the
# module and dom0 find nothing wrong, exit 0, and web-pfd is gone after.
# The command is quiet while the image runs: longer silence allowed.
# lab-stall: 240
guest_cfg /tmp/web.cfg "pci = ['0000:00:04.0']"
assignable 0000:00:04.0 || exit 1
pfd "check web.cfg" check /tmp/web.cfg
no_leftovers
pfd "check web.cfg --json" check /tmp/web.cfg --json
# The document is one long line: what it says, short.
lab "json: $(grep -o '^{.*}$' /tmp/pfd.out | python3 -c 'import json, sys; d = json.load(sys.stdin); print("errors", d["errors"], "devices", len(d["devices"]), "guest verdict", d["devices"][0]["guest"]["summary"]["verdict"])')"
no_leftovers
