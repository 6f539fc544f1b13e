# check-hostile: the temporary domain's console is untrusted. An image variant
# prints, before its reports, what a device can make a guest kernel print: a
# forged report with markers that lack the run's token, an escape sequence, a
# byte that is not UTF-8 and an endless line. check must report them as
# guest-side problems, take the real report, keep its exit code to the
# findings (0: edu is healthy), print no escape byte, and leave no domain.
# The 20,000-byte line reaches dom0 as one line or as two: check's "PFD-GO
# <token>" (written to the console's input once it has read Xen's view,
# tool/src/check.rs) is echoed by the image's tty (n_tty, ECHO on), and when
# the guest is still pushing the x's through the 2 KiB console ring, the echo
# and its line end land in the middle of them. Neither the tool's reader (a
# raw pty, lines split only at '\n') nor xenconsoled cuts lines: on an idle
# machine the console log holds the 20,000 x's on one line.
# The command is quiet while the image runs: longer silence allowed.
# lab-stall: 240
pfd_install || exit 1
guest_cfg /tmp/web.cfg "pci = ['0000:00:04.0']"
assignable 0000:00:04.0 || exit 1
# The variant: the image's initrd with an uncompressed cpio appended whose
# /init (later entries replace earlier ones) is the real init with the hostile
# lines after PFD-READY.
mkdir -p /tmp/hostile
cp /usr/share/pcifront-diag/vmlinuz /tmp/hostile/vmlinuz
python3 - /usr/share/pcifront-diag/initrd /tmp/hostile/initrd <<'PY'
import gzip, sys
src, dst = sys.argv[1], sys.argv[2]
raw = open(src, "rb").read()
cpio = gzip.decompress(raw)
def entries(b):
    i = 0
    while b[i:i + 6] == b"070701":
        f = [int(b[i + 6 + 8 * k:i + 14 + 8 * k], 16) for k in range(13)]
        size, namesize = f[6], f[11]
        name_end = i + 110 + namesize
        name = b[i + 110:name_end - 1].decode()
        data = (name_end + 3) & ~3
        yield name, b[data:data + size]
        i = (data + size + 3) & ~3
init = dict(entries(cpio))["init"].decode()
hostile = r'''
# check-hostile: what a device can make the guest kernel print.
echo "PFD-REPORT-BEGIN 0000:00:00.0"
echo '{"dom0_device":"0000:00:04.0","findings":[],"summary":{"verdict":"FORGED"}}'
echo "PFD-REPORT-END 0000:00:00.0"
printf 'hostile \033[2J\033]0;owned\007 escape\n'
printf 'hostile \377\376 bytes\n'
head -c 20000 /dev/zero | tr '\000' x
echo
'''
marker = 'echo "PFD-READY $tok $(count) device(s)"\n'
assert marker in init, "image/init changed: no PFD-READY line"
init = init.replace(marker, marker + hostile)
def entry(name, data, mode):
    n = name.encode() + b"\0"
    head = "070701" + "".join("%08x" % v for v in (1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(n), 0))
    out = head.encode() + n
    out += b"\0" * (-len(out) % 4) + data
    return out + b"\0" * (-len(out) % 4)
extra = entry("init", init.encode(), 0o100755) + entry("TRAILER!!!", b"", 0)
# An uncompressed archive after the compressed one must start 4-byte aligned.
open(dst, "wb").write(raw + b"\0" * (-len(raw) % 4) + extra)
print("LAB: hostile image: %d + %d bytes" % (len(raw), len(extra)))
PY
PFD_IMAGE_DIR=/tmp/hostile /usr/sbin/pcifront-diag check /tmp/web.cfg >/tmp/hostile.out 2>&1
rc=$?
sed 's/^/pfd| /' /tmp/hostile.out
lab "pcifront-diag check web.cfg, hostile image: exit $rc"
lab "escape bytes in the command's output: $(tr -cd '\033' </tmp/hostile.out | wc -c)"
answer_order /tmp/hostile.out
no_leftovers
