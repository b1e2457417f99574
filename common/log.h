/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Logging, in the manner of OpenBSD daemons: log_warn appends strerror(errno),
 * log_warnx does not; fatal is for broken invariants only, never bad input.
 * Messages go to stderr (the journal picks them up under systemd) with a
 * syslog priority prefix when stderr is not a terminal.
 */
#ifndef EGNET_LOG_H
#define EGNET_LOG_H

#include <stddef.h>

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6,
		 LOG_LVL_DEBUG = 7 };

void log_init(const char *progname, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int log_level_parse(const char *s, enum log_level *out);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Allocation that cannot fail: out of memory is fatal. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
