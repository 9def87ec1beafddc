// SPDX-License-Identifier: GPL-2.0
/*
 * ghostd's configuration: see config.h and config/README.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cpulist.h"
#include "common/xalloc.h"
#include "config.h"

/* Generous: a real configuration file is a few hundred bytes. */
#define CONFIG_FILE_MAX		(1 << 20)
#define CONFIG_ONLINE_PATH	"/sys/devices/system/cpu/online"
/* The kernel's PID_MAX_LIMIT on 64-bit machines. */
#define CONFIG_PID_MAX		4194304
/* (uid_t)-1 means "no uid" to the kernel. */
#define CONFIG_UID_MAX		4294967294ULL

/* One file being parsed: where errors go and how to locate them. */
struct parser {
	const char *source;
	const struct srcmap *map;
	struct config_errors *errors;
};

static void errors_add(struct config_errors *errors, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void errors_add(struct config_errors *errors, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	errors->lines = xrealloc(errors->lines,
				 (errors->nr + 1) * sizeof(*errors->lines));
	errors->lines[errors->nr++] = xstrdup(line);
}

void config_errors_free(struct config_errors *errors)
{
	for (size_t i = 0; i < errors->nr; i++)
		free(errors->lines[i]);
	free(errors->lines);
	errors->lines = NULL;
	errors->nr = 0;
}

/* Record "SOURCE:LINE:COLUMN: "KEY": ..." (no key part if @key is NULL). */
static int fail(struct parser *p, struct srcpos at, const char *key,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct parser *p, struct srcpos at, const char *key,
		const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (key)
		errors_add(p->errors, "%s:%d:%d: \"%s\": %s", p->source, at.line,
			   at.column, key, what);
	else
		errors_add(p->errors, "%s:%d:%d: %s", p->source, at.line,
			   at.column, what);
	return -1;
}

/* How a value reads in "got ..." ("a string" would say too little). */
static void describe(const json_t *value, char *buf, size_t len)
{
	char *text;

	switch (json_typeof(value)) {
	case JSON_OBJECT:
		snprintf(buf, len, "an object");
		return;
	case JSON_ARRAY:
		snprintf(buf, len, "an array");
		return;
	default:
		text = json_dumps(value, JSON_ENCODE_ANY);
		if (strlen(text) > 48)
			snprintf(buf, len, "%.44s...", text);
		else
			snprintf(buf, len, "%s", text);
		free(text);
	}
}

/* "a.b", "a[2]": the key path shown in messages. */
static void key_path(char *buf, size_t len, const char *parent, const char *key)
{
	if (parent && *parent)
		snprintf(buf, len, "%s.%s", parent, key);
	else
		snprintf(buf, len, "%s", key);
}

/* Reject keys of @object not in @known (NULL-terminated). */
static int check_keys(struct parser *p, const json_t *object, const char *path,
		      const char *const known[])
{
	char list[256] = "", full[256];
	size_t used = 0, i;
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)object, key, value) {
		for (i = 0; known[i] && strcmp(key, known[i]); i++)
			;
		if (known[i])
			continue;
		for (i = 0; known[i]; i++)
			used += snprintf(list + used, sizeof(list) - used, "%s%s",
					 i ? ", " : "", known[i]);
		key_path(full, sizeof(full), path, key);
		return fail(p, srcmap_key(p->map, object, key), NULL,
			    "unknown key \"%s\" (known: %s)", full, list);
	}
	return 0;
}

/* The member @key of @object, or NULL with an error if it is missing. */
static json_t *require(struct parser *p, const json_t *object, const char *path,
		       const char *key)
{
	json_t *value = json_object_get(object, key);
	char full[256];

	if (!value) {
		key_path(full, sizeof(full), path, key);
		fail(p, srcmap_container(p->map, object), NULL,
		     "missing key \"%s\"", full);
	}
	return value;
}

/* A member that is not of the expected type: say what it should be. */
static int fail_type(struct parser *p, const json_t *object, const char *path,
		     const char *key, const char *expected)
{
	char got[64], full[256];

	key_path(full, sizeof(full), path, key);
	describe(json_object_get(object, key), got, sizeof(got));
	return fail(p, srcmap_member(p->map, object, key), full,
		    "expected %s, got %s", expected, got);
}

/* Optional integer member @key in [@min, @max]; @value keeps its default. */
static int parse_uint(struct parser *p, const json_t *object, const char *path,
		      const char *key, unsigned long long min,
		      unsigned long long max, unsigned long long *value)
{
	json_t *member = json_object_get(object, key);
	char expected[96];

	if (!member)
		return 0;
	snprintf(expected, sizeof(expected), "an integer from %llu to %llu",
		 min, max);
	if (!json_is_integer(member) || json_integer_value(member) < 0 ||
	    (unsigned long long)json_integer_value(member) < min ||
	    (unsigned long long)json_integer_value(member) > max)
		return fail_type(p, object, path, key, expected);
	*value = json_integer_value(member);
	return 0;
}

static int parse_unsigned(struct parser *p, const json_t *object,
			  const char *path, const char *key, unsigned min,
			  unsigned max, unsigned *value)
{
	unsigned long long wide = *value;

	if (parse_uint(p, object, path, key, min, max, &wide))
		return -1;
	*value = wide;
	return 0;
}

/* Optional string member @key of @min..@max bytes; NULL if absent. */
static int parse_string(struct parser *p, const json_t *object,
			const char *path, const char *key, size_t min,
			size_t max, const char *expected, const char **value)
{
	json_t *member = json_object_get(object, key);

	*value = NULL;
	if (!member)
		return 0;
	if (!json_is_string(member) || json_string_length(member) < min ||
	    json_string_length(member) > max ||
	    strlen(json_string_value(member)) != json_string_length(member))
		return fail_type(p, object, path, key, expected);
	*value = json_string_value(member);
	return 0;
}

/*
 * Optional absolute path member @key, replacing *@value if present; it
 * must name a directory, or an executable file if @executable.
 */
static int parse_path(struct parser *p, const json_t *object, const char *key,
		      bool executable, char **value)
{
	const char *expected = executable ? "the absolute path of a program" :
				"the absolute path of a directory";
	const char *text;
	struct stat st;

	if (parse_string(p, object, NULL, key, 1, PATH_MAX - 1, expected, &text))
		return -1;
	if (!text)
		return 0;
	if (text[0] != '/')
		return fail_type(p, object, NULL, key, expected);
	if (stat(text, &st))
		return fail(p, srcmap_member(p->map, object, key), key, "%s: %s",
			    text, strerror(errno));
	if (executable ? !S_ISREG(st.st_mode) || access(text, X_OK) :
			 !S_ISDIR(st.st_mode))
		return fail(p, srcmap_member(p->map, object, key), key,
			    "%s is not %s", text,
			    executable ? "an executable file" : "a directory");
	free(*value);
	*value = xstrdup(text);
	return 0;
}

/* Read @path whole into a NUL-terminated buffer; NULL with errno. */
static char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st))
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	text = xmalloc(st.st_size + 1);
	n = read(fd, text, st.st_size);
	if (n < 0)
		goto fail;
	text[n] = '\0';
	*len = n;
	close(fd);
	return text;
fail:
	free(text);
	close(fd);
	return NULL;
}

/*
 * Parse @text as a JSON object with duplicate keys refused, and map its
 * positions. NULL with the error recorded if it is not one.
 */
static json_t *load_object(struct parser *p, const char *text, size_t len,
			   struct srcmap **map, const char *what)
{
	json_error_t error;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
	char got[64];

	if (!root) {
		errors_add(p->errors, "%s:%d:%d: %s", p->source, error.line,
			   error.column, error.text);
		return NULL;
	}
	*map = srcmap_build(text, len, root);
	p->map = *map;
	if (!json_is_object(root)) {
		describe(root, got, sizeof(got));
		fail(p, srcmap_container(*map, root), NULL,
		     "expected an object (%s), got %s", what, got);
		json_decref(root);
		srcmap_free(*map);
		*map = NULL;
		return NULL;
	}
	return root;
}

void config_defaults(struct daemon_config *config)
{
	memset(config, 0, sizeof(*config));
	config->plugin_dir = xstrdup(CONFIG_PLUGIN_DIR_DEFAULT);
	config->agent_path = xstrdup(CONFIG_AGENT_PATH_DEFAULT);
	config->socket_group = xstrdup(CONFIG_SOCKET_GROUP_DEFAULT);
	config->log_level = LOG_LEVEL_INFO;
	config->crash_limit = CONFIG_CRASH_LIMIT_DEFAULT;
	config->crash_window_s = CONFIG_CRASH_WINDOW_DEFAULT;
}

static const char *const daemon_keys[] = {
	"plugin_dir", "agent_path", "socket_group", "log_level", "crash_limit",
	"crash_window_s", "liveness_grace_ms", NULL
};

static int parse_daemon_object(struct parser *p, const json_t *root,
			       struct daemon_config *config)
{
	const char *text;
	int level;

	if (check_keys(p, root, NULL, daemon_keys) ||
	    parse_path(p, root, "plugin_dir", false, &config->plugin_dir) ||
	    parse_path(p, root, "agent_path", true, &config->agent_path) ||
	    parse_string(p, root, NULL, "socket_group", 1, 32,
			 "a group name of 1 to 32 characters", &text))
		return -1;
	if (text) {
		free(config->socket_group);
		config->socket_group = xstrdup(text);
	}
	if (parse_string(p, root, NULL, "log_level", 1, 16,
			 "one of error, warn, notice, info, debug", &text))
		return -1;
	if (text) {
		level = log_level_from_name(text);
		if (level < 0)
			return fail_type(p, root, NULL, "log_level",
					 "one of error, warn, notice, info, debug");
		config->log_level = level;
	}
	return parse_unsigned(p, root, NULL, "crash_limit", 1,
			      CONFIG_CRASH_LIMIT_MAX, &config->crash_limit) ||
	       parse_unsigned(p, root, NULL, "crash_window_s", 1,
			      CONFIG_CRASH_WINDOW_MAX, &config->crash_window_s) ||
	       parse_unsigned(p, root, NULL, "liveness_grace_ms", 0,
			      CONFIG_LIVENESS_GRACE_MAX, &config->liveness_grace_ms) ?
	       -1 : 0;
}

int config_parse_daemon(const char *text, size_t len, const char *source,
			struct daemon_config *config, struct config_errors *errors)
{
	struct parser p = { .source = source, .errors = errors };
	struct srcmap *map = NULL;
	json_t *root = load_object(&p, text, len, &map, "the daemon's settings");
	int ret;

	if (!root)
		return -1;
	ret = parse_daemon_object(&p, root, config);
	json_decref(root);
	srcmap_free(map);
	return ret;
}

/* Enclave names as the kernel takes them: [A-Za-z0-9_.-], 1..31. */
static bool enclave_name_valid(const char *name)
{
	size_t len = strlen(name);

	return len >= 1 && len < GHOST_NAME_MAX &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_.-") == len;
}

/* "CPU 7 is" or "CPUs 7-9 are", for messages about a set. */
static void cpus_phrase(const cpu_set_t *set, char *buf, size_t len,
			const char *one, const char *many)
{
	char list[256];

	cpulist_format(set, list, sizeof(list));
	snprintf(buf, len, CPU_COUNT(set) == 1 ? "CPU %s %s" : "CPUs %s %s",
		 list, CPU_COUNT(set) == 1 ? one : many);
}

static int parse_cpus(struct parser *p, const json_t *root,
		      const struct config_machine *machine,
		      struct enclave_config *enclave)
{
	const char *text;
	char why[128], phrase[300], online[256];
	cpu_set_t offline;

	if (!require(p, root, NULL, "cpus") ||
	    parse_string(p, root, NULL, "cpus", 0, 4096,
			 "a CPU list such as \"1-3,5\"", &text))
		return -1;
	enclave->cpus_at = srcmap_member(p->map, root, "cpus");
	if (cpulist_parse(text, &enclave->cpus, why, sizeof(why)))
		return fail(p, enclave->cpus_at, "cpus", "\"%s\": %s", text, why);
	CPU_XOR(&offline, &enclave->cpus, &machine->online);
	CPU_AND(&offline, &offline, &enclave->cpus);
	if (CPU_COUNT(&offline)) {
		cpus_phrase(&offline, phrase, sizeof(phrase), "is", "are");
		return fail(p, enclave->cpus_at, "cpus", "%s not online (online: %s)",
			    phrase, cpulist_format(&machine->online, online,
						   sizeof(online)));
	}
	return 0;
}

static const char *const policy_keys[] = { "plugin", "params", NULL };

/* Where a plugin's complaint about @param points: its value if given. */
static int fail_plugin(struct parser *p, const json_t *policy,
		       const json_t *params, const struct plugin_problem *problem)
{
	char key[256];

	if (!problem->param[0])
		return fail(p, srcmap_member(p->map, policy, "plugin"),
			    "policy.plugin", "%s", problem->why);
	snprintf(key, sizeof(key), "policy.params.%s", problem->param);
	if (json_object_get(params, problem->param))
		return fail(p, srcmap_member(p->map, params, problem->param), key,
			    "%s", problem->why);
	if (json_object_get(policy, "params"))
		return fail(p, srcmap_member(p->map, policy, "params"), key, "%s",
			    problem->why);
	return fail(p, srcmap_container(p->map, policy), key, "%s", problem->why);
}

static int parse_policy(struct parser *p, const json_t *root,
			const char *plugin_dir, struct enclave_config *enclave)
{
	json_t *policy = require(p, root, NULL, "policy"), *params;
	struct plugin_problem problem;
	const char *plugin;

	if (!policy)
		return -1;
	if (!json_is_object(policy))
		return fail_type(p, root, NULL, "policy",
				 "an object with \"plugin\" and \"params\"");
	if (check_keys(p, policy, "policy", policy_keys) ||
	    !require(p, policy, "policy", "plugin") ||
	    parse_string(p, policy, "policy", "plugin", 1, PLUGIN_NAME_MAX - 1,
			 "a plugin name", &plugin))
		return -1;
	params = json_object_get(policy, "params");
	if (params && !json_is_object(params))
		return fail_type(p, policy, "policy", "params", "an object");
	snprintf(enclave->plugin, sizeof(enclave->plugin), "%s", plugin);
	enclave->params = params ? json_deep_copy(params) : json_object();
	/* The plugin's own descriptor judges the name and the parameters. */
	if (plugin_check(plugin_dir, plugin, enclave->params, &problem))
		return fail_plugin(p, policy, params, &problem);
	return 0;
}

static const char *const rule_keys[] = {
	"pid", "comm", "comm_prefix", "cgroup", "uid", NULL
};

static int parse_rule(struct parser *p, const json_t *object, const char *path,
		      struct onboard_rule *rule)
{
	unsigned long long number;
	const char *text;
	char comm_expected[96];

	if (check_keys(p, object, path, rule_keys))
		return -1;
	if (json_object_get(object, "pid")) {
		if (parse_uint(p, object, path, "pid", 1, CONFIG_PID_MAX, &number))
			return -1;
		rule->facts |= RULE_PID;
		rule->pid = number;
	}
	snprintf(comm_expected, sizeof(comm_expected),
		 "1 to %d characters (the kernel keeps no more of a name)",
		 RULE_COMM_MAX);
	if (parse_string(p, object, path, "comm", 1, RULE_COMM_MAX,
			 comm_expected, &text))
		return -1;
	if (text) {
		rule->facts |= RULE_COMM;
		snprintf(rule->comm, sizeof(rule->comm), "%s", text);
	}
	if (parse_string(p, object, path, "comm_prefix", 1, RULE_COMM_MAX,
			 comm_expected, &text))
		return -1;
	if (text) {
		if (rule->facts & RULE_COMM)
			return fail(p, srcmap_key(p->map, object, "comm_prefix"),
				    path, "\"comm\" and \"comm_prefix\" exclude each other");
		rule->facts |= RULE_COMM_PREFIX;
		snprintf(rule->comm, sizeof(rule->comm), "%s", text);
	}
	if (parse_string(p, object, path, "cgroup", 1, PATH_MAX - 1,
			 "an absolute cgroup path such as \"/system.slice\"", &text))
		return -1;
	if (text) {
		size_t len = strlen(text);

		if (text[0] != '/')
			return fail_type(p, object, path, "cgroup",
					 "an absolute cgroup path such as \"/system.slice\"");
		/* "/a/b/" is "/a/b"; "/" stays. */
		while (len > 1 && text[len - 1] == '/')
			len--;
		rule->facts |= RULE_CGROUP;
		rule->cgroup = xasprintf("%.*s", (int)len, text);
	}
	if (json_object_get(object, "uid")) {
		if (parse_uint(p, object, path, "uid", 0, CONFIG_UID_MAX, &number))
			return -1;
		rule->facts |= RULE_UID;
		rule->uid = number;
	}
	if (!rule->facts)
		return fail(p, srcmap_container(p->map, object), path,
			    "a rule needs at least one of pid, comm, comm_prefix, "
			    "cgroup, uid");
	return 0;
}

static int parse_onboard(struct parser *p, const json_t *root,
			 struct enclave_config *enclave)
{
	json_t *list = json_object_get(root, "onboard");
	char got[64], path[64];

	if (!list)
		return 0;
	if (!json_is_array(list))
		return fail_type(p, root, NULL, "onboard", "an array of rules");
	enclave->rules = xcalloc(json_array_size(list), sizeof(*enclave->rules));
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *object = json_array_get(list, i);

		snprintf(path, sizeof(path), "onboard[%zu]", i);
		if (!json_is_object(object)) {
			describe(object, got, sizeof(got));
			return fail(p, srcmap_element(p->map, list, i), path,
				    "expected a rule object, got %s", got);
		}
		/* Count it first so that config_free frees what it holds. */
		enclave->nr_rules++;
		if (parse_rule(p, object, path, &enclave->rules[i]))
			return -1;
	}
	return 0;
}

static const char *const enclave_keys[] = {
	"name", "cpus", "watchdog_ms", "max_tasks", "policy", "onboard", NULL
};

static int parse_enclave_object(struct parser *p, const json_t *root,
				const char *plugin_dir,
				const struct config_machine *machine,
				struct enclave_config *enclave)
{
	const char *name;

	if (check_keys(p, root, NULL, enclave_keys) ||
	    !require(p, root, NULL, "name") ||
	    parse_string(p, root, NULL, "name", 1, GHOST_NAME_MAX - 1,
			 "1 to 31 characters of [A-Za-z0-9_.-]", &name))
		return -1;
	if (!enclave_name_valid(name))
		return fail_type(p, root, NULL, "name",
				 "1 to 31 characters of [A-Za-z0-9_.-]");
	snprintf(enclave->name, sizeof(enclave->name), "%s", name);
	enclave->name_at = srcmap_member(p->map, root, "name");
	if (parse_cpus(p, root, machine, enclave) ||
	    parse_unsigned(p, root, NULL, "watchdog_ms", CONFIG_WATCHDOG_MIN,
			   CONFIG_WATCHDOG_MAX, &enclave->watchdog_ms) ||
	    parse_unsigned(p, root, NULL, "max_tasks", 1, CONFIG_MAX_TASKS_MAX,
			   &enclave->max_tasks))
		return -1;
	if (json_object_get(root, "max_tasks"))
		enclave->max_tasks_at = srcmap_member(p->map, root, "max_tasks");
	else
		enclave->max_tasks_at = srcmap_container(p->map, root);
	return parse_policy(p, root, plugin_dir, enclave) ||
	       parse_onboard(p, root, enclave) ? -1 : 0;
}

static void enclave_config_init(struct enclave_config *enclave, const char *source)
{
	memset(enclave, 0, sizeof(*enclave));
	enclave->watchdog_ms = CONFIG_WATCHDOG_DEFAULT;
	enclave->max_tasks = CONFIG_MAX_TASKS_DEFAULT;
	enclave->source = xstrdup(source);
}

int config_parse_enclave(const char *text, size_t len, const char *source,
			 const char *plugin_dir, const struct config_machine *machine,
			 struct enclave_config *enclave, struct config_errors *errors)
{
	struct parser p = { .source = source, .errors = errors };
	struct srcmap *map = NULL;
	json_t *root;
	int ret;

	enclave_config_init(enclave, source);
	root = load_object(&p, text, len, &map, "one enclave");
	if (!root)
		return -1;
	ret = parse_enclave_object(&p, root, plugin_dir, machine, enclave);
	json_decref(root);
	srcmap_free(map);
	return ret;
}

int config_check_enclaves(const struct enclave_config *enclaves, size_t nr,
			  const struct config_machine *machine,
			  struct config_errors *errors)
{
	cpu_set_t taken, left;
	char phrase[300], list[256];
	size_t nr_errors = errors->nr;

	CPU_ZERO(&taken);
	for (size_t i = 0; i < nr; i++) {
		const struct enclave_config *e = &enclaves[i];
		struct parser p = { .source = e->source, .errors = errors };

		for (size_t j = 0; j < i; j++) {
			const struct enclave_config *other = &enclaves[j];
			cpu_set_t shared;

			if (!strcmp(e->name, other->name)) {
				fail(&p, e->name_at, "name",
				     "enclave \"%s\" is already defined at %s:%d:%d",
				     e->name, other->source, other->name_at.line,
				     other->name_at.column);
				break;
			}
			CPU_AND(&shared, &e->cpus, &other->cpus);
			if (CPU_COUNT(&shared)) {
				cpus_phrase(&shared, phrase, sizeof(phrase), "is",
					    "are");
				fail(&p, e->cpus_at, "cpus",
				     "%s also in enclave \"%s\" (%s:%d:%d)", phrase,
				     other->name, other->source, other->cpus_at.line,
				     other->cpus_at.column);
				break;
			}
		}
		CPU_OR(&taken, &taken, &e->cpus);
	}
	if (nr && errors->nr == nr_errors) {
		/* The kernel keeps one online CPU outside enclaves (ENOSPC). */
		CPU_XOR(&left, &machine->online, &taken);
		CPU_AND(&left, &left, &machine->online);
		if (!CPU_COUNT(&left)) {
			const struct enclave_config *last = &enclaves[nr - 1];
			struct parser p = { .source = last->source, .errors = errors };

			fail(&p, last->cpus_at, "cpus",
			     "the enclaves would take every online CPU (%s); "
			     "leave one for the kernel",
			     cpulist_format(&machine->online, list, sizeof(list)));
		}
	}
	return errors->nr == nr_errors ? 0 : -1;
}

int config_machine_read(struct config_machine *machine, char *why, size_t len)
{
	char text[4096], reason[128];
	size_t n;
	FILE *file = fopen(CONFIG_ONLINE_PATH, "re");

	if (!file) {
		snprintf(why, len, "%s: %s", CONFIG_ONLINE_PATH, strerror(errno));
		return -1;
	}
	n = fread(text, 1, sizeof(text) - 1, file);
	fclose(file);
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	if (cpulist_parse(text, &machine->online, reason, sizeof(reason))) {
		snprintf(why, len, "%s: %s", CONFIG_ONLINE_PATH, reason);
		return -1;
	}
	return 0;
}

/* Parse the daemon's settings at @path into @config, if the file exists. */
static int load_daemon_file(const char *path, bool may_be_absent,
			    struct daemon_config *config,
			    struct config_errors *errors)
{
	size_t len;
	char *text = read_file(path, &len);
	int ret;

	if (!text) {
		if (errno == ENOENT && may_be_absent)
			return 0;
		errors_add(errors, "%s: %s", path, strerror(errno));
		return -1;
	}
	ret = config_parse_daemon(text, len, path, config, errors);
	free(text);
	return ret;
}

/* Append the enclave in file @path to @config. */
static int load_enclave_file(const char *path, const char *plugin_dir,
			     const struct config_machine *machine,
			     struct daemon_config *config,
			     struct config_errors *errors)
{
	struct enclave_config *enclave;
	size_t len;
	char *text = read_file(path, &len);
	int ret;

	if (!text) {
		errors_add(errors, "%s: %s", path, strerror(errno));
		return -1;
	}
	config->enclaves = xrealloc(config->enclaves, (config->nr_enclaves + 1) *
				    sizeof(*config->enclaves));
	enclave = &config->enclaves[config->nr_enclaves++];
	ret = config_parse_enclave(text, len, path, plugin_dir, machine, enclave,
				   errors);
	free(text);
	return ret;
}

static int json_file_filter(const struct dirent *entry)
{
	size_t len = strlen(entry->d_name);

	return entry->d_name[0] != '.' && len > 5 &&
	       !strcmp(entry->d_name + len - 5, ".json");
}

/*
 * Append every *.json of directory @dir, in file-name order. 0 if the
 * directory is absent and @may_be_absent; -1 if any file failed.
 */
static int load_enclave_dir(const char *dir, bool may_be_absent,
			    const char *plugin_dir,
			    const struct config_machine *machine,
			    struct daemon_config *config,
			    struct config_errors *errors)
{
	struct dirent **entries;
	int n = scandir(dir, &entries, json_file_filter, alphasort), ret = 0;

	if (n < 0) {
		if (errno == ENOENT && may_be_absent)
			return 0;
		errors_add(errors, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, entries[i]->d_name);

		if (load_enclave_file(path, plugin_dir, machine, config, errors))
			ret = -1;
		free(path);
		free(entries[i]);
	}
	free(entries);
	return ret;
}

/* The built-in enclave: every online CPU but CPU 0, centralized FIFO. */
static int add_builtin_enclave(const struct config_machine *machine,
			       struct daemon_config *config,
			       struct config_errors *errors)
{
	struct enclave_config *enclave;
	struct plugin_problem problem;
	cpu_set_t cpus = machine->online;

	CPU_CLR(0, &cpus);
	if (!CPU_COUNT(&cpus)) {
		log_notice("only CPU 0 is online: no room for the %s",
			   CONFIG_BUILTIN_SOURCE);
		return 0;
	}
	config->enclaves = xcalloc(1, sizeof(*config->enclaves));
	enclave = &config->enclaves[0];
	config->nr_enclaves = 1;
	config->builtin_enclave = true;
	enclave_config_init(enclave, CONFIG_BUILTIN_SOURCE);
	snprintf(enclave->name, sizeof(enclave->name), "%s", CONFIG_BUILTIN_NAME);
	snprintf(enclave->plugin, sizeof(enclave->plugin), "%s",
		 CONFIG_BUILTIN_PLUGIN);
	enclave->cpus = cpus;
	enclave->params = json_object();
	if (plugin_check(config->plugin_dir, enclave->plugin, enclave->params,
			 &problem)) {
		errors_add(errors, "%s: \"policy.plugin\": %s", CONFIG_BUILTIN_SOURCE,
			   problem.why);
		return -1;
	}
	return 0;
}

/* The default agent path, unlike one written down, is checked here. */
static int check_default_agent(const char *dir, const struct daemon_config *config,
			       struct config_errors *errors)
{
	if (strcmp(config->agent_path, CONFIG_AGENT_PATH_DEFAULT) ||
	    access(config->agent_path, X_OK) == 0)
		return 0;
	errors_add(errors, "%s/%s: \"agent_path\" is not set and the default "
		   "%s is not usable: %s", dir, CONFIG_DAEMON_FILE,
		   config->agent_path, strerror(errno));
	return -1;
}

int config_load(const char *dir, const struct config_machine *machine,
		struct daemon_config *config, struct config_errors *errors)
{
	char *path = xasprintf("%s/%s", dir, CONFIG_DAEMON_FILE);
	struct stat st;
	int ret = 0;

	config_defaults(config);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		errors_add(errors, "%s: %s", dir,
			   errno ? strerror(errno) : "not a directory");
		free(path);
		return -1;
	}
	ret = load_daemon_file(path, true, config, errors);
	free(path);
	if (ret == 0)
		ret = check_default_agent(dir, config, errors);
	path = xasprintf("%s/%s", dir, CONFIG_ENCLAVES_DIR);
	if (load_enclave_dir(path, true, config->plugin_dir, machine, config,
			     errors))
		ret = -1;
	free(path);
	if (ret == 0 && config->nr_enclaves == 0)
		ret = add_builtin_enclave(machine, config, errors);
	if (ret == 0)
		ret = config_check_enclaves(config->enclaves, config->nr_enclaves,
					    machine, errors);
	return ret;
}

static bool is_config_dir(const char *path)
{
	char *daemon = xasprintf("%s/%s", path, CONFIG_DAEMON_FILE);
	char *enclaves = xasprintf("%s/%s", path, CONFIG_ENCLAVES_DIR);
	bool ret = access(daemon, F_OK) == 0 || access(enclaves, F_OK) == 0;

	free(daemon);
	free(enclaves);
	return ret;
}

static bool is_daemon_file(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strcmp(base ? base + 1 : path, CONFIG_DAEMON_FILE);
}

int config_check_paths(char *const paths[], size_t nr, const char *dir,
		       const struct config_machine *machine,
		       struct config_errors *errors)
{
	struct daemon_config loose, settings;
	bool have_settings = false;
	size_t nr_errors = errors->nr;
	struct stat st;

	/* Settings files first: they name the plugin directory. */
	config_defaults(&settings);
	for (size_t i = 0; i < nr; i++) {
		if (!is_daemon_file(paths[i]))
			continue;
		load_daemon_file(paths[i], false, &settings, errors);
		have_settings = true;
	}
	if (!have_settings) {
		char *path = xasprintf("%s/%s", dir, CONFIG_DAEMON_FILE);

		load_daemon_file(path, true, &settings, errors);
		free(path);
	}
	config_defaults(&loose);
	for (size_t i = 0; i < nr; i++) {
		if (is_daemon_file(paths[i]))
			continue;
		if (stat(paths[i], &st)) {
			errors_add(errors, "%s: %s", paths[i], strerror(errno));
		} else if (S_ISDIR(st.st_mode) && is_config_dir(paths[i])) {
			struct daemon_config whole;

			config_load(paths[i], machine, &whole, errors);
			config_free(&whole);
		} else if (S_ISDIR(st.st_mode)) {
			load_enclave_dir(paths[i], false, settings.plugin_dir,
					 machine, &loose, errors);
		} else {
			load_enclave_file(paths[i], settings.plugin_dir, machine,
					  &loose, errors);
		}
	}
	if (errors->nr == nr_errors)
		config_check_enclaves(loose.enclaves, loose.nr_enclaves, machine,
				      errors);
	config_free(&loose);
	config_free(&settings);
	return errors->nr == nr_errors ? 0 : -1;
}

void enclave_config_free(struct enclave_config *enclave)
{
	json_decref(enclave->params);
	rules_free(enclave->rules, enclave->nr_rules);
	free(enclave->source);
	memset(enclave, 0, sizeof(*enclave));
}

void enclave_config_copy(struct enclave_config *to,
			 const struct enclave_config *from)
{
	*to = *from;
	to->params = json_deep_copy(from->params);
	to->rules = rules_copy(from->rules, from->nr_rules);
	to->source = xstrdup(from->source);
}

void config_free(struct daemon_config *config)
{
	for (size_t i = 0; i < config->nr_enclaves; i++)
		enclave_config_free(&config->enclaves[i]);
	free(config->enclaves);
	free(config->plugin_dir);
	free(config->agent_path);
	free(config->socket_group);
	memset(config, 0, sizeof(*config));
}
