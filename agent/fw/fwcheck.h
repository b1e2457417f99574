/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Checking the netlink messages of a firewall state read from a file
 * before libnftnl parses them.  libnftnl's parsers trust their input the
 * way they trust the kernel: an attribute of the wrong size makes them
 * print "nf_tables kernel ABI is broken" and exit(), and a string without
 * its NUL is read past its end.  So nothing reaches them that is not in
 * the shape libnftnl itself builds for egnet's table.
 */
#ifndef EGNET_FWCHECK_H
#define EGNET_FWCHECK_H

#include <stddef.h>
#include <stdint.h>

/* The largest message of ours: the firewall state's messages are rebuilt
 * one to a MNL_SOCKET_BUFFER_SIZE slot (fwobj.c). */
#define FWCHECK_MSG_MAX 4096

/*
 * Every message of p (len bytes) is a whole nftables NEWCHAIN, NEWSET,
 * NEWSETELEM or NEWRULE of at most FWCHECK_MSG_MAX bytes, and every
 * attribute in it, nested ones and rule expressions included, is one that
 * libnftnl parses for that object, of the size it expects (strings end in
 * NUL), with the names each object needs.  Returns 0, or -EINVAL with the
 * message's offset and the reason in err.
 */
int fwcheck_msgs(const uint8_t *p, size_t len, char *err, size_t errlen);

#endif
