/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names ghost's tools print for the uapi's message types and commit
 * outcomes (ghostctl's counters, ghost-sim's reports): one spelling
 * everywhere, snake_case of the uapi constant without its prefix. A type
 * the uapi does not define has no name (NULL); a newer kernel's counter
 * for such a type is skipped, not misnamed.
 */
#ifndef GHOST_COMMON_ABI_NAMES_H
#define GHOST_COMMON_ABI_NAMES_H

#include <linux/ghost.h>

extern const char *const ghost_msg_names[GHOST_MSG_TYPE_MAX + 1];
extern const char *const ghost_txn_state_names[GHOST_TXN_STATE_MAX + 1];

#endif
