#!/usr/bin/env bash
# Runs Debian's shellcheck (installed by scripts/setup-host.sh) at warning
# level over every shell file of the project: the build and test scripts,
# the lab (dom0's and the domU's /init, their helpers, the scenarios dom0
# sources), the diagnostic image's /init and the dkms pre-build check. Any
# warning fails.
# Lab scenarios have no #! line: dom0's /init (/bin/sh) sources them.
source "$(dirname "$0")/lib.sh"
cd "$TOP" || exit
shellcheck --version | sed -n 's/^version: /shellcheck /p' >&2
files=(scripts/*.sh qemu/run qemu/*.sh qemu/dom0/init qemu/dom0/lab.sh qemu/domu/init
	image/init dkms/pre-build.sh .ci/run)
shellcheck --severity=warning "${files[@]}"
shellcheck --severity=warning --shell=sh qemu/scenarios/*.sh
# dkms.conf is bash that dkms sources: it only sets variables dkms reads, from
# variables dkms sets, so "unused" and "unassigned" say nothing there.
shellcheck --severity=warning --shell=bash --exclude=SC2034,SC2154 dkms/dkms.conf.in
log "shellcheck: no warning in $((${#files[@]} + 1 + $(find qemu/scenarios -name '*.sh' | wc -l))) files"
