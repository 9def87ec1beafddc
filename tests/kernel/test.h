/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Assertions for the test programs that run inside the VM. A failed check
 * prints where it failed, what was expected and errno, then exits 1; a
 * program that reaches test_pass() prints PASS and exits 0.
 */
#ifndef GHOST_TEST_H
#define GHOST_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void test_fail(const char *file, int line, const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d: %s)\n", saved_errno, strerror(saved_errno));
	exit(1);
}

/* CHECK(expr): expr must be true. */
#define CHECK(expr)							\
	do {								\
		if (!(expr))						\
			test_fail(__FILE__, __LINE__, "%s", #expr);	\
	} while (0)

/* CHECK_EQ(a, b): integers a and b must be equal; prints both if not. */
#define CHECK_EQ(a, b)							\
	do {								\
		long long __a = (long long)(a), __b = (long long)(b);	\
		if (__a != __b)						\
			test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", \
				  #a, #b, __a, __b);			\
	} while (0)

/* CHECK_ERR(call, err): call must return -1 and set errno to err. */
#define CHECK_ERR(call, err)						\
	do {								\
		errno = 0;						\
		long __ret = (long)(call);				\
		if (__ret != -1 || errno != (err))			\
			test_fail(__FILE__, __LINE__,			\
				  "%s returned %ld, expected -1 with %s", \
				  #call, __ret, #err);			\
	} while (0)

/*
 * glibc has no sched_setattr(2) and <linux/sched/types.h> clashes with
 * <sched.h>: this is the syscall's first-version argument.
 */
struct test_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static inline void test_pass(const char *name)
{
	printf("PASS %s\n", name);
	exit(0);
}

#endif /* GHOST_TEST_H */
