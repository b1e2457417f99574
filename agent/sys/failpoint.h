/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Failure points for tests.  The product is linked with failpoint_none.c,
 * where failpoint() always returns 0; the test build of the agent links
 * failpoint.c, armed by EGNET_FAILPOINT="NAME:STEP:ACTION[,...]" (ACTION
 * kill sends the process SIGKILL, fail makes the step fail with -EIO).
 * Points: apply.op (an apply's operation STEP), apply.undo (its undo's),
 * apply.verify, nft.batch, state.commit.
 */
#ifndef EGNET_FAILPOINT_H
#define EGNET_FAILPOINT_H

/* 0 to go on, -EIO to fail this step; may not return (kill). */
int failpoint(const char *name, int step);

#endif
