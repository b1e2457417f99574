// SPDX-License-Identifier: BSD-2-Clause
/*
 * Control socket commands (see ctlcmd.h).  Each command names the fields
 * it takes; ctlcmd_check() refuses anything else before a handler runs, so
 * a handler reads fields that are there with the right type and range.
 */
#include "agent/ctlcmd.h"

#include "agent/report/reporter.h"
#include "agent/snmp/agentx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/ctlsock.h"
#include "agent/snmp/poll.h"
#include "agent/watch/monitor.h"
#include "common/defaults.h"

struct field {
	const char *name;
	int type;	     /* JSON_INTEGER, JSON_STRING, JSON_TRUE (bool) */
	json_int_t min, max; /* JSON_INTEGER */
	const char *const *words; /* JSON_STRING: the values allowed */
};

struct command {
	const char *name;
	const struct field *fields; /* ended by {NULL} */
	json_t *(*run)(struct ctlcmd_ctx *c, const json_t *req);
};

static const char *const when_words[] = {"reachable", NULL};

static const struct field no_fields[] = {{NULL, 0, 0, 0, NULL}};
static const struct field apply_fields[] = {
	{"confirm", JSON_INTEGER, 0, EGNET_CONFIRM_MAX_S, NULL},
	{"confirm_when", JSON_STRING, 0, 0, when_words},
	{NULL, 0, 0, 0, NULL},
};

static void changed(struct ctlcmd_ctx *c, unsigned what)
{
	if (c->changed)
		c->changed(c->arg, what);
}

static json_t *control_json(const struct ctlsock *cs)
{
	struct ctlsock_stats st;

	ctlsock_stats(cs, &st);
	return json_pack(
		"{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "clients",
		st.clients, "max_clients", CTLSOCK_MAX_CLIENTS, "accepted",
		(json_int_t)st.accepted, "busy", (json_int_t)st.busy, "evicted",
		(json_int_t)st.evicted, "timed_out", (json_int_t)st.timed_out,
		"bad", (json_int_t)st.bad, "too_long", (json_int_t)st.too_long,
		"accept_errors", (json_int_t)st.accept_errors);
}

static json_t *run_status(struct ctlcmd_ctx *c, const json_t *req)
{
	json_t *s = agent_status(c->a),
	       *l = monitor_links(c->mon, &c->a->in.ds);

	(void)req;
	/* how links are watched, and the targets' states */
	json_object_set(s, "monitor", json_object_get(l, "monitor"));
	json_object_set(s, "targets", json_object_get(l, "targets"));
	if (c->cs)
		json_object_set_new(s, "control", control_json(c->cs));
	if (c->rep && *c->rep)
		json_object_set_new(s, "collector", reporter_status(*c->rep));
	if (c->ax)
		json_object_set_new(s, "agentx", agentx_status(*c->ax));
	if (c->snmp && *c->snmp) {
		json_t *p = poller_json(*c->snmp);

		json_object_set(s, "snmp", json_object_get(p, "devices"));
		json_decref(p);
	}
	json_decref(l);
	return s;
}

static json_t *run_snmp(struct ctlcmd_ctx *c, const json_t *req)
{
	(void)req;
	return poller_json(c->snmp ? *c->snmp : NULL);
}

static json_t *run_links(struct ctlcmd_ctx *c, const json_t *req)
{
	(void)req;
	return monitor_links(c->mon, &c->a->in.ds);
}

static json_t *run_plan(struct ctlcmd_ctx *c, const json_t *req)
{
	(void)req;
	return agent_plan(c->a);
}

static json_t *run_apply(struct ctlcmd_ctx *c, const json_t *req)
{
	json_t *secs = json_object_get(req, "confirm");
	bool when = json_object_get(req, "confirm_when") != NULL;
	json_t *resp;

	resp = agent_apply(c->a, secs ? (int)json_integer_value(secs) : 0,
			   when);
	changed(c, CTLCMD_PENDING | CTLCMD_CONFIG);
	return resp;
}

static json_t *run_confirm(struct ctlcmd_ctx *c, const json_t *req)
{
	json_t *resp = agent_confirm(c->a);

	(void)req;
	changed(c, CTLCMD_PENDING);
	return resp;
}

static json_t *run_rollback(struct ctlcmd_ctx *c, const json_t *req)
{
	json_t *resp = agent_rollback(c->a);

	(void)req;
	changed(c, CTLCMD_PENDING);
	return resp;
}

static json_t *run_reload(struct ctlcmd_ctx *c, const json_t *req)
{
	json_t *resp = agent_reload(c->a);

	(void)req;
	changed(c, CTLCMD_CONFIG);
	return resp;
}

static const struct command commands[] = {
	{"status", no_fields, run_status},
	{"links", no_fields, run_links},
	{"snmp", no_fields, run_snmp},
	{"plan", no_fields, run_plan},
	{"apply", apply_fields, run_apply},
	{"confirm", no_fields, run_confirm},
	{"rollback", no_fields, run_rollback},
	{"reload", no_fields, run_reload},
};
#define N_COMMANDS ((int)(sizeof(commands) / sizeof(commands[0])))

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static int check_field(const struct field *f, const json_t *v, char *err,
		       size_t errlen)
{
	switch (f->type) {
	case JSON_INTEGER:
		if (!json_is_integer(v) || json_integer_value(v) < f->min ||
		    json_integer_value(v) > f->max) {
			snprintf(err, errlen,
				 "%s: an integer %lld..%lld is needed, not %s",
				 f->name, (long long)f->min, (long long)f->max,
				 json_is_integer(v) ? "that one"
						    : type_name(v));
			return -EINVAL;
		}
		return 0;
	case JSON_STRING:
		if (!json_is_string(v)) {
			snprintf(err, errlen, "%s: a string is needed, not %s",
				 f->name, type_name(v));
			return -EINVAL;
		}
		for (int i = 0; f->words && f->words[i]; i++)
			if (!strcmp(json_string_value(v), f->words[i]))
				return 0;
		if (!f->words)
			return 0;
		snprintf(err, errlen, "%s takes only \"%s\"", f->name,
			 f->words[0]);
		return -EINVAL;
	default:
		if (!json_is_boolean(v)) {
			snprintf(err, errlen,
				 "%s: true or false is needed, "
				 "not %s",
				 f->name, type_name(v));
			return -EINVAL;
		}
		return 0;
	}
}

int ctlcmd_check(const json_t *req, int *cmd, char *err, size_t errlen)
{
	const json_t *name = json_object_get(req, "cmd"), *v;
	const struct command *c = NULL;
	const char *key;

	if (!json_is_object(req) || !json_is_string(name)) {
		snprintf(err, errlen, "a request is {\"cmd\": \"...\"}");
		return -EINVAL;
	}
	for (int i = 0; i < N_COMMANDS; i++)
		if (!strcmp(json_string_value(name), commands[i].name)) {
			c = &commands[i];
			*cmd = i;
		}
	if (!c) {
		snprintf(err, errlen,
			 "unknown command (status, links, snmp, plan, "
			 "apply, confirm, rollback, reload)");
		return -EINVAL;
	}
	json_object_foreach((json_t *)req, key, v)
	{
		const struct field *f = c->fields;

		if (!strcmp(key, "cmd"))
			continue;
		while (f->name && strcmp(f->name, key))
			f++;
		if (!f->name) {
			snprintf(err, errlen, "%s takes no field \"%.64s\"",
				 c->name, key);
			return -EINVAL;
		}
		if (check_field(f, v, err, errlen))
			return -EINVAL;
	}
	return 0;
}

json_t *ctlcmd_run(struct ctlcmd_ctx *c, const json_t *req)
{
	char err[256];
	int i;

	if (ctlcmd_check(req, &i, err, sizeof(err)))
		return json_pack("{s:b, s:s}", "ok", 0, "error", err);
	return commands[i].run(c, req);
}

json_t *ctlcmd_dispatch(void *ctx, const json_t *req)
{
	return ctlcmd_run(ctx, req);
}
