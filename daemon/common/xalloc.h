/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allocation for the supervisor and the CLI, which cannot do anything
 * useful without memory: these abort with a message instead of returning
 * NULL, so that error paths are about real errors. Agent threads must not
 * allocate at all once scheduling, so they have no use for these.
 */
#ifndef GHOST_COMMON_XALLOC_H
#define GHOST_COMMON_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nr, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *text);
/* A string printed as by printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* GHOST_COMMON_XALLOC_H */
