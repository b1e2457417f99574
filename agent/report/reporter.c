// SPDX-License-Identifier: BSD-2-Clause
/*
 * The reporter (reporter.h): reports made on a timer and on changes,
 * queued in the spool, sent over HTTP(S) by libcurl's multi interface on
 * the agent's event loop.  Two request slots: the newest report (live) and
 * the backlog, oldest first.  Everything here runs on the loop's thread.
 */
#include "agent/report/reporter.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "agent/report/spool.h"
#include "common/defaults.h"
#include "common/log.h"
#include "common/now.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS (5 * 60 * 1000)
#define SOON_GAP_MS    1000	  /* change-driven reports: one a second */
#define ANSWER_MAX     (64 * 1024) /* bytes of an answer kept */

enum slot { SLOT_LIVE, SLOT_BACKLOG, SLOTS };

struct request {
	struct reporter *rp;
	enum slot slot;
	CURL *easy;
	struct curl_slist *headers;
	struct spool_rec rec;
	char *answer;
	size_t answer_len;
	char curl_err[CURL_ERROR_SIZE];
	double started; /* monotonic */
};

/* A socket curl wants watched, and its event. */
struct sockwatch {
	struct event *ev;
};

struct reporter {
	struct event_base *base;
	struct reporter_opts o;
	char url[600];
	char ca[4096], cert[4096], key[4096];
	char source[64]; /* "host!ADDR" for CURLOPT_INTERFACE, or "" */
	bool https;
	struct spool *spool;
	CURLM *multi;
	/* TLS sessions, shared by every request's handle: each one is a new
	 * easy handle, and libcurl keeps the sessions (the collector's
	 * tickets) in the easy handle unless a share holds them, so without
	 * it a connection the collector closed would be made again with a
	 * full handshake */
	CURLSH *share;
	struct event *curl_timer, *tick, *soon, *retry;
	struct request *slot[SLOTS];
	struct report *scratch; /* ~600 KiB: one, reused */

	struct report_event events[REPORT_MAX_EVENTS];
	int n_events;
	uint64_t events_dropped;

	double last_soon; /* monotonic: the last change-driven report */
	int fails;	  /* in a row */
	double retry_at;  /* monotonic: no request before it */
	bool ever_ok;

	/* for status */
	uint64_t made, sent, acked, rejected, failed, spool_errors;
	long long last_ok_ms, last_fail_ms;
	char last_error[300], last_reject[300];
	double rtt_ms; /* of the last answered request */
};

static void pump(struct reporter *rp);

static double jitter01(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)(now_mono() * 1e6);
	return (double)r / 4294967296.0;
}

static void arm_ms(struct event *ev, double ms)
{
	struct timeval tv;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms - (double)tv.tv_sec * 1000) * 1000);
	evtimer_add(ev, &tv);
}

/* ---- curl on the event loop ------------------------------------------------ */

static void on_socket_event(evutil_socket_t fd, short what, void *arg)
{
	struct reporter *rp = arg;
	int running, action = (what & EV_READ ? CURL_CSELECT_IN : 0) |
			      (what & EV_WRITE ? CURL_CSELECT_OUT : 0);

	curl_multi_socket_action(rp->multi, fd, action, &running);
	pump(rp);
}

static int curl_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
			  void *socketp)
{
	struct reporter *rp = userp;
	struct sockwatch *w = socketp;
	short kind = EV_PERSIST;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (w) {
			event_free(w->ev);
			free(w);
			curl_multi_assign(rp->multi, s, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (!w) {
		w = xcalloc(1, sizeof(*w));
		curl_multi_assign(rp->multi, s, w);
	} else {
		event_free(w->ev);
	}
	w->ev = event_new(rp->base, s, kind, on_socket_event, rp);
	event_add(w->ev, NULL);
	return 0;
}

static void on_curl_timer(evutil_socket_t fd, short what, void *arg)
{
	struct reporter *rp = arg;
	int running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(rp->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	pump(rp);
}

static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct reporter *rp = userp;

	(void)multi;
	if (timeout_ms < 0)
		evtimer_del(rp->curl_timer);
	else
		arm_ms(rp->curl_timer, (double)timeout_ms);
	return 0;
}

static size_t on_answer(char *p, size_t size, size_t n, void *arg)
{
	struct request *q = arg;
	size_t len = size * n, keep = len;

	if (q->answer_len + keep > ANSWER_MAX)
		keep = ANSWER_MAX - q->answer_len;
	if (keep) {
		q->answer = xrealloc(q->answer, q->answer_len + keep + 1);
		memcpy(q->answer + q->answer_len, p, keep);
		q->answer_len += keep;
		q->answer[q->answer_len] = '\0';
	}
	return len;
}

/* ---- requests ---------------------------------------------------------------- */

static void request_free(struct request *q)
{
	if (!q)
		return;
	if (q->easy) {
		curl_multi_remove_handle(q->rp->multi, q->easy);
		curl_easy_cleanup(q->easy);
	}
	curl_slist_free_all(q->headers);
	free(q->rec.data);
	free(q->answer);
	free(q);
}

static int send_record(struct reporter *rp, enum slot slot,
		       struct spool_rec *rec)
{
	struct request *q = xcalloc(1, sizeof(*q));
	CURL *e = curl_easy_init();

	q->rp = rp;
	q->slot = slot;
	q->rec = *rec;
	q->easy = e;
	q->started = now_mono();
	if (!e) {
		q->easy = NULL;
		request_free(q);
		return -ENOMEM;
	}
	q->headers = curl_slist_append(NULL, "Content-Type: application/json");
	q->headers = curl_slist_append(q->headers, "Expect:");
	curl_easy_setopt(e, CURLOPT_URL, rp->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->rec.data);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)q->rec.len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, q->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "egnet-agent/" EGNET_VERSION);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)rp->o.timeout_s * 1000);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(rp->o.timeout_s < 5 ? rp->o.timeout_s : 5) *
				 1000);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, q);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->curl_err);
	curl_easy_setopt(e, CURLOPT_PRIVATE, q);
	if (rp->share)
		curl_easy_setopt(e, CURLOPT_SHARE, rp->share);
	if (rp->source[0])
		curl_easy_setopt(e, CURLOPT_INTERFACE, rp->source);
	if (rp->https) {
		curl_easy_setopt(e, CURLOPT_CAINFO, rp->ca);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(e, CURLOPT_SSLCERT, rp->cert);
		curl_easy_setopt(e, CURLOPT_SSLKEY, rp->key);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	if (curl_multi_add_handle(rp->multi, e) != CURLM_OK) {
		request_free(q);
		return -ENOMEM;
	}
	rp->slot[slot] = q;
	rp->sent++;
	return 0;
}

/* A failure: the report stays queued; the next try after a back-off. */
static void failed(struct reporter *rp, struct request *q, const char *why)
{
	double backoff;
	int shift = rp->fails < 20 ? rp->fails : 20;

	spool_release(rp->spool, q->rec.seq);
	rp->failed++;
	rp->last_fail_ms = now_wall_ms();
	if (strcmp(rp->last_error, why) || rp->fails == 0)
		log_warnx("collector %s: report %llu not taken: %s", rp->url,
			  (unsigned long long)q->rec.seq, why);
	snprintf(rp->last_error, sizeof(rp->last_error), "%s", why);
	backoff = (double)BACKOFF_MIN_MS * (double)(1u << shift);
	if (backoff > BACKOFF_MAX_MS)
		backoff = BACKOFF_MAX_MS;
	/* half fixed, half random: agents that failed together spread */
	backoff = backoff / 2 + backoff / 2 * jitter01();
	rp->fails++;
	if (rp->retry_at < now_mono() + backoff / 1000)
		rp->retry_at = now_mono() + backoff / 1000;
	arm_ms(rp->retry, (rp->retry_at - now_mono()) * 1000);
}

/* The collector's reason in an error answer, or the HTTP status. */
static void answer_reason(const struct request *q, long status, char *buf,
			  size_t len)
{
	json_t *j = q->answer ? json_loads(q->answer, 0, NULL) : NULL;
	const char *w = json_string_value(json_object_get(j, "error"));
	const char *r = json_string_value(json_object_get(j, "reason"));

	if (w || r)
		snprintf(buf, len, "HTTP %ld %s%s%s", status, w ? w : "",
			 w && r ? ": " : "", r ? r : "");
	else
		snprintf(buf, len, "HTTP %ld", status);
	json_decref(j);
}

static void done(struct reporter *rp, struct request *q, CURLcode res)
{
	char why[300], err[200];
	long status = 0;

	rp->slot[q->slot] = NULL;
	if (res != CURLE_OK) {
		snprintf(why, sizeof(why), "%s",
			 q->curl_err[0] ? q->curl_err : curl_easy_strerror(res));
		failed(rp, q, why);
		request_free(q);
		return;
	}
	curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
	rp->rtt_ms = (now_mono() - q->started) * 1000;
	if (status >= 200 && status < 300) {
		if (spool_ack(rp->spool, q->rec.seq, err, sizeof(err)) < 0)
			log_warnx("spool: %s", err);
		rp->acked++;
		if (rp->fails)
			log_info("collector %s answers again (%d failures)",
				 rp->url, rp->fails);
		rp->fails = 0;
		rp->retry_at = 0;
		rp->ever_ok = true;
		rp->last_ok_ms = now_wall_ms();
		rp->last_error[0] = '\0';
	} else if (status == 400 || status == 413 || status == 422) {
		/* this report will never be taken: dropped, not retried */
		answer_reason(q, status, why, sizeof(why));
		log_warnx("collector %s refused report %llu: %s", rp->url,
			  (unsigned long long)q->rec.seq, why);
		snprintf(rp->last_reject, sizeof(rp->last_reject), "%s", why);
		rp->rejected++;
		if (spool_ack(rp->spool, q->rec.seq, err, sizeof(err)) < 0)
			log_warnx("spool: %s", err);
		/* the collector answers: no back-off */
		rp->fails = 0;
		rp->last_ok_ms = now_wall_ms();
	} else {
		answer_reason(q, status, why, sizeof(why));
		failed(rp, q, why);
	}
	request_free(q);
}

static void reap(struct reporter *rp)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(rp->multi, &left))) {
		struct request *q = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&q);
		if (q)
			done(rp, q, m->data.result);
	}
}

/* Start what can start: the newest report, then the backlog. */
static void pump(struct reporter *rp)
{
	struct spool_rec rec;
	char err[200];
	int rc;

	reap(rp);
	if (now_mono() < rp->retry_at)
		return;
	if (!rp->slot[SLOT_LIVE]) {
		rc = spool_newest(rp->spool, &rec, err, sizeof(err));
		if (rc < 0)
			log_warnx("spool: %s", err);
		else if (rc == 1 && send_record(rp, SLOT_LIVE, &rec) < 0) {
			spool_release(rp->spool, rec.seq);
			free(rec.data);
		}
	}
	/* the backlog once the collector has answered since the last
	 * failure: a collector that is away is not asked twice */
	if (!rp->slot[SLOT_BACKLOG] && rp->fails == 0 && rp->ever_ok) {
		rc = spool_next(rp->spool, &rec, err, sizeof(err));
		if (rc < 0)
			log_warnx("spool: %s", err);
		else if (rc == 1 && send_record(rp, SLOT_BACKLOG, &rec) < 0) {
			spool_release(rp->spool, rec.seq);
			free(rec.data);
		}
	}
}

/* ---- making reports ------------------------------------------------------------ */

static void make_report(struct reporter *rp)
{
	struct report *r = rp->scratch;
	char err[300];
	char *body = NULL;
	size_t len = 0;
	uint64_t seq;

	memset(r, 0, sizeof(*r));
	rp->o.fill(r, rp->o.arg);
	if (spool_reserve(rp->spool, &seq, err, sizeof(err)) < 0) {
		rp->spool_errors++;
		log_warnx("spool: %s: no report made", err);
		return;
	}
	r->schema = REPORT_SCHEMA;
	r->seq = seq;
	r->time_ms = now_wall_ms();
	memcpy(r->events, rp->events, (size_t)rp->n_events * sizeof(r->events[0]));
	r->n_events = rp->n_events;
	if (report_encode(r, &body, &len, err, sizeof(err)) < 0 &&
	    r->n_events) {
		/* over the schema's size with every bound full: the events
		 * go (the state they led to is in the report) */
		log_warnx("report %llu: %s; sent without its %d events",
			  (unsigned long long)seq, err, r->n_events);
		rp->events_dropped += (uint64_t)r->n_events;
		rp->n_events = r->n_events = 0;
		free(body);
		body = NULL;
	}
	if (!body && report_encode(r, &body, &len, err, sizeof(err)) < 0) {
		rp->spool_errors++;
		log_warnx("report %llu not made: %s", (unsigned long long)seq,
			  err);
		return;
	}
	if (spool_append(rp->spool, seq, body, len, err, sizeof(err)) < 0) {
		rp->spool_errors++;
		log_warnx("spool: %s: report %llu not queued",
			  err, (unsigned long long)seq);
	} else {
		rp->made++;
		rp->n_events = 0;
	}
	free(body);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct reporter *rp = arg;

	(void)fd;
	(void)what;
	make_report(rp);
	arm_ms(rp->tick, (double)rp->o.interval_s * 1000);
	pump(rp);
}

static void on_soon(evutil_socket_t fd, short what, void *arg)
{
	struct reporter *rp = arg;

	(void)fd;
	(void)what;
	rp->last_soon = now_mono();
	make_report(rp);
	/* the interval counts from the last report */
	arm_ms(rp->tick, (double)rp->o.interval_s * 1000);
	pump(rp);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pump(arg);
}

void reporter_soon(struct reporter *rp)
{
	double wait = REPORTER_SOON_MS, gap;

	if (!rp || evtimer_pending(rp->soon, NULL))
		return;
	gap = (now_mono() - rp->last_soon) * 1000;
	if (gap < SOON_GAP_MS && SOON_GAP_MS - gap > wait)
		wait = SOON_GAP_MS - gap;
	arm_ms(rp->soon, wait);
}

void reporter_event(struct reporter *rp, const struct report_event *ev)
{
	if (!rp)
		return;
	if (rp->n_events == REPORT_MAX_EVENTS) {
		/* the oldest goes: the state that follows is in the report */
		memmove(rp->events, rp->events + 1,
			(REPORT_MAX_EVENTS - 1) * sizeof(rp->events[0]));
		rp->n_events--;
		rp->events_dropped++;
	}
	rp->events[rp->n_events++] = *ev;
	reporter_soon(rp);
}

/* ---- life --------------------------------------------------------------------- */

static int copy_path(char *dst, size_t len, const char *src)
{
	return snprintf(dst, len, "%s", src ? src : "") >= (int)len ? -1 : 0;
}

int reporter_open(struct reporter **out, struct event_base *base,
		  const struct reporter_opts *o, char *err, size_t errlen)
{
	static bool curl_ready;
	struct reporter *rp;
	struct spool_opts so;
	size_t n;
	int rc;

	*out = NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errlen, "libcurl could not start");
			return -ENOMEM;
		}
		curl_ready = true;
	}
	rp = xcalloc(1, sizeof(*rp));
	rp->base = base;
	rp->o = *o;
	if (rp->o.interval_s < 1)
		rp->o.interval_s = 1;
	if (rp->o.timeout_s < 1)
		rp->o.timeout_s = 1;
	n = strlen(o->url);
	while (n && o->url[n - 1] == '/')
		n--;
	if (n + sizeof("/api/v1/reports") > sizeof(rp->url) ||
	    copy_path(rp->ca, sizeof(rp->ca), o->ca) ||
	    copy_path(rp->cert, sizeof(rp->cert), o->cert) ||
	    copy_path(rp->key, sizeof(rp->key), o->key)) {
		snprintf(err, errlen, "collector URL or TLS file name too long");
		free(rp);
		return -ENAMETOOLONG;
	}
	snprintf(rp->url, sizeof(rp->url), "%.*s/api/v1/reports", (int)n,
		 o->url);
	rp->https = !strncmp(o->url, "https://", 8);
	if (o->source && o->source[0])
		snprintf(rp->source, sizeof(rp->source), "host!%s", o->source);
	rp->o.url = rp->url;
	spool_opts_default(&so);
	if (o->spool_cap)
		so.cap = o->spool_cap;
	if (so.cap < 2 * so.segment_size)
		so.segment_size = so.cap / 2;
	rc = spool_open(&rp->spool, o->spool_dir, &so, err, errlen);
	if (rc < 0) {
		free(rp);
		return rc;
	}
	rp->multi = curl_multi_init();
	/* one thread (the loop's): no lock functions; without a share
	 * (out of memory) every reconnection is a full handshake */
	rp->share = curl_share_init();
	if (rp->share &&
	    curl_share_setopt(rp->share, CURLSHOPT_SHARE,
			      CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
		curl_share_cleanup(rp->share);
		rp->share = NULL;
	}
	rp->scratch = xcalloc(1, sizeof(*rp->scratch));
	curl_multi_setopt(rp->multi, CURLMOPT_SOCKETFUNCTION, curl_socket_cb);
	curl_multi_setopt(rp->multi, CURLMOPT_SOCKETDATA, rp);
	curl_multi_setopt(rp->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
	curl_multi_setopt(rp->multi, CURLMOPT_TIMERDATA, rp);
	curl_multi_setopt(rp->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)SLOTS);
	rp->curl_timer = evtimer_new(base, on_curl_timer, rp);
	rp->tick = evtimer_new(base, on_tick, rp);
	rp->soon = evtimer_new(base, on_soon, rp);
	rp->retry = evtimer_new(base, on_retry, rp);
	rp->last_soon = -1e9;
	/* the first report soon, the next ones at a random phase of the
	 * interval: agents started together do not report together */
	arm_ms(rp->soon, REPORTER_SOON_MS);
	arm_ms(rp->tick, (double)rp->o.interval_s * 1000 * (0.5 + jitter01()));
	*out = rp;
	return 0;
}

void reporter_close(struct reporter *rp)
{
	if (!rp)
		return;
	for (int i = 0; i < SLOTS; i++)
		request_free(rp->slot[i]);
	curl_multi_cleanup(rp->multi);
	curl_share_cleanup(rp->share); /* after every handle that used it */
	event_free(rp->curl_timer);
	event_free(rp->tick);
	event_free(rp->soon);
	event_free(rp->retry);
	spool_close(rp->spool);
	free(rp->scratch);
	free(rp);
}

json_t *reporter_status(struct reporter *rp)
{
	struct spool_stats st;
	long long now = now_wall_ms();
	json_t *j;

	spool_stats(rp->spool, &st);
	j = json_pack(
		"{s:s, s:b, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"url", rp->url, "reachable",
		rp->ever_ok && rp->fails == 0 && rp->last_ok_ms > 0,
		"failures_in_row", rp->fails, "reports_made",
		(json_int_t)rp->made, "requests", (json_int_t)rp->sent,
		"acknowledged", (json_int_t)rp->acked, "refused",
		(json_int_t)rp->rejected, "failed", (json_int_t)rp->failed,
		"not_queued", (json_int_t)rp->spool_errors, "events_dropped",
		(json_int_t)rp->events_dropped, "last_ok_ms",
		(json_int_t)rp->last_ok_ms);
	if (rp->last_error[0])
		json_object_set_new(j, "last_error",
				    json_pack("{s:s, s:I}", "reason",
					      rp->last_error, "time_ms",
					      (json_int_t)rp->last_fail_ms));
	if (rp->last_reject[0])
		json_object_set_new(j, "last_refusal",
				    json_string(rp->last_reject));
	if (rp->retry_at > now_mono())
		json_object_set_new(
			j, "next_try_ms",
			json_integer((json_int_t)((rp->retry_at - now_mono()) *
						  1000)));
	json_object_set_new(
		j, "spool",
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "pending",
			  (json_int_t)st.pending, "bytes", (json_int_t)st.bytes,
			  "oldest_age_s",
			  (json_int_t)(st.oldest_ms && (long long)st.oldest_ms < now
					       ? (now - (long long)st.oldest_ms) /
							 1000
					       : 0),
			  "dropped", (json_int_t)st.dropped, "corrupt",
			  (json_int_t)st.corrupt, "torn", (json_int_t)st.torn,
			  "last_seq", (json_int_t)st.last_seq, "acked_upto",
			  (json_int_t)st.acked_upto));
	return j;
}
