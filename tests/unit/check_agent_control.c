// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: ghost-agent's control plane, with real agent threads (over the
 * scripted backend, serialised by a lock), answers the supervisor as
 * proto.h says. A status reply carries the plugin, its params, the model,
 * task counts by state and each CPU's agent state, and counters. A swap
 * sent over the unix socket quiesces the running threads, hands the tasks
 * over, switches per_cpu to centralized and back, and replies with the
 * blackout, which status then reports as the last swap. Refused requests
 * (unknown or missing command, swap without a plugin or to a plugin that
 * does not load, params that are not an object, a bad CPU list) each get
 * one line and change nothing; set_cpus shrinks the enclave; stop is
 * recorded with its destroy flag.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent_threads.h"
#include "agent/control.h"
#include "common/proto.h"
#include "locked_backend.h"
#include "scripted_backend.h"

static char why[1024];
static char dir[] = "/tmp/check_agent_control.XXXXXX";
static char path[256];
static struct scripted_backend *sb;
static struct locked_backend lb;
static struct runtime *rt;
static struct agent_threads *threads;
static struct control ctl;

static unsigned int nr_known(void)
{
	struct rt_status st;

	rt_status(rt, &st);
	return st.nr_tasks;
}

static void setup(void)
{
	struct backend *be;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/web.sock", dir);
	sb = sb_create(4, 1, 3);
	be = locked_backend_init(&lb, &sb->base);
	ck_assert_msg(!rt_create(&rt, be, TEST_POLICY_DIR, "fifo_per_cpu", NULL,
				 why, sizeof(why)), "%s", why);
	ck_assert_msg(!agent_threads_start(&threads, rt, why, sizeof(why)), "%s", why);
	ck_assert(agent_threads_settle(threads, 5000));
	/* Five tasks enter, four runnable; wait until the agents know them. */
	locked_backend_lock(&lb);
	for (int i = 0; i < 5; i++)
		sb_task_new(sb, 100 + i, i < 4);
	locked_backend_unlock(&lb);
	for (int i = 0; i < 5000 && nr_known() < 5; i++)
		usleep(1000);
	ck_assert_uint_eq(nr_known(), 5);
	control_init(&ctl);
	ck_assert_msg(!control_open(&ctl, path, rt, threads, why, sizeof(why)), "%s", why);
}

static void teardown(void)
{
	agent_threads_stop(threads);
	control_close(&ctl, path);
	rt_destroy(rt);
	locked_backend_fini(&lb);
	sb_free(sb);
	rmdir(dir);
	strcpy(dir + strlen(dir) - 6, "XXXXXX");
}

/* @text as a request, answered by control_handle(). */
static json_t *ask(const char *text)
{
	json_t *request = json_loads(text, 0, NULL), *reply;

	ck_assert_ptr_nonnull(request);
	reply = control_handle(&ctl, request);
	json_decref(request);
	return reply;
}

static void expect_error(const char *text, const char *error)
{
	json_t *reply = ask(text);

	ck_assert(json_is_false(json_object_get(reply, PROTO_OK)));
	ck_assert_str_eq(json_string_value(json_object_get(reply, PROTO_ERROR)), error);
	json_decref(reply);
}

/* @text over the unix socket, served here, as ghostd would send it. */
static json_t *ask_over_socket(const char *text)
{
	json_t *request = json_loads(text, 0, NULL), *reply = NULL;
	struct pollfd fds[1 + CONTROL_MAX_CLIENTS];
	struct ipc_conn conn;
	int got = 0;

	ck_assert_int_eq(ipc_connect(path, &conn), 0);
	ck_assert_int_eq(ipc_send(&conn, request), 0);
	for (int round = 0; round < 100 && got != 1; round++) {
		unsigned int nr = control_pollfds(&ctl, fds, 1 + CONTROL_MAX_CLIENTS);

		poll(fds, nr, 100);
		control_serve(&ctl, fds, nr);
		got = ipc_recv(&conn, &reply, 0, why, sizeof(why));
	}
	ck_assert_int_eq(got, 1);
	ipc_close(&conn);
	json_decref(request);
	return reply;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

START_TEST(status_says_what_proto_h_promises)
{
	json_t *st = ask("{\"cmd\": \"status\"}"), *tasks, *agents, *a;
	size_t i;

	ck_assert(json_is_true(json_object_get(st, PROTO_OK)));
	ck_assert_str_eq(str(st, PROTO_PLUGIN), "fifo_per_cpu");
	ck_assert_str_eq(str(st, PROTO_MODEL), "per_cpu");
	ck_assert(json_is_object(json_object_get(st, PROTO_PARAMS)));
	tasks = json_object_get(st, PROTO_TASKS);
	ck_assert_int_eq(json_integer_value(json_object_get(tasks, PROTO_TASKS_RUNNABLE)) +
			 json_integer_value(json_object_get(tasks, PROTO_TASKS_ON_CPU)) +
			 json_integer_value(json_object_get(tasks, PROTO_TASKS_BLOCKED)), 5);
	agents = json_object_get(st, PROTO_AGENTS);
	ck_assert_int_eq(json_array_size(agents), 3);
	json_array_foreach(agents, i, a) {
		const char *state = str(a, PROTO_STATE);

		ck_assert_int_eq(json_integer_value(json_object_get(a, PROTO_CPU)), (int)i + 1);
		ck_assert(!strcmp(state, PROTO_AGENT_PARKED) ||
			  !strcmp(state, PROTO_AGENT_RUNNING));
	}
	ck_assert(json_is_integer(json_object_get(json_object_get(st, PROTO_COUNTERS),
						  "msg_task_new")));
	ck_assert_ptr_null(json_object_get(st, PROTO_LAST_SWAP));
	json_decref(st);
}
END_TEST

START_TEST(a_swap_over_the_socket_switches_models_both_ways)
{
	json_t *reply, *st, *swap;

	reply = ask_over_socket("{\"cmd\": \"swap\", \"plugin\": \"fifo_centralized\", "
				"\"params\": {\"time_slice_us\": 100}}");
	ck_assert_msg(json_is_true(json_object_get(reply, PROTO_OK)), "%s",
		      str(reply, PROTO_ERROR));
	ck_assert_str_eq(str(reply, PROTO_MODEL), "centralized");
	ck_assert(json_integer_value(json_object_get(reply, PROTO_BLACKOUT_NS)) > 0);
	json_decref(reply);

	st = ask("{\"cmd\": \"status\"}");
	ck_assert_str_eq(str(st, PROTO_PLUGIN), "fifo_centralized");
	ck_assert_int_eq(json_integer_value(json_object_get(
		json_object_get(st, PROTO_PARAMS), "time_slice_us")), 100);
	swap = json_object_get(st, PROTO_LAST_SWAP);
	ck_assert_str_eq(str(swap, PROTO_FROM), "fifo_per_cpu");
	ck_assert_str_eq(str(swap, PROTO_TO), "fifo_centralized");
	ck_assert(json_integer_value(json_object_get(swap, PROTO_AT)) > 0);
	json_decref(st);

	reply = ask_over_socket("{\"cmd\": \"swap\", \"plugin\": \"fifo_per_cpu\"}");
	ck_assert(json_is_true(json_object_get(reply, PROTO_OK)));
	ck_assert_str_eq(str(reply, PROTO_MODEL), "per_cpu");
	json_decref(reply);
	ck_assert(rt_change_done(rt));
}
END_TEST

START_TEST(refused_requests_change_nothing)
{
	json_t *st;

	expect_error("{\"cmd\": \"dance\"}",
		     "unknown command \"dance\" (known: status, swap, set_cpus, stop)");
	expect_error("{\"plugin\": \"x\"}", "a request needs \"cmd\"");
	expect_error("{\"cmd\": \"swap\"}", "swap needs \"plugin\", a plugin name");
	expect_error("{\"cmd\": \"swap\", \"plugin\": \"fifo_per_cpu\", \"params\": 3}",
		     "\"params\" must be an object");
	expect_error("{\"cmd\": \"swap\", \"plugin\": \"init_fails\"}",
		     "plugin \"init_fails\" failed to initialise: needs 64 CPUs, the enclave has 3");
	expect_error("{\"cmd\": \"set_cpus\", \"cpus\": \"1-\"}",
		     "\"cpus\": expected a CPU number at offset 2");
	expect_error("{\"cmd\": \"set_cpus\"}",
		     "set_cpus needs \"cpus\", a CPU list such as \"1-3\"");
	st = ask("{\"cmd\": \"status\"}");
	ck_assert_str_eq(str(st, PROTO_PLUGIN), "fifo_per_cpu");
	ck_assert_ptr_null(json_object_get(st, PROTO_LAST_SWAP));
	json_decref(st);
}
END_TEST

START_TEST(set_cpus_shrinks_the_enclave)
{
	json_t *reply = ask("{\"cmd\": \"set_cpus\", \"cpus\": \"1-2\"}"), *st;

	ck_assert_msg(json_is_true(json_object_get(reply, PROTO_OK)), "%s",
		      str(reply, PROTO_ERROR));
	ck_assert_str_eq(str(reply, PROTO_CPUS), "1-2");
	json_decref(reply);
	st = ask("{\"cmd\": \"status\"}");
	ck_assert_int_eq(json_array_size(json_object_get(st, PROTO_AGENTS)), 2);
	json_decref(st);
}
END_TEST

START_TEST(stop_is_recorded_with_its_destroy_flag)
{
	json_t *reply = ask("{\"cmd\": \"stop\", \"destroy\": true}");

	ck_assert(json_is_true(json_object_get(reply, PROTO_OK)));
	ck_assert(ctl.stop_requested && ctl.destroy_requested);
	json_decref(reply);
}
END_TEST

static Suite *control_suite(void)
{
	Suite *s = suite_create("agent control");
	TCase *tc = tcase_create("requests");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, status_says_what_proto_h_promises);
	tcase_add_test(tc, a_swap_over_the_socket_switches_models_both_ways);
	tcase_add_test(tc, refused_requests_change_nothing);
	tcase_add_test(tc, set_cpus_shrinks_the_enclave);
	tcase_add_test(tc, stop_is_recorded_with_its_destroy_flag);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(control_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
