// SPDX-License-Identifier: BSD-2-Clause
/*
 * The collector commands (collcmd.h): arguments into an API path, one GET
 * with libcurl's easy interface (a command makes one request), and the
 * answer to a table, the JSON, or an error line and exit code.  libcurl's
 * error codes are sorted into "nobody answers" and "TLS"; the collector's
 * own refusals ({"error","reason"}) are shown with its words.
 */
#include "ctl/collcmd.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/code.h"
#include "common/defaults.h"
#include "ctl/agentcmd.h"
#include "ctl/collverify.h"
#include "ctl/collview.h"
#include "ctl/textw.h"
#include "ctl/when.h"

#define CONNECT_TIMEOUT_S 5
#define TIMEOUT_S	  30

static const char *env_or(const char *v, const char *env, const char *def)
{
	const char *e = getenv(env);

	if (v)
		return v;
	return e && *e ? e : def;
}

void collcmd_defaults(struct collcmd_args *a)
{
	a->url = env_or(a->url, "EGNET_COLLECTOR", NULL);
	a->ca = env_or(a->ca, "EGNET_CA", EGNET_PKI_CA);
	a->cert = env_or(a->cert, "EGNET_CERT", EGNET_PKI_CERT);
	a->key = env_or(a->key, "EGNET_KEY", EGNET_PKI_KEY);
}

struct buf {
	char *p;
	size_t len, cap;
	bool over;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t k = size * n;

	if (k > COLLCMD_ANSWER_MAX - b->len) {
		b->over = true;
		return 0; /* libcurl stops with CURLE_WRITE_ERROR */
	}
	if (b->len + k + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		char *p;

		while (cap < b->len + k + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return 0;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, k);
	b->len += k;
	b->p[b->len] = '\0';
	return k;
}

/* What a libcurl failure means to the operator: its exit code. */
static int curl_exit(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		return EXIT_NOCOLLECTOR;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
		return EXIT_TLS;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return EXIT_USAGE;
	default:
		return EXIT_FAILED;
	}
}

/* A TLS file must be readable before libcurl is asked: its own words for
 * a missing key are vague. */
static int readable(const char *what, const char *path, char *err,
		    size_t errlen)
{
	if (access(path, R_OK) == 0)
		return 0;
	snprintf(err, errlen, "TLS: cannot read the %s %s: %s (--%s, or "
		 "EGNET_%s)", what, path, strerror(errno),
		 !strcmp(what, "CA certificate") ? "ca"
		 : !strcmp(what, "client key")	  ? "key"
						  : "cert",
		 !strcmp(what, "CA certificate") ? "CA"
		 : !strcmp(what, "client key")	  ? "KEY"
						  : "CERT");
	return EXIT_TLS;
}

int collcmd_get(const struct collcmd_args *a, const char *path, long *status,
		char **body, size_t *len, char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "", *url = NULL;
	struct buf b = {0};
	bool tls = !strncmp(a->url, "https://", 8);
	CURLcode c;
	CURL *h;
	int rc = 0;

	*body = NULL;
	*len = 0;
	if (tls && (readable("CA certificate", a->ca, err, errlen) ||
		    readable("client certificate", a->cert, err, errlen) ||
		    readable("client key", a->key, err, errlen)))
		return EXIT_TLS;
	if (asprintf(&url, "%s%s", a->url, path) < 0 ||
	    !(h = curl_easy_init())) {
		free(url);
		snprintf(err, errlen, "out of memory");
		return EXIT_FAILED;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_TIMEOUT,
			 (long)(a->timeout_s > 0 ? a->timeout_s : TIMEOUT_S));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "egnetctl");
	if (tls) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
		curl_easy_setopt(h, CURLOPT_CAINFO, a->ca);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(h, CURLOPT_SSLCERT, a->cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, a->key);
	}
	c = curl_easy_perform(h);
	if (c != CURLE_OK) {
		const char *why = cerr[0] ? cerr : curl_easy_strerror(c);

		rc = b.over ? EXIT_FAILED : curl_exit(c);
		if (b.over)
			snprintf(err, errlen, "the answer of %s is over %d "
				 "MiB", url, COLLCMD_ANSWER_MAX >> 20);
		else if (rc == EXIT_NOCOLLECTOR)
			snprintf(err, errlen, "no collector answers at %s: %s",
				 a->url, why);
		else if (rc == EXIT_TLS)
			snprintf(err, errlen, "TLS with %s failed: %s (CA %s, "
				 "certificate %s)", a->url, why, a->ca, a->cert);
		else
			snprintf(err, errlen, "%s: %s", url, why);
		free(b.p);
	} else {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		*body = b.p ? b.p : strdup("");
		*len = b.len;
		if (!*body) {
			snprintf(err, errlen, "out of memory");
			rc = EXIT_FAILED;
		}
	}
	curl_easy_cleanup(h);
	free(url);
	return rc;
}

/* Append "&key=value" ('?' first) with @value escaped. */
static int add_query(char *buf, size_t len, const char *key,
		     const char *value)
{
	char *e = curl_easy_escape(NULL, value, 0);
	size_t used = strlen(buf);
	int w;

	if (!e)
		return -1;
	w = snprintf(buf + used, len - used, "%s%s=%s",
		     strchr(buf, '?') ? "&" : "?", key, e);
	curl_free(e);
	return w < 0 || (size_t)w >= len - used ? -1 : 0;
}

static int add_time(char *buf, size_t len, const char *opt, const char *key,
		    const char *value, long long now_ms, char *err,
		    size_t errlen)
{
	char why[160], n[32];
	long long ms;

	if (!value)
		return 0;
	if (when_parse(value, now_ms, &ms, why, sizeof(why))) {
		snprintf(err, errlen, "--%s: %s", opt, why);
		return EXIT_USAGE;
	}
	snprintf(n, sizeof(n), "%lld", ms);
	return add_query(buf, len, key, n) ? EXIT_USAGE : 0;
}

int collcmd_path(const char *cmd, const struct collcmd_args *a,
		 long long now_ms, char *buf, size_t len, char *err,
		 size_t errlen)
{
	char why[CODE_ERR_MAX], cb[CODE_STRLEN];
	code_t code = 0;
	int rc;

	if (a->code && code_parse(a->code, &code, why, sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		return EXIT_USAGE;
	}
	if (a->limit) {
		char *end;
		long v = strtol(a->limit, &end, 10);

		if (!*a->limit || *end || v < 1) {
			snprintf(err, errlen, "--limit %.40s: a number of "
				 "events, 1 or more", a->limit);
			return EXIT_USAGE;
		}
	}
	if (!strcmp(cmd, "nodes")) {
		if (a->code || a->since || a->until || a->type || a->limit) {
			snprintf(err, errlen, "nodes takes no filter");
			return EXIT_USAGE;
		}
		snprintf(buf, len, "/api/v1/nodes");
		return 0;
	}
	if (!strcmp(cmd, "node")) {
		if (!a->code) {
			snprintf(err, errlen, "which node? egnetctl node CODE");
			return EXIT_USAGE;
		}
		if (a->type || a->limit) {
			snprintf(err, errlen, "node takes --since and --until "
				 "only");
			return EXIT_USAGE;
		}
		snprintf(buf, len, "/api/v1/nodes/%s", code_format(code, cb));
		if ((rc = add_time(buf, len, "since", "since", a->since, now_ms,
				   err, errlen)) ||
		    (rc = add_time(buf, len, "until", "until", a->until, now_ms,
				   err, errlen)))
			return rc;
		return 0;
	}
	if (!strcmp(cmd, "events")) {
		snprintf(buf, len, "/api/v1/events");
		if ((rc = add_time(buf, len, "since", "since", a->since, now_ms,
				   err, errlen)) ||
		    (rc = add_time(buf, len, "until", "until", a->until, now_ms,
				   err, errlen)))
			return rc;
		if ((a->code && add_query(buf, len, "node", code_format(code, cb))) ||
		    (a->type && add_query(buf, len, "type", a->type)) ||
		    (a->limit && add_query(buf, len, "limit", a->limit))) {
			snprintf(err, errlen, "the request is too long");
			return EXIT_USAGE;
		}
		return 0;
	}
	if (!strcmp(cmd, "tree") || !strcmp(cmd, "coverage")) {
		if (a->since || a->until || a->type || a->limit || a->all) {
			snprintf(err, errlen, "%s takes a CODE only", cmd);
			return EXIT_USAGE;
		}
		snprintf(buf, len, "/api/v1/%s", cmd);
		if (a->code && add_query(buf, len,
					 !strcmp(cmd, "tree") ? "root" : "region",
					 code_format(code, cb))) {
			snprintf(err, errlen, "the request is too long");
			return EXIT_USAGE;
		}
		return 0;
	}
	if (!strcmp(cmd, "outages")) {
		if (a->code || a->since || a->until || a->type || a->limit) {
			snprintf(err, errlen, "outages takes --all only");
			return EXIT_USAGE;
		}
		snprintf(buf, len, "/api/v1/outages%s", a->all ? "?all=1" : "");
		return 0;
	}
	snprintf(err, errlen, "unknown collector command '%.40s'", cmd);
	return EXIT_USAGE;
}

static long long wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* A 4xx/5xx: the collector's {"error","reason"} as one line on stderr. */
static int refused(const char *cmd, const struct collcmd_args *a,
		   long status, const char *body, size_t len)
{
	json_t *j = json_loadb(body, len, 0, NULL);
	const char *word = json_string_value(json_object_get(j, "error")),
		   *reason = json_string_value(json_object_get(j, "reason"));
	/* the server's own refusals of our certificate are TLS matters */
	bool tls = status == 403 && word &&
		   (!strcmp(word, "no_cert") || !strcmp(word, "bad_cert"));

	fprintf(stderr, "egnetctl %s: the collector answered %ld", cmd, status);
	if (word) {
		fputs(" ", stderr);
		textw_print(stderr, word);
		fputs(": ", stderr);
		textw_print(stderr, reason ? reason : "");
	} else {
		char cut[201];

		snprintf(cut, sizeof(cut), "%.*s", (int)(len < 200 ? len : 200),
			 body);
		cut[strcspn(cut, "\r\n")] = '\0';
		fputs(*cut ? " (not JSON): " : " with no reason", stderr);
		textw_print(stderr, cut);
	}
	if (tls)
		fprintf(stderr, " (TLS: the certificate %s is refused)",
			a->cert);
	fputc('\n', stderr);
	json_decref(j);
	return tls ? EXIT_TLS : EXIT_FAILED;
}

int collcmd_run(const char *cmd, const struct collcmd_args *a)
{
	char path[1024], err[1024], *body = NULL;
	json_t *j;
	json_error_t je;
	long status = 0;
	size_t len;
	int rc;

	if (!a->url || !*a->url) {
		fprintf(stderr, "egnetctl %s: which collector? --collector "
			"https://HOST:PORT (or EGNET_COLLECTOR)\n", cmd);
		return EXIT_USAGE;
	}
	if (strncmp(a->url, "https://", 8) && strncmp(a->url, "http://", 7)) {
		fprintf(stderr, "egnetctl %s: --collector %.60s: an https:// "
			"URL\n", cmd, a->url);
		return EXIT_USAGE;
	}
	rc = collcmd_path(cmd, a, wall_ms(), path, sizeof(path), err,
			  sizeof(err));
	if (!rc)
		rc = collcmd_get(a, path, &status, &body, &len, err,
				 sizeof(err));
	if (rc) {
		fprintf(stderr, "egnetctl %s: %s\n", cmd, err);
		return rc;
	}
	if (status >= 400 || status < 200) {
		rc = refused(cmd, a, status, body, len);
		free(body);
		return rc;
	}
	j = json_loadb(body, len, 0, &je);
	if (!json_is_object(j)) {
		fprintf(stderr, "egnetctl %s: the collector's answer is not a "
			"JSON object: %s\n", cmd, j ? "another type" : je.text);
		json_decref(j);
		free(body);
		return EXIT_FAILED;
	}
	if (a->json) {
		/* the API's JSON as it came */
		fwrite(body, 1, len, stdout);
		if (!len || body[len - 1] != '\n')
			fputc('\n', stdout);
	} else if (!strcmp(cmd, "nodes")) {
		collview_nodes(stdout, j);
	} else if (!strcmp(cmd, "node")) {
		collview_node(stdout, j);
	} else if (!strcmp(cmd, "tree")) {
		collverify_tree(stdout, j);
	} else if (!strcmp(cmd, "outages")) {
		collverify_outages(stdout, j, wall_ms());
	} else if (!strcmp(cmd, "coverage")) {
		collverify_coverage(stdout, j);
	} else {
		collview_events(stdout, j);
	}
	json_decref(j);
	free(body);
	return fflush(stdout) ? EXIT_FAILED : EXIT_OK;
}
