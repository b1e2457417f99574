// SPDX-License-Identifier: BSD-2-Clause
/* Events from consecutive reports of a node; see storediff.h. */
#include "collector/store/storediff.h"

#include <stdio.h>
#include <string.h>

const char *const store_ev_words[] = {
	[STORE_EV_SEEN] = "agent-seen",
	[STORE_EV_RESTART] = "agent-restart",
	[STORE_EV_LINK_UP] = "link-up",
	[STORE_EV_LINK_DOWN] = "link-down",
	[STORE_EV_TARGET_UP] = "target-up",
	[STORE_EV_TARGET_DOWN] = "target-down",
	[STORE_EV_DRIFT_FOUND] = "drift-found",
	[STORE_EV_DRIFT_CLEARED] = "drift-cleared",
	[STORE_EV_APPLY_OK] = "apply-ok",
	[STORE_EV_APPLY_FAILED] = "apply-failed",
	[STORE_EV_OUTAGE_OPEN] = "outage-open",
	[STORE_EV_OUTAGE_CLOSE] = "outage-close",
	NULL,
};

/* report_oper_words, which lives with the report codec */
static const char *const storediff_oper_words[RPT_OPER__N] = {
	[RPT_OPER_UNKNOWN] = "unknown",
	[RPT_OPER_UP] = "up",
	[RPT_OPER_DOWN] = "down",
};

int storediff_link(const struct storestate *s, const char *name, int hint)
{
	return storenow_link(s->cur, name, hint);
}

int storediff_target(const struct storestate *s, code_t code, int hint)
{
	return storenow_target(s->cur, code, hint);
}

static void storediff_emit(storediff_fn fn, void *arg, const struct storerep *c,
			   long long t, enum store_ev type, const char *subject,
			   const char *text)
{
	struct store_event e;

	e.time_ms = t;
	e.node = c->node;
	e.type = type;
	snprintf(e.subject, sizeof(e.subject), "%s", subject);
	snprintf(e.text, sizeof(e.text), "%s", text);
	fn(arg, &e);
}

static int storediff_oper(uint8_t st)
{
	return st == RPT_OPER_UP || st == RPT_OPER_DOWN;
}

int storediff(const struct storestate *prev, const struct storerep *cur,
	      long long gap_ms, storediff_fn fn, void *arg)
{
	char text[REPORT_TEXT_LEN], buf[CODE_STRLEN];
	long long t = cur->time_ms;
	int n = 0;

	if (!prev->seen) {
		storediff_emit(fn, arg, cur, t, STORE_EV_SEEN, "",
			       "first report");
		n++;
	} else if (cur->seq > prev->seq) {
		if (t - prev->time_ms > gap_ms) {
			snprintf(text, sizeof(text),
				 "reporting again after %lld s",
				 (t - prev->time_ms) / 1000);
			storediff_emit(fn, arg, cur, t, STORE_EV_SEEN, "",
				       text);
			n++;
		}
		if (cur->uptime_s < prev->uptime_s) {
			snprintf(text, sizeof(text),
				 "uptime %lld s, was %lld s", cur->uptime_s,
				 prev->uptime_s);
			storediff_emit(fn, arg, cur, t, STORE_EV_RESTART, "",
				       text);
			n++;
		}
		if (cur->drift != prev->drift) {
			storediff_emit(fn, arg, cur, t,
				       cur->drift ? STORE_EV_DRIFT_FOUND
						  : STORE_EV_DRIFT_CLEARED,
				       "", cur->drift ? cur->drift_text : "");
			n++;
		}
		for (int i = 0; i < cur->n_links; i++) {
			const struct storerep_link *l = &cur->links[i];
			int k = storediff_link(prev, l->name, i);
			uint8_t was;

			if (k < 0)
				continue;
			was = storenow_links(prev->cur)[k].state;
			if (was == l->state || !storediff_oper(l->state))
				continue;
			snprintf(text, sizeof(text), "%s, was %s",
				 storediff_oper_words[l->state],
				 storediff_oper_words[was]);
			storediff_emit(fn, arg, cur, t,
				       l->state == RPT_OPER_UP
					       ? STORE_EV_LINK_UP
					       : STORE_EV_LINK_DOWN,
				       l->name, text);
			n++;
		}
		for (int i = 0; i < cur->n_targets; i++) {
			const struct storerep_target *g = &cur->targets[i];
			int k = storediff_target(prev, g->code, i);
			uint8_t was;

			if (k < 0)
				continue;
			was = storenow_targets(prev->cur)[k].state;
			if (was == g->state || !storediff_oper(g->state))
				continue;
			snprintf(text, sizeof(text), "%s, was %s",
				 storediff_oper_words[g->state],
				 storediff_oper_words[was]);
			storediff_emit(fn, arg, cur, t,
				       g->state == RPT_OPER_UP
					       ? STORE_EV_TARGET_UP
					       : STORE_EV_TARGET_DOWN,
				       code_format(g->code, buf), text);
			n++;
		}
	}
	for (int i = 0; i < cur->n_applies; i++) {
		const struct storerep_apply *a = &cur->applies[i];

		storediff_emit(fn, arg, cur, a->time_ms,
			       a->ok ? STORE_EV_APPLY_OK : STORE_EV_APPLY_FAILED,
			       a->hash, a->text);
		n++;
	}
	return n;
}
