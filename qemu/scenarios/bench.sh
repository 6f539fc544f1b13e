# bench: probe cost side by side in one run. For edu (one 1 MiB BAR), e1000e
# (three memory BARs, an I/O BAR, a ROM) and ivshmem-plain (a 256 MiB 64-bit
# prefetchable BAR), bind a driver whose probe only enables the device
# (bench/pfd_enable_only.rs) and pcifront_diag, alternately, eleven times
# each. scripts/bench.sh turns the log into medians and ratios.
# lab-qemu: -object memory-backend-ram,id=pfd-shm,size=256M -device ivshmem-plain,memdev=pfd-shm,addr=07.0
# 66 binds take minutes:
# lab-timeout: 1800
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
attach 00:05.0 0000:00:01.0 || exit 1
attach 00:07.0 0000:00:02.0 || exit 1
domu "insmod /pfd_enable_only.ko && insmod /pcifront_diag.ko"
i=0
while [ "$i" -lt 11 ]; do
	i=$((i + 1))
	for dev in 0000:00:00.0 0000:00:01.0 0000:00:02.0; do
		domu "bindto pfd_enable_only $dev; unbindfrom pfd_enable_only $dev"
		domu "bindto pcifront_diag $dev; unbindfrom pcifront_diag $dev"
	done
done
domu "rmmod pcifront_diag pfd_enable_only && echo 'bench modules unloaded'"
