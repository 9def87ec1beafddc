// SPDX-License-Identifier: GPL-2.0
/*
 * The callbacks behind the ghost and agent classes. Callbacks the module
 * leaves out get the hook patch's documented defaults.
 */
#include <linux/module.h>
#include <linux/sched.h>

#include "ghost.h"

/* Tasks enter SCHED_GHOST only through an enclave; there is none yet. */
static int ghost_setscheduler(struct rq *rq, struct task_struct *p, int policy,
			      bool user)
{
	if (policy == SCHED_GHOST && p->policy != SCHED_GHOST)
		return -ENXIO;
	return 0;
}

static const struct ghost_class_ops ghost_ops = {
	.owner		= THIS_MODULE,
	.setscheduler	= ghost_setscheduler,
};

int ghost_class_init(void)
{
	return ghost_register_class_ops(&ghost_ops);
}

void ghost_class_exit(void)
{
	ghost_unregister_class_ops(&ghost_ops);
}
