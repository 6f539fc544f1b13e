#!/usr/bin/env bash
# scripts/fault-rate.sh <runs> [<label>[:<runs>]=<Xen options> ...]: measure
# the lab's emulation fault rate (docs/lab.md) with the torture scenario
# (qemu/scenarios/torture.sh). Each label is a Xen command-line addition
# (LAB_XEN_EXTRA), run <runs> times; the labels take turns, two labs at a
# time, so every configuration meets the same host load while it runs.
# Default: the lab as it is ("eager") against Xen's own choice on this AMD
# vCPU ("lazy", spec-ctrl=no-eager-fpu). Needs the lab inputs (make, then
# scripts/build-lab.sh). Per-run logs: out/fault-rate/<label>.<n>.log; one
# line per run in out/fault-rate/runs.tsv; the tally is printed at the end.
# TORTURE_ROUNDS sets the domU rounds per run (default 8), FAULT_RATE_JOBS the
# labs at a time (default 2).
source "$(dirname "$0")/lib.sh"
cd "$TOP" || exit
runs=${1:?usage: scripts/fault-rate.sh <runs per label> [label[:runs]=xen-options ...]}
shift
[ "$#" -gt 0 ] || set -- eager= lazy=spec-ctrl=no-eager-fpu
[ -f out/lab/dom0.cpio ] || die "no lab inputs: run make && scripts/build-lab.sh first"
# Domain rounds per torture run (the scenario's default is 8).
ROUNDS=${TORTURE_ROUNDS:-8}
dir=out/fault-rate
mkdir -p "$dir"
tsv=$dir/runs.tsv
[ -f "$tsv" ] || printf 'label\trun\trounds\texit\tseconds\tverdict\n' >"$tsv"

# one <label> <xen options> <n>: a torture run; appends its line to runs.tsv.
one() {
	local label=$1 xen=$2 n=$3 rc=0 t0 verdict
	t0=$(date +%s)
	# Two labs on two cores take up to ~15 min for torture's 8 domU rounds.
	LAB_NO_BUILD=1 LAB_TIMEOUT=${LAB_TIMEOUT:-2400} LAB_XEN_EXTRA=$xen LAB_LOG=$dir/$label.$n.log \
		LAB_DOM0_EXTRA="pfd.env.TORTURE_ROUNDS=$ROUNDS" \
		qemu/run torture >"$dir/$label.$n.result" 2>&1 || rc=$?
	grep -q 'QEMU exited with 124' "$dir/$label.$n.result" && rc=124
	case $rc in
	0) verdict=clean ;;
	124) verdict="timeout (not a fault; not counted)" ;;
	3) verdict=stall ;;
	4) verdict="crash: $(grep -a -m1 -E 'segfault at|traps:|Illegal number|Attempted to kill init|malloc' "$dir/$label.$n.log" | sed 's/^\[ *[0-9.]*\] //' | cut -c1-120)" ;;
	*) verdict="failed: $(grep -a -m1 -E '^lab: (MISSING|UNEXPECTED)' "$dir/$label.$n.result" | cut -c1-120)" ;;
	esac
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$n" "$ROUNDS" "$rc" "$(($(date +%s) - t0))" "$verdict" >>"$tsv"
	log "torture $label #$n: exit $rc ($verdict)"
}

jobs_running=0
for n in $(seq 1 "$runs"); do
	for spec in "$@"; do
		label=${spec%%=*}
		want=$runs
		case $label in *:*) want=${label#*:} label=${label%%:*} ;; esac
		[ "$n" -le "$want" ] || continue
		one "$label" "${spec#*=}" "$n" &
		jobs_running=$((jobs_running + 1))
		if [ "$jobs_running" -ge "${FAULT_RATE_JOBS:-2}" ]; then
			wait -n || true
			jobs_running=$((jobs_running - 1))
		fi
	done
done
wait || true

echo "== torture runs by label (all of $tsv) =="
awk -F'\t' 'NR > 1 && $4 != 124 { n[$1]++; r[$1] += $3; if ($4 != 0) f[$1]++ }
	END { for (l in n) printf "%-8s %3d runs (%d domU rounds), %3d faulted\n", l, n[l], r[l], f[l] + 0 }' "$tsv"
