// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tables of the collector's answers (collview.h).  Every value is read
 * through str()/num(), which give NULL / false for what is missing or of
 * another type; cells go through textw_put() so they are as wide as their
 * column whatever the script of the text.
 */
#include "ctl/collview.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/textw.h"
#include "ctl/when.h"

#define NAME_MAX_COLS 30 /* a longer name is cut with '~' */
#define NOT_EXPECTED "(not in inventory)" /* a node that reported anyway */

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool num(const json_t *o, const char *k, double *v)
{
	const json_t *j = json_object_get(o, k);

	if (!json_is_number(j))
		return false;
	*v = json_number_value(j);
	return isfinite(*v);
}

static bool integer(const json_t *o, const char *k, long long *v)
{
	const json_t *j = json_object_get(o, k);

	if (!json_is_integer(j))
		return false;
	*v = (long long)json_integer_value(j);
	return true;
}

/* 48213504 b/s as "48.2Mb/s"; whole numbers below a thousand stay whole. */
static char *human(double v, const char *unit, char *buf, size_t len)
{
	const char *p[] = {"", "k", "M", "G", "T"};
	int i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, i ? "%.1f%s%s" : "%.0f%s%s", v, p[i], unit);
	return buf;
}

static char *fixed(const json_t *o, const char *k, int decimals,
		   char *buf, size_t len)
{
	double v;

	if (!num(o, k, &v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", decimals, v);
	return buf;
}

/* The widest of @key's display widths over the objects of @arr, within
 * [@lo, @hi]. */
static int col_width(const json_t *arr, const char *key, int lo, int hi)
{
	int w = lo;

	for (size_t i = 0; i < json_array_size(arr); i++) {
		int x = textw_width(str(json_array_get(arr, i), key));

		if (x > w)
			w = x;
	}
	return w > hi ? hi : w;
}

/* ---- nodes ------------------------------------------------------------------ */

void collview_nodes(FILE *f, const json_t *answer)
{
	const json_t *nodes = json_object_get(answer, "nodes");
	int nw = col_width(nodes, "name", 4, NAME_MAX_COLS);
	long long now = 0, t, seq;
	char b[64];

	for (size_t i = 0; i < json_array_size(nodes); i++)
		if (json_is_false(json_object_get(json_array_get(nodes, i),
						  "expected")) &&
		    nw < textw_width(NOT_EXPECTED))
			nw = textw_width(NOT_EXPECTED);

	integer(answer, "time_ms", &now);
	textw_put(f, "CODE", 12, false, "  ");
	textw_put(f, "NAME", nw, false, "  ");
	fprintf(f, "%-8s  %8s  %-12s  %-15s  %s\n", "LEVEL", "SEQ",
		"LAST REPORT", "APPLY", "DRIFT");
	for (size_t i = 0; i < json_array_size(nodes); i++) {
		const json_t *n = json_array_get(nodes, i);
		const json_t *drift = json_object_get(n, "drift");
		const char *name = str(n, "name");

		textw_put(f, str(n, "code"), 12, false, "  ");
		/* reported, but not in the inventory */
		if (json_is_false(json_object_get(n, "expected")))
			name = NOT_EXPECTED;
		textw_put(f, name && *name ? name : "-", nw, false, "  ");
		textw_put(f, str(n, "level"), 8, false, "  ");
		if (integer(n, "last_seq", &seq))
			snprintf(b, sizeof(b), "%lld", seq);
		else
			snprintf(b, sizeof(b), "-");
		textw_put(f, b, 8, true, "  ");
		if (integer(n, "last_report_ms", &t))
			when_age(t, now ? now : t, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "never");
		textw_put(f, b, 12, false, "  ");
		textw_put(f, str(n, "apply"), 15, false, "  ");
		fputs(json_is_boolean(drift) ? json_is_true(drift) ? "yes" : "no"
					     : "-",
		      f);
		fputc('\n', f);
	}
}

/* ---- one node --------------------------------------------------------------- */

static void print_ranges(FILE *f, const json_t *ranges)
{
	size_t n = json_array_size(ranges);

	if (!json_is_array(ranges)) {
		fprintf(f, "stored   -\n");
		return;
	}
	fprintf(f, "stored   ");
	if (!n)
		fprintf(f, "no report");
	for (size_t i = 0; i < n && i < 8; i++) {
		const json_t *r = json_array_get(ranges, i);
		long long lo = json_integer_value(json_array_get(r, 0)),
			  hi = json_integer_value(json_array_get(r, 1));

		if (lo == hi)
			fprintf(f, "%sseq %lld", i ? ", " : "", lo);
		else
			fprintf(f, "%sseq %lld..%lld", i ? ", " : "", lo, hi);
	}
	if (n > 8)
		fprintf(f, ", ... (%zu ranges)", n);
	if (n > 1)
		fprintf(f, "  (a gap: reports lost, or skipped by an agent's "
			   "restart)");
	fputc('\n', f);
}

static void print_header(FILE *f, const json_t *o, const json_t *rep,
			 long long now)
{
	const json_t *prof = json_object_get(o, "profile"),
		     *drift = json_object_get(rep, "drift"),
		     *tg = json_object_get(rep, "targets");
	const char *parent = str(o, "parent"), *pname = NULL;
	long long t, seq, up;
	char b[64], c[64];

	fprintf(f, "node     ");
	textw_print(f, str(o, "code"));
	fputs("  ", f);
	textw_print(f, str(o, "name") && *str(o, "name") ? str(o, "name")
							  : "-");
	fputs("  ", f);
	textw_print(f, str(o, "level"));
	if (json_is_false(json_object_get(o, "expected")))
		fputs("  (not in the inventory)", f);
	fputc('\n', f);
	for (size_t i = 0; i < json_array_size(tg); i++) {
		const json_t *x = json_array_get(tg, i);

		if (str(x, "relation") && !strcmp(str(x, "relation"), "parent"))
			pname = str(x, "name");
	}
	fprintf(f, "parent   ");
	textw_print(f, parent ? parent : "- (the province)");
	if (pname && *pname) {
		fputs("  ", f);
		textw_print(f, pname);
	}
	fputc('\n', f);
	fprintf(f, "profile  ");
	if (json_is_object(prof)) {
		textw_print(f, str(prof, "name"));
		fputc(' ', f);
		textw_print(f, str(prof, "version"));
		fputs(", hash ", f);
		textw_print(f, str(prof, "hash"));
	} else {
		fputs("none applied", f);
	}
	fputc('\n', f);
	fprintf(f, "state    ");
	textw_print(f, str(o, "apply") ? str(o, "apply") : "- (never reported)");
	if (json_is_true(json_object_get(o, "drift"))) {
		fputs(", DRIFT: ", f);
		textw_print(f, str(drift, "text"));
	} else if (json_is_false(json_object_get(o, "drift"))) {
		fputs(", no drift", f);
	}
	fputc('\n', f);
	fprintf(f, "report   ");
	if (integer(o, "last_report_ms", &t)) {
		if (!integer(o, "last_seq", &seq))
			seq = 0;
		fprintf(f, "seq %lld received %s (%s)", seq,
			when_format(t, 0, b, sizeof(b)),
			when_age(t, now ? now : t, c, sizeof(c)));
		if (str(json_object_get(rep, "agent"), "version"))
			fprintf(f, ", agent %s",
				str(json_object_get(rep, "agent"), "version"));
		if (integer(o, "uptime_s", &up))
			fprintf(f, ", up %s",
				when_span(up * 1000, b, sizeof(b)));
	} else {
		fputs("never", f);
	}
	fputc('\n', f);
	print_ranges(f, json_object_get(o, "seq_ranges"));
}

static void print_links(FILE *f, const json_t *links)
{
	char a[32], b[32];

	fprintf(f, "\n%-15s %-9s %-10s %-7s %10s %10s\n", "LINK", "ROLE",
		"ZONE", "STATE", "RX", "TX");
	if (!json_array_size(links))
		fprintf(f, "(none reported)\n");
	for (size_t i = 0; i < json_array_size(links); i++) {
		const json_t *l = json_array_get(links, i),
			     *c = json_object_get(l, "counters");
		const char *role = str(l, "role");
		bool port = role && !strcmp(role, "port");
		double v;

		/* a bridge's ports under it, indented */
		if (port)
			fputs("  ", f);
		textw_put(f, str(l, "name"), port ? 13 : 15, false, " ");
		textw_put(f, role, 9, false, " ");
		textw_put(f, str(l, "zone") && *str(l, "zone") ? str(l, "zone")
								: "-",
			  10, false, " ");
		textw_put(f, str(l, "state"), 7, false, " ");
		snprintf(a, sizeof(a), "-");
		snprintf(b, sizeof(b), "-");
		if (num(c, "rx_bps", &v))
			human(v, "b/s", a, sizeof(a));
		if (num(c, "tx_bps", &v))
			human(v, "b/s", b, sizeof(b));
		fprintf(f, "%10s %10s\n", a, b);
	}
}

static void print_targets(FILE *f, const json_t *tg)
{
	int nw = col_width(tg, "name", 4, NAME_MAX_COLS);
	char a[32], b[32], c[32];

	fprintf(f, "\n%-8s %-12s ", "TARGET", "CODE");
	textw_put(f, "NAME", nw, false, " ");
	fprintf(f, "%-7s %8s %6s %9s\n", "STATE", "RTT ms", "LOSS%",
		"JITTER ms");
	if (!json_array_size(tg))
		fprintf(f, "(none reported)\n");
	for (size_t i = 0; i < json_array_size(tg); i++) {
		const json_t *t = json_array_get(tg, i);

		textw_put(f, str(t, "relation"), 8, false, " ");
		textw_put(f, str(t, "code"), 12, false, " ");
		textw_put(f, str(t, "name") && *str(t, "name") ? str(t, "name")
								: "-",
			  nw, false, " ");
		textw_put(f, str(t, "state"), 7, false, " ");
		fprintf(f, "%8s %6s %9s\n",
			fixed(t, "rtt_ms", 2, a, sizeof(a)),
			fixed(t, "loss_pct", 1, b, sizeof(b)),
			fixed(t, "jitter_ms", 2, c, sizeof(c)));
	}
}

static void stat_add(struct collview_stat *s, double lo, double avg,
		     double hi, double w)
{
	if (!s->n || lo < s->min)
		s->min = lo;
	if (!s->n || hi > s->max)
		s->max = hi;
	s->avg = (s->avg * s->weight + avg * w) / (s->weight + w);
	s->weight += w;
	s->n++;
}

size_t collview_series(const json_t *rows, struct collview_sum **out)
{
	struct collview_sum *v = NULL;
	size_t n = 0;

	*out = NULL;
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		const char *kind = str(r, "kind"), *key = str(r, "key");
		struct collview_sum *s = NULL;
		double w = 1, a, lo, hi;
		bool target;

		if (!kind || !key || strlen(key) >= sizeof(v->key) ||
		    (strcmp(kind, "link") && strcmp(kind, "target")))
			continue;
		target = !strcmp(kind, "target");
		for (size_t k = 0; k < n; k++)
			if (v[k].target == target && !strcmp(v[k].key, key))
				s = &v[k];
		if (!s) {
			struct collview_sum *nv = realloc(v, (n + 1) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			s = &v[n++];
			memset(s, 0, sizeof(*s));
			snprintf(s->key, sizeof(s->key), "%s", key);
			s->target = target;
		}
		if (num(r, "samples", &w) && w <= 0)
			continue; /* a row of nothing says nothing */
		s->rows++;
		if (!target) {
			if (num(r, "rx_bps", &a))
				stat_add(&s->s[0], a, a, a, w);
			if (num(r, "tx_bps", &a))
				stat_add(&s->s[1], a, a, a, w);
			continue;
		}
		if (num(r, "rtt_avg_ms", &a)) {
			if (!num(r, "rtt_min_ms", &lo))
				lo = a;
			if (!num(r, "rtt_max_ms", &hi))
				hi = a;
			stat_add(&s->s[0], lo, a, hi, w);
		}
		if (num(r, "loss_pct", &a))
			stat_add(&s->s[1], a, a, a, w);
		if (num(r, "jitter_ms", &a))
			stat_add(&s->s[2], a, a, a, w);
	}
	if (!n) {
		free(v);
		v = NULL;
	}
	*out = v;
	return n;
}

/* "min avg max" of @s as three cells of @w columns. */
static void put_stat(FILE *f, const struct collview_stat *s, bool rate,
		     int decimals, int w)
{
	char a[32], b[32], c[32];

	if (!s->n) {
		fprintf(f, " %*s %*s %*s", w, "-", w, "-", w, "-");
		return;
	}
	if (rate) {
		human(s->min, "b/s", a, sizeof(a));
		human(s->avg, "b/s", b, sizeof(b));
		human(s->max, "b/s", c, sizeof(c));
	} else {
		snprintf(a, sizeof(a), "%.*f", decimals, s->min);
		snprintf(b, sizeof(b), "%.*f", decimals, s->avg);
		snprintf(c, sizeof(c), "%.*f", decimals, s->max);
	}
	fprintf(f, " %*s %*s %*s", w, a, w, b, w, c);
}

static const char *target_name(const json_t *tg, const char *code)
{
	for (size_t i = 0; i < json_array_size(tg); i++) {
		const json_t *t = json_array_get(tg, i);

		if (str(t, "code") && !strcmp(str(t, "code"), code))
			return str(t, "name");
	}
	return NULL;
}

static void print_series(FILE *f, const json_t *series, const json_t *tg)
{
	const json_t *rows = json_object_get(series, "rows");
	const char *period = str(json_array_get(rows, 0), "period");
	struct collview_sum *v;
	long long since = 0, until = 0;
	size_t n = collview_series(rows, &v);
	int nw = 4;
	char a[64], b[64];
	bool any;

	integer(series, "since_ms", &since);
	integer(series, "until_ms", &until);
	if (until - since == 3600 * 1000LL)
		fprintf(f, "\nlast hour");
	else
		fprintf(f, "\nlast %s", when_span(until - since, a, sizeof(a)));
	fprintf(f, " (%s .. %s), %s rows: ", when_format(since, 0, a, sizeof(a)),
		when_format(until, 0, b, sizeof(b)),
		period && !strcmp(period, "hour") ? "hourly" : "per-minute");
	if (!n) {
		fprintf(f, "none yet (a minute is stored when it is over)\n");
		return;
	}
	fprintf(f, "min, avg, max\n");
	any = false;
	for (size_t i = 0; i < n; i++) {
		if (v[i].target)
			continue;
		if (!any)
			fprintf(f, "%-15s %10s %10s %10s %10s %10s %10s %5s\n",
				"LINK", "RX min", "avg", "max", "TX min", "avg",
				"max", "ROWS");
		any = true;
		textw_put(f, v[i].key, 15, false, NULL);
		put_stat(f, &v[i].s[0], true, 0, 10);
		put_stat(f, &v[i].s[1], true, 0, 10);
		fprintf(f, " %5d\n", v[i].rows);
	}
	for (size_t i = 0; i < n; i++) {
		int w = textw_width(target_name(tg, v[i].key));

		if (v[i].target && w > nw)
			nw = w > NAME_MAX_COLS ? NAME_MAX_COLS : w;
	}
	any = false;
	for (size_t i = 0; i < n; i++) {
		const char *name;

		if (!v[i].target)
			continue;
		if (!any) {
			fprintf(f, "%s%-12s ", "\n", "TARGET");
			textw_put(f, "NAME", nw, false, NULL);
			fprintf(f, " %7s %7s %7s %6s %6s %6s %7s %7s %7s %5s\n",
				"RTT min", "avg", "max", "LOSS%", "avg", "max",
				"JITTER", "avg", "max", "ROWS");
		}
		any = true;
		name = target_name(tg, v[i].key);
		textw_put(f, v[i].key, 12, false, " ");
		textw_put(f, name && *name ? name : "-", nw, false, NULL);
		put_stat(f, &v[i].s[0], false, 2, 7);
		put_stat(f, &v[i].s[1], false, 1, 6);
		put_stat(f, &v[i].s[2], false, 2, 7);
		fprintf(f, " %5d\n", v[i].rows);
	}
	free(v);
}

void collview_node(FILE *f, const json_t *answer)
{
	const json_t *rep = json_object_get(answer, "last_report"),
		     *series = json_object_get(answer, "series");
	long long now = 0;

	/* the collector's clock: its time_ms, else the series' end (now
	 * when no ?until= was given) */
	if (!integer(answer, "time_ms", &now))
		integer(series, "until_ms", &now);
	print_header(f, answer, rep, now);
	if (!json_is_object(rep))
		return;
	print_links(f, json_object_get(rep, "links"));
	print_targets(f, json_object_get(rep, "targets"));
	print_series(f, series, json_object_get(rep, "targets"));
}

/* ---- events ----------------------------------------------------------------- */

void collview_events(FILE *f, const json_t *answer)
{
	const json_t *ev = json_object_get(answer, "events");
	int tw = col_width(ev, "type", 4, 16), sw = col_width(ev, "subject", 7,
							       24);
	char b[64];
	long long t;

	fprintf(f, "%-19s  %-12s  ", "TIME", "NODE");
	textw_put(f, "TYPE", tw, false, "  ");
	textw_put(f, "SUBJECT", sw, false, "  ");
	fprintf(f, "TEXT\n");
	for (size_t i = 0; i < json_array_size(ev); i++) {
		const json_t *e = json_array_get(ev, i);
		const char *s = str(e, "subject");

		if (integer(e, "time_ms", &t))
			when_format(t, 0, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "-");
		textw_put(f, b, 19, false, "  ");
		textw_put(f, str(e, "node"), 12, false, "  ");
		textw_put(f, str(e, "type"), tw, false, "  ");
		textw_put(f, s && *s ? s : "-", sw, false, "  ");
		textw_print(f, str(e, "text"));
		fputc('\n', f);
	}
	if (!json_array_size(ev))
		fprintf(f, "(no event)\n");
}
