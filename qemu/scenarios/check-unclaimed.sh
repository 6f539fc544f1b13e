# check-unclaimed: a guest with a large maxmem and no e820_host, checked in
# the hot-plug workflow (created without the device, then xl pci-attach: xl
# forces e820_host on only for pci= at creation): the module's unclaimed and
# ram-overlap findings with the e820_host=1 fix, exit 1; and the same config
# in the create workflow, where xl's e820_host makes it work, exit 0.
# The command is quiet while the image runs: longer silence allowed.
# lab-stall: 240
guest_cfg /tmp/big.cfg "memory = 512" "maxmem = 4200" "e820_host = 0" "pci = ['0000:00:04.0']"
assignable 0000:00:04.0 || exit 1
pfd "check --hotplug big.cfg" check /tmp/big.cfg --hotplug
answer_order
no_leftovers
pfd "check big.cfg" check /tmp/big.cfg
answer_order
no_leftovers
