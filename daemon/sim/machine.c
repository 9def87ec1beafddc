// SPDX-License-Identifier: GPL-2.0
/* Simulated machines: see machine.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/cpulist.h"
#include "machine.h"
#include "sim_json.h"

/*
 * The README's `make bench` ratios were measured in the VM against a CFS
 * context switch (pipe ping-pong); the paper's numbers are from its Table 3
 * on a Xeon 8173M, where a CFS switch took 599 ns.
 */
const struct cost_info cost_info[NR_COSTS] = {
	[COST_LOCAL_SCHEDULE] = { "local_schedule_ns", 0.94,
		"make bench: local schedule / CFS switch" },
	[COST_GLOBAL_DELIVERY] = { "global_delivery_ns", 0.06,
		"make bench: delivery to a spinning global agent / CFS switch" },
	[COST_PARKED_WAKEUP] = { "parked_wakeup_ns", 0.70,
		"make bench: first message to a parked per-CPU agent (a task blocked) / CFS switch" },
	[COST_REMOTE_COMMIT] = { "remote_commit_ns", 668.0 / 599.0,
		"paper: remote schedule, agent side, 668 ns" },
	/* A group of 8 costs 8 x 0.17 = 1.36 single commits: 0.36 / 7 each. */
	[COST_GROUP_TXN] = { "group_txn_ns", 668.0 / 599.0 * 0.36 / 7,
		"make bench: group of 8 costs 0.17 of a single commit per transaction" },
	[COST_CONTEXT_SWITCH] = { "context_switch_ns", 1.0,
		"a CFS context switch" },
	[COST_IPI] = { "ipi_ns", (1064.0 - 599.0) / 599.0,
		"paper: remote schedule, target side, 1064 ns less a switch" },
	[COST_IPI_CROSS_LLC] = { "ipi_cross_llc_ns", 1.5 * (1064.0 - 599.0) / 599.0,
		"estimate: 1.5 x ipi_ns" },
	[COST_IPI_CROSS_NODE] = { "ipi_cross_node_ns", 2.5 * (1064.0 - 599.0) / 599.0,
		"estimate: 2.5 x ipi_ns" },
	[COST_SYSCALL] = { "syscall_ns", 72.0 / 599.0,
		"paper: null syscall, 72 ns" },
	[COST_AGENT_STEP] = { "agent_step_ns", 0.25,
		"estimate: the runtime's loop, status word reads" },
	[COST_AGENT_MESSAGE] = { "agent_message_ns", 0.10,
		"estimate: one message through the runtime and the policy" },
	[COST_AGENT_POLL] = { "agent_poll_ns", 5000.0 / 599.0,
		"simulator: how often a spinning agent with clock-reading policy re-polls" },
	[COST_HANDOVER_TASK] = { "handover_task_ns", 0.2,
		"check_swap: the runtime hands 1,000 tasks over in about 0.12 ms on the development host" },
};

static const struct {
	const char *name;
	const char *json;
} presets[] = {
	/* The test VM: 4 virtual CPUs, CPU 0 kept for the system. */
	{ "vm", "{\"name\": \"vm\", \"sockets\": 1, \"cores_per_socket\": 4,"
		" \"threads_per_core\": 1, \"enclave\": \"1-3\"}" },
	/* The paper's machine: 2 x Xeon Platinum 8173M (Skylake), 28 cores, SMT. */
	{ "skylake-112", "{\"name\": \"skylake-112\", \"sockets\": 2,"
		" \"cores_per_socket\": 28, \"threads_per_core\": 2,"
		" \"llcs_per_socket\": 1, \"nodes_per_socket\": 1}" },
	/* 2 x 64-core EPYC, SMT, an LLC per 8-core CCX, one node per socket. */
	{ "epyc-256", "{\"name\": \"epyc-256\", \"sockets\": 2,"
		" \"cores_per_socket\": 64, \"threads_per_core\": 2,"
		" \"llcs_per_socket\": 8, \"nodes_per_socket\": 1}" },
};

#define NR_PRESETS	(sizeof(presets) / sizeof(presets[0]))

const char *machine_preset_names(void)
{
	return "vm, skylake-112, epyc-256";
}

const char *machine_preset_json(const char *name)
{
	for (size_t i = 0; i < NR_PRESETS; i++)
		if (!strcmp(presets[i].name, name))
			return presets[i].json;
	return NULL;
}

static void read_topology(struct json_reader *r, const json_t *root,
			  struct machine *m)
{
	int cores;

	m->sockets = jr_integer(r, root, "sockets", 1, 1, 16, false);
	m->cores_per_socket = jr_integer(r, root, "cores_per_socket", 0, 1,
					 MACHINE_MAX_CPUS, true);
	m->threads_per_core = jr_integer(r, root, "threads_per_core", 1, 1, 8, false);
	m->llcs_per_socket = jr_integer(r, root, "llcs_per_socket", 1, 1,
					MACHINE_MAX_CPUS, false);
	m->nodes_per_socket = jr_integer(r, root, "nodes_per_socket", 1, 1,
					 MACHINE_MAX_CPUS, false);
	if (r->failed)
		return;
	cores = m->sockets * m->cores_per_socket;
	m->nr_cpus = cores * m->threads_per_core;
	if (m->nr_cpus > MACHINE_MAX_CPUS) {
		jr_fail(r, "%d CPUs: at most %d are simulated", m->nr_cpus,
			MACHINE_MAX_CPUS);
		return;
	}
	if (m->cores_per_socket % m->llcs_per_socket ||
	    m->cores_per_socket % m->nodes_per_socket ||
	    m->llcs_per_socket % m->nodes_per_socket) {
		jr_fail(r, "cores_per_socket must split evenly into llcs_per_socket and nodes_per_socket, and LLCs into nodes");
		return;
	}
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		int core = cpu % cores;
		int socket = core / m->cores_per_socket;
		int in_socket = core % m->cores_per_socket;

		m->core[cpu] = core;
		m->llc[cpu] = socket * m->llcs_per_socket +
			      in_socket / (m->cores_per_socket / m->llcs_per_socket);
		m->node[cpu] = socket * m->nodes_per_socket +
			       in_socket / (m->cores_per_socket / m->nodes_per_socket);
	}
}

static void read_costs(struct json_reader *r, const json_t *root,
		       struct machine *m)
{
	const json_t *costs = jr_object(r, root, "costs", false);
	const char *known[NR_COSTS + 2];
	size_t mark;

	m->cfs_switch_ns = 599;
	if (costs) {
		mark = jr_enter(r, "costs");
		known[0] = "cfs_switch_ns";
		for (int i = 0; i < NR_COSTS; i++)
			known[i + 1] = cost_info[i].name;
		known[NR_COSTS + 1] = NULL;
		jr_known_keys(r, costs, known);
		m->cfs_switch_given = json_object_get(costs, "cfs_switch_ns");
		m->cfs_switch_ns = jr_number(r, costs, "cfs_switch_ns", 599, 1, 1e6, false);
		for (int i = 0; i < NR_COSTS; i++) {
			m->cost_given[i] = json_object_get(costs, cost_info[i].name);
			m->cost[i] = (uint64_t)jr_number(r, costs, cost_info[i].name,
							 0, 0, 1e9, false);
		}
		jr_leave(r, mark);
	}
	for (int i = 0; i < NR_COSTS; i++)
		if (!m->cost_given[i])
			m->cost[i] = (uint64_t)llround(cost_info[i].ratio * m->cfs_switch_ns);
}

int machine_parse(const char *file, const char *text, struct machine *m,
		  char *why, size_t len)
{
	static const char *const known[] = {
		"name", "sockets", "cores_per_socket", "threads_per_core",
		"llcs_per_socket", "nodes_per_socket", "enclave", "watchdog_ms",
		"costs", NULL,
	};
	struct json_reader r;
	json_t *root = jr_load(&r, file, text, why, len);

	memset(m, 0, sizeof(*m));
	if (!root)
		return -1;
	jr_known_keys(&r, root, known);
	snprintf(m->name, sizeof(m->name), "%s",
		 jr_string(&r, root, "name", "unnamed", false));
	read_topology(&r, root, m);
	if (!r.failed && !jr_cpulist(&r, root, "enclave", m->nr_cpus, &m->enclave)) {
		CPU_ZERO(&m->enclave);
		for (int cpu = 1; cpu < m->nr_cpus; cpu++)
			CPU_SET(cpu, &m->enclave);
	}
	if (!r.failed && !CPU_COUNT(&m->enclave))
		jr_fail(&r, "the enclave has no CPU (a 1-CPU machine keeps its CPU 0: give \"enclave\")");
	m->watchdog_ms = jr_integer(&r, root, "watchdog_ms", 5000, 10, 10000, false);
	read_costs(&r, root, m);
	json_decref(root);
	return r.failed ? -1 : 0;
}

int machine_load(const char *spec, struct machine *m, char *why, size_t len)
{
	const char *preset = machine_preset_json(spec);

	if (preset)
		return machine_parse(spec, preset, m, why, len);
	if (!strchr(spec, '/') && !strstr(spec, ".json")) {
		snprintf(why, len, "no machine preset \"%s\" (presets: %s; or give a JSON file)",
			 spec, machine_preset_names());
		return -1;
	}
	return machine_parse(spec, NULL, m, why, len);
}

uint64_t machine_ipi_ns(const struct machine *m, int from, int to)
{
	if (from < 0 || m->llc[from] == m->llc[to])
		return m->cost[COST_IPI];
	if (m->node[from] == m->node[to])
		return m->cost[COST_IPI_CROSS_LLC];
	return m->cost[COST_IPI_CROSS_NODE];
}
