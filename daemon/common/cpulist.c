// SPDX-License-Identifier: GPL-2.0
/*
 * CPU lists: see cpulist.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"

/* Read a CPU number at @*p; -1 with @why filled if there is none. */
static long cpulist_number(const char *text, const char **p, char *why,
			   size_t len)
{
	char *end;
	long cpu;

	if (!isdigit((unsigned char)**p)) {
		snprintf(why, len, "expected a CPU number at offset %td",
			 *p - text);
		return -1;
	}
	errno = 0;
	cpu = strtol(*p, &end, 10);
	if (errno || cpu >= CPU_SETSIZE) {
		snprintf(why, len, "CPU %.*s is beyond %d at offset %td",
			 (int)(end - *p), *p, CPU_SETSIZE - 1, *p - text);
		return -1;
	}
	*p = end;
	return cpu;
}

int cpulist_parse(const char *text, cpu_set_t *set, char *why, size_t len)
{
	const char *p = text;

	CPU_ZERO(set);
	if (!*p) {
		snprintf(why, len, "the CPU list is empty");
		return -1;
	}
	for (;;) {
		long first = cpulist_number(text, &p, why, len), last;

		if (first < 0)
			return -1;
		last = first;
		if (*p == '-') {
			p++;
			last = cpulist_number(text, &p, why, len);
			if (last < 0)
				return -1;
			if (last < first) {
				snprintf(why, len,
					 "range %ld-%ld runs backwards at offset %td",
					 first, last, p - text);
				return -1;
			}
		}
		for (long cpu = first; cpu <= last; cpu++)
			CPU_SET(cpu, set);
		if (!*p)
			return 0;
		if (*p != ',') {
			snprintf(why, len, "unexpected '%c' at offset %td", *p,
				 p - text);
			return -1;
		}
		p++;
	}
}

char *cpulist_format(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;
	int cpu = 0;

	if (len)
		buf[0] = '\0';
	while (cpu < CPU_SETSIZE) {
		int last;

		if (!CPU_ISSET(cpu, set)) {
			cpu++;
			continue;
		}
		for (last = cpu; last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set);)
			last++;
		/* Past the end, only count: no pointer may leave the buffer. */
		used += snprintf(used < len ? buf + used : NULL,
				 used < len ? len - used : 0,
				 last == cpu ? "%s%d" : "%s%d-%d",
				 used ? "," : "", cpu, last);
		cpu = last + 1;
	}
	return buf;
}
