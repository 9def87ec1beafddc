#!/bin/sh
# Proves: ghost-sim's model agrees with the kernel where it can be checked
# exactly: a deterministic single-CPU FIFO workload finishes its tasks in
# the same order under ghostd in this VM as in ghost-sim
# (tests/sim/fifo-order-vm, which says how). The order (a e b d c, also
# worked out by hand in docs/ghost-sim.md) is not the order the tasks
# start in: it follows from how FIFO queues their wakeups, which is what
# the two must agree on.
# vm-args: --add tests/sim --add config/sim --add /bin/bash --timeout 240
# tests/sim and config/sim both land in /ghost/sim: the script, machines/
# and workloads/ side by side.
. /ghost/daemon/lib/daemon.sh

# Free to run on the enclave's CPU, as a user's program would be.
GHOST_SIM_CONFIG=/ghost/sim everywhere bash /ghost/sim/fifo-order-vm
