/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading the input files: every file egnet takes as input (node config,
 * profile, its @includes, inventory, the last good copy) is opened as a
 * regular file of at most CFGFILE_MAX bytes, without blocking, and read
 * into memory whole; directories, devices, FIFOs and sockets are refused
 * by name.  libconfig files are then checked as text and parsed from that
 * memory:
 *
 *  - no NUL byte and nothing that is not UTF-8 (a file that is not UTF-8
 *    would give names that are not, which JSON cannot carry);
 *  - no "\x00" escape in a string (libconfig drops it silently);
 *  - integers: libconfig 1.5 wraps a literal past 32 bits without an L
 *    suffix (2^32 + 100 reads as 100), so such literals are given the
 *    suffix before parsing and come out at their full value for the range
 *    checks of cfg.c; past 64 bits they are refused by cfg_int() (see
 *    struct cfgfile_wide);
 *  - @include "NAME": NAME as written when absolute, else taken from the
 *    main file's folder (also in an included file), as docs/profile.md
 *    says; each included file goes through the same checks, and a problem
 *    with it is reported at the line of its @include.  libconfig 1.5 opens
 *    included files itself, so it is handed an in-memory copy
 *    (/proc/self/fd of a memfd) and the settings are renamed back to the
 *    real file afterwards: it never opens the real file.
 *
 * Problems go to the diagnostics as FILE:LINE; nothing is logged.
 */
#ifndef EGNET_CFGFILE_H
#define EGNET_CFGFILE_H

#include <libconfig.h>
#include <stddef.h>

#include "common/diag.h"

#define CFGFILE_MAX	     (16 << 20) /* bytes of one input file: 16 MiB */
#define CFGFILE_DEPTH_MAX    10		/* @include nesting, as libconfig */
#define CFGFILE_INCLUDES_MAX 64		/* included files of one file */

/*
 * The whole of the regular file @path into *@text (NUL-terminated, *@len
 * bytes without the NUL; the caller frees it).  -errno with a reason that
 * does not repeat the path in @err: "is a directory, not a file", "is larger
 * than 16 MiB", "no file named (empty path)", strerror().
 */
int cfgfile_slurp(const char *path, char **text, size_t *len, char *err,
		  size_t errlen);

/*
 * An integer literal past 64 bits: libconfig is given INT64_MAX or
 * INT64_MIN in its place so parsing goes on (and other problems of the
 * file are named in the same run), and the setting's hook points here so
 * that cfg_int() refuses it with the setting's name and the text as
 * written.
 */
struct cfgfile_wide {
	char *file; /* as the settings name it */
	int line;
	char text[44];
};

/* What a loaded file keeps: the real names of the included files. */
struct cfgfile {
	char **names;	/* real names, as the settings now point to */
	char **fdnames; /* the names libconfig was given */
	int n;
	struct cfgfile_wide *wide;
	int n_wide;
};

/* The literal past 64 bits that @s was read from, or NULL. */
const struct cfgfile_wide *cfgfile_wide_of(const config_setting_t *s);

/*
 * Read @path (@what names it in messages: "profile", "node config") into
 * @c (config_init'ed by the caller) as described above.  @cf must be
 * zeroed; free it with cfgfile_free() after config_destroy(@c), since the
 * settings' file names point into it.  0, or -EINVAL with the problems in
 * @d (then @c holds nothing to read).
 */
int cfgfile_load(config_t *c, const char *path, const char *what,
		 struct cfgfile *cf, struct diag *d);
void cfgfile_free(struct cfgfile *cf);

/*
 * Check @len bytes of text: no NUL, UTF-8.  0, or -EILSEQ with *@line and
 * *@col (1-based, col in bytes) of the first bad byte and the reason in
 * @err.
 */
int cfgfile_check_text(const char *text, size_t len, int *line, int *col,
		       char *err, size_t errlen);

#endif
