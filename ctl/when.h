/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Times as an operator writes and reads them, for egnetctl's collector
 * commands: --since 1h / 30m / 1h30m (a duration back from now), or a
 * time (2024-06-10, 2024-06-10 14:30[:05], the same with a 'T', a 'Z' for
 * UTC, local time otherwise), or "now"; and ages ("12 s ago").  All times
 * are wall-clock milliseconds since 1970 UTC, as the collector's API has
 * them.
 *
 * Error policy: pure functions (the local time zone apart); a parse
 * returns 0 or -EINVAL with the reason in the caller's buffer, and leaves
 * *out alone on failure.
 */
#ifndef EGNET_WHEN_H
#define EGNET_WHEN_H

#include <stddef.h>

#define WHEN_MAX_MS (100LL * 366 * 86400 * 1000) /* durations: a century */

/*
 * A duration: one or more NUMBER UNIT, UNIT one of ms, s, m (or min), h,
 * d, w ("1h30m", "90s", "2d").  A bare number has no unit and is refused;
 * so is 0, a sum past WHEN_MAX_MS, and anything else.  0 with *@ms.
 */
int when_duration(const char *s, long long *ms, char *err, size_t errlen);

/*
 * A point in time: a duration back from @now_ms, "now", or a date and
 * time as above.  0 with *@ms, or -EINVAL with the reason.
 */
int when_parse(const char *s, long long now_ms, long long *ms, char *err,
	       size_t errlen);

/* A length of time, @ms (its absolute value), in the units of
 * when_age(): "90 s", "5 min", "47 h", "3 d".  Into @buf, returned. */
char *when_span(long long ms, char *buf, size_t len);

/*
 * How long ago @then_ms was at @now_ms: "12 s ago", "5 min ago", "3 h
 * ago", "2 d ago" (each unit up to twice the next: "90 s ago", "47 h
 * ago"); "in 3 s" when @then_ms is ahead.  Into @buf, returned.
 */
char *when_age(long long then_ms, long long now_ms, char *buf, size_t len);

/* "2024-06-10 14:30:05" in local time (@utc: in UTC) into @buf, returned. */
char *when_format(long long ms, int utc, char *buf, size_t len);

#endif
