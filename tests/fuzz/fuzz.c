// SPDX-License-Identifier: BSD-2-Clause
/*
 * The private folder of a harness and the files it writes there for the
 * loaders that read paths (node config, profile with its @includes,
 * inventory, state files).  Inputs that would lead a loader out of the
 * folder are refused here, before any loader sees them.
 */
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FUZZ_MAX_FILES 8
#define FUZZ_NAME_MAX  64

static char dir[256];
static char names[FUZZ_MAX_FILES][FUZZ_NAME_MAX];
static int n_names;

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

static void rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void remove_dir(void)
{
	if (dir[0])
		rm_tree(dir);
}

const char *fuzz_dir(void)
{
	const char *t = getenv("TMPDIR");

	if (dir[0])
		return dir;
	snprintf(dir, sizeof(dir), "%s/egnet-fuzz.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		abort();
	}
	atexit(remove_dir);
	return dir;
}

const char *fuzz_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", fuzz_dir(), name);
	return buf;
}

int fuzz_write(const char *name, const void *data, size_t size)
{
	char path[1024];
	const char *p = data;
	int fd, rc = 0;

	fd = open(fuzz_path(name, path, sizeof(path)),
		  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (size > 0) {
		ssize_t w = write(fd, p, size);

		if (w < 0) {
			rc = -errno;
			break;
		}
		p += w;
		size -= (size_t)w;
	}
	close(fd);
	return rc;
}

/* A relative name inside the folder: [A-Za-z0-9_.-/], no "..", no
 * leading '/', no empty component. */
static bool plain_name(const char *s, size_t n)
{
	if (n == 0 || n >= FUZZ_NAME_MAX || s[0] == '/' || s[n - 1] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.' || c == '/'))
			return false;
		if (c == '/' && s[i + 1] == '/')
			return false;
		if (c == '.' && (i == 0 || s[i - 1] == '/') &&
		    (i + 1 == n || s[i + 1] == '/' ||
		     (s[i + 1] == '.' && (i + 2 == n || s[i + 2] == '/'))))
			return false;
	}
	return true;
}

/*
 * Every "@include" (any case) must be followed by blanks and a quoted
 * plain name.  Stricter than libconfig's scanner, which is the point.
 */
static bool includes_plain(const uint8_t *b, size_t n, bool none)
{
	static const char kw[] = "@include";
	const size_t kl = sizeof(kw) - 1;

	for (size_t i = 0; i + kl <= n; i++) {
		size_t j, k;

		if (strncasecmp((const char *)b + i, kw, kl))
			continue;
		if (none)
			return false;
		for (j = i + kl; j < n && (b[j] == ' ' || b[j] == '\t'); j++)
			;
		if (j >= n || b[j] != '"')
			return false;
		for (k = j + 1; k < n && b[k] != '"'; k++)
			;
		if (k >= n || !plain_name((const char *)b + j + 1, k - j - 1))
			return false;
	}
	return true;
}

static int mkdirs_for(const char *name)
{
	char path[1024], *s;

	fuzz_path(name, path, sizeof(path));
	for (s = path + strlen(fuzz_dir()) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

int fuzz_has(const char *name)
{
	for (int i = 0; i < n_names; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

int fuzz_files(const uint8_t *data, size_t size, const char *main,
	       int flags)
{
	static const char mark[] = "#@@ ";
	const size_t ml = sizeof(mark) - 1;
	struct {
		char name[FUZZ_NAME_MAX];
		size_t off, len;
	} f[FUZZ_MAX_FILES];
	int n = 0;
	size_t start = 0;

	fuzz_files_clear();
	snprintf(f[0].name, sizeof(f[0].name), "%s", main);
	f[0].off = 0;
	n = 1;
	/* a marker is a whole line: at the start or after a '\n' */
	for (size_t i = 0; i + ml <= size; i++) {
		size_t e;

		if ((i && data[i - 1] != '\n') || memcmp(data + i, mark, ml))
			continue;
		for (e = i + ml; e < size && data[e] != '\n'; e++)
			;
		if (n == FUZZ_MAX_FILES ||
		    !plain_name((const char *)data + i + ml, e - i - ml))
			return -1;
		f[n - 1].len = i - start;
		memcpy(f[n].name, data + i + ml, e - i - ml);
		f[n].name[e - i - ml] = '\0';
		start = e < size ? e + 1 : e;
		f[n].off = start;
		n++;
		i = e;
	}
	f[n - 1].len = size - start;
	for (int i = 0; i < n; i++) {
		if (!includes_plain(data + f[i].off, f[i].len,
				    i == 0 && (flags & FUZZ_MAIN_NO_INCLUDE)))
			return -1;
		for (int j = 0; j < i; j++)
			if (!strcmp(f[i].name, f[j].name))
				return -1;
	}
	for (int i = 0; i < n; i++) {
		/* a name that is also a folder of another is refused by
		 * the file system: the input is then no input */
		if (mkdirs_for(f[i].name) ||
		    fuzz_write(f[i].name, data + f[i].off, f[i].len)) {
			n_names = i;
			for (int j = 0; j < i; j++)
				memcpy(names[j], f[j].name, FUZZ_NAME_MAX);
			fuzz_files_clear();
			return -1;
		}
		memcpy(names[i], f[i].name, FUZZ_NAME_MAX);
		n_names = i + 1;
	}
	return n;
}

void fuzz_files_clear(void)
{
	char path[1024];

	for (int i = 0; i < n_names; i++) {
		char *s;

		fuzz_path(names[i], path, sizeof(path));
		unlink(path);
		/* and the folders made for it, innermost first */
		while ((s = strrchr(path, '/')) &&
		       (size_t)(s - path) > strlen(fuzz_dir())) {
			*s = '\0';
			rmdir(path);
		}
	}
	n_names = 0;
}

void fuzz_debug(const char *fmt, ...)
{
	va_list ap;

	if (!getenv("FUZZ_DEBUG"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
