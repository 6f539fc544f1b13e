#!/usr/bin/env bash
# validate-metrics.sh <lab log>: the textfile the dom0 package's timer service
# wrote in the lab (dom0-denied prints it as "prom| " lines), through
# `promtool check metrics` (Debian's prometheus, scripts/setup-host.sh); and
# the gauge of the frames the scenario revoked (edu's BAR0, 0000:00:04.0) must
# be there and above 0. Prints the textfile's samples.
source "$(dirname "$0")/lib.sh"
[ $# = 1 ] || die "usage: $0 <lab log>"
command -v promtool >/dev/null || die "promtool is not installed (scripts/setup-host.sh installs prometheus)"
textfile=$(mktemp)
trap 'rm -f "$textfile"' EXIT
# "[  12.34] prom| <line>": the lab log's timestamp, the tag, the line.
sed -n 's/^\[ *[0-9.]*\] prom| //p' "$1" | tr -d '\r' >"$textfile"
[ -s "$textfile" ] || die "no 'prom| ' lines in $1: the scenario did not print the textfile"
grep -v '^#' "$textfile"
promtool check metrics <"$textfile" || die "promtool check metrics failed on the textfile of $1 (above)"
denied='^pcifront_diag_bar_frames_not_granted\{domain="domu",device="0000:00:04\.0",bar="BAR0"\} '
value=$(grep -E "$denied" "$textfile" | awk '{print $2}' || true)
[ -n "$value" ] || die "no pcifront_diag_bar_frames_not_granted sample for edu's BAR0 in $1"
awk -v v="$value" 'BEGIN { exit !(v > 0) }' || die "edu's BAR0 has $value frames not granted in $1, not the revoked ones"
log "promtool check metrics: passed; edu's BAR0: $value frames not granted"
