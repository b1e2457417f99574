/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The macros that write a field table of report schema v1 (struct rf,
 * report_int.h): a member's key, kind and where its value lives.  For the
 * files that define tables (report.c, report_snmp.c); not for users of
 * report.h.
 */
#ifndef EGNET_COMMON_REPORT_TAB_H
#define EGNET_COMMON_REPORT_TAB_H

#include <stddef.h>

#include "common/report_int.h"

#define N(t)		((int)(sizeof(t) / sizeof((t)[0])))
#define SZ(type, field) sizeof(((type *)0)->field)
#define F(k, kind, type, field)                                                \
	{                                                                      \
		k, kind, offsetof(type, field), SZ(type, field), NULL, 0,      \
			NULL, 0, 0                                             \
	}
#define W(k, kind, type, field, words, n)                                      \
	{                                                                      \
		k, kind, offsetof(type, field), SZ(type, field), words, n,     \
			NULL, 0, 0                                             \
	}
#define OBJ(k, sub)                                                            \
	{                                                                      \
		k, RF_OBJ, 0, 0, NULL, 0, sub, N(sub), 0                       \
	}
#define OBJN(k, type, flag, sub)                                               \
	{                                                                      \
		k, RF_OBJN, offsetof(type, flag), 0, NULL, 0, sub, N(sub), 0   \
	}
#define CUSTOM(k)                                                              \
	{                                                                      \
		k, RF_CUSTOM, 0, 0, NULL, 0, NULL, 0, 0                        \
	}
/* A member that may be absent (reports of an earlier release of v1): the
 * decoders read it then as zero (false, 0, ""); the encoder writes it. */
#define OPT_F(k, kind, type, field)                                            \
	{                                                                      \
		k, kind, offsetof(type, field), SZ(type, field), NULL, 0,      \
			NULL, 0, 1                                             \
	}
#define OPT_CUSTOM(k)                                                          \
	{                                                                      \
		k, RF_CUSTOM, 0, 0, NULL, 0, NULL, 0, 1                        \
	}

#endif
