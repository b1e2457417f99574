// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control socket server (see ctlsock.h).  Each connection is a
 * bufferevent on a list, with one deadline timer: first for the request,
 * then for the answer to drain.  Whatever happens to a connection — answer
 * written, client gone, write error, deadline — ends in conn_free(), the
 * only place a connection is freed.  Nothing here logs per request; the
 * listener's failures are logged rate-limited.
 */
#include "agent/ctlsock.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 1000

struct conn {
	struct ctlsock *cs;
	struct bufferevent *bev;
	struct event *deadline;
	bool answered;
	bool spoke; /* sent at least a byte */
	struct conn *prev, *next;
};

struct ctlsock {
	struct event_base *base;
	struct evconnlistener *l;
	struct event *resume; /* accepting again after a failure */
	int backoff_ms;
	ctlsock_dispatch_fn fn;
	void *arg;
	struct conn *conns;
	struct ctlsock_stats st;
	time_t logged_at;  /* last accept() failure logged */
	uint64_t unlogged; /* failures since then */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static void conn_free(struct conn *c)
{
	struct ctlsock *cs = c->cs;

	if (c->prev)
		c->prev->next = c->next;
	else
		cs->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	event_free(c->deadline);
	bufferevent_free(c->bev);
	cs->st.clients--;
	free(c);
}

static void conn_arm(struct conn *c)
{
	struct timeval tv = {CTLSOCK_TIMEOUT_MS / 1000,
			     (CTLSOCK_TIMEOUT_MS % 1000) * 1000};

	evtimer_add(c->deadline, &tv);
}

static json_t *error_answer(const char *msg)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

/* Send resp (taken) and close once it is written; reading stops. */
static void conn_answer(struct conn *c, json_t *resp)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	char *text = resp ? json_dumps(resp, JSON_COMPACT) : NULL;

	json_decref(resp);
	if (text && strlen(text) > CTLSOCK_MAX_ANSWER) {
		free(text);
		text = json_dumps(error_answer("answer too large"),
				  JSON_COMPACT | JSON_ENCODE_ANY);
	}
	c->answered = true;
	bufferevent_disable(c->bev, EV_READ);
	evbuffer_drain(bufferevent_get_input(c->bev),
		       evbuffer_get_length(bufferevent_get_input(c->bev)));
	if (!text || evbuffer_add(out, text, strlen(text)) ||
	    evbuffer_add(out, "\n", 1)) {
		free(text);
		conn_free(c);
		return;
	}
	free(text);
	conn_arm(c); /* as long again to read it */
}

json_t *ctlsock_parse(const char *line, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *req;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!req) {
		snprintf(err, errlen, "a request is one JSON object: %s",
			 je.text);
		return NULL;
	}
	if (!json_is_object(req)) {
		json_decref(req);
		snprintf(err, errlen, "a request is one JSON object");
		return NULL;
	}
	return req;
}

static void conn_request(struct conn *c, const char *line, size_t len)
{
	char err[300];
	json_t *req = ctlsock_parse(line, len, err, sizeof(err));

	if (!req) {
		c->cs->st.bad++;
		conn_answer(c, error_answer(err));
		return;
	}
	conn_answer(c, c->cs->fn(c->cs->arg, req));
	json_decref(req);
}

static void conn_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	if (c->answered)
		return;
	c->spoke = true;
	line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
	if (line) {
		if (len > CTLSOCK_MAX_REQUEST) {
			c->cs->st.too_long++;
			conn_answer(c, error_answer("request too long"));
		} else {
			conn_request(c, line, len);
		}
		free(line);
		return;
	}
	if (evbuffer_get_length(in) > CTLSOCK_MAX_REQUEST) {
		c->cs->st.too_long++;
		conn_answer(c, error_answer("request too long"));
	}
}

static void conn_written(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->answered &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(c);
}

static void conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);

	/* a last request without its newline still gets its answer */
	if (!c->answered && (what & BEV_EVENT_EOF) && len > 0 &&
	    len <= CTLSOCK_MAX_REQUEST) {
		char *line = malloc(len);

		if (line && evbuffer_remove(in, line, len) == (int)len) {
			conn_request(c, line, len);
			free(line);
			return;
		}
		free(line);
	}
	/* gone, half-closed before asking, or a write error: done */
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_free(c);
}

static void conn_expired(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	c->cs->st.timed_out++;
	conn_free(c);
}

static void refuse_busy(int fd)
{
	static const char busy[] =
		"{\"ok\": false, \"error\": \"busy: too many clients\"}\n";

	/* best effort: the socket is fresh, its buffer empty */
	(void)!send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

/*
 * The oldest connection that has not said a word: the one to give up for
 * a new client when all places are taken, so idle clients cannot keep an
 * engineer out.  NULL when every client is talking or being answered.
 */
static struct conn *oldest_idle(struct ctlsock *cs)
{
	struct conn *c, *idle = NULL;

	for (c = cs->conns; c; c = c->next) /* newest first */
		if (!c->spoke && !c->answered)
			idle = c;
	return idle;
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
		      struct sockaddr *sa, int socklen, void *arg)
{
	struct ctlsock *cs = arg;
	struct conn *c;

	(void)l;
	(void)sa;
	(void)socklen;
	cs->backoff_ms = 0;
	if (cs->st.clients >= CTLSOCK_MAX_CLIENTS) {
		struct conn *idle = oldest_idle(cs);

		if (!idle) {
			cs->st.busy++;
			refuse_busy(fd);
			return;
		}
		cs->st.evicted++;
		conn_free(idle);
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->cs = cs;
	c->bev = bufferevent_socket_new(cs->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->deadline = c->bev ? evtimer_new(cs->base, conn_expired, c) : NULL;
	if (!c->deadline) {
		if (c->bev)
			bufferevent_free(c->bev);
		else
			close(fd);
		free(c);
		return;
	}
	c->next = cs->conns;
	if (cs->conns)
		cs->conns->prev = c;
	cs->conns = c;
	cs->st.clients++;
	cs->st.accepted++;
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTLSOCK_MAX_REQUEST + 2);
	bufferevent_setcb(c->bev, conn_read, conn_written, conn_event, c);
	bufferevent_enable(c->bev, EV_READ);
	conn_arm(c);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct ctlsock *cs = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(cs->l);
}

/*
 * accept() failed (EMFILE, ENFILE, ENOBUFS, ...; libevent passes over
 * EAGAIN and ECONNABORTED itself).  The pending connection stays in the
 * backlog and the socket stays readable, so listening on would spin:
 * pause, longer each time in a row, and log a line now and then.
 */
static void on_accept_error(struct evconnlistener *l, void *arg)
{
	struct ctlsock *cs = arg;
	int e = EVUTIL_SOCKET_ERROR();
	time_t now = time(NULL);
	struct timeval tv;

	cs->st.accept_errors++;
	cs->backoff_ms = cs->backoff_ms ? cs->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (cs->backoff_ms > BACKOFF_MAX_MS)
		cs->backoff_ms = BACKOFF_MAX_MS;
	if (now - cs->logged_at >= CTLSOCK_LOG_EVERY_S) {
		log_warnx("control socket: accept: %s (%llu more since the "
			  "last report); pausing %d ms",
			  strerror(e), (unsigned long long)cs->unlogged,
			  cs->backoff_ms);
		cs->logged_at = now;
		cs->unlogged = 0;
	} else {
		cs->unlogged++;
	}
	evconnlistener_disable(l);
	tv.tv_sec = cs->backoff_ms / 1000;
	tv.tv_usec = (cs->backoff_ms % 1000) * 1000;
	evtimer_add(cs->resume, &tv);
}

int ctlsock_open(struct ctlsock **out, struct event_base *base,
		 const char *path, ctlsock_dispatch_fn fn, void *arg, char *err,
		 size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct ctlsock *cs;
	char dir[sizeof(sun.sun_path)];
	char *slash;
	int fd, e;

	*out = NULL;
	if (!path[0] || strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path empty or too long: '%s'",
			 path);
		return -ENAMETOOLONG;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0750);
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	/* a socket left by a dead agent is replaced; a live one is not */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(fd);
		snprintf(err, errlen, "another agent answers on %s", path);
		return -EADDRINUSE;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0660) < 0)
		goto fail;
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		goto fail;
	cs->base = base;
	cs->fn = fn;
	cs->arg = arg;
	snprintf(cs->path, sizeof(cs->path), "%s", path);
	cs->resume = evtimer_new(base, on_resume, cs);
	cs->l = cs->resume ? evconnlistener_new(base, on_accept, cs,
						LEV_OPT_CLOSE_ON_FREE, 64, fd)
			   : NULL;
	if (!cs->l) {
		e = errno ? errno : ENOMEM;
		if (cs->resume)
			event_free(cs->resume);
		free(cs);
		errno = e;
		goto fail;
	}
	evconnlistener_set_error_cb(cs->l, on_accept_error);
	*out = cs;
	return 0;
fail:
	e = errno ? errno : EIO;
	snprintf(err, errlen, "control socket %s: %s", path, strerror(e));
	if (fd >= 0)
		close(fd);
	return -e;
}

void ctlsock_close(struct ctlsock *cs)
{
	if (!cs)
		return;
	while (cs->conns)
		conn_free(cs->conns);
	evconnlistener_free(cs->l);
	event_free(cs->resume);
	unlink(cs->path);
	free(cs);
}

void ctlsock_stats(const struct ctlsock *cs, struct ctlsock_stats *st)
{
	*st = cs->st;
}
