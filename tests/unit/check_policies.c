// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: the shipped policies, run by the runtime over the scripted
 * backend, do what they promise, and so does tutorial_fifo (the example
 * of docs/writing-a-policy.md) wherever fifo_per_cpu is tested.
 * fifo_per_cpu spreads CPU-bound threads
 * one per CPU and queues a burst evenly, and a CPU a higher class gave
 * back steals the work waiting elsewhere. fifo_centralized runs tasks in
 * the order they became runnable, gives a preempted task its turn back
 * first, never runs a task on its agent's CPU, and with time_slice_us
 * takes turns round robin (without it, the running task keeps its CPU).
 * Under a seeded random load of entries, exits, sleeps, wakeups, yields,
 * nice and cpumask changes and CPUs taken by higher classes, all keep the
 * task table in step with the kernel, make no decision the runtime has to
 * refuse, leave no available CPU idle while a task that may use it waits,
 * and in the end run every task again.
 */
#include <check.h>
#include <stdlib.h>

#include "runtime/runtime.h"
#include "runtime_fixture.h"

static struct scripted_backend *sb;
static struct runtime *rt;

static void start(const char *plugin, const char *params, int nr_cpu_ids,
		  int first, int last)
{
	rt = fixture_start(&sb, POLICY_DIR, plugin, params, nr_cpu_ids, first,
			   last, 1000);
}

static void finish(void)
{
	fixture_finish(&rt, &sb);
}

static uint64_t counter(const char *name)
{
	return fixture_counter(rt, name);
}

/* The per-CPU FIFOs: the shipped one and the tutorial's. */
static const char *const per_cpu_plugins[] = { "fifo_per_cpu", "tutorial_fifo" };

START_TEST(per_cpu_spreads_busy_threads_one_per_cpu)
{
	uint64_t g[8];
	cpu_set_t seen;

	start(per_cpu_plugins[_i], NULL, 5, 1, 4);
	for (int i = 0; i < 8; i++)
		g[i] = sb_task_new(sb, 10 + i, true);
	sb_run(sb, rt, 1000);
	CPU_ZERO(&seen);
	for (int cpu = 1; cpu <= 4; cpu++) {
		ck_assert_uint_ne(sb_running(sb, cpu), 0);
		CPU_SET(cpu, &seen);
	}
	/* The burst queued evenly: every CPU has one more to run. */
	for (int cpu = 1; cpu <= 4; cpu++)
		sb_task_block(sb, sb_running(sb, cpu));
	sb_run(sb, rt, 1000);
	for (int cpu = 1; cpu <= 4; cpu++)
		ck_assert_uint_ne(sb_running(sb, cpu), 0);
	(void)g;
	finish();
}
END_TEST

START_TEST(per_cpu_a_cpu_given_back_steals_waiting_work)
{
	start(per_cpu_plugins[_i], NULL, 3, 1, 2);
	sb_cpu_busy(sb, 2);
	for (int i = 0; i < 3; i++)
		sb_task_new(sb, 20 + i, true);
	sb_run(sb, rt, 1000);
	ck_assert_uint_ne(sb_running(sb, 1), 0);
	ck_assert_uint_eq(sb_running(sb, 2), 0);
	sb_cpu_available(sb, 2);
	sb_run(sb, rt, 1000);
	ck_assert_uint_ne(sb_running(sb, 2), 0);
	ck_assert_uint_eq(counter("policy_errors"), 0);
	finish();
}
END_TEST

/* Block whatever runs on @cpu @n times; return the tids in order. */
static void run_order(int cpu, int n, int32_t *tids)
{
	for (int i = 0; i < n; i++) {
		uint64_t g;

		sb_run(sb, rt, 100);
		g = sb_running(sb, cpu);
		ck_assert_uint_ne(g, 0);
		tids[i] = sb_task(sb, g)->tid;
		sb_task_block(sb, g);
	}
}

START_TEST(centralized_runs_tasks_in_arrival_order)
{
	int32_t order[5];

	start("fifo_centralized", NULL, 3, 1, 2);
	for (int i = 0; i < 5; i++)
		sb_task_new(sb, 30 + i, true);
	run_order(2, 5, order);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(order[i], 30 + i);
	ck_assert_uint_eq(sb_running(sb, 1), 0);
	finish();
}
END_TEST

START_TEST(centralized_gives_a_preempted_task_its_turn_back)
{
	uint64_t first, second;

	start("fifo_centralized", NULL, 3, 1, 2);
	first = sb_task_new(sb, 40, true);
	second = sb_task_new(sb, 41, true);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 2), first);
	sb_cpu_busy(sb, 2);
	sb_run(sb, rt, 100);
	sb_cpu_available(sb, 2);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 2), first);
	sb_task_block(sb, first);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 2), second);
	finish();
}
END_TEST

START_TEST(centralized_time_slices_take_turns)
{
	uint64_t g[2];
	int switches = 0;
	uint64_t last;

	start("fifo_centralized", _i ? NULL : "{\"time_slice_us\": 100}", 3, 1, 2);
	g[0] = sb_task_new(sb, 50, true);
	g[1] = sb_task_new(sb, 51, true);
	sb_run(sb, rt, 5);
	last = sb_running(sb, 2);
	ck_assert_uint_eq(last, g[0]);
	/* 2,000 steps of 10 us of simulated time: 20 ms. */
	for (int i = 0; i < 2000; i++) {
		sb_run(sb, rt, 1);
		if (sb_running(sb, 2) != last) {
			switches++;
			last = sb_running(sb, 2);
		}
	}
	if (_i) {
		ck_assert_int_eq(switches, 0);
	} else {
		ck_assert_int_ge(switches, 100);
		ck_assert_int_ge(sb->ran[(uint32_t)g[0] - 3], 50);
		ck_assert_int_ge(sb->ran[(uint32_t)g[1] - 3], 50);
	}
	finish();
}
END_TEST

/* A small deterministic PRNG, so that a failure replays. */
static uint32_t prng;
/* Thread ids are unique among live threads, as the kernel's are. */
static int32_t next_tid = 100;

static uint32_t next_random(void)
{
	prng = prng * 1103515245 + 12345;
	return prng >> 8;
}

#define RANDOM_TASKS	24
#define FIRST_CPU	1
#define LAST_CPU	4

static void random_mask(cpu_set_t *mask)
{
	CPU_ZERO(mask);
	while (!CPU_COUNT(mask))
		for (int cpu = FIRST_CPU; cpu <= LAST_CPU; cpu++)
			if (next_random() % 2)
				CPU_SET(cpu, mask);
}

static void random_event(void)
{
	struct sb_task *t = &sb->tasks[next_random() % RANDOM_TASKS];
	int cpu = FIRST_CPU + next_random() % (LAST_CPU - FIRST_CPU + 1);
	cpu_set_t mask;

	if (!t->live) {
		sb_task_new(sb, next_tid++, next_random() % 2);
		return;
	}
	switch (next_random() % 8) {
	case 0:
		if (t->cpu >= 0)
			sb_task_block(sb, t->gtid);
		break;
	case 1:
		if (t->cpu >= 0)
			sb_task_yield(sb, t->gtid);
		break;
	case 2:
	case 3:
		if (!t->runnable)
			sb_task_wakeup(sb, t->gtid);
		break;
	case 4:
		if (next_random() % 6 == 0)
			sb_task_exit(sb, t->gtid);
		break;
	case 5:
		sb_task_set_nice(sb, t->gtid, (int)(next_random() % 40) - 20);
		break;
	case 6:
		random_mask(&mask);
		sb_task_set_mask(sb, t->gtid, &mask);
		break;
	case 7:
		if (sb->status && next_random() % 3 == 0) {
			const struct ghost_status_word *w =
				(const void *)((const char *)sb->status +
					       sizeof(*sb->status) +
					       cpu * sizeof(struct ghost_status_word));

			if (w->flags & GHOST_SW_CPU_AVAIL)
				sb_cpu_busy(sb, cpu);
			else
				sb_cpu_available(sb, cpu);
		}
		break;
	}
}

static bool cpu_available(int cpu)
{
	const struct ghost_status_word *w =
		(const void *)((const char *)sb->status + sizeof(*sb->status) +
			       cpu * sizeof(struct ghost_status_word));

	return w->flags & GHOST_SW_CPU_AVAIL;
}

/* No available CPU is idle while a task that may run there waits. */
static void check_work_conserving(void)
{
	for (int i = 0; i < SB_MAX_TASKS; i++) {
		const struct sb_task *t = &sb->tasks[i];

		if (!t->live || !t->runnable || t->cpu >= 0)
			continue;
		for (int cpu = FIRST_CPU; cpu <= LAST_CPU; cpu++) {
			bool agents_cpu = sb->agent_on[cpu] >= 0 &&
					  sb->agent_cpu[sb->agent_on[cpu]] == cpu &&
					  !sb->parked[sb->agent_on[cpu]];

			ck_assert_msg(!CPU_ISSET(cpu, &t->mask) || !cpu_available(cpu) ||
				      sb_running(sb, cpu) || agents_cpu,
				      "task %d waits while CPU %d idles", t->tid, cpu);
		}
	}
}

/*
 * Once every message is read, the task table agrees with the kernel. (An
 * agent may leave messages unread: the global agent parks at once when a
 * higher class wants its CPU and no other is free.)
 */
static void check_in_step(void)
{
	struct rt_status st;
	int live = 0, unread = 0;

	for (int i = 0; i < SB_MAX_TASKS; i++)
		live += sb->tasks[i].live;
	for (int q = 0; q < sb->nr_queues; q++)
		unread += sb_queue_len(sb, q);
	rt_status(rt, &st);
	if (!unread)
		ck_assert_int_eq(st.nr_tasks, live);
	ck_assert_uint_eq(counter("policy_errors"), 0);
	ck_assert_uint_eq(counter("backend_errors"), 0);
}

START_TEST(random_load_loses_nothing)
{
	static const char *const plugins[] = {
		"fifo_per_cpu", "fifo_centralized", "tutorial_fifo",
	};
	cpu_set_t all;

	prng = 20261201;
	start(plugins[_i], NULL, LAST_CPU + 1, FIRST_CPU, LAST_CPU);
	for (int i = 0; i < 3000; i++) {
		random_event();
		sb_run(sb, rt, 400);
		check_in_step();
		check_work_conserving();
	}
	/* All CPUs back, every mask whole: every task must run again. */
	CPU_ZERO(&all);
	for (int cpu = FIRST_CPU; cpu <= LAST_CPU; cpu++) {
		CPU_SET(cpu, &all);
		if (!cpu_available(cpu))
			sb_cpu_available(sb, cpu);
	}
	for (int i = 0; i < SB_MAX_TASKS; i++)
		if (sb->tasks[i].live)
			sb_task_set_mask(sb, sb->tasks[i].gtid, &all);
	ck_assert_int_eq(sb_everyone_runs_again(sb, rt, FIRST_CPU, LAST_CPU), 0);
	check_in_step();
	finish();
}
END_TEST

static Suite *policies_suite(void)
{
	Suite *s = suite_create("policies");
	TCase *per_cpu = tcase_create("fifo_per_cpu");
	TCase *central = tcase_create("fifo_centralized");
	TCase *random = tcase_create("random load");

	tcase_add_loop_test(per_cpu, per_cpu_spreads_busy_threads_one_per_cpu, 0, 2);
	tcase_add_loop_test(per_cpu, per_cpu_a_cpu_given_back_steals_waiting_work, 0, 2);
	tcase_add_test(central, centralized_runs_tasks_in_arrival_order);
	tcase_add_test(central, centralized_gives_a_preempted_task_its_turn_back);
	tcase_add_loop_test(central, centralized_time_slices_take_turns, 0, 2);
	tcase_add_loop_test(random, random_load_loses_nothing, 0, 3);
	tcase_set_timeout(random, 30);
	suite_add_tcase(s, per_cpu);
	suite_add_tcase(s, central);
	suite_add_tcase(s, random);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policies_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
