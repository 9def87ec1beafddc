/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ghost generic netlink family from the test programs (libnl-3): the
 * enclave statistics and the events multicast group.
 */
#ifndef GHOST_TEST_GNL_H
#define GHOST_TEST_GNL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/ghost.h>

#define GNL_HAS(x, attr)	(((x)->attrs >> (attr)) & 1)

/* One GHOST_CMD_GET_ENCLAVE reply. */
struct gnl_enclave {
	uint64_t attrs;			/* bit n: GHOST_A_n was present */
	uint64_t id;
	char cpus[256];
	uint32_t state;
	uint32_t watchdog_ms;
	uint32_t nr_tasks;
	uint32_t nr_agents;
	uint64_t msgs[GHOST_MSG_TYPE_MAX + 1];
	uint64_t commits[GHOST_TXN_STATE_MAX + 1];
	uint64_t watchdog_firings;
	uint64_t queue_overflows;
	char name[GHOST_NAME_MAX];
	uint64_t tasks_evicted;
	uint64_t agent_throttles;
};

/* One GHOST_CMD_EVENT. */
struct gnl_event {
	uint64_t attrs;			/* bit n: GHOST_A_n was present */
	uint32_t event;
	uint64_t enclave_id;
	uint32_t reason;
	uint32_t cpu;
	uint32_t pid;
};

int gnl_get_enclave(uint64_t id, struct gnl_enclave *out);
int gnl_dump_enclaves(struct gnl_enclave *out, int max);

struct gnl_events;

/*
 * A subscription to the events group. Events are kept as they arrive;
 * gnl_events_wait() takes the first one of a kind not taken yet, receiving
 * until it shows up.
 */
struct gnl_events *gnl_events_open(void);
bool gnl_events_wait(struct gnl_events *ev, uint32_t event,
		     uint64_t enclave_id, int timeout_ms,
		     struct gnl_event *out);
void gnl_events_close(struct gnl_events *ev);

#endif /* GHOST_TEST_GNL_H */
