// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: the plugin loader accepts the shipped policies as they describe
 * themselves, and refuses every kind of broken plugin with one sentence
 * naming the plugin and its fault, the process carrying on: a name that
 * is a path, a plugin that does not exist (listing those that do), an SDK
 * version too new or too old, no descriptor, a call into an SDK function
 * the runtime lacks, a missing callback, an impossible parameter list, a
 * file named for another policy. Parameters are validated against the
 * descriptor: defaults, unknown names, wrong types and values out of
 * range each get their exact message. A policy whose init fails is
 * refused by the runtime with the policy's reason (or its errno), before
 * the enclave is touched, as is a centralized policy on one CPU.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/params.h"
#include "runtime/plugin.h"
#include "runtime/runtime.h"
#include "scripted_backend.h"

static char why[1024];

/* Load @name from @dir, expecting refusal with exactly @message. */
static void expect_refused(const char *dir, const char *name, const char *message)
{
	struct plugin *plugin = (struct plugin *)1;

	ck_assert_int_eq(plugin_load(dir, name, &plugin, why, sizeof(why)), -1);
	ck_assert_ptr_null(plugin);
	ck_assert_str_eq(why, message);
}

START_TEST(shipped_policies_load_as_they_describe_themselves)
{
	struct plugin *plugin;
	const struct ghost_policy_descriptor *d;

	ck_assert_int_eq(plugin_load(POLICY_DIR, "fifo_per_cpu", &plugin, why,
				     sizeof(why)), 0);
	d = plugin_descriptor(plugin);
	ck_assert_str_eq(plugin_name(plugin), "fifo_per_cpu");
	ck_assert_str_eq(plugin_model_name(d->model), "per_cpu");
	ck_assert_uint_eq(d->nr_params, 1);
	ck_assert_str_eq(d->params[0].name, "steal");
	ck_assert_int_eq(d->params[0].type, GHOST_PARAM_BOOL);
	plugin_unload(plugin);

	ck_assert_int_eq(plugin_load(POLICY_DIR, "fifo_centralized", &plugin, why,
				     sizeof(why)), 0);
	d = plugin_descriptor(plugin);
	ck_assert_str_eq(plugin_model_name(d->model), "centralized");
	ck_assert_str_eq(d->params[0].name, "time_slice_us");
	ck_assert_int_eq(d->params[0].max, 1000000);
	plugin_unload(plugin);
}
END_TEST

START_TEST(names_that_are_paths_are_refused)
{
	static const char *const bad[] = {
		"../evil", "a/b", "", "Fifo", "fifo.so",
		"a_name_that_is_far_too_long_to_be_one",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char message[256];

		snprintf(message, sizeof(message),
			 "\"%s\" is not a plugin name (a-z, 0-9 and '_', at most 31 characters)",
			 bad[i]);
		expect_refused(POLICY_DIR, bad[i], message);
	}
}
END_TEST

START_TEST(unknown_plugins_are_refused_naming_the_known_ones)
{
	expect_refused(POLICY_DIR, "nope",
		       "no plugin \"nope\" in " POLICY_DIR
		       " (it has: fifo_centralized, fifo_per_cpu, tutorial_fifo)");
	expect_refused("/nonexistent", "nope",
		       "no plugin \"nope\": cannot read /nonexistent: No such file or directory");
}
END_TEST

START_TEST(wrong_sdk_versions_are_refused)
{
	expect_refused(TEST_POLICY_DIR, "abi_too_new",
		       "plugin \"abi_too_new\" needs policy SDK 2 or later; this runtime serves 1..1");
	expect_refused(TEST_POLICY_DIR, "abi_too_old",
		       "plugin \"abi_too_old\" was built for policy SDK 0; this runtime serves 1..1");
}
END_TEST

START_TEST(a_plugin_without_descriptor_is_refused)
{
	expect_refused(TEST_POLICY_DIR, "no_descriptor",
		       "plugin \"no_descriptor\" (" TEST_POLICY_DIR
		       "/no_descriptor.so) is not a ghost policy: it exports no ghost_policy_descriptor");
}
END_TEST

START_TEST(a_plugin_needing_a_missing_symbol_is_refused)
{
	struct plugin *plugin;

	ck_assert_int_eq(plugin_load(TEST_POLICY_DIR, "missing_symbol", &plugin,
				     why, sizeof(why)), -1);
	ck_assert_msg(!strncmp(why, "plugin \"missing_symbol\" cannot be loaded: ", 42) &&
		      strstr(why, "undefined symbol: ghost_task_qos"), "%s", why);
}
END_TEST

START_TEST(a_plugin_missing_a_callback_is_refused)
{
	expect_refused(TEST_POLICY_DIR, "missing_callback",
		       "plugin \"missing_callback\" lacks the callback pick_next, which per_cpu policies need");
}
END_TEST

START_TEST(an_impossible_parameter_list_is_refused)
{
	expect_refused(TEST_POLICY_DIR, "bad_param_spec",
		       "policy \"bad_param_spec\": parameter \"depth\" has default 0 outside its range 1..8");
}
END_TEST

START_TEST(a_misnamed_plugin_is_refused)
{
	expect_refused(TEST_POLICY_DIR, "wrong_name",
		       "plugin file wrong_name.so describes itself as \"someone_else\"");
}
END_TEST

/* Parse @json as fifo_centralized's params; 0, or -1 with @why. */
static int parse(const char *plugin, const char *json, int64_t *values)
{
	struct plugin *pl;
	json_t *params = json ? json_loads(json, JSON_DECODE_ANY, NULL) : NULL;
	int ret;

	ck_assert_int_eq(plugin_load(POLICY_DIR, plugin, &pl, why, sizeof(why)), 0);
	ret = params_parse(plugin_descriptor(pl), params, values, why, sizeof(why));
	json_decref(params);
	plugin_unload(pl);
	return ret;
}

START_TEST(parameters_take_defaults_and_given_values)
{
	int64_t values[GHOST_POLICY_MAX_PARAMS];

	ck_assert_int_eq(parse("fifo_centralized", NULL, values), 0);
	ck_assert_int_eq(values[0], 0);
	ck_assert_int_eq(parse("fifo_centralized", "{}", values), 0);
	ck_assert_int_eq(values[0], 0);
	ck_assert_int_eq(parse("fifo_centralized", "{\"time_slice_us\": 500}", values), 0);
	ck_assert_int_eq(values[0], 500);
	ck_assert_int_eq(parse("fifo_per_cpu", NULL, values), 0);
	ck_assert_int_eq(values[0], 1);
	ck_assert_int_eq(parse("fifo_per_cpu", "{\"steal\": false}", values), 0);
	ck_assert_int_eq(values[0], 0);
}
END_TEST

static const struct {
	const char *plugin;
	const char *params;
	const char *message;
} bad_params[] = {
	{ "fifo_centralized", "{\"time_slice_us\": 5000000}",
	  "policy \"fifo_centralized\": parameter \"time_slice_us\" must be an integer in 0..1000000, got 5000000" },
	{ "fifo_centralized", "{\"time_slice_us\": -1}",
	  "policy \"fifo_centralized\": parameter \"time_slice_us\" must be an integer in 0..1000000, got -1" },
	{ "fifo_centralized", "{\"time_slice_us\": \"fast\"}",
	  "policy \"fifo_centralized\": parameter \"time_slice_us\" must be an integer in 0..1000000, got the string \"fast\"" },
	{ "fifo_centralized", "{\"time_slice_us\": 1.5}",
	  "policy \"fifo_centralized\": parameter \"time_slice_us\" must be an integer in 0..1000000, got 1.5" },
	{ "fifo_centralized", "{\"slice\": 1}",
	  "policy \"fifo_centralized\" has no parameter \"slice\" (its parameters: time_slice_us)" },
	{ "fifo_centralized", "[1]",
	  "policy \"fifo_centralized\": params must be an object, got an array" },
	{ "fifo_per_cpu", "{\"steal\": 1}",
	  "policy \"fifo_per_cpu\": parameter \"steal\" must be true or false, got 1" },
	{ "fifo_per_cpu", "{\"steal\": null}",
	  "policy \"fifo_per_cpu\": parameter \"steal\" must be true or false, got null" },
};

START_TEST(bad_parameters_are_refused_naming_type_and_range)
{
	int64_t values[GHOST_POLICY_MAX_PARAMS];

	ck_assert_int_eq(parse(bad_params[_i].plugin, bad_params[_i].params, values), -1);
	ck_assert_str_eq(why, bad_params[_i].message);
}
END_TEST

START_TEST(parameters_describe_themselves)
{
	const struct ghost_param_spec slice = {
		.name = "s", .type = GHOST_PARAM_INT, .min = 0, .max = 10, .def = 3,
	};
	const struct ghost_param_spec steal = {
		.name = "b", .type = GHOST_PARAM_BOOL, .def = 1,
	};

	params_describe(&slice, why, sizeof(why));
	ck_assert_str_eq(why, "integer 0..10, default 3");
	params_describe(&steal, why, sizeof(why));
	ck_assert_str_eq(why, "boolean, default true");
}
END_TEST

/* rt_create over a fresh scripted enclave of CPUs 1..@last. */
static int create(const char *dir, const char *plugin, const char *params,
		  int last, struct scripted_backend **sb)
{
	struct runtime *rt = (struct runtime *)1;
	json_t *p = params ? json_loads(params, 0, NULL) : NULL;
	int ret;

	*sb = sb_create(4, 1, last);
	ret = rt_create(&rt, &(*sb)->base, dir, plugin, p, why, sizeof(why));
	json_decref(p);
	if (!ret)
		rt_destroy(rt);
	else
		ck_assert_ptr_null(rt);
	return ret;
}

START_TEST(a_failing_init_is_refused_with_its_reason)
{
	struct scripted_backend *sb;

	ck_assert_int_eq(create(TEST_POLICY_DIR, "init_fails", NULL, 3, &sb), -1);
	ck_assert_str_eq(why, "plugin \"init_fails\" failed to initialise: needs 64 CPUs, the enclave has 3");
	/* Refused before the enclave was touched: no queue, no default. */
	ck_assert_int_eq(sb->nr_queues, 0);
	sb_free(sb);

	ck_assert_int_eq(create(TEST_POLICY_DIR, "init_fails", "{\"say_why\": false}", 3, &sb), -1);
	ck_assert_str_eq(why, "plugin \"init_fails\" failed to initialise: No such device");
	sb_free(sb);
}
END_TEST

START_TEST(a_centralized_policy_needs_two_cpus)
{
	struct scripted_backend *sb;

	ck_assert_int_eq(create(POLICY_DIR, "fifo_centralized", NULL, 1, &sb), -1);
	ck_assert_str_eq(why, "plugin \"fifo_centralized\" is centralized and needs at least 2 CPUs (one for its agent); the enclave has 1");
	sb_free(sb);
	ck_assert_int_eq(create(POLICY_DIR, "fifo_per_cpu", NULL, 1, &sb), 0);
	sb_free(sb);
}
END_TEST

START_TEST(bad_params_are_refused_by_the_runtime_too)
{
	struct scripted_backend *sb;

	ck_assert_int_eq(create(POLICY_DIR, "fifo_per_cpu", "{\"stael\": true}", 3, &sb), -1);
	ck_assert_str_eq(why, "policy \"fifo_per_cpu\" has no parameter \"stael\" (its parameters: steal)");
	ck_assert_int_eq(sb->nr_queues, 0);
	sb_free(sb);
}
END_TEST

START_TEST(plugins_load_again_after_refusals)
{
	struct plugin *a, *b;

	for (int i = 0; i < 3; i++)
		expect_refused(TEST_POLICY_DIR, "wrong_name",
			       "plugin file wrong_name.so describes itself as \"someone_else\"");
	ck_assert_int_eq(plugin_load(POLICY_DIR, "fifo_per_cpu", &a, why, sizeof(why)), 0);
	ck_assert_int_eq(plugin_load(POLICY_DIR, "fifo_per_cpu", &b, why, sizeof(why)), 0);
	ck_assert_ptr_eq(plugin_descriptor(a)->task_new, plugin_descriptor(b)->task_new);
	plugin_unload(a);
	plugin_unload(b);
}
END_TEST

static Suite *loader_suite(void)
{
	Suite *s = suite_create("plugin loader");
	TCase *load = tcase_create("loading");
	TCase *params = tcase_create("parameters");
	TCase *init = tcase_create("initialisation");

	tcase_add_test(load, shipped_policies_load_as_they_describe_themselves);
	tcase_add_test(load, names_that_are_paths_are_refused);
	tcase_add_test(load, unknown_plugins_are_refused_naming_the_known_ones);
	tcase_add_test(load, wrong_sdk_versions_are_refused);
	tcase_add_test(load, a_plugin_without_descriptor_is_refused);
	tcase_add_test(load, a_plugin_needing_a_missing_symbol_is_refused);
	tcase_add_test(load, a_plugin_missing_a_callback_is_refused);
	tcase_add_test(load, an_impossible_parameter_list_is_refused);
	tcase_add_test(load, a_misnamed_plugin_is_refused);
	tcase_add_test(load, plugins_load_again_after_refusals);
	tcase_add_test(params, parameters_take_defaults_and_given_values);
	tcase_add_loop_test(params, bad_parameters_are_refused_naming_type_and_range,
			    0, sizeof(bad_params) / sizeof(bad_params[0]));
	tcase_add_test(params, parameters_describe_themselves);
	tcase_add_test(init, a_failing_init_is_refused_with_its_reason);
	tcase_add_test(init, a_centralized_policy_needs_two_cpus);
	tcase_add_test(init, bad_params_are_refused_by_the_runtime_too);
	suite_add_tcase(s, load);
	suite_add_tcase(s, params);
	suite_add_tcase(s, init);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(loader_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
