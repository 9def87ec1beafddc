// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: the "ghost" generic netlink family describes enclaves and
 * announces their lives.
 *  - GHOST_CMD_GET_ENCLAVE, by id and as a dump, gives the enclave's id,
 *    CPU list ("1-3"), state, watchdog, task and agent counts (0 and 0,
 *    then 10 and 3 with agents and 10 threads added), and per-type message
 *    and per-state commit counters that grow as the threads run (at least
 *    what the agents themselves counted); a dump lists only live enclaves
 *    and a destroyed enclave's id answers ENOENT.
 *  - The events group delivers ENCLAVE_CREATED, AGENT_ATTACHED and
 *    AGENT_DETACHED for each of the three agent CPUs (with a pid), and
 *    ENCLAVE_DESTROYED with reason USER after GHOST_IOC_DESTROY_ENCLAVE;
 *    for a second enclave with a 100 ms watchdog and a runnable thread but
 *    no agent, ENCLAVE_DESTROYED with reason WATCHDOG, after which that
 *    thread finishes under SCHED_NORMAL.
 */
#include <sched.h>
#include <string.h>

#include "gagent.h"
#include "gnl.h"
#include "gsched.h"
#include "gworkers.h"
#include "test.h"

#define NR_THREADS	10
#define ITERATIONS	5
#define TIMEOUT		10000

static struct gnl_events *events;

static void expect_event(uint32_t event, uint64_t id, struct gnl_event *out)
{
	CHECK(gnl_events_wait(events, event, id, TIMEOUT, out));
}

/* What GET_ENCLAVE says about @e, checked against what we know. */
static void get_enclave(const struct genclave *e, struct gnl_enclave *out)
{
	CHECK(gnl_get_enclave(e->id, out) == 0);
	CHECK(out->id == e->id);
	CHECK(strcmp(out->cpus, "1-3") == 0);
	CHECK(out->state == GHOST_ENCLAVE_LIVE);
	CHECK(out->watchdog_ms == 5000);
	CHECK(GNL_HAS(out, GHOST_A_MSGS) && GNL_HAS(out, GHOST_A_COMMITS));
}

static bool dump_lists(uint64_t id, struct gnl_enclave *out)
{
	static struct gnl_enclave all[64];
	int nr = gnl_dump_enclaves(all, 64);

	CHECK(nr >= 0);
	for (int i = 0; i < nr; i++) {
		if (all[i].id == id) {
			if (out)
				*out = all[i];
			return true;
		}
	}
	return false;
}

static void expect_agent_events(uint32_t event, uint64_t id)
{
	bool seen[GTEST_LAST_CPU + 1] = { false };
	struct gnl_event ev;

	for (int i = GTEST_FIRST_CPU; i <= GTEST_LAST_CPU; i++) {
		expect_event(event, id, &ev);
		CHECK(GNL_HAS(&ev, GHOST_A_CPU) && GNL_HAS(&ev, GHOST_A_PID));
		CHECK(ev.cpu >= GTEST_FIRST_CPU && ev.cpu <= GTEST_LAST_CPU);
		CHECK(!seen[ev.cpu]);
		CHECK(ev.pid > 0);
		seen[ev.cpu] = true;
	}
}

static void check_counters_grew(const struct gnl_enclave *after,
				const struct gsched_counters *agents)
{
	CHECK(after->nr_tasks == 0);
	CHECK(after->msgs[GHOST_MSG_TASK_NEW] >= NR_THREADS);
	CHECK(after->msgs[GHOST_MSG_TASK_DEAD] >= NR_THREADS);
	CHECK(after->msgs[GHOST_MSG_TASK_WAKEUP] > 0);
	CHECK(after->commits[GHOST_TXN_COMPLETE] >= NR_THREADS);
	for (int type = 0; type <= GHOST_MSG_TYPE_MAX; type++)
		CHECK(after->msgs[type] >= agents->msgs[type]);
	for (int state = 0; state <= GHOST_TXN_STATE_MAX; state++)
		CHECK(after->commits[state] >= agents->commits[state]);
}

static void lifecycle(const cpu_set_t *cpus)
{
	struct gwork work = {
		.iterations = ITERATIONS, .spin_us = 100, .sleep_us = 1000,
	};
	struct gsched_config config = { .mode = GSCHED_PER_CPU };
	struct gsched_counters counters;
	struct gnl_enclave before, during, after, listed;
	struct gnl_event ev;
	struct genclave e;
	struct gworkers g;
	struct gsched *s;

	CHECK(genclave_create(&e, cpus, 0, 5000) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	expect_event(GHOST_EVENT_ENCLAVE_CREATED, e.id, NULL);
	get_enclave(&e, &before);
	CHECK(before.nr_tasks == 0 && before.nr_agents == 0);
	CHECK(before.msgs[GHOST_MSG_TASK_NEW] == 0);

	config.agent_cpus = *cpus;
	CHECK(gsched_start(&s, &e, &config) == 0);
	expect_agent_events(GHOST_EVENT_AGENT_ATTACHED, e.id);
	CHECK(gworkers_spawn(&g, NR_THREADS, &work, cpus) == 0);
	CHECK(gworkers_add(&g, &e) == NR_THREADS);
	get_enclave(&e, &during);
	CHECK(during.nr_tasks == NR_THREADS && during.nr_agents == 3);
	CHECK(dump_lists(e.id, &listed));
	CHECK(listed.nr_tasks == NR_THREADS && listed.nr_agents == 3);
	CHECK(strcmp(listed.cpus, "1-3") == 0);

	gworkers_release(&g);
	gworkers_join(&g);
	CHECK(genclave_wait_empty(&e, TIMEOUT));
	CHECK(gsched_wait_dead(s, NR_THREADS, TIMEOUT));
	gsched_stop(s, &counters);
	expect_agent_events(GHOST_EVENT_AGENT_DETACHED, e.id);
	get_enclave(&e, &after);
	check_counters_grew(&after, &counters);
	CHECK(after.nr_agents == 0);

	CHECK(genclave_destroy(&e) == 0);
	expect_event(GHOST_EVENT_ENCLAVE_DESTROYED, e.id, &ev);
	CHECK(ev.reason == GHOST_DESTROY_USER);
	CHECK_ERR(gnl_get_enclave(e.id, &after), ENOENT);
	CHECK(!dump_lists(e.id, NULL));
	gworkers_free(&g);
}

static void watchdog(const cpu_set_t *cpus)
{
	struct gwork work = { .iterations = 20, .spin_us = 1000 };
	struct gnl_event ev;
	struct genclave e;
	struct gworkers g;

	CHECK(genclave_create(&e, cpus, 0, 100) == 0);
	CHECK(genclave_destroy_on_failure(&e) == 0);
	expect_event(GHOST_EVENT_ENCLAVE_CREATED, e.id, NULL);
	CHECK(gworkers_spawn(&g, 1, &work, cpus) == 0);
	CHECK(gworkers_add(&g, &e) == 1);
	gworkers_release(&g);
	expect_event(GHOST_EVENT_ENCLAVE_DESTROYED, e.id, &ev);
	CHECK(ev.reason == GHOST_DESTROY_WATCHDOG);
	gworkers_join(&g);
	CHECK(gworkers_count_last_policy(&g, SCHED_OTHER) == 1);
	CHECK_ERR(gnl_get_enclave(e.id, &(struct gnl_enclave){ 0 }), ENOENT);
	genclave_close(&e);
	gworkers_free(&g);
}

int main(void)
{
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	events = gnl_events_open();
	CHECK(events);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	lifecycle(&cpus);
	watchdog(&cpus);
	gnl_events_close(events);
	test_pass("netlink");
}
