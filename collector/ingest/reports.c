// SPDX-License-Identifier: BSD-2-Clause
/*
 * POST /api/v1/reports (reports.h).  Runs on the HTTP server's worker
 * threads; each keeps one decoded report (~600 KiB) for its life rather
 * than one per request.  The request is suspended before the store sees
 * it, so the writer thread's answer can never come before the suspension.
 */
#include "collector/ingest/reports.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/ingest/http_stats.h"
#include "collector/store/store.h"
#include "collector/verify/verify.h"
#include "common/now.h"
#include "common/log.h"

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_init(void)
{
	if (pthread_key_create(&scratch_key, free))
		fatal("pthread_key_create");
}

/* This thread's report to decode into. */
static struct report *scratch(void)
{
	struct report *r;

	pthread_once(&scratch_once, scratch_init);
	r = pthread_getspecific(scratch_key);
	if (!r) {
		r = malloc(sizeof(*r));
		if (r && pthread_setspecific(scratch_key, r)) {
			free(r);
			r = NULL;
		}
	}
	return r;
}

/* A report waiting for the store's answer. */
struct waiting {
	struct http_req *req;
	struct reports_ctx *ctx;
	code_t node;
	uint64_t seq;
};

static json_t *ok_body(code_t node, uint64_t seq, bool stored)
{
	char cb[CODE_STRLEN];
	json_t *j = json_pack("{s:b, s:s, s:I, s:b}", "ok", 1, "node",
			      code_format(node, cb), "seq", (json_int_t)seq,
			      "stored", stored);

	if (!stored)
		json_object_set_new(j, "duplicate", json_true());
	return j;
}

static int answer_result(struct http_req *req, struct reports_ctx *c,
			 code_t node, uint64_t seq, enum store_result res)
{
	switch (res) {
	case STORE_OK:
		http_stats_add(&c->st.stored, 1);
		return http_answer(req, 200, ok_body(node, seq, true));
	case STORE_DUP:
		http_stats_add(&c->st.duplicates, 1);
		return http_answer(req, 200, ok_body(node, seq, false));
	case STORE_BUSY:
		http_stats_add(&c->st.busy, 1);
		return http_error(req, 503, "busy",
				  "the store's queue is full: send it again "
				  "later");
	default:
		http_stats_add(&c->st.unavailable, 1);
		return http_error(req, 503, "store",
				  "the store cannot write now: send it again "
				  "later");
	}
}

static void stored(void *arg, enum store_result res)
{
	struct waiting *w = arg;

	answer_result(w->req, w->ctx, w->node, w->seq, res);
	free(w);
}

int reports_post(struct http_req *req, void *arg)
{
	struct reports_ctx *c = arg;
	struct report *r = scratch();
	enum report_err why = REPORT_ERR_NONE;
	char err[400], cb[CODE_STRLEN], ib[CODE_STRLEN];
	struct waiting *w;
	enum store_result res;
	const char *body;
	code_t id;
	size_t len;

	if (!r)
		return -ENOMEM;
	/* a certificate names its node; plaintext (when allowed) does not */
	if (http_req_tls(req) && !http_req_identity(req, &id)) {
		http_stats_add(&c->st.identity, 1);
		return http_error(req, 403, "identity",
				  "the client certificate names no node");
	}
	body = http_req_body(req, &len);
	if (report_decode(body, len, r, &why, err, sizeof(err))) {
		if (why > REPORT_ERR_NONE && why < REPORT_ERR__N)
			http_stats_add(&c->st.refused[why], 1);
		return http_error(req, why == REPORT_ERR_SIZE ? 413 : 400,
				  report_err_words[why], "%s", err);
	}
	if (http_req_tls(req) && id != r->node) {
		http_stats_add(&c->st.identity, 1);
		return http_error(req, 403, "identity",
				  "the certificate is node %s's, the report "
				  "node %s's",
				  code_format(id, ib), code_format(r->node, cb));
	}
	http_stats_add(&c->st.bytes, (int64_t)len);
	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct waiting){req, c, r->node, r->seq};
	if (http_suspend(req)) {
		free(w);
		return 0;
	}
	res = store_put(c->store, r, body, len, stored, w);
	/* w may be answered and freed by now; r is this thread's own */
	if (res == STORE_OK && c->verify)
		verify_observe(c->verify, r, now_wall_ms());
	if (res != STORE_OK) {
		/* answered now: the store calls back only for what it queued */
		answer_result(req, c, w->node, w->seq, res);
		free(w);
	}
	return 0;
}

void reports_stats(const struct reports_ctx *c, struct reports_stats *out)
{
	const uint64_t *src = (const uint64_t *)&c->st;
	uint64_t *dst = (uint64_t *)out;

	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

static __attribute__((format(printf, 3, 4))) void
put(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*buf = xrealloc(*buf, *len + (size_t)n + 1);
	memcpy(*buf + *len, s, (size_t)n + 1);
	*len += (size_t)n;
	free(s);
}

void reports_metrics(const struct reports_stats *st, char **buf, size_t *len)
{
	put(buf, len,
	    "# HELP egnet_reports_total Reports answered by the ingest, by "
	    "result.\n"
	    "# TYPE egnet_reports_total counter\n"
	    "egnet_reports_total{result=\"stored\"} %llu\n"
	    "egnet_reports_total{result=\"duplicate\"} %llu\n"
	    "egnet_reports_total{result=\"busy\"} %llu\n"
	    "egnet_reports_total{result=\"unavailable\"} %llu\n"
	    "egnet_reports_total{result=\"identity\"} %llu\n",
	    (unsigned long long)st->stored,
	    (unsigned long long)st->duplicates, (unsigned long long)st->busy,
	    (unsigned long long)st->unavailable,
	    (unsigned long long)st->identity);
	put(buf, len,
	    "# HELP egnet_reports_refused_total Bodies refused as not a "
	    "schema v1 report, by reason.\n"
	    "# TYPE egnet_reports_refused_total counter\n");
	for (int i = REPORT_ERR_NONE + 1; i < REPORT_ERR__N; i++)
		put(buf, len, "egnet_reports_refused_total{reason=\"%s\"} %llu\n",
		    report_err_words[i], (unsigned long long)st->refused[i]);
	put(buf, len,
	    "# HELP egnet_report_bytes_total Bytes of the reports taken.\n"
	    "# TYPE egnet_report_bytes_total counter\n"
	    "egnet_report_bytes_total %llu\n",
	    (unsigned long long)st->bytes);
}
