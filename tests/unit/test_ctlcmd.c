// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the control socket's request decoding: ctlsock_parse()
 * (strict JSON, one object) and ctlcmd_check() (the command table: known
 * commands, their fields, types and ranges).  Each row is a request line
 * and the exact answer: accepted as which command, or refused with which
 * reason.  A refused request never reaches a handler, so nothing changes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/ctlcmd.h"
#include "agent/ctlsock.h"

#include "tests/unit/rows.h"

static const struct req_row {
	const char *line;
	size_t len;	    /* 0: strlen(line) */
	const char *cmd;    /* accepted as this command; NULL: refused */
	const char *error;  /* refused: the reason starts with this */
} req_rows[] = {
	/* accepted */
	{"{\"cmd\": \"status\"}", 0, "status", NULL},
	{"{\"cmd\": \"links\"}", 0, "links", NULL},
	{"{\"cmd\": \"plan\"}", 0, "plan", NULL},
	{"{\"cmd\": \"apply\"}", 0, "apply", NULL},
	{"{\"cmd\": \"apply\", \"confirm\": 120}", 0, "apply", NULL},
	{"{\"cmd\": \"apply\", \"confirm\": 0}", 0, "apply", NULL},
	{"{\"cmd\": \"apply\", \"confirm\": 86400}", 0, "apply", NULL},
	{"{\"cmd\": \"apply\", \"confirm\": 5, \"confirm_when\": "
	 "\"reachable\"}", 0, "apply", NULL},
	{"{\"cmd\": \"confirm\"}", 0, "confirm", NULL},
	{"{\"cmd\": \"rollback\"}", 0, "rollback", NULL},
	{"{\"cmd\": \"reload\"}", 0, "reload", NULL},
	{"  {\"cmd\":\"status\"}  ", 0, "status", NULL},

	/* not one JSON object */
	{"", 0, NULL, "a request is one JSON object"},
	{"status", 0, NULL, "a request is one JSON object"},
	{"[\"status\"]", 0, NULL, "a request is one JSON object"},
	{"\"status\"", 0, NULL, "a request is one JSON object"},
	{"5", 0, NULL, "a request is one JSON object"},
	{"null", 0, NULL, "a request is one JSON object"},
	{"{\"cmd\": \"status\"} {\"cmd\": \"apply\"}", 0, NULL,
	 "a request is one JSON object"},
	{"{\"cmd\": \"status\"", 0, NULL, "a request is one JSON object"},
	/* a key twice: which one counts would be a guess */
	{"{\"cmd\": \"status\", \"cmd\": \"apply\"}", 0, NULL,
	 "a request is one JSON object"},
	/* NUL inside a string, raw or escaped */
	{"{\"cmd\": \"sta\0tus\"}", 18, NULL, "a request is one JSON object"},
	{"{\"cmd\": \"sta\\u0000tus\"}", 0, NULL,
	 "a request is one JSON object"},
	/* not UTF-8 */
	{"{\"cmd\": \"st\xff\xfetus\"}", 0, NULL,
	 "a request is one JSON object"},
	{"{\"cmd\": \"\xc0\xafstatus\"}", 0, NULL,
	 "a request is one JSON object"},

	/* the command */
	{"{}", 0, NULL, "a request is {\"cmd\": \"...\"}"},
	{"{\"cmd\": 5}", 0, NULL, "a request is {\"cmd\": \"...\"}"},
	{"{\"cmd\": null}", 0, NULL, "a request is {\"cmd\": \"...\"}"},
	{"{\"cmd\": [\"status\"]}", 0, NULL, "a request is {\"cmd\": \"...\"}"},
	{"{\"cmd\": \"Status\"}", 0, NULL, "unknown command"},
	{"{\"cmd\": \"status \"}", 0, NULL, "unknown command"},
	{"{\"cmd\": \"\"}", 0, NULL, "unknown command"},
	{"{\"cmd\": \"shutdown\"}", 0, NULL, "unknown command"},

	/* fields: unknown, wrong type, out of range */
	{"{\"cmd\": \"status\", \"verbose\": true}", 0, NULL,
	 "status takes no field \"verbose\""},
	{"{\"cmd\": \"rollback\", \"confirm\": 5}", 0, NULL,
	 "rollback takes no field \"confirm\""},
	{"{\"cmd\": \"apply\", \"confirm_when\": 5}", 0, NULL,
	 "confirm_when: a string is needed, not an integer"},
	{"{\"cmd\": \"apply\", \"confirm_when\": true}", 0, NULL,
	 "confirm_when: a string is needed, not a boolean"},
	{"{\"cmd\": \"apply\", \"confirm_when\": null}", 0, NULL,
	 "confirm_when: a string is needed, not null"},
	{"{\"cmd\": \"apply\", \"confirm_when\": \"always\"}", 0, NULL,
	 "confirm_when takes only \"reachable\""},
	{"{\"cmd\": \"apply\", \"confirm_when\": \"reachable \"}", 0, NULL,
	 "confirm_when takes only \"reachable\""},
	{"{\"cmd\": \"apply\", \"confirm\": \"120\"}", 0, NULL,
	 "confirm: an integer 0..86400 is needed, not a string"},
	{"{\"cmd\": \"apply\", \"confirm\": 1.5}", 0, NULL,
	 "confirm: an integer 0..86400 is needed, not a real number"},
	{"{\"cmd\": \"apply\", \"confirm\": -1}", 0, NULL,
	 "confirm: an integer 0..86400 is needed, not that one"},
	{"{\"cmd\": \"apply\", \"confirm\": 86401}", 0, NULL,
	 "confirm: an integer 0..86400 is needed, not that one"},
	{"{\"cmd\": \"apply\", \"confirm\": 4294967416}", 0, NULL,
	 "confirm: an integer 0..86400 is needed, not that one"},
	{"{\"cmd\": \"apply\", \"confirm\": 99999999999999999999}", 0, NULL,
	 "a request is one JSON object"},
	{"{\"cmd\": \"apply\", \"confirm\": {}}", 0, NULL,
	 "confirm: an integer 0..86400 is needed, not an object"},
	{"{\"cmd\": \"apply\", \"confirm\": 5, \"confirm_when\": \"reachable\", "
	 "\"x\": 1}", 0, NULL, "apply takes no field \"x\""},
};

static void test_request(void **state)
{
	const struct req_row *r = *state;
	size_t len = r->len ? r->len : strlen(r->line);
	char err[300];
	json_t *req;
	int cmd = -1, rc;

	poison(err, sizeof(err));
	req = ctlsock_parse(r->line, len, err, sizeof(err));
	if (!req) {
		assert_null(r->cmd);
		assert_true(strncmp(err, r->error, strlen(r->error)) == 0);
		return;
	}
	poison(err, sizeof(err));
	rc = ctlcmd_check(req, &cmd, err, sizeof(err));
	if (r->cmd) {
		assert_int_equal(rc, 0);
		assert_string_equal(json_string_value(json_object_get(req, "cmd")),
				    r->cmd);
	} else {
		assert_int_equal(rc, -EINVAL);
		assert_true(strncmp(err, r->error, strlen(r->error)) == 0);
	}
	json_decref(req);
}

/* Refused requests answer without running anything: ctlcmd_run() on a
 * context with no agent would crash if it got past the check. */
static void test_refused_runs_nothing(void **state)
{
	struct ctlcmd_ctx c = {0};
	json_t *req, *resp;
	char err[300];

	(void)state;
	req = ctlsock_parse("{\"cmd\": \"apply\", \"confirm_when\": 5}", 35,
			    err, sizeof(err));
	assert_non_null(req);
	resp = ctlcmd_run(&c, req);
	assert_false(json_is_true(json_object_get(resp, "ok")));
	assert_string_equal(json_string_value(json_object_get(resp, "error")),
			    "confirm_when: a string is needed, not an integer");
	json_decref(resp);
	json_decref(req);
}

int main(void)
{
	for (size_t i = 0; i < ROWS(req_rows); i++)
		add_test(test_request, &req_rows[i], "request %zu: %.60s", i,
			 req_rows[i].line);
	add_test(test_refused_runs_nothing, NULL, "refused runs nothing");
	return _cmocka_run_group_tests("ctlcmd", tests, ntests, NULL, NULL);
}
