#!/usr/bin/env bash
# Probe cost of pcifront_diag next to a probe that only enables the device,
# measured in one lab run (qemu/scenarios/bench.sh), reported as medians and
# ratios. Absolute times under nested TCG are noisy; compare within a run.
source "$(dirname "$0")/lib.sh"
cd "$TOP" || exit
[ -n "${LAB_NO_BUILD:-}" ] || { make -s modules && scripts/build-lab.sh; }
LAB_NO_BUILD=1 qemu/run bench
python3 - "$TOP/out/lab/bench.log" <<'PY'
import re, statistics, sys
log = open(sys.argv[1], encoding="utf-8", errors="replace").read()
dev = {
    "0000:00:00.0": ("edu (1 BAR, 256 frames)", 256),
    "0000:00:01.0": ("e1000e (3 mem BARs + ROM, 132 frames)", 132),
    "0000:00:02.0": ("ivshmem (256 MiB BAR + 1 frame)", 65537),
}
summary = r"pcifront_diag %s: summary: .*cost: (\d+) config reads, (\d+) hypercalls \((\d+) trial mappings and restores\), (\d+) us \(config (\d+) us, context (\d+) us, Xen (\d+) us\)"
print("%-40s %12s %14s %7s %13s %7s %10s %10s" % ("device", "enable-only", "pcifront_diag", "ratio", "us/1000 frames", "config", "hypercalls", "entries"))
phases = []
for bdf, (name, frames) in dev.items():
    en = [int(x) / 1000 for x in re.findall(r"pfd_enable_only %s: enable-only probe: (\d+) ns" % re.escape(bdf), log)]
    dg = re.findall(summary % re.escape(bdf), log)
    if not en or not dg:
        sys.exit("bench: no samples for %s" % bdf)
    d = [int(x[3]) for x in dg]
    phases.append((name, [statistics.median([int(x[i]) for x in dg]) for i in (4, 5, 6)]))
    me, md = statistics.median(en), statistics.median(d)
    per_k = (md - me) * 1000 / frames
    reads, hc, entries = dg[0][:3]
    print("%-40s %9.0f us %11.0f us %6.2fx %13.0f %7s %10s %10s   (n=%d/%d)" % (name, me, md, md / me, per_k, reads, hc, entries, len(en), len(d)))
print("pcifront_diag's probe by step (medians, us):")
for name, (c, x, z) in phases:
    print("  %-40s config %6.0f  context %6.0f  Xen %6.0f" % (name, c, x, z))
# Issue 16's target: a healthy edu's probe at most 1.15 times its unavoidable parts, the
# config reads (each a round trip to pciback) and Xen's trial batches; this probe makes no
# other pcifront op. The median of the per-probe ratios.
edu = re.findall(summary % re.escape("0000:00:00.0"), log)
ratios = [int(x[3]) / (int(x[4]) + int(x[6])) for x in edu]
total, config, xen = (statistics.median([int(x[i]) for x in edu]) for i in (3, 4, 6))
print("edu: probe %.0f us against its unavoidable parts %.0f us (config %.0f + Xen %.0f): %.2fx, median of %d (target <= 1.15x)"
      % (total, config + xen, config, xen, statistics.median(ratios), len(ratios)))
PY
