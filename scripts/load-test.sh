#!/usr/bin/env bash
# scripts/load-test.sh <runs> [<scenario>]: the lab under load (issue 21,
# docs/lab.md "The lab under load"). Runs <scenario> (default: denied) <runs>
# times, one after another, each with two CPU-bound processes beside it
# (sha256sum /dev/zero, one per core of the 2-core machine), and tallies the
# stalls (qemu/run exit 3). Hold both lab slots so no other lab runs beside
# it: LAB_SLOTS=all /work/lab-slot scripts/load-test.sh 10
#
# While a run's log has been silent for LOAD_SNAP seconds (default 30), the
# vCPUs' registers are read through a QEMU monitor socket, up to 3 times, into
# out/load-test/<n>.regs: where Xen and dom0 were when nothing was printed.
# Per-run logs: out/load-test/<n>.log and .result; one line per run in
# out/load-test/runs.tsv. Needs the lab inputs (make, then scripts/build-lab.sh).
source "$(dirname "$0")/lib.sh"
cd "$TOP" || exit
runs=${1:?usage: scripts/load-test.sh <runs> [<scenario>]}
scenario=${2:-denied}
[ -f out/lab/dom0.cpio ] || die "no lab inputs: run make && scripts/build-lab.sh first"
dir=out/load-test
mkdir -p "$dir"
tsv=$dir/runs.tsv
printf 'run\tscenario\texit\tseconds\tverdict\n' >"$tsv"
sock=$dir/monitor.sock

# monitor <command>: one QEMU monitor command's answer (empty if none).
monitor() {
	python3 - "$sock" "$1" <<'PY' || true
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(3)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out, end = b"", time.monotonic() + 3
while time.monotonic() < end:
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        break
    if not chunk:
        break
    out += chunk
print(out.decode("utf-8", "replace").replace("\r", ""))
PY
}

# watch_silence <log> <regs file>: while the lab runs (until killed), snapshot
# the vCPUs' registers when the log has not grown for LOAD_SNAP seconds.
watch_silence() {
	local log=$1 regs=$2 last=0 quiet=0 snaps=0 size
	while sleep 5; do
		size=$(stat -c %s "$log" 2>/dev/null || echo 0)
		if [ "$size" != "$last" ]; then
			last=$size quiet=0
			continue
		fi
		quiet=$((quiet + 5))
		if [ "$quiet" -ge "${LOAD_SNAP:-30}" ] && [ "$snaps" -lt 3 ] && [ -S "$sock" ]; then
			snaps=$((snaps + 1))
			{
				echo "== silent for $quiet s (log at $size bytes), snapshot $snaps"
				monitor "info registers -a" | grep -E '^(CPU#|RIP|RSP|CS |EFL)'
			} >>"$regs"
			quiet=$((quiet - 15))
		fi
	done
}

# hog: one CPU-bound process until killed.
hog() { exec sha256sum /dev/zero; }
# Whatever ends the script ends its hogs and its watcher too.
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

for n in $(seq 1 "$runs"); do
	rc=0
	rm -f "$sock" "$dir/$n.regs"
	hog &
	hog1=$!
	hog &
	hog2=$!
	t0=$(date +%s)
	watch_silence "$dir/$n.log" "$dir/$n.regs" &
	watcher=$!
	pids=("$hog1" "$hog2" "$watcher")
	LAB_NO_BUILD=1 LAB_LOG=$dir/$n.log LAB_QEMU_EXTRA="-monitor unix:$sock,server,nowait ${LAB_QEMU_EXTRA:-}" \
		qemu/run "$scenario" >"$dir/$n.result" 2>&1 || rc=$?
	secs=$(($(date +%s) - t0))
	kill "$hog1" "$hog2" "$watcher" 2>/dev/null || true
	wait "$hog1" "$hog2" "$watcher" 2>/dev/null || true
	rm -f "$sock"
	case $rc in
	0) verdict=passed ;;
	3) verdict="stall after: $(grep -av 'LAB: STALL' "$dir/$n.log" | tail -n 1 | cut -c1-100)" ;;
	*) verdict="failed: $(grep -a -m1 -E '^lab: (MISSING|UNEXPECTED|QEMU exited)' "$dir/$n.result" | cut -c1-100)" ;;
	esac
	printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$scenario" "$rc" "$secs" "$verdict" >>"$tsv"
	log "load-test $scenario #$n: exit $rc in $secs s ($verdict)"
done

awk -F'\t' 'NR > 1 { n++; s += $4; if ($3 == 3) st++; if ($3 != 0 && $3 != 3) f++
		if (min == "" || $4 < min) min = $4; if ($4 > max) max = $4 }
	END { printf "load-test: %d stall(s) in %d run(s), %d other failure(s); %d-%d s per run, %.0f s mean\n",
		st, n, f, min, max, s / n }' "$tsv"
