// SPDX-License-Identifier: BSD-2-Clause
/*
 * Report schema v1, the encoder: a struct report as JSON, walking the
 * field tables of report.c, so each member is written where and as the
 * decoder reads it.  The caller checks first (report_encode() does it
 * itself); a report that fails report_check() is not encoded.
 */
#include <stdlib.h>
#include <string.h>

#include "common/report.h"
#include "common/report_int.h"

/* ---- encoding ----------------------------------------------------------- */

static json_t *enc_obj(const struct rf *t, int n, const void *base)
{
	const char *b = base;
	json_t *o = json_object();

	for (int i = 0; i < n; i++) {
		const struct rf *f = &t[i];
		const void *p = b + f->off;
		char c[CODE_STRLEN];
		json_t *v = NULL;

		switch (f->kind) {
		case RF_U64:
		case RF_SEQ:
			v = json_integer((json_int_t) * (const uint64_t *)p);
			break;
		case RF_TIME:
		case RF_TIME0:
		case RF_SECS:
		case RF_IVAL:
			v = json_integer(*(const long long *)p);
			break;
		case RF_MS:
			v = *(const double *)p < 0
				    ? json_null()
				    : json_real(*(const double *)p);
			break;
		case RF_PCT:
		case RF_BPS:
			v = json_real(*(const double *)p);
			break;
		case RF_BOOL:
			v = json_boolean(*(const bool *)p);
			break;
		case RF_NAME:
		case RF_NAME0:
		case RF_IFNAME:
		case RF_TOKEN:
		case RF_TOKEN0:
		case RF_TEXT:
			v = json_string(p);
			break;
		case RF_WORD:
		case RF_WORDN: {
			int w = *(const int *)p;

			v = f->kind == RF_WORDN && !w
				    ? json_null()
				    : json_string(f->words[w]);
			break;
		}
		case RF_CODE:
			v = json_string(code_format(*(const code_t *)p, c));
			break;
		case RF_OBJN:
			if (!*(const bool *)p) {
				v = json_null();
				break;
			}
			/* fall through */
		case RF_OBJ:
			v = enc_obj(f->sub, f->nsub, base);
			break;
		case RF_CUSTOM: /* holds the place; the caller sets it */
			v = json_null();
			break;
		}
		json_object_set_new(o, f->key, v);
	}
	return o;
}

static json_t *enc_link(const struct report_link *l)
{
	json_t *o = enc_obj(rpt_link, rpt_nlink, l), *d, *reasons;

	if (!l->has_drops)
		return o;
	d = enc_obj(rpt_drops, rpt_ndrops, l);
	reasons = json_object();
	for (int i = 0; i < l->n_drops; i++)
		json_object_set_new(
			reasons, l->drops[i].reason,
			enc_obj(rpt_reason, rpt_nreason, &l->drops[i]));
	json_object_set_new(d, "reasons", reasons);
	json_object_set_new(o, "drops", d);
	return o;
}

json_t *report_to_json(const struct report *r)
{
	json_t *o = enc_obj(rpt_top, rpt_ntop, r), *node, *a, *pairs;
	char c[CODE_STRLEN];

	json_object_set_new(o, "schema", json_integer(r->schema));
	node = enc_obj(rpt_node, rpt_nnode, r);
	json_object_set_new(node, "level",
			    json_string(code_level_name(r->level)));
	json_object_set_new(node, "parent",
			    r->parent ? json_string(code_format(r->parent, c))
				      : json_null());
	json_object_set_new(o, "node", node);
	if (r->profile[0])
		json_object_set_new(o, "profile",
				    enc_obj(rpt_profile, rpt_nprofile, r));
	a = json_array();
	for (int i = 0; i < r->n_links; i++)
		json_array_append_new(a, enc_link(&r->links[i]));
	json_object_set_new(o, "links", a);
	a = json_array();
	for (int i = 0; i < r->n_targets; i++)
		json_array_append_new(
			a, enc_obj(rpt_target, rpt_ntarget, &r->targets[i]));
	json_object_set_new(o, "targets", a);
	pairs = json_object();
	for (int i = 0; i < r->n_pairs; i++)
		json_object_set_new(pairs, r->pairs[i].pair,
				    enc_obj(rpt_pair, rpt_npair, &r->pairs[i]));
	json_object_set_new(o, "firewall", json_pack("{s:o}", "pairs", pairs));
	a = json_array();
	for (int i = 0; i < r->n_events; i++) {
		const struct report_event *e = &r->events[i];
		json_t *ev =
			enc_obj(rpt_event[e->type], rpt_nevent[e->type], e);

		json_object_set_new(ev, "type",
				    json_string(report_ev_words[e->type]));
		json_array_append_new(a, ev);
	}
	json_object_set_new(o, "events", a);
	if (!r->n_snmp) { /* left out: reports without devices as before */
		json_object_del(o, "snmp");
		return o;
	}
	a = json_array();
	for (int i = 0; i < r->n_snmp; i++) {
		const struct report_snmp_dev *d = &r->snmp[i];
		json_t *dv = enc_obj(rpt_snmp_dev, rpt_nsnmp_dev, d),
		       *ifs = json_array();

		for (int k = 0; k < d->n_ifs; k++)
			json_array_append_new(
				ifs, enc_obj(rpt_snmp_if, rpt_nsnmp_if,
					     &d->ifs[k]));
		json_object_set_new(dv, "interfaces", ifs);
		json_array_append_new(a, dv);
	}
	json_object_set_new(o, "snmp", a);
	return o;
}

int report_encode(const struct report *r, char **out, size_t *len, char *err,
		  size_t errlen)
{
	struct rd rd = {.err = err, .errlen = errlen};
	json_t *j;
	char *s;

	*out = NULL;
	*len = 0;
	if (report_check(r, err, errlen))
		return -1;
	j = report_to_json(r);
	s = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
	json_decref(j);
	if (!s)
		return rpt_fail(&rd, REPORT_ERR_NONE, "out of memory");
	*len = strlen(s);
	if (*len > REPORT_MAX_BYTES) {
		rpt_fail(&rd, REPORT_ERR_SIZE,
			 "%zu bytes encoded, over the %d a body may have", *len,
			 REPORT_MAX_BYTES);
		free(s);
		*len = 0;
		return -1;
	}
	*out = s;
	return 0;
}
