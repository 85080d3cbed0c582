/* Semantic validation (compiler/validate.c): each rule with its exact message, each conflict
 * reported once, the dependents of deletes and changes, and a randomized check that validating one
 * command against the store's index agrees with validating the whole config from scratch. */
#include "compiler/exec.h"
#include "compiler/print.h"
#include "compiler/util.h"
#include "compiler/validate.h"
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- helpers ---- */

struct capture {
	struct diags d;
	FILE *f;
	char *buf;
	size_t len;
};

static void capture_start(struct capture *c)
{
	memset(c, 0, sizeof *c);
	c->f = open_memstream(&c->buf, &c->len);
	diag_init(&c->d, c->f);
}

static char *capture_end(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

/* Loads TEXT (saved format or commands) as one change into a fresh store: what --check does. */
static char *check_text(const char *text, int *errors)
{
	struct capture c;
	capture_start(&c);
	struct store *st = store_new();
	int e = config_load_text(st, text, strlen(text), "t.conf", false, &c.d);
	if (errors)
		*errors = e;
	store_free(st);
	return capture_end(&c);
}

/* Runs commands one by one in a session on ST (stopping at the first failure). */
static char *run_cmds(struct store *st, const char *cmds, int *failed)
{
	struct capture c;
	capture_start(&c);
	FILE *out = fopen("/dev/null", "w");
	struct session s;
	session_init(&s, st, &c.d, out);
	int f = session_run_text(&s, cmds, strlen(cmds), "<command>", true);
	if (failed)
		*failed = f;
	fclose(out);
	return capture_end(&c);
}

static int count_lines(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The config's stderr must be exactly EXPECTED. */
#define CHECK_CONF(text, expected) do {                      \
		char *out_ = check_text((text), NULL);               \
		CHECK_STR_EQ(out_, (expected));                      \
		free(out_);                                          \
	} while (0)

/* Commands on a fresh store: stderr must be exactly EXPECTED. */
#define CHECK_CMDS(cmds, expected) do {                      \
		struct store *st_ = store_new();                     \
		char *out_ = run_cmds(st_, (cmds), NULL);            \
		CHECK_STR_EQ(out_, (expected));                      \
		free(out_);                                          \
		store_free(st_);                                     \
	} while (0)

#define BASE "create net vlan v1 interfaces add { eth1 { tagged } } tag 10; create net vlan v2 tag 20; " \
	     "create net self 10.1.1.1/24 vlan v1; "

/* ---- rule 1, 2: required properties and references ---- */

TEST(required_property)
{
	CHECK_CONF("net self /Common/s1 {\n    address 10.1.1.1/24\n}\n",
		   "t.conf:1:10: error: net self /Common/s1: vlan is required (the name of a net vlan, net "
		   "vlan-group or net tunnels tunnel)\n");
}

TEST(reference_missing_and_wrong_kind)
{
	CHECK_CMDS("create net self 10.1.1.1/24 vlan nope",
		   "<command>:1:34: error: net self /Common/10.1.1.1: vlan /Common/nope does not exist; create it "
		   "first or name an existing net vlan, net vlan-group or net tunnels tunnel\n");
	CHECK_CMDS(BASE "create net vlan-group g1 members add { 10.1.1.1 }",
		   "<command>:1:166: error: net vlan-group /Common/g1: member /Common/10.1.1.1 is a net self, not "
		   "a net vlan or net tunnels tunnel\n");
	CHECK_CMDS("create wom remote-endpoint peer ip 10.2.2.2 bandwidth-schedule nosuch",
		   "<command>:1:64: error: wom remote-endpoint /Common/peer: bandwidth-schedule /Common/nosuch "
		   "does not exist; create it first or name an existing wom bandwidth-schedule\n");
}

/* ---- rule 3: what depends on a deleted or changed object ---- */

TEST(delete_referenced)
{
	struct store *st = store_new();
	int failed;
	char *out = run_cmds(st, BASE "create net route r1 network 10.2.0.0/16 gw 10.1.1.254; "
			     "create net tunnels tunnel t1 profile etherip local-address 10.1.1.1 remote-address 10.9.9.9; "
			     "create net vlan-group g1 members add { v1 }", &failed);
	CHECK_STR_EQ(out, "");
	free(out);
	out = run_cmds(st, "delete net vlan v1", &failed);
	CHECK_STR_EQ(out, "<command>:1:17: error: net vlan /Common/v1 cannot be deleted: net self /Common/10.1.1.1 "
		     "uses it (vlan)\n<command>:1:17: error: net vlan /Common/v1 cannot be deleted: net vlan-group "
		     "/Common/g1 uses it (members)\n");
	free(out);
	out = run_cmds(st, "delete net self 10.1.1.1", &failed);
	CHECK_STR_EQ(out, "<command>:1:17: error: net self /Common/10.1.1.1 cannot be deleted: net tunnels tunnel "
		     "/Common/t1 uses it (local-address 10.1.1.1)\n<command>:1:17: error: net self /Common/10.1.1.1 "
		     "cannot be deleted: net route /Common/r1 uses it (gw 10.1.1.254 is inside 10.1.1.0/24)\n");
	free(out);
	out = run_cmds(st, "modify net self 10.1.1.1 address 10.1.1.1/16", &failed);   /* still covers both */
	CHECK_STR_EQ(out, "");
	free(out);
	out = run_cmds(st, "modify net self 10.1.1.1 address 10.1.2.1/24", &failed);
	CHECK_STR_EQ(out, "<command>:1:34: error: net self /Common/10.1.1.1: address cannot change to 10.1.2.1/24: "
		     "net tunnels tunnel /Common/t1 uses it (local-address 10.1.1.1)\n<command>:1:34: error: net "
		     "self /Common/10.1.1.1: address cannot change to 10.1.2.1/24: net route /Common/r1 uses it (gw "
		     "10.1.1.254 is inside 10.1.0.0/16)\n");
	free(out);
	/* another self on the network takes over the route; the tunnel still holds this one */
	out = run_cmds(st, "create net self 10.1.1.2/24 vlan v1; delete net self 10.1.1.1", &failed);
	CHECK_STR_EQ(out, "<command>:1:54: error: net self /Common/10.1.1.1 cannot be deleted: net tunnels tunnel "
		     "/Common/t1 uses it (local-address 10.1.1.1)\n");
	free(out);
	/* in dependency order, everything goes */
	out = run_cmds(st, "delete net tunnels tunnel t1; delete net self 10.1.1.1; delete net route r1; "
		       "delete net self 10.1.1.2; delete net vlan-group g1; delete net vlan v1 v2", &failed);
	CHECK_STR_EQ(out, "");
	CHECK_INT_EQ(st->count, 0);
	free(out);
	store_free(st);
}

TEST(change_tunnel_profile_in_group)
{
	CHECK_CMDS(BASE "create net tunnels tunnel t1 profile etherip local-address 10.1.1.1 remote-address "
		   "10.2.2.2; create net vlan-group g1 members add { t1 v2 }; modify net tunnels tunnel t1 profile ipip",
		   "<command>:1:305: error: net tunnels tunnel /Common/t1: profile cannot change to ipip: net "
		   "vlan-group /Common/g1 bridges it (members), and only etherip, gre, vxlan and geneve tunnels "
		   "carry Ethernet frames\n");
}

/* ---- rule 4: self IPs ---- */

TEST(self_duplicate_and_overlap)
{
	CHECK_CMDS(BASE "create net self 10.1.1.2/16 vlan v2",
		   "<command>:1:143: error: net self /Common/10.1.1.2: address 10.1.1.2/16 overlaps net self "
		   "/Common/10.1.1.1 (10.1.1.1/24) on /Common/v1: the same network on two VLANs is ambiguous; put "
		   "both on one VLAN or use networks that do not overlap\n");
	CHECK_CMDS(BASE "create net self s2 address 10.1.1.1/24 vlan v1",
		   "<command>:1:154: error: net self /Common/s2: address 10.1.1.1 is already the address of net "
		   "self /Common/10.1.1.1; each self IP needs its own address\n");
	CHECK_CMDS(BASE "create net self 10.1.1.2/24 vlan v1; create net self 10.1.1.3/25 vlan v1", "");
	CHECK_CMDS(BASE "create net self 10.1.1.0/24 vlan v1",
		   "<command>:1:143: error: net self /Common/10.1.1.0: address 10.1.1.0/24 is the network address "
		   "of its network; a self IP needs a host address, like 10.1.1.1/24\n");
	CHECK_CMDS(BASE "create net self 10.1.1.255/24 vlan v1",
		   "<command>:1:143: error: net self /Common/10.1.1.255: address 10.1.1.255/24 is the broadcast "
		   "address of its network; a self IP needs a host address, like 10.1.1.254/24\n");
	CHECK_CMDS(BASE "create net self 10.1.1.9/31 vlan v2; create net self 10.1.1.8/31 vlan v2",
		   "<command>:1:143: error: net self /Common/10.1.1.9: address 10.1.1.9/31 overlaps net self "
		   "/Common/10.1.1.1 (10.1.1.1/24) on /Common/v1: the same network on two VLANs is ambiguous; put "
		   "both on one VLAN or use networks that do not overlap\n");
}

TEST(self_overlap_reported_once)
{
	int errors;
	char *out = check_text("create net vlan v1\ncreate net vlan v2\ncreate net vlan v3\n"
			       "create net self 10.1.0.1/16 vlan v1\ncreate net self 10.1.1.1/24 vlan v2\n"
			       "create net self 10.1.2.1/24 vlan v3\n", &errors);
	/* the /16 on v1 overlaps each /24; the two /24s do not overlap each other */
	CHECK_INT_EQ(errors, 2);
	CHECK_INT_EQ(count_lines(out, "overlaps"), 2);
	CHECK(strstr(out, "t.conf:5:17: error: net self /Common/10.1.1.1: address 10.1.1.1/24 overlaps net "
		      "self /Common/10.1.0.1 (10.1.0.1/16) on /Common/v1") != NULL);
	free(out);
}

TEST(self_ipv6)
{
	CHECK_CMDS("create net vlan v1; create net vlan v2; create net self 2001:db8::1/64 vlan v1; "
		   "create net self 2001:db8::2/48 vlan v2",
		   "<command>:1:97: error: net self /Common/2001:db8::2: address 2001:db8::2/48 overlaps net "
		   "self /Common/2001:db8::1 (2001:db8::1/64) on /Common/v1: the same network on two VLANs is "
		   "ambiguous; put both on one VLAN or use networks that do not overlap\n");
	CHECK_CMDS("create net vlan v1; create net vlan v2; create net self 2001:db8::1/64 vlan v1; "
		   "create net self 2001:db8:1::1/64 vlan v2; create net self 10.0.0.1/8 vlan v2", "");
}

/* ---- rule 5: tunnels ---- */

TEST(tunnel_rules)
{
	CHECK_CMDS(BASE "create net tunnels tunnel t1 profile etherip local-address 10.1.1.9 remote-address 10.2.2.2",
		   "<command>:1:186: error: net tunnels tunnel /Common/t1: local-address 10.1.1.9 is not the "
		   "address of any net self; a tunnel starts at one of this box's self IPs: create net self "
		   "10.1.1.9/LEN vlan VLAN or use an existing self IP's address\n");
	CHECK_CMDS("create net tunnels tunnel t1 profile gre",
		   "<command>:1:27: error: net tunnels tunnel /Common/t1: local-address is required for profile "
		   "gre; give the address of one of this box's self IPs\n<command>:1:27: error: net tunnels "
		   "tunnel /Common/t1: remote-address is required for profile gre; give the far end's address\n");
	CHECK_CMDS("create net tunnels tunnel t1 profile wan-optimized", "");
	CHECK_CMDS(BASE "create net tunnels tunnel t1 profile vxlan local-address 10.1.1.1 remote-address any key 5000",
		   "");
	CHECK_CMDS(BASE "create net tunnels tunnel t1 profile etherip local-address 10.1.1.1 remote-address any",
		   "<command>:1:210: error: net tunnels tunnel /Common/t1: remote-address any works only for vxlan "
		   "and geneve; an etherip tunnel needs the far end's address\n");
	CHECK_CMDS(BASE "create net tunnels tunnel t1 profile gre local-address 10.1.1.1 remote-address 2001:db8::1",
		   "<command>:1:206: error: net tunnels tunnel /Common/t1: remote-address 2001:db8::1 is IPv6 but "
		   "local-address 10.1.1.1 is IPv4; both ends of a tunnel use one family\n");
	CHECK_CMDS(BASE "create net tunnels tunnel t1 profile etherip local-address 10.1.1.1 remote-address "
		   "10.2.2.2 key 7",
		   "<command>:1:223: error: net tunnels tunnel /Common/t1: key 7 does not apply to profile etherip; "
		   "only gre (key), vxlan and geneve (network identifier) tunnels carry one: remove it or set key 0\n");
	CHECK_CMDS(BASE "create net tunnels tunnel t1 profile etherip local-address 10.1.1.1 remote-address "
		   "10.2.2.2 key 0", "");
	CHECK_CMDS(BASE "create net tunnels tunnel t1 profile geneve local-address 10.1.1.1 key 16777216",
		   "<command>:1:198: error: net tunnels tunnel /Common/t1: key 16777216 is too large for a geneve "
		   "network identifier; VNIs are 0..16777215\n");
	CHECK_CMDS(BASE "create net tunnels tunnel t1 profile gre local-address 10.1.1.1 remote-address 10.2.2.2 "
		   "key 1; create net tunnels tunnel t2 profile gre local-address 10.1.1.1 remote-address 10.2.2.2 key 1",
		   "<command>:1:277: error: net tunnels tunnel /Common/t2: same profile, local-address, "
		   "remote-address and key as net tunnels tunnel /Common/t1; the two ends could not tell the "
		   "tunnels apart: change the key or an address\n");
}

/* ---- rule 6: routes ---- */

TEST(route_rules)
{
	CHECK_CMDS(BASE "create net route r1 network 10.2.0.0/16",
		   "<command>:1:144: error: net route /Common/r1: no next hop; give one of gw ADDRESS, interface "
		   "NAME or blackhole\n");
	CHECK_CMDS(BASE "create net route r1 network 10.2.0.0/16 gw 10.1.1.254 blackhole",
		   "<command>:1:181: error: net route /Common/r1: gw and blackhole are both given; a route takes "
		   "exactly one of gw, interface or blackhole\n");
	CHECK_CMDS(BASE "create net route r1 network 10.2.0.0/16 gw 10.9.9.1",
		   "<command>:1:170: error: net route /Common/r1: gw 10.9.9.1 is not inside any self IP's network; "
		   "add a self IP on that network or use interface\n");
	CHECK_CMDS(BASE "create net route r1 network default-inet6 gw 10.1.1.254",
		   "<command>:1:172: error: net route /Common/r1: gw 10.1.1.254 is IPv4 but network default-inet6 is "
		   "IPv6; the next hop must be of the network's family\n");
	CHECK_CMDS(BASE "create net route r1 network default gw 10.1.1.1",
		   "<command>:1:166: error: net route /Common/r1: gw 10.1.1.1 is this box's own address (net self "
		   "/Common/10.1.1.1); the gateway is the next router on that network\n");
	CHECK_CMDS(BASE "create net route r1 network 10.2.0.0/16 gw 10.1.1.254; create net route r2 network "
		   "10.2.0.0/16 interface v1",
		   "<command>:1:210: error: net route /Common/r2: network 10.2.0.0/16 is already routed by net route "
		   "/Common/r1; one route per network: modify that route instead\n");
	CHECK_CMDS(BASE "create net route r1 network 10.2.0.0/16 interface v1; create net route r2 network "
		   "10.3.0.0/16 blackhole; create net route r3 network default gw 10.1.1.254", "");
	CHECK_CMDS("create net vlan v1; create net self 2001:db8::1/64 vlan v1; create net route r6 network "
		   "2001:db8:99::/48 gw 2001:db8::fe; create net route r7 network default-inet6 gw 2001:db8:1::1",
		   "<command>:1:168: error: net route /Common/r7: gw 2001:db8:1::1 is not inside any self IP's "
		   "network; add a self IP on that network or use interface\n");
}

/* ---- rule 7: VLANs ---- */

TEST(vlan_rules)
{
	CHECK_CMDS(BASE "create net vlan v3 interfaces add { eth1 { tagged } } tag 10",
		   "<command>:1:163: error: net vlan /Common/v3: interface eth1 already carries tag 10 in net vlan "
		   "/Common/v1; a tag names one VLAN on an interface: use another tag or another interface\n");
	CHECK_CMDS("create net vlan v1 interfaces add { eth2 }; create net vlan v2 interfaces add { eth2 }",
		   "<command>:1:81: error: net vlan /Common/v2: interface eth2 is already untagged in net vlan "
		   "/Common/v1; an interface carries untagged frames for one VLAN only: make one of them tagged\n");
	CHECK_CMDS("create net vlan v1 interfaces add { eth2 { tagged } }",
		   "<command>:1:37: error: net vlan /Common/v1: interface eth2 is tagged but the VLAN has no tag; "
		   "give tag 1..4094 or make eth2 untagged\n");
	/* a trunk: one untagged VLAN and tagged ones on the same port; the same tag on other ports */
	CHECK_CMDS("create net vlan v1 interfaces add { eth1 } tag 5; create net vlan v2 interfaces add { eth1 { "
		   "tagged } } tag 10; create net vlan v3 interfaces add { eth2 { tagged } } tag 10", "");
	/* the tag moves: modify is checked against the others, not against its old self */
	CHECK_CMDS(BASE "modify net vlan v1 tag 11; create net vlan v3 interfaces add { eth1 { tagged } } tag 10",
		   "");
}

/* ---- rule 8: VLAN groups ---- */

TEST(group_rules)
{
	CHECK_CMDS(BASE "create net vlan-group g1 members add { v1 }; create net vlan-group g2 members add { v1 v2 }",
		   "<command>:1:211: error: net vlan-group /Common/g2: member /Common/v1 is already in net vlan-group "
		   "/Common/g1; a VLAN or tunnel belongs to one group at most\n");
	CHECK_CMDS(BASE "create net vlan-group g1 members add { v2 } mac-masquerade 01:01:d7:92:c0:c4",
		   "<command>:1:186: error: net vlan-group /Common/g1: mac-masquerade 01:01:d7:92:c0:c4 is a "
		   "multicast address (bit 0 of the first octet is set) and cannot be a source MAC; use the "
		   "unicast, locally administered 02:01:d7:92:c0:c4 (first octet 02: bit 0 cleared, bit 1 set)\n");
	CHECK_CMDS(BASE "create net vlan-group g1 members add { v2 } mac-masquerade 03:01:d7:92:c0:c4",
		   "<command>:1:186: error: net vlan-group /Common/g1: mac-masquerade 03:01:d7:92:c0:c4 is a "
		   "multicast address (bit 0 of the first octet is set) and cannot be a source MAC; use the "
		   "unicast, locally administered 02:01:d7:92:c0:c4 (first octet 02: bit 0 cleared, bit 1 set)\n");
	CHECK_CMDS(BASE "create net vlan-group g1 members add { v2 } mac-masquerade 00:01:d7:92:c0:c4",
		   "<command>:1:186: warning: net vlan-group /Common/g1: mac-masquerade 00:01:d7:92:c0:c4 is not "
		   "locally administered (bit 1 of the first octet is clear) and may clash with a vendor-assigned "
		   "address; the SOL3523 form is 02:01:d7:92:c0:c4 (run util mac-masquerade derive "
		   "00:01:d7:92:c0:c4)\n");
	CHECK_CMDS(BASE "create net vlan-group g1 members add { v1 } mac-masquerade 02:01:d7:92:c0:c4", "");
	CHECK_CMDS("create net vlan-group g1",
		   "<command>:1:23: warning: net vlan-group /Common/g1: has no members; it bridges nothing until "
		   "you add VLANs or tunnels (members add { NAME ... })\n");
	CHECK_CMDS(BASE "create net tunnels tunnel t1 profile ipip local-address 10.1.1.1 remote-address 10.2.2.2; "
		   "create net vlan-group g1 members add { t1 }",
		   "<command>:1:256: error: net vlan-group /Common/g1: member /Common/t1 is an ipip tunnel, which "
		   "carries IP packets, not Ethernet frames; a VLAN group bridges VLANs and etherip, gre, vxlan or "
		   "geneve tunnels\n");
}

/* ---- rule 9: wom ---- */

TEST(wom_rules)
{
	CHECK_CMDS("create wom local-endpoint ip 10.1.1.1; create wom remote-endpoint peer ip 10.1.1.1",
		   "<command>:1:75: error: wom remote-endpoint /Common/peer: ip 10.1.1.1 is this site's own wom "
		   "local-endpoint ip; a remote endpoint is the peer site's ferryd\n");
	CHECK_CMDS("create wom remote-endpoint peer ip 10.2.2.2; create wom proxy p1 listen 10.1.1.1:8000 destination "
		   "10.3.3.3:8000 remote-endpoint peer; create wom proxy p2 listen 10.1.1.1:8000 destination "
		   "10.3.3.4:8000 remote-endpoint peer",
		   "<command>:1:162: error: wom proxy /Common/p2: listen 10.1.1.1:8000 is already the listen address "
		   "of wom proxy /Common/p1; each proxy needs its own address:port\n");
	CHECK_CMDS("create wom intercept i1 source 10.0.0.0/8 destination 2001:db8::/32",
		   "<command>:1:55: error: wom intercept /Common/i1: destination 2001:db8::/32 is IPv6 but source "
		   "10.0.0.0/8 is IPv4; an intercept matches one family: write two intercepts\n");
	CHECK_CMDS("create wom intercept i1 source any destination [2001:db8::/32]:8000", "");
	CHECK_CMDS("create wom bandwidth-schedule s1 entries add { weekdays 08:00-18:00 20mbit weekdays "
		   "17:00-20:00 50mbit }",
		   "<command>:1:76: error: wom bandwidth-schedule /Common/s1: entries 'weekdays 17:00-20:00 50mbit' "
		   "overlaps 'weekdays 08:00-18:00 20mbit' (weekdays 17:00-18:00); one rate applies at a time: make "
		   "the ranges meet without overlapping\n");
	CHECK_CMDS("create wom bandwidth-schedule s1 entries add { weekdays 08:00-18:00 20mbit weekdays "
		   "18:00-20:00 50mbit weekends 08:00-20:00 1gbit }", "");
	CHECK_CMDS("create wom bandwidth-schedule s1 entries add { sat 10:00-11:00 20mbit daily 00:00-24:00 50mbit }",
		   "<command>:1:71: error: wom bandwidth-schedule /Common/s1: entries 'daily 00:00-24:00 50mbit' "
		   "overlaps 'sat 10:00-11:00 20mbit' (sat 10:00-11:00); one rate applies at a time: make the ranges "
		   "meet without overlapping\n");
}

/* ---- journal mechanics ---- */

TEST(rollback_keeps_index_in_step)
{
	struct store *st = store_new();
	char *out = run_cmds(st, BASE "create net self 10.1.1.2/16 vlan v2", NULL);   /* fails, rolled back */
	free(out);
	out = run_cmds(st, "create net self 10.1.1.2/24 vlan v1; create net route r1 network 10.2.0.0/16 gw 10.1.1.9",
		       NULL);
	CHECK_STR_EQ(out, "");
	free(out);
	struct capture c;
	capture_start(&c);
	CHECK_INT_EQ(validate_all(st, &c.d), 0);
	free(capture_end(&c));
	store_free(st);
}

/* ---- incremental and full validation agree ---- */

static unsigned long rng_state = 12345;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static const char *pick(const char *const *v, size_t n)
{
	return v[rnd((unsigned)n)];
}

#define PICK(v) pick(v, sizeof v / sizeof v[0])

static void random_command(char *buf, size_t len)
{
	static const char *const vlans[] = { "v1", "v2", "v3" };
	static const char *const ifs[] = { "eth1", "eth2" };
	static const char *const tagging[] = { "", " { tagged }" };
	static const char *const tags[] = { "", " tag 10", " tag 20" };
	static const char *const self_addrs[] = { "10.0.0.1/24", "10.0.0.2/24", "10.0.0.1/16", "10.0.1.1/24",
		"2001:db8::1/64", "2001:db8::2/48", "10.0.0.2/25" };
	static const char *const selfs[] = { "s1", "s2", "s3" };
	static const char *const l2[] = { "v1", "v2", "v3", "t1", "t2", "g1" };
	static const char *const nets[] = { "10.9.0.0/16", "10.8.0.0/16", "default", "default-inet6",
		"2001:db8:9::/48" };
	static const char *const gws[] = { "10.0.0.254", "10.0.1.254", "10.0.0.1", "2001:db8::fe", "10.5.5.5" };
	static const char *const nh[] = { " gw", " interface", " blackhole" };
	static const char *const routes[] = { "r1", "r2", "r3" };
	static const char *const tunnels[] = { "t1", "t2" };
	static const char *const profiles[] = { "etherip", "gre", "vxlan", "ipip", "wan-optimized" };
	static const char *const locals[] = { "10.0.0.1", "10.0.0.2", "10.0.1.1", "2001:db8::1" };
	static const char *const remotes[] = { "10.7.7.7", "any", "2001:db8:7::7" };
	static const char *const groups[] = { "g1", "g2" };
	static const char *const members[] = { "v1", "v2", "v3", "t1", "t2" };
	static const char *const macs[] = { "02:00:00:00:00:01", "02:00:00:00:00:02" };
	static const char *const ips[] = { "10.6.6.6", "10.6.6.7" };
	char a[160];
	switch (rnd(7)) {
	case 0: {
		const char *v = PICK(vlans);
		if (rnd(4) == 0) {
			snprintf(buf, len, "delete net vlan %s", v);
			return;
		}
		snprintf(buf, len, "%s net vlan %s interfaces replace-all-with { %s%s }%s", rnd(2) ? "create" : "modify",
			 v, PICK(ifs), PICK(tagging), PICK(tags));
		return;
	}
	case 1: {
		const char *s = PICK(selfs);
		if (rnd(4) == 0)
			snprintf(buf, len, "delete net self %s", s);
		else if (rnd(2))
			snprintf(buf, len, "create net self %s address %s vlan %s", s, PICK(self_addrs), PICK(l2));
		else
			snprintf(buf, len, "modify net self %s address %s", s, PICK(self_addrs));
		return;
	}
	case 2: {
		const char *r = PICK(routes), *h = PICK(nh);
		if (rnd(4) == 0) {
			snprintf(buf, len, "delete net route %s", r);
			return;
		}
		if (strcmp(h, " gw") == 0)
			snprintf(a, sizeof a, " gw %s", PICK(gws));
		else if (strcmp(h, " interface") == 0)
			snprintf(a, sizeof a, " interface %s", PICK(l2));
		else
			snprintf(a, sizeof a, " blackhole");
		snprintf(buf, len, "create net route %s network %s%s", r, PICK(nets), a);
		return;
	}
	case 3: {
		const char *t = PICK(tunnels);
		if (rnd(4) == 0)
			snprintf(buf, len, "delete net tunnels tunnel %s", t);
		else if (rnd(2))
			snprintf(buf, len, "create net tunnels tunnel %s profile %s local-address %s remote-address %s", t,
				 PICK(profiles), PICK(locals), PICK(remotes));
		else
			snprintf(buf, len, "modify net tunnels tunnel %s profile %s", t, PICK(profiles));
		return;
	}
	case 4: {
		const char *g = PICK(groups);
		if (rnd(4) == 0)
			snprintf(buf, len, "delete net vlan-group %s", g);
		else
			snprintf(buf, len, "create net vlan-group %s members add { %s } mac-masquerade %s", g,
				 PICK(members), PICK(macs));
		return;
	}
	case 5:
		if (rnd(3) == 0)
			snprintf(buf, len, "delete wom remote-endpoint peer");
		else
			snprintf(buf, len, "%s wom remote-endpoint peer ip %s", rnd(2) ? "create" : "modify", PICK(ips));
		return;
	default:
		if (rnd(3) == 0)
			snprintf(buf, len, "delete wom local-endpoint");
		else
			snprintf(buf, len, "%s wom local-endpoint ip %s", rnd(2) ? "create" : "modify", PICK(ips));
		return;
	}
}

/* Every command is validated against the store's index (validate_journal with one change). The
 * same command appended to the saved config and checked from scratch must get the same verdict,
 * and the store a session leaves must always check clean. */
TEST(incremental_agrees_with_full)
{
	struct store *st = store_new();
	int accepted = 0, rejected = 0;
	const char *seed = getenv("FERRY_TEST_SEED");     /* another sequence: FERRY_TEST_SEED=N */
	if (seed)
		rng_state = strtoul(seed, NULL, 10);
	for (int step = 0; step < 1500; step++) {
		char cmd[300];
		random_command(cmd, sizeof cmd);
		struct strbuf saved;
		sb_init(&saved);
		print_store(&saved, st, PRINT_SAVED);
		int failed;
		char *out = run_cmds(st, cmd, &failed);
		sb_puts(&saved, cmd);
		sb_putc(&saved, '\n');
		int full_errors;
		char *full = check_text(saved.buf, &full_errors);
		if (!CHECK_INT_EQ(failed != 0, full_errors != 0))
			unit_fail(__FILE__, __LINE__, "step %d: '%s'\n  incremental: %s  full: %s", step, cmd, out, full);
		accepted += !failed;
		rejected += failed != 0;
		free(out);
		free(full);
		sb_free(&saved);
		struct capture c;
		capture_start(&c);
		int errors = validate_all(st, &c.d);
		char *all = capture_end(&c);
		if (!CHECK_INT_EQ(errors, 0))
			unit_fail(__FILE__, __LINE__, "step %d: after '%s' the store does not check clean:\n%s", step,
				  cmd, all);
		free(all);
	}
	CHECK(accepted > 200);
	CHECK(rejected > 200);
	store_free(st);
}

/* ---- cost ---- */

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One command against a large store costs what that object touches, not the store's size: 2,000
 * route creates on top of 20,000 routes must not cost 2,000 full validations. */
TEST(single_change_is_cheap)
{
	struct strbuf sb;
	sb_init(&sb);
	for (int v = 1; v <= 100; v++)
		sb_printf(&sb, "create net vlan v%d tag %d\ncreate net self 10.%d.%d.1/24 vlan v%d\n", v, v, v / 256,
			  v % 256, v);
	for (int i = 0; i < 20000; i++)
		sb_printf(&sb, "create net route r%d network 20.%d.%d.0/24 gw 10.0.%d.254\n", i, i / 256, i % 256,
			  i % 100 + 1);
	struct store *st = store_new();
	struct capture c;
	capture_start(&c);
	double t0 = now();
	CHECK_INT_EQ(config_load_text(st, sb.buf, sb.len, "big.conf", false, &c.d), 0);
	double load = now() - t0;
	free(capture_end(&c));
	sb_free(&sb);
	sb_init(&sb);
	for (int i = 0; i < 2000; i++)
		sb_printf(&sb, "create net route n%d network 30.%d.%d.0/24 gw 10.0.%d.254\n", i, i / 256, i % 256,
			  i % 100 + 1);
	sb_puts(&sb, "delete net self 10.0.7.1\n");      /* refused: 220 routes need it */
	t0 = now();
	int failed;
	char *out = run_cmds(st, sb.buf, &failed);
	double cmds = now() - t0;
	CHECK_INT_EQ(failed, 1);
	CHECK_INT_EQ(count_lines(out, "cannot be deleted"), 220);   /* 200 + 20 of the new ones */
	free(out);
	sb_free(&sb);
	/* a full validation of 20,000 routes per command would take 2,000 times the load */
	if (!CHECK(cmds < load * 20 + 0.5))
		unit_fail(__FILE__, __LINE__, "2,001 commands took %.3f s; loading 20,200 objects took %.3f s",
			  cmds, load);
	store_free(st);
}
