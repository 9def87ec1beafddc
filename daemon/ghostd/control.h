/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket ghostctl talks to (PROTO_GHOSTD_SOCKET; the protocol
 * is in common/proto.h). Mode 0660 with the configured group (default
 * "ghost") if that group exists, else 0600: root only. Each client's
 * credentials are checked again on accept (SO_PEERCRED), and a client
 * that is not root may add and remove only its own processes, as the
 * kernel would let it. One request per connection; a client that sends
 * nothing for a while is dropped, so none can stall the supervisor.
 */
#ifndef GHOSTD_CONTROL_H
#define GHOSTD_CONTROL_H

#include <stddef.h>

/* Listen for clients of group @group (see above); -1 with @why. */
int control_init(const char *group, char *why, size_t len);
void control_fini(void);

/* Give the socket to group @group (after a reload changed it). */
void control_set_group(const char *group);

#endif /* GHOSTD_CONTROL_H */
