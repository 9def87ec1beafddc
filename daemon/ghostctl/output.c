// SPDX-License-Identifier: GPL-2.0
/*
 * What ghostctl prints: see output.h.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/abi_names.h"
#include "common/proto.h"
#include "common/xalloc.h"
#include "output.h"

/* A string member, or @fallback. */
static const char *text(const json_t *object, const char *key, const char *fallback)
{
	const char *value = json_string_value(json_object_get(object, key));

	return value ? value : fallback;
}

static const json_t *enclaves_of(const json_t *reply)
{
	return json_object_get(reply, PROTO_ENCLAVES);
}

/* The kernel's view of the enclave called @name, if it has one. */
static const struct live_enclave *kernel_of(const struct live_enclaves *kernel,
					    const char *name)
{
	return kernel ? live_enclaves_find(kernel, name) : NULL;
}

/* Whether ghostd's reply names @name: the kernel's other enclaves are not its. */
static bool managed(const json_t *reply, const char *name)
{
	const json_t *entry;
	size_t i;

	json_array_foreach(enclaves_of(reply), i, entry)
		if (name[0] && !strcmp(text(entry, PROTO_NAME, ""), name))
			return true;
	return false;
}

static uint64_t sum(const uint64_t *values, size_t nr)
{
	uint64_t total = 0;

	for (size_t i = 0; i < nr; i++)
		total += values[i];
	return total;
}

/* The sum of an object's integer members: a task count from "tasks". */
static json_int_t sum_members(const json_t *object)
{
	json_int_t total = 0;
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)object, key, value)
		total += json_integer_value(value);
	return total;
}

void output_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%" PRIu64 " us", ns / 1000);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
}

/* A table: left-aligned text, right-aligned numbers, two spaces apart. */
#define TABLE_COLUMNS	8

struct table {
	char (*cells)[TABLE_COLUMNS][64];
	size_t nr_rows;
};

static const char *const table_header[TABLE_COLUMNS] = {
	"ENCLAVE", "STATE", "CPUS", "PLUGIN", "MODEL", "TASKS", "AGENT", "RESTARTS"
};
/* TASKS, AGENT and RESTARTS are numbers. */
static const bool table_numeric[TABLE_COLUMNS] = {
	false, false, false, false, false, true, true, true
};

static void table_row(struct table *table, const char *const cells[TABLE_COLUMNS])
{
	table->cells = xrealloc(table->cells, (table->nr_rows + 1) *
				sizeof(*table->cells));
	for (int c = 0; c < TABLE_COLUMNS; c++)
		snprintf(table->cells[table->nr_rows][c], sizeof(table->cells[0][c]),
			 "%s", cells[c]);
	table->nr_rows++;
}

static void table_print(FILE *out, const struct table *table)
{
	int width[TABLE_COLUMNS];

	for (int c = 0; c < TABLE_COLUMNS; c++) {
		width[c] = 0;
		for (size_t r = 0; r < table->nr_rows; r++) {
			int n = strlen(table->cells[r][c]);

			width[c] = n > width[c] ? n : width[c];
		}
	}
	for (size_t r = 0; r < table->nr_rows; r++) {
		for (int c = 0; c < TABLE_COLUMNS; c++) {
			const char *cell = table->cells[r][c];
			bool last = c == TABLE_COLUMNS - 1;

			if (table_numeric[c] && r > 0)
				fprintf(out, "%*s", width[c], cell);
			else if (last)
				fprintf(out, "%s", cell);
			else
				fprintf(out, "%-*s", width[c], cell);
			fputs(last ? "\n" : "  ", out);
		}
	}
}

/* One row of the status table for an enclave of ghostd's reply. */
static void status_row(struct table *table, const json_t *entry,
		       const struct live_enclaves *kernel)
{
	const struct live_enclave *k = kernel_of(kernel, text(entry, PROTO_NAME, ""));
	const json_t *tasks = json_object_get(entry, PROTO_TASKS);
	char nr_tasks[24] = "-", pid[24] = "-", restarts[24];
	const char *cells[TABLE_COLUMNS];

	if (k)
		snprintf(nr_tasks, sizeof(nr_tasks), "%u", k->nr_tasks);
	else if (json_is_object(tasks))
		snprintf(nr_tasks, sizeof(nr_tasks), "%" JSON_INTEGER_FORMAT,
			 sum_members(tasks));
	if (json_is_integer(json_object_get(entry, PROTO_PID)))
		snprintf(pid, sizeof(pid), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(entry, PROTO_PID)));
	snprintf(restarts, sizeof(restarts), "%" JSON_INTEGER_FORMAT,
		 json_integer_value(json_object_get(entry, PROTO_RESTARTS)));
	cells[0] = text(entry, PROTO_NAME, "?");
	cells[1] = text(entry, PROTO_STATE, "?");
	cells[2] = text(entry, PROTO_CPUS, "-");
	cells[3] = text(entry, PROTO_PLUGIN, "-");
	cells[4] = text(entry, PROTO_MODEL, "-");
	cells[5] = nr_tasks;
	cells[6] = pid;
	cells[7] = restarts;
	table_row(table, cells);
}

/* A row for an enclave the kernel has and ghostd does not manage. */
static void unmanaged_row(struct table *table, const struct live_enclave *k)
{
	char name[GHOST_NAME_MAX + 24], nr_tasks[24];
	const char *cells[TABLE_COLUMNS] = {
		name, "unmanaged", k->cpus, "-", "-", nr_tasks, "-", "-"
	};

	if (k->name[0])
		snprintf(name, sizeof(name), "%s", k->name);
	else
		snprintf(name, sizeof(name), "(id %" PRIu64 ")", k->id);
	snprintf(nr_tasks, sizeof(nr_tasks), "%u", k->nr_tasks);
	table_row(table, cells);
}

/* "runnable 3, on_cpu 2, blocked 7" */
static void print_tasks(FILE *out, const json_t *tasks)
{
	const char *key;
	json_t *value;
	bool first = true;

	fprintf(out, "  tasks      ");
	json_object_foreach((json_t *)tasks, key, value) {
		fprintf(out, "%s%s %" JSON_INTEGER_FORMAT, first ? "" : ", ", key,
			json_integer_value(value));
		first = false;
	}
	fprintf(out, "%s\n", first ? "none" : "");
}

/* "cpu 1 running, cpu 2 parked" */
static void print_agents(FILE *out, const json_t *agents)
{
	const json_t *agent;
	size_t i;

	fprintf(out, "  agents     ");
	json_array_foreach(agents, i, agent)
		fprintf(out, "%scpu %" JSON_INTEGER_FORMAT " %s", i ? ", " : "",
			json_integer_value(json_object_get(agent, PROTO_CPU)),
			text(agent, PROTO_STATE, "?"));
	fprintf(out, "%s\n", json_array_size(agents) ? "" : "none");
}

static void print_kernel(FILE *out, const struct live_enclave *k)
{
	fprintf(out, "  kernel     tasks %u, agents %u, commits %" PRIu64 " (complete %"
		PRIu64 "), messages %" PRIu64 ",\n", k->nr_tasks, k->nr_agents,
		sum(k->commits, GHOST_TXN_STATE_MAX + 1),
		k->commits[GHOST_TXN_COMPLETE], sum(k->msgs, GHOST_MSG_TYPE_MAX + 1));
	fprintf(out, "             watchdog firings %" PRIu64 ", queue overflows %"
		PRIu64 ", evictions %" PRIu64 ", throttles %" PRIu64 "\n",
		k->watchdog_firings, k->queue_overflows, k->tasks_evicted,
		k->agent_throttles);
}

static void print_last_swap(FILE *out, const json_t *swap)
{
	json_int_t at = json_integer_value(json_object_get(swap, PROTO_AT));
	char blackout[32], when[32] = "?";
	time_t seconds = at;
	struct tm tm;

	output_duration(json_integer_value(json_object_get(swap, PROTO_BLACKOUT_NS)),
			blackout, sizeof(blackout));
	if (at > 0 && localtime_r(&seconds, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "  last swap  %s -> %s, blackout %s, %s\n",
		text(swap, PROTO_FROM, "?"), text(swap, PROTO_TO, "?"), blackout, when);
}

static void print_details(FILE *out, const json_t *entry,
			  const struct live_enclaves *kernel)
{
	const struct live_enclave *k = kernel_of(kernel, text(entry, PROTO_NAME, ""));
	const json_t *member;

	fprintf(out, "\n%s\n", text(entry, PROTO_NAME, "?"));
	member = json_object_get(entry, PROTO_TASKS);
	if (json_is_object(member))
		print_tasks(out, member);
	member = json_object_get(entry, PROTO_AGENTS);
	if (json_is_array(member))
		print_agents(out, member);
	if (k)
		print_kernel(out, k);
	member = json_object_get(entry, PROTO_LAST_SWAP);
	if (json_is_object(member))
		print_last_swap(out, member);
	/* A failed enclave's reason; else how its agent last ended. */
	if (json_is_string(json_object_get(entry, PROTO_REASON)))
		fprintf(out, "  %-9s  %s\n",
			!strcmp(text(entry, PROTO_STATE, ""), PROTO_STATE_FAILED) ?
			"failed" : "last exit", text(entry, PROTO_REASON, ""));
}

void output_status(FILE *out, const json_t *status,
		   const struct live_enclaves *kernel)
{
	struct table table = { 0 };
	const json_t *entry;
	size_t i;

	table_row(&table, table_header);
	json_array_foreach(enclaves_of(status), i, entry)
		status_row(&table, entry, kernel);
	for (i = 0; kernel && i < kernel->nr; i++)
		if (!managed(status, kernel->list[i].name))
			unmanaged_row(&table, &kernel->list[i]);
	if (table.nr_rows == 1)
		fprintf(out, "no enclaves\n");
	else
		table_print(out, &table);
	free(table.cells);
	json_array_foreach(enclaves_of(status), i, entry)
		print_details(out, entry, kernel);
}

/* Counters of the kernel's array @values as {"name": count}, nonzero only. */
static json_t *named_counters(const uint64_t *values, const char *const *names,
			      size_t nr)
{
	json_t *object = json_object();

	for (size_t i = 0; i < nr; i++)
		if (names[i] && values[i])
			json_object_set_new(object, names[i], json_integer(values[i]));
	return object;
}

static json_t *kernel_json(const struct live_enclave *k)
{
	return json_pack("{s:I, s:s, s:i, s:i, s:i, s:o, s:o, s:I, s:I, s:I, s:I}",
			 "id", (json_int_t)k->id,
			 PROTO_CPUS, k->cpus,
			 PROTO_WATCHDOG_MS, (int)k->watchdog_ms,
			 PROTO_TASKS, (int)k->nr_tasks,
			 PROTO_AGENTS, (int)k->nr_agents,
			 "messages", named_counters(k->msgs, ghost_msg_names,
						    GHOST_MSG_TYPE_MAX + 1),
			 "commits", named_counters(k->commits, ghost_txn_state_names,
						   GHOST_TXN_STATE_MAX + 1),
			 "watchdog_firings", (json_int_t)k->watchdog_firings,
			 "queue_overflows", (json_int_t)k->queue_overflows,
			 "tasks_evicted", (json_int_t)k->tasks_evicted,
			 "agent_throttles", (json_int_t)k->agent_throttles);
}

json_t *output_stats_json(const json_t *stats, const struct live_enclaves *kernel)
{
	json_t *list = json_array(), *entry;
	const json_t *given;
	size_t i;

	json_array_foreach(enclaves_of(stats), i, given) {
		const struct live_enclave *k = kernel_of(kernel,
							 text(given, PROTO_NAME, ""));

		entry = json_deep_copy(given);
		if (k)
			json_object_set_new(entry, PROTO_KERNEL, kernel_json(k));
		json_array_append_new(list, entry);
	}
	for (i = 0; kernel && i < kernel->nr; i++) {
		const struct live_enclave *k = &kernel->list[i];

		if (managed(stats, k->name))
			continue;
		entry = json_pack("{s:s, s:s, s:o}", PROTO_NAME, k->name,
				  PROTO_STATE, "unmanaged", PROTO_KERNEL, kernel_json(k));
		json_array_append_new(list, entry);
	}
	return json_pack("{s:o}", PROTO_ENCLAVES, list);
}

/* OpenMetrics label values escape backslash, double quote and newline. */
static void put_label(FILE *out, const char *name, const char *value, bool first)
{
	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fprintf(out, "\\%c", *value);
		else if (*value == '\n')
			fputs("\\n", out);
		else
			fputc(*value, out);
	}
	fputc('"', out);
}

static void family(FILE *out, const char *name, const char *type,
		   const char *unit, const char *help)
{
	fprintf(out, "# TYPE %s %s\n", name, type);
	if (unit)
		fprintf(out, "# UNIT %s %s\n", name, unit);
	fprintf(out, "# HELP %s %s\n", name, help);
}

/* Whether @name may follow "ghost_agent_" in a metric name. */
static bool metric_name_valid(const char *name)
{
	size_t len = strlen(name);

	return len && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
}

static void openmetrics_enclaves(FILE *out, const json_t *enclaves)
{
	const json_t *entry, *member, *agent;
	const char *key;
	json_t *value, *names = json_object();
	size_t i, j;

	family(out, "ghost_enclave", "info", NULL, "An enclave ghostd manages.");
	json_array_foreach(enclaves, i, entry) {
		fputs("ghost_enclave_info{", out);
		put_label(out, "enclave", text(entry, PROTO_NAME, ""), true);
		put_label(out, "state", text(entry, PROTO_STATE, ""), false);
		put_label(out, "cpus", text(entry, PROTO_CPUS, ""), false);
		put_label(out, "plugin", text(entry, PROTO_PLUGIN, ""), false);
		put_label(out, "model", text(entry, PROTO_MODEL, ""), false);
		fputs("} 1\n", out);
	}
	family(out, "ghost_enclave_restarts", "counter", NULL,
	       "Agent processes restarted after they ended unasked.");
	json_array_foreach(enclaves, i, entry) {
		fputs("ghost_enclave_restarts_total{", out);
		put_label(out, "enclave", text(entry, PROTO_NAME, ""), true);
		fprintf(out, "} %" JSON_INTEGER_FORMAT "\n",
			json_integer_value(json_object_get(entry, PROTO_RESTARTS)));
	}
	family(out, "ghost_enclave_tasks", "gauge", NULL,
	       "Tasks of the enclave by state, as its policy sees them.");
	json_array_foreach(enclaves, i, entry) {
		json_object_foreach(json_object_get(entry, PROTO_TASKS), key, value) {
			fputs("ghost_enclave_tasks{", out);
			put_label(out, "enclave", text(entry, PROTO_NAME, ""), true);
			put_label(out, "state", key, false);
			fprintf(out, "} %" JSON_INTEGER_FORMAT "\n",
				json_integer_value(value));
		}
	}
	family(out, "ghost_enclave_agents", "gauge", NULL,
	       "Enclave CPUs by the state of their agent.");
	json_array_foreach(enclaves, i, entry) {
		json_t *count = json_object();

		json_array_foreach(json_object_get(entry, PROTO_AGENTS), j, agent) {
			const char *state = text(agent, PROTO_STATE, "?");

			json_object_set_new(count, state, json_integer(1 +
				json_integer_value(json_object_get(count, state))));
		}
		json_object_foreach(count, key, value) {
			fputs("ghost_enclave_agents{", out);
			put_label(out, "enclave", text(entry, PROTO_NAME, ""), true);
			put_label(out, "state", key, false);
			fprintf(out, "} %" JSON_INTEGER_FORMAT "\n",
				json_integer_value(value));
		}
		json_decref(count);
	}
	family(out, "ghost_swap_blackout_seconds", "gauge", "seconds",
	       "How long the enclave's last policy swap held its tasks.");
	json_array_foreach(enclaves, i, entry) {
		member = json_object_get(entry, PROTO_LAST_SWAP);
		if (!json_is_object(member))
			continue;
		fputs("ghost_swap_blackout_seconds{", out);
		put_label(out, "enclave", text(entry, PROTO_NAME, ""), true);
		fprintf(out, "} %.9f\n", json_integer_value(json_object_get(member,
				PROTO_BLACKOUT_NS)) / 1e9);
	}
	/* Each agent counter is a family of its own, with a sample per enclave. */
	json_array_foreach(enclaves, i, entry)
		json_object_foreach(json_object_get(entry, PROTO_COUNTERS), key, value)
			if (metric_name_valid(key) && json_is_integer(value))
				json_object_set_new(names, key, json_true());
	json_object_foreach(names, key, value) {
		char name[160];

		snprintf(name, sizeof(name), "ghost_agent_%s", key);
		family(out, name, "counter", NULL, "A counter of the enclave's agent.");
		json_array_foreach(enclaves, i, entry) {
			member = json_object_get(json_object_get(entry, PROTO_COUNTERS), key);
			if (!json_is_integer(member))
				continue;
			fprintf(out, "%s_total{", name);
			put_label(out, "enclave", text(entry, PROTO_NAME, ""), true);
			fprintf(out, "} %" JSON_INTEGER_FORMAT "\n",
				json_integer_value(member));
		}
	}
	json_decref(names);
}

/* One sample of a kernel family, labelled with the enclave's name and id. */
static void kernel_sample(FILE *out, const char *name, const struct live_enclave *k,
			  const char *label, const char *label_value, uint64_t value)
{
	char id[24];

	snprintf(id, sizeof(id), "%" PRIu64, k->id);
	fprintf(out, "%s{", name);
	put_label(out, "enclave", k->name, true);
	put_label(out, "id", id, false);
	if (label)
		put_label(out, label, label_value, false);
	fprintf(out, "} %" PRIu64 "\n", value);
}

static void openmetrics_kernel(FILE *out, const struct live_enclaves *kernel)
{
	static const struct {
		const char *name;
		const char *help;
		size_t offset;
	} totals[] = {
		{ "ghost_kernel_watchdog_firings", "Times the watchdog ended the enclave.",
		  offsetof(struct live_enclave, watchdog_firings) },
		{ "ghost_kernel_queue_overflows", "Messages dropped on full queues.",
		  offsetof(struct live_enclave, queue_overflows) },
		{ "ghost_kernel_tasks_evicted", "Tasks the kernel evicted to CFS.",
		  offsetof(struct live_enclave, tasks_evicted) },
		{ "ghost_kernel_agent_throttles", "Times an agent was throttled.",
		  offsetof(struct live_enclave, agent_throttles) },
	};
	char sample[96];
	size_t i, t;

	family(out, "ghost_kernel_tasks", "gauge", NULL, "Tasks in the enclave.");
	for (i = 0; i < kernel->nr; i++)
		kernel_sample(out, "ghost_kernel_tasks", &kernel->list[i], NULL, NULL,
			      kernel->list[i].nr_tasks);
	family(out, "ghost_kernel_agents", "gauge", NULL, "Agents of the enclave.");
	for (i = 0; i < kernel->nr; i++)
		kernel_sample(out, "ghost_kernel_agents", &kernel->list[i], NULL, NULL,
			      kernel->list[i].nr_agents);
	family(out, "ghost_kernel_messages", "counter", NULL,
	       "Messages the kernel sent to the enclave's agents, by type.");
	for (i = 0; i < kernel->nr; i++)
		for (t = 0; t <= GHOST_MSG_TYPE_MAX; t++)
			if (ghost_msg_names[t])
				kernel_sample(out, "ghost_kernel_messages_total",
					      &kernel->list[i], "type", ghost_msg_names[t],
					      kernel->list[i].msgs[t]);
	family(out, "ghost_kernel_commits", "counter", NULL,
	       "Transactions committed, by outcome.");
	for (i = 0; i < kernel->nr; i++)
		for (t = 0; t <= GHOST_TXN_STATE_MAX; t++)
			if (ghost_txn_state_names[t])
				kernel_sample(out, "ghost_kernel_commits_total",
					      &kernel->list[i], "outcome", ghost_txn_state_names[t],
					      kernel->list[i].commits[t]);
	for (t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
		family(out, totals[t].name, "counter", NULL, totals[t].help);
		snprintf(sample, sizeof(sample), "%s_total", totals[t].name);
		for (i = 0; i < kernel->nr; i++)
			kernel_sample(out, sample, &kernel->list[i], NULL, NULL,
				      *(const uint64_t *)((const char *)&kernel->list[i] +
							  totals[t].offset));
	}
}

void output_openmetrics(FILE *out, const json_t *stats,
			const struct live_enclaves *kernel)
{
	openmetrics_enclaves(out, enclaves_of(stats));
	if (kernel)
		openmetrics_kernel(out, kernel);
	fputs("# EOF\n", out);
}
