// SPDX-License-Identifier: GPL-2.0
/* Duration distributions: see distribution.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "distribution.h"

#define US	1000.0
/* Durations beyond an hour are certainly a unit mistake. */
#define MAX_US	3.6e9

static bool load_values(struct json_reader *r, const char *dir,
			const char *path, struct distribution *d)
{
	char full[4096], line[256];
	uint64_t cap = 0, lineno = 0;
	FILE *f;

	if (path[0] == '/' || !dir)
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", dir, path);
	f = fopen(full, "r");
	if (!f) {
		jr_fail(r, "cannot read %s: %s", full, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#'), *end;
		double us;

		lineno++;
		if (hash)
			*hash = '\0';
		if (strspn(line, " \t\r\n") == strlen(line))
			continue;
		us = strtod(line, &end);
		if (end == line || strspn(end, " \t\r\n") != strlen(end) ||
		    !(us >= 0 && us <= MAX_US)) {
			jr_fail(r, "%s:%llu: expected a duration in us", full,
				(unsigned long long)lineno);
			break;
		}
		if (d->nr_values == cap) {
			cap = cap ? cap * 2 : 64;
			d->values_ns = xrealloc(d->values_ns, cap * sizeof(double));
		}
		d->values_ns[d->nr_values++] = us * US;
	}
	fclose(f);
	if (!r->failed && !d->nr_values)
		jr_fail(r, "%s has no durations", full);
	return !r->failed;
}

bool dist_read(struct json_reader *r, const json_t *obj, const char *key,
	       const char *dir, bool required, double def_us,
	       struct distribution *d)
{
	static const char *const known[] = {
		"dist", "us", "mean_us", "min_us", "max_us", "a_us", "b_us",
		"p_b", "path", NULL,
	};
	const json_t *o = jr_object(r, obj, key, required);
	const char *kind;
	size_t mark;

	*d = (struct distribution){ .kind = DIST_FIXED, .a_ns = def_us * US };
	if (!o)
		return !r->failed;
	mark = jr_enter(r, key);
	jr_known_keys(r, o, known);
	kind = jr_string(r, o, "dist", "", true);
	if (r->failed) {
		/* reported */
	} else if (!strcmp(kind, "fixed")) {
		d->a_ns = jr_number(r, o, "us", 0, 0, MAX_US, true) * US;
	} else if (!strcmp(kind, "exponential")) {
		d->kind = DIST_EXPONENTIAL;
		d->a_ns = jr_number(r, o, "mean_us", 0, 1e-3, MAX_US, true) * US;
	} else if (!strcmp(kind, "uniform")) {
		d->kind = DIST_UNIFORM;
		d->a_ns = jr_number(r, o, "min_us", 0, 0, MAX_US, true) * US;
		d->b_ns = jr_number(r, o, "max_us", 0, 0, MAX_US, true) * US;
		if (!r->failed && d->b_ns < d->a_ns)
			jr_fail(r, "max_us is below min_us");
	} else if (!strcmp(kind, "bimodal")) {
		d->kind = DIST_BIMODAL;
		d->a_ns = jr_number(r, o, "a_us", 0, 0, MAX_US, true) * US;
		d->b_ns = jr_number(r, o, "b_us", 0, 0, MAX_US, true) * US;
		d->p_b = jr_number(r, o, "p_b", 0, 0, 1, true);
	} else if (!strcmp(kind, "file")) {
		d->kind = DIST_EMPIRICAL;
		load_values(r, dir, jr_string(r, o, "path", "", true), d);
	} else {
		size_t m = jr_enter(r, "dist");

		jr_fail(r, "expected fixed, exponential, uniform, bimodal or file, not \"%s\"",
			kind);
		jr_leave(r, m);
	}
	jr_leave(r, mark);
	return !r->failed;
}

void dist_free(struct distribution *d)
{
	free(d->values_ns);
	d->values_ns = NULL;
	d->nr_values = 0;
}

static uint64_t to_ns(double ns)
{
	return ns <= 0 ? 0 : (uint64_t)llround(ns);
}

uint64_t dist_sample(const struct distribution *d, struct prng *g)
{
	switch (d->kind) {
	case DIST_FIXED:
		return to_ns(d->a_ns);
	case DIST_EXPONENTIAL:
		/* 1 - u is in (0, 1]: the logarithm is finite. */
		return to_ns(-d->a_ns * log(1.0 - prng_unit(g)));
	case DIST_UNIFORM:
		return to_ns(d->a_ns + (d->b_ns - d->a_ns) * prng_unit(g));
	case DIST_BIMODAL:
		return to_ns(prng_unit(g) < d->p_b ? d->b_ns : d->a_ns);
	case DIST_EMPIRICAL:
		return to_ns(d->values_ns[prng_below(g, d->nr_values)]);
	}
	return 0;
}

double dist_mean_ns(const struct distribution *d)
{
	double sum = 0;

	switch (d->kind) {
	case DIST_FIXED:
	case DIST_EXPONENTIAL:
		return d->a_ns;
	case DIST_UNIFORM:
		return (d->a_ns + d->b_ns) / 2;
	case DIST_BIMODAL:
		return d->a_ns * (1 - d->p_b) + d->b_ns * d->p_b;
	case DIST_EMPIRICAL:
		for (uint64_t i = 0; i < d->nr_values; i++)
			sum += d->values_ns[i];
		return sum / d->nr_values;
	}
	return 0;
}
