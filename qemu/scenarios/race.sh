# race: probes racing module removal, then repeated bind/unbind. Per round
# the module is loaded, edu and i6300esb are bound in parallel and the
# module is removed while they probe, 200 times; then each device is bound
# and unbound 200 times. (Two devices with small BARs keep the scenario
# within minutes; e1000e's probe costs three times as many pcifront trips.) Every WARN/BUG/lockdep line the domU kernel
# logs is counted from /dev/kmsg; VmallocUsed and Slab before and after.
# The loops print a progress line every 20 rounds or 50 cycles.
# lab-stall: 300
# lab-timeout: 2400
create_domu || exit 1
attach 00:04.0 0000:00:00.0 || exit 1
attach 00:06.0 0000:00:01.0 || exit 1
DOMU_TIMEOUT=1500 domu "race_rmmod 200 0000:00:00.0 0000:00:01.0"
DOMU_TIMEOUT=1500 domu "cycles 200 0000:00:00.0 0000:00:01.0"
