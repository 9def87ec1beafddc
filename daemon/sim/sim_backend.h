/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enclave backend over the simulated kernel: what the runtime calls
 * (runtime/backend.h), answered by kernel*.c in simulated time, with the
 * cost of each call charged to the agent's step.
 */
#ifndef GHOST_SIM_SIM_BACKEND_H
#define GHOST_SIM_SIM_BACKEND_H

#include "kernel.h"
#include "runtime/backend.h"

struct backend *sim_backend_create(struct sim_kernel *sk);

#endif /* GHOST_SIM_SIM_BACKEND_H */
