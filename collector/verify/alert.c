// SPDX-License-Identifier: BSD-2-Clause
/*
 * Alert delivery (alert.h): a bounded queue, one thread, libcurl's multi
 * interface for the webhook (curl_multi_poll, woken by curl_multi_wakeup
 * when a message comes or the stop is asked) and syslog(3).  Messages go
 * out one at a time, in order: an outage's close never overtakes its
 * opening.  The body is made when the message is queued.
 */
#include "collector/verify/alert.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "common/now.h"

struct amsg {
	struct amsg *next;
	struct alert_msg m;
	char *body;
	int attempts;      /* made so far */
	double not_before; /* monotonic s */
	bool logged;
};

struct alert {
	struct alert_opts o;
	pthread_mutex_t mu;
	struct amsg *head, *tail;
	int n;
	bool stop;
	CURLM *multi;
	pthread_t thr;
	bool started;
	unsigned rnd; /* the jitter's state */
	struct alert_stats s;
};

void alert_opts_default(struct alert_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->queue_max = 256;
	o->timeout_ms = 5000;
	o->attempts = 8;
	o->backoff_ms = 500;
	o->backoff_max_ms = 60000;
}

json_t *alert_body(const struct alert_msg *m)
{
	char rb[CODE_STRLEN], sb[CODE_STRLEN];
	json_t *cut = json_object();
	int total = 0;

	for (int l = 0; l < LEVEL_COUNT; l++) {
		json_object_set_new(cut, code_level_name(l),
				    json_integer(m->cut[l]));
		total += m->cut[l];
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:i, s:o}",
			 "event",
			 m->type == TOPO_EV_OPEN ? "outage-open" : "outage-close",
			 "root", code_format(m->root, rb), "name", m->name,
			 "level", code_level_name(code_level(m->root)), "state",
			 topo_state_words[m->state], "opened_ms",
			 (json_int_t)m->opened_ms, "time_ms",
			 (json_int_t)m->time_ms, "cut_off", cut, "total", total,
			 "subsumed_by",
			 m->subsumed_by
				 ? json_string(code_format(m->subsumed_by, sb))
				 : json_null());
}

char *alert_line(const struct alert_msg *m, char *buf, size_t len)
{
	char rb[CODE_STRLEN], sb[CODE_STRLEN];
	size_t used;
	bool any = false;

	used = (size_t)snprintf(buf, len, "outage %s at %s (%s%s%s, %s): ",
				m->type == TOPO_EV_OPEN ? "open" : "closed",
				code_format(m->root, rb), m->name,
				m->name[0] ? ", " : "",
				code_level_name(code_level(m->root)),
				topo_state_words[m->state]);
	if (used < len)
		used += (size_t)snprintf(buf + used, len - used, "cut off");
	for (int l = 0; l < LEVEL_COUNT && used < len; l++)
		if (m->cut[l]) {
			used += (size_t)snprintf(buf + used, len - used,
						 "%s %s %d", any ? "," : "",
						 code_level_name(l), m->cut[l]);
			any = true;
		}
	if (!any && used < len)
		used += (size_t)snprintf(buf + used, len - used, " nothing");
	if (m->type == TOPO_EV_CLOSE && used < len)
		snprintf(buf + used, len - used, "; %s%s",
			 m->subsumed_by ? "subsumed by " : "repaired",
			 m->subsumed_by ? code_format(m->subsumed_by, sb) : "");
	return buf;
}

long long alert_backoff_ms(int attempt, int base, int max, double r)
{
	double d = base;

	for (int i = 1; i < attempt && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	return (long long)(d * (0.5 + r));
}

static size_t alert_discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* The easy handle of one attempt at @q. */
static CURL *alert_easy(struct alert *a, struct amsg *q,
			struct curl_slist *hdr)
{
	CURL *e = curl_easy_init();

	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, a->o.webhook);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->body);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)a->o.timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, alert_discard);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (a->o.webhook_ca[0])
		curl_easy_setopt(e, CURLOPT_CAINFO, a->o.webhook_ca);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "egnet-collector");
	return e;
}

static double alert_rand(struct alert *a)
{
	return (double)(rand_r(&a->rnd) % 1000000) / 1e6;
}

/* The attempt at the head is over: @ok, or a failure @why. */
static void alert_done(struct alert *a, struct amsg *q, bool ok,
		       const char *why)
{
	pthread_mutex_lock(&a->mu);
	q->attempts++;
	if (ok || q->attempts >= a->o.attempts) {
		if (ok)
			a->s.delivered++;
		else
			a->s.failed++;
		a->head = q->next;
		if (!a->head)
			a->tail = NULL;
		a->n--;
		free(q->body);
		free(q);
	} else {
		a->s.retries++;
		q->not_before = now_mono() +
				alert_backoff_ms(q->attempts, a->o.backoff_ms,
						 a->o.backoff_max_ms,
						 alert_rand(a)) / 1000.0;
	}
	if (!ok)
		snprintf(a->s.last_error, sizeof(a->s.last_error), "%.100s: %.150s",
			 a->o.webhook, why);
	pthread_mutex_unlock(&a->mu);
}

/* Syslog of the head once, then the webhook's attempt when due. */
static void *alert_main(void *arg)
{
	struct alert *a = arg;
	struct curl_slist *hdr =
		curl_slist_append(NULL, "Content-Type: application/json");
	CURL *busy = NULL;
	struct amsg *cur = NULL;

	for (;;) {
		struct amsg *q;
		int wait_ms = 1000, running = 0;
		CURLMsg *msg;
		int left;

		pthread_mutex_lock(&a->mu);
		if (a->stop) {
			pthread_mutex_unlock(&a->mu);
			break;
		}
		q = a->head;
		if (q && !q->logged) {
			char line[512];

			q->logged = true;
			if (a->o.syslog) {
				syslog(LOG_WARNING, "%s",
				       alert_line(&q->m, line, sizeof(line)));
				a->s.syslogged++;
			}
		}
		if (q && !a->o.webhook[0]) {
			a->head = q->next;
			if (!a->head)
				a->tail = NULL;
			a->n--;
			free(q->body);
			free(q);
			pthread_mutex_unlock(&a->mu);
			continue;
		}
		pthread_mutex_unlock(&a->mu);
		if (q && !busy) {
			double now = now_mono();

			if (now >= q->not_before) {
				busy = alert_easy(a, q, hdr);
				cur = q;
				if (!busy || curl_multi_add_handle(a->multi, busy)) {
					if (busy)
						curl_easy_cleanup(busy);
					busy = NULL;
					alert_done(a, q, false, "out of memory");
					continue;
				}
			} else {
				wait_ms = (int)((q->not_before - now) * 1000) + 1;
			}
		}
		curl_multi_perform(a->multi, &running);
		while ((msg = curl_multi_info_read(a->multi, &left))) {
			long code = 0;
			char why[160];
			CURLcode res;

			if (msg->msg != CURLMSG_DONE || msg->easy_handle != busy)
				continue;
			/* msg is the handle's: read before its cleanup */
			res = msg->data.result;
			curl_easy_getinfo(busy, CURLINFO_RESPONSE_CODE, &code);
			if (res != CURLE_OK)
				snprintf(why, sizeof(why), "%s",
					 curl_easy_strerror(res));
			else
				snprintf(why, sizeof(why), "answered %ld", code);
			curl_multi_remove_handle(a->multi, busy);
			curl_easy_cleanup(busy);
			busy = NULL;
			alert_done(a, cur,
				   res == CURLE_OK && code >= 200 && code < 300,
				   why);
			cur = NULL;
			wait_ms = 0;
		}
		if (wait_ms)
			curl_multi_poll(a->multi, NULL, 0, wait_ms, NULL);
	}
	if (busy) {
		curl_multi_remove_handle(a->multi, busy);
		curl_easy_cleanup(busy);
	}
	curl_slist_free_all(hdr);
	return NULL;
}

int alert_new(struct alert **out, const struct alert_opts *o, char *err,
	      size_t errlen)
{
	struct alert *a;
	int rc;

	*out = NULL;
	if (o->webhook[0] && strncmp(o->webhook, "https://", 8) &&
	    strncmp(o->webhook, "http://", 7)) {
		snprintf(err, errlen, "webhook %s: not an http:// or https:// "
			 "URL", o->webhook);
		return -EINVAL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "alerts: out of memory");
		return -ENOMEM;
	}
	a->o = *o;
	if (a->o.queue_max < 1)
		a->o.queue_max = 1;
	if (a->o.attempts < 1)
		a->o.attempts = 1;
	a->rnd = (unsigned)(now_wall_ms() ^ (long long)(uintptr_t)a);
	pthread_mutex_init(&a->mu, NULL);
	if (o->syslog)
		openlog("egnet-collector", LOG_PID, LOG_DAEMON);
	if (!o->webhook[0] && !o->syslog) {
		*out = a;
		return 0;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	a->multi = curl_multi_init();
	if (!a->multi) {
		snprintf(err, errlen, "alerts: curl_multi_init failed");
		alert_free(a);
		return -ENOMEM;
	}
	rc = pthread_create(&a->thr, NULL, alert_main, a);
	if (rc) {
		snprintf(err, errlen, "alerts: thread: %s", strerror(rc));
		alert_free(a);
		return -rc;
	}
	pthread_setname_np(a->thr, "alerts");
	a->started = true;
	*out = a;
	return 0;
}

void alert_free(struct alert *a)
{
	if (!a)
		return;
	if (a->started) {
		pthread_mutex_lock(&a->mu);
		a->stop = true;
		pthread_mutex_unlock(&a->mu);
		curl_multi_wakeup(a->multi);
		pthread_join(a->thr, NULL);
	}
	while (a->head) {
		struct amsg *q = a->head;

		a->head = q->next;
		free(q->body);
		free(q);
	}
	if (a->multi)
		curl_multi_cleanup(a->multi);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

int alert_post(struct alert *a, const struct alert_msg *m)
{
	struct amsg *q;
	json_t *j;

	if (!a || !a->started)
		return 0;
	q = calloc(1, sizeof(*q));
	j = q ? alert_body(m) : NULL;
	if (q && j)
		q->body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	pthread_mutex_lock(&a->mu);
	if (!q || !q->body || a->n >= a->o.queue_max || a->stop) {
		a->s.dropped++;
		pthread_mutex_unlock(&a->mu);
		if (q)
			free(q->body);
		free(q);
		return -ENOBUFS;
	}
	q->m = *m;
	if (a->tail)
		a->tail->next = q;
	else
		a->head = q;
	a->tail = q;
	a->n++;
	a->s.queued++;
	pthread_mutex_unlock(&a->mu);
	curl_multi_wakeup(a->multi);
	return 0;
}

void alert_stats(struct alert *a, struct alert_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	*s = a->s;
	s->queue = a->n;
	pthread_mutex_unlock(&a->mu);
}
