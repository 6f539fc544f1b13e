# check-sub-page: check on a guest config with the 16-byte i6300esb: the
# module's sub-page warning and its dom0 fix, exit 0 (a warning is no error).
# The command is quiet while the image runs: longer silence allowed.
# lab-stall: 240
guest_cfg /tmp/web.cfg "pci = ['0000:00:06.0']"
assignable 0000:00:06.0 || exit 1
pfd "check web.cfg" check /tmp/web.cfg
answer_order
no_leftovers
