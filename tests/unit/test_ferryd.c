/* ferryd's configuration parser (every refusal says where and why), the EtherIP header checks,
 * and the offloads: TSO segments are valid TCP frames and GRO puts them back together. */
#include <stdlib.h>
#include <string.h>

#include "runtime/etherip.h"
#include "runtime/etherip_offload.h"
#include "runtime/ferryd_conf.h"
#include "tests/unit/unit.h"

static const char good[] =
	"etherip:\n"
	"  - name: \"/Common/eip\"\n"
	"    interface: eip\n"
	"    local: 10.133.64.245\n"
	"    remote: 10.133.65.245\n";

/* Parses TEXT expecting a refusal; returns the message (static, the last one). */
static const char *refusal(const char *text)
{
	static char *last;
	struct ferryd_conf c;
	char *err = NULL;
	free(last);
	last = NULL;
	if (ferryd_conf_parse(text, strlen(text), "f.yaml", &c, &err) == 0) {
		ferryd_conf_free(&c);
		return "(accepted)";
	}
	last = err;
	return err;
}

TEST(conf_lowering_output)
{
	struct ferryd_conf c;
	char *err = NULL;
	if (!CHECK(ferryd_conf_parse(good, strlen(good), "f.yaml", &c, &err) == 0))
		return;
	CHECK_INT_EQ(c.n_tunnels, 1);
	CHECK_STR_EQ(c.tunnels[0].name, "/Common/eip");
	CHECK_STR_EQ(c.tunnels[0].ifname, "eip");
	CHECK_INT_EQ(c.tunnels[0].local.family, AF_INET);
	CHECK_INT_EQ(c.tunnels[0].remote.a[2], 65);
	ferryd_conf_free(&c);
}

TEST(conf_version_empty_and_ipv6)
{
	static const char *const ok[] = {
		"", "version: 1\n", "etherip:\n", "etherip: []\n", "version: 1\netherip: []\n",
		"etherip:\n  - name: a\n    interface: e6\n    local: 2001:db8::1\n    remote: \"2001:db8::2\"\n",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		CHECK_STR_EQ(refusal(ok[i]), "(accepted)");
}

TEST(conf_refusals)
{
	CHECK_STR_EQ(refusal("etherip:\n  - name: a\n    interface: eip\n    local: 10.0.0.1\n    remote: 10.0.0.2\n    mtu: 1500\n"),
		     "f.yaml:6:5: etherip[0]: unknown key 'mtu' (a tunnel has name, interface, local, remote)");
	CHECK_STR_EQ(refusal("tunnels: []\n"), "f.yaml:1:1: unknown key 'tunnels' (known: version, etherip)");
	CHECK_STR_EQ(refusal("version: 2\n"), "f.yaml:1:10: version 2 is not one this ferryd reads (it reads 1)");
	CHECK_STR_EQ(refusal("etherip:\n  - name: a\n    interface: eip\n    local: 10.0.0.300\n    remote: 10.0.0.2\n"),
		     "f.yaml:4:12: tunnel a: local must be an IPv4 or IPv6 address, not '10.0.0.300'");
	CHECK_STR_EQ(refusal("etherip:\n  - name: a\n    interface: eip\n    local: 10.0.0.1\n    remote: 224.0.0.1\n"),
		     "f.yaml:5:13: tunnel a: remote 224.0.0.1 is not a unicast address");
	CHECK_STR_EQ(refusal("etherip:\n  - name: a\n    interface: eip\n    local: 10.0.0.1\n    remote: 2001:db8::1\n"),
		     "f.yaml:5:13: tunnel a: local 10.0.0.1 and remote 2001:db8::1 are not of one address family");
	CHECK_STR_EQ(refusal("etherip:\n  - name: a\n    interface: a-name-too-long-for-linux\n    local: 10.0.0.1\n    remote: 10.0.0.2\n"),
		     "f.yaml:3:16: tunnel a: interface must be an interface name of 1 to 15 characters without '/', ':' or spaces, not 'a-name-too-long-for-linux'");
	CHECK_STR_EQ(refusal("etherip:\n  - name: a\n    local: 10.0.0.1\n    remote: 10.0.0.2\n"),
		     "f.yaml:2:5: etherip[0]: 'interface' is missing");
	CHECK_STR_EQ(refusal("etherip:\n  - name: a\n    name: b\n"), "f.yaml:3:5: etherip[0]: 'name' given twice");
	CHECK_STR_EQ(refusal("etherip:\n  - name: a\n    interface: e1\n    local: 10.0.0.1\n    remote: 10.0.0.2\n"
			     "  - name: b\n    interface: e1\n    local: 10.0.0.1\n    remote: 10.0.0.3\n"),
		     "f.yaml:6:5: tunnels a and b both use interface e1");
	CHECK_STR_EQ(refusal("etherip:\n  - name: a\n    interface: e1\n    local: 10.0.0.1\n    remote: 10.0.0.2\n"
			     "  - name: b\n    interface: e2\n    local: 10.0.0.1\n    remote: 10.0.0.2\n"),
		     "f.yaml:6:5: tunnels a and b both go from 10.0.0.1 to 10.0.0.2: a received packet could not tell them apart");
	CHECK_STR_EQ(refusal("etherip:\n  - name: a\n    interface: e1\n    local: 10.0.0.1\n    remote: 10.0.0.2\n"
			     "  - name: a\n    interface: e2\n    local: 10.0.0.1\n    remote: 10.0.0.3\n"),
		     "f.yaml:6:5: tunnel a is given twice");
	CHECK_STR_EQ(refusal("etherip: eip\n"), "f.yaml:1:10: etherip is a list of tunnels");
	CHECK_STR_EQ(refusal("- a\n"), "f.yaml:1:1: the configuration is a mapping (version, etherip)");
	CHECK_STR_EQ(refusal("etherip:\n  - [a]\n"), "f.yaml:2:5: etherip[0]: a tunnel is a mapping (name, interface, local, remote)");
	CHECK_STR_EQ(refusal("etherip: [\n"), "f.yaml:2:1: YAML: did not find expected node content while parsing a flow node");
	CHECK_STR_EQ(refusal("version: 1\n---\nversion: 1\n"), "f.yaml:3:1: a second YAML document; ferryd reads one");
}

TEST(conf_missing_file)
{
	struct ferryd_conf c;
	char *err = NULL;
	CHECK(ferryd_conf_load("/nonexistent/ferryd.yaml", &c, &err) == -1);
	CHECK_STR_EQ(err, "/nonexistent/ferryd.yaml: No such file or directory");
	free(err);
}

TEST(etherip_header)
{
	uint8_t p[16] = { 0x30, 0x00 };
	CHECK_INT_EQ(etherip_check(p, 16), -1);
	CHECK_INT_EQ(etherip_check(p, 15), EIP_DROP_SHORT);
	p[0] = 0x40;
	CHECK_INT_EQ(etherip_check(p, 16), EIP_DROP_VERSION);
	p[0] = 0x30;
	p[1] = 0x01;
	CHECK_INT_EQ(etherip_check(p, 16), EIP_DROP_RESERVED);
	p[0] = 0x31;
	p[1] = 0;
	CHECK_INT_EQ(etherip_check(p, 16), EIP_DROP_RESERVED);
	CHECK_STR_EQ(etherip_drop_name(EIP_DROP_UNKNOWN_PEER), "unknown-peer");
}

/* ---- offloads ---- */

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* An Ethernet/IPv4/TCP super-frame with PAYLOAD bytes (a pattern), timestamps option, PSH+ACK. */
static size_t make_super(uint8_t *f, size_t payload, bool v6)
{
	static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
	memcpy(f, eth, 14);
	size_t l4;
	if (v6) {
		f[12] = 0x86;
		f[13] = 0xdd;
		memset(f + 14, 0, 40);
		f[14] = 0x60;
		put16(f + 18, 32 + payload);
		f[20] = 6;
		f[21] = 64;
		f[22] = 0x20, f[23] = 0x01, f[37] = 1;
		f[38] = 0x20, f[39] = 0x01, f[53] = 2;
		l4 = 54;
	} else {
		uint8_t *ip = f + 14;
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, 20 + 32 + payload);
		put16(ip + 4, 100);
		ip[6] = 0x40;
		ip[8] = 64;
		ip[9] = 6;
		ip[12] = 10, ip[15] = 1, ip[16] = 10, ip[19] = 2;
		l4 = 34;
	}
	uint8_t *th = f + l4;
	memset(th, 0, 32);
	put16(th, 40000);
	put16(th + 2, 5201);
	th[4] = 0x10;                 /* seq 0x10000000 */
	th[11] = 7;
	th[12] = 8 << 4;
	th[13] = 0x18;                /* PSH ACK */
	put16(th + 14, 500);
	th[20] = 1, th[21] = 1, th[22] = 8, th[23] = 10;   /* NOP NOP timestamps */
	th[27] = 5, th[31] = 9;
	for (size_t i = 0; i < payload; i++)
		f[l4 + 32 + i] = (uint8_t)(i * 7 + 3);
	return l4 + 32 + payload;
}

static void tso_gro_round_trip(bool v6)
{
	static uint8_t f[70000], seg[16][2000];
	static struct eip_seg segs[64];
	size_t len = make_super(f, 10000, v6);
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
				     .gso_size = 1400 };
	int n = eip_tso(&vh, f, len, segs, 64);
	if (!CHECK_INT_EQ(n, 8))
		return;
	struct eip_gro g = { 0 };
	for (int i = 0; i < n; i++) {
		CHECK_INT_EQ(segs[i].hdr[0], 0x30);
		size_t hl = segs[i].hdr_len - ETHERIP_HLEN;
		memcpy(seg[i], segs[i].hdr + ETHERIP_HLEN, hl);
		memcpy(seg[i] + hl, segs[i].payload, segs[i].plen);
		size_t sl = hl + segs[i].plen;
		struct eip_tcp t;
		if (!CHECK(eip_parse_tcp(seg[i], sl, &t) == 0))
			return;
		CHECK(eip_tcp_csum_ok(seg[i], sl, &t));
		CHECK_INT_EQ(seg[i][t.l4 + 13], i == n - 1 ? 0x18 : 0x10);   /* PSH on the last only */
		if (i == 0) {
			eip_gro_start(&g, &g, seg[i], sl, &t);
		} else {
			if (!CHECK(eip_gro_can_append(&g, seg[i], sl, &t)))
				return;
			eip_gro_append(&g, seg[i], sl, &t);
		}
	}
	int niov = eip_gro_finish(&g);
	CHECK_INT_EQ(niov, n + 2);
	static uint8_t out[70000];
	size_t ol = 0;
	for (int i = 1; i < niov; i++) {
		memcpy(out + ol, g.iov[i].iov_base, g.iov[i].iov_len);
		ol += g.iov[i].iov_len;
	}
	CHECK_INT_EQ(ol, len);
	struct virtio_net_hdr got;
	memcpy(&got, g.vh, sizeof got);
	CHECK_INT_EQ(got.gso_size, 1400);
	CHECK_INT_EQ(got.csum_start, v6 ? 54 : 34);
	/* Same bytes but the TCP checksum (partial now) and, for IPv4, the IP checksum (the
	 * original had none). */
	size_t l4 = v6 ? 54 : 34;
	CHECK(memcmp(out, f, v6 ? l4 : 24) == 0);
	CHECK(memcmp(out + l4, f + l4, 16) == 0);
	CHECK(memcmp(out + l4 + 18, f + l4 + 18, len - l4 - 18) == 0);
	/* Completing the partial checksum gives a valid super-frame. */
	CHECK(eip_csum_complete(out, ol, &got) == 0);
	struct eip_tcp t;
	CHECK(eip_parse_tcp(out, ol, &t) == 0 && eip_tcp_csum_ok(out, ol, &t));
}

TEST(tso_gro_ipv4) { tso_gro_round_trip(false); }
TEST(tso_gro_ipv6) { tso_gro_round_trip(true); }

TEST(gro_refuses_gaps_and_bad_checksums)
{
	static uint8_t f[4000], a[2000], b[2000];
	static struct eip_seg segs[4];
	size_t len = make_super(f, 2000, false);
	struct virtio_net_hdr vh = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1000 };
	if (!CHECK_INT_EQ(eip_tso(&vh, f, len, segs, 4), 2))
		return;
	size_t al = segs[0].hdr_len - 2 + segs[0].plen, bl = segs[1].hdr_len - 2 + segs[1].plen;
	memcpy(a, segs[0].hdr + 2, segs[0].hdr_len - 2);
	memcpy(a + segs[0].hdr_len - 2, segs[0].payload, segs[0].plen);
	memcpy(b, segs[1].hdr + 2, segs[1].hdr_len - 2);
	memcpy(b + segs[1].hdr_len - 2, segs[1].payload, segs[1].plen);
	struct eip_tcp ta, tb;
	CHECK(eip_parse_tcp(a, al, &ta) == 0 && eip_parse_tcp(b, bl, &tb) == 0);
	struct eip_gro g = { 0 };
	eip_gro_start(&g, &g, a, al, &ta);
	CHECK(eip_gro_can_append(&g, b, bl, &tb));
	b[tb.l4 + 7] ^= 1;                       /* sequence off by one: a gap */
	CHECK(!eip_gro_can_append(&g, b, bl, &tb));
	CHECK(!eip_tcp_csum_ok(b, bl, &tb));     /* and its checksum no longer matches */
	b[tb.l4 + 7] ^= 1;
	CHECK(eip_tcp_csum_ok(b, bl, &tb));
	b[bl - 1] ^= 0x40;                        /* a payload bit flipped on the way */
	CHECK(!eip_tcp_csum_ok(b, bl, &tb));
}

/* The contract with the compiler: what lower_ferryd writes for the guide's sites, ferryd reads. */
#include <stdio.h>
#include "compiler/diag.h"
#include "compiler/exec.h"
#include "compiler/lower.h"
#include "compiler/plan.h"
#include "compiler/store.h"

static void lowered_conf_parses(const char *file, const char *local, const char *remote)
{
	struct diags d;
	diag_init(&d, stderr);
	struct store *st = store_new();
	struct plan plan;
	if (!CHECK(config_load_file(st, file, false, &d) == 0) || !CHECK(lower_store(st, &plan, &d) == 0)) {
		store_free(st);
		return;
	}
	struct ferryd_conf c;
	char *err = NULL;
	if (CHECK(plan.ferryd_yaml != NULL) &&
	    CHECK(ferryd_conf_parse(plan.ferryd_yaml, strlen(plan.ferryd_yaml), file, &c, &err) == 0)) {
		CHECK_INT_EQ(c.n_tunnels, 1);
		CHECK_STR_EQ(c.tunnels[0].name, "/Common/eip");
		CHECK_STR_EQ(c.tunnels[0].ifname, "eip");
		char l[IP_STRLEN], r[IP_STRLEN];
		ip_format(&c.tunnels[0].local, l);
		ip_format(&c.tunnels[0].remote, r);
		CHECK_STR_EQ(l, local);
		CHECK_STR_EQ(r, remote);
		ferryd_conf_free(&c);
	}
	if (err)
		unit_fail(__FILE__, __LINE__, "%s", err);
	free(err);
	plan_free(&plan);
	store_free(st);
}

TEST(conf_from_lowering_primary) { lowered_conf_parses("examples/primary-datacenter.conf", "10.133.64.245", "10.133.65.245"); }
TEST(conf_from_lowering_secondary) { lowered_conf_parses("examples/secondary-datacenter.conf", "10.133.65.245", "10.133.64.245"); }
