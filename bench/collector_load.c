// SPDX-License-Identifier: BSD-2-Clause
/*
 * collector_load: the collector's load generator.  Simulates NODES agents,
 * each with its own EC P-256 key and client certificate made here with
 * the OpenSSL library and signed by the bench's CA (CN the node's code,
 * SAN URI urn:egnet:node:CODE, clientAuth), each posting realistic
 * reports (the golden county report with its node, parent, targets, seq
 * and time edited, encoded with the real report_encode) over its own
 * keep-alive mutual-TLS connection on loopback (collector_load_net.c).
 *
 * Each phase runs its rows in alternating rounds: `reports` posts to
 * /api/v1/reports, `limit` posts the same bodies to /test/empty (a 204
 * from the bare server, the same TLS and connections).  The collector's
 * CPU comes from /proc/PID/stat (utime+stime over the phase), its memory
 * from /proc/PID/status (VmRSS) and its /metrics.
 *
 *   mem     fresh collector: every node connects and posts to `limit` (RSS
 *           with the connections open), then a report over its connection,
 *           MEM_CONC at a time (RSS with the nodes known): memory per node
 *   storm   every connection closed, then every node reconnects at once
 *           and posts one report: time until all answered; with full
 *           handshakes (storm), then offering the session ticket each node
 *           got (storm-r, as agents reconnect after an outage)
 *   steady  RATE reports/s spread over every node's connection (a node
 *           every NODES/RATE s): collector CPU, latency from when due
 *   peak    PEAK_CONC requests in flight over established connections,
 *           nodes in turn, as fast as they are answered
 *   replay  REPLAY_NODES nodes each replay REPLAY_DEPTH spooled reports
 *           back to back while live reports go on at RATE: live refusals
 *   verify  GET /api/v1/nodes: each node's last_seq is the last it sent;
 *           and the stored sequence ranges of a sample of nodes
 *
 * usage: collector_load --port P --ca DIR --template FILE --pid PID
 *          [-n NODES] [--rounds R] [--rate R] [--steady-s S] [--peak-s S]
 *          [--peak-conc C] [--mem-conc C] [--replay-nodes N]
 *          [--replay-depth D] [--phases mem,storm,steady,peak,replay,verify]
 *          [--max-open N]
 * --max-open caps the connections open at once below the nodes (when the
 * descriptor limit of one process is below NODES): a node that needs a
 * connection then closes the idle one answered last.
 * Prints one line per round and a summary with the targets.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/collector_load.h"
#include "common/report.h"

#define SEQ_MARK  9000000000000000001ULL
#define TIME_MARK 4102444799999LL

/* The code of node @i: groups of ten, a county and nine of its townships
 * (province 21, cities from 01, counties 01..99 in each). */
static code_t node_code(int i)
{
	int g = i / 10, k = i % 10;
	code_t county = 210000000000ULL + (code_t)(1 + g / 99) * 100000000ULL +
			(code_t)(1 + g % 99) * 1000000ULL;

	return county + (code_t)k * 1000;
}

/* @r made node @code's: node, level, parent, targets (its parent, then
 * children: townships of a county, villages of a township), events. */
static void report_for(struct report *r, code_t code)
{
	r->node = code;
	r->level = code_level(code);
	r->parent = code_parent(code);
	for (int j = 0; j < r->n_targets; j++) {
		struct report_target *t = &r->targets[j];

		if (j == 0) {
			t->code = r->parent;
			t->rel = RPT_REL_PARENT;
		} else if (r->level == LEVEL_COUNTY) {
			t->code = code + (code_t)j * 1000;
			t->rel = RPT_REL_CHILD;
		} else {
			t->code = code + (code_t)j;
			t->rel = RPT_REL_VILLAGE;
			/* villages get ICMP echo: no port to refuse */
			t->refused = false;
		}
	}
	for (int j = 0; j < r->n_events; j++)
		if (r->events[j].type == RPT_EV_TARGET)
			r->events[j].code =
				r->targets[r->n_targets > 1 ? 1 : 0].code;
	r->seq = SEQ_MARK;
	r->time_ms = TIME_MARK;
}

static int body_make(struct cl_node *nd, struct report *r)
{
	char err[256], mark[32], *p;
	size_t len;

	report_for(r, nd->code);
	if (report_encode(r, &nd->body, &len, err, sizeof(err))) {
		fprintf(stderr, "collector_load: encode: %s\n", err);
		return -1;
	}
	nd->blen = len;
	snprintf(mark, sizeof(mark), "%llu", (unsigned long long)SEQ_MARK);
	p = memmem(nd->body, len, mark, strlen(mark));
	if (!p || strlen(mark) != CL_SEQ_W)
		return -1;
	nd->seq_off = (size_t)(p - nd->body);
	snprintf(mark, sizeof(mark), "%lld", TIME_MARK);
	p = memmem(nd->body, len, mark, strlen(mark));
	if (!p || strlen(mark) != CL_TIME_W)
		return -1;
	nd->time_off = (size_t)(p - nd->body);
	return 0;
}

static int add_ext(X509 *x, X509V3_CTX *c, int nid, const char *v)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, c, nid, v);

	if (!e)
		return -1;
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return 0;
}

/* Node @nd's key and certificate, signed by @ca. */
static int cert_make(struct cl_node *nd, X509 *ca, EVP_PKEY *cakey, long serial)
{
	char cb[CODE_STRLEN], uri[64];
	X509V3_CTX c;
	X509 *x;

	nd->key = EVP_EC_gen("P-256");
	x = nd->crt = X509_new();
	if (!nd->key || !x)
		return -1;
	code_format(nd->code, cb);
	snprintf(uri, sizeof(uri), "URI:urn:egnet:node:%s", cb);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
	X509_set_pubkey(x, nd->key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)cb, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	X509V3_set_ctx_nodb(&c);
	X509V3_set_ctx(&c, ca, x, NULL, NULL, 0);
	if (add_ext(x, &c, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(x, &c, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(x, &c, NID_ext_key_usage, "clientAuth") ||
	    add_ext(x, &c, NID_subject_alt_name, uri) ||
	    !X509_sign(x, cakey, EVP_sha256()))
		return -1;
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    n < REPORT_MAX_BYTES && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Keys, certificates and bodies of every node; prints what it took. */
static int nodes_make(struct cl_node *nodes, int nn, const char *cadir,
		      const char *tmpl)
{
	char path[4096], err[256];
	enum report_err why;
	struct report *r = malloc(sizeof(*r));
	EVP_PKEY *cakey = NULL;
	X509 *ca = NULL;
	FILE *f;
	size_t len;
	char *js = slurp(tmpl, &len);
	double t0, t1, t2;
	int rc = -1;

	if (!r || !js || report_decode(js, len, r, &why, err, sizeof(err))) {
		fprintf(stderr, "collector_load: %s: %s\n", tmpl,
			js ? err : strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/ca.crt", cadir);
	if ((f = fopen(path, "r"))) {
		ca = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/ca.key", cadir);
	if ((f = fopen(path, "r"))) {
		cakey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (!ca || !cakey) {
		fprintf(stderr, "collector_load: %s: no CA certificate and key\n",
			cadir);
		goto out;
	}
	t0 = cl_now();
	for (int i = 0; i < nn; i++) {
		nodes[i].code = node_code(i);
		if (cert_make(&nodes[i], ca, cakey, (long)i + 1000)) {
			fprintf(stderr, "collector_load: certificate %d failed\n", i);
			goto out;
		}
	}
	t1 = cl_now();
	for (int i = 0; i < nn; i++)
		if (body_make(&nodes[i], r))
			goto out;
	t2 = cl_now();
	printf("certs: %d EC P-256 keys and client certificates made in %.2f s "
	       "(%.0f us each, OpenSSL library, in memory); %d report bodies "
	       "(report_encode) in %.2f s, %zu bytes each (%s has %zu "
	       "pretty-printed)\n",
	       nn, t1 - t0, (t1 - t0) / nn * 1e6, nn, t2 - t1, nodes[0].blen,
	       tmpl, len);
	rc = 0;
out:
	X509_free(ca);
	EVP_PKEY_free(cakey);
	free(js);
	free(r);
	return rc;
}

static void nodes_free(struct cl_node *nodes, int nn)
{
	for (int i = 0; i < nn; i++) {
		X509_free(nodes[i].crt);
		EVP_PKEY_free(nodes[i].key);
		free(nodes[i].body);
		free(nodes[i].out);
		free(nodes[i].in);
	}
	free(nodes);
}

/* ---- GET over libcurl, node 0's certificate ------------------------------ */

struct buf {
	char *p;
	size_t n;
};

static size_t buf_add(char *d, size_t sz, size_t nm, void *arg)
{
	struct buf *b = arg;
	char *p = realloc(b->p, b->n + sz * nm + 1);

	if (!p)
		return 0;
	memcpy(p + b->n, d, sz * nm);
	b->p = p;
	b->n += sz * nm;
	p[b->n] = '\0';
	return sz * nm;
}

static char *pem_of(X509 *x, EVP_PKEY *k, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (!b)
		return NULL;
	if (x ? PEM_write_bio_X509(b, x)
	      : PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)) {
		n = BIO_get_mem_data(b, &data);
		if (n > 0 && (out = malloc((size_t)n))) {
			memcpy(out, data, (size_t)n);
			*len = (size_t)n;
		}
	}
	BIO_free(b);
	return out;
}

char *cl_get(const struct cl_ctx *c, const char *path, long *status)
{
	struct buf b = {NULL, 0};
	size_t cl = 0, kl = 0;
	char *crt = pem_of(c->nodes[0].crt, NULL, &cl);
	char *key = pem_of(NULL, c->nodes[0].key, &kl);
	struct curl_blob cb = {crt, cl, CURL_BLOB_COPY};
	struct curl_blob kb = {key, kl, CURL_BLOB_COPY};
	char url[512];
	CURL *h = curl_easy_init();

	*status = 0;
	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", c->port, path);
	if (h && crt && key) {
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
		curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cb);
		curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &kb);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, buf_add);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		if (curl_easy_perform(h) == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	}
	curl_easy_cleanup(h);
	free(crt);
	free(key);
	return b.p;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: collector_load --port P --ca DIR --template FILE "
		"--pid PID [-n NODES] [--rounds R] [--rate R] [--steady-s S] "
		"[--peak-s S] [--peak-conc C] [--mem-conc C] "
		"[--replay-nodes N] [--replay-depth D] [--phases LIST]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"port", required_argument, NULL, 'P'},
		{"ca", required_argument, NULL, 'A'},
		{"template", required_argument, NULL, 'T'},
		{"pid", required_argument, NULL, 'p'},
		{"rounds", required_argument, NULL, 'r'},
		{"rate", required_argument, NULL, 'R'},
		{"steady-s", required_argument, NULL, 's'},
		{"peak-s", required_argument, NULL, 'k'},
		{"peak-conc", required_argument, NULL, 'c'},
		{"mem-conc", required_argument, NULL, 'm'},
		{"replay-nodes", required_argument, NULL, 'x'},
		{"replay-depth", required_argument, NULL, 'y'},
		{"phases", required_argument, NULL, 'f'},
		{"max-open", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct cl_ctx c = {
		.nn = 20000, .rounds = 3, .rate = 2000, .steady_s = 20,
		.peak_s = 5, .peak_conc = 256, .mem_conc = 256,
		.replay_nodes = 1000, .replay_depth = 360,
	};
	const char *cadir = NULL, *tmpl = NULL,
		   *phases = "mem,storm,steady,peak,replay,verify";
	char err[256], ca_file[4096];
	struct rlimit rl;
	int o, rc, max_open = 0;

	while ((o = getopt_long(argc, argv, "n:", lo, NULL)) != -1)
		switch (o) {
		case 'n': c.nn = atoi(optarg); break;
		case 'P': c.port = atoi(optarg); break;
		case 'A': cadir = optarg; break;
		case 'T': tmpl = optarg; break;
		case 'p': c.pid = atoi(optarg); break;
		case 'r': c.rounds = atoi(optarg); break;
		case 'R': c.rate = atof(optarg); break;
		case 's': c.steady_s = atof(optarg); break;
		case 'k': c.peak_s = atof(optarg); break;
		case 'c': c.peak_conc = atoi(optarg); break;
		case 'm': c.mem_conc = atoi(optarg); break;
		case 'x': c.replay_nodes = atoi(optarg); break;
		case 'y': c.replay_depth = atoi(optarg); break;
		case 'f': phases = optarg; break;
		case 'o': max_open = atoi(optarg); break;
		default: usage();
		}
	if (!cadir || !tmpl || c.port <= 0 || c.pid <= 0 || c.nn < 10 ||
	    c.nn > 98010 || c.rounds < 1 || c.rate <= 0 ||
	    c.replay_nodes > c.nn || c.peak_conc < 1 || c.mem_conc < 1)
		usage();
	if (!max_open || max_open > c.nn)
		max_open = c.nn;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)max_open + 64) {
		fprintf(stderr, "collector_load: %d connections need %d "
			"descriptors, ulimit -n is %llu (see --max-open)\n",
			max_open, max_open + 64, (unsigned long long)rl.rlim_cur);
		return 1;
	}
	/* a connection the collector closes is a transport error, counted */
	signal(SIGPIPE, SIG_IGN);
	snprintf(ca_file, sizeof(ca_file), "%s/ca.crt", cadir);
	c.ca_file = ca_file;
	curl_global_init(CURL_GLOBAL_ALL);
	c.nodes = calloc((size_t)c.nn, sizeof(*c.nodes));
	if (!c.nodes || nodes_make(c.nodes, c.nn, cadir, tmpl))
		return 1;
	if (cl_net_init(&c.net, c.nodes, c.nn, c.port, ca_file, err,
			sizeof(err))) {
		fprintf(stderr, "collector_load: %s\n", err);
		return 1;
	}
	cl_net_max_open(&c.net, max_open);
	if (max_open < c.nn)
		printf("connections: at most %d open at once for %d nodes (the "
		       "descriptor limit): a node without one closes the idle "
		       "connection answered last and makes its own; those "
		       "handshakes are counted in each row\n",
		       max_open, c.nn);
	rc = cl_phases_run(&c, phases);
	cl_net_free(&c.net);
	nodes_free(c.nodes, c.nn);
	curl_global_cleanup();
	return rc;
}
