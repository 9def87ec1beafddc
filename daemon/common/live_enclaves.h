/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live enclaves as the kernel lists them over generic netlink
 * (GHOST_CMD_GET_ENCLAVE dump, read with libnl-3): ghostd matches them to
 * its configuration by name, ghostctl shows their counters. The dump is
 * open to every user.
 */
#ifndef GHOST_COMMON_LIVE_ENCLAVES_H
#define GHOST_COMMON_LIVE_ENCLAVES_H

#include <stddef.h>
#include <stdint.h>

#include <linux/ghost.h>

struct live_enclave {
	uint64_t id;
	char name[GHOST_NAME_MAX];	/* "" if the enclave has none */
	char cpus[256];			/* "1-3,5" */
	uint32_t state;			/* enum ghost_enclave_state */
	uint32_t watchdog_ms;
	uint32_t nr_tasks;
	uint32_t nr_agents;
	uint64_t msgs[GHOST_MSG_TYPE_MAX + 1];		/* by message type */
	uint64_t commits[GHOST_TXN_STATE_MAX + 1];	/* by final state */
	uint64_t watchdog_firings;
	uint64_t queue_overflows;
	uint64_t tasks_evicted;
	uint64_t agent_throttles;
};

struct live_enclaves {
	struct live_enclave *list;
	size_t nr;
};

/*
 * Dump the live enclaves into @enclaves. Returns 0, or -1 with a reason in
 * @why (the family is not registered: is ghost.ko loaded?, ...).
 */
int live_enclaves_read(struct live_enclaves *enclaves, char *why, size_t len);
void live_enclaves_free(struct live_enclaves *enclaves);

/* The enclave called @name, or NULL. */
const struct live_enclave *live_enclaves_find(const struct live_enclaves *enclaves,
					      const char *name);

#endif /* GHOST_COMMON_LIVE_ENCLAVES_H */
