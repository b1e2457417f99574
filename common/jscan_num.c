// SPDX-License-Identifier: BSD-2-Clause
/*
 * The numbers of the JSON scanner (jscan.h): the RFC's grammar checked,
 * an integer exactly as long long holds it (or refused), a real rounded
 * as strtod rounds it in the C locale, whatever the process's locale:
 * Clinger's fast path where both operands are exact, else strtod_l on a
 * bounded copy (the digits that decide the rounding kept, see
 * slow_real()).  A real beyond double is refused, as json_loadb() does.
 */
#include "common/jscan.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline bool digit(int c)
{
	return c >= '0' && c <= '9';
}

static locale_t c_locale(void)
{
	static locale_t loc;
	locale_t l = __atomic_load_n(&loc, __ATOMIC_ACQUIRE);

	/* glibc gives its static "C" object for this: a race makes no
	 * leak */
	if (!l) {
		l = newlocale(LC_ALL_MASK, "C", (locale_t)0);
		__atomic_store_n(&loc, l, __ATOMIC_RELEASE);
	}
	return l;
}

static double c_strtod(const char *buf)
{
	locale_t l = c_locale();

	return l ? strtod_l(buf, NULL, l) : strtod(buf, NULL);
}

#define SIG_MAX 800 /* decimal digits that decide the rounding of a double */

/*
 * The double nearest to the decimal of the token [t0, t1) (JSON grammar,
 * checked), through strtod on a bounded copy.  A token too long for the
 * copy keeps its first SIG_MAX significant digits, then a 1 when any digit
 * left out is not 0, with the exponent moved to match: no midpoint between
 * two doubles has that many digits, so the rounding is the same.
 */
static double slow_real(const unsigned char *t0, const unsigned char *t1)
{
	char buf[SIG_MAX + 40];
	const unsigned char *p = t0;
	long long exp = 0, frac = 0, kept_shift = 0;
	bool neg = false, sticky = false, esign = false;
	size_t o = 0, nsig = 0;

	if ((size_t)(t1 - t0) < 64) {
		memcpy(buf, t0, (size_t)(t1 - t0));
		buf[t1 - t0] = '\0';
		return c_strtod(buf);
	}
	if (*p == '-') {
		neg = true;
		buf[o++] = '-';
		p++;
	}
	for (bool in_frac = false; p < t1 && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.') {
			in_frac = true;
			continue;
		}
		if (in_frac)
			frac++;
		if (!nsig && *p == '0')
			continue;
		if (nsig < SIG_MAX) {
			buf[o++] = (char)*p;
			nsig++;
		} else {
			kept_shift++;
			sticky |= *p != '0';
		}
	}
	if (p < t1) { /* the exponent, saturated far past any double */
		p++;
		if (*p == '+' || *p == '-')
			esign = *p++ == '-';
		for (; p < t1; p++)
			if (exp < 1000000000)
				exp = exp * 10 + (*p - '0');
		if (esign)
			exp = -exp;
	}
	if (!nsig)
		return neg ? -0.0 : 0.0;
	if (sticky) {
		buf[o++] = '1';
		kept_shift--;
	}
	snprintf(buf + o, sizeof(buf) - o, "e%lld", exp - frac + kept_shift);
	return c_strtod(buf);
}

static const double pow10_exact[] = {
	1e0,  1e1,  1e2,  1e3,	1e4,  1e5,  1e6,  1e7,	1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

int jscan_number(struct jscan *s, long long *iv, double *dv)
{
	const unsigned char *p = s->p, *end = s->end, *t0 = p;
	bool neg = false, real = false, big = false;
	uint64_t w = 0;	 /* the first significant digits */
	long long e = 0; /* the decimal exponent of w */
	int nsig = 0;
	long long exp = 0;

	if (s->what)
		return -1;
	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	if (p >= end || !digit(*p))
		return jscan_fail(s, t0, "invalid number");
	if (*p == '0') {
		p++;
	} else {
		for (; p < end && digit(*p); p++) {
			if (nsig < 19) {
				w = w * 10 + (uint64_t)(*p - '0');
				nsig++;
			} else {
				e++;
				big = true;
			}
		}
	}
	if (p < end && *p == '.') {
		real = true;
		if (++p >= end || !digit(*p))
			return jscan_fail(s, t0, "invalid number");
		for (; p < end && digit(*p); p++) {
			if (!nsig && *p == '0') {
				e--;
				continue;
			}
			if (nsig < 19) {
				w = w * 10 + (uint64_t)(*p - '0');
				nsig++;
				e--;
			} else {
				big = true;
			}
		}
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool eneg = false;

		real = true;
		if (++p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= end || !digit(*p))
			return jscan_fail(s, t0, "invalid number");
		for (; p < end && digit(*p); p++)
			if (exp < 1000000000)
				exp = exp * 10 + (*p - '0');
		e += eneg ? -exp : exp;
	}
	s->p = p;
	if (!real && !big && nsig < 19) {
		/* 18 digits at most: w is the integer */
		*iv = neg ? -(long long)w : (long long)w;
		*dv = (double)*iv;
		return JSCAN_INT;
	}
	if (!real) {
		/* an integer: exactly what fits a long long */
		uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;

		for (const unsigned char *q = t0 + neg; q < p; q++) {
			if (v > (lim - (uint64_t)(*q - '0')) / 10)
				return jscan_fail(
					s, t0,
					neg ? "too big negative integer"
					    : "too big integer");
			v = v * 10 + (uint64_t)(*q - '0');
		}
		*iv = neg ? (long long)(0 - v) : (long long)v;
		*dv = (double)*iv;
		return JSCAN_INT;
	}
	if (!w) {
		*dv = neg ? -0.0 : 0.0;
		return JSCAN_REAL;
	}
	/* Clinger's fast path: both exact, so one rounding, strtod's */
	if (FLT_EVAL_METHOD == 0 && !big && w <= (1ULL << 53) && e >= -22 &&
	    e <= 22) {
		double d = (double)w;

		d = e < 0 ? d / pow10_exact[-e] : d * pow10_exact[e];
		*dv = neg ? -d : d;
		return JSCAN_REAL;
	}
	*dv = slow_real(t0, p);
	if (isinf(*dv))
		return jscan_fail(s, t0, "real number overflow");
	return JSCAN_REAL;
}
