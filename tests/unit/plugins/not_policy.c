// SPDX-License-Identifier: GPL-2.0
/*
 * A shared object in the plugin directory that is no policy: it exports no
 * descriptor, which the configuration tests expect to be refused.
 */
int not_policy_answer(void);

int not_policy_answer(void)
{
	return 42;
}
