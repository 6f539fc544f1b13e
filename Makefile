# SPDX-License-Identifier: GPL-2.0
# pcifront-diag: out-of-tree Rust-for-Linux module + lab.
#
#   make                build src/pcifront_diag.ko (and bench/) against KDIR (default: the cached
#                       reference kernel, built on first use)
#   make kernel         build (or find) the reference kernel; prints its tree
#   make tool           the dom0 command, tool/target/release/pcifront-diag
#   make image          the diagnostic PV image check boots (out/image/: vmlinuz, initrd)
#   make install        the command and the image: $(DESTDIR)$(PREFIX)/bin/pcifront-diag and
#                       $(DESTDIR)$(PREFIX)/share/pcifront-diag/ (PREFIX=/usr/local)
#   make clippy         build with CLIPPY=1
#   make rust-analyzer  write rust-project.json
#   make host-test      cargo test of the pure logic (src/diag) on the host
#   make fuzz           the fuzz targets of src/diag and the dom0 command, longer than make test
#   make shellcheck     shellcheck of every shell file (warnings fail)
#   make test           everything CI runs: setup, host tests, module, lab
#   make test-debug     every lab scenario on the debug kernel (kmemleak, lockdep)
#   make lab-<name>     one lab scenario (see qemu/scenarios/)
#   make bench          probe cost vs an enable-only driver, one lab run
#   make debian         .debs for Debian's stock kernel (out/debian/), built with Debian's toolchain,
#                       and the dom0 package pcifront-diag_<version>_amd64.deb (command, image, man)
#   make test-debian    install and remove those packages in a trixie chroot
#   make clean          module objects, host/target and out/ (no kernel needed)

SHELL := /bin/bash
# The reference kernel's object tree (kernel_tree in scripts/lib.sh): found (or built, on first
# use) once per make run, and only by the targets that need it.
KDIR ?= $(eval KDIR := $(shell . $(CURDIR)/scripts/lib.sh && kernel_tree 2>/dev/null))$(KDIR)
MAKEFLAGS += --no-print-directory
# Debian's rust-src matching rustc (rust-analyzer and the kernel's Rust checks need it).
export RUST_LIB_SRC ?= $(shell $(CURDIR)/scripts/rust-lib-src.sh)

.PHONY: all tool image install modules kernel clippy rust-analyzer host-test fuzz test test-debug bench debian test-debian clean clean-module setup fmt-check shellcheck

all: modules tool

tool:
	cd tool && cargo build --locked --release --quiet

image: modules
	KDIR=$(KDIR) ./scripts/build-image.sh

PREFIX ?= /usr/local
install: tool image
	install -D -m 755 tool/target/release/pcifront-diag $(DESTDIR)$(PREFIX)/bin/pcifront-diag
	install -D -m 644 out/image/vmlinuz $(DESTDIR)$(PREFIX)/share/pcifront-diag/vmlinuz
	install -D -m 644 out/image/initrd $(DESTDIR)$(PREFIX)/share/pcifront-diag/initrd

modules:
	@test -n "$(KDIR)" || { echo "no kernel tree: run scripts/build-kernel.sh (or make kernel) and read its log"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

kernel:
	./scripts/build-kernel.sh

clippy:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CLIPPY=1 modules

rust-analyzer:
	$(MAKE) -C $(KDIR) M=$(CURDIR) rust-analyzer

setup:
	./scripts/setup-host.sh

host-test:
	cd host && cargo test --locked --quiet

# The fuzz targets for longer than make test gives them (30 s for src/diag's, 3 s each for
# the dom0 command's): PFD_FUZZ_SECS=600 for src/diag's in all, 120 per dom0 target.
fuzz:
	cd host && PFD_FUZZ_SECS=$${PFD_FUZZ_SECS:-600} cargo test --locked --release --test fuzz -- --nocapture
	cd tool && PFD_FUZZ_SECS=$${PFD_TOOL_FUZZ_SECS:-120} cargo test --locked --release fuzz -- --nocapture

shellcheck:
	./scripts/shellcheck.sh

fmt-check:
	rustfmt --edition 2021 --check src/*.rs src/diag/*.rs bench/*.rs
	cd host && cargo fmt --check

test:
	./scripts/test.sh

test-debug:
	./scripts/test-debug.sh

lab-%: modules tool
	./qemu/run $*

bench: modules tool
	./scripts/bench.sh

debian: tool image
	./scripts/debian-packages.sh
	./scripts/dom0-package.sh

test-debian: debian
	./scripts/test-debian.sh

# Module build products only: no kernel tree needed.
clean-module:
	find src bench \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name '*.rmeta' -o -name modules.order \) -delete
	rm -f Module.symvers modules.order .*.cmd

clean: clean-module
	rm -rf host/target tool/target out
