# shellcheck shell=sh
# Helpers for lab scenarios, sourced by dom0's /init. A scenario script drives
# the real toolstack (xl) and talks to the domU's /init through its console.

DOMU=domu
DOMU_LOG=/var/log/xen/console/guest-$DOMU.log
SEQ=0

lab() { echo "LAB: $*"; }

# Copy the domU console log's new complete lines to dom0's console, prefixed
# "domU| ". Polled (from wait_domu and at the end), not a background tail -f:
# under load a follower could lose its output, and the lab's assertions need
# every line. The count of lines already shown lives in a file so that
# lab_finish, outside the scenario's subshell, can show the rest.
DOMU_SHOWN=/tmp/domu-lines-shown
show_domu() {
	[ -f "$DOMU_LOG" ] || return 0
	n=$(wc -l <"$DOMU_LOG")
	shown=$(cat "$DOMU_SHOWN" 2>/dev/null || echo 0)
	[ "$n" -gt "$shown" ] || return 0
	sed -n "$((shown + 1)),${n}p" "$DOMU_LOG" | sed -e 's/\r$//' -e 's/^/domU| /'
	echo "$n" >"$DOMU_SHOWN"
}

# crashed <domain>: true when xl lists the domain in the crashed state ('c').
crashed() {
	xl list "$1" 2>/dev/null | awk -v d="$1" '$1 == d && $5 ~ /c/ { found = 1 } END { exit !found }'
}

# wait_domu <fixed string> [timeout s]: wait for a line in the domU console log.
wait_domu() {
	t=0
	lim=${2:-120}
	while ! grep -qF -- "$1" "$DOMU_LOG" 2>/dev/null; do
		show_domu
		sleep 0.5
		t=$((t + 1))
		if [ "$t" -ge $((lim * 2)) ]; then
			lab "timeout waiting for domU: $1"
			return 1
		fi
		# A domU that crashed (on_crash = preserve) will never answer: end
		# the wait now instead of after the timeout.
		if [ $((t % 10)) = 0 ] && crashed "$DOMU"; then
			show_domu
			lab "domU crashed while waiting for: $1"
			return 1
		fi
	done
	show_domu
}

# create_domu [extra xl.cfg lines...]: boot the PV domU (busybox +
# pcifront_diag.ko): the reference kernel, or DOMU_KERNEL with DOMU_RAMDISK.
create_domu() {
	cat >/tmp/domu.cfg <<CFG
name = "$DOMU"
type = "pv"
kernel = "${DOMU_KERNEL:-/lab/domu/vmlinuz}"
ramdisk = "${DOMU_RAMDISK:-/lab/domu/initrd}"
extra = "console=hvc0 loglevel=7 print-fatal-signals=1"
memory = 128
vcpus = 1
passthrough = "enabled"
on_crash = "preserve"
CFG
	for l in "$@"; do echo "$l" >>/tmp/domu.cfg; done
	lab "domU config:"
	sed 's/^/LAB:   /' /tmp/domu.cfg
	xl create /tmp/domu.cfg || return 1
	DOMID=$(xl domid "$DOMU")
	lab "domU created, domid $DOMID ($(cut -d' ' -f1 /proc/uptime) s)"
	wait_domu "DOMU READY" 120 || return 1
	lab "domU ready ($(cut -d' ' -f1 /proc/uptime) s)"
}

# create_domu_pci <dom0 BDF>... [-- xl.cfg lines...]: create_domu with the
# devices in pci=[...] at xl create, as admins usually pass them: libxl then
# sets e820_host=1, so the guest kernel sets up swiotlb-xen and its bounce
# pool at boot (a guest created without them and given a device by attach
# gets neither). The devices appear in the guest in the order given, from
# 0000:00:00.0 on.
create_domu_pci() {
	pci=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		assignable "$1" || return 1
		pci="$pci${pci:+, }'$1'"
		shift
	done
	[ $# -eq 0 ] || shift
	create_domu "pci = [ $pci ]" "$@"
}

# assignable <dom0 BDF>: bind the device to pciback (xl pci-assignable-add)
# unless an earlier domain of the scenario left it so; fails, with a LAB
# line, if xl refuses.
assignable() {
	if ! xl pci-assignable-list | awk -v d="$1" '$1 == d { f = 1 } END { exit !f }'; then
		xl pci-assignable-add "$1" || { lab "xl pci-assignable-add $1 failed"; return 1; }
	fi
}

# attach <dom0 BDF> <guest BDF>: hand the device to pciback, hot-plug it into
# the running domU (after pcifront is up: no xenbus state-reset race) and wait
# until the guest's PCI core has added it.
attach() {
	assignable "$1" || return 1
	xl pci-attach "$DOMU" "$1" || return 1
	domu wait_dev "$2"
}

# domu <command...>: run a command in the domU's /init loop and wait for it.
# domu_start sends it and returns at once, domu_wait waits for it: for what
# dom0 must do while the domU is busy.
domu_start() {
	SEQ=$((SEQ + 1))
	tty=$(xenstore-read "/local/domain/$DOMID/console/tty")
	printf '%s %s\n' "$SEQ" "$*" >"$tty"
}
domu_wait() {
	# A domU that stops answering ends the scenario (the subshell), not the lab.
	wait_domu "DOMU DONE $SEQ " "${DOMU_TIMEOUT:-120}" || exit 1
}
domu() {
	domu_start "$@"
	domu_wait
}

# sysfs 'resource' line of a dom0 device's BAR: "start end flags" (hex).
bar_of() {
	sed -n "$(($2 + 1))p" "/sys/bus/pci/devices/$1/resource"
}

# bar_range <dom0 BDF> <bar>: sets BAR_START and BAR_END (hex) of that BAR.
bar_range() {
	read -r BAR_START BAR_END _ <<EOF
$(bar_of "$1" "$2")
EOF
}

# iomem_perm <dom0 BDF> <bar> <1|0> [<first frame> <frames>]: grant (1) or
# revoke (0) the domain's permission for a BAR's frames, all of them or
# <frames> from frame <first> of the BAR (hex or decimal), through libxenctrl
# as libxl does at pci-attach, leaving the device attached.
iomem_perm() {
	bar_range "$1" "$2"
	python3 /lab/xc_perm.py iomem "$DOMID" "$BAR_START" "$BAR_END" "$3" "${4:-0}" "${5:-all}"
}
# grant_bar <dom0 BDF> <bar> <1|0>, revoke_bar <dom0 BDF> <bar>: a whole BAR;
# revoking takes back what libxl granted, the state of a toolstack that never
# granted it.
grant_bar() { iomem_perm "$1" "$2" "$3"; }
revoke_bar() { iomem_perm "$1" "$2" 0; }

# ioport_perm <dom0 BDF> <bar> <1|0>: grant or revoke the domain's permission
# for an I/O BAR's ports, as libxl grants them at pci-attach.
ioport_perm() {
	bar_range "$1" "$2"
	python3 /lab/xc_perm.py ioport "$DOMID" "$BAR_START" "$BAR_END" "$3"
}

# xen_rangeset <name>: show the domain's rangeset <name> ("I/O Memory",
# "I/O Ports") as Xen holds it now: a fresh dump of 'q' in a cleared ring.
xen_rangeset() {
	xl dmesg -c >/dev/null 2>&1
	xl debug-keys q >/dev/null 2>&1
	xl dmesg | grep -A8 "Rangesets belonging to domain $DOMID" | grep -m1 "$1" | sed "s/^/LAB: d$DOMID /"
}
xen_iomem() { xen_rangeset "I/O Memory"; }
xen_ioports() { xen_rangeset "I/O Ports"; }

# debug_checks: in the debug lab (make test-debug sets LAB_DEBUG=1), the
# kmemleak reports of the domU, if it still runs, and of dom0.
# debug_checks: the debug kernel's leak and detector reports at the end of a
# scenario. qemu/debug.expect holds the reports named "domU" and "dom0" to 0
# leaks; a scenario that breaks something on purpose names its report
# otherwise (kmemleak_name), as it runs in a subshell, through a file.
debug_checks() {
	[ "${LAB_DEBUG:-}" = 1 ] || return 0
	if DOMID=$(xl domid "$DOMU" 2>/dev/null) && ! crashed "$DOMU"; then
		(SEQ=900 && domu "kmemleak_report $(cat /tmp/kmemleak-domU 2>/dev/null || echo domU)")
	fi
	kmemleak_report "$(cat /tmp/kmemleak-dom0 2>/dev/null || echo dom0)" | sed 's/^/LAB: /'
	dom0_detector_reports
}

# kmemleak_name <domU|dom0> <name>: the final leak report of that domain is
# <name>: what the scenario did to it on purpose, whose leaks are not the module's.
kmemleak_name() {
	echo "$2" >"/tmp/kmemleak-$1"
}

# dom0_detector_reports: lockdep, debug-objects and WARN reports in dom0's
# kernel log, and how many of them are the one known upstream report that is
# not the module's: lockdep's gntdev cycle in xenstored (gntdev_mmap takes
# priv->lock under mmap_lock; the map ioctl copies to user memory, which may
# fault and take mmap_lock, under priv->lock). The module runs in the domU,
# whose console must show no report at all (qemu/debug.expect), and in dom0
# only in not-pv, which creates no domain, so xenstored never maps.
dom0_detector_reports() {
	dmesg | awk '
	/possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|BUG: sleeping function called|ODEBUG:|WARNING: .* at / {
		n++; look = 12; circular = /possible circular locking/; next
	}
	look > 0 { look--; if (circular && /at: gntdev_mmap/) { known++; look = 0 } }
	END { printf "LAB: dom0 detector reports: %d (known upstream, not the module'"'"'s: %d)\n", n, known }'
}

lab_finish() {
	# No xl destroy: dom0 reboots Xen (and QEMU exits) right after, and
	# tearing down a domU whose driver oopsed costs pciback ~15 s of resets.
	sleep 0.5
	debug_checks
	show_domu
	echo "LAB: END ($(cut -d' ' -f1 /proc/uptime) s)"
	sync
	busybox reboot -f
}

# pfd_install: install the dom0 package (/lab/pcifront-diag_*.deb) once, with
# dpkg -i as an admin would, so the lab runs the command and the image the
# package ships (/usr/sbin/pcifront-diag, /usr/share/pcifront-diag/).
pfd_install() {
	[ -x /usr/sbin/pcifront-diag ] && return 0
	if dpkg -i /lab/pcifront-diag_*.deb >/tmp/dpkg.out 2>&1; then
		lab "dom0 package installed: $(dpkg-query -W -f='${Package} ${Version}' pcifront-diag)"
	else
		sed 's/^/dpkg| /' /tmp/dpkg.out
		lab "dpkg -i of the dom0 package failed"
		return 1
	fi
}

# pfd <label> <args...>: run the installed pcifront-diag command as an admin
# would, show its output prefixed "pfd| " (and keep it in /tmp/pfd.out), its
# exit code and wall time.
pfd() {
	label=$1
	shift
	pfd_install || return 1
	t0=$(date +%s%N)
	{
		pcifront-diag "$@"
		echo $? >/tmp/pfd.rc
	} 2>&1 | tee /tmp/pfd.out | sed 's/^/pfd| /'
	t1=$(date +%s%N)
	lab "pcifront-diag $label: exit $(cat /tmp/pfd.rc) ($(((t1 - t0) / 1000000)) ms)"
	# The temporary domains' consoles (check names them <guest>-pfd).
	for pfd_log in /var/log/xen/console/guest-*-pfd.log; do
		[ -f "$pfd_log" ] || continue
		pfd_log=${pfd_log##*/guest-}
		guest_console "${pfd_log%.log}"
	done
}

# guest_console <domain>: the last 80 lines of a domain's console as
# xenconsoled logged it, prefixed "<domain>| ", then the log is removed so a
# later domain of that name starts a new one.
guest_console() {
	set -- "$1" "/var/log/xen/console/guest-$1.log"
	[ -f "$2" ] || return 0
	sed "s/^/$1| /" "$2" | tail -n 80
	rm -f "$2"
}

# guest_cfg <file> <xl.cfg lines...>: a guest's own configuration as an admin
# has it (its kernel, disks and network, which check replaces or drops).
guest_cfg() {
	f=$1
	shift
	{
		echo 'name = "web"'
		echo 'type = "pv"'
		echo 'kernel = "/boot/vmlinuz-guest"'
		echo 'memory = 128'
		echo "disk = ['phy:/dev/vg0/web,xvda,w']"
		echo "vif = ['bridge=xenbr0']"
		for l in "$@"; do echo "$l"; done
	} >"$f"
	lab "guest config $f:"
	sed 's/^/LAB:   /' "$f"
}

# no_leftovers: the temporary domains and assignments check must not leave.
no_leftovers() {
	lab "leftover -pfd domains: $(xl list | awk 'NR > 1 && $1 ~ /-pfd$/' | wc -l)"
}

# answer_order [file]: the key lines of check's output (default /tmp/pfd.out) in
# the order it printed them, on one line: each device's host header, each
# device's verdict header, the summary, the teardown.
answer_order() {
	lab "answer order: $(grep -E '^(host: [0-9a-f]{4}:|[0-9a-f]{4}:[0-9a-f:.]+: dom0 |summary: |no [^ ]+-pfd left|[^ ]+-pfd \(d[0-9]+\) destroyed$|[^ ]+-pfd NOT destroyed)' "${1:-/tmp/pfd.out}" | awk 'NR > 1 { printf " | " } { printf "%s", $0 }')"
}
