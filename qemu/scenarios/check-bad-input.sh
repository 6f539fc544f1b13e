# check-bad-input: check refuses what it cannot check, with a clear message
# and exit code, and leaves no domain or assignment behind: a missing config,
# an HVM guest, no pci= entry, a device pciback does not hold, a device a
# running domain holds (refused from sysfs and xenstore, no domain created),
# an image that does not report in time, Ctrl-C while the temporary domain
# runs, and the device taken from pciback while the check runs.
# The command is quiet while the image runs: longer silence allowed.
# lab-stall: 240
pfd_install || exit 1
pfd "check /nonexistent.cfg" check /nonexistent.cfg
guest_cfg /tmp/hvm.cfg "pci = ['0000:00:04.0']"
sed -i 's/^type = "pv"/type = "hvm"/' /tmp/hvm.cfg
pfd "check hvm.cfg" check /tmp/hvm.cfg
guest_cfg /tmp/nopci.cfg
pfd "check nopci.cfg" check /tmp/nopci.cfg
# No driver holds the NIC: host's pciback check refuses it, before any domain.
guest_cfg /tmp/nic.cfg "pci = ['0000:00:05.0']"
pfd "check nic.cfg (not pciback's)" check /tmp/nic.cfg
guest_cfg /tmp/web.cfg "pci = ['0000:00:04.0']"
assignable 0000:00:04.0 || exit 1
pfd "check --timeout 2 web.cfg" check /tmp/web.cfg --timeout 2
no_leftovers
# Once the temporary domain exists: a second check of the same config (the
# lock refuses it), then Ctrl-C (SIGINT to the command) twice, the second
# during teardown: xl runs in its own process group, so it still finishes.
pcifront-diag check /tmp/web.cfg >/tmp/int.out 2>&1 &
pid=$!
t=0
until xl domid web-pfd >/dev/null 2>&1 || [ "$t" -ge 120 ]; do sleep 0.5; t=$((t + 1)); done
pfd "check web.cfg (concurrent)" check /tmp/web.cfg
kill -INT "$pid"
sleep 1
kill -INT "$pid" 2>/dev/null && lab "second SIGINT sent during teardown"
wait "$pid"
rc=$?
sed 's/^/pfd| /' /tmp/int.out
lab "pcifront-diag check web.cfg, interrupted: exit $rc"
no_leftovers
lab "assignable after the checks: $(xl pci-assignable-list | tr '\n' ' ')"
# The device vanishes: dom0 takes it from pciback once the temporary domain
# has it. Whatever the command then reports, it must say so and leave no domain.
# On the debug kernel dom0's kmemleak then finds pciback's config-space fields
# of the device it lost (xen_pcibk_config_add_field_offset, from
# pcistub_probe), as in backend-gone: pciback's, not the command's.
kmemleak_name dom0 dom0-after-pciback-lost-the-device
pcifront-diag check /tmp/web.cfg --timeout 40 >/tmp/gone.out 2>&1 &
pid=$!
t=0
until xl pci-list web-pfd 2>/dev/null | grep -q 0000:00:04.0 || [ "$t" -ge 240 ]; do sleep 0.5; t=$((t + 1)); done
echo 0000:00:04.0 >/sys/bus/pci/drivers/pciback/unbind
# shellcheck disable=SC2320 # echo's status is the sysfs write's
rc=$?
lab "device taken from pciback while web-pfd has it (rc $rc)"
wait "$pid"
rc=$?
sed 's/^/pfd| /' /tmp/gone.out
lab "pcifront-diag check web.cfg, device gone: exit $rc"
no_leftovers
assignable 0000:00:04.0 || exit 1
# A running domain holds the device.
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
pfd "check web.cfg (device in use)" check /tmp/web.cfg
no_leftovers
