// SPDX-License-Identifier: BSD-2-Clause
/*
 * http_load: an HTTP(S) load generator for the collector's server.  Many
 * keep-alive connections through one libcurl multi handle, client
 * certificates, over loopback; POSTs a body file (or GETs) to a URL as fast
 * as it can or at a target rate, for a number of seconds, and prints one
 * line: requests/s, p50 and p99 latency, errors.
 *
 *   http_load -u URL [-b BODY] [-c CONNS] [-d SECONDS] [-r RATE]
 *             [--cert F --key F] [--cacert F] [-q]
 *
 * Latency is from a request's start to its last byte (closed loop; at a
 * target rate a request late because all connections were busy counts
 * from when it started, so a saturated server shows in the rate, not in
 * the latency).  An error is a transfer that failed or an answer >= 400.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slot {
	CURL *h;
	double t0;
	int busy;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t sink(char *p, size_t sz, size_t n, void *u)
{
	(void)p;
	(void)u;
	return sz * n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	buf = malloc((size_t)*len + 1);
	if (buf && fread(buf, 1, (size_t)*len, f) != (size_t)*len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void usage(void)
{
	fprintf(stderr, "usage: http_load -u URL [-b BODY] [-c CONNS] "
			"[-d SECONDS] [-r RATE] [--cert F --key F] "
			"[--cacert F] [-q]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"cert", required_argument, NULL, 'C'},
		{"key", required_argument, NULL, 'K'},
		{"cacert", required_argument, NULL, 'A'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL, *bodyf = NULL, *cert = NULL, *key = NULL,
		   *ca = NULL;
	int conns = 50, o, running = 0, quiet = 0;
	double secs = 5, rate = 0, start, end, next;
	long blen = 0, errors = 0, done = 0, started = 0;
	size_t nlat = 0, caplat = 1 << 16;
	double *lat;
	char *body = NULL;
	struct slot *s;
	CURLM *m;

	while ((o = getopt_long(argc, argv, "u:b:c:d:r:q", lo, NULL)) != -1)
		switch (o) {
		case 'u': url = optarg; break;
		case 'b': bodyf = optarg; break;
		case 'c': conns = atoi(optarg); break;
		case 'd': secs = atof(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'q': quiet = 1; break;
		case 'C': cert = optarg; break;
		case 'K': key = optarg; break;
		case 'A': ca = optarg; break;
		default: usage();
		}
	if (!url || conns < 1 || conns > 10000 || secs <= 0)
		usage();
	if (bodyf && !(body = slurp(bodyf, &blen))) {
		perror(bodyf);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_ALL);
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)conns);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)conns);
	s = calloc((size_t)conns, sizeof(*s));
	lat = malloc(caplat * sizeof(*lat));
	for (int i = 0; i < conns; i++) {
		CURL *h = s[i].h = curl_easy_init();

		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(h, CURLOPT_PRIVATE, &s[i]);
		curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		if (body) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, blen);
		}
		if (cert)
			curl_easy_setopt(h, CURLOPT_SSLCERT, cert);
		if (key)
			curl_easy_setopt(h, CURLOPT_SSLKEY, key);
		if (ca)
			curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	}
	start = now();
	end = start + secs;
	next = start;
	for (;;) {
		double t = now();
		CURLMsg *msg;
		int left;

		/* start what the rate allows on idle slots */
		for (int i = 0; i < conns && t < end; i++) {
			if (s[i].busy || (rate > 0 && t < next))
				continue;
			s[i].busy = 1;
			s[i].t0 = t;
			curl_multi_add_handle(m, s[i].h);
			started++;
			running++;
			if (rate > 0)
				next += 1.0 / rate;
		}
		if (!running && t >= end)
			break;
		curl_multi_perform(m, &left);
		while ((msg = curl_multi_info_read(m, &left))) {
			struct slot *sl;
			long code = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
					  (char **)&sl);
			curl_easy_getinfo(msg->easy_handle,
					  CURLINFO_RESPONSE_CODE, &code);
			if (msg->data.result != CURLE_OK || code >= 400) {
				if (errors++ < 3 && !quiet)
					fprintf(stderr, "http_load: %s (%ld)\n",
						curl_easy_strerror(
							msg->data.result),
						code);
			} else {
				if (nlat == caplat)
					lat = realloc(lat, (caplat *= 2) *
							       sizeof(*lat));
				lat[nlat++] = now() - sl->t0;
			}
			done++;
			running--;
			sl->busy = 0;
			curl_multi_remove_handle(m, msg->easy_handle);
		}
		{
			int wait_ms = 5;

			if (rate > 0 && next > t)
				wait_ms = (int)((next - t) * 1000) < 5
						  ? (int)((next - t) * 1000)
						  : 5;
			if (running)
				curl_multi_poll(m, NULL, 0, wait_ms, NULL);
		}
	}
	double el = now() - start;

	qsort(lat, nlat, sizeof(*lat), cmp_double);
	printf("requests=%ld ok=%zu errors=%ld seconds=%.2f rps=%.0f "
	       "p50_ms=%.3f p99_ms=%.3f conns=%d\n",
	       done, nlat, errors, el, (double)nlat / el,
	       nlat ? lat[nlat / 2] * 1e3 : 0.0,
	       nlat ? lat[(size_t)((double)nlat * 0.99)] * 1e3 : 0.0, conns);
	for (int i = 0; i < conns; i++)
		curl_easy_cleanup(s[i].h);
	curl_multi_cleanup(m);
	curl_global_cleanup();
	free(s);
	free(lat);
	free(body);
	return errors && !nlat ? 1 : 0;
}
