#!/usr/bin/env bash
# Probe cost of pcifront_diag next to a probe that only enables the device,
# measured in one lab run (qemu/scenarios/bench.sh), reported as medians and
# ratios. Absolute times under nested TCG are noisy; compare within a run.
source "$(dirname "$0")/lib.sh"
cd "$TOP"
[ -n "${LAB_NO_BUILD:-}" ] || { make -s modules && scripts/build-lab.sh; }
LAB_NO_BUILD=1 qemu/run bench
python3 - "$TOP/out/lab/bench.log" <<'PY'
import re, statistics, sys
log = open(sys.argv[1], encoding="utf-8", errors="replace").read()
dev = {"0000:00:00.0": "edu (1 BAR, 256 frames)", "0000:00:01.0": "e1000e (3 mem BARs + I/O + ROM, 132 frames)"}
print("%-46s %14s %14s %7s %12s %11s" % ("device", "enable-only", "pcifront_diag", "ratio", "config reads", "hypercalls"))
for bdf, name in dev.items():
    en = [int(x) / 1000 for x in re.findall(r"pfd_enable_only %s: enable-only probe: (\d+) ns" % re.escape(bdf), log)]
    dg = re.findall(r"pcifront_diag %s: summary: .*cost: (\d+) config reads, (\d+) hypercalls, (\d+) us" % re.escape(bdf), log)
    if not en or not dg:
        sys.exit("bench: no samples for %s" % bdf)
    d = [int(t) for _, _, t in dg]
    me, md = statistics.median(en), statistics.median(d)
    print("%-46s %11.0f us %11.0f us %6.2fx %12s %11s   (n=%d/%d)" % (name, me, md, md / me, dg[0][0], dg[0][1], len(en), len(d)))
PY
