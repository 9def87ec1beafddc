// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: enclaves leave the kernel room to recover from a bad agent.
 * An enclave of every online CPU, or one that would take the last online
 * CPU outside enclaves, is refused with ENOSPC, and so is a CPU change
 * that would; the kernel's unbound work and the watchdog's recovery run
 * there. @watchdog_ms above 10000 (well below the hung-task timeout) is
 * refused with EINVAL at creation and by GHOST_IOC_CONFIGURE; 10000 is
 * taken. Control: with CPU 0 left out, the same CPUs make an enclave.
 */
#include <sched.h>

#include "gagent.h"
#include "test.h"

int main(void)
{
	struct genclave all, enclave, rest;
	cpu_set_t cpus;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, 0, GTEST_LAST_CPU);
	CHECK_ERR(genclave_create(&all, &cpus, 0, 0), ENOSPC);

	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK_ERR(genclave_create(&enclave, &cpus, 0, 10001), EINVAL);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);
	gcpus_one(&cpus, 0);
	CHECK_ERR(genclave_create(&rest, &cpus, 0, 0), ENOSPC);
	gcpus_range(&cpus, 0, GTEST_LAST_CPU);
	CHECK_ERR(genclave_set_cpus(&enclave, &cpus), ENOSPC);
	CHECK_ERR(genclave_configure(&enclave, 10001, 0), EINVAL);
	CHECK(genclave_configure(&enclave, 10000, 0) == 0);
	CHECK(genclave_destroy(&enclave) == 0);
	test_pass("enclave_limits");
}
