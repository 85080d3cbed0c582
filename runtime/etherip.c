/* EtherIP wire format: see runtime/etherip.h. */
#include "runtime/etherip.h"

#include <string.h>

static const char *const drop_names[EIP_DROP_N] = {
	[EIP_DROP_SHORT] = "short",
	[EIP_DROP_VERSION] = "bad-version",
	[EIP_DROP_RESERVED] = "bad-reserved",
	[EIP_DROP_UNKNOWN_PEER] = "unknown-peer",
	[EIP_DROP_BAD_IP] = "bad-ip",
	[EIP_DROP_TAP] = "tap-write",
	[EIP_DROP_SEND] = "send",
};

const char *etherip_drop_name(enum etherip_drop d)
{
	return (unsigned)d < EIP_DROP_N ? drop_names[d] : "?";
}

int etherip_check(const uint8_t *p, size_t len)
{
	if (len < ETHERIP_HLEN + ETHERIP_ETH_MIN)
		return EIP_DROP_SHORT;
	if (p[0] >> 4 != ETHERIP_VERSION)
		return EIP_DROP_VERSION;
	if ((p[0] & 0x0f) || p[1])
		return EIP_DROP_RESERVED;
	return -1;
}

int etherip_ipv4_split(const uint8_t *p, size_t len, uint32_t *src, uint32_t *dst,
		       size_t *off, size_t *plen)
{
	if (len < 20 || p[0] >> 4 != 4)
		return -1;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	size_t tot = (size_t)p[2] << 8 | p[3];
	if (ihl < 20 || ihl > len || p[9] != ETHERIP_PROTO)
		return -1;
	/* Raw sockets hand over what arrived; a total length past the buffer is malformed, one
	 * short of it means link padding we ignore. Linux raw sockets give tot_len 0 for big
	 * GSO packets: then the buffer is the packet. */
	if (tot == 0)
		tot = len;
	if (tot < ihl || tot > len)
		return -1;
	memcpy(src, p + 12, 4);
	memcpy(dst, p + 16, 4);
	*off = ihl;
	*plen = tot - ihl;
	return 0;
}
