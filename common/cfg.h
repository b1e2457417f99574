/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Table-driven reading of libconfig groups.  Each option is described once
 * (name, type, bounds, default, where it goes) and every problem — wrong
 * type, out of range, not one of the allowed words, unknown setting, missing
 * required setting — is added to the diagnostics with the file and line of
 * the setting, so one run names all of them.
 */
#ifndef EGNET_CFG_H
#define EGNET_CFG_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/diag.h"

enum cfg_type {
	CFG_INT,    /* int field */
	CFG_BOOL,   /* bool field */
	CFG_STR,    /* char[size] field */
	CFG_ENUM,   /* int field: index into words[] */
	CFG_SKIP,   /* known setting read by the caller */
};

struct cfg_opt {
	const char *name;
	enum cfg_type type;
	bool required;
	long min, max;		  /* CFG_INT bounds; CFG_STR max length */
	long def;		  /* CFG_INT/BOOL/ENUM default */
	const char *def_str;	  /* CFG_STR default */
	const char *const *words; /* CFG_ENUM, NULL-terminated */
	size_t off;		  /* offset of the field */
	size_t size;		  /* CFG_STR: size of the buffer */
};

#define CFG_END {NULL, CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0}

/*
 * The file a setting comes from: main_file, or an @include'd file by the
 * name cfgfile_load() gave it (the path it was read from).  NULL s gives
 * main_file; buf is no longer used.
 */
const char *cfg_file(const config_setting_t *s, const char *main_file,
		     char *buf, size_t len);
int cfg_line(const config_setting_t *s);

/*
 * Full dotted path of a setting for messages ("links.[2].mtu").  Writes into
 * buf and returns it.
 */
char *cfg_path(const config_setting_t *s, char *buf, size_t len);

/* Add a problem located at setting s. */
void cfg_problem(struct diag *d, const config_setting_t *s,
		 const char *fallback_file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Read the options of `group` into `obj` as described by opts (ended by
 * CFG_END).  Defaults fill what is absent.  Settings of the group not named
 * in opts are reported as unknown.  A NULL group only fills defaults and
 * reports missing required options at (fallback_file, line 0).  Returns the
 * number of problems added.
 */
int cfg_read(struct diag *d, const config_setting_t *group, const char *file,
	     const struct cfg_opt *opts, void *obj);

/*
 * The one way an integer setting is read: at full width (64 bits), then
 * range-checked against min..max before the caller narrows it to its
 * field.  0 with *out set, or 1 with the problem added at s ("must be an
 * integer, not a string", "4294967396 is out of range 0..4294967295").
 */
int cfg_int(struct diag *d, const config_setting_t *s, const char *file,
	    long long min, long long max, long long *out);

/* The words of an enum joined by ", " for messages. */
const char *cfg_words(const char *const *words, char *buf, size_t len);

/* Index of s in words, or -1. */
int cfg_word_index(const char *const *words, const char *s);

/* Name of a libconfig type for messages ("an integer", "a string", ...). */
const char *cfg_type_name(int config_type);

#endif
