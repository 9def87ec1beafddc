/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's results as text (for people) and JSON (for programs), with the
 * same content: the inputs and the costs with what they are anchored to,
 * per-class latency percentiles, throughput, CPU time, what the kernel
 * and the runtime counted, every invariant violation, and with
 * --timeline what each CPU did when. Nothing in them depends on the host
 * (no wall-clock times, no paths), so equal runs print equal bytes.
 */
#ifndef GHOST_SIM_REPORT_H
#define GHOST_SIM_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "simulation.h"

void report_text(FILE *f, struct sim_result *r);
json_t *report_json(struct sim_result *r);
/* How report_json()'s result is printed. */
#define REPORT_JSON_FLAGS	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))
/* "850 ns", "12.3 us", "4.56 ms", "1.234 s" */
char *report_duration(uint64_t ns, char *buf, size_t len);

#endif /* GHOST_SIM_REPORT_H */
