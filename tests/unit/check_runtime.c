// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: the runtime, driven through the scripted backend, turns the
 * kernel's messages into the transactions ghost.ko expects. Per-CPU agents
 * take their CPUs and park; a new task is placed and committed on its CPU
 * with its barriers, and new tasks spread over idle CPUs (queue
 * association plus a ping of the CPU's agent); commits refused as stale
 * are retried with fresh news; a CPU taken by a higher class sends its
 * task elsewhere; an idle CPU steals waiting work (and does not when the
 * policy says so); a changed cpumask moves a waiting task. The global
 * agent commits every free CPU in one group commit, starts a sync group
 * all or nothing, moves off a CPU a higher class wants, and parks when
 * idle until news wakes it. Dead and departed tasks leave the table; news
 * of an unannounced task adopts it; dropped messages lead to a
 * rediscovery, made once the queue is drained, and a burst of tasks
 * larger than a per-CPU queue fits in the default queue; a task refused
 * as running uncommitted (it entered while running) is tried again; a live enclave whose agents died is adopted (a slot left
 * READY cleared, EBUSY attaches retried, every task bound to the new
 * default queue and announced again) and all its tasks run again; stale
 * news of a dead task, read after its successor took its status word,
 * leaves the successor alone.
 */
#include <check.h>
#include <stdlib.h>

#include "runtime/internal.h"
#include "runtime/runtime.h"
#include "runtime_fixture.h"

static char why[1024];
static struct scripted_backend *sb;
static struct runtime *rt;

static void start(const char *plugin, const char *params, int nr_cpu_ids,
		  int first, int last)
{
	rt = fixture_start(&sb, POLICY_DIR, plugin, params, nr_cpu_ids, first,
			   last, 1000);
	ck_assert(rt_agents_settled(rt));
}

static void finish(void)
{
	fixture_finish(&rt, &sb);
}

static uint64_t counter(const char *name)
{
	return fixture_counter(rt, name);
}

static unsigned int nr_tasks(void)
{
	struct rt_status st;

	rt_status(rt, &st);
	return st.nr_tasks;
}

/* The index of the first commit from @from on that names @cpu, or -1. */
static int find_commit(int from, int cpu, uint64_t target)
{
	for (int i = from; i < sb->nr_commits; i++)
		if (CPU_ISSET(cpu, &sb->commits[i].cpus) &&
		    sb->commits[i].slots[cpu].target == target)
			return i;
	return -1;
}

START_TEST(per_cpu_agents_take_their_cpus_and_park)
{
	start("fifo_per_cpu", NULL, 4, 1, 3);
	for (int cpu = 1; cpu <= 3; cpu++) {
		ck_assert_int_eq(sb->agent_on[cpu], cpu);
		ck_assert(sb->parked[cpu]);
		ck_assert_int_eq(rt_cpu_agent_state(rt, cpu), RT_AGENT_PARKED);
	}
	ck_assert_int_eq(sb->agent_on[0], -1);
	ck_assert_int_eq(rt_cpu_agent_state(rt, 0), RT_AGENT_NONE);
	/* A queue per CPU; the lowest CPU's is the default. */
	ck_assert_int_eq(sb->nr_queues, 3);
	ck_assert_int_eq(sb->default_queue, 0);
	ck_assert_int_eq(sb->nr_commits, 0);
	finish();
}
END_TEST

START_TEST(a_new_task_is_committed_with_its_barriers)
{
	const struct sb_commit_record *c;
	uint64_t g;

	start("fifo_per_cpu", NULL, 4, 1, 3);
	g = sb_task_new(sb, 101, true);
	ck_assert(!sb->parked[1]);	/* its TASK_NEW woke the leader */
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 1), g);
	c = sb_last_commit(sb, 1);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->agent, 1);
	ck_assert_int_eq(CPU_COUNT(&c->cpus), 1);
	ck_assert_uint_eq(c->flags, 0);
	ck_assert_uint_eq(c->slots[1].target, g);
	ck_assert_uint_eq(c->slots[1].task_barrier, 1);	/* TASK_NEW's */
	ck_assert_int_eq(c->slots[1].state, GHOST_TXN_COMPLETE);
	ck_assert(sb->parked[1]);	/* the local commit parked it */
	ck_assert_uint_eq(nr_tasks(), 1);
	finish();
}
END_TEST

START_TEST(new_tasks_spread_over_idle_cpus)
{
	uint64_t g[3];

	start("fifo_per_cpu", NULL, 4, 1, 3);
	for (int i = 0; i < 3; i++)
		g[i] = sb_task_new(sb, 100 + i, true);
	sb_run(sb, rt, 200);
	for (int cpu = 1; cpu <= 3; cpu++)
		ck_assert_uint_eq(sb_running(sb, cpu), g[cpu - 1]);
	/* The leader bound the others to their CPUs' queues and woke them. */
	ck_assert_int_ge(sb->nr_assocs, 2);
	ck_assert_int_ge(sb->pings[2], 1);
	ck_assert_int_ge(sb->pings[3], 1);
	ck_assert_int_eq(sb->pings[1], 0);
	ck_assert_int_eq(sb_last_commit(sb, 3)->agent, 3);
	/* Their news now wakes the agent that runs them. */
	sb_task_block(sb, g[2]);
	ck_assert(!sb->parked[3]);
	ck_assert(sb->parked[1] && sb->parked[2]);
	finish();
}
END_TEST

static const int stale_outcomes[] = {
	GHOST_TXN_TARGET_STALE, GHOST_TXN_AGENT_STALE, GHOST_TXN_CPU_BUSY,
};

START_TEST(stale_commits_are_retried)
{
	uint64_t g;
	int first;

	start("fifo_per_cpu", NULL, 2, 1, 1);
	sb->forced[1] = stale_outcomes[_i];
	g = sb_task_new(sb, 7, true);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 1), g);
	first = find_commit(0, 1, g);
	ck_assert_int_ge(first, 0);
	ck_assert_int_eq(sb->commits[first].slots[1].state, stale_outcomes[_i]);
	ck_assert_int_ge(find_commit(first + 1, 1, g), 0);
	ck_assert_uint_eq(counter("handed_back"), 1);
	ck_assert_uint_eq(counter("commit_complete"), 1);
	finish();
}
END_TEST

START_TEST(a_busy_cpu_sends_its_task_elsewhere)
{
	uint64_t g;

	start("fifo_per_cpu", NULL, 4, 1, 3);
	g = sb_task_new(sb, 9, true);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 1), g);
	sb_cpu_busy(sb, 1);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 1), 0);
	ck_assert(sb_running(sb, 2) == g || sb_running(sb, 3) == g);
	ck_assert(sb->parked[1]);
	sb_cpu_available(sb, 1);
	sb_run(sb, rt, 100);
	ck_assert(sb->parked[1]);
	ck_assert_uint_eq(sb_running(sb, 1), 0);
	finish();
}
END_TEST

START_TEST(a_blocked_task_frees_its_cpu_for_the_next_in_line)
{
	uint64_t g[3];

	start("fifo_per_cpu", NULL, 2, 1, 1);
	for (int i = 0; i < 3; i++)
		g[i] = sb_task_new(sb, 10 + i, true);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 1), g[0]);
	sb_task_block(sb, g[0]);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 1), g[1]);
	sb_task_yield(sb, g[1]);	/* goes last, behind g[2] */
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 1), g[2]);
	sb_task_block(sb, g[2]);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 1), g[1]);
	finish();
}
END_TEST

START_TEST(an_idle_cpu_steals_waiting_work)
{
	uint64_t g[3];

	start("fifo_per_cpu", _i ? "{\"steal\": false}" : NULL, 3, 1, 2);
	for (int i = 0; i < 3; i++) {
		g[i] = sb_task_new(sb, 20 + i, true);
		sb_run(sb, rt, 100);
	}
	/* g[2] waits behind g[0] on CPU 1 (equal loads: the lower CPU). */
	ck_assert_uint_eq(sb_running(sb, 1), g[0]);
	ck_assert_uint_eq(sb_running(sb, 2), g[1]);
	sb_task_block(sb, g[1]);
	sb_run(sb, rt, 100);
	if (_i) {
		ck_assert_uint_eq(sb_running(sb, 2), 0);
	} else {
		ck_assert_uint_eq(sb_running(sb, 2), g[2]);
		ck_assert_int_eq(sb_last_commit(sb, 2)->agent, 2);
	}
	finish();
}
END_TEST

START_TEST(a_new_cpumask_moves_a_waiting_task)
{
	uint64_t g[3];
	cpu_set_t only2;

	start("fifo_per_cpu", "{\"steal\": false}", 3, 1, 2);
	for (int i = 0; i < 3; i++) {
		g[i] = sb_task_new(sb, 30 + i, true);
		sb_run(sb, rt, 100);
	}
	/* g[2] waits behind g[0] on CPU 1; then it may only use CPU 2. */
	ck_assert_uint_eq(sb_running(sb, 1), g[0]);
	ck_assert_uint_eq(sb_running(sb, 2), g[1]);
	CPU_ZERO(&only2);
	CPU_SET(2, &only2);
	sb_task_set_mask(sb, g[2], &only2);
	sb_run(sb, rt, 100);
	sb_task_block(sb, g[1]);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 2), g[2]);
	ck_assert_int_eq(sb->ran_on[(uint32_t)g[2] - 3][1], 0);
	finish();
}
END_TEST

START_TEST(the_global_agent_commits_every_free_cpu_at_once)
{
	uint64_t g[4];
	int before;

	start("fifo_centralized", NULL, 5, 1, 4);
	ck_assert_int_eq(sb->agent_on[1], 1);
	for (int cpu = 2; cpu <= 4; cpu++)
		ck_assert_int_eq(sb->agent_on[cpu], -1);
	before = sb->nr_commits;
	for (int i = 0; i < 4; i++)
		g[i] = sb_task_new(sb, 40 + i, true);
	sb_run(sb, rt, 3);
	ck_assert_int_eq(sb->nr_commits, before + 1);
	ck_assert_int_eq(CPU_COUNT(&sb->commits[before].cpus), 3);
	ck_assert_int_eq(sb->commits[before].agent, 1);
	ck_assert_uint_eq(sb->commits[before].flags, 0);
	for (int cpu = 2; cpu <= 4; cpu++)
		ck_assert_uint_eq(sb_running(sb, cpu), g[cpu - 2]);
	ck_assert_uint_eq(sb_running(sb, 1), 0);
	/* The fourth waits; the agent spins for it. */
	sb_run(sb, rt, 300);
	ck_assert(!sb->parked[1]);
	sb_task_block(sb, g[1]);
	sb_run(sb, rt, 3);
	ck_assert_uint_eq(sb_running(sb, 3), g[3]);
	finish();
}
END_TEST

static void start_gang(void)
{
	rt = fixture_start(&sb, TEST_POLICY_DIR, "gang", NULL, 4, 1, 3, 100);
}

START_TEST(a_sync_group_starts_together_or_not_at_all)
{
	uint64_t g[2];
	int first;

	start_gang();
	sb->forced[3] = GHOST_TXN_CPU_UNAVAIL;
	g[0] = sb_task_new(sb, 50, true);
	g[1] = sb_task_new(sb, 51, true);
	sb_run(sb, rt, 2);
	first = find_commit(0, 2, g[0]);
	ck_assert_int_ge(first, 0);
	ck_assert_uint_eq(sb->commits[first].flags, GHOST_COMMIT_F_SYNC_GROUP);
	ck_assert_int_eq(sb->commits[first].slots[2].state, GHOST_TXN_POISONED);
	ck_assert_int_eq(sb->commits[first].slots[3].state, GHOST_TXN_CPU_UNAVAIL);
	ck_assert_uint_eq(counter("handed_back"), 2);
	sb_run(sb, rt, 20);
	ck_assert(sb_running(sb, 2) && sb_running(sb, 3));
	ck_assert(sb_running(sb, 2) != sb_running(sb, 3));
	finish();
}
END_TEST

START_TEST(the_global_agent_moves_off_a_wanted_cpu)
{
	uint64_t g, h;

	start("fifo_centralized", NULL, 4, 1, 3);
	g = sb_task_new(sb, 60, true);
	sb_run(sb, rt, 5);
	ck_assert_uint_eq(sb_running(sb, 2), g);
	sb_cpu_busy(sb, 1);
	sb_run(sb, rt, 5);
	/* It preferred the idle CPU 3 to preempting g on CPU 2. */
	ck_assert_int_eq(sb->agent_cpu[1], 3);
	ck_assert_int_eq(sb->agent_on[1], -1);
	ck_assert_uint_eq(sb_running(sb, 2), g);
	ck_assert_uint_eq(counter("agent_moves"), 1);
	ck_assert_int_eq(rt_cpu_agent_state(rt, 3), RT_AGENT_RUNNING);
	/* CPU 1 is the higher class's, CPU 3 the agent's: h waits for 2. */
	h = sb_task_new(sb, 61, true);
	sb_run(sb, rt, 20);
	ck_assert_uint_eq(sb_running(sb, 1), 0);
	ck_assert_uint_eq(sb_running(sb, 3), 0);
	sb_task_block(sb, g);
	sb_run(sb, rt, 5);
	ck_assert_uint_eq(sb_running(sb, 2), h);
	/* Once CPU 1 is free again, tasks may run there. */
	sb_cpu_available(sb, 1);
	sb_task_wakeup(sb, g);
	sb_run(sb, rt, 5);
	ck_assert_uint_eq(sb_running(sb, 1), g);
	finish();
}
END_TEST

START_TEST(an_idle_global_agent_parks_until_news)
{
	uint64_t g;

	start("fifo_centralized", NULL, 3, 1, 2);
	sb_run(sb, rt, 1000);
	ck_assert(sb->parked[1]);
	g = sb_task_new(sb, 70, true);
	ck_assert(!sb->parked[1]);
	sb_run(sb, rt, 5);
	ck_assert_uint_eq(sb_running(sb, 2), g);
	finish();
}
END_TEST

START_TEST(dead_and_departed_tasks_leave_the_table)
{
	uint64_t g[3];

	start("fifo_per_cpu", NULL, 2, 1, 1);
	for (int i = 0; i < 3; i++)
		g[i] = sb_task_new(sb, 80 + i, true);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(nr_tasks(), 3);
	ck_assert_uint_eq(sb_running(sb, 1), g[0]);
	sb_task_exit(sb, g[0]);
	sb_task_depart(sb, g[1], GHOST_DEPART_REMOVED);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(nr_tasks(), 1);
	ck_assert_uint_eq(sb_running(sb, 1), g[2]);
	sb_task_exit(sb, g[2]);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(nr_tasks(), 0);
	ck_assert(sb->parked[1]);
	finish();
}
END_TEST

START_TEST(news_of_an_unannounced_task_adopts_it)
{
	uint64_t g;

	start("fifo_per_cpu", NULL, 3, 1, 2);
	g = sb_task_new(sb, 90, false);
	sb_queue_drop(sb, sb->default_queue, 1);	/* its TASK_NEW is lost */
	sb_task_wakeup(sb, g);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(counter("adopted"), 1);
	ck_assert_uint_eq(nr_tasks(), 1);
	ck_assert(sb_running(sb, 1) == g || sb_running(sb, 2) == g);
	finish();
}
END_TEST

START_TEST(news_of_a_dead_incarnation_spares_its_successor)
{
	uint64_t x, a, b;

	start("fifo_per_cpu", NULL, 3, 1, 2);
	x = sb_task_new(sb, 1, true);
	sb_run(sb, rt, 100);
	a = sb_task_new(sb, 2, true);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 2), a);	/* its news goes to CPU 2's queue */
	/* a dies; b takes its status word; b's TASK_NEW is read first. */
	sb_task_block(sb, a);
	sb_task_exit(sb, a);
	b = sb_task_new(sb, 3, true);
	ck_assert_uint_eq((uint32_t)b, (uint32_t)a);
	ck_assert_uint_gt(b, a);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(nr_tasks(), 2);
	ck_assert_uint_eq(counter("adopted"), 0);
	sb_task_block(sb, x);
	sb_run(sb, rt, 100);
	ck_assert(sb_running(sb, 1) == b || sb_running(sb, 2) == b);
	finish();
}
END_TEST

START_TEST(dropped_messages_lead_to_rediscovery)
{
	uint64_t g;

	start("fifo_per_cpu", NULL, 2, 1, 1);
	g = sb_task_new(sb, 95, true);
	sb_run(sb, rt, 100);
	sb_queue_flood(sb, sb->default_queue, 3);
	sb_task_set_nice(sb, g, 5);
	sb_run(sb, rt, 100);
	ck_assert_int_eq(sb->nr_discovers, 1);
	ck_assert_uint_eq(counter("queue_overflows"), 1);
	ck_assert_uint_eq(counter("discovers"), 1);
	ck_assert_uint_eq(nr_tasks(), 1);
	ck_assert_uint_eq(sb_running(sb, 1), g);
	finish();
}
END_TEST

START_TEST(a_preemption_lost_in_an_overflow_is_found_again)
{
	uint64_t g;

	start("fifo_per_cpu", NULL, 2, 1, 1);
	g = sb_task_new(sb, 96, true);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 1), g);
	/* Its TASK_PREEMPT is lost to a full queue; its CPU sees news later. */
	sb_task_preempt(sb, g, 0);
	sb_queue_drop(sb, sb->default_queue, 1);
	sb_queue_flood(sb, sb->default_queue, 1);
	sb_cpu_busy(sb, 1);
	sb_cpu_available(sb, 1);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(counter("discovers"), 1);
	ck_assert_uint_eq(sb_running(sb, 1), g);
	ck_assert_int_ge(sb->ran[(uint32_t)g - 2], 2);
	finish();
}
END_TEST

/*
 * A thread that entered the enclave while it ran under CFS is refused as
 * TARGET_ONCPU until it has stopped, and the kernel sends no message when
 * it stops: the runtime tries again rather than wait for news.
 */
static void commit_refused_while_entering(const char *plugin, int first_task_cpu)
{
	uint64_t g;

	start(plugin, NULL, 4, 1, 3);
	for (int cpu = first_task_cpu; cpu <= 3; cpu++)
		sb->forced[cpu] = GHOST_TXN_TARGET_ONCPU;
	g = sb_task_new(sb, 77, true);
	sb_run(sb, rt, 1000);
	ck_assert_uint_ge(counter("commit_target_oncpu"), 1);
	ck_assert(sb_running(sb, 1) == g || sb_running(sb, 2) == g ||
		  sb_running(sb, 3) == g);
	finish();
}

START_TEST(a_task_that_entered_running_is_committed_once_it_stops)
{
	commit_refused_while_entering("fifo_centralized", 2);
	commit_refused_while_entering("fifo_per_cpu", 1);
}
END_TEST

/*
 * More tasks enter at once than a queue of RT_QUEUE_SLOTS holds. The
 * default queue has room for the enclave's max_tasks, so none is dropped;
 * and when messages are dropped all the same (a flood), the runtime drains
 * its queue before it asks for every task again, so the announcements fit
 * and one discovery does: it does not discover into a full queue, which
 * overflowed again, forever.
 */
START_TEST(a_burst_beyond_a_queue_is_taken_in_without_a_discovery_loop)
{
	const int burst = 5000;
	uint64_t discovers;

	ck_assert_int_gt(burst, RT_QUEUE_SLOTS);
	ck_assert_int_le(burst, SB_MAX_TASKS);
	start("fifo_per_cpu", NULL, 4, 1, 3);
	ck_assert_uint_ge(sb_queue_capacity(sb, sb->default_queue),
			  SB_MAX_TASKS + RT_QUEUE_SLOTS);
	for (int i = 0; i < burst; i++)
		sb_task_new(sb, 1000 + i, false);
	sb_run(sb, rt, 100000);
	ck_assert_uint_eq(counter("queue_overflows"), 0);
	ck_assert_uint_eq(counter("discovers"), 0);
	ck_assert_uint_eq(nr_tasks(), burst);

	/* Messages dropped while thousands still wait to be read. */
	for (int i = 0; i < SB_MAX_TASKS; i++)
		if (sb->tasks[i].live)
			sb_task_wakeup(sb, sb->tasks[i].gtid);
	sb_queue_flood(sb, sb->default_queue, 1);
	ck_assert_int_gt(sb_queue_len(sb, sb->default_queue), RT_QUEUE_SLOTS);
	sb_run(sb, rt, 100000);
	discovers = counter("discovers");
	ck_assert_uint_eq(discovers, 1);
	ck_assert_uint_eq(counter("queue_overflows"), 1);
	ck_assert_int_eq(sb->nr_discovers, 1);
	ck_assert_uint_eq(nr_tasks(), burst);
	finish();
}
END_TEST

START_TEST(a_live_enclave_is_adopted_after_its_agents_died)
{
	uint64_t g[6];
	uint32_t announced;
	int running = 0;

	start("fifo_per_cpu", NULL, 4, 1, 3);
	for (int i = 0; i < 6; i++)
		g[i] = sb_task_new(sb, 200 + i, i < 5);
	sb_run(sb, rt, 300);
	/* The agent process dies with a commit half made and a thread lingering. */
	sb_kill_agents(sb);
	rt_destroy(rt);
	sb->txns[2].state = GHOST_TXN_READY;
	sb->attach_busy[2] = 3;

	ck_assert_msg(!rt_create(&rt, &sb->base, POLICY_DIR, "fifo_per_cpu", NULL,
				 why, sizeof(why)), "%s", why);
	ck_assert_int_eq(sb->txns[2].state, GHOST_TXN_IDLE);
	sb_run(sb, rt, 1000);
	ck_assert(rt_agents_settled(rt));
	ck_assert_int_eq(sb->agent_on[2], 2);
	ck_assert_int_eq(rt_adopt(rt, &announced), 0);
	ck_assert_uint_eq(announced, 6);
	ck_assert_int_eq(sb->nr_discovers, 1);
	sb_run(sb, rt, 1000);
	ck_assert_uint_eq(nr_tasks(), 6);
	for (int cpu = 1; cpu <= 3; cpu++)
		running += sb_running(sb, cpu) != 0;
	ck_assert_int_eq(running, 3);
	/* Everyone runs again, the sleeper too. */
	sb_task_wakeup(sb, g[5]);
	for (int round = 0; round < 10; round++) {
		for (int cpu = 1; cpu <= 3; cpu++)
			if (sb_running(sb, cpu))
				sb_task_block(sb, sb_running(sb, cpu));
		sb_run(sb, rt, 300);
	}
	for (int i = 0; i < 6; i++)
		ck_assert_int_ge(sb->ran[(uint32_t)g[i] - 4], 1);
	finish();
}
END_TEST

START_TEST(stopping_releases_every_agent)
{
	start("fifo_per_cpu", NULL, 4, 1, 3);
	rt_stop(rt);
	sb_wake_idle(sb);
	sb_run(sb, rt, 100);
	for (int cpu = 1; cpu <= 3; cpu++) {
		ck_assert_int_eq(sb->agent_on[cpu], -1);
		ck_assert_int_eq(sb->last_step[cpu], RT_STEP_EXIT);
	}
	finish();
}
END_TEST

START_TEST(counters_have_distinct_names)
{
	uint64_t value;

	start("fifo_per_cpu", NULL, 2, 1, 1);
	for (unsigned int i = 0; i < rt_nr_counters(); i++)
		for (unsigned int j = 0; j < i; j++)
			ck_assert_str_ne(rt_counter(rt, i, &value), rt_counter(rt, j, &value));
	finish();
}
END_TEST

static Suite *runtime_suite(void)
{
	Suite *s = suite_create("runtime");
	TCase *per_cpu = tcase_create("per_cpu");
	TCase *central = tcase_create("centralized");
	TCase *tasks = tcase_create("tasks");

	tcase_add_test(per_cpu, per_cpu_agents_take_their_cpus_and_park);
	tcase_add_test(per_cpu, a_new_task_is_committed_with_its_barriers);
	tcase_add_test(per_cpu, new_tasks_spread_over_idle_cpus);
	tcase_add_loop_test(per_cpu, stale_commits_are_retried, 0,
			    sizeof(stale_outcomes) / sizeof(stale_outcomes[0]));
	tcase_add_test(per_cpu, a_busy_cpu_sends_its_task_elsewhere);
	tcase_add_test(per_cpu, a_blocked_task_frees_its_cpu_for_the_next_in_line);
	tcase_add_loop_test(per_cpu, an_idle_cpu_steals_waiting_work, 0, 2);
	tcase_add_test(per_cpu, a_new_cpumask_moves_a_waiting_task);
	tcase_add_test(per_cpu, stopping_releases_every_agent);
	tcase_add_test(central, the_global_agent_commits_every_free_cpu_at_once);
	tcase_add_test(central, a_sync_group_starts_together_or_not_at_all);
	tcase_add_test(central, the_global_agent_moves_off_a_wanted_cpu);
	tcase_add_test(central, an_idle_global_agent_parks_until_news);
	tcase_add_test(tasks, dead_and_departed_tasks_leave_the_table);
	tcase_add_test(tasks, news_of_an_unannounced_task_adopts_it);
	tcase_add_test(tasks, news_of_a_dead_incarnation_spares_its_successor);
	tcase_add_test(tasks, dropped_messages_lead_to_rediscovery);
	tcase_add_test(tasks, a_preemption_lost_in_an_overflow_is_found_again);
	tcase_add_test(tasks, a_burst_beyond_a_queue_is_taken_in_without_a_discovery_loop);
	tcase_add_test(tasks, a_task_that_entered_running_is_committed_once_it_stops);
	tcase_add_test(tasks, a_live_enclave_is_adopted_after_its_agents_died);
	tcase_add_test(tasks, counters_have_distinct_names);
	suite_add_tcase(s, per_cpu);
	suite_add_tcase(s, central);
	suite_add_tcase(s, tasks);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(runtime_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
