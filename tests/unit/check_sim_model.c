// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: ghost-sim's simulated kernel answers as ghost.ko does. Each
 * commit outcome arises where the module's checks (txn.c) produce it, in
 * the module's order: COMPLETE, TARGET_STALE, AGENT_STALE, TARGET_ONCPU,
 * TARGET_NOT_RUNNABLE, TARGET_NOT_FOUND, TARGET_NOT_ALLOWED,
 * TARGET_LATCHED (latched elsewhere, or named twice in one commit),
 * CPU_UNAVAIL, CPU_BUSY, NO_AGENT, INVALID_CPU, INVALID_FLAGS, POISONED
 * (a sync group is all or nothing) and EBUSY for a slot not READY.
 * Messages of a task carry its barrier, one more per event, and arrive in
 * order; CPU messages and wakeups move the CPU's barrier, so a park or a
 * local commit naming an old one fails; a latch displaced, a higher class
 * taking a CPU and an agent arriving each say so as the module does.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "sim/kernel.h"

static struct machine m;
static struct event_queue events;
static struct metrics metrics;
static struct sim_kernel sk;
static struct sk_queue *q;

static void setup(void)
{
	char why[256];

	ck_assert_msg(!machine_parse("test", "{\"cores_per_socket\": 4, \"enclave\": \"1-3\"}",
				     &m, why, sizeof(why)), "%s", why);
	event_queue_init(&events);
	metrics_init(&metrics, 1, false);
	sk_init(&sk, &m, 64, &events, &metrics);
	q = sk_queue_create(&sk, -1, 256);
	ck_assert_int_eq(sk_agent_attach(&sk, 1, 1, q), 0);
}

static void teardown(void)
{
	sk_fini(&sk);
	metrics_fini(&metrics);
	event_queue_fini(&events);
}

static struct sk_task *task(const char *cpus)
{
	cpu_set_t mask;

	CPU_ZERO(&mask);
	for (const char *c = cpus; *c; c++)
		CPU_SET(*c - '0', &mask);
	return sk_task_enter(&sk, &mask, 0, 1000000);
}

static void drain(void)
{
	struct ghost_msg msg;

	while (sk_queue_pop(q, &msg))
		;
}

static void fill(int cpu, uint64_t target, uint32_t task_barrier, uint32_t flags)
{
	sk.txns[cpu] = (struct ghost_txn){
		.target = target,
		.task_barrier = task_barrier,
		.agent_barrier = sk_word(&sk, cpu)->barrier,
		.run_flags = flags,
		.state = GHOST_TXN_READY,
	};
}

static uint32_t barrier(const struct sk_task *t)
{
	return sk_task_word(&sk, t)->barrier;
}

/* Commit @t on remote CPU @cpu by agent 1 (on CPU 1); its slot's outcome. */
static int commit_one(int cpu, struct sk_task *t)
{
	cpu_set_t set;

	fill(cpu, t->gtid, barrier(t), 0);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ck_assert_int_eq(sk_commit(&sk, 1, &set, 0), 0);
	return sk.txns[cpu].state;
}

/* Run the events due by @until (the latched task switching in). */
static void run_until(uint64_t until)
{
	struct event e;

	while (event_peek_time(&events) <= until && event_pop(&events, &e)) {
		sk.now = e.time;
		if (e.type == EV_CPU_SWITCH)
			sk_cpu_switch(&sk, e.target, e.gen);
	}
	sk.now = until;
}

START_TEST(complete_latches_then_runs)
{
	struct sk_task *t = task("123");

	ck_assert_int_eq(commit_one(2, t), GHOST_TXN_COMPLETE);
	ck_assert_int_eq(t->latched_cpu, 2);
	ck_assert(sk_task_word(&sk, t)->flags & GHOST_SW_TASK_LATCHED);
	run_until(1000000);
	ck_assert_ptr_eq(sk.cpus[2].running, t);
	ck_assert(sk_task_word(&sk, t)->flags & GHOST_SW_TASK_ONCPU);
	ck_assert_uint_eq(sk_word(&sk, 2)->gtid, t->gtid);
}
END_TEST

START_TEST(stale_task_barrier)
{
	struct sk_task *t = task("123");
	cpu_set_t set;

	fill(2, t->gtid, barrier(t) - 1, 0);
	CPU_ZERO(&set);
	CPU_SET(2, &set);
	sk_commit(&sk, 1, &set, 0);
	ck_assert_int_eq(sk.txns[2].state, GHOST_TXN_TARGET_STALE);
	ck_assert_int_eq(t->latched_cpu, -1);
}
END_TEST

START_TEST(stale_agent_barrier_local_only)
{
	struct sk_task *t = task("123");
	cpu_set_t set;

	/* News for the agent after it read its barrier. */
	fill(1, t->gtid, barrier(t), 0);
	sk_send_cpu(&sk, 1, GHOST_MSG_CPU_TICK, 0);
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	sk_commit(&sk, 1, &set, 0);
	ck_assert_int_eq(sk.txns[1].state, GHOST_TXN_AGENT_STALE);
	/* A remote commit does not check agent barriers. */
	fill(2, t->gtid, barrier(t), 0);
	sk.txns[2].agent_barrier = 12345;
	CPU_ZERO(&set);
	CPU_SET(2, &set);
	sk_commit(&sk, 1, &set, 0);
	ck_assert_int_eq(sk.txns[2].state, GHOST_TXN_COMPLETE);
}
END_TEST

START_TEST(target_states)
{
	struct sk_task *running = task("123"), *blocked = task("123");
	struct sk_task *pinned = task("3"), *gone = task("123");
	uint64_t dead;

	commit_one(2, running);
	run_until(1000000);
	ck_assert_int_eq(commit_one(3, running), GHOST_TXN_TARGET_ONCPU);
	sk_task_block(&sk, blocked);
	ck_assert_int_eq(commit_one(3, blocked), GHOST_TXN_TARGET_NOT_RUNNABLE);
	ck_assert_int_eq(commit_one(2, pinned), GHOST_TXN_TARGET_NOT_ALLOWED);
	dead = gone->gtid;
	sk_task_exit(&sk, gone);
	fill(3, dead, 1, 0);
	{
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(3, &set);
		sk_commit(&sk, 1, &set, 0);
	}
	ck_assert_int_eq(sk.txns[3].state, GHOST_TXN_TARGET_NOT_FOUND);
}
END_TEST

START_TEST(latched_elsewhere_and_named_twice)
{
	struct sk_task *t = task("123");
	cpu_set_t set;

	ck_assert_int_eq(commit_one(2, t), GHOST_TXN_COMPLETE);
	ck_assert_int_eq(commit_one(3, t), GHOST_TXN_TARGET_LATCHED);
	t = task("123");
	fill(2, t->gtid, barrier(t), 0);
	fill(3, t->gtid, barrier(t), 0);
	CPU_ZERO(&set);
	CPU_SET(2, &set);
	CPU_SET(3, &set);
	sk_commit(&sk, 1, &set, 0);
	ck_assert_int_eq(sk.txns[2].state, GHOST_TXN_COMPLETE);
	ck_assert_int_eq(sk.txns[3].state, GHOST_TXN_TARGET_LATCHED);
}
END_TEST

START_TEST(cpu_outcomes)
{
	struct sk_task *a = task("123"), *b = task("0123");
	cpu_set_t set;

	sk_hog_start(&sk, 2);
	ck_assert_int_eq(commit_one(2, a), GHOST_TXN_CPU_UNAVAIL);
	sk_hog_end(&sk, 2);
	ck_assert_int_eq(commit_one(2, a), GHOST_TXN_COMPLETE);
	/* NO_PREEMPT and a task latched there: CPU_BUSY. */
	fill(2, b->gtid, barrier(b), GHOST_RUN_F_NO_PREEMPT);
	CPU_ZERO(&set);
	CPU_SET(2, &set);
	sk_commit(&sk, 1, &set, 0);
	ck_assert_int_eq(sk.txns[2].state, GHOST_TXN_CPU_BUSY);
	/* CPU 0 is outside the enclave; unknown flags; no agent to ping. */
	ck_assert_int_eq(commit_one(0, b), GHOST_TXN_INVALID_CPU);
	fill(3, b->gtid, barrier(b), 1U << 7);
	CPU_ZERO(&set);
	CPU_SET(3, &set);
	sk_commit(&sk, 1, &set, 0);
	ck_assert_int_eq(sk.txns[3].state, GHOST_TXN_INVALID_FLAGS);
	fill(3, GHOST_TARGET_PING, 0, 0);
	sk_commit(&sk, 1, &set, 0);
	ck_assert_int_eq(sk.txns[3].state, GHOST_TXN_NO_AGENT);
}
END_TEST

START_TEST(sync_group_all_or_nothing)
{
	struct sk_task *a = task("123"), *b = task("1");
	cpu_set_t set;

	fill(2, a->gtid, barrier(a), 0);
	fill(3, b->gtid, barrier(b), 0);
	CPU_ZERO(&set);
	CPU_SET(2, &set);
	CPU_SET(3, &set);
	ck_assert_int_eq(sk_commit(&sk, 1, &set, GHOST_COMMIT_F_SYNC_GROUP), 0);
	ck_assert_int_eq(sk.txns[2].state, GHOST_TXN_POISONED);
	ck_assert_int_eq(sk.txns[3].state, GHOST_TXN_TARGET_NOT_ALLOWED);
	ck_assert_int_eq(a->latched_cpu, -1);
	/* A slot of the set not READY: the rest is poisoned, and EBUSY. */
	fill(2, a->gtid, barrier(a), 0);
	sk.txns[3].state = GHOST_TXN_IDLE;
	ck_assert_int_eq(sk_commit(&sk, 1, &set, GHOST_COMMIT_F_SYNC_GROUP), -EBUSY);
	ck_assert_int_eq(sk.txns[2].state, GHOST_TXN_POISONED);
	ck_assert_int_eq(sk.txns[3].state, GHOST_TXN_IDLE);
	/* All good: all latched. */
	b = task("123");
	fill(2, a->gtid, barrier(a), 0);
	fill(3, b->gtid, barrier(b), 0);
	sk_commit(&sk, 1, &set, GHOST_COMMIT_F_SYNC_GROUP);
	ck_assert_int_eq(sk.txns[2].state, GHOST_TXN_COMPLETE);
	ck_assert_int_eq(sk.txns[3].state, GHOST_TXN_COMPLETE);
}
END_TEST

START_TEST(messages_in_order_with_barriers)
{
	struct sk_task *t = task("123");
	static const uint16_t want[] = {
		GHOST_MSG_TASK_NEW, GHOST_MSG_TASK_PREEMPT, GHOST_MSG_TASK_BLOCKED,
		GHOST_MSG_TASK_WAKEUP, GHOST_MSG_TASK_DEAD,
	};
	uint64_t gtid = t->gtid;	/* the task's dies with it */
	struct ghost_msg msg;

	commit_one(2, t);
	run_until(1000000);
	sk_hog_start(&sk, 2);		/* preempted by a higher class */
	sk_hog_end(&sk, 2);
	run_until(2000000);
	commit_one(2, t);
	run_until(3000000);
	sk_task_block(&sk, t);
	sk_task_wakeup(&sk, t, 1000);
	sk_task_exit(&sk, t);
	for (unsigned int i = 0, seq = 1; i < sizeof(want) / sizeof(want[0]); i++) {
		do {
			ck_assert(sk_queue_pop(q, &msg));
		} while (msg.gtid != gtid);
		ck_assert_uint_eq(msg.type, want[i]);
		ck_assert_uint_eq(msg.seqnum, seq++);
		if (msg.type == GHOST_MSG_TASK_PREEMPT)
			ck_assert(msg.flags & GHOST_MSG_F_BY_HIGHER_CLASS);
	}
}
END_TEST

START_TEST(cpu_barrier_guards_parking)
{
	uint32_t seen = sk_word(&sk, 1)->barrier;

	sk_send_cpu(&sk, 1, GHOST_MSG_CPU_TICK, 0);
	ck_assert_uint_gt(sk_word(&sk, 1)->barrier, seen);
	ck_assert_int_eq(sk_agent_park(&sk, 1, seen), -ESTALE);
	ck_assert_int_eq(sk_agent_park(&sk, 1, sk_word(&sk, 1)->barrier), 0);
	ck_assert(sk_word(&sk, 1)->flags & GHOST_SW_CPU_AGENT_PARKED);
	/* A ping moves the barrier and wakes the agent (an event to run it). */
	seen = sk_word(&sk, 1)->barrier;
	ck_assert_int_eq(sk_ping(&sk, 1), 0);
	ck_assert_uint_eq(sk_word(&sk, 1)->barrier, seen + 1);
	ck_assert(sk.agents[1].run_pending);
	ck_assert_int_eq(sk_ping(&sk, 2), -ESRCH);
}
END_TEST

START_TEST(displaced_latch_and_arriving_agent_say_so)
{
	struct sk_task *a = task("123"), *b = task("123");
	struct ghost_msg msg;
	bool was_latched = false, preempted = false;

	commit_one(2, a);
	drain();
	commit_one(2, b);		/* displaces a, which never ran */
	while (sk_queue_pop(q, &msg))
		was_latched |= msg.gtid == a->gtid && msg.type == GHOST_MSG_TASK_PREEMPT &&
			       (msg.flags & GHOST_MSG_F_WAS_LATCHED);
	ck_assert(was_latched);
	run_until(1000000);
	ck_assert_ptr_eq(sk.cpus[2].running, b);
	ck_assert_int_eq(sk_agent_attach(&sk, 2, 2, q), 0);
	while (sk_queue_pop(q, &msg))
		preempted |= msg.gtid == b->gtid && msg.type == GHOST_MSG_TASK_PREEMPT &&
			     !(msg.flags & GHOST_MSG_F_BY_HIGHER_CLASS);
	ck_assert(preempted);
	ck_assert_ptr_null(sk.cpus[2].running);
	ck_assert_uint_eq(metrics_nr_violations(&metrics), 0);
}
END_TEST

static Suite *sim_model_suite(void)
{
	Suite *s = suite_create("sim model");
	TCase *txn = tcase_create("transactions");
	TCase *msgs = tcase_create("messages and barriers");

	tcase_add_checked_fixture(txn, setup, teardown);
	tcase_add_checked_fixture(msgs, setup, teardown);
	tcase_add_test(txn, complete_latches_then_runs);
	tcase_add_test(txn, stale_task_barrier);
	tcase_add_test(txn, stale_agent_barrier_local_only);
	tcase_add_test(txn, target_states);
	tcase_add_test(txn, latched_elsewhere_and_named_twice);
	tcase_add_test(txn, cpu_outcomes);
	tcase_add_test(txn, sync_group_all_or_nothing);
	tcase_add_test(msgs, messages_in_order_with_barriers);
	tcase_add_test(msgs, cpu_barrier_guards_parking);
	tcase_add_test(msgs, displaced_latch_and_arriving_agent_say_so);
	suite_add_tcase(s, txn);
	suite_add_tcase(s, msgs);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sim_model_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
