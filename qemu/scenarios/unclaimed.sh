# unclaimed: guest RAM over the BAR. Without e820_host the PV guest's memory
# map is one RAM region up to maxmem (Linux caps it at 10x memory), which here
# covers edu's BAR below 4 GiB:
# pcifront cannot claim the resource ("Try using e820_host=1").
create_domu "memory = 512" "maxmem = 4200" "e820_host = 0" || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
domu "grep -i -e 'system ram' -e unusable /proc/iomem"
domu diag 0000:00:00.0
domu undiag 0000:00:00.0
