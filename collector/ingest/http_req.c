// SPDX-License-Identifier: BSD-2-Clause
/*
 * The handler's side of a request (see http.h): what it asks of the
 * request, its answer, its suspension, and the references that keep a
 * request and its server alive while a handler elsewhere holds them
 * (http.c's top comment has the locking).  Nothing here logs.
 */
#include "collector/ingest/http_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void http_req_unref_locked(struct http_req *req, bool *free_it)
{
	*free_it = --req->refs == 0;
}

void http_req_free(struct http_req *req)
{
	if (req->resp)
		MHD_destroy_response(req->resp);
	free(req->body);
	free(req);
}

/* ---- answers ------------------------------------------------------------- */

struct MHD_Response *http_response_new(char *data, size_t len,
				       const char *type)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return NULL;
	}
	if (type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	return r;
}

void http_server_free(struct http_server *srv)
{
	pthread_mutex_destroy(&srv->mu);
	free(srv->cert);
	free(srv->key);
	free(srv->ca);
	http_tls_tickets_free(&srv->tickets);
	free(srv);
}

/*
 * Drop the handler's side of @req (srv->mu held): the request's reference
 * and the server's.  Sets *@free_req, *@free_srv for the caller to act on
 * after unlocking.
 */
static void owner_drop_locked(struct http_req *req, bool *free_req,
			      bool *free_srv)
{
	struct http_server *srv = req->srv;

	req->owned = false;
	http_req_unref_locked(req, free_req);
	srv->owners--;
	*free_srv = srv->stopped && !srv->owners;
}

/*
 * Put @resp as the answer of @req (taking it); resume the connection when
 * the request was suspended.  Called by the handler's side.
 */
int http_answer_set(struct http_req *req, unsigned status,
		    struct MHD_Response *resp)
{
	struct http_server *srv = req->srv;
	struct http_worker *w = req->worker;
	struct MHD_Connection *resume = NULL;
	bool free_req = false, free_srv = false;

	pthread_mutex_lock(&srv->mu);
	if (req->state != REQ_HANDLING && req->state != REQ_SUSPENDED &&
	    req->state != REQ_READING) {
		/* answered already; by stop when it still is owned */
		if (req->owned)
			owner_drop_locked(req, &free_req, &free_srv);
		pthread_mutex_unlock(&srv->mu);
		if (resp)
			MHD_destroy_response(resp);
		if (free_req)
			http_req_free(req);
		if (free_srv)
			http_server_free(srv);
		return -EALREADY;
	}
	if (req->state == REQ_SUSPENDED) {
		if (req->prev)
			req->prev->next = req->next;
		else
			srv->susp = req->next;
		if (req->next)
			req->next->prev = req->prev;
		resume = req->conn;
		/* never the last of either: MHD holds the request, and the
		 * server is not stopped while resuming is counted */
		owner_drop_locked(req, &free_req, &free_srv);
		srv->resuming++;
		http_stats_add(&srv->stats.suspended, -1);
	}
	req->status = status;
	req->resp = resp;
	req->state = REQ_ANSWERED;
	pthread_mutex_unlock(&srv->mu);
	if (!resume)
		return 0;
	/* from here req may be gone, not its worker (resuming holds stop) */
	MHD_resume_connection(resume);
	http_worker_wake(w);
	pthread_mutex_lock(&srv->mu);
	srv->resuming--;
	pthread_mutex_unlock(&srv->mu);
	return 0;
}

int http_answer_text(struct http_req *req, unsigned status,
		     const char *content_type, const char *text, size_t len)
{
	char *copy = malloc(len + 1);
	struct MHD_Response *r;

	if (!copy)
		return http_answer_set(req, 500, NULL);
	memcpy(copy, text, len);
	copy[len] = '\0';
	r = http_response_new(copy, len, content_type);
	return http_answer_set(req, r ? status : 500, r);
}

int http_answer_text_take(struct http_req *req, unsigned status,
			  const char *content_type, char *text, size_t len)
{
	struct MHD_Response *r = text ? http_response_new(text, len,
							  content_type)
				      : NULL;

	return http_answer_set(req, r ? status : 500, r);
}

int http_answer(struct http_req *req, unsigned status, json_t *body)
{
	struct MHD_Response *r;
	char *text = NULL;

	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (!text)
			return http_answer_set(req, 500, NULL);
	} else
		text = calloc(1, 1);
	r = text ? http_response_new(text, strlen(text),
				body ? "application/json" : NULL)
		 : NULL;
	return http_answer_set(req, r ? status : 500, r);
}

/* {"error": word, "reason": text} */
static json_t *error_body(const char *word, const char *reason)
{
	return json_pack("{s:s, s:s}", "error", word, "reason", reason);
}

/* The same as text (the caller frees it), or NULL. */
char *http_error_text(const char *word, const char *reason)
{
	json_t *j = error_body(word, reason);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return text;
}

int http_error(struct http_req *req, unsigned status, const char *word,
	       const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return http_answer(req, status, error_body(word, reason));
}

int http_suspend(struct http_req *req)
{
	struct http_server *srv = req->srv;

	pthread_mutex_lock(&srv->mu);
	if (req->state != REQ_HANDLING || srv->stopping) {
		int rc = req->state != REQ_HANDLING ? -EALREADY : -ESHUTDOWN;

		pthread_mutex_unlock(&srv->mu);
		return rc;
	}
	/* suspended before anyone can answer: MHD_resume must follow it */
	MHD_suspend_connection(req->conn);
	req->state = REQ_SUSPENDED;
	req->was_suspended = true;
	req->owned = true;
	req->refs++;
	srv->owners++;
	req->prev = NULL;
	req->next = srv->susp;
	if (srv->susp)
		srv->susp->prev = req;
	srv->susp = req;
	http_stats_add(&srv->stats.suspended, 1);
	pthread_mutex_unlock(&srv->mu);
	return 0;
}

/* ---- accessors ----------------------------------------------------------- */

const char *http_req_method(const struct http_req *req)
{
	return req->method;
}

const char *http_req_path(const struct http_req *req)
{
	return req->path;
}

const char *http_req_param(const struct http_req *req, int i)
{
	return i >= 0 && i < req->n_params ? req->params[i] : NULL;
}

const char *http_req_query(const struct http_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   key);
}

const char *http_req_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_req_body(const struct http_req *req, size_t *len)
{
	if (len)
		*len = req->len;
	return req->body ? req->body : "";
}

bool http_req_tls(const struct http_req *req)
{
	return req->tls;
}

bool http_req_identity(const struct http_req *req, code_t *code)
{
	if (req->has_code && code)
		*code = req->code;
	return req->has_code;
}
