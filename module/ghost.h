/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of ghost.ko. Each part has an
 * init/exit pair; main.c calls them in order and unwinds in reverse.
 */
#ifndef _GHOST_GHOST_H
#define _GHOST_GHOST_H

#include <linux/sched/ghost.h>

#include "uapi/linux/ghost.h"

/* class.c: the callbacks behind the ghost and agent classes */
int ghost_class_init(void);
void ghost_class_exit(void);

/* chardev.c: /dev/ghost */
int ghost_chardev_init(void);
void ghost_chardev_exit(void);

#endif /* _GHOST_GHOST_H */
