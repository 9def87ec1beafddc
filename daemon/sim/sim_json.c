// SPDX-License-Identifier: GPL-2.0
/* JSON input with errors that say where: see sim_json.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cpulist.h"
#include "sim_json.h"

json_t *jr_load(struct json_reader *r, const char *file, const char *text,
		char *why, size_t len)
{
	json_error_t error;
	json_t *root;

	*r = (struct json_reader){ .file = file, .why = why, .len = len };
	root = text ? json_loads(text, 0, &error) : json_load_file(file, 0, &error);
	if (!root) {
		snprintf(why, len, "%s:%d:%d: %s", file, error.line, error.column,
			 error.text);
		r->failed = true;
		return NULL;
	}
	if (!json_is_object(root)) {
		jr_fail(r, "expected an object");
		json_decref(root);
		return NULL;
	}
	return root;
}

void jr_fail(struct json_reader *r, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (r->failed)
		return;
	r->failed = true;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->why, r->len, "%s: %s%s%s", r->file, r->path,
		 r->path[0] ? ": " : "", what);
}

size_t jr_enter(struct json_reader *r, const char *key)
{
	size_t mark = strlen(r->path);

	snprintf(r->path + mark, sizeof(r->path) - mark, "%s%s",
		 mark ? "." : "", key);
	return mark;
}

size_t jr_enter_index(struct json_reader *r, size_t index)
{
	size_t mark = strlen(r->path);

	snprintf(r->path + mark, sizeof(r->path) - mark, "[%zu]", index);
	return mark;
}

void jr_leave(struct json_reader *r, size_t mark)
{
	r->path[mark] = '\0';
}

void jr_known_keys(struct json_reader *r, const json_t *obj,
		   const char *const *known)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)obj, key, value) {
		bool ok = false;

		for (const char *const *k = known; *k && !ok; k++)
			ok = !strcmp(*k, key);
		if (!ok) {
			size_t mark = jr_enter(r, key);

			jr_fail(r, "unknown key");
			jr_leave(r, mark);
			return;
		}
	}
}

/* Member @key of @obj, failing if it is required and absent. */
static json_t *member(struct json_reader *r, const json_t *obj, const char *key,
		      bool required)
{
	json_t *v = r->failed ? NULL : json_object_get(obj, key);

	if (!v && required && !r->failed) {
		size_t mark = jr_enter(r, key);

		jr_fail(r, "missing");
		jr_leave(r, mark);
	}
	return v;
}

double jr_number(struct json_reader *r, const json_t *obj, const char *key,
		 double def, double min, double max, bool required)
{
	json_t *v = member(r, obj, key, required);
	double x;
	size_t mark;

	if (!v)
		return def;
	mark = jr_enter(r, key);
	x = json_number_value(v);
	if (!json_is_number(v))
		jr_fail(r, "expected a number");
	else if (!isfinite(x) || x < min || x > max)
		jr_fail(r, "expected a number in [%g, %g], not %g", min, max, x);
	jr_leave(r, mark);
	return r->failed ? def : x;
}

int64_t jr_integer(struct json_reader *r, const json_t *obj, const char *key,
		   int64_t def, int64_t min, int64_t max, bool required)
{
	json_t *v = member(r, obj, key, required);
	int64_t x;
	size_t mark;

	if (!v)
		return def;
	mark = jr_enter(r, key);
	x = json_integer_value(v);
	if (!json_is_integer(v))
		jr_fail(r, "expected an integer");
	else if (x < min || x > max)
		jr_fail(r, "expected an integer in [%lld, %lld], not %lld",
			(long long)min, (long long)max, (long long)x);
	jr_leave(r, mark);
	return r->failed ? def : x;
}

const char *jr_string(struct json_reader *r, const json_t *obj,
		      const char *key, const char *def, bool required)
{
	json_t *v = member(r, obj, key, required);
	size_t mark;

	if (!v)
		return def;
	if (json_is_string(v))
		return json_string_value(v);
	mark = jr_enter(r, key);
	jr_fail(r, "expected a string");
	jr_leave(r, mark);
	return def;
}

bool jr_cpulist(struct json_reader *r, const json_t *obj, const char *key,
		int nr_cpus, cpu_set_t *set)
{
	const char *text = jr_string(r, obj, key, NULL, false);
	char why[128];
	size_t mark;

	if (!text || r->failed)
		return false;
	mark = jr_enter(r, key);
	if (cpulist_parse(text, set, why, sizeof(why))) {
		jr_fail(r, "%s", why);
	} else {
		for (int cpu = nr_cpus; cpu < CPU_SETSIZE; cpu++) {
			if (CPU_ISSET(cpu, set)) {
				jr_fail(r, "CPU %d is beyond the machine's %d CPUs",
					cpu, nr_cpus);
				break;
			}
		}
	}
	jr_leave(r, mark);
	return !r->failed;
}

static const json_t *typed_member(struct json_reader *r, const json_t *obj,
				  const char *key, bool required, bool array)
{
	json_t *v = member(r, obj, key, required);
	size_t mark;

	if (!v || (array ? json_is_array(v) : json_is_object(v)))
		return v;
	mark = jr_enter(r, key);
	jr_fail(r, array ? "expected an array" : "expected an object");
	jr_leave(r, mark);
	return NULL;
}

const json_t *jr_object(struct json_reader *r, const json_t *obj,
			const char *key, bool required)
{
	return typed_member(r, obj, key, required, false);
}

const json_t *jr_array(struct json_reader *r, const json_t *obj,
		       const char *key, bool required)
{
	return typed_member(r, obj, key, required, true);
}
