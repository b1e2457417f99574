// SPDX-License-Identifier: BSD-2-Clause
/*
 * net-snmp's one set-up for the subagent and the poller
 * (agent/snmp/snmplib.c) and the one event bridge (snmpev.c): users
 * counted, the subagent's role only for the first, refused after a plain
 * user, kept while any user is left, gone after the last; the
 * bridge refuses a second event base.  No master runs: the subagent's
 * first connection fails (a socket that does not exist), as at a start
 * before snmpd.  Each case runs in a child of its own: net-snmp leaks
 * when it is set up again in a process after its shutdown (the agent
 * sets it up once), and the child's exit under valgrind counts leaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/snmp/snmpev.h"
#include "agent/snmp/snmplib.h"

static char sock[108];

static void test_poller_first_body(void)
{
	struct snmplib_subagent sa = {.socket = sock, .timeout_ms = 50};
	char err[200] = "";

	assert_int_equal(snmplib_init(NULL, err, sizeof(err)), 0);
	assert_false(snmplib_is_subagent());
	/* the role is the first user's: a subagent after it is refused */
	assert_int_equal(snmplib_init(&sa, err, sizeof(err)), -EALREADY);
	assert_non_null(strstr(err, "not as a subagent"));
	assert_int_equal(snmplib_init(NULL, err, sizeof(err)), 0);
	snmplib_done();
	assert_false(snmplib_is_subagent());
	snmplib_done();
	snmplib_done(); /* without a user: nothing */
}

static void test_subagent_first_body(void)
{
	struct snmplib_subagent sa = {.socket = sock, .timeout_ms = 50};
	char err[200] = "";

	assert_int_equal(snmplib_init(&sa, err, sizeof(err)), 0);
	assert_true(snmplib_is_subagent());
	/* the poller after it shares it */
	assert_int_equal(snmplib_init(NULL, err, sizeof(err)), 0);
	assert_true(snmplib_is_subagent());
	/* the subagent gone, the poller still there: the library stays */
	snmplib_done();
	assert_true(snmplib_is_subagent());
	snmplib_done();
	assert_false(snmplib_is_subagent());
}

static void test_bad_subagent_body(void)
{
	struct snmplib_subagent rel = {.socket = "agentx/master",
				       .timeout_ms = 50},
				nosock = {.socket = NULL, .timeout_ms = 50},
				notime = {.socket = sock, .timeout_ms = 0};
	char err[200];

	err[0] = '\0';
	assert_int_equal(snmplib_init(&rel, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "absolute"));
	assert_int_equal(snmplib_init(&nosock, err, sizeof(err)), -EINVAL);
	assert_int_equal(snmplib_init(&notime, err, sizeof(err)), -EINVAL);
	/* nothing was set up: a plain user is the first */
	assert_int_equal(snmplib_init(NULL, err, sizeof(err)), 0);
	assert_false(snmplib_is_subagent());
	snmplib_done();
}

static void test_bridge_body(void)
{
	struct event_base *a = event_base_new(), *b = event_base_new();
	char err[200];

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(snmplib_init(NULL, err, sizeof(err)), 0);
	assert_int_equal(snmpev_attach(a), 0);
	assert_int_equal(snmpev_attach(a), 0);
	assert_int_equal(snmpev_attach(b), -EINVAL);
	snmpev_detach();
	/* one user left: still a's */
	assert_int_equal(snmpev_attach(b), -EINVAL);
	snmpev_detach();
	/* none: free for another base */
	assert_int_equal(snmpev_attach(b), 0);
	snmpev_sync();
	assert_true(event_base_loop(b, EVLOOP_NONBLOCK) >= 0);
	snmpev_forget(12345); /* not watched: nothing */
	snmpev_detach();
	snmpev_detach(); /* without a user: nothing */
	snmplib_done();
	event_base_free(a);
	event_base_free(b);
}

/* @fn in a child: its assertions there, its exit status here. */
static void in_child(void (*fn)(void))
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

#define CHILD(name)                                                            \
	static void name(void **state)                                         \
	{                                                                      \
		(void)state;                                                   \
		in_child(name##_body);                                         \
	}
CHILD(test_poller_first)
CHILD(test_subagent_first)
CHILD(test_bad_subagent)
CHILD(test_bridge)

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poller_first),
		cmocka_unit_test(test_subagent_first),
		cmocka_unit_test(test_bad_subagent),
		cmocka_unit_test(test_bridge),
	};

	/* a master socket that is not there */
	snprintf(sock, sizeof(sock), "/tmp/egnet-test-snmplib-%d/none",
		 (int)getpid());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
