# holes: Xen's verdict is asked for every frame, so a grant with holes is
# reported range by range. A 256 MiB 64-bit prefetchable BAR (ivshmem-plain,
# BAR2, 65,536 frames) is granted whole by xl pci-attach; then the domain's
# permission gets a hole of 16 frames in the middle, then only its last frame
# is revoked, then two separate holes. Each time pcifront_diag is bound anew
# and must name the exact refused ranges and counts.
# lab-timeout: 900
# lab-qemu: -object memory-backend-ram,id=pfd-shm,size=256M -device ivshmem-plain,memdev=pfd-shm,addr=07.0

# diag_case <what> [module params]: Xen's rangeset as it now is, then a probe.
diag_case() {
	lab "case $1"
	xen_iomem
	domu diag 0000:00:00.0 $2
	domu undiag 0000:00:00.0
}

create_domu || exit 1
attach 00:07.0 0000:00:00.0 || exit 1
diag_case "granted: the whole BAR"
iomem_perm 0000:00:07.0 2 0 0x8000 16
diag_case "middle: 16 frames from frame 0x8000 revoked"
iomem_perm 0000:00:07.0 2 1 0x8000 16
iomem_perm 0000:00:07.0 2 0 0xffff 1
diag_case "last: the hole granted again, the last frame revoked"
iomem_perm 0000:00:07.0 2 1 0xffff 1
iomem_perm 0000:00:07.0 2 0 0x1000 1
iomem_perm 0000:00:07.0 2 0 0xc000 0x100
diag_case "two: the last frame granted again, frame 0x1000 and 0x100 frames from 0xc000 revoked" read_probe=1
