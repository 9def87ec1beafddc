/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Simulated machines: CPUs, SMT siblings, last-level caches and NUMA
 * nodes, the enclave's CPUs, and what ghost's operations cost there.
 *
 * A machine is given in JSON (config/sim/machines/) or by preset name:
 *
 *	{
 *	  "name": "skylake-112",
 *	  "sockets": 2, "cores_per_socket": 28, "threads_per_core": 2,
 *	  "llcs_per_socket": 1, "nodes_per_socket": 1,
 *	  "enclave": "1-111",		(default: every CPU but CPU 0)
 *	  "watchdog_ms": 5000,		(the enclave's; 10..10000)
 *	  "costs": { "cfs_switch_ns": 599, "ipi_ns": 500, ... }
 *	}
 *
 * CPUs are numbered as Linux numbers them on such machines: every core's
 * first thread first, socket by socket, then the second threads (CPU n and
 * n + sockets * cores_per_socket are SMT siblings). Cores of a socket are
 * split evenly between its LLCs and its nodes.
 *
 * Costs are in nanoseconds. Each default is a ratio to a CFS context switch
 * (cfs_switch_ns, the ghOSt paper's 599 ns unless given) with a stated
 * source: `make bench`'s measured ratios (README), the paper's Table 3, or
 * an estimate, marked as such. A cost given in "costs" replaces its
 * default; cfs_switch_ns rescales every default that is not given.
 */
#ifndef GHOST_SIM_MACHINE_H
#define GHOST_SIM_MACHINE_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#define MACHINE_MAX_CPUS	256

enum sim_cost {
	COST_LOCAL_SCHEDULE,	/* per-CPU agent's commit until its task runs */
	COST_GLOBAL_DELIVERY,	/* a message until a spinning agent reads it */
	COST_PARKED_WAKEUP,	/* a message until a parked agent runs */
	COST_REMOTE_COMMIT,	/* agent side of a commit of one remote CPU */
	COST_GROUP_TXN,		/* each further transaction of a group commit */
	COST_CONTEXT_SWITCH,	/* a CPU switching to the task latched there */
	COST_IPI,		/* a remote commit reaching a CPU of the same LLC */
	COST_IPI_CROSS_LLC,	/* ... of another LLC of the same node */
	COST_IPI_CROSS_NODE,	/* ... of another NUMA node */
	COST_SYSCALL,		/* an agent's other ioctls: ping, associate, ... */
	COST_AGENT_STEP,	/* an agent's step, besides what it does */
	COST_AGENT_MESSAGE,	/* an agent reading and handling one message */
	COST_AGENT_POLL,	/* a spinning agent whose policy reads the clock re-polls */
	COST_HANDOVER_TASK,	/* a policy swap handing one task to the new policy */
	NR_COSTS,
};

struct cost_info {
	const char *name;	/* JSON key, with the _ns suffix */
	double ratio;		/* default, times cfs_switch_ns */
	const char *source;	/* where the default comes from */
};

extern const struct cost_info cost_info[NR_COSTS];

struct machine {
	char name[64];
	int nr_cpus;
	int sockets, cores_per_socket, threads_per_core;
	int llcs_per_socket, nodes_per_socket;
	/* By CPU. */
	int core[MACHINE_MAX_CPUS];	/* machine-wide core number */
	int llc[MACHINE_MAX_CPUS];
	int node[MACHINE_MAX_CPUS];
	cpu_set_t enclave;
	uint32_t watchdog_ms;
	double cfs_switch_ns;
	bool cfs_switch_given;
	uint64_t cost[NR_COSTS];
	bool cost_given[NR_COSTS];
};

/* Read machine @spec: a preset's name or a JSON file. */
int machine_load(const char *spec, struct machine *m, char *why, size_t len);
/* Parse machine JSON @text (named @file in errors). */
int machine_parse(const char *file, const char *text, struct machine *m,
		  char *why, size_t len);
/* The presets' names ("vm, skylake-112, epyc-256") and JSON text. */
const char *machine_preset_names(void);
const char *machine_preset_json(const char *name);
/* What a commit from @from reaching @to costs before the switch. */
uint64_t machine_ipi_ns(const struct machine *m, int from, int to);

#endif /* GHOST_SIM_MACHINE_H */
