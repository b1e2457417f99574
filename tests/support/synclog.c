// SPDX-License-Identifier: BSD-2-Clause
/*
 * A preload for integration tests (LD_PRELOAD=synclog.so): every
 * successful fdatasync(2) or fsync(2) of a regular file appends one line
 * "SIZE PATH" to the file named by $EGNET_SYNCLOG, before the call
 * returns to the program.  So when the program is killed, the log says
 * how much of each file had reached the disk, and a test can model a
 * power cut at the moment of the kill by dropping (all or part of) what
 * was written after that (tests/integration/test_report_kill.sh).
 *
 * One write(2) of a short line with O_APPEND a call: lines never mix,
 * and a kill loses at most the line of a sync that had not returned yet
 * (whose data the program had not been told was safe).  Without
 * $EGNET_SYNCLOG the calls pass through untouched.  Nothing else of the
 * program changes: errors of the real calls come back as they are.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int fdatasync(int fd);
int fsync(int fd);

static void synclog_note(int fd)
{
	const char *log = getenv("EGNET_SYNCLOG");
	char link[64], path[4096], line[4200];
	struct stat st;
	ssize_t n;
	int lfd, len, saved = errno;

	if (!log || !*log || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		goto out;
	path[n] = '\0';
	len = snprintf(line, sizeof(line), "%lld %s\n", (long long)st.st_size,
		       path);
	if (len <= 0 || len >= (int)sizeof(line))
		goto out;
	lfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0)
		goto out;
	/* a short write (a full disk) leaves a line without its newline,
	 * which the reader refuses */
	if (write(lfd, line, (size_t)len) != len) {
		/* nothing more to do */
	}
	close(lfd);
out:
	errno = saved;
}

int fdatasync(int fd)
{
	static int (*real)(int);
	int rc;

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	rc = real(fd);
	if (rc == 0)
		synclog_note(fd);
	return rc;
}

int fsync(int fd)
{
	static int (*real)(int);
	int rc;

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	rc = real(fd);
	if (rc == 0)
		synclog_note(fd);
	return rc;
}
