// SPDX-License-Identifier: BSD-2-Clause
/*
 * The SNMP poller's driver for bench/snmp: the real poller (agent/snmp/
 * poll.c) on its own libevent loop, over the devices of a file's `snmp`
 * group.  Prints one line of key=value figures:
 *
 *   snmp_bench CONF ROUNDS poll     every device polled ROUNDS times
 *                                   (names known): wall ms per round, the
 *                                   OIDs read per round, CPU us per 1000
 *   snmp_bench CONF ROUNDS walk     device 0's names walked ROUNDS times
 *                                   (GETBULK of ifName and ifDescr): wall
 *                                   ms per walk
 *
 * A warm-up poll (engine discovery, the first walk) comes first and is
 * not counted.  Not a test.
 */
#include <event2/event.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "agent/snmp/poll.h"
#include "common/diag.h"
#include "common/log.h"
#include "common/snmpconf.h"

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) /
		       1e6;
}

/* Run the loop until @n more polls ended (whole or failed). */
static int run_until(struct event_base *b, struct poller *p, unsigned long n)
{
	unsigned long polls, failed, vb, start;
	double t0 = mono();

	poller_counts(p, &polls, &failed, &vb);
	start = polls + failed;
	while (polls + failed < start + n) {
		if (mono() - t0 > 60)
			return -1;
		event_base_loop(b, EVLOOP_ONCE);
		poller_counts(p, &polls, &failed, &vb);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct snmpconf sc;
	struct event_base *b;
	struct poller *p;
	struct diag d;
	config_t c;
	char err[256];
	unsigned long polls, failed, vb0, vb1, f0;
	double t0, c0, t1, c1;
	int rounds;
	bool walk;

	if (argc != 4) {
		fprintf(stderr, "usage: snmp_bench CONF ROUNDS poll|walk\n");
		return 2;
	}
	log_init("snmp_bench", LOG_LVL_WARN);
	rounds = atoi(argv[2]);
	walk = !strcmp(argv[3], "walk");
	config_init(&c);
	if (config_read_file(&c, argv[1]) != CONFIG_TRUE) {
		fprintf(stderr, "%s:%d: %s\n", argv[1], config_error_line(&c),
			config_error_text(&c));
		return 1;
	}
	diag_init(&d);
	if (snmpconf_load(&sc, config_lookup(&c, "snmp"), argv[1], &d)) {
		diag_print(&d, stderr);
		return 1;
	}
	diag_free(&d);
	config_destroy(&c);
	b = event_base_new();
	if (poller_open(&p, b, &sc, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* warm up: the first polls (discovery, walk) on their own */
	if (run_until(b, p, (unsigned long)sc.n_devices)) {
		fprintf(stderr, "the warm-up did not end\n");
		return 1;
	}
	poller_counts(p, &polls, &f0, &vb0);
	t0 = mono();
	c0 = cpu();
	for (int r = 0; r < rounds; r++) {
		poller_kick(p, walk ? 0 : -1, walk, walk);
		if (run_until(b, p, walk ? 1 : (unsigned long)sc.n_devices)) {
			fprintf(stderr, "round %d did not end\n", r);
			return 1;
		}
	}
	t1 = mono();
	c1 = cpu();
	poller_counts(p, &polls, &failed, &vb1);
	printf("mode=%s rounds=%d devices=%d wall_ms_per_round=%.3f "
	       "oids_per_round=%.0f cpu_us_per_1000_oids=%.1f failed=%lu\n",
	       argv[3], rounds, sc.n_devices, (t1 - t0) * 1000 / rounds,
	       (double)(vb1 - vb0) / rounds,
	       vb1 > vb0 ? (c1 - c0) * 1e6 / ((double)(vb1 - vb0) / 1000) : 0,
	       failed - f0);
	poller_close(p);
	event_base_free(b);
	return failed - f0 ? 1 : 0;
}
