# loud-ioremap: the denied setup on a domU kernel with the series in
# kernel/patches/xen-pv-ioremap/ (docs/xen-pv-ioremap.md; built by
# scripts/build-ioremap-domu.sh). e1000e's ioremap() of its revoked BAR0 now
# fails at once: the kernel logs one line with the physical range, the
# refused frames, Xen's error and the iomem=/pci= fix, e1000e's probe fails
# with an error code, and nothing WARNs or oopses. pcifront_diag names the
# same frames and fix. A grant with holes in edu's BAR0 is reported range by
# range, the same as pcifront_diag's. After the grant e1000e binds.
# Then the cost: ioremap() of a granted 1 MiB BAR, median of 201 calls
# (ioremap_cost.ko), on the reference kernel (a second domU with a second
# edu) and on the patched one, in turn, three rounds back to back in one lab
# run; the median of the three rounds' ratios must stay <= 1.10.
# lab-timeout: 900
# lab-qemu: -device edu,addr=07.0
D=/lab/domu-ioremap
if [ ! -f "$D/initrd" ]; then
	lab "no $D: run scripts/build-ioremap-domu.sh before scripts/build-lab.sh"
	exit 1
fi
edu=$(bar_of 0000:00:04.0 0 | cut -d' ' -f1)
edu2=$(bar_of 0000:00:07.0 0 | cut -d' ' -f1)
COST_CALLS=201

# use_domu <name>: talk to that domU from now on (lab.sh's helpers read DOMU,
# DOMID, DOMU_LOG and DOMU_SHOWN); "domu" keeps lab.sh's own files.
# shellcheck disable=SC2034 # read by lab.sh's helpers
use_domu() {
	DOMU=$1
	DOMID=$(xl domid "$1" 2>/dev/null || true)
	DOMU_LOG=/var/log/xen/console/guest-$1.log
	DOMU_SHOWN=/tmp/domu-lines-shown
	[ "$1" = domu ] || DOMU_SHOWN=/tmp/domu-lines-shown-$1
}

# cost <module> <BAR address>: time ioremap() of that 1 MiB BAR in the domU.
cost() {
	domu "insmod /$1 phys=$2 size=0x100000 calls=$COST_CALLS && rmmod ioremap_cost"
}
# median <n>: the median in ns of the domU's n-th measurement, empty if none.
median() {
	tr -d '\r' <"$DOMU_LOG" | sed -n "s/.*ioremap_cost: $COST_CALLS calls of ioremap(.*): median \([0-9]*\) ns.*/\1/p" | sed -n "$1p"
}

# booted <label> <start uptime>: how long the domU took to answer.
booted() {
	lab "domU boot ($1): $(awk -v t0="$2" '{ printf "%.1f", $1 - t0 }' /proc/uptime) s to its shell"
}

# First domU: the reference kernel, with the second edu, for the cost
# without the series; it keeps running.
use_domu domu-ref
t0=$(cut -d' ' -f1 /proc/uptime)
DOMU_KERNEL=$D/vmlinuz-ref DOMU_RAMDISK=$D/initrd create_domu || exit 1
booted "reference kernel" "$t0"
attach 00:07.0 0000:00:00.0 || exit 1

# Second domU: the series, on the denied setup.
use_domu domu
t0=$(cut -d' ' -f1 /proc/uptime)
DOMU_KERNEL=$D/vmlinuz DOMU_RAMDISK=$D/initrd create_domu || exit 1
booted "patched kernel" "$t0"
domu 'echo "uname -v: $(uname -v)"'
attach 00:04.0 0000:00:00.0 || exit 1
attach 00:05.0 0000:00:01.0 || exit 1
for b in 0 1 3; do revoke_bar 0000:00:05.0 $b; done
xen_iomem
domu diag 0000:00:01.0
domu undiag 0000:00:01.0
lab "e1000e on the denied NIC, with the series"
# The driver e1000e's device is bound to now, as one line.
driver='d=$(readlink /sys/bus/pci/devices/0000:00:01.0/driver); echo "e1000e 0000:00:01.0 driver: ${d##*/}"'
DOMU_TIMEOUT=60 domu "insmod /e1000e.ko; sleep 2; $driver"

# The kernel's fix and pcifront_diag's must name the same frames.
fix_of() { tr -d '\r' <"$DOMU_LOG" | grep -a -- "$1" | grep -o "iomem=\[[^]]*\]" | head -n1; }
kernel=$(fix_of "xen: ioremap \[mem $(printf '%#x' "$(bar_of 0000:00:05.0 0 | cut -d' ' -f1)")-")
diag=$(fix_of 'pcifront_diag 0000:00:01.0: error xen-eperm BAR0: .*fix:')
lab "e1000e BAR0: kernel $kernel, pcifront_diag $diag, same: $([ -n "$kernel" ] && [ "$kernel" = "$diag" ] && echo yes || echo no)"

lab "edu BAR0 with two holes: frames 0x10-0x1f and the last one revoked"
iomem_perm 0000:00:04.0 0 0 0x10 0x10
iomem_perm 0000:00:04.0 0 0 0xff 1
# Fails on purpose: the exit code is shown, not returned.
domu "insmod /ioremap_cost.ko phys=$edu size=0x100000 calls=1; echo \"insmod ioremap_cost: rc=\$?\""
domu diag 0000:00:00.0
domu undiag 0000:00:00.0
kernel=$(fix_of "xen: ioremap \[mem $(printf '%#x' "$edu")-")
diag=$(fix_of 'pcifront_diag 0000:00:00.0: error xen-eperm BAR0: .*fix:')
base=$((edu >> 12))
want=$(printf "iomem=['%x,10','%x,1']" $((base + 0x10)) $((base + 0xff)))
lab "edu BAR0: kernel $kernel, pcifront_diag $diag, revoked $want, same: $([ "$kernel" = "$want" ] && [ "$diag" = "$want" ] && echo yes || echo no)"

lab "applying the fix: grant e1000e's and edu's BAR frames"
for b in 0 1 3; do grant_bar 0000:00:05.0 $b 1; done
grant_bar 0000:00:04.0 0 1
DOMU_TIMEOUT=60 domu "echo 0000:00:01.0 >/sys/bus/pci/drivers_probe; sleep 2; $driver"
# The cost, round by round: each round's two medians come seconds apart, so
# a change in the host's load between rounds does not enter a ratio.
ratios=""
for round in 1 2 3; do
	use_domu domu-ref
	cost ioremap_cost-ref.ko "$edu2"
	without=$(median $round)
	use_domu domu
	cost ioremap_cost.ko "$edu"
	with=$(median $round)
	ratio=$(awk -v w="$with" -v wo="$without" 'BEGIN { if (w > 0 && wo > 0) printf "%.3f", w / wo; else print "none" }')
	lab "ioremap cost round $round: without the series ${without:-none} ns, with ${with:-none} ns, ratio $ratio"
	ratios="$ratios $ratio"
done
# The median of the three ratios, if all three were measured.
ratio=$(echo "$ratios" | tr ' ' '\n' | grep -x '[0-9.]*[0-9]' | sort -n | awk '{ r[NR] = $1 } END { print NR == 3 ? r[2] : "" }')
ok=$(awk -v r="${ratio:-none}" 'BEGIN { print (r != "none" && r <= 1.10) ? "yes" : "no" }')
lab "ioremap cost of a granted 1 MiB BAR, median of $COST_CALLS calls per run: ratio with/without the series, median of 3 rounds: ${ratio:-none} (<= 1.10: $ok)"
