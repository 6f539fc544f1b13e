#!/usr/bin/env bash
# Fail if any function in pcifront_diag.ko uses more than LIMIT bytes of stack.
# Probe runs on a 16 KiB kernel stack in whatever task wrote to sysfs, and an
# overflow corrupts memory silently (docs/testing.md, "Stack use").
source "$(dirname "$0")/lib.sh"
LIMIT=${1:-2048}
ksrc=$("$TOP/scripts/fetch-sources.sh" | tail -n1)
ko=$TOP/src/pcifront_diag.ko
[ -f "$ko" ] || die "build the module first"
report=$(objdump -d "$ko" | perl "$ksrc/scripts/checkstack.pl" x86_64 2>/dev/null)
echo "$report" | head -n 3 | sed 's/^/stack: /'
worst=$(echo "$report" | head -n1 | sed 's/.*:\([0-9]*\)$/\1/')
[ -n "$worst" ] || die "checkstack found no frames in $ko"
[ "$worst" -le "$LIMIT" ] || die "a function uses $worst bytes of stack (limit $LIMIT)"
echo "stack: largest frame $worst bytes (limit $LIMIT)"
