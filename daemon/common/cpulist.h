/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU lists as the kernel prints them ("1-3,5"), to and from cpu_set_t.
 */
#ifndef GHOST_COMMON_CPULIST_H
#define GHOST_COMMON_CPULIST_H

#include <sched.h>
#include <stddef.h>

/*
 * Parse @text (ranges "a-b" and single CPUs, comma-separated, ascending or
 * not, no spaces) into @set. Returns 0, or -1 with a phrase saying what is
 * wrong and where in @why (e.g. "CPU 9000 is beyond 1023 at offset 4").
 * An empty list is an error.
 */
int cpulist_parse(const char *text, cpu_set_t *set, char *why, size_t len);

/*
 * Format @set into @buf ("1-3,5", "" if empty), cut short to fit @len;
 * returns @buf.
 */
char *cpulist_format(const cpu_set_t *set, char *buf, size_t len);

#endif /* GHOST_COMMON_CPULIST_H */
