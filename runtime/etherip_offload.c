/* TSO and GRO for ferryd's TAP side: see runtime/etherip_offload.h. */
#include "runtime/etherip_offload.h"

#include <string.h>

#include "runtime/etherip.h"

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* Sums 16-bit big-endian words; P starts at an even offset of the checksummed data. */
uint64_t eip_csum_add(uint64_t sum, const void *data, size_t n)
{
	const uint8_t *p = data;
	/* 4 bytes at a time in network order: the sum of 32-bit words folds to the same 16-bit sum. */
	while (n >= 4) {
		sum += be32(p);
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		sum += be16(p);
		p += 2;
		n -= 2;
	}
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t eip_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

int eip_parse_tcp(const uint8_t *f, size_t len, struct eip_tcp *t)
{
	if (len < 14)
		return -1;
	size_t off = 14;
	uint16_t type = be16(f + 12);
	for (int tags = 0; (type == 0x8100 || type == 0x88a8) && tags < 2; tags++) {
		if (len < off + 4)
			return -1;
		type = be16(f + off + 2);
		off += 4;
	}
	t->l3 = off;
	if (type == 0x0800) {
		if (len < off + 20 || f[off] >> 4 != 4)
			return -1;
		size_t ihl = (size_t)(f[off] & 15) * 4;
		if (ihl < 20 || f[off + 9] != 6 || (be16(f + off + 6) & 0x3fff))
			return -1;    /* not TCP, or a fragment */
		t->v6 = false;
		t->l4 = off + ihl;
	} else if (type == 0x86dd) {
		if (len < off + 40 || f[off] >> 4 != 6 || f[off + 6] != 6)
			return -1;
		t->v6 = true;
		t->l4 = off + 40;
	} else {
		return -1;
	}
	if (len < t->l4 + 20)
		return -1;
	size_t thl = (size_t)(f[t->l4 + 12] >> 4) * 4;
	if (thl < 20 || len < t->l4 + thl)
		return -1;
	t->hl = t->l4 + thl;
	return 0;
}

int eip_csum_complete(uint8_t *f, size_t len, const struct virtio_net_hdr *vh)
{
	size_t start = vh->csum_start, at = (size_t)vh->csum_start + vh->csum_offset;
	if (start > len || at + 2 > len)
		return -1;
	uint16_t c = (uint16_t)~eip_csum_fold(eip_csum_add(0, f + start, len - start));
	put16(f + at, c ? c : 0xffff);
	return 0;
}

/* The pseudo-header sum of a TCP segment of TCPLEN bytes. */
static uint64_t pseudo(const uint8_t *f, const struct eip_tcp *t, size_t tcplen)
{
	uint64_t s;
	if (t->v6)
		s = eip_csum_add(0, f + t->l3 + 8, 32);
	else
		s = eip_csum_add(0, f + t->l3 + 12, 8);
	return s + 6 + tcplen;
}

static void ip4_csum(uint8_t *ip, size_t ihl)
{
	put16(ip + 10, 0);
	put16(ip + 10, (uint16_t)~eip_csum_fold(eip_csum_add(0, ip, ihl)));
}

int eip_tso(const struct virtio_net_hdr *vh, const uint8_t *f, size_t len, struct eip_seg *segs, int max)
{
	struct eip_tcp t;
	size_t mss = vh->gso_size;
	if (eip_parse_tcp(f, len, &t) < 0 || mss == 0 || t.hl + ETHERIP_HLEN > EIP_SEG_HDR_MAX ||
	    len <= t.hl)
		return -1;
	size_t total = len - t.hl;
	size_t n = (total + mss - 1) / mss;
	if (n > (size_t)max || t.hl - t.l3 + (mss < total ? mss : total) > 65535)
		return -1;
	uint32_t seq = be32(f + t.l4 + 4);
	uint16_t id = t.v6 ? 0 : be16(f + t.l3 + 4);
	size_t thl = t.hl - t.l4;
	for (size_t k = 0; k < n; k++) {
		struct eip_seg *s = &segs[k];
		size_t plen = k + 1 < n ? mss : total - k * mss;
		etherip_put_header(s->hdr);
		uint8_t *h = s->hdr + ETHERIP_HLEN;
		memcpy(h, f, t.hl);
		s->hdr_len = ETHERIP_HLEN + t.hl;
		s->payload = f + t.hl + k * mss;
		s->plen = plen;
		if (t.v6) {
			put16(h + t.l3 + 4, (uint16_t)(t.hl - t.l4 + plen));
		} else {
			put16(h + t.l3 + 2, (uint16_t)(t.hl - t.l3 + plen));
			put16(h + t.l3 + 4, (uint16_t)(id + k));
			ip4_csum(h + t.l3, t.l4 - t.l3);
		}
		uint8_t *th = h + t.l4;
		put32(th + 4, seq + (uint32_t)(k * mss));
		if (k + 1 < n)
			th[13] &= (uint8_t)~0x09;   /* FIN and PSH: the last segment's */
		if (k > 0)
			th[13] &= (uint8_t)~0x80;   /* CWR: the first segment's */
		put16(th + 16, 0);
		uint64_t sum = pseudo(h, &t, thl + plen);
		sum = eip_csum_add(sum, th, thl);
		sum = eip_csum_add(sum, s->payload, plen);
		put16(th + 16, (uint16_t)~eip_csum_fold(sum));
	}
	return (int)n;
}

bool eip_tcp_csum_ok(const uint8_t *f, size_t len, const struct eip_tcp *t)
{
	size_t tcplen;
	if (!t->v6) {   /* the IP length must say what we sum (no link padding) */
		size_t tot = be16(f + t->l3 + 2);
		if (eip_csum_fold(eip_csum_add(0, f + t->l3, t->l4 - t->l3)) != 0xffff)
			return false;   /* the IPv4 header's own checksum */
		if (tot < t->l4 - t->l3 || t->l3 + tot > len)
			return false;
		tcplen = tot - (t->l4 - t->l3);
	} else {
		size_t pl = be16(f + t->l3 + 4);
		if (t->l4 + pl > len)
			return false;
		tcplen = pl;
	}
	if (tcplen < t->hl - t->l4)
		return false;
	uint64_t sum = pseudo(f, t, tcplen);
	sum = eip_csum_add(sum, f + t->l4, tcplen);
	return eip_csum_fold(sum) == 0xffff;
}

/* The payload length of a parsed, length-checked segment. */
static size_t payload_len(const uint8_t *f, const struct eip_tcp *t)
{
	if (t->v6)
		return be16(f + t->l3 + 4) - (t->hl - t->l4);
	return be16(f + t->l3 + 2) - (t->hl - t->l3);
}

bool eip_gro_can_append(const struct eip_gro *g, const uint8_t *f, size_t len, const struct eip_tcp *t)
{
	(void)len;
	if (!g->n || g->closed || g->mss == 0 || g->n >= EIP_GRO_SEGS)
		return false;
	const struct eip_tcp *a = &g->t;
	if (a->v6 != t->v6 || a->l3 != t->l3 || a->l4 != t->l4 || a->hl != t->hl)
		return false;
	const uint8_t *h = g->hdr;
	if (memcmp(h, f, t->l3) != 0)       /* Ethernet header (and tags) */
		return false;
	const uint8_t *x = h + t->l3, *y = f + t->l3;
	if (t->v6) {
		if (memcmp(x, y, 4) || x[6] != y[6] || x[7] != y[7] || memcmp(x + 8, y + 8, 32))
			return false;
	} else {
		if (x[0] != y[0] || x[1] != y[1] || (x[6] & 0x40) != (y[6] & 0x40) || x[8] != y[8] ||
		    x[9] != y[9] || memcmp(x + 12, y + 12, t->l4 - t->l3 - 12))
			return false;
	}
	const uint8_t *p = h + t->l4, *q = f + t->l4;
	if (memcmp(p, q, 4) || be32(q + 4) != g->next_seq || memcmp(p + 8, q + 8, 4) || p[12] != q[12])
		return false;
	if ((q[13] & ~0x08) != 0x10)        /* ACK, maybe PSH: nothing else */
		return false;
	if (memcmp(p + 20, q + 20, t->hl - t->l4 - 20))   /* options, timestamps included */
		return false;
	size_t pl = payload_len(f, t);
	if (pl == 0 || pl > g->mss || t->hl - t->l3 + g->paylen + pl > 65535)
		return false;
	return true;
}

void eip_gro_start(struct eip_gro *g, void *owner, const uint8_t *f, size_t len, const struct eip_tcp *t)
{
	memset(g->vh, 0, sizeof g->vh);
	g->owner = owner;
	g->n = 1;
	g->closed = false;
	g->iov[0].iov_base = g->vh;
	g->iov[0].iov_len = sizeof g->vh;
	size_t pl;
	/* Tagged frames are not merged: the TAP checks a GSO frame's EtherType against its gso
	 * type, and 0x8100 matches neither. */
	if (!t || t->l3 != 14 || t->hl > EIP_SEG_HDR_MAX || (pl = payload_len(f, t)) == 0 ||
	    (f[t->l4 + 13] & ~0x08) != 0x10) {
		/* written alone, as it came */
		g->mss = 0;
		g->closed = true;
		g->iov[1].iov_base = (void *)f;
		g->iov[1].iov_len = len;
		g->paylen = 0;
		return;
	}
	g->t = *t;
	memcpy(g->hdr, f, t->hl);
	g->iov[1].iov_base = g->hdr;
	g->iov[1].iov_len = t->hl;
	g->iov[2].iov_base = (void *)(f + t->hl);
	g->iov[2].iov_len = pl;
	g->paylen = pl;
	g->mss = pl;
	g->next_seq = be32(f + t->l4 + 4) + (uint32_t)pl;
	if (f[t->l4 + 13] & 0x08)
		g->closed = true;
}

void eip_gro_append(struct eip_gro *g, const uint8_t *f, size_t len, const struct eip_tcp *t)
{
	(void)len;
	size_t pl = payload_len(f, t);
	g->iov[g->n + 2].iov_base = (void *)(f + t->hl);
	g->iov[g->n + 2].iov_len = pl;
	g->n++;
	g->paylen += pl;
	g->next_seq += (uint32_t)pl;
	if (pl < g->mss || (f[t->l4 + 13] & 0x08)) {
		g->closed = true;
		g->hdr[t->l4 + 13] |= f[t->l4 + 13] & 0x08;   /* PSH travels to the merged header */
	}
}

int eip_gro_finish(struct eip_gro *g)
{
	if (g->mss == 0)
		return 2;                        /* a frame written alone */
	if (g->n == 1)
		return 3;                        /* headers and payload as they came */
	const struct eip_tcp *t = &g->t;
	uint8_t *h = g->hdr;
	size_t thl = t->hl - t->l4;
	if (t->v6) {
		put16(h + t->l3 + 4, (uint16_t)(thl + g->paylen));
	} else {
		put16(h + t->l3 + 2, (uint16_t)(t->hl - t->l3 + g->paylen));
		ip4_csum(h + t->l3, t->l4 - t->l3);
	}
	/* The checksum is left to whoever needs it (CHECKSUM_PARTIAL): the pseudo-header sum goes in
	 * the field, as a NIC expects it. Every segment's own checksum was verified. */
	put16(h + t->l4 + 16, eip_csum_fold(pseudo(h, t, thl + g->paylen)));
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = t->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = (uint16_t)t->hl,
		.gso_size = (uint16_t)g->mss,
		.csum_start = (uint16_t)t->l4,
		.csum_offset = 16,
	};
	memcpy(g->vh, &vh, sizeof vh);
	return g->n + 2;
}
