/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Probing the parent and the children: egnet echo (UDP) to gateways that
 * run an agent, ICMP echo to villages that do not.  Every agent answers
 * egnet echo on the probe port.  Per target: RTT, loss and jitter over a
 * sliding window; down after N probes in a row are lost, up again after M
 * answers in a row; a change of state is an event at once.  Probes carry a
 * sequence number and the sender's code: a reply that does not match a
 * probe we sent to that address is ignored and counted.
 *
 * Refusals: when a gateway is up but its agent is not, its kernel answers
 * our egnet echo with an ICMP port unreachable (the standard profiles
 * accept the probe port from the extranet and filter nothing going out;
 * ours takes the error back as related to the probe's flow).  The raw
 * ICMP sockets see it; one that quotes a probe request of ours, still
 * open in its target's window, and comes from the target's own address
 * marks the target "refused".  A refusal is never an answer: the probe
 * stays lost and counts towards down, so a forged one can at worst turn
 * a cut line into a dead agent, never into an answering one.
 */
#ifndef EGNET_PROBE_H
#define EGNET_PROBE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/desired.h"
#include "common/defaults.h"

#define PROBE_WINDOW_MAX EGNET_PROBE_WINDOW_MAX
#define PROBER_FDS	 4

enum probe_state { PS_UNKNOWN, PS_UP, PS_DOWN };
extern const char *const probe_state_words[];

/*
 * Where the two times of an RTT were taken, worst to best: around sendto()
 * and recvmsg() in user space; the receive time from the socket's kernel
 * timestamp; both from the socket's kernel timestamps (SO_TIMESTAMPING, the
 * send time from the error queue); both by the linkmon programs at tc.
 */
enum probe_ts { PT_USER, PT_SOCKET_RX, PT_SOCKET, PT_EBPF };
extern const char *const probe_ts_words[];

struct probe_slot {
	uint32_t seq;
	double sent;	    /* monotonic seconds, before sendto() */
	double sent_kernel; /* the socket's transmit timestamp; 0: none */
	bool sent_snd;	    /* sent_kernel is the driver's, not the qdisc's */
	double rtt;	    /* ms; < 0: no answer (yet) */
	int ts;		    /* enum probe_ts: where rtt comes from */
	bool refused;	    /* an ICMP port unreachable came for it */
};

struct probe_target {
	code_t code;
	char name[INV_NAME_LEN];
	int rel, method;    /* enum target_rel, target_method */
	struct ip_addr addr;
	int state;	    /* enum probe_state */
	int misses, answers; /* in a row */
	double since;	    /* monotonic time of the last change */
	long long since_wall;	/* milliseconds since the epoch */
	uint64_t sent, received, bad;
	struct probe_slot *win; /* ring of `window` slots */
	int head;		/* next slot to use */
	double last_rtt, last_user_rtt;
	int last_ts; /* enum probe_ts of last_rtt; -1 before an answer */
	double last_answer; /* monotonic time of the last answer; 0: none */
	double last_refusal; /* monotonic time of the last refusal; 0: none */
	uint64_t refusals;  /* ICMP port unreachables for our probes */
};

struct linkmon;

struct prober {
	code_t self;
	uint16_t port;
	int interval_ms, down_after, up_after, window;
	int udp4, udp6, icmp4, icmp6; /* -1 when not open */
	uint32_t next_seq;
	uint16_t echo_ident;
	struct probe_target *t;
	int n;
	uint64_t bad;	/* replies that matched nothing */
	uint64_t answered; /* echo requests we answered */
	struct linkmon *lm; /* kernel timestamps when not NULL */
	/* called on every change of a target's state */
	void (*on_change)(const struct probe_target *t, void *arg);
	void *arg;
};

/*
 * Open the sockets (UDP echo on port, v4 and v6; raw ICMP for villages)
 * and take the targets of ds.  Returns 0 or the -errno of the IPv4 UDP
 * socket with the reason in err (nothing to close then).
 */
int prober_open(struct prober *p, const struct desired *ds, char *err,
		size_t errlen);
void prober_close(struct prober *p);

/* The window of probes kept per target: the profile's, at most
 * PROBE_WINDOW_MAX. */
int probe_window(const struct prof_probe *pp);

/* Take kernel timestamps of egnet probes from lm (NULL: the sockets'). */
void prober_use_linkmon(struct prober *p, struct linkmon *lm);

/* New targets, interval and thresholds (after an apply or reload); a
 * target kept keeps its figures.  Port and window stay: a new one needs
 * prober_close() and prober_open(). */
void prober_retarget(struct prober *p, const struct desired *ds);

/* The sockets to watch for reading (-1 where one is not open). */
void prober_fds(const struct prober *p, int fds[PROBER_FDS]);

/* One interval: account the probes not answered, send the next ones. */
void prober_tick(struct prober *p);

/* A socket is readable: answer requests, take replies. */
void prober_read(struct prober *p, int fd);

/*
 * The looped copy of a probe we sent, as a transmit timestamp brings it
 * back on the error queue (from the link-layer header on): the probe's
 * destination and sequence number.  method is the target's (enum
 * target_method), family the socket's.  0, or -1 when the bytes are not a
 * probe request of ours.
 */
int probe_looped(const struct prober *p, int method, int family,
		 const uint8_t *pkt, size_t len, struct ip_addr *dst,
		 uint32_t *seq);

/*
 * An ICMP error at @icmp (its header first, @len bytes; family AF_INET or
 * AF_INET6) that is a port unreachable for an egnet probe request of
 * ours: from our code, probe port to probe port, the quoted packet whole.
 * The probe's destination in *dst, its sequence number in *seq.  0, or -1
 * when it is anything else.  The caller checks that the error came from
 * *dst itself and that seq is open in that target's window.
 */
int probe_refused(const struct prober *p, int family, const uint8_t *icmp,
		  size_t len, struct ip_addr *dst, uint32_t *seq);

/*
 * The target's gateway refuses our probes now: a refusal more recent than
 * its last answer, within the last down_after + 1 intervals (3 s at
 * least, the kernel's ICMP rate limit), at @now (monotonic).  Egnet echo
 * targets only.
 */
bool probe_target_refused(const struct prober *p,
			  const struct probe_target *t, double now);

/* Monotonic time of the latest answer from a parent target; 0: none. */
double prober_parent_answer(const struct prober *p);
bool prober_has_parent(const struct prober *p);

/* Figures of a target over its window. */
struct probe_stats {
	double loss;	/* percent */
	double rtt_avg, rtt_min, rtt_max, jitter; /* ms; < 0 when none */
	int samples;
};
void probe_stats(const struct prober *p, const struct probe_target *t,
		 struct probe_stats *st);

json_t *prober_json(const struct prober *p);

/* The targets into @out (at most @max): how many were written. */
struct report_target;
int prober_report(const struct prober *p, struct report_target *out, int max);

#endif
