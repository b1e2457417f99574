// SPDX-License-Identifier: BSD-2-Clause
/* Logging to stderr with levels; see log.h for the policy. */
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *log_prog = "egnet";
static enum log_level log_level = LOG_LVL_INFO;
static int log_prefix_prio; /* "<N>" prefixes for the journal */

void log_init(const char *progname, enum log_level level)
{
	log_prog = progname;
	log_level = level;
	log_prefix_prio = !isatty(STDERR_FILENO) && getenv("JOURNAL_STREAM");
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

int log_level_parse(const char *s, enum log_level *out)
{
	static const struct {
		const char *name;
		enum log_level lvl;
	} names[] = {{"error", LOG_LVL_ERR},
		     {"warning", LOG_LVL_WARN},
		     {"info", LOG_LVL_INFO},
		     {"debug", LOG_LVL_DEBUG}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (s && strcmp(s, names[i].name) == 0) {
			*out = names[i].lvl;
			return 0;
		}
	return -EINVAL;
}

static void vlog(enum log_level lvl, int with_errno, const char *fmt,
		 va_list ap)
{
	int saved = errno;

	if (lvl > log_level)
		return;
	if (log_prefix_prio)
		fprintf(stderr, "<%d>", lvl);
	else
		fprintf(stderr, "%s: ", log_prog);
	vfprintf(stderr, fmt, ap);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	errno = saved;
}

#define LOG_FN(fn, lvl, e)                                                     \
	void fn(const char *fmt, ...)                                          \
	{                                                                      \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		vlog(lvl, e, fmt, ap);                                         \
		va_end(ap);                                                    \
	}

LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_debug, LOG_LVL_DEBUG, 0)

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		fatal("out of memory (%zu bytes)", n);
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		fatal("out of memory");
	return p;
}
