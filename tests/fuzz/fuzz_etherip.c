/* libFuzzer target for ferryd's packet decoders: the EtherIP header check and the IPv4 split
 * (what arrives on the raw socket), TSO of TAP super-frames, GRO of received segments, partial
 * checksum completion, and the configuration parser. The first byte picks the decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/etherip.h"
#include "runtime/etherip_offload.h"
#include "runtime/ferryd_conf.h"

static void must(int cond)
{
	if (!cond)
		abort();
}

static void wire(const uint8_t *d, size_t n)
{
	uint32_t s, t;
	size_t off, plen;
	if (etherip_ipv4_split(d, n, &s, &t, &off, &plen) == 0) {
		must(off >= 20 && off + plen <= n);
		int r = etherip_check(d + off, plen);
		must(r >= -1 && r < EIP_DROP_N);
		if (r == -1)
			must(plen >= ETHERIP_HLEN + ETHERIP_ETH_MIN && d[off] == 0x30 && d[off + 1] == 0);
	}
	int r = etherip_check(d, n);   /* an IPv6 raw socket's payload */
	must(r >= -1 && r < EIP_DROP_N);
}

static struct eip_seg segs[512];

static void tso(const uint8_t *d, size_t n)
{
	struct virtio_net_hdr vh;
	if (n < sizeof vh)
		return;
	memcpy(&vh, d, sizeof vh);
	uint8_t *f = malloc(n - sizeof vh + 1);
	memcpy(f, d + sizeof vh, n - sizeof vh);
	size_t len = n - sizeof vh;
	int k = eip_tso(&vh, f, len, segs, 512);
	if (k > 0) {
		size_t total = 0;
		for (int i = 0; i < k; i++) {
			must(segs[i].hdr_len <= EIP_SEG_HDR_MAX && segs[i].plen <= vh.gso_size);
			must(segs[i].payload >= f && segs[i].payload + segs[i].plen <= f + len);
			total += segs[i].plen;
			struct eip_tcp t;
			/* every segment is a well-formed TCP frame with a right checksum */
			uint8_t buf[EIP_SEG_HDR_MAX + 65536];
			memcpy(buf, segs[i].hdr + ETHERIP_HLEN, segs[i].hdr_len - ETHERIP_HLEN);
			memcpy(buf + segs[i].hdr_len - ETHERIP_HLEN, segs[i].payload, segs[i].plen);
			size_t fl = segs[i].hdr_len - ETHERIP_HLEN + segs[i].plen;
			must(eip_parse_tcp(buf, fl, &t) == 0);
			must(eip_tcp_csum_ok(buf, fl, &t));
		}
		must(total + (segs[0].hdr_len - ETHERIP_HLEN) == len);
	}
	eip_csum_complete(f, len, &vh);
	free(f);
}

static void gro(const uint8_t *d, size_t n)
{
	static struct eip_gro g;
	g.n = 0;
	int owner = 0;
	while (n >= 3) {
		size_t fl = (size_t)d[0] << 8 | d[1];
		int who = d[2] & 1;
		d += 3;
		n -= 3;
		if (fl > n)
			fl = n;
		struct eip_tcp t;
		int tcp = eip_parse_tcp(d, fl, &t) == 0 && eip_tcp_csum_ok(d, fl, &t);
		if (g.n && g.owner == &owner + who && tcp && eip_gro_can_append(&g, d, fl, &t)) {
			eip_gro_append(&g, d, fl, &t);
		} else {
			if (g.n) {
				int niov = eip_gro_finish(&g);
				size_t sum = 0;
				for (int i = 0; i < niov; i++)
					sum += g.iov[i].iov_len;
				must(niov <= EIP_GRO_SEGS + 2 && sum <= 65535 + EIP_VNET_HLEN + 64);
			}
			eip_gro_start(&g, &owner + who, d, fl, tcp ? &t : NULL);
		}
		d += fl;
		n -= fl;
	}
	if (g.n)
		eip_gro_finish(&g);
}

static void conf(const uint8_t *d, size_t n)
{
	struct ferryd_conf c;
	char *err = NULL;
	if (ferryd_conf_parse((const char *)d, n, "fuzz", &c, &err) == 0) {
		for (size_t i = 0; i < c.n_tunnels; i++)
			must(ferryd_ifname_ok(c.tunnels[i].ifname));
		ferryd_conf_free(&c);
	} else {
		must(err != NULL);
		free(err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0: wire(data + 1, size - 1); break;
	case 1: tso(data + 1, size - 1); break;
	case 2: gro(data + 1, size - 1); break;
	case 3: conf(data + 1, size - 1); break;
	}
	return 0;
}
