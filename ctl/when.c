// SPDX-License-Identifier: BSD-2-Clause
/*
 * Durations, times and ages (when.h).  A time is parsed by hand, field by
 * field, rather than by strptime(3), so that "2024-13-01" or "14:30 junk"
 * is refused with a reason instead of half-read; mktime(3) (local) and
 * timegm(3) (UTC, a 'Z') make the instant, and a date it had to normalise
 * (30 February) is refused.
 */
#include "ctl/when.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct unit {
	const char *word;
	long long ms;
} units[] = {
	/* longest first: "ms" and "min" before "m" */
	{"min", 60000LL}, {"ms", 1LL},	     {"s", 1000LL},
	{"m", 60000LL},	  {"h", 3600000LL}, {"d", 86400000LL},
	{"w", 604800000LL},
};

int when_duration(const char *s, long long *ms, char *err, size_t errlen)
{
	const char *p = s;
	long long total = 0;

	if (!*s) {
		snprintf(err, errlen, "an empty duration");
		return -EINVAL;
	}
	while (*p) {
		const struct unit *u = NULL;
		long long n = 0;
		const char *d = p;

		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p - '0');
			if (n > WHEN_MAX_MS) {
				snprintf(err, errlen, "%.40s: too long", s);
				return -EINVAL;
			}
			p++;
		}
		if (p == d) {
			snprintf(err, errlen, "%.40s: a number is expected "
				 "at '%.10s'", s, p);
			return -EINVAL;
		}
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strncmp(p, units[i].word, strlen(units[i].word))) {
				u = &units[i];
				break;
			}
		if (!u) {
			snprintf(err, errlen, "%.40s: %s; units are ms, s, m, "
				 "h, d, w (1h30m)", s,
				 *p ? "unknown unit" : "a unit is missing");
			return -EINVAL;
		}
		if (n > (WHEN_MAX_MS - total) / u->ms) {
			snprintf(err, errlen, "%.40s: too long", s);
			return -EINVAL;
		}
		total += n * u->ms;
		p += strlen(u->word);
	}
	if (!total) {
		snprintf(err, errlen, "%.40s: a duration of nothing", s);
		return -EINVAL;
	}
	*ms = total;
	return 0;
}

/* @n digits at *@p as a number in [lo, hi]; advances *@p. */
static int field(const char **p, int n, int lo, int hi, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*p += n;
	*out = v;
	return 0;
}

static int date_time(const char *s, long long *ms, char *err, size_t errlen)
{
	struct tm tm = {0}, want;
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, utc = 0;
	time_t t;

	if (field(&p, 4, 1970, 9999, &y) || *p++ != '-' ||
	    field(&p, 2, 1, 12, &mo) || *p++ != '-' || field(&p, 2, 1, 31, &d))
		goto bad;
	if (*p == ' ' || *p == 'T') {
		p++;
		if (field(&p, 2, 0, 23, &h) || *p++ != ':' ||
		    field(&p, 2, 0, 59, &mi))
			goto bad;
		if (*p == ':' && (p++, field(&p, 2, 0, 60, &sec)))
			goto bad;
	}
	if (*p == 'Z')
		utc = 1, p++;
	if (*p)
		goto bad;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	want = tm;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1 || tm.tm_mday != want.tm_mday ||
	    tm.tm_mon != want.tm_mon) {
		snprintf(err, errlen, "%.40s: no such day", s);
		return -EINVAL;
	}
	*ms = (long long)t * 1000;
	return 0;
bad:
	snprintf(err, errlen, "%.40s: not a duration (1h, 30m) nor a time "
		 "(2024-06-10 14:30[:05], a 'Z' for UTC)", s);
	return -EINVAL;
}

int when_parse(const char *s, long long now_ms, long long *ms, char *err,
	       size_t errlen)
{
	long long d;

	if (!strcmp(s, "now")) {
		*ms = now_ms;
		return 0;
	}
	/* a date starts with four digits and a dash; a duration never does */
	if (strlen(s) >= 5 && isdigit((unsigned char)s[0]) &&
	    isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
	    isdigit((unsigned char)s[3]) && s[4] == '-')
		return date_time(s, ms, err, errlen);
	if (when_duration(s, &d, err, errlen))
		return -EINVAL;
	if (d > now_ms) {
		snprintf(err, errlen, "%.40s: before 1970", s);
		return -EINVAL;
	}
	*ms = now_ms - d;
	return 0;
}

char *when_span(long long ms, char *buf, size_t len)
{
	long long s = (ms < 0 ? -ms : ms) / 1000;

	if (s < 120)
		snprintf(buf, len, "%lld s", s);
	else if (s < 120 * 60)
		snprintf(buf, len, "%lld min", s / 60);
	else if (s < 48 * 3600)
		snprintf(buf, len, "%lld h", s / 3600);
	else
		snprintf(buf, len, "%lld d", s / 86400);
	return buf;
}

char *when_age(long long then_ms, long long now_ms, char *buf, size_t len)
{
	char n[48];

	when_span(now_ms - then_ms, n, sizeof(n));
	snprintf(buf, len, now_ms < then_ms ? "in %s" : "%s ago", n);
	return buf;
}

char *when_format(long long ms, int utc, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "?");
	return buf;
}
