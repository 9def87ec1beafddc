// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation that cannot fail: see xalloc.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

static void *check(void *ptr)
{
	if (!ptr) {
		log_error("out of memory");
		abort();
	}
	return ptr;
}

void *xmalloc(size_t size)
{
	return check(malloc(size ? size : 1));
}

void *xcalloc(size_t nr, size_t size)
{
	return check(calloc(nr ? nr : 1, size ? size : 1));
}

void *xrealloc(void *ptr, size_t size)
{
	return check(realloc(ptr, size ? size : 1));
}

char *xstrdup(const char *text)
{
	return check(strdup(text));
}

char *xasprintf(const char *fmt, ...)
{
	char *text;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&text, fmt, ap);
	va_end(ap);
	return check(ret < 0 ? NULL : text);
}
