/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The clocks, read one way everywhere: monotonic seconds for intervals and
 * deadlines inside a process, wall-clock milliseconds for what is shown or
 * stored.
 */
#ifndef EGNET_NOW_H
#define EGNET_NOW_H

/* CLOCK_MONOTONIC in seconds. */
double now_mono(void);

/* CLOCK_REALTIME in milliseconds since the epoch. */
long long now_wall_ms(void);

#endif
