/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ghostctl prints: ghostd's status or stats reply (common/proto.h
 * describes it) joined by enclave name with the kernel's counters
 * (common/live_enclaves.h). Nothing here talks to anyone: it formats what
 * it is given, so tests feed it canned replies. @kernel may be NULL when
 * the counters could not be read.
 */
#ifndef GHOSTCTL_OUTPUT_H
#define GHOSTCTL_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "common/live_enclaves.h"

/* The status table, one row per enclave, then a few lines on each. */
void output_status(FILE *out, const json_t *status,
		   const struct live_enclaves *kernel);

/* stats --json: ghostd's enclaves, each with a "kernel" object added. */
json_t *output_stats_json(const json_t *stats, const struct live_enclaves *kernel);

/* stats --openmetrics: the OpenMetrics text format, ending with "# EOF". */
void output_openmetrics(FILE *out, const json_t *stats,
			const struct live_enclaves *kernel);

/* A duration in nanoseconds as people read it: "830 ns", "412 us", "1.25 ms". */
void output_duration(uint64_t ns, char *buf, size_t len);

#endif /* GHOSTCTL_OUTPUT_H */
