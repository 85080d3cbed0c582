/* EtherIP (RFC 3378) on the wire: a 16-bit header, version 3 in the top four bits and twelve
 * reserved bits that must be zero (0x3000), then an Ethernet frame, carried as IP protocol 97.
 * Pure functions on byte buffers: ferryd's dataplane and the fuzz target share them. */
#ifndef FERRY_RUNTIME_ETHERIP_H
#define FERRY_RUNTIME_ETHERIP_H

#include <stddef.h>
#include <stdint.h>

#define ETHERIP_PROTO     97
#define ETHERIP_VERSION   3
#define ETHERIP_HLEN      2        /* the EtherIP header */
#define ETHERIP_ETH_MIN   14       /* the shortest frame we pass on: an Ethernet header */

/* Why a packet was not delivered. Counted per tunnel, except unknown-peer and bad-ip (no tunnel
 * to charge them to). The names are the counters' names on the control socket. */
enum etherip_drop {
	EIP_DROP_SHORT,          /* fewer than 2 + 14 bytes of IP payload */
	EIP_DROP_VERSION,        /* version is not 3 */
	EIP_DROP_RESERVED,       /* version 3, reserved bits not zero */
	EIP_DROP_UNKNOWN_PEER,   /* from an address that is no tunnel's remote (to that local) */
	EIP_DROP_BAD_IP,         /* an IPv4 header the kernel should never have handed us */
	EIP_DROP_TAP,            /* writing to the TAP failed (down, or the kernel refused) */
	EIP_DROP_SEND,           /* sending the encapsulated frame failed (no route, buffer full) */
	EIP_DROP_N
};

const char *etherip_drop_name(enum etherip_drop d);

/* Checks the EtherIP header of an IP payload. Returns -1 when good (the frame starts at
 * p + ETHERIP_HLEN), else the drop reason. */
int etherip_check(const uint8_t *p, size_t len);

/* An IPv4 packet as an IPv4 raw socket hands it over (header included; the kernel has reassembled
 * fragments). On success returns 0 and sets the source, destination (network order) and the
 * payload's offset and length; returns -1 for a malformed header or a protocol other than 97. */
int etherip_ipv4_split(const uint8_t *p, size_t len, uint32_t *src, uint32_t *dst,
		       size_t *off, size_t *plen);

/* Writes the EtherIP header in front of a frame (at p[0], p[1]). */
static inline void etherip_put_header(uint8_t *p)
{
	p[0] = ETHERIP_VERSION << 4;
	p[1] = 0;
}

#endif
