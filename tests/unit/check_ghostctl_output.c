// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: from a canned ghostd reply and canned kernel counters, ghostctl
 * prints the status table (columns aligned, numbers to the right, kernel
 * task counts preferred, enclaves ghostd does not manage listed as such,
 * "-" where nothing is known) and each enclave's details (tasks, agents,
 * kernel counters, last swap in local time, why it failed); stats --json
 * adds each enclave's kernel counters by name, nonzero only, and lists
 * unmanaged enclaves; stats --openmetrics writes every family once with
 * its TYPE before its samples, escapes label values, and ends with # EOF;
 * durations read in the unit that suits them.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "ghostctl/output.h"

static const char *reply_text =
	"{\"ok\": true, \"enclaves\": ["
	" {\"name\": \"web\", \"cpus\": \"1-3\", \"state\": \"running\","
	"  \"plugin\": \"fifo_per_cpu\", \"params\": {}, \"watchdog_ms\": 5000,"
	"  \"restarts\": 1, \"source\": \"/etc/ghost/enclaves.d/web.json\","
	"  \"reason\": \"its agent killed by signal 9 (Killed)\", \"pid\": 1234,"
	"  \"model\": \"per_cpu\","
	"  \"tasks\": {\"runnable\": 3, \"on_cpu\": 2, \"blocked\": 7},"
	"  \"agents\": [{\"cpu\": 1, \"state\": \"running\"},"
	"              {\"cpu\": 2, \"state\": \"parked\"},"
	"              {\"cpu\": 3, \"state\": \"parked\"}],"
	"  \"last_swap\": {\"from\": \"fifo_centralized\", \"to\": \"fifo_per_cpu\","
	"                \"blackout_ns\": 412345, \"at\": 1764610212},"
	"  \"counters\": {\"commits\": 1200, \"stale_retries\": 30, \"Bad-Name\": 1}},"
	" {\"name\": \"batch\", \"cpus\": \"4-5\", \"state\": \"failed\","
	"  \"plugin\": \"fifo_centralized\", \"params\": {}, \"watchdog_ms\": 1000,"
	"  \"restarts\": 3, \"source\": \"/etc/ghost/enclaves.d/batch.json\","
	"  \"reason\": \"its agent ended 3 times within 60 s\"}"
	"]}";

static json_t *reply;
static struct live_enclaves kernel;

static void setup(void)
{
	json_error_t error;
	struct live_enclave *web, *other;

	/* Swap times print in local time: make it UTC. */
	setenv("TZ", "UTC", 1);
	reply = json_loads(reply_text, 0, &error);
	ck_assert_ptr_nonnull(reply);
	kernel.nr = 2;
	kernel.list = calloc(2, sizeof(*kernel.list));
	web = &kernel.list[0];
	web->id = 7;
	strcpy(web->name, "web");
	strcpy(web->cpus, "1-3");
	web->state = GHOST_ENCLAVE_LIVE;
	web->nr_tasks = 12;
	web->nr_agents = 3;
	web->msgs[GHOST_MSG_TASK_NEW] = 4000;
	web->msgs[GHOST_MSG_CPU_TICK] = 1000;
	web->commits[GHOST_TXN_COMPLETE] = 1200;
	web->commits[GHOST_TXN_TARGET_STALE] = 30;
	web->queue_overflows = 1;
	web->tasks_evicted = 2;
	other = &kernel.list[1];
	other->id = 9;
	strcpy(other->cpus, "6");
	other->state = GHOST_ENCLAVE_LIVE;
	other->nr_tasks = 2;
}

static void teardown(void)
{
	json_decref(reply);
	live_enclaves_free(&kernel);
}

/* What @print wrote, as a string to free. */
static char *capture(void (*print)(FILE *, const json_t *, const struct live_enclaves *),
		     const struct live_enclaves *with)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	print(out, reply, with);
	fclose(out);
	return text;
}

START_TEST(status_table_and_details)
{
	char *text = capture(output_status, &kernel);

	ck_assert_str_eq(text,
		"ENCLAVE  STATE      CPUS  PLUGIN            MODEL    TASKS  AGENT  RESTARTS\n"
		"web      running    1-3   fifo_per_cpu      per_cpu     12   1234         1\n"
		"batch    failed     4-5   fifo_centralized  -            -      -         3\n"
		"(id 9)   unmanaged  6     -                 -            2      -         -\n"
		"\n"
		"web\n"
		"  tasks      runnable 3, on_cpu 2, blocked 7\n"
		"  agents     cpu 1 running, cpu 2 parked, cpu 3 parked\n"
		"  kernel     tasks 12, agents 3, commits 1230 (complete 1200), messages 5000,\n"
		"             watchdog firings 0, queue overflows 1, evictions 2, throttles 0\n"
		"  last swap  fifo_centralized -> fifo_per_cpu, blackout 412 us, 2025-12-01 17:30:12\n"
		"  last exit  its agent killed by signal 9 (Killed)\n"
		"\n"
		"batch\n"
		"  failed     its agent ended 3 times within 60 s\n");
	free(text);
}
END_TEST

START_TEST(status_without_kernel_counters)
{
	char *text = capture(output_status, NULL);

	/* The agent's own task count stands in for the kernel's. */
	ck_assert_str_eq(strtok(text, "\n"),
		"ENCLAVE  STATE    CPUS  PLUGIN            MODEL    TASKS  AGENT  RESTARTS");
	ck_assert_str_eq(strtok(NULL, "\n"),
		"web      running  1-3   fifo_per_cpu      per_cpu     12   1234         1");
	ck_assert_ptr_null(strstr(strtok(NULL, ""), "kernel"));
	free(text);
}
END_TEST

START_TEST(status_with_nothing)
{
	json_t *empty = json_pack("{s:b, s:[]}", PROTO_OK, 1, PROTO_ENCLAVES);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	output_status(out, empty, NULL);
	fclose(out);
	ck_assert_str_eq(text, "no enclaves\n");
	free(text);
	json_decref(empty);
}
END_TEST

START_TEST(stats_json)
{
	json_t *stats = output_stats_json(reply, &kernel);
	json_t *enclaves = json_object_get(stats, PROTO_ENCLAVES);
	json_t *web = json_array_get(enclaves, 0), *k = json_object_get(web, PROTO_KERNEL);
	json_t *unmanaged = json_array_get(enclaves, 2);

	ck_assert_uint_eq(json_array_size(enclaves), 3);
	/* ghostd's fields pass through untouched. */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(web,
		PROTO_COUNTERS), "commits")), 1200);
	ck_assert_int_eq(json_integer_value(json_object_get(k, "id")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(k, PROTO_TASKS)), 12);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(k, "commits"),
								 "complete")), 1200);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(k, "commits"),
								 "target_stale")), 30);
	/* Zero counters are left out. */
	ck_assert_uint_eq(json_object_size(json_object_get(k, "commits")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(k, "messages"),
								 "cpu_tick")), 1000);
	ck_assert_int_eq(json_integer_value(json_object_get(k, "queue_overflows")), 1);
	/* batch has no live enclave: no kernel object. */
	ck_assert_ptr_null(json_object_get(json_array_get(enclaves, 1), PROTO_KERNEL));
	ck_assert_str_eq(json_string_value(json_object_get(unmanaged, PROTO_STATE)),
			 "unmanaged");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(unmanaged,
		PROTO_KERNEL), "id")), 9);
	json_decref(stats);
}
END_TEST

START_TEST(openmetrics_of_ghostd_fields)
{
	char *text;

	/* A plugin name with what label values must escape. */
	json_object_set_new(json_array_get(json_object_get(reply, PROTO_ENCLAVES), 1),
			    PROTO_PLUGIN, json_string("we\"ird\\\nname"));
	text = capture(output_openmetrics, NULL);
	ck_assert_str_eq(text,
		"# TYPE ghost_enclave info\n"
		"# HELP ghost_enclave An enclave ghostd manages.\n"
		"ghost_enclave_info{enclave=\"web\",state=\"running\",cpus=\"1-3\","
		"plugin=\"fifo_per_cpu\",model=\"per_cpu\"} 1\n"
		"ghost_enclave_info{enclave=\"batch\",state=\"failed\",cpus=\"4-5\","
		"plugin=\"we\\\"ird\\\\\\nname\",model=\"\"} 1\n"
		"# TYPE ghost_enclave_restarts counter\n"
		"# HELP ghost_enclave_restarts Agent processes restarted after they ended unasked.\n"
		"ghost_enclave_restarts_total{enclave=\"web\"} 1\n"
		"ghost_enclave_restarts_total{enclave=\"batch\"} 3\n"
		"# TYPE ghost_enclave_tasks gauge\n"
		"# HELP ghost_enclave_tasks Tasks of the enclave by state, as its policy sees them.\n"
		"ghost_enclave_tasks{enclave=\"web\",state=\"runnable\"} 3\n"
		"ghost_enclave_tasks{enclave=\"web\",state=\"on_cpu\"} 2\n"
		"ghost_enclave_tasks{enclave=\"web\",state=\"blocked\"} 7\n"
		"# TYPE ghost_enclave_agents gauge\n"
		"# HELP ghost_enclave_agents Enclave CPUs by the state of their agent.\n"
		"ghost_enclave_agents{enclave=\"web\",state=\"running\"} 1\n"
		"ghost_enclave_agents{enclave=\"web\",state=\"parked\"} 2\n"
		"# TYPE ghost_swap_blackout_seconds gauge\n"
		"# UNIT ghost_swap_blackout_seconds seconds\n"
		"# HELP ghost_swap_blackout_seconds How long the enclave's last policy swap "
		"held its tasks.\n"
		"ghost_swap_blackout_seconds{enclave=\"web\"} 0.000412345\n"
		"# TYPE ghost_agent_commits counter\n"
		"# HELP ghost_agent_commits A counter of the enclave's agent.\n"
		"ghost_agent_commits_total{enclave=\"web\"} 1200\n"
		"# TYPE ghost_agent_stale_retries counter\n"
		"# HELP ghost_agent_stale_retries A counter of the enclave's agent.\n"
		"ghost_agent_stale_retries_total{enclave=\"web\"} 30\n"
		"# EOF\n");
	free(text);
}
END_TEST

START_TEST(openmetrics_of_kernel_counters)
{
	char *text = capture(output_openmetrics, &kernel), *line, *save;
	char declared[64][96];
	size_t nr_declared = 0;
	const char *family = NULL;

	ck_assert_ptr_nonnull(strstr(text,
		"ghost_kernel_tasks{enclave=\"web\",id=\"7\"} 12\n"
		"ghost_kernel_tasks{enclave=\"\",id=\"9\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"ghost_kernel_commits_total{enclave=\"web\",id=\"7\",outcome=\"complete\"} 1200\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"ghost_kernel_messages_total{enclave=\"web\",id=\"7\",type=\"cpu_tick\"} 1000\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"ghost_kernel_queue_overflows_total{enclave=\"web\",id=\"7\"} 1\n"));
	ck_assert_str_eq(text + strlen(text) - 6, "# EOF\n");
	/* Every sample follows its own family's TYPE; no family twice. */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[96];

		if (sscanf(line, "# TYPE %95s", name) == 1) {
			for (size_t i = 0; i < nr_declared; i++)
				ck_assert_str_ne(declared[i], name);
			ck_assert_uint_lt(nr_declared, 64);
			strcpy(declared[nr_declared++], name);
			family = declared[nr_declared - 1];
		} else if (line[0] != '#') {
			ck_assert_ptr_nonnull(family);
			ck_assert_int_eq(strncmp(line, family, strlen(family)), 0);
		}
	}
	free(text);
}
END_TEST

START_TEST(durations)
{
	static const struct {
		uint64_t ns;
		const char *text;
	} cases[] = {
		{ 0, "0 ns" }, { 830, "830 ns" }, { 412345, "412 us" },
		{ 1250000, "1.25 ms" }, { 3200000000ULL, "3.20 s" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		output_duration(cases[i].ns, buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].text);
	}
}
END_TEST

static Suite *output_suite(void)
{
	Suite *s = suite_create("ghostctl output");
	TCase *tc = tcase_create("formats");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, status_table_and_details);
	tcase_add_test(tc, status_without_kernel_counters);
	tcase_add_test(tc, status_with_nothing);
	tcase_add_test(tc, stats_json);
	tcase_add_test(tc, openmetrics_of_ghostd_fields);
	tcase_add_test(tc, openmetrics_of_kernel_counters);
	tcase_add_test(tc, durations);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(output_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
