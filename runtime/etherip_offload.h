/* Offloads for ferryd's TAP side: the TAP is attached with IFF_VNET_HDR and TSO/checksum offload,
 * so the kernel hands over TCP super-frames of up to 64 KB (one read instead of ~45) and takes
 * them back (one write instead of ~45). What goes on the wire stays plain EtherIP with frames no
 * larger than the TAP's MTU:
 *   transmit: a super-frame is cut into MSS-sized segments here (TSO), checksums completed;
 *   receive:  consecutive segments of one TCP flow in a batch are merged into one super-frame
 *             (GRO), each segment's checksum verified first.
 * Pure functions on byte buffers (the fuzz target drives them). */
#ifndef FERRY_RUNTIME_ETHERIP_OFFLOAD_H
#define FERRY_RUNTIME_ETHERIP_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#define EIP_VNET_HLEN  ((size_t)sizeof(struct virtio_net_hdr))
#define EIP_SEG_HDR_MAX 192        /* EtherIP + Ethernet (+2 tags) + IP + TCP headers */
#define EIP_GRO_SEGS   44          /* segments merged at most (stays below 64 KB) */

/* Ones' complement sum helpers (RFC 1071): partial sums, folded at the end. */
uint64_t eip_csum_add(uint64_t sum, const void *p, size_t n);
uint16_t eip_csum_fold(uint64_t sum);          /* folded, not complemented */

/* Where the headers of a TCP frame are. */
struct eip_tcp {
	size_t l3, l4, hl;        /* IP header offset, TCP header offset, end of TCP header */
	bool v6;
};
/* An Ethernet frame carrying TCP over IPv4 (no fragment) or IPv6 (no extension header), VLAN tags
 * allowed: 0 and the offsets, else -1. */
int eip_parse_tcp(const uint8_t *f, size_t len, struct eip_tcp *t);

/* Completes a partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM) in place. -1 when the offsets do
 * not fit the frame. */
int eip_csum_complete(uint8_t *f, size_t len, const struct virtio_net_hdr *vh);

/* One outgoing segment: the EtherIP header and the frame's headers in HDR, its payload by
 * reference into the super-frame. */
struct eip_seg {
	uint8_t hdr[EIP_SEG_HDR_MAX];
	size_t hdr_len;
	const uint8_t *payload;
	size_t plen;
};
/* Cuts TCP super-frame F (LEN bytes, as described by VH) into at most MAX segments. Returns their
 * number, or -1 when it cannot (not TCP, bad offsets, more than MAX segments). */
int eip_tso(const struct virtio_net_hdr *vh, const uint8_t *f, size_t len, struct eip_seg *segs, int max);

/* Receive coalescing: one open super-frame at a time. */
struct eip_gro {
	int n;                    /* segments in it; 0: none open */
	uint8_t vh[EIP_VNET_HLEN];
	uint8_t hdr[EIP_SEG_HDR_MAX];   /* the first segment's headers, fixed up by eip_gro_finish */
	struct eip_tcp t;
	size_t paylen, mss;
	uint32_t next_seq;
	bool closed;              /* a short or PSH segment ended it */
	void *owner;              /* the caller's: which TAP it goes to */
	struct iovec iov[EIP_GRO_SEGS + 2];
};
/* Can frame F (a TCP segment with payload, checksum verified, parsed as T) join G? */
bool eip_gro_can_append(const struct eip_gro *g, const uint8_t *f, size_t len, const struct eip_tcp *t);
/* Starts G with frame F (any frame: non-TCP frames are written alone, with an empty vnet header);
 * T NULL when F is not a mergeable TCP segment. F must stay valid until the flush. */
void eip_gro_start(struct eip_gro *g, void *owner, const uint8_t *f, size_t len, const struct eip_tcp *t);
void eip_gro_append(struct eip_gro *g, const uint8_t *f, size_t len, const struct eip_tcp *t);
/* Fixes the headers and the vnet header; returns the number of iovecs in g->iov to write. */
int eip_gro_finish(struct eip_gro *g);
/* Is the TCP checksum of F right? */
bool eip_tcp_csum_ok(const uint8_t *f, size_t len, const struct eip_tcp *t);

#endif
