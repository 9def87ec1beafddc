/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the simulator's JSON inputs (machines, workloads) with errors
 * that say where: "FILE: classes[1].service.mean_us: expected a number
 * > 0". A reader carries the file's name and the path of the value being
 * read; the first error sticks and every later read is a no-op, so a
 * parser reads straight through and checks once at the end.
 */
#ifndef GHOST_SIM_SIM_JSON_H
#define GHOST_SIM_SIM_JSON_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct json_reader {
	const char *file;
	char path[256];
	char *why;
	size_t len;
	bool failed;
};

/* Load @file (or parse @text, named @file, if @text is not NULL). */
json_t *jr_load(struct json_reader *r, const char *file, const char *text,
		char *why, size_t len);
/* Fail with a message about the value at the current path. */
void jr_fail(struct json_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Descend into member @key or element @index; jr_leave() undoes it. */
size_t jr_enter(struct json_reader *r, const char *key);
size_t jr_enter_index(struct json_reader *r, size_t index);
void jr_leave(struct json_reader *r, size_t mark);
/* Refuse members of @obj not in the NULL-terminated @known. */
void jr_known_keys(struct json_reader *r, const json_t *obj,
		   const char *const *known);

/*
 * Typed members of @obj: absent ones get @def (or fail if @required).
 * Numbers must lie in [min, max].
 */
double jr_number(struct json_reader *r, const json_t *obj, const char *key,
		 double def, double min, double max, bool required);
int64_t jr_integer(struct json_reader *r, const json_t *obj, const char *key,
		   int64_t def, int64_t min, int64_t max, bool required);
const char *jr_string(struct json_reader *r, const json_t *obj,
		      const char *key, const char *def, bool required);
/* A CPU list ("1-3,5") of CPUs below @nr_cpus; false if absent. */
bool jr_cpulist(struct json_reader *r, const json_t *obj, const char *key,
		int nr_cpus, cpu_set_t *set);
/* Member @key as an object or array (NULL if absent, or not one). */
const json_t *jr_object(struct json_reader *r, const json_t *obj,
			const char *key, bool required);
const json_t *jr_array(struct json_reader *r, const json_t *obj,
		       const char *key, bool required);

#endif /* GHOST_SIM_SIM_JSON_H */
