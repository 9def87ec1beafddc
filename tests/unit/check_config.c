// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: ghostd's configuration parser accepts good configurations with
 * the documented defaults, and refuses each malformed one with exactly the
 * message promised: file, line, column (of the offending key or value,
 * counted in characters), key, and what was expected (type, range, known
 * keys, known plugins and their parameters, overlapping CPUs, duplicate
 * names, offline CPUs, no CPU left for the kernel). Policies are checked
 * by the runtime's loader against fixture plugins (tests/unit/plugins),
 * one of which calls into the SDK as real policies do. Directories load in
 * file-name order, ignore non-JSON files, and fall back to the built-in
 * enclave; --check-config's paths are sorted into settings, enclave files
 * and configuration directories. And that the example files config/ ships
 * are valid, against the policies the project ships.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cpulist.h"
#include "ghostd/config.h"

#define PLUGINS		TEST_PLUGIN_DIR
#define KNOWN_PLUGINS	"not_policy, test_central, test_fifo"

static struct config_machine machine;	/* CPUs 0-7 online */
static char tmpdir[64];	/* /tmp/check_config.XXXXXX */

static void setup(void)
{
	CPU_ZERO(&machine.online);
	for (int cpu = 0; cpu < 8; cpu++)
		CPU_SET(cpu, &machine.online);
}

static const char *cpus_of(const cpu_set_t *set)
{
	static char buf[256];

	return cpulist_format(set, buf, sizeof(buf));
}

/* The one error that parsing @text as the enclave file web.json gives. */
static char *enclave_error(const char *text)
{
	struct config_errors errors = { 0 };
	struct enclave_config enclave;
	char *line;

	ck_assert_int_eq(config_parse_enclave(text, strlen(text), "web.json", PLUGINS,
					      &machine, &enclave, &errors), -1);
	ck_assert_uint_eq(errors.nr, 1);
	line = strdup(errors.lines[0]);
	config_errors_free(&errors);
	enclave_config_free(&enclave);
	return line;
}

static char *daemon_error(const char *text)
{
	struct config_errors errors = { 0 };
	struct daemon_config config;
	char *line;

	config_defaults(&config);
	ck_assert_int_eq(config_parse_daemon(text, strlen(text), "ghostd.json",
					     &config, &errors), -1);
	ck_assert_uint_eq(errors.nr, 1);
	line = strdup(errors.lines[0]);
	config_errors_free(&errors);
	config_free(&config);
	return line;
}

/* Valid members, to build malformed files from one change each. */
#define NAME	"\"name\": \"web\""
#define CPUS	"\"cpus\": \"1-3\""
#define POLICY	"\"policy\": {\"plugin\": \"test_fifo\"}"

static const struct {
	const char *text;
	const char *error;
} bad_enclaves[] = {
	/* Not JSON, or not one object. */
	{ "{" NAME ",",
	  "web.json:1:15: string or '}' expected near end of file" },
	{ "{\n  \"name\": \"web\",\n  \"name\": \"www\"\n}",
	  "web.json:3:8: duplicate object key near '\"name\"'" },
	{ "[{" NAME "}]",
	  "web.json:1:1: expected an object (one enclave), got an array" },
	/* Keys. */
	{ "{" NAME ", " CPUS ", " POLICY ", \"watchdog\": 100}",
	  "web.json:1:67: unknown key \"watchdog\" (known: name, cpus, watchdog_ms, "
	  "max_tasks, policy, onboard)" },
	{ "{" CPUS ", " POLICY "}",
	  "web.json:1:1: missing key \"name\"" },
	{ "{" NAME ", " POLICY "}",
	  "web.json:1:1: missing key \"cpus\"" },
	{ "{" NAME ", " CPUS "}",
	  "web.json:1:1: missing key \"policy\"" },
	/* Names. */
	{ "{\"name\": 7, " CPUS ", " POLICY "}",
	  "web.json:1:10: \"name\": expected 1 to 31 characters of [A-Za-z0-9_.-], got 7" },
	{ "{\"name\": \"my web\", " CPUS ", " POLICY "}",
	  "web.json:1:10: \"name\": expected 1 to 31 characters of [A-Za-z0-9_.-], "
	  "got \"my web\"" },
	{ "{\"name\": \"\", " CPUS ", " POLICY "}",
	  "web.json:1:10: \"name\": expected 1 to 31 characters of [A-Za-z0-9_.-], got \"\"" },
	{ "{\"name\": \"a23456789012345678901234567890123\", " CPUS ", " POLICY "}",
	  "web.json:1:10: \"name\": expected 1 to 31 characters of [A-Za-z0-9_.-], "
	  "got \"a23456789012345678901234567890123\"" },
	/* CPUs. */
	{ "{" NAME ", \"cpus\": 3, " POLICY "}",
	  "web.json:1:25: \"cpus\": expected a CPU list such as \"1-3,5\", got 3" },
	{ "{" NAME ", \"cpus\": \"1-x\", " POLICY "}",
	  "web.json:1:25: \"cpus\": \"1-x\": expected a CPU number at offset 2" },
	{ "{" NAME ", \"cpus\": \"3-1\", " POLICY "}",
	  "web.json:1:25: \"cpus\": \"3-1\": range 3-1 runs backwards at offset 3" },
	{ "{" NAME ", \"cpus\": \"\", " POLICY "}",
	  "web.json:1:25: \"cpus\": \"\": the CPU list is empty" },
	{ "{" NAME ", \"cpus\": \"1;2\", " POLICY "}",
	  "web.json:1:25: \"cpus\": \"1;2\": unexpected ';' at offset 1" },
	{ "{" NAME ", \"cpus\": \"5000\", " POLICY "}",
	  "web.json:1:25: \"cpus\": \"5000\": CPU 5000 is beyond 1023 at offset 0" },
	{ "{" NAME ", \"cpus\": \"9\", " POLICY "}",
	  "web.json:1:25: \"cpus\": CPU 9 is not online (online: 0-7)" },
	{ "{" NAME ", \"cpus\": \"6-9,12\", " POLICY "}",
	  "web.json:1:25: \"cpus\": CPUs 8-9,12 are not online (online: 0-7)" },
	/* Watchdog and task limit. */
	{ "{" NAME ", " CPUS ", \"watchdog_ms\": 5, " POLICY "}",
	  "web.json:1:47: \"watchdog_ms\": expected an integer from 10 to 10000, got 5" },
	{ "{" NAME ", " CPUS ", \"watchdog_ms\": 20000, " POLICY "}",
	  "web.json:1:47: \"watchdog_ms\": expected an integer from 10 to 10000, got 20000" },
	{ "{" NAME ", " CPUS ", \"watchdog_ms\": \"100\", " POLICY "}",
	  "web.json:1:47: \"watchdog_ms\": expected an integer from 10 to 10000, got \"100\"" },
	{ "{" NAME ", " CPUS ", \"watchdog_ms\": 1.5, " POLICY "}",
	  "web.json:1:47: \"watchdog_ms\": expected an integer from 10 to 10000, got 1.5" },
	{ "{" NAME ", " CPUS ", \"watchdog_ms\": -100, " POLICY "}",
	  "web.json:1:47: \"watchdog_ms\": expected an integer from 10 to 10000, got -100" },
	{ "{" NAME ", " CPUS ", \"max_tasks\": 0, " POLICY "}",
	  "web.json:1:45: \"max_tasks\": expected an integer from 1 to 1048576, got 0" },
	/* The policy object. */
	{ "{" NAME ", " CPUS ", \"policy\": \"test_fifo\"}",
	  "web.json:1:42: \"policy\": expected an object with \"plugin\" and \"params\", "
	  "got \"test_fifo\"" },
	{ "{" NAME ", " CPUS ", \"policy\": {}}",
	  "web.json:1:42: missing key \"policy.plugin\"" },
	{ "{" NAME ", " CPUS ", \"policy\": {\"plugin\": \"test_fifo\", \"parms\": {}}}",
	  "web.json:1:66: unknown key \"policy.parms\" (known: plugin, params)" },
	{ "{" NAME ", " CPUS ", \"policy\": {\"plugin\": 1}}",
	  "web.json:1:53: \"policy.plugin\": expected a plugin name, got 1" },
	{ "{" NAME ", " CPUS ", \"policy\": {\"plugin\": \"test_fifo\", \"params\": [1]}}",
	  "web.json:1:76: \"policy.params\": expected an object, got an array" },
	/* The plugin, as the runtime's loader judges it. */
	{ "{" NAME ", " CPUS ", \"policy\": {\"plugin\": \"nope\"}}",
	  "web.json:1:53: \"policy.plugin\": no plugin \"nope\" in " PLUGINS
	  " (it has: " KNOWN_PLUGINS ")" },
	{ "{" NAME ", " CPUS ", \"policy\": {\"plugin\": \"../evil\"}}",
	  "web.json:1:53: \"policy.plugin\": \"../evil\" is not a plugin name "
	  "(a-z, 0-9 and '_', at most 31 characters)" },
	{ "{" NAME ", " CPUS ", \"policy\": {\"plugin\": \"not_policy\"}}",
	  "web.json:1:53: \"policy.plugin\": plugin \"not_policy\" (" PLUGINS
	  "/not_policy.so) is not a ghost policy: it exports no ghost_policy_descriptor" },
	/* Its parameters, as the plugin's descriptor states them. */
	{ "{" NAME ", " CPUS ", \"policy\": {\"plugin\": \"test_fifo\", "
	  "\"params\": {\"slice\": 5}}}",
	  "web.json:1:86: \"policy.params.slice\": policy \"test_fifo\" has no "
	  "parameter \"slice\" (its parameters: slice_us, steal)" },
	{ "{" NAME ", " CPUS ", \"policy\": {\"plugin\": \"test_fifo\", "
	  "\"params\": {\"slice_us\": 0}}}",
	  "web.json:1:89: \"policy.params.slice_us\": policy \"test_fifo\": parameter "
	  "\"slice_us\" must be an integer in 1..1000000, got 0" },
	{ "{" NAME ", " CPUS ", \"policy\": {\"plugin\": \"test_fifo\", "
	  "\"params\": {\"slice_us\": 100, \"steal\": 1}}}",
	  "web.json:1:103: \"policy.params.steal\": policy \"test_fifo\": parameter "
	  "\"steal\" must be true or false, got 1" },
	{ "{" NAME ", " CPUS ", \"policy\": {\"plugin\": \"test_central\", "
	  "\"params\": {\"slice_us\": 100}}}",
	  "web.json:1:92: \"policy.params.slice_us\": policy \"test_central\" has no "
	  "parameter \"slice_us\" (its parameters: none)" },
	/* Onboarding rules. */
	{ "{" NAME ", " CPUS ", " POLICY ", \"onboard\": {\"comm\": \"x\"}}",
	  "web.json:1:78: \"onboard\": expected an array of rules, got an object" },
	{ "{" NAME ", " CPUS ", " POLICY ", \"onboard\": [{\"comm\": \"x\"}, 5]}",
	  "web.json:1:94: \"onboard[1]\": expected a rule object, got 5" },
	{ "{" NAME ", " CPUS ", " POLICY ", \"onboard\": [{}]}",
	  "web.json:1:79: \"onboard[0]\": a rule needs at least one of pid, comm, "
	  "comm_prefix, cgroup, uid" },
	{ "{" NAME ", " CPUS ", " POLICY ", \"onboard\": [{\"user\": \"bob\"}]}",
	  "web.json:1:80: unknown key \"onboard[0].user\" (known: pid, comm, "
	  "comm_prefix, cgroup, uid)" },
	{ "{" NAME ", " CPUS ", " POLICY ", \"onboard\": [{\"comm\": \"averyveryverylongname\"}]}",
	  "web.json:1:88: \"onboard[0].comm\": expected 1 to 15 characters (the kernel "
	  "keeps no more of a name), got \"averyveryverylongname\"" },
	{ "{" NAME ", " CPUS ", " POLICY ", \"onboard\": [{\"comm_prefix\": \"\"}]}",
	  "web.json:1:95: \"onboard[0].comm_prefix\": expected 1 to 15 characters (the "
	  "kernel keeps no more of a name), got \"\"" },
	{ "{" NAME ", " CPUS ", " POLICY ", \"onboard\": [{\"comm\": \"a\", \"comm_prefix\": \"b\"}]}",
	  "web.json:1:93: \"onboard[0]\": \"comm\" and \"comm_prefix\" exclude each other" },
	{ "{" NAME ", " CPUS ", " POLICY ", \"onboard\": [{\"cgroup\": \"system.slice\"}]}",
	  "web.json:1:90: \"onboard[0].cgroup\": expected an absolute cgroup path such "
	  "as \"/system.slice\", got \"system.slice\"" },
	{ "{" NAME ", " CPUS ", " POLICY ", \"onboard\": [{\"pid\": 0}]}",
	  "web.json:1:87: \"onboard[0].pid\": expected an integer from 1 to 4194304, got 0" },
	{ "{" NAME ", " CPUS ", " POLICY ", \"onboard\": [{\"uid\": -1}]}",
	  "web.json:1:87: \"onboard[0].uid\": expected an integer from 0 to 4294967294, "
	  "got -1" },
	{ "{" NAME ", " CPUS ", " POLICY ", \"onboard\": [{\"uid\": true}]}",
	  "web.json:1:87: \"onboard[0].uid\": expected an integer from 0 to 4294967294, "
	  "got true" },
	/* Positions across lines, with tabs, CRLF and characters beyond ASCII. */
	{ "{\n\t\"name\": \"web\",\n\t\"cpus\": \"1-3\",\n\t\"watchdog_ms\": 0,\n"
	  "\t" POLICY "\n}\n",
	  "web.json:4:17: \"watchdog_ms\": expected an integer from 10 to 10000, got 0" },
	{ "{\r\n  \"name\": \"web\",\r\n  \"cpus\": \"1-3\",\r\n  \"policy\": "
	  "{\"plugin\": \"test_fifo\",\r\n    \"params\": {\"steal\": null}}\r\n}\r\n",
	  "web.json:5:25: \"policy.params.steal\": policy \"test_fifo\": parameter "
	  "\"steal\" must be true or false, got null" },
	{ "{\"name\": \"web\", \"onboard\": [{\"comm\": \"caf\xc3\xa9\"}, "
	  "{\"comm\": \"\xe6\x97\xa5\xe6\x9c\xac\"}, {\"pid\": \"1\"}], " CPUS ", " POLICY "}",
	  "web.json:1:71: \"onboard[2].pid\": expected an integer from 1 to 4194304, got \"1\"" },
};

START_TEST(malformed_enclave)
{
	char *error = enclave_error(bad_enclaves[_i].text);

	ck_assert_str_eq(error, bad_enclaves[_i].error);
	free(error);
}
END_TEST

static const struct {
	const char *text;
	const char *error;
} bad_settings[] = {
	{ "{\"log_level\": \"loud\"}",
	  "ghostd.json:1:15: \"log_level\": expected one of error, warn, notice, info, "
	  "debug, got \"loud\"" },
	{ "{\"crash_limit\": 0}",
	  "ghostd.json:1:17: \"crash_limit\": expected an integer from 1 to 100, got 0" },
	{ "{\"crash_window_s\": 4000}",
	  "ghostd.json:1:20: \"crash_window_s\": expected an integer from 1 to 3600, "
	  "got 4000" },
	{ "{\"plugin_dir\": \"policies\"}",
	  "ghostd.json:1:16: \"plugin_dir\": expected the absolute path of a directory, "
	  "got \"policies\"" },
	{ "{\"plugin_dir\": \"/nonexistent/policies\"}",
	  "ghostd.json:1:16: \"plugin_dir\": /nonexistent/policies: No such file or "
	  "directory" },
	{ "{\"agent_path\": \"/etc\"}",
	  "ghostd.json:1:16: \"agent_path\": /etc is not an executable file" },
	{ "{\"socket_group\": 5}",
	  "ghostd.json:1:18: \"socket_group\": expected a group name of 1 to 32 "
	  "characters, got 5" },
	{ "{\"plugins\": \"/usr/lib/ghost/policies\"}",
	  "ghostd.json:1:2: unknown key \"plugins\" (known: plugin_dir, agent_path, "
	  "socket_group, log_level, crash_limit, crash_window_s, liveness_grace_ms)" },
	{ "{\"liveness_grace_ms\": 60001}",
	  "ghostd.json:1:23: \"liveness_grace_ms\": expected an integer from 0 to 60000, "
	  "got 60001" },
	{ "\"info\"",
	  "ghostd.json:1:6: '[' or '{' expected near '\"info\"'" },
};

START_TEST(malformed_settings)
{
	char *error = daemon_error(bad_settings[_i].text);

	ck_assert_str_eq(error, bad_settings[_i].error);
	free(error);
}
END_TEST

START_TEST(minimal_enclave_takes_defaults)
{
	const char *text = "{" NAME ", " CPUS ", " POLICY "}";
	struct config_errors errors = { 0 };
	struct enclave_config e;

	ck_assert_int_eq(config_parse_enclave(text, strlen(text), "web.json", PLUGINS,
					      &machine, &e, &errors), 0);
	ck_assert_uint_eq(errors.nr, 0);
	ck_assert_str_eq(e.name, "web");
	ck_assert_str_eq(cpus_of(&e.cpus), "1-3");
	ck_assert_uint_eq(e.watchdog_ms, CONFIG_WATCHDOG_DEFAULT);
	ck_assert_uint_eq(e.max_tasks, CONFIG_MAX_TASKS_DEFAULT);
	ck_assert_str_eq(e.plugin, "test_fifo");
	ck_assert(json_is_object(e.params) && json_object_size(e.params) == 0);
	ck_assert_uint_eq(e.nr_rules, 0);
	ck_assert_str_eq(e.source, "web.json");
	enclave_config_free(&e);
}
END_TEST

START_TEST(full_enclave)
{
	const char *text =
		"{\n"
		"  \"name\": \"batch.jobs-2\",\n"
		"  \"cpus\": \"2,4-5\",\n"
		"  \"watchdog_ms\": 10000,\n"
		"  \"max_tasks\": 1048576,\n"
		"  \"policy\": {\"plugin\": \"test_fifo\",\n"
		"             \"params\": {\"slice_us\": 1000000, \"steal\": false}},\n"
		"  \"onboard\": [\n"
		"    {\"comm\": \"hackbench\"},\n"
		"    {\"comm_prefix\": \"stress-\", \"uid\": 1000},\n"
		"    {\"cgroup\": \"/system.slice/batch.service//\"},\n"
		"    {\"cgroup\": \"/\"},\n"
		"    {\"pid\": 4194304, \"uid\": 0}\n"
		"  ]\n"
		"}\n";
	struct config_errors errors = { 0 };
	struct enclave_config e;

	ck_assert_int_eq(config_parse_enclave(text, strlen(text), "batch.json",
					      PLUGINS, &machine, &e, &errors), 0);
	ck_assert_str_eq(e.name, "batch.jobs-2");
	ck_assert_str_eq(cpus_of(&e.cpus), "2,4-5");
	ck_assert_uint_eq(e.watchdog_ms, 10000);
	ck_assert_uint_eq(e.max_tasks, 1048576);
	ck_assert_int_eq(json_integer_value(json_object_get(e.params, "slice_us")),
			 1000000);
	ck_assert(json_is_false(json_object_get(e.params, "steal")));
	ck_assert_uint_eq(e.nr_rules, 5);
	ck_assert_uint_eq(e.rules[0].facts, RULE_COMM);
	ck_assert_str_eq(e.rules[0].comm, "hackbench");
	ck_assert_uint_eq(e.rules[1].facts, RULE_COMM_PREFIX | RULE_UID);
	ck_assert_str_eq(e.rules[1].comm, "stress-");
	ck_assert_uint_eq(e.rules[1].uid, 1000);
	ck_assert_uint_eq(e.rules[2].facts, RULE_CGROUP);
	ck_assert_str_eq(e.rules[2].cgroup, "/system.slice/batch.service");
	ck_assert_str_eq(e.rules[3].cgroup, "/");
	ck_assert_uint_eq(e.rules[4].facts, RULE_PID | RULE_UID);
	ck_assert_int_eq(e.rules[4].pid, 4194304);
	ck_assert_uint_eq(e.rules[4].uid, 0);
	/* Kept for errors found at reload. */
	ck_assert_int_eq(e.name_at.line, 2);
	ck_assert_int_eq(e.name_at.column, 11);
	ck_assert_int_eq(e.cpus_at.line, 3);
	ck_assert_int_eq(e.max_tasks_at.line, 5);
	ck_assert_int_eq(e.max_tasks_at.column, 16);
	enclave_config_free(&e);
}
END_TEST

START_TEST(settings_defaults_and_values)
{
	const char *text = "{\"plugin_dir\": \"" PLUGINS "\", \"agent_path\": \"/bin/sh\", "
			   "\"socket_group\": \"wheel\", \"log_level\": \"debug\", "
			   "\"crash_limit\": 5, \"crash_window_s\": 3600, "
			   "\"liveness_grace_ms\": 0}";
	struct config_errors errors = { 0 };
	struct daemon_config c;

	config_defaults(&c);
	ck_assert_str_eq(c.plugin_dir, CONFIG_PLUGIN_DIR_DEFAULT);
	ck_assert_str_eq(c.agent_path, CONFIG_AGENT_PATH_DEFAULT);
	ck_assert_str_eq(c.socket_group, "ghost");
	ck_assert_int_eq(c.log_level, LOG_LEVEL_INFO);
	ck_assert_uint_eq(c.crash_limit, 3);
	ck_assert_uint_eq(c.crash_window_s, 60);
	ck_assert_uint_eq(c.liveness_grace_ms, 0);
	ck_assert_int_eq(config_parse_daemon(text, strlen(text), "ghostd.json", &c,
					     &errors), 0);
	ck_assert_str_eq(c.plugin_dir, PLUGINS);
	ck_assert_str_eq(c.agent_path, "/bin/sh");
	ck_assert_str_eq(c.socket_group, "wheel");
	ck_assert_int_eq(c.log_level, LOG_LEVEL_DEBUG);
	ck_assert_uint_eq(c.crash_limit, 5);
	ck_assert_uint_eq(c.crash_window_s, 3600);
	config_free(&c);
}
END_TEST

/* Parse @texts as enclave files a.json, b.json, ... and check them together. */
static char *cross_error(const char *const texts[], size_t nr)
{
	struct enclave_config enclaves[4];
	struct config_errors errors = { 0 };
	char source[16], *line = NULL;

	for (size_t i = 0; i < nr; i++) {
		snprintf(source, sizeof(source), "%c.json", (char)('a' + i));
		ck_assert_int_eq(config_parse_enclave(texts[i], strlen(texts[i]), source,
						      PLUGINS, &machine, &enclaves[i],
						      &errors), 0);
	}
	if (config_check_enclaves(enclaves, nr, &machine, &errors)) {
		ck_assert_uint_eq(errors.nr, 1);
		line = strdup(errors.lines[0]);
	}
	for (size_t i = 0; i < nr; i++)
		enclave_config_free(&enclaves[i]);
	config_errors_free(&errors);
	return line;
}

START_TEST(enclaves_that_fit_together)
{
	const char *texts[] = {
		"{" NAME ", " CPUS ", " POLICY "}",
		"{\"name\": \"db\", \"cpus\": \"4-7\", " POLICY "}",
	};

	ck_assert_ptr_null(cross_error(texts, 2));
}
END_TEST

START_TEST(duplicate_names)
{
	const char *texts[] = {
		"{" NAME ", " CPUS ", " POLICY "}",
		"{\"cpus\": \"5\",\n " NAME ", " POLICY "}",
	};
	char *error = cross_error(texts, 2);

	ck_assert_str_eq(error, "b.json:2:10: \"name\": enclave \"web\" is already "
			 "defined at a.json:1:10");
	free(error);
}
END_TEST

START_TEST(overlapping_cpus)
{
	const char *texts[] = {
		"{" NAME ", " CPUS ", " POLICY "}",
		"{\"name\": \"db\", \"cpus\": \"4\", " POLICY "}",
		"{\"name\": \"batch\", \"cpus\": \"2-4,6\", " POLICY "}",
	};
	char *error = cross_error(texts, 3);

	ck_assert_str_eq(error, "c.json:1:27: \"cpus\": CPUs 2-3 are also in enclave "
			 "\"web\" (a.json:1:25)");
	free(error);
}
END_TEST

START_TEST(one_cpu_left_for_the_kernel)
{
	const char *texts[] = {
		"{" NAME ", \"cpus\": \"0-3\", " POLICY "}",
		"{\"name\": \"db\", \"cpus\": \"4-7\", " POLICY "}",
	};
	char *error = cross_error(texts, 2);

	ck_assert_str_eq(error, "b.json:1:24: \"cpus\": the enclaves would take every "
			 "online CPU (0-7); leave one for the kernel");
	free(error);
}
END_TEST

/* A file in the temporary configuration directory. */
static void write_file(const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	file = fopen(path, "w");
	ck_assert_ptr_nonnull(file);
	fputs(text, file);
	fclose(file);
}

static void make_tmpdir(void)
{
	char path[PATH_MAX];

	setup();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/" CONFIG_ENCLAVES_DIR, tmpdir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	write_file(CONFIG_DAEMON_FILE, "{\"plugin_dir\": \"" PLUGINS "\", "
		   "\"agent_path\": \"/bin/sh\"}");
}

static void remove_tmpdir(void)
{
	char command[PATH_MAX + 16];

	snprintf(command, sizeof(command), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(command), 0);
}

/* Load the temporary directory: 0 or -1, and its first error in @error. */
static int load(struct daemon_config *config, char *error, size_t len)
{
	struct config_errors errors = { 0 };
	int ret = config_load(tmpdir, &machine, config, &errors);

	if (ret) {
		ck_assert_uint_ge(errors.nr, 1);
		/* Paths in messages are relative to the directory, for the test. */
		snprintf(error, len, "%s", errors.lines[0] + strlen(tmpdir) + 1);
	}
	config_errors_free(&errors);
	return ret;
}

START_TEST(directory_in_file_name_order)
{
	struct daemon_config config;
	char error[1024];

	write_file("enclaves.d/20-db.json", "{\"name\": \"db\", \"cpus\": \"4-7\", " POLICY "}");
	write_file("enclaves.d/10-web.json", "{" NAME ", " CPUS ", " POLICY "}");
	write_file("enclaves.d/README", "not JSON, not read");
	write_file("enclaves.d/30-off.json.disabled", "{");
	ck_assert_int_eq(load(&config, error, sizeof(error)), 0);
	ck_assert_uint_eq(config.nr_enclaves, 2);
	ck_assert(!config.builtin_enclave);
	ck_assert_str_eq(config.enclaves[0].name, "web");
	ck_assert_str_eq(config.enclaves[1].name, "db");
	ck_assert_str_eq(config.agent_path, "/bin/sh");
	config_free(&config);
}
END_TEST

START_TEST(directory_errors_name_the_file)
{
	struct daemon_config config;
	char error[1024];

	write_file("enclaves.d/web.json", "{" NAME ", " CPUS ",\n \"policy\": {}}");
	ck_assert_int_eq(load(&config, error, sizeof(error)), -1);
	ck_assert_str_eq(error, "enclaves.d/web.json:2:12: missing key \"policy.plugin\"");
	config_free(&config);
}
END_TEST

START_TEST(directory_checks_enclaves_together)
{
	struct daemon_config config;
	char error[1024];

	write_file("enclaves.d/a.json", "{" NAME ", " CPUS ", " POLICY "}");
	write_file("enclaves.d/b.json", "{\"name\": \"db\", \"cpus\": \"3\", " POLICY "}");
	ck_assert_int_eq(load(&config, error, sizeof(error)), -1);
	ck_assert_uint_eq(strncmp(error, "enclaves.d/b.json:1:24: \"cpus\": CPU 3 is "
				  "also in enclave \"web\" (", 64), 0);
	config_free(&config);
}
END_TEST

START_TEST(no_enclave_means_the_builtin_one)
{
	struct daemon_config config;
	char error[1024];

	/* The fixtures hold no fifo_centralized: its check fails, as it should. */
	ck_assert_int_eq(load(&config, error, sizeof(error)), -1);
	ck_assert_uint_eq(config.nr_enclaves, 1);
	ck_assert(config.builtin_enclave);
	ck_assert_str_eq(config.enclaves[0].name, "default");
	ck_assert_str_eq(cpus_of(&config.enclaves[0].cpus), "1-7");
	ck_assert_str_eq(config.enclaves[0].plugin, "fifo_centralized");
	ck_assert_uint_eq(config.enclaves[0].nr_rules, 0);
	config_free(&config);
}
END_TEST

START_TEST(missing_directory)
{
	struct config_errors errors = { 0 };
	struct daemon_config config;

	ck_assert_int_eq(config_load("/nonexistent/ghost", &machine, &config, &errors), -1);
	ck_assert_uint_eq(errors.nr, 1);
	ck_assert_str_eq(errors.lines[0], "/nonexistent/ghost: No such file or directory");
	config_errors_free(&errors);
	config_free(&config);
}
END_TEST

START_TEST(check_paths_sorts_what_it_is_given)
{
	struct config_errors errors = { 0 };
	char settings[PATH_MAX], good[PATH_MAX], bad[PATH_MAX], dir[PATH_MAX];
	char *paths[] = { good, settings, bad, dir };

	/* A loose settings file names the plugin directory for loose enclaves. */
	snprintf(settings, sizeof(settings), "%s/" CONFIG_DAEMON_FILE, tmpdir);
	snprintf(good, sizeof(good), "%s/good.json", tmpdir);
	snprintf(bad, sizeof(bad), "%s/bad.json", tmpdir);
	snprintf(dir, sizeof(dir), "%s/" CONFIG_ENCLAVES_DIR, tmpdir);
	write_file("good.json", "{" NAME ", " CPUS ", " POLICY "}");
	write_file("bad.json", "{" NAME ", " CPUS ", \"policy\": {\"plugin\": \"test_fifo\", "
		   "\"params\": {\"steal\": 2}}}");
	write_file("enclaves.d/db.json", "{\"name\": \"db\", \"cpus\": \"5\", " POLICY "}");
	ck_assert_int_eq(config_check_paths(paths, 4, "/nonexistent", &machine,
					    &errors), -1);
	ck_assert_uint_eq(errors.nr, 1);
	ck_assert_str_eq(errors.lines[0] + strlen(tmpdir) + 1,
			 "bad.json:1:86: \"policy.params.steal\": policy \"test_fifo\": "
			 "parameter \"steal\" must be true or false, got 2");
	config_errors_free(&errors);
	/* Without the bad one, the loose files are checked together: fine. */
	ck_assert_int_eq(config_check_paths(paths, 2, "/nonexistent", &machine,
					    &errors), 0);
	ck_assert_uint_eq(errors.nr, 0);
	/* And a configuration directory is checked as a whole. */
	paths[0] = tmpdir;
	ck_assert_int_eq(config_check_paths(paths, 1, "/nonexistent", &machine,
					    &errors), 0);
}
END_TEST

START_TEST(copies_are_deep)
{
	const char *text = "{" NAME ", " CPUS ", " POLICY ", \"onboard\": "
			   "[{\"cgroup\": \"/a\"}]}";
	struct config_errors errors = { 0 };
	struct enclave_config e, copy;

	ck_assert_int_eq(config_parse_enclave(text, strlen(text), "web.json", PLUGINS,
					      &machine, &e, &errors), 0);
	enclave_config_copy(&copy, &e);
	enclave_config_free(&e);
	ck_assert_str_eq(copy.rules[0].cgroup, "/a");
	ck_assert_str_eq(copy.source, "web.json");
	ck_assert(json_is_object(copy.params));
	enclave_config_free(&copy);
}
END_TEST

/* A file of the source tree, read whole. */
static char *read_source(const char *name)
{
	char path[PATH_MAX], *text;
	FILE *file;
	long len;

	snprintf(path, sizeof(path), "%s/%s", TEST_SOURCE_DIR, name);
	file = fopen(path, "r");
	ck_assert_ptr_nonnull(file);
	fseek(file, 0, SEEK_END);
	len = ftell(file);
	rewind(file);
	text = calloc(1, len + 1);
	ck_assert_int_eq(fread(text, 1, len, file), len);
	fclose(file);
	return text;
}

START_TEST(shipped_examples_are_valid)
{
	static const char *const examples[] = {
		"config/enclaves.d/batch.json", "config/enclaves.d/services.json",
	};
	struct enclave_config enclaves[2];
	struct config_errors errors = { 0 };
	struct daemon_config settings;
	char *text;

	config_defaults(&settings);
	text = read_source("config/ghostd.json");
	ck_assert_int_eq(config_parse_daemon(text, strlen(text), "ghostd.json",
					     &settings, &errors), 0);
	free(text);
	config_free(&settings);
	for (size_t i = 0; i < 2; i++) {
		text = read_source(examples[i]);
		ck_assert_int_eq(config_parse_enclave(text, strlen(text), examples[i],
						      TEST_POLICY_DIR, &machine,
						      &enclaves[i], &errors), 0);
		free(text);
	}
	ck_assert_int_eq(config_check_enclaves(enclaves, 2, &machine, &errors), 0);
	for (size_t i = 0; i < 2; i++)
		enclave_config_free(&enclaves[i]);
	ck_assert_uint_eq(errors.nr, 0);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, malformed_enclave, 0,
			    sizeof(bad_enclaves) / sizeof(bad_enclaves[0]));
	tcase_add_loop_test(tc, malformed_settings, 0,
			    sizeof(bad_settings) / sizeof(bad_settings[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("good");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, minimal_enclave_takes_defaults);
	tcase_add_test(tc, full_enclave);
	tcase_add_test(tc, settings_defaults_and_values);
	tcase_add_test(tc, copies_are_deep);
	tcase_add_test(tc, shipped_examples_are_valid);
	suite_add_tcase(s, tc);

	tc = tcase_create("between enclaves");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, enclaves_that_fit_together);
	tcase_add_test(tc, duplicate_names);
	tcase_add_test(tc, overlapping_cpus);
	tcase_add_test(tc, one_cpu_left_for_the_kernel);
	suite_add_tcase(s, tc);

	tc = tcase_create("directories");
	tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, directory_in_file_name_order);
	tcase_add_test(tc, directory_errors_name_the_file);
	tcase_add_test(tc, directory_checks_enclaves_together);
	tcase_add_test(tc, no_enclave_means_the_builtin_one);
	tcase_add_test(tc, missing_directory);
	tcase_add_test(tc, check_paths_sorts_what_it_is_given);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
