// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: a hot swap hands every task to the new policy with what the
 * runtime knows of it (state, CPU, tid, nice value, runtime, cpumask),
 * after the new policy was loaded and initialised while the old one kept
 * running; a swap that cannot be prepared (init fails, bad parameters, no
 * such plugin) leaves the old policy running untouched. Switching
 * per_cpu -> centralized releases all agents but the global one and
 * points every queue at it; switching back reattaches an agent per CPU and
 * gives each its queue again; twenty switches under a changing load lose
 * no task. The blackout is reported and lasts until the last agent that
 * schedules under the new policy has its role, not the agents that only
 * let go; those that will schedule are woken once the others are quiet
 * (one without a CPU takes its CPU then, and lets go again if the change
 * fails); an agent already where its role needs it has the role at resume.
 * A task latched on the CPU where the new global agent spins, not yet run,
 * is taken off it and runs elsewhere. Changing the enclave's CPUs grows and shrinks the agents and
 * moves the tasks, and a change the kernel refuses changes nothing; a
 * change made while an agent is still taking its role from the one
 * before completes once it has. 1,000
 * tasks are handed over (the handover's host time is printed).
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/runtime.h"
#include "runtime_fixture.h"

/* What the recorder test policy records (tests/unit/test_policies/recorder.c). */
struct recorded_task {
	uint64_t gtid;
	int32_t tid;
	int state;
	int cpu;
	int nice;
	uint64_t runtime_ns;
	uint32_t allowed;
};

static char why[1024];
static struct scripted_backend *sb;
static struct runtime *rt;

static void start(const char *plugin, int nr_cpu_ids, int first, int last)
{
	rt = fixture_start(&sb, TEST_POLICY_DIR, plugin, NULL, nr_cpu_ids, first,
			   last, 1000);
}

static void finish(void)
{
	fixture_finish(&rt, &sb);
}

static void swap_to(const char *plugin, const char *params)
{
	json_t *p = params ? json_loads(params, 0, NULL) : NULL;

	ck_assert_msg(!rt_prepare_swap(rt, plugin, p, why, sizeof(why)), "%s", why);
	json_decref(p);
	ck_assert_msg(!sb_change(sb, rt, why, sizeof(why)), "%s", why);
	sb_run(sb, rt, 2000);
	ck_assert(rt_change_done(rt));
}

/* Prepare a swap to @plugin and quiesce the agents, as ghost-agent does. */
static void quiesce_toward(const char *plugin)
{
	ck_assert_msg(!rt_prepare_swap(rt, plugin, NULL, why, sizeof(why)), "%s", why);
	rt_quiesce(rt);
	ck_assert(rt_quiesced(rt));
}

/* A swap whose agents may not all have their roles yet when it returns. */
static void swap_to_anyway(const char *plugin)
{
	ck_assert_msg(!rt_prepare_swap(rt, plugin, NULL, why, sizeof(why)), "%s", why);
	ck_assert_msg(!sb_change(sb, rt, why, sizeof(why)), "%s", why);
	sb_run(sb, rt, 200);
}

static void status(struct rt_status *st)
{
	rt_status(rt, st);
}

/* A symbol of a loaded recorder plugin. */
static void *recorder(const char *plugin, const char *symbol)
{
	char path[512];
	void *handle, *sym;

	snprintf(path, sizeof(path), "%s/%s.so", TEST_POLICY_DIR, plugin);
	handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	ck_assert_msg(handle, "%s is not loaded", plugin);
	sym = dlsym(handle, symbol);
	dlclose(handle);
	return sym;
}

static int live_tasks(void)
{
	int n = 0;

	for (int i = 0; i < SB_MAX_TASKS; i++)
		n += sb->tasks[i].live;
	return n;
}

START_TEST(a_swap_hands_every_task_over_with_its_state)
{
	const struct recorded_task *rec;
	unsigned int *nr, *inits;
	struct rt_status st;
	uint64_t g[8];
	cpu_set_t mask;

	start("fifo_per_cpu", 4, 1, 3);
	for (int i = 0; i < 8; i++)
		g[i] = sb_task_new(sb, 100 + i, true);
	sb_run(sb, rt, 500);
	/* Three run, three wait, two sleep: one reniced, one repinned. */
	sb_task_block(sb, g[0]);
	sb_task_block(sb, g[1]);
	sb_run(sb, rt, 500);
	sb_task_set_nice(sb, g[0], 7);
	CPU_ZERO(&mask);
	CPU_SET(1, &mask);
	CPU_SET(2, &mask);
	sb_task_set_mask(sb, g[1], &mask);
	sb_run(sb, rt, 500);

	ck_assert_int_eq(rt_prepare_swap(rt, "recorder_per_cpu", NULL, why, sizeof(why)), 0);
	/* Loaded and initialised, not yet in charge. */
	nr = recorder("recorder_per_cpu", "recorder_nr_tasks");
	inits = recorder("recorder_per_cpu", "recorder_inits");
	ck_assert_uint_eq(*inits, 1);
	ck_assert_uint_eq(*nr, 0);
	status(&st);
	ck_assert_str_eq(st.plugin, "fifo_per_cpu");

	ck_assert_int_eq(sb_change(sb, rt, why, sizeof(why)), 0);
	ck_assert_uint_eq(*nr, 8);
	rec = recorder("recorder_per_cpu", "recorder_tasks");
	for (unsigned int i = 0; i < *nr; i++) {
		const struct sb_task *t = sb_task(sb, rec[i].gtid);
		int state = t->cpu >= 0 ? GHOST_TASK_ON_CPU :
			    t->runnable ? GHOST_TASK_RUNNABLE : GHOST_TASK_BLOCKED;

		ck_assert_ptr_nonnull(t);
		ck_assert_int_eq(rec[i].state, state);
		ck_assert_int_eq(rec[i].tid, t->tid);
		ck_assert_int_eq(rec[i].nice, t->nice);
		ck_assert_uint_eq(rec[i].runtime_ns, t->runtime_ns);
		if (t->cpu >= 0)
			ck_assert_int_eq(rec[i].cpu, t->cpu);
		ck_assert_uint_eq(rec[i].allowed, rec[i].gtid == g[1] ? 0x6 : 0xe);
	}
	ck_assert_int_eq(rec[0].state + rec[1].state >= 0, 1);
	status(&st);
	ck_assert_str_eq(st.plugin, "recorder_per_cpu");
	ck_assert_str_eq(st.last_swap.from, "fifo_per_cpu");
	ck_assert_str_eq(st.last_swap.to, "recorder_per_cpu");
	ck_assert_uint_gt(st.last_swap.blackout_ns, 0);
	ck_assert_uint_eq(st.nr_tasks, 8);
	ck_assert_int_eq(sb_everyone_runs_again(sb, rt, 1, 3), 0);
	finish();
}
END_TEST

START_TEST(a_swap_that_cannot_start_leaves_the_old_policy_alone)
{
	json_t *bad = json_loads("{\"time_slice_us\": \"x\"}", 0, NULL);
	struct rt_status st;
	uint64_t g;

	start("fifo_per_cpu", 4, 1, 3);
	g = sb_task_new(sb, 1, true);
	sb_run(sb, rt, 100);
	ck_assert_int_eq(rt_prepare_swap(rt, "init_fails", NULL, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "plugin \"init_fails\" failed to initialise: needs 64 CPUs, the enclave has 3");
	ck_assert_int_eq(rt_prepare_swap(rt, "fifo_centralized", bad, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "policy \"fifo_centralized\": parameter \"time_slice_us\" must be an integer in 0..1000000, got the string \"x\"");
	ck_assert_int_eq(rt_prepare_swap(rt, "missing_symbol", NULL, why, sizeof(why)), -1);
	ck_assert_int_eq(rt_commit(rt, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "no change was prepared");
	json_decref(bad);
	status(&st);
	ck_assert_str_eq(st.plugin, "fifo_per_cpu");
	ck_assert_str_eq(st.last_swap.to, "");
	/* It still schedules. */
	ck_assert_uint_eq(sb_running(sb, 1), g);
	sb_task_block(sb, g);
	g = sb_task_new(sb, 2, true);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 1), g);
	finish();
}
END_TEST

START_TEST(per_cpu_to_centralized_and_back)
{
	struct rt_status st;

	start("fifo_per_cpu", 4, 1, 3);
	for (int i = 0; i < 6; i++)
		sb_task_new(sb, 10 + i, true);
	sb_run(sb, rt, 500);

	swap_to("fifo_centralized", NULL);
	status(&st);
	ck_assert_int_eq(st.model, GHOST_MODEL_CENTRALIZED);
	ck_assert_int_eq(sb->agent_on[1], 1);
	ck_assert_int_eq(sb->agent_on[2], -1);
	ck_assert_int_eq(sb->agent_on[3], -1);
	for (int q = 0; q < sb->nr_queues; q++)
		ck_assert_int_eq(sb_queue_wakeup(sb, q), 1);
	ck_assert_uint_eq(sb_running(sb, 1), 0);
	ck_assert(sb_running(sb, 2) && sb_running(sb, 3));
	ck_assert_int_eq(live_tasks(), 6);
	ck_assert_uint_eq(st.nr_tasks, 6);
	ck_assert_int_eq(sb_everyone_runs_again(sb, rt, 1, 3), 0);

	swap_to("fifo_per_cpu", NULL);
	status(&st);
	ck_assert_int_eq(st.model, GHOST_MODEL_PER_CPU);
	for (int cpu = 1; cpu <= 3; cpu++) {
		ck_assert_int_eq(sb->agent_on[cpu], cpu);
		ck_assert_int_eq(sb_queue_wakeup(sb, cpu - 1), cpu);
	}
	ck_assert_uint_eq(st.nr_tasks, 6);
	ck_assert_int_eq(sb_everyone_runs_again(sb, rt, 1, 3), 0);
	finish();
}
END_TEST

START_TEST(the_blackout_lasts_until_every_agent_that_schedules_has_its_role)
{
	struct rt_status st;

	start("fifo_centralized", 4, 1, 3);
	sb_task_new(sb, 1, true);
	sb_run(sb, rt, 100);
	ck_assert_int_eq(rt_prepare_swap(rt, "fifo_per_cpu", NULL, why, sizeof(why)), 0);
	ck_assert_int_eq(sb_change(sb, rt, why, sizeof(why)), 0);
	ck_assert(!rt_change_done(rt));
	sb_run(sb, rt, 1000);
	ck_assert(rt_change_done(rt));
	status(&st);
	/* sb_change spent 100 us quiesced; CPUs 2 and 3 got agents later. */
	ck_assert_uint_gt(st.last_swap.blackout_ns, 100000);
	finish();
}
END_TEST

START_TEST(an_agent_that_only_lets_go_of_its_cpu_is_not_waited_for)
{
	struct rt_status st;

	start("fifo_per_cpu", 4, 1, 3);
	sb_task_new(sb, 1, true);
	sb_run(sb, rt, 100);
	ck_assert_int_eq(rt_prepare_swap(rt, "fifo_centralized", NULL, why, sizeof(why)), 0);
	ck_assert_int_eq(sb_change(sb, rt, why, sizeof(why)), 0);
	sb_run(sb, rt, 1000);
	ck_assert(rt_change_done(rt));
	ck_assert_int_lt(sb->agent_cpu[2], 0);
	ck_assert_int_lt(sb->agent_cpu[3], 0);
	status(&st);
	/*
	 * The global agent took its role in the first step after the 100 us
	 * quiesced; the agents of CPUs 2 and 3 let go in the two steps (10 us
	 * each) after it, which the blackout does not include.
	 */
	ck_assert_uint_lt(st.last_swap.blackout_ns, 100000 + 2 * 10000);
	finish();
}
END_TEST

START_TEST(the_agents_that_will_schedule_are_woken_once_the_others_are_quiet)
{
	start("fifo_per_cpu", 4, 1, 3);
	sb_task_new(sb, 1, true);
	sb_run(sb, rt, 100);
	for (int a = 1; a <= 3; a++)
		ck_assert(sb->parked[a]);
	quiesce_toward("fifo_centralized");
	/* The global agent-to-be has a CPU: woken there, not in the driver. */
	ck_assert(!rt_summon(rt));
	ck_assert(!sb->parked[1]);
	ck_assert(sb->parked[2] && sb->parked[3]);
	/* It steps again and again without parking, and counts as quiet. */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(rt_agent_step(rt, 1), RT_STEP_AGAIN);
	ck_assert(!sb->parked[1]);
	ck_assert(rt_quiesced(rt));
	ck_assert_int_eq(rt_commit(rt, why, sizeof(why)), 0);
	rt_resume(rt);
	sb_run(sb, rt, 1000);
	ck_assert(rt_change_done(rt));
	ck_assert_int_eq(sb_everyone_runs_again(sb, rt, 1, 3), 0);
	finish();
}
END_TEST

START_TEST(an_agent_summoned_without_a_cpu_takes_it_early_and_lets_go_if_the_change_fails)
{
	start("fifo_centralized", 4, 1, 3);
	sb_task_new(sb, 1, true);
	sb_run(sb, rt, 100);
	ck_assert_int_lt(sb->agent_cpu[2], 0);
	quiesce_toward("fifo_per_cpu");
	/* Agents 2 and 3 wait in the driver: it must wake them. */
	ck_assert(rt_summon(rt));
	ck_assert_int_eq(rt_agent_step(rt, 2), RT_STEP_AGAIN);
	ck_assert_int_eq(sb->agent_cpu[2], 2);
	ck_assert(rt_quiesced(rt));
	/* The change is dropped (as when others never get quiet). */
	rt_abort(rt);
	rt_resume(rt);
	sb_wake_idle(sb);
	sb_run(sb, rt, 1000);
	ck_assert_int_lt(sb->agent_cpu[2], 0);
	ck_assert_int_lt(sb->agent_cpu[3], 0);
	ck_assert_int_eq(sb_everyone_runs_again(sb, rt, 1, 3), 0);
	finish();
}
END_TEST

START_TEST(agents_on_their_cpus_at_resume_have_their_roles_then)
{
	struct rt_status st;

	start("fifo_centralized", 4, 1, 3);
	for (int i = 0; i < 6; i++)
		sb_task_new(sb, 1 + i, true);
	sb_run(sb, rt, 100);
	quiesce_toward("fifo_per_cpu");
	ck_assert(rt_summon(rt));
	sb_wake_idle(sb);
	for (int a = 2; a <= 3; a++) {
		rt_agent_step(rt, a);
		ck_assert_int_eq(sb->agent_cpu[a], a);
	}
	ck_assert_int_eq(rt_commit(rt, why, sizeof(why)), 0);
	sb->now += 100000;
	rt_resume(rt);
	/* No agent has stepped since: their queues wake them where they are. */
	ck_assert(rt_change_done(rt));
	for (int q = 1; q <= 3; q++)
		ck_assert_int_eq(sb_queue_wakeup(sb, sb->queue_of_agent_cpu[q]), q);
	status(&st);
	ck_assert_uint_eq(st.last_swap.blackout_ns, 100000);
	ck_assert_int_eq(sb_everyone_runs_again(sb, rt, 1, 3), 0);
	finish();
}
END_TEST

START_TEST(a_task_latched_on_the_new_global_agents_cpu_is_taken_off_it)
{
	uint64_t gtid;

	start("fifo_per_cpu", 4, 1, 3);
	gtid = sb_task_new(sb, 1, true);
	sb_run(sb, rt, 100);
	ck_assert_uint_eq(sb_running(sb, 1), gtid);
	/* Agent 1's last local commit latched it; it has not run yet. */
	sb->latched_only[1] = true;
	swap_to("fifo_centralized", NULL);
	sb_run(sb, rt, 1000);
	/* The global agent spins on CPU 1: the task runs elsewhere. */
	ck_assert_uint_ne(sb_running(sb, 1), gtid);
	ck_assert_int_ge(sb_task(sb, gtid)->cpu, 2);
	finish();
}
END_TEST

/* A small deterministic PRNG, so that a failure replays. */
static uint32_t prng = 12345;
/* Thread ids are unique among live threads, as the kernel's are. */
static int32_t next_tid = 2000;

static uint32_t next_random(void)
{
	prng = prng * 1103515245 + 12345;
	return prng >> 8;
}

/* One random thing happens to one random task. */
static void perturb(void)
{
	struct sb_task *t = &sb->tasks[next_random() % 24];

	if (!t->live) {
		if (next_random() % 2)
			sb_task_new(sb, next_tid++, next_random() % 2);
		return;
	}
	switch (next_random() % 5) {
	case 0:
		if (t->cpu >= 0)
			sb_task_block(sb, t->gtid);
		else if (!t->runnable)
			sb_task_wakeup(sb, t->gtid);
		break;
	case 1:
		if (t->cpu >= 0)
			sb_task_yield(sb, t->gtid);
		break;
	case 2:
		if (!t->runnable)
			sb_task_wakeup(sb, t->gtid);
		break;
	case 3:
		if (next_random() % 8 == 0)
			sb_task_exit(sb, t->gtid);
		break;
	case 4:
		sb_task_set_nice(sb, t->gtid, (int)(next_random() % 40) - 20);
		break;
	}
}

START_TEST(twenty_switches_under_load_lose_nothing)
{
	struct rt_status st;

	start("fifo_per_cpu", 5, 1, 4);
	for (int i = 0; i < 16; i++)
		sb_task_new(sb, 1000 + i, true);
	sb_run(sb, rt, 500);
	for (int n = 0; n < 20; n++) {
		for (int e = 0; e < 30; e++) {
			perturb();
			sb_run(sb, rt, 50);
		}
		swap_to(n % 2 ? "fifo_per_cpu" : "fifo_centralized",
			n % 4 == 2 ? "{\"time_slice_us\": 50}" : NULL);
		status(&st);
		ck_assert_int_eq(st.nr_tasks, live_tasks());
	}
	ck_assert_int_eq(sb_everyone_runs_again(sb, rt, 1, 4), 0);
	finish();
}
END_TEST

static void change_cpus(const char *list_of_cpus, int expect)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (const char *c = list_of_cpus; *c; c++)
		CPU_SET(*c - '0', &set);
	ck_assert_int_eq(rt_prepare_cpus(rt, &set, why, sizeof(why)), 0);
	ck_assert_int_eq(sb_change(sb, rt, why, sizeof(why)), expect);
	sb_wake_idle(sb);
	sb_run(sb, rt, 2000);
}

START_TEST(the_enclave_grows_and_shrinks)
{
	struct rt_status st;
	cpu_set_t none, far;

	start("fifo_per_cpu", 4, 1, 2);
	for (int i = 0; i < 4; i++)
		sb_task_new(sb, 20 + i, true);
	sb_run(sb, rt, 500);
	ck_assert(!rt_agent_wanted(rt, 3));

	change_cpus("123", 0);
	ck_assert(rt_agent_wanted(rt, 3));
	ck_assert_int_eq(sb->nr_set_cpus, 1);
	ck_assert_int_eq(sb->agent_on[3], 3);
	ck_assert(sb_running(sb, 1) && sb_running(sb, 2) && sb_running(sb, 3));
	status(&st);
	ck_assert_int_eq(CPU_COUNT(&st.cpus), 3);

	change_cpus("1", 0);
	ck_assert_int_eq(sb->agent_on[2], -1);
	ck_assert_int_eq(sb->agent_on[3], -1);
	ck_assert_uint_eq(sb_running(sb, 2), 0);
	ck_assert_uint_eq(sb_running(sb, 3), 0);
	ck_assert_int_eq(sb_everyone_runs_again(sb, rt, 1, 1), 0);

	/* The kernel refuses: nothing changes. */
	sb->set_cpus_error = EBUSY;
	change_cpus("12", -1);
	ck_assert_str_eq(why, "the kernel refused CPUs 1-2: Device or resource busy");
	status(&st);
	ck_assert_int_eq(CPU_COUNT(&st.cpus), 1);
	ck_assert_str_eq(st.plugin, "fifo_per_cpu");
	sb->set_cpus_error = 0;
	ck_assert_int_eq(sb_everyone_runs_again(sb, rt, 1, 1), 0);

	CPU_ZERO(&none);
	ck_assert_int_eq(rt_prepare_cpus(rt, &none, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "an enclave needs at least one CPU");
	CPU_ZERO(&far);
	CPU_SET(9, &far);
	ck_assert_int_eq(rt_prepare_cpus(rt, &far, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "CPU 9 is beyond the 4 CPUs of this machine");
	finish();
}
END_TEST

START_TEST(a_change_while_an_agent_is_still_arriving_completes)
{
	start("fifo_per_cpu", 4, 1, 2);
	/* CPU 3's agent will find a dying agent there for a while. */
	sb->attach_busy[3] = 1000000;
	change_cpus("123", 0);
	ck_assert(!rt_change_done(rt));
	/* Another change comes meanwhile; then the dying agent goes. */
	swap_to_anyway("fifo_centralized");
	sb->attach_busy[3] = 0;
	swap_to("fifo_per_cpu", NULL);
	ck_assert(rt_change_done(rt));
	ck_assert_int_eq(sb->agent_on[3], 3);
	finish();
}
END_TEST

START_TEST(a_thousand_tasks_are_handed_over)
{
	struct timespec t0, t1;
	unsigned int *nr;
	long us;

	start("fifo_per_cpu", 4, 1, 3);
	for (int i = 0; i < 1000; i++)
		sb_task_new(sb, 5000 + i, true);
	sb_run(sb, rt, 5000);
	ck_assert_int_eq(rt_prepare_swap(rt, "recorder_centralized", NULL, why, sizeof(why)), 0);
	rt_quiesce(rt);
	ck_assert(rt_quiesced(rt));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(rt_commit(rt, why, sizeof(why)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rt_resume(rt);
	sb_wake_idle(sb);
	nr = recorder("recorder_centralized", "recorder_nr_tasks");
	ck_assert_uint_eq(*nr, 1000);
	us = (t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
	printf("handover of 1000 tasks: %ld us of host time\n", us);
	ck_assert_int_lt(us, 100000);
	sb_run(sb, rt, 2000);
	ck_assert(rt_change_done(rt));
	finish();
}
END_TEST

static Suite *swap_suite(void)
{
	Suite *s = suite_create("swap");
	TCase *policy = tcase_create("policy");
	TCase *cpus = tcase_create("cpus");

	tcase_add_test(policy, a_swap_hands_every_task_over_with_its_state);
	tcase_add_test(policy, a_swap_that_cannot_start_leaves_the_old_policy_alone);
	tcase_add_test(policy, per_cpu_to_centralized_and_back);
	tcase_add_test(policy, the_blackout_lasts_until_every_agent_that_schedules_has_its_role);
	tcase_add_test(policy, an_agent_that_only_lets_go_of_its_cpu_is_not_waited_for);
	tcase_add_test(policy, the_agents_that_will_schedule_are_woken_once_the_others_are_quiet);
	tcase_add_test(policy, an_agent_summoned_without_a_cpu_takes_it_early_and_lets_go_if_the_change_fails);
	tcase_add_test(policy, agents_on_their_cpus_at_resume_have_their_roles_then);
	tcase_add_test(policy, a_task_latched_on_the_new_global_agents_cpu_is_taken_off_it);
	tcase_add_test(policy, twenty_switches_under_load_lose_nothing);
	tcase_add_test(policy, a_thousand_tasks_are_handed_over);
	tcase_add_test(cpus, the_enclave_grows_and_shrinks);
	tcase_add_test(cpus, a_change_while_an_agent_is_still_arriving_completes);
	tcase_set_timeout(policy, 30);
	suite_add_tcase(s, policy);
	suite_add_tcase(s, cpus);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(swap_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
