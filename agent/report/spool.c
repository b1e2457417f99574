// SPDX-License-Identifier: BSD-2-Clause
/*
 * The spool's segments: opening and recovering them, appending a record
 * (synced before it counts), rolling to a new segment, and the cap that
 * drops the oldest ones.  See spool.h for the layout and the policy;
 * acknowledgements and reading are in spool_ack.c.
 */
#include "agent/report/spool_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "agent/report/crc32c.h"
#include "common/now.h"

static const unsigned char spool_magic[4] = {'E', 'G', 'S', 'P'};

/* The segment's file name: 20 digits of its first seq and ".seg". */
static void spool_seg_name(uint64_t first, char name[32])
{
	snprintf(name, 32, "%020llu.seg", (unsigned long long)first);
}

/* A name of ours: exactly 20 digits, ".seg", a value from 1 that fits. */
static bool spool_seg_parse(const char *name, uint64_t *first)
{
	uint64_t v = 0;

	if (strlen(name) != 24 || strcmp(name + 20, ".seg"))
		return false;
	for (int i = 0; i < 20; i++) {
		unsigned d = (unsigned)(name[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*first = v;
	return v > 0;
}

/* fdatasync(2) of a segment, through the test's hook when there is one. */
static int spool_sync(const struct spool *s, int fd)
{
	return s->o.fdatasync ? s->o.fdatasync(fd) : fdatasync(fd);
}

/* The checksum of a record: header bytes 0..27, then the payload. */
static uint32_t spool_rec_crc(const unsigned char *hdr, const void *data,
			      size_t len)
{
	return crc32c(crc32c(0, hdr, 28), data, len);
}

/*
 * Is there a whole, valid record at p (avail bytes from there) with a seq
 * above prev?  Its payload length in *len when so.
 */
static bool spool_rec_valid(const unsigned char *p, uint64_t avail,
			    uint64_t prev, uint32_t *len)
{
	uint32_t l;

	if (avail < SPOOL_HDR || memcmp(p, spool_magic, 4))
		return false;
	l = spool_get32(p + 4);
	if (l == 0 || l > SPOOL_MAX_RECORD || l > avail - SPOOL_HDR ||
	    spool_get64(p + 8) <= prev)
		return false;
	/* the header's own checksum first: a stray magic in a payload costs
	 * 24 bytes of CRC, not a megabyte */
	if (crc32c(0, p, 24) != spool_get32(p + 24))
		return false;
	if (spool_rec_crc(p, p + SPOOL_HDR, l) != spool_get32(p + 28))
		return false;
	*len = l;
	return true;
}

static int spool_seg_add_rec(struct spool_seg *g, uint64_t seq, uint64_t off,
			     uint32_t len)
{
	if (g->n == g->room) {
		uint32_t room = g->room ? 2 * g->room : 64;
		struct spool_ix *r = realloc(g->recs, room * sizeof(*r));

		if (!r)
			return -ENOMEM;
		g->recs = r;
		g->room = room;
	}
	g->recs[g->n++] = (struct spool_ix){seq, (uint32_t)off, len};
	return 0;
}

/* Room for one more segment at the end of s->segs. */
static int spool_segs_grow(struct spool *s)
{
	if (s->n_segs == s->segs_room) {
		uint32_t room = s->segs_room ? 2 * s->segs_room : 16;
		struct spool_seg *g = realloc(s->segs, room * sizeof(*g));

		if (!g)
			return -ENOMEM;
		s->segs = g;
		s->segs_room = room;
	}
	return 0;
}

/*
 * Read the records of segment g (file fd, size bytes), after prev.  A
 * stretch that is not a valid record is skipped up to the next valid one
 * (counted as corrupt); with no valid record after it, it is a torn tail
 * when this is the last segment (truncated away, counted), else a corrupt
 * end left as it is.  *prev becomes the seq of its last record.
 */
static int spool_seg_scan(struct spool *s, struct spool_seg *g, int fd,
			  uint64_t size, bool last, uint64_t *prev, char *err,
			  size_t errlen)
{
	unsigned char *m = NULL;
	uint64_t off = 0, mapped = size;
	int rc = 0;

	if (size) {
		m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			rc = -errno;
			snprintf(err, errlen, "cannot read %s/%020llu.seg: %s",
				 s->dir, (unsigned long long)g->first,
				 strerror(errno));
			return rc;
		}
	}
	while (off < size) {
		uint32_t len;
		uint64_t nxt;

		if (spool_rec_valid(m + off, size - off, *prev, &len)) {
			rc = spool_seg_add_rec(g, spool_get64(m + off + 8), off,
					       len);
			if (rc) {
				snprintf(err, errlen, "out of memory");
				break;
			}
			*prev = spool_get64(m + off + 8);
			off += SPOOL_HDR + len;
			continue;
		}
		/* resynchronise: the next magic that starts a valid record */
		for (nxt = off + 1; nxt + SPOOL_HDR <= size; nxt++) {
			unsigned char *q =
				memmem(m + nxt, size - nxt, spool_magic, 4);

			if (!q)
				break;
			nxt = (uint64_t)(q - m);
			if (spool_rec_valid(q, size - nxt, *prev, &len))
				break;
		}
		if (nxt + SPOOL_HDR <= size &&
		    spool_rec_valid(m + nxt, size - nxt, *prev, &len)) {
			s->corrupt++;
			off = nxt;
			continue;
		}
		if (!last) {
			s->corrupt++;
			break;
		}
		if (ftruncate(fd, (off_t)off) < 0 || spool_sync(s, fd) < 0) {
			rc = -errno;
			snprintf(err, errlen,
				 "cannot truncate the torn tail of "
				 "%s/%020llu.seg: %s",
				 s->dir, (unsigned long long)g->first,
				 strerror(errno));
			break;
		}
		s->torn++;
		size = off;
		break;
	}
	if (m)
		munmap(m, mapped);
	g->size = size;
	return rc;
}

static int spool_first_cmp(const void *a, const void *b)
{
	const struct spool_seg *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* Our segments in the folder, sorted by name (their first seq). */
static int spool_list(struct spool *s, char *err, size_t errlen)
{
	int fd = dup(s->dirfd);
	struct dirent *de;
	DIR *d;

	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		int rc = -errno;

		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "cannot read %s: %s", s->dir,
			 strerror(-rc));
		return rc;
	}
	while ((de = readdir(d))) {
		uint64_t first;

		struct stat st;

		/* not ours, left alone: another name, not a plain file, or
		 * larger than any segment written (the largest segment size
		 * and one record) */
		if (!spool_seg_parse(de->d_name, &first) ||
		    fstatat(s->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) ||
		    (uint64_t)st.st_size >
			    SPOOL_SEG_MAX + SPOOL_HDR + SPOOL_MAX_RECORD)
			continue;
		if (spool_segs_grow(s)) {
			closedir(d);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		s->segs[s->n_segs++] = (struct spool_seg){.first = first};
	}
	closedir(d);
	if (s->n_segs)
		qsort(s->segs, s->n_segs, sizeof(*s->segs), spool_first_cmp);
	return 0;
}

/* Scan every segment; the last one stays open for appending. */
static int spool_recover(struct spool *s, char *err, size_t errlen)
{
	uint64_t prev = 0;
	int rc;

	rc = spool_list(s, err, errlen);
	for (uint32_t i = 0; !rc && i < s->n_segs; i++) {
		struct spool_seg *g = &s->segs[i];
		bool last = i + 1 == s->n_segs;
		char name[32];
		struct stat st;
		int fd;

		spool_seg_name(g->first, name);
		fd = openat(s->dirfd, name,
			    (last ? O_RDWR : O_RDONLY) | O_CLOEXEC |
				    O_NOFOLLOW);
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			rc = fd < 0 ? -errno : -EINVAL;
			snprintf(err, errlen, "cannot open %s/%s: %s", s->dir,
				 name,
				 fd < 0 ? strerror(errno)
					: "not a regular file");
			if (fd >= 0)
				close(fd);
			break;
		}
		g->size = (uint64_t)st.st_size;
		rc = spool_seg_scan(s, g, fd, g->size, last, &prev, err,
				    errlen);
		/* the segment a crash interrupted: a record written and not
		 * synced (its append never returned) may be whole in the
		 * page cache; it is queued from now on, so on disk first */
		if (last && !rc && g->size &&
		    (spool_sync(s, fd) < 0 || fsync(s->dirfd) < 0)) {
			rc = -errno;
			snprintf(err, errlen, "cannot sync %s/%s: %s", s->dir,
				 name, strerror(errno));
		}
		if (last && !rc)
			s->wfd = fd;
		else
			close(fd);
		s->bytes += g->size;
	}
	s->last_seq = prev;
	return rc;
}

int spool_open(struct spool **out, const char *dir, const struct spool_opts *o,
	       char *err, size_t errlen)
{
	struct spool *s;
	uint64_t torn0;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->dirfd = s->wfd = s->rfd = s->jfd = -1;
	if (o)
		s->o = *o;
	else
		spool_opts_default(&s->o);
	rc = spool_opts_check(&s->o, err, errlen);
	if (rc)
		goto fail;
	if (snprintf(s->dir, sizeof(s->dir), "%s", dir) >=
	    (int)sizeof(s->dir)) {
		snprintf(err, errlen, "spool folder name too long");
		rc = -ENAMETOOLONG;
		goto fail;
	}
	if (mkdir(dir, 0750) == 0) {
		/* the new folder's own entry, before segments go into it */
		char parent[4096];
		int pfd;

		snprintf(parent, sizeof(parent), "%s", dir);
		pfd = open(dirname(parent), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd >= 0) {
			fsync(pfd);
			close(pfd);
		}
	} else if (errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %s: %s", dir,
			 strerror(errno));
		goto fail;
	}
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s: %s", dir,
			 strerror(errno));
		goto fail;
	}
	rc = spool_meta_read(s, err, errlen);
	if (rc)
		goto fail;
	torn0 = s->torn;
	rc = spool_recover(s, err, errlen);
	if (rc)
		goto fail;
	rc = spool_acks_load(s, err, errlen);
	if (rc)
		goto fail;
	/* segments left empty (a crash right after creating one) or all
	 * acknowledged go */
	for (uint32_t i = 0; i < s->n_segs;) {
		if (s->segs[i].n_done == s->segs[i].n)
			spool_seg_delete(s, i);
		else
			i++;
	}
	spool_acks_prune(s);
	rc = spool_acks_rewrite(s, err, errlen);
	if (rc)
		goto fail;
	/* above every number used, and above every segment's name, so a
	 * new segment sorts after them all even if a name lies */
	s->next_seq =
		s->reserved_to > s->last_seq ? s->reserved_to : s->last_seq;
	if (s->n_segs && s->segs[s->n_segs - 1].first > s->next_seq)
		s->next_seq = s->segs[s->n_segs - 1].first;
	s->next_seq++;
	if (s->torn != torn0) {
		rc = spool_meta_write(s, err, errlen);
		if (rc)
			goto fail;
	}
	unlinkat(s->dirfd, "spool.meta.tmp", 0); /* a crash while writing */
	*out = s;
	return 0;
fail:
	spool_close(s);
	return rc;
}

void spool_close(struct spool *s)
{
	if (!s)
		return;
	if (s->jfd >= 0)
		fdatasync(s->jfd);
	if (s->wfd >= 0)
		close(s->wfd);
	if (s->rfd >= 0)
		close(s->rfd);
	if (s->jfd >= 0)
		close(s->jfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	for (uint32_t i = 0; i < s->n_segs; i++)
		free(s->segs[i].recs);
	free(s->segs);
	spool_acks_free(s);
	free(s);
}

void spool_seg_delete(struct spool *s, uint32_t i)
{
	struct spool_seg *g = &s->segs[i];
	char name[32];

	spool_seg_name(g->first, name);
	unlinkat(s->dirfd, name, 0);
	if (i + 1 == s->n_segs && s->wfd >= 0) {
		close(s->wfd);
		s->wfd = -1;
	}
	if (s->rfd >= 0 && s->rfd_first == g->first) {
		close(s->rfd);
		s->rfd = -1;
	}
	s->bytes -= g->size;
	free(g->recs);
	memmove(g, g + 1, (s->n_segs - i - 1) * sizeof(*g));
	s->n_segs--;
}

int spool_reserve(struct spool *s, uint64_t *seq, char *err, size_t errlen)
{
	if (s->next_seq > s->reserved_to) {
		uint64_t was = s->reserved_to;
		int rc;

		s->reserved_to = s->next_seq + SPOOL_SEQ_BLOCK - 1;
		rc = spool_meta_write(s, err, errlen);
		if (rc) {
			s->reserved_to = was;
			return rc;
		}
	}
	*seq = s->next_seq++;
	return 0;
}

/*
 * Make room for a record of rec bytes going to the last segment (roll
 * false) or to a new one: delete the oldest segments other than that one
 * while the cap would be passed, counting what was not acknowledged.
 */
static void spool_cap(struct spool *s, uint64_t rec, bool roll, char *err,
		      size_t errlen)
{
	bool dropped = false;

	while (s->bytes + rec > s->o.cap && s->n_segs > (roll ? 0u : 1u)) {
		s->dropped += s->segs[0].n - s->segs[0].n_done;
		spool_seg_delete(s, 0);
		dropped = true;
	}
	if (dropped) {
		spool_acks_prune(s);
		/* the count is lost with a failed write, nothing else */
		spool_meta_write(s, err, errlen);
	}
}

/* Write all of buf at off, through the test's hook when there is one. */
static int spool_write_all(struct spool *s, int fd, const unsigned char *buf,
			   size_t len, uint64_t off)
{
	while (len) {
		ssize_t w = s->o.pwrite ? s->o.pwrite(fd, buf, len, (off_t)off)
					: pwrite(fd, buf, len, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -ENOSPC;
		buf += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

int spool_append(struct spool *s, uint64_t seq, const void *data, size_t len,
		 char *err, size_t errlen)
{
	uint64_t rec = SPOOL_HDR + len, at;
	struct spool_seg *g = s->n_segs ? &s->segs[s->n_segs - 1] : NULL;
	unsigned char *buf;
	bool roll;
	char name[32];
	int fd, rc;

	if (len == 0 || len > SPOOL_MAX_RECORD) {
		snprintf(err, errlen, "a record of %zu bytes (1..%u)", len,
			 SPOOL_MAX_RECORD);
		return -EINVAL;
	}
	if (seq <= s->last_seq || seq >= s->next_seq) {
		snprintf(err, errlen,
			 "seq %llu was not reserved or is not above the last "
			 "appended (%llu)",
			 (unsigned long long)seq,
			 (unsigned long long)s->last_seq);
		return -EINVAL;
	}
	if (rec > s->o.cap) {
		snprintf(err, errlen, "a record of %zu bytes is above the cap",
			 len);
		return -E2BIG;
	}
	roll = !g || s->wfd < 0 ||
	       (g->size && g->size + rec > s->o.segment_size);
	spool_cap(s, rec, roll, err, errlen);
	if (!s->n_segs)
		roll = true;
	buf = malloc(rec);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(buf, spool_magic, 4);
	spool_put32(buf + 4, (uint32_t)len);
	spool_put64(buf + 8, seq);
	spool_put64(buf + 16, (uint64_t)now_wall_ms());
	spool_put32(buf + 24, crc32c(0, buf, 24));
	spool_put32(buf + 28, spool_rec_crc(buf, data, len));
	memcpy(buf + SPOOL_HDR, data, len);

	if ((rc = spool_segs_grow(s))) {
		free(buf);
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	if (roll) {
		if (s->wfd >= 0)
			close(s->wfd);
		spool_seg_name(seq, name);
		s->wfd = openat(s->dirfd, name,
				O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (s->wfd < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot create %s/%s: %s", s->dir,
				 name, strerror(errno));
			free(buf);
			return rc;
		}
		s->segs[s->n_segs] = (struct spool_seg){.first = seq};
		g = &s->segs[s->n_segs];
	} else {
		g = &s->segs[s->n_segs - 1];
	}
	fd = s->wfd;
	at = g->size;
	rc = spool_write_all(s, fd, buf, rec, at);
	free(buf);
	if (!rc && spool_sync(s, fd) < 0)
		rc = -errno;
	if (!rc && roll && fsync(s->dirfd) < 0)
		rc = -errno;
	if (!rc)
		rc = spool_seg_add_rec(g, seq, at, (uint32_t)len);
	if (rc) {
		snprintf(err, errlen, "cannot write to %s/%020llu.seg: %s",
			 s->dir, (unsigned long long)g->first, strerror(-rc));
		if (roll) {
			free(g->recs);
			close(s->wfd);
			s->wfd = -1;
			spool_seg_name(seq, name);
			unlinkat(s->dirfd, name, 0);
		} else if (ftruncate(fd, (off_t)at) == 0) {
			spool_sync(s, fd);
		} /* else: the next append writes over it, and a reopen
		     truncates it as a torn tail */
		return rc;
	}
	if (roll)
		s->n_segs++;
	g->size += rec;
	s->bytes += rec;
	s->last_seq = seq;
	return 0;
}

/* A descriptor to read segment g from: the writer's, or one kept open. */
static int spool_fd_of(struct spool *s, const struct spool_seg *g, char *err,
		       size_t errlen)
{
	char name[32];

	if (g == &s->segs[s->n_segs - 1] && s->wfd >= 0)
		return s->wfd;
	if (s->rfd >= 0 && s->rfd_first == g->first)
		return s->rfd;
	if (s->rfd >= 0)
		close(s->rfd);
	spool_seg_name(g->first, name);
	s->rfd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC);
	if (s->rfd < 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot open %s/%s: %s", s->dir, name,
			 strerror(errno));
		return rc;
	}
	s->rfd_first = g->first;
	return s->rfd;
}

int spool_time_at(struct spool *s, const struct spool_seg *g,
		  const struct spool_ix *x, uint64_t *ms)
{
	unsigned char hdr[SPOOL_HDR];
	char e[8];
	int fd = spool_fd_of(s, g, e, sizeof(e));

	if (fd < 0)
		return fd;
	if (pread(fd, hdr, SPOOL_HDR, (off_t)x->off) != SPOOL_HDR ||
	    spool_get64(hdr + 8) != x->seq ||
	    crc32c(0, hdr, 24) != spool_get32(hdr + 24))
		return -EBADMSG;
	*ms = spool_get64(hdr + 16);
	return 0;
}

int spool_read_at(struct spool *s, const struct spool_seg *g,
		  const struct spool_ix *x, struct spool_rec *r, char *err,
		  size_t errlen)
{
	unsigned char hdr[SPOOL_HDR];
	uint32_t len = SPOOL_LEN(x);
	struct iovec iov[2];
	ssize_t got;
	int fd = spool_fd_of(s, g, err, errlen);

	if (fd < 0)
		return fd;
	r->data = malloc(len);
	if (!r->data) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	iov[0] = (struct iovec){hdr, SPOOL_HDR};
	iov[1] = (struct iovec){r->data, len};
	got = preadv(fd, iov, 2, (off_t)x->off);
	if (got < 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot read %s/%020llu.seg: %s", s->dir,
			 (unsigned long long)g->first, strerror(errno));
		free(r->data);
		r->data = NULL;
		return rc;
	}
	if ((size_t)got != SPOOL_HDR + len || memcmp(hdr, spool_magic, 4) ||
	    spool_get32(hdr + 4) != len || spool_get64(hdr + 8) != x->seq ||
	    spool_rec_crc(hdr, r->data, len) != spool_get32(hdr + 28)) {
		snprintf(err, errlen,
			 "%s/%020llu.seg: record %llu changed on disk", s->dir,
			 (unsigned long long)g->first,
			 (unsigned long long)x->seq);
		free(r->data);
		r->data = NULL;
		return -EBADMSG;
	}
	r->seq = x->seq;
	r->time_ms = spool_get64(hdr + 16);
	r->len = len;
	return 0;
}
