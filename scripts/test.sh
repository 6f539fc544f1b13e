#!/usr/bin/env bash
# Everything CI runs (make test): set up a bare bookworm machine, check the
# shell files, run the host tests, build the kernel (cached) and the module
# (also with clippy), check formatting and stack use, build and install the packages for Debian's
# stock kernel (with Debian's rustc 1.85), then run every lab scenario on
# real Xen, once each, and check what the lab printed: the dom0 package's
# textfile with promtool, every JSON document against docs/schema/. One line
# per step; each step's full output is in out/logs/.
# Builds and host tests fail on the first broken step; the lab runs every
# scenario and fails at the end if any failed.
source "$(dirname "$0")/lib.sh"
cd "$TOP" || exit
export PATH=$HOME/.cargo/bin:$PATH
rm -rf out/logs

quietly "host setup" scripts/setup-host.sh
quietly "shellcheck of every shell file" scripts/shellcheck.sh
# --locked: build exactly the committed Cargo.lock, and fail if it is stale.
quietly "host tests (pure logic: cargo test, fmt, clippy)" bash -c 'cd host && cargo test --locked && cargo fmt --check && cargo clippy --locked --all-targets -- -D warnings'
quietly "dom0 command (cargo test, fmt, clippy, release build)" bash -c 'cd tool && cargo test --locked && cargo fmt --check && cargo clippy --locked --all-targets -- -D warnings && cargo build --locked --release'
quietly "rustfmt of the module" rustfmt --edition 2021 --check src/*.rs src/diag/*.rs
quietly "reference kernel" scripts/build-kernel.sh
KDIR=$(kernel_tree 2>>"$QUIET_LOG")
export KDIR

make -s clean-module
quietly "module" make KDIR="$KDIR" modules
modinfo src/pcifront_diag.ko | grep -q '^name: *pcifront_diag$' || die "modinfo does not show pcifront_diag"
quietly "stack use" scripts/check-stack.sh
touch src/driver.rs bench/pfd_enable_only.rs
quietly "module with clippy" make KDIR="$KDIR" CLIPPY=1 modules
! grep -E '^(warning|error)' "$QUIET_LOG" || die "clippy is not clean (see $QUIET_LOG)"
quietly "Rust metadata for Debian's kernel $DEB_KREL ($DEB_FLAVOURS)" scripts/debian-kbuild.sh
grep -E '^symbols: ' "$QUIET_LOG"
quietly "Debian packages (Debian's rustc, dpkg-deb)" scripts/debian-packages.sh
quietly "Debian packages installed and removed (dpkg, dkms)" scripts/test-debian.sh
grep -E '^ok: ' "$QUIET_LOG" | cut -c1-150
quietly "domU kernel with the xen-pv-ioremap series, its modules" scripts/build-ioremap-domu.sh
grep -E 'loud-ioremap domU' "$QUIET_LOG"
quietly "lab inputs" scripts/build-lab.sh

# A failed scenario's verdict (out/lab/<name>.result) is repeated at the very
# end of the output, where a truncated CI log still shows it.
explain() {
	log "---- $1: qemu/run said:"
	grep -E '^lab: (MISSING|UNEXPECTED|STALLED|QEMU exited|a guest)' "out/lab/$1.result" || true
	grep -A2 '^lab: a guest' "out/lab/$1.result" | tail -n 2 || true
	log "---- $1: last lines of out/lab/$1.log:"
	tail -n 12 "out/lab/$1.log" 2>/dev/null || true
}
failed=""
for s in ${LAB_SCENARIOS:-$(lab_scenarios)}; do
	quietly "lab scenario $s" lab_scenario "$s" || failed="$failed $s"
	grep -E '^lab: (timings|scenario .* (PASSED|FAILED))' "out/lab/$s.result" || true
done
for s in ${LAB_PATCHED_SCENARIOS-$(lab_patched_scenarios)}; do
	quietly "lab scenario $s on the xen-pv-ioremap domU kernel" lab_scenario_patched "$s" ||
		failed="$failed $s-patched"
	grep -E '^lab: (timings|scenario .* (PASSED|FAILED))' "out/lab/$s-patched.result" || true
done
# What the lab printed, checked: a full run only (a LAB_SCENARIOS subset lacks
# documents), on this run's logs.
checks_failed=""
if [ -z "${LAB_SCENARIOS:-}" ]; then
	logs=()
	for s in $(lab_scenarios); do logs+=("out/lab/$s.log"); done
	quietly "promtool check metrics on the dom0-denied textfile" scripts/validate-metrics.sh out/lab/dom0-denied.log ||
		checks_failed="$checks_failed metrics"
	grep -E 'promtool check metrics: passed' "$QUIET_LOG" || true
	quietly "JSON documents of the lab against docs/schema" scripts/validate-json.sh "${logs[@]}" ||
		checks_failed="$checks_failed json"
	grep -E '^documents: ' "$QUIET_LOG" || true
fi
if [ -n "$failed" ]; then
	for s in $failed; do explain "$s"; done
	die "lab scenarios failed:$failed; checks of what the lab printed failed:${checks_failed:- none}"
fi
[ -z "$checks_failed" ] || die "checks of what the lab printed failed:$checks_failed"
log "all tests passed"
