/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Distributions of durations (service times, I/O times, hog periods),
 * read from JSON and sampled with the simulator's PRNG. Forms, in
 * microseconds:
 *
 *	{"dist": "fixed", "us": 100}
 *	{"dist": "exponential", "mean_us": 100}
 *	{"dist": "uniform", "min_us": 50, "max_us": 150}
 *	{"dist": "bimodal", "a_us": 10, "b_us": 5000, "p_b": 0.005}
 *		(@b_us with probability @p_b, else @a_us)
 *	{"dist": "file", "path": "times.txt"}
 *		(an empirical distribution: one duration in us per line of
 *		the file, '#' starting a comment, each line equally likely;
 *		@path relative to the JSON file's directory)
 */
#ifndef GHOST_SIM_DISTRIBUTION_H
#define GHOST_SIM_DISTRIBUTION_H

#include <stdint.h>

#include "prng.h"
#include "sim_json.h"

enum dist_kind {
	DIST_FIXED,
	DIST_EXPONENTIAL,
	DIST_UNIFORM,
	DIST_BIMODAL,
	DIST_EMPIRICAL,
};

struct distribution {
	enum dist_kind kind;
	double a_ns, b_ns;	/* fixed, mean, min/max, or the two modes */
	double p_b;
	double *values_ns;	/* empirical */
	uint64_t nr_values;
};

/*
 * Read member @key of @obj into @d (relative paths against @dir). Absent
 * and not @required: @d is fixed at @def_us. Returns false on error (see
 * the reader).
 */
bool dist_read(struct json_reader *r, const json_t *obj, const char *key,
	       const char *dir, bool required, double def_us,
	       struct distribution *d);
void dist_free(struct distribution *d);
uint64_t dist_sample(const struct distribution *d, struct prng *g);
double dist_mean_ns(const struct distribution *d);

#endif /* GHOST_SIM_DISTRIBUTION_H */
