// SPDX-License-Identifier: BSD-2-Clause
/*
 * Input files read as regular files into memory and libconfig parsed from
 * there; see cfgfile.h.  Helpers add problems to the diagnostics or write
 * a reason into the caller's buffer; they never log.
 */
#include "common/cfgfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cfg.h"
#include "common/log.h"
#include "common/utf8.h"

int cfgfile_slurp(const char *path, char **text, size_t *len, char *err,
		  size_t errlen)
{
	struct stat st;
	size_t used = 0, cap;
	char *buf;
	int fd, e;

	*text = NULL;
	*len = 0;
	if (!path || !path[0]) {
		snprintf(err, errlen, "no file named (empty path)");
		return -ENOENT;
	}
	/* O_NONBLOCK: a FIFO is refused below instead of waiting for a
	 * writer; O_NOCTTY: a terminal does not become ours. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "is %s, not a file",
			 S_ISDIR(st.st_mode) ? "a directory"
			 : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)
				 ? "a device"
			 : S_ISFIFO(st.st_mode) ? "a FIFO"
			 : S_ISSOCK(st.st_mode) ? "a socket"
						: "not regular");
		close(fd);
		return -EINVAL;
	}
	if (st.st_size > CFGFILE_MAX)
		goto too_big;
	/* The size can change while we read: never more than the cap. */
	cap = (size_t)st.st_size + 1;
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t n;

		if (used == cap) {
			if (cap > CFGFILE_MAX) {
				free(buf);
				goto too_big;
			}
			cap = cap * 2 > (size_t)CFGFILE_MAX + 1
				      ? (size_t)CFGFILE_MAX + 1
				      : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			free(buf);
			close(fd);
			snprintf(err, errlen, "%s", strerror(e));
			return -e;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	if (used > CFGFILE_MAX) {
		free(buf);
		fd = -1;
		goto too_big;
	}
	buf[used] = '\0';
	*text = buf;
	*len = used;
	return 0;
too_big:
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "is larger than %d MiB", CFGFILE_MAX >> 20);
	return -EFBIG;
}

int cfgfile_check_text(const char *text, size_t len, int *line, int *col,
		       char *err, size_t errlen)
{
	size_t bad, start = 0;

	if (utf8_check(text, len, &bad) == 0)
		return 0;
	*line = 1;
	for (size_t i = 0; i < bad; i++)
		if (text[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	*col = (int)(bad - start) + 1;
	if (text[bad] == '\0')
		snprintf(err, errlen, "a NUL byte in column %d", *col);
	else
		snprintf(err, errlen, "not UTF-8 (byte 0x%02x in column %d)",
			 (unsigned char)text[bad], *col);
	return -EILSEQ;
}

/* ---- preparing a file for libconfig ------------------------------------ */

struct prep {
	struct cfgfile *cf;
	struct diag *d;
	const char *dir; /* the main file's folder, "" for the current one */
	char *out;	 /* the text for libconfig */
	size_t len, cap;
};

static void out_add(struct prep *p, const char *s, size_t n)
{
	if (p->len + n + 1 > p->cap) {
		p->cap = (p->len + n + 1) * 2;
		p->out = xrealloc(p->out, p->cap);
	}
	memcpy(p->out + p->len, s, n);
	p->len += n;
	p->out[p->len] = '\0';
}

static char *prep_text(struct cfgfile *cf, struct diag *d, const char *dir,
		       const char *name, const char *text, size_t len,
		       int depth);

/* An in-memory file holding @text; its /proc name into @name. */
static int memfile(const char *text, size_t len, char *name, size_t namelen)
{
	int fd = memfd_create("egnet-include", MFD_CLOEXEC);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			close(fd);
			return -e;
		}
		off += (size_t)n;
	}
	snprintf(name, namelen, "/proc/self/fd/%d", fd);
	return fd;
}

/*
 * The @include of @rel at @name:@line: check and prepare the file, and
 * write the directive libconfig is to see into @p.  false when refused.
 */
static bool prep_include(struct prep *p, const char *name, int line,
			 const char *rel, int depth)
{
	char path[4096], fdname[64], err[160], *text, *sub;
	size_t len;
	int fd, rc;

	int w;

	if (rel[0] == '/' || !p->dir[0])
		w = snprintf(path, sizeof(path), "%s", rel);
	else
		w = snprintf(path, sizeof(path), "%s%s%s", p->dir,
			     strcmp(p->dir, "/") ? "/" : "", rel);
	if (w < 0 || (size_t)w >= sizeof(path)) {
		diag_add(p->d, name, line, NULL, "@include: path too long");
		return false;
	}
	if (p->cf->n >= CFGFILE_INCLUDES_MAX) {
		diag_add(p->d, name, line, NULL,
			 "@include \"%s\": more than %d included files", rel,
			 CFGFILE_INCLUDES_MAX);
		return false;
	}
	if (depth + 1 > CFGFILE_DEPTH_MAX) {
		diag_add(p->d, name, line, NULL,
			 "@include \"%s\": includes nested more than %d deep",
			 rel, CFGFILE_DEPTH_MAX);
		return false;
	}
	rc = cfgfile_slurp(path, &text, &len, err, sizeof(err));
	if (rc) {
		/* "PATH is a directory, not a file", "PATH: strerror" */
		diag_add(p->d, name, line, NULL, "@include \"%s\": %s%s %s",
			 rel, path, rc == -EINVAL || rc == -EFBIG ? "" : ":",
			 err);
		return false;
	}
	sub = prep_text(p->cf, p->d, p->dir, path, text, len, depth + 1);
	free(text);
	if (!sub)
		return false;
	fd = memfile(sub, strlen(sub), fdname, sizeof(fdname));
	free(sub);
	if (fd < 0) {
		diag_add(p->d, name, line, NULL, "@include \"%s\": %s", rel,
			 strerror(-fd));
		return false;
	}
	p->cf->names =
		xrealloc(p->cf->names, (size_t)(p->cf->n + 1) * sizeof(char *));
	p->cf->fdnames = xrealloc(p->cf->fdnames,
				  (size_t)(p->cf->n + 1) * sizeof(char *));
	p->cf->names[p->cf->n] = xstrdup(path);
	p->cf->fdnames[p->cf->n] = xstrdup(fdname);
	p->cf->n++;
	/* libconfig keeps the fd's name; the fd stays open until then */
	out_add(p, "@include \"", 10);
	out_add(p, fdname, strlen(fdname));
	out_add(p, "\"", 1);
	return true;
}

/*
 * An integer literal @s (@n bytes, sign and L suffix included) at
 * @name:@line: copied to @p, with an L added when libconfig would wrap it.
 * false when it does not fit in 64 bits.
 */
static bool prep_int(struct prep *p, const char *name, int line, const char *s,
		     size_t n)
{
	const char *q = s, *end = s + n;
	bool neg = false, hex, has_l;
	unsigned long long v = 0;

	has_l = n > 1 && (end[-1] == 'L' || end[-1] == 'l');
	while (has_l && end > s && (end[-1] == 'L' || end[-1] == 'l'))
		end--;
	if (*q == '+' || *q == '-')
		neg = *q++ == '-';
	hex = end - q > 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X');
	if (hex)
		q += 2;
	for (; q < end; q++) {
		unsigned dgt;

		if (*q >= '0' && *q <= '9')
			dgt = (unsigned)(*q - '0');
		else if (hex && *q >= 'a' && *q <= 'f')
			dgt = (unsigned)(*q - 'a' + 10);
		else if (hex && *q >= 'A' && *q <= 'F')
			dgt = (unsigned)(*q - 'A' + 10);
		else
			goto copy; /* not a number libconfig takes: its error */
		if (v > (UINT64_MAX - dgt) / (hex ? 16 : 10))
			goto too_big;
		v = v * (hex ? 16 : 10) + dgt;
	}
	if (neg ? v > (unsigned long long)INT64_MAX + 1
		: v > (unsigned long long)INT64_MAX)
		goto too_big;
	out_add(p, s, n);
	if (!has_l && (neg ? v > (unsigned long long)INT32_MAX + 1
			   : v > (unsigned long long)INT32_MAX))
		out_add(p, "L", 1);
	return true;
copy:
	out_add(p, s, n);
	return true;
too_big:
	/* Parsing goes on with the type's end in its place; the setting is
	 * refused by cfg_int() through the record made here. */
	out_add(p, neg ? "-9223372036854775808L" : "9223372036854775807L",
		neg ? 21 : 20);
	p->cf->wide = xrealloc(p->cf->wide, (size_t)(p->cf->n_wide + 1) *
						    sizeof(*p->cf->wide));
	p->cf->wide[p->cf->n_wide].file = xstrdup(name);
	p->cf->wide[p->cf->n_wide].line = line;
	snprintf(p->cf->wide[p->cf->n_wide].text, sizeof(p->cf->wide[0].text),
		 "%.*s%s", (int)(n > 40 ? 40 : n), s, n > 40 ? "..." : "");
	p->cf->n_wide++;
	return true;
}

static bool is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/*
 * @text of the file @name, checked, with its includes prepared and its
 * wide integers suffixed: a new string, or NULL when it has problems (in
 * @d).
 */
static char *prep_text(struct cfgfile *cf, struct diag *d, const char *dir,
		       const char *name, const char *text, size_t len,
		       int depth)
{
	struct prep p = {.cf = cf, .d = d, .dir = dir};
	int before = diag_count(d), line = 0, col;
	const char *s = text, *end = text + len;
	bool bol = true; /* only blanks since the start of the line */
	char err[160];

	/* every bad line named, then the rest of the checks still run */
	for (const char *l = text; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t n = nl ? (size_t)(nl - l) : (size_t)(end - l);

		line++;
		if (cfgfile_check_text(l, n, &(int){0}, &col, err, sizeof(err)))
			diag_add(d, name, line, NULL, "%s", err);
		l += n + 1;
	}
	line = 1;
	out_add(&p, "", 0);
	while (s < end) {
		const char *t = s;

		if (*s == '\n') {
			line++;
			bol = true;
			out_add(&p, s++, 1);
			continue;
		}
		if (*s == ' ' || *s == '\t' || *s == '\r') {
			out_add(&p, s++, 1);
			continue;
		}
		if (bol && !strncmp(s, "@include", 8)) {
			char rel[4096];
			size_t n;

			t = s + 8;
			t += strspn(t, " \t");
			if (*t != '"')
				goto plain;
			t++;
			n = strcspn(t, "\"\\\n");
			if (t[n] != '"') {
				diag_add(d, name, line, NULL,
					 "@include: the file name must be "
					 "a plain string on one line");
				s = t + n;
				continue;
			}
			if (n >= sizeof(rel) || n == 0) {
				diag_add(d, name, line, NULL,
					 n ? "@include: file name too long"
					   : "@include: empty file name");
				s = t + n + 1;
				continue;
			}
			memcpy(rel, t, n);
			rel[n] = '\0';
			prep_include(&p, name, line, rel, depth);
			s = t + n + 1;
			bol = false;
			continue;
		}
	plain:
		bol = false;
		if (*s == '#' || (*s == '/' && s + 1 < end && s[1] == '/')) {
			t = memchr(s, '\n', (size_t)(end - s));
			t = t ? t : end;
			out_add(&p, s, (size_t)(t - s));
			s = t;
			continue;
		}
		if (*s == '/' && s + 1 < end && s[1] == '*') {
			for (t = s + 2;
			     t < end &&
			     !(t[0] == '*' && t + 1 < end && t[1] == '/');
			     t++)
				line += *t == '\n';
			t = t < end ? t + 2 : end;
			out_add(&p, s, (size_t)(t - s));
			s = t;
			continue;
		}
		if (*s == '"') {
			for (t = s + 1; t < end && *t != '"'; t++) {
				line += *t == '\n';
				if (*t != '\\' || t + 1 >= end)
					continue;
				if ((t[1] == 'x' || t[1] == 'X') &&
				    t + 3 < end && t[2] == '0' && t[3] == '0')
					diag_add(d, name, line, NULL,
						 "a \\x00 escape (NUL) in a "
						 "string");
				t++;
			}
			t = t < end ? t + 1 : end;
			out_add(&p, s, (size_t)(t - s));
			s = t;
			continue;
		}
		if (is_name_start(*s)) {
			for (t = s; t < end && is_name_char(*t); t++)
				;
			out_add(&p, s, (size_t)(t - s));
			s = t;
			continue;
		}
		if ((*s >= '0' && *s <= '9') ||
		    ((*s == '-' || *s == '+' || *s == '.') && s + 1 < end &&
		     ((s[1] >= '0' && s[1] <= '9') || s[1] == '.'))) {
			bool flt = false, hex;

			t = s + (*s == '-' || *s == '+');
			hex = end - t > 1 && t[0] == '0' &&
			      (t[1] == 'x' || t[1] == 'X');
			for (; t < end; t++) {
				if ((*t >= '0' && *t <= '9') ||
				    (*t >= 'a' && *t <= 'z') ||
				    (*t >= 'A' && *t <= 'Z') || *t == '_') {
					flt |= !hex && (*t == 'e' || *t == 'E');
					if (!hex && (*t == 'e' || *t == 'E') &&
					    t + 1 < end &&
					    (t[1] == '+' || t[1] == '-'))
						t++;
					continue;
				}
				if (*t == '.') {
					flt = true;
					continue;
				}
				break;
			}
			if (flt)
				out_add(&p, s, (size_t)(t - s));
			else
				prep_int(&p, name, line, s, (size_t)(t - s));
			s = t;
			continue;
		}
		out_add(&p, s++, 1);
	}
	if (diag_count(d) > before) {
		free(p.out);
		return NULL;
	}
	return p.out;
}

/* ---- after parsing ----------------------------------------------------- */

static const char *real_name(const struct cfgfile *cf, const char *f)
{
	for (int i = 0; f && i < cf->n; i++)
		if (!strcmp(cf->fdnames[i], f))
			return cf->names[i];
	return f;
}

/* Point the settings at the real file names and check every string. */
static void walk(const struct cfgfile *cf, config_setting_t *s,
		 const char *main_file, struct diag *d)
{
	if (s->file)
		s->file = real_name(cf, s->file);
	if (config_setting_type(s) == CONFIG_TYPE_INT64) {
		long long v = config_setting_get_int64(s);
		const char *f = s->file ? s->file : main_file;

		for (int i = 0;
		     (v == INT64_MAX || v == INT64_MIN) && i < cf->n_wide; i++)
			if (cf->wide[i].line == (int)s->line &&
			    !strcmp(cf->wide[i].file, f)) {
				config_setting_set_hook(s, &cf->wide[i]);
				break;
			}
	}
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);
		size_t bad;
		char path[256];

		/* The text is UTF-8; an escape ("\xff") can still make a
		 * string that is not. */
		if (v && utf8_check_str(v, &bad)) {
			cfg_path(s, path, sizeof(path));
			diag_add(d, s->file ? s->file : main_file,
				 (int)config_setting_source_line(s),
				 path[0] ? path : NULL,
				 "not UTF-8 (byte 0x%02x at %zu)",
				 (unsigned char)v[bad], bad + 1);
		}
	}
	for (int i = 0;
	     config_setting_is_aggregate(s) && i < config_setting_length(s);
	     i++)
		walk(cf, config_setting_get_elem(s, (unsigned)i), main_file, d);
}

int cfgfile_load(config_t *c, const char *path, const char *what,
		 struct cfgfile *cf, struct diag *d)
{
	char dir[4096], err[160], *text, *prepared;
	const char *slash;
	int before = diag_count(d), rc;
	size_t len;

	if (cfgfile_slurp(path, &text, &len, err, sizeof(err))) {
		diag_add(d, path, 0, NULL, "cannot read the %s: %s", what, err);
		return -EINVAL;
	}
	/* the folder includes are taken from: "" for the current one */
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s",
		 slash ? (int)(slash == path ? 1 : slash - path) : 0, path);
	prepared = prep_text(cf, d, dir, path, text, len, 0);
	free(text);
	if (!prepared) {
		rc = -EINVAL;
	} else {
		/* no include folder: the names given are the memfds' */
		rc = config_read_string(c, prepared) ? 0 : -EINVAL;
		if (rc)
			diag_add(d,
				 config_error_file(c)
					 ? real_name(cf, config_error_file(c))
					 : path,
				 config_error_line(c), NULL, "%s",
				 config_error_text(c));
	}
	free(prepared);
	/* libconfig has read them all */
	for (int i = 0; i < cf->n; i++) {
		int fd = atoi(cf->fdnames[i] + strlen("/proc/self/fd/"));

		if (fd > 2)
			close(fd);
	}
	if (!rc)
		walk(cf, config_root_setting(c), path, d);
	return diag_count(d) > before ? -EINVAL : 0;
}

const struct cfgfile_wide *cfgfile_wide_of(const config_setting_t *s)
{
	/* only cfgfile_load() sets hooks on settings */
	return config_setting_get_hook(s);
}

void cfgfile_free(struct cfgfile *cf)
{
	for (int i = 0; i < cf->n_wide; i++)
		free(cf->wide[i].file);
	free(cf->wide);
	for (int i = 0; i < cf->n; i++) {
		free(cf->names[i]);
		free(cf->fdnames[i]);
	}
	free(cf->names);
	free(cf->fdnames);
	memset(cf, 0, sizeof(*cf));
}
