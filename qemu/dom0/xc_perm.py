#!/usr/bin/env python3
"""Grant or revoke a domain's I/O permissions through libxenctrl, as libxl does
at pci-attach (qemu/dom0/lab.sh's iomem_perm and ioport_perm).

usage: xc_perm.py iomem <domid> <bar start> <bar end> <1|0> <first frame> <frames|all>
       xc_perm.py ioport <domid> <bar start> <bar end> <1|0>
       xc_perm.py irq <domid> <irq> <1|0>

BAR start and end are hex (dom0's sysfs 'resource' line); the first frame is
counted from the BAR's first, and it and a frame count are hex (0x) or
decimal. The irq is dom0's (the device's sysfs 'irq', its GSI), as libxl
passes it to xc_domain_irq_permission at pci-attach. Prints one "LAB:" line
with what it changed.
"""
import glob
import sys

# Debian installs the binding under /usr/lib/xen-<version>/lib/python.
sys.path[:0] = glob.glob("/usr/lib/xen-*/lib/python")
import xen.lowlevel.xc as xc  # noqa: E402

FRAME = 4096


def main(argv):
    kind, dom = argv[1], int(argv[2])
    if kind == "irq":
        irq, allow = int(argv[3]), int(argv[4])
        xc.xc().domain_irq_permission(dom, irq, allow)
        print("LAB: irq permission d%d %d %s" % (dom, irq, "granted" if allow else "revoked"))
        return
    start, end, allow = int(argv[3], 16), int(argv[4], 16), int(argv[5])
    word = "granted" if allow else "revoked"
    if kind == "iomem":
        first = start // FRAME + int(argv[6], 0)
        frames = (end + FRAME) // FRAME - first if argv[7] == "all" else int(argv[7], 0)
        xc.xc().domain_iomem_permission(dom, first, frames, allow)
        print("LAB: iomem permission d%d %x,%x %s" % (dom, first, frames, word))
    elif kind == "ioport":
        xc.xc().domain_ioport_permission(dom, start, end - start + 1, allow)
        print("LAB: ioport permission d%d %x-%x %s" % (dom, start, end, word))
    else:
        sys.exit("xc_perm.py: unknown kind %r (iomem, ioport or irq)" % kind)


if __name__ == "__main__":
    main(sys.argv)
