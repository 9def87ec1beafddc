// SPDX-License-Identifier: GPL-2.0
/*
 * Proves: sched_setattr(2) flags give no way around the way into and out
 * of SCHED_GHOST. With ghost.ko loaded and an enclave {1,2,3} whose agent
 * is this test (CPU 1):
 *  - a CFS thread asking for SCHED_GHOST with SCHED_FLAG_KEEP_PARAMS fails
 *    with EINVAL, as it would (ENXIO) without the flag, and stays
 *    SCHED_OTHER;
 *  - a ghost task asking for SCHED_OTHER with SCHED_FLAG_KEEP_PARAMS
 *    fails with EINVAL and stays a ghost task (its plain sched_setattr
 *    would leave, with TASK_DEPARTED);
 *  - the agent asking for SCHED_OTHER with SCHED_FLAG_KEEP_PARAMS fails
 *    with EINVAL and stays the agent, as a plain sched_setattr fails with
 *    EPERM.
 */
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gagent.h"
#include "gstep.h"
#include "gworkers.h"
#include "test.h"

#define AGENT_CPU	1
#define SCHED_FLAG_KEEP_POLICY	0x08
#define SCHED_FLAG_KEEP_PARAMS	0x10

static int setattr(pid_t tid, int policy, uint64_t flags)
{
	struct test_sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = policy,
		.sched_flags = flags,
	};

	return syscall(SYS_sched_setattr, tid, &attr, 0);
}

int main(void)
{
	struct genclave enclave;
	struct ghost_enclave_info info;
	struct gpuppet outsider, member;
	struct gstep step;
	cpu_set_t cpus;
	uint64_t gtid;

	CHECK(gpin_self(0) == 0);
	gcpus_range(&cpus, GTEST_FIRST_CPU, GTEST_LAST_CPU);
	CHECK(gpuppet_spawn(&outsider, &cpus) == 0);
	CHECK(gpuppet_spawn(&member, &cpus) == 0);
	CHECK(genclave_create(&enclave, &cpus, 0, 10000) == 0);
	CHECK(genclave_destroy_on_failure(&enclave) == 0);

	CHECK_ERR(setattr(outsider.tid, SCHED_GHOST, 0), ENXIO);
	CHECK_ERR(setattr(outsider.tid, SCHED_GHOST, SCHED_FLAG_KEEP_PARAMS),
		  EINVAL);
	CHECK_EQ(sched_getscheduler(outsider.tid), SCHED_OTHER);

	CHECK(gstep_begin(&step, &enclave, AGENT_CPU, AGENT_CPU) == 0);
	gtid = gstep_add(&step, member.tid, NULL);
	CHECK(gtid);
	CHECK_ERR(setattr(member.tid, SCHED_OTHER, SCHED_FLAG_KEEP_PARAMS),
		  EINVAL);
	CHECK_EQ(sched_getscheduler(member.tid), SCHED_GHOST);
	CHECK(genclave_query(&enclave, &info) == 0 && info.nr_tasks == 1);

	CHECK_ERR(setattr(0, SCHED_OTHER, 0), EPERM);
	CHECK_ERR(setattr(0, SCHED_OTHER, SCHED_FLAG_KEEP_PARAMS), EINVAL);
	CHECK_EQ(sched_getscheduler(0), SCHED_GHOST);
	CHECK(genclave_query(&enclave, &info) == 0 && info.nr_agents == 1);

	CHECK(setattr(member.tid, SCHED_OTHER, 0) == 0);
	CHECK(gstep_expect(&step, GHOST_MSG_TASK_DEPARTED, gtid, GANY_CPU,
			   GSTEP_TIMEOUT_MS, NULL));
	CHECK(gstep_end(&step) == 0);
	CHECK(genclave_destroy(&enclave) == 0);
	gpuppet_post(&outsider, GPUPPET_EXIT, 0);
	gpuppet_post(&member, GPUPPET_EXIT, 0);
	gpuppet_join(&outsider);
	gpuppet_join(&member);
	test_pass("sched_flags");
}
