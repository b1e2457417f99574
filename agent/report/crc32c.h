/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CRC32C (Castagnoli, the polynomial of iSCSI and ext4's metadata), in
 * software, eight bytes a step.  Pure functions.
 */
#ifndef EGNET_CRC32C_H
#define EGNET_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* crc of len bytes at p continuing from crc (0 to start). */
uint32_t crc32c(uint32_t crc, const void *p, size_t len);

#endif
