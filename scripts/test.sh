#!/usr/bin/env bash
# Everything CI runs (make test): set up a bare bookworm machine, run the host
# tests, build the kernel (cached) and the module (also with clippy), check
# formatting and stack use, then run every lab scenario on real Xen.
# Fails on the first broken step.
source "$(dirname "$0")/lib.sh"
cd "$TOP"
export PATH=$HOME/.cargo/bin:$PATH
t0=$(date +%s)
step() { log "== $* ($(($(date +%s) - t0)) s)"; }

step "host setup"
scripts/setup-host.sh

step "host tests (pure logic, cargo test)"
(cd host && cargo test --quiet)
(cd host && cargo fmt --check)
rustfmt --edition 2021 --check src/*.rs src/diag/*.rs

step "reference kernel"
KDIR=$(scripts/build-kernel.sh | tail -n1)
export KDIR

step "module"
make -s clean >/dev/null 2>&1 || true
make KDIR="$KDIR" modules
modinfo src/pcifront_diag.ko | grep -q '^name: *pcifront_diag$' || die "modinfo does not show pcifront_diag"
scripts/check-stack.sh
step "module with clippy"
touch src/driver.rs bench/pfd_enable_only.rs
make KDIR="$KDIR" CLIPPY=1 modules 2>&1 | tee out-clippy.log
! grep -E '^(warning|error)' out-clippy.log || die "clippy is not clean"
rm -f out-clippy.log

step "lab"
# A failed scenario's verdict (out/lab/<name>.result) is repeated at the very
# end of the output, where a truncated CI log still shows it.
explain() {
	log "---- $1: qemu/run said:"
	grep -E '^lab: (MISSING|UNEXPECTED|STALLED|QEMU exited|a guest)' "out/lab/$1.result" || true
	log "---- $1: last lines of out/lab/$1.log:"
	tail -n 12 "out/lab/$1.log" 2>/dev/null || true
}
scripts/build-lab.sh
failed=""
for s in ${LAB_SCENARIOS:-healthy denied unclaimed sub-page decode-off not-pv detach bench}; do
	step "lab scenario $s"
	lab_scenario "$s" || failed="$failed $s"
done
[ -z "$LAB_RETRIED" ] || log "lab scenarios retried after an emulation fault:$LAB_RETRIED (earlier logs: out/lab/<name>.try<n>.log)"
if [ -n "$failed" ]; then
	for s in $failed; do explain "$s"; done
	die "lab scenarios failed:$failed"
fi
step "all tests passed"
