# torture: measure the nested emulation's fault rate, without pcifront_diag.
# dom0 forks and execs in a loop while a PV domU is created and destroyed
# again and again; every user-space crash the kernels log is counted.
# Not part of make test: a tool for judging QEMU/Xen options (LAB_QEMU_EXTRA).
# The domU counts silently for long stretches:
# lab-stall: 300
rounds=${TORTURE_ROUNDS:-8}
(
	i=0
	while [ ! -f /tmp/torture.stop ]; do
		[ "$(expr "$i" + 1)" = "$((i + 1))" ] || echo "LAB: torture: dom0 arithmetic went wrong at $i"
		i=$((i + 1))
	done
	echo "LAB: torture: dom0 loop ran $i fork+exec rounds"
) &
loop=$!
r=0
while [ "$r" -lt "$rounds" ]; do
	r=$((r + 1))
	rm -f /tmp/domu-lines-shown
	create_domu || lab "torture: round $r: domU did not come up"
	domu "i=0; while [ \$i -lt 300 ]; do [ \$(expr \$i + 1) = \$((i + 1)) ] || echo BAD; i=\$((i + 1)); done"
	show_domu
	xl destroy "$DOMU"
	rm -f "$DOMU_LOG"
	# shellcheck disable=SC2034 # lab.sh's domu_start numbers commands from SEQ
	SEQ=0
done
touch /tmp/torture.stop
wait "$loop"
lab "torture: $rounds domU rounds; user-space crashes in dom0: $(dmesg | grep -c 'segfault at')"
