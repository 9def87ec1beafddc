// SPDX-License-Identifier: GPL-2.0
/* Refused: a shared object that exports no policy descriptor. */
int not_a_policy(void);

int not_a_policy(void)
{
	return 0;
}
