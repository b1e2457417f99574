// SPDX-License-Identifier: BSD-2-Clause
/* A node's series rows of one period in one blob; see storepack.h. */
#include "collector/store/storepack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int storepack_cmp(const struct store_series_row *a,
			 const struct store_series_row *b)
{
	if (a->kind != b->kind)
		return a->kind == STORE_SERIES_LINK ? -1 : 1;
	return strncmp(a->key, b->key, sizeof(a->key));
}

static int storepack_qcmp(const void *a, const void *b)
{
	return storepack_cmp(a, b);
}

/* A mean of @x over @nx samples and @y over @ny; -1 when none. */
static double storepack_wmean(double x, uint32_t nx, double y, uint32_t ny)
{
	if (nx + ny == 0)
		return -1;
	return ((nx ? x * nx : 0) + (ny ? y * ny : 0)) / (nx + ny);
}

void storepack_fold(struct store_series_row *a,
		    const struct store_series_row *b)
{
	uint32_t n = a->samples + b->samples;

	if (a->kind == STORE_SERIES_LINK) {
		a->rx_bytes += b->rx_bytes;
		a->tx_bytes += b->tx_bytes;
		a->rx_bps = n ? (a->rx_bps * a->samples + b->rx_bps * b->samples) / n
			      : 0;
		a->tx_bps = n ? (a->tx_bps * a->samples + b->tx_bps * b->samples) / n
			      : 0;
	} else {
		a->rtt_avg = storepack_wmean(a->rtt_avg, a->rtt_samples,
					     b->rtt_avg, b->rtt_samples);
		if (b->rtt_samples) {
			if (!a->rtt_samples || b->rtt_min < a->rtt_min)
				a->rtt_min = b->rtt_min;
			if (!a->rtt_samples || b->rtt_max > a->rtt_max)
				a->rtt_max = b->rtt_max;
		}
		a->loss_pct = n ? (a->loss_pct * a->samples +
				   b->loss_pct * b->samples) / n
				: 0;
		a->jitter_avg = storepack_wmean(a->jitter_avg, a->jitter_samples,
						b->jitter_avg, b->jitter_samples);
		a->rtt_samples += b->rtt_samples;
		a->jitter_samples += b->jitter_samples;
	}
	a->samples = n;
}

int storepack_sort(struct store_series_row *rows, int n)
{
	int k = 0;

	if (n <= 0)
		return 0;
	qsort(rows, (size_t)n, sizeof(rows[0]), storepack_qcmp);
	for (int i = 1; i < n; i++) {
		if (!storepack_cmp(&rows[k], &rows[i]))
			storepack_fold(&rows[k], &rows[i]);
		else
			rows[++k] = rows[i];
	}
	return k + 1;
}

/* ---- writing ---- */

struct storepack_w {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void storepack_put(struct storepack_w *w, const void *s, size_t n)
{
	if (w->oom)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		uint8_t *p;

		while (cap < w->len + n)
			cap *= 2;
		p = realloc(w->p, cap);
		if (!p) {
			w->oom = true;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void storepack_v(struct storepack_w *w, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	do {
		b[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	storepack_put(w, b, n);
}

/* Host order is little-endian on every machine egnet runs on; the
 * build refuses another. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "storepack: little-endian hosts only");

static void storepack_f32(struct storepack_w *w, double v)
{
	float f = (float)v;

	storepack_put(w, &f, sizeof(f));
}

int storepack_encode(const struct store_series_row *rows, int n,
		     uint8_t **out, size_t *len)
{
	struct storepack_w w = {0};
	uint8_t u8 = STOREPACK_VERSION;

	*out = NULL;
	*len = 0;
	storepack_put(&w, &u8, 1);
	storepack_v(&w, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		const struct store_series_row *r = &rows[i];

		if (r->kind == STORE_SERIES_LINK) {
			size_t kl = strnlen(r->key, sizeof(r->key));

			if (kl >= sizeof(r->key)) {
				free(w.p);
				return -EINVAL;
			}
			u8 = 0;
			storepack_put(&w, &u8, 1);
			u8 = (uint8_t)kl;
			storepack_put(&w, &u8, 1);
			storepack_put(&w, r->key, kl);
			storepack_v(&w, r->rx_bytes);
			storepack_v(&w, r->tx_bytes);
			storepack_f32(&w, r->rx_bps);
			storepack_f32(&w, r->tx_bps);
			storepack_v(&w, r->samples);
		} else {
			char *end;
			unsigned long long code = strtoull(r->key, &end, 10);

			if (end == r->key || *end) {
				free(w.p);
				return -EINVAL;
			}
			u8 = 1;
			storepack_put(&w, &u8, 1);
			storepack_v(&w, code);
			storepack_v(&w, r->samples);
			storepack_v(&w, r->rtt_samples);
			storepack_v(&w, r->jitter_samples);
			storepack_f32(&w, r->loss_pct);
			if (r->rtt_samples) {
				storepack_f32(&w, r->rtt_avg);
				storepack_f32(&w, r->rtt_min);
				storepack_f32(&w, r->rtt_max);
			}
			if (r->jitter_samples)
				storepack_f32(&w, r->jitter_avg);
		}
	}
	if (w.oom) {
		free(w.p);
		return -ENOMEM;
	}
	*out = w.p;
	*len = w.len;
	return 0;
}

/* ---- reading ---- */

struct storepack_r {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static void storepack_get(struct storepack_r *r, void *d, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		memset(d, 0, n);
		return;
	}
	memcpy(d, r->p + r->off, n);
	r->off += n;
}

static uint64_t storepack_gv(struct storepack_r *r)
{
	uint64_t v = 0;

	for (int s = 0; s < 64; s += 7) {
		uint8_t b;

		storepack_get(r, &b, 1);
		if (r->bad)
			return 0;
		v |= (uint64_t)(b & 0x7f) << s;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

static uint32_t storepack_gu32(struct storepack_r *r)
{
	uint64_t v = storepack_gv(r);

	if (v > UINT32_MAX)
		r->bad = true;
	return (uint32_t)v;
}

static double storepack_gf32(struct storepack_r *r)
{
	float v;

	storepack_get(r, &v, sizeof(v));
	return v;
}

int storepack_decode(const void *blob, size_t len, long long t_ms,
		     bool hourly, struct store_series_row **rows, int *n)
{
	struct storepack_r r = {blob, len, 0, false};
	struct store_series_row *v = NULL;
	uint64_t count;
	uint8_t ver;

	*rows = NULL;
	*n = 0;
	storepack_get(&r, &ver, 1);
	count = storepack_gv(&r);
	if (r.bad || ver != STOREPACK_VERSION || count > STOREPACK_MAX_ROWS ||
	    count > len) /* an entry takes more than a byte */
		return -EBADMSG;
	if (count && !(v = calloc(count, sizeof(*v))))
		return -ENOMEM;
	for (uint64_t i = 0; i < count && !r.bad; i++) {
		struct store_series_row *e = &v[i];
		uint8_t kind, kl;

		e->t_ms = t_ms;
		e->hourly = hourly;
		storepack_get(&r, &kind, 1);
		if (kind == 0) {
			e->kind = STORE_SERIES_LINK;
			storepack_get(&r, &kl, 1);
			if (kl == 0 || kl >= sizeof(e->key)) {
				r.bad = true;
				break;
			}
			storepack_get(&r, e->key, kl);
			if (memchr(e->key, '\0', kl))
				r.bad = true;
			e->rx_bytes = storepack_gv(&r);
			e->tx_bytes = storepack_gv(&r);
			e->rx_bps = storepack_gf32(&r);
			e->tx_bps = storepack_gf32(&r);
			e->samples = storepack_gu32(&r);
			e->rtt_avg = e->rtt_min = e->rtt_max = e->loss_pct =
				e->jitter_avg = -1;
		} else if (kind == 1) {
			uint64_t code = storepack_gv(&r);

			e->kind = STORE_SERIES_TARGET;
			if (code == 0 || code > 999999999999ULL) {
				r.bad = true;
				break;
			}
			code_format(code, e->key);
			e->samples = storepack_gu32(&r);
			e->rtt_samples = storepack_gu32(&r);
			e->jitter_samples = storepack_gu32(&r);
			e->loss_pct = storepack_gf32(&r);
			e->rtt_avg = e->rtt_min = e->rtt_max = -1;
			e->jitter_avg = -1;
			if (e->rtt_samples) {
				e->rtt_avg = storepack_gf32(&r);
				e->rtt_min = storepack_gf32(&r);
				e->rtt_max = storepack_gf32(&r);
			}
			if (e->jitter_samples)
				e->jitter_avg = storepack_gf32(&r);
		} else {
			r.bad = true;
		}
	}
	if (r.bad || r.off != len) {
		free(v);
		return -EBADMSG;
	}
	*rows = v;
	*n = (int)count;
	return 0;
}

int storepack_merge(const struct store_series_row *a, int na,
		    const struct store_series_row *b, int nb,
		    struct store_series_row **out, int *n)
{
	struct store_series_row *v = malloc(((size_t)na + (size_t)nb + 1) *
					    sizeof(*v));
	int i = 0, j = 0, k = 0;

	*out = NULL;
	*n = 0;
	if (!v)
		return -ENOMEM;
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : storepack_cmp(&a[i], &b[j]);

		if (c < 0) {
			v[k++] = a[i++];
		} else if (c > 0) {
			v[k++] = b[j++];
		} else {
			v[k] = a[i++];
			storepack_fold(&v[k++], &b[j++]);
		}
	}
	*out = v;
	*n = k;
	return 0;
}
