# check-healthy: `pcifront-diag check web.cfg` on a guest config that passes
# edu with pci=: the host checks come first, the temporary domain web-pfd boots
# the diagnostic image, the module and dom0 find nothing wrong and say so before
# web-pfd is destroyed (the last line), exit 0, and web-pfd is gone after.
# --read-probe lets the module read edu's ID; without it (the JSON run) the
# module reads no BAR.
# The command is quiet while the image runs: longer silence allowed.
# lab-stall: 240
guest_cfg /tmp/web.cfg "pci = ['0000:00:04.0']"
assignable 0000:00:04.0 || exit 1
pfd "check web.cfg --read-probe" check /tmp/web.cfg --read-probe
answer_order
no_leftovers
pfd "check web.cfg --json" check /tmp/web.cfg --json
# The document is one long line: what it says, short.
lab "json: $(grep -o '^{.*}$' /tmp/pfd.out | python3 -c 'import json, sys; d = json.load(sys.stdin); g = d["devices"][0]["guest"]; print("errors", d["errors"], "devices", len(d["devices"]), "guest verdict", g["summary"]["verdict"], "read-ok", sum(f["code"] == "read-ok" for f in g["findings"]))')"
no_leftovers
