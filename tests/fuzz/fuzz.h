/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the fuzz harnesses share.  Each tests/fuzz/fuzz_NAME.c defines
 * LLVMFuzzerTestOneInput() for one decoder of outside or on-disk input; it
 * is linked with libFuzzer for `make fuzz` (build/fuzz/fuzz_NAME) and with
 * replay.c for `make check` ($(B)/tests/fuzz/replay_NAME), which runs every
 * seed and regression input through it under valgrind or ASan.
 *
 * A harness frees everything it made before it returns (a leak fails the
 * replay), and aborts through FUZZ_CHECK when the decoder breaks a promise
 * it makes (a state it accepted that it cannot read back, say), so such a
 * finding is a crash like any other.
 */
#ifndef EGNET_FUZZ_H
#define EGNET_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: ",      \
				__FILE__, __LINE__, #cond);                    \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

/*
 * The harness's private folder (made once, under $TMPDIR or /tmp, removed
 * at exit) and a path in it.  A harness that reads files reads only there.
 */
const char *fuzz_dir(void);
const char *fuzz_path(const char *name, char *buf, size_t len);

/* Write data as the file NAME of the private folder.  0 or -errno. */
int fuzz_write(const char *name, const void *data, size_t size);

/*
 * Split an input into files of the private folder: the bytes up to the
 * first line "#@@ NAME" are the file main, each such line starts the file
 * NAME (a plain relative name: letters, digits, '_', '-', '.', '/', no
 * "..").  '#' starts a comment in libconfig, so a seed stays a readable
 * configuration.  Refused (-1, nothing written) when a name is not plain
 * or when any file has an @include of a name that is not: the loaders
 * must never be led out of the folder.  Returns the number of files.
 */
int fuzz_files(const uint8_t *data, size_t size, const char *main,
	       int flags);

/* The main file may not @include at all: the node config, whose includes
 * libconfig resolves against the working directory, not the folder. */
#define FUZZ_MAIN_NO_INCLUDE 1

/* Whether fuzz_files() wrote NAME in this run. */
int fuzz_has(const char *name);

/* Remove what fuzz_files() wrote. */
void fuzz_files_clear(void);

/* FUZZ_DEBUG set in the environment: say why an input was refused (to
 * see what a seed reaches). */
void fuzz_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
