// SPDX-License-Identifier: BSD-2-Clause
/*
 * libconfig option tables; see cfg.h.  Helpers here add problems to the
 * diagnostics list and never log.
 */
#include "common/cfg.h"
#include "common/cfgfile.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

const char *cfg_file(const config_setting_t *s, const char *main_file,
		     char *buf, size_t len)
{
	const char *f = s ? config_setting_source_file(s) : NULL;

	/* cfgfile_load() names included files by their real path already */
	(void)buf;
	(void)len;
	return f ? f : main_file;
}

int cfg_line(const config_setting_t *s)
{
	return s ? (int)config_setting_source_line(s) : 0;
}

char *cfg_path(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *chain[32];
	size_t n = 0, used = 0;

	buf[0] = '\0';
	for (; s && n < 32; s = config_setting_parent(s))
		if (!config_setting_is_root(s))
			chain[n++] = s;
	while (n-- > 0 && used < len) {
		const config_setting_t *c = chain[n];
		const char *name = config_setting_name(c);
		int w;

		if (name)
			w = snprintf(buf + used, len - used, "%s%s",
				     used ? "." : "", name);
		else
			w = snprintf(buf + used, len - used, "[%u]",
				     config_setting_index(c));
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

void cfg_problem(struct diag *d, const config_setting_t *s,
		 const char *fallback_file, const char *fmt, ...)
{
	char path[256], *msg;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return;
	char fb[4096];

	diag_add(d, cfg_file(s, fallback_file, fb, sizeof(fb)), cfg_line(s),
		 s ? cfg_path(s, path, sizeof(path)) : NULL, "%s", msg);
	free(msg);
}

const char *cfg_type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	case CONFIG_TYPE_GROUP:
		return "a group";
	default:
		return "a value";
	}
}

const char *cfg_words(const char *const *words, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; words[i] && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s",
				 i ? ", " : "", words[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

int cfg_word_index(const char *const *words, const char *s)
{
	for (int i = 0; s && words[i]; i++)
		if (strcmp(words[i], s) == 0)
			return i;
	return -1;
}

int cfg_int(struct diag *d, const config_setting_t *s, const char *file,
	    long long min, long long max, long long *out)
{
	int t = config_setting_type(s);
	long long v;

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
		cfg_problem(d, s, file, "must be an integer, not %s",
			    cfg_type_name(t));
		return 1;
	}
	/* Full width: cfgfile_load() keeps libconfig from wrapping a
	 * literal past 32 bits, so v is what the file says. */
	v = config_setting_get_int64(s);
	if (cfgfile_wide_of(s)) {
		cfg_problem(d, s, file, "%s does not fit in 64 bits",
			    cfgfile_wide_of(s)->text);
		return 1;
	}
	if (v < min || v > max) {
		cfg_problem(d, s, file, "%lld is out of range %lld..%lld", v,
			    min, max);
		return 1;
	}
	*out = v;
	return 0;
}

static void set_default(const struct cfg_opt *o, void *obj)
{
	char *field = (char *)obj + o->off;

	switch (o->type) {
	case CFG_INT:
	case CFG_ENUM:
		*(int *)field = (int)o->def;
		break;
	case CFG_BOOL:
		*(bool *)field = o->def != 0;
		break;
	case CFG_STR:
		snprintf(field, o->size, "%s", o->def_str ? o->def_str : "");
		break;
	case CFG_SKIP:
		break;
	}
}

static int read_one(struct diag *d, const config_setting_t *s,
		    const char *file, const struct cfg_opt *o, void *obj)
{
	char *field = (char *)obj + o->off;
	int t = config_setting_type(s);
	char wb[256];

	switch (o->type) {
	case CFG_INT: {
		long long v;

		if (cfg_int(d, s, file, o->min, o->max, &v))
			return 1;
		*(int *)field = (int)v;
		return 0;
	}
	case CFG_BOOL:
		if (t != CONFIG_TYPE_BOOL) {
			cfg_problem(d, s, file,
				    "must be a boolean (true or false), not %s",
				    cfg_type_name(t));
			return 1;
		}
		*(bool *)field = config_setting_get_bool(s);
		return 0;
	case CFG_STR:
	case CFG_ENUM: {
		const char *v;

		if (t != CONFIG_TYPE_STRING) {
			cfg_problem(d, s, file, "must be a string, not %s",
				    cfg_type_name(t));
			return 1;
		}
		v = config_setting_get_string(s);
		if (o->type == CFG_ENUM) {
			int i = cfg_word_index(o->words, v);

			if (i < 0) {
				cfg_problem(d, s, file,
					    "unknown value '%s' (one of: %s)",
					    v, cfg_words(o->words, wb,
							 sizeof(wb)));
				return 1;
			}
			*(int *)field = i;
			return 0;
		}
		if (strlen(v) >= o->size || (o->max && (long)strlen(v) > o->max)) {
			cfg_problem(d, s, file, "'%.40s' is too long (at most %zu characters)",
				    v, o->max ? (size_t)o->max : o->size - 1);
			return 1;
		}
		if (!utf8_valid(v)) {
			cfg_problem(d, s, file, "not UTF-8 text");
			return 1;
		}
		if (o->min && (long)strlen(v) < o->min) {
			cfg_problem(d, s, file, "must not be empty");
			return 1;
		}
		snprintf(field, o->size, "%s", v);
		return 0;
	}
	case CFG_SKIP:
		return 0;
	}
	return 0;
}

int cfg_read(struct diag *d, const config_setting_t *group, const char *file,
	     const struct cfg_opt *opts, void *obj)
{
	int problems = 0;

	for (const struct cfg_opt *o = opts; o->name; o++) {
		config_setting_t *s =
			group ? config_setting_get_member(group, o->name)
			      : NULL;

		set_default(o, obj);
		if (!s) {
			if (o->required) {
				char path[256], fb[4096];

				if (group)
					cfg_path(group, path, sizeof(path));
				diag_add(d, cfg_file(group, file, fb, sizeof(fb)),
					 cfg_line(group),
					 group && path[0] ? path : NULL,
					 "missing required setting '%s'",
					 o->name);
				problems++;
			}
			continue;
		}
		problems += read_one(d, s, file, o, obj);
	}
	if (!group)
		return problems;
	for (int i = 0; i < config_setting_length(group); i++) {
		config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		const struct cfg_opt *o;

		for (o = opts; o->name; o++)
			if (name && strcmp(o->name, name) == 0)
				break;
		if (!o->name) {
			cfg_problem(d, s, file, "unknown setting");
			problems++;
		}
	}
	return problems;
}
