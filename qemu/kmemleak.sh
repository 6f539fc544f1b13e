# shellcheck shell=sh
# kmemleak helpers, sourced by dom0's /init (qemu/dom0/lab.sh) and the domU's
# /init. Only the debug kernel (make test-debug) has kmemleak.
KMEMLEAK=/sys/kernel/debug/kmemleak

# kmemleak_clear: forget what is unreferenced now (boot-time objects), so a
# later report shows only what leaked after this point.
kmemleak_clear() {
	[ -e "$KMEMLEAK" ] && echo clear >"$KMEMLEAK"
	return 0
}

# kmemleak_report <who>: two forced scans (an object is reported once it is
# older than 5 s), then one line with the count and the first reports.
kmemleak_report() {
	[ -e "$KMEMLEAK" ] || { echo "KMEMLEAK: $1: no kmemleak in this kernel"; return 0; }
	echo scan >"$KMEMLEAK"
	sleep 6
	echo scan >"$KMEMLEAK"
	echo "KMEMLEAK: $1: $(grep -c '^unreferenced object' "$KMEMLEAK") unreferenced objects after a forced scan"
	head -n 40 "$KMEMLEAK"
}
