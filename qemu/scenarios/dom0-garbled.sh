# dom0-garbled: Xen's console ring is shared, and its rangeset dump is not
# atomic. `pcifront-diag dom0` reads the rangesets from `xl dmesg` after `xl
# debug-keys q`; Xen prints each rangeset item with its own printk
# (rangeset_printk() in common/rangeset.c), so whatever else writes to the
# ring between two of them lands in the middle of a line. Here the other
# writer is dom0's console: with console_to_ring, Xen copies the hardware
# domain's console_io writes into the ring as they come, without a "(XEN)"
# prefix (guest_console_write() in drivers/char/console.c). A domU cannot do
# this on Debian's Xen, a release build: xsm_console_io() lets only a
# privileged or console domain write, unless CONFIG_VERBOSE_DEBUG.
#
# The domU's I/O memory rangeset gets 2000 single frames far above its
# devices, so that the dump's line for it takes long enough for the writer
# (a line every 20 ms) to hit it a few times, and that a hit on one of the
# few items the verdict rests on (edu's and e1000e's frames and ports: about
# 8 of 8000 places) is rare. With edu's BAR0 revoked (as in dom0-denied),
# each run of the command must give dom0-denied's verdict however the dump
# was cut, and say how many items it skipped; the scenario runs it until one
# run met a cut dump (at most 8 runs).
# lab-xen: console_to_ring conring_size=1M
pfd_install || exit 1
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
attach 00:05.0 0000:00:01.0 || exit 1
revoke_bar 0000:00:04.0 0
python3 - "$DOMID" <<'PY'
import glob, sys
sys.path[:0] = glob.glob("/usr/lib/xen-*/lib/python")
import xen.lowlevel.xc as xc
dom = int(sys.argv[1])
x = xc.xc()
# Frames 0x1000000 + 2i: 64 GiB up, no device there; every other frame, so
# each is an item of its own.
for i in range(2000):
    x.domain_iomem_permission(dom, 0x1000000 + 2 * i, 1, 1)
print("LAB: iomem permission d%d: 2000 single frames from 1000000 granted" % dom)
PY
# The writer: dom0's console, from the other vCPU, a line every 20 ms.
python3 - <<'PY' &
import os, time
os.sched_setaffinity(0, {1})
fd = os.open("/dev/hvc0", os.O_WRONLY | os.O_NOCTTY)
n = 0
end = time.monotonic() + 120
while time.monotonic() < end:
    n += 1
    os.write(fd, b"garbled %d: 10-1, zz-7, 1ffffffffffffffff0\n" % n)
    time.sleep(0.02)
PY
writer=$!
garbled=0
for run in 1 2 3 4 5 6 7 8; do
	pfd "dom0 $DOMU, run $run" dom0 "$DOMU"
	if grep -q "item(s) of Xen's rangeset dump" /tmp/pfd.out; then
		garbled=$run
		break
	fi
done
kill "$writer"
wait "$writer" 2>/dev/null
lab "garbled dump met in run $garbled"
# What the ring held: in the last dump of the domU's rangesets, each line
# with the writer's text in it (the 60 characters before the text, then the
# text and what follows it on the line) and the line after it, made
# printable.
xl dmesg | python3 -c '
import re, sys
lines = sys.stdin.read().splitlines()
heads = [i for i, l in enumerate(lines) if re.search(r"Rangesets belonging to domain %s:$" % sys.argv[1], l)]
block = lines[heads[-1]:] if heads else []
for i, l in enumerate(block):
    if l.startswith("(XEN)") and "Memory pages belonging" in l:
        break
    at = l.find("garbled ")
    if at >= 0:
        show = lambda t: "".join(c for c in t if c.isprintable())
        print("LAB: ring| ..." + show(l[max(0, at - 60):at]) + show(l[at:]))
        if i + 1 < len(block):
            print("LAB: ring| " + show(block[i + 1][:80]) + "...")
' "$DOMID"
