/* The completion engine, without a terminal: text typed so far and a session in, candidates out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compiler/exec.h"
#include "compiler/util.h"
#include "shell/complete.h"
#include "tests/unit/unit.h"

struct fixture {
	struct store *store;
	struct diags diags;
	struct session s;
	char netdevs[64];
	struct completion c;
	char words[8192];
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	f->store = store_new();
	diag_init(&f->diags, stderr);
	session_init(&f->s, f->store, &f->diags, stdout);
	/* a fake /sys/class/net */
	snprintf(f->netdevs, sizeof f->netdevs, "/tmp/ferry-unit-netdevs.XXXXXX");
	if (mkdtemp(f->netdevs)) {
		const char *devs[] = { "lo", "eth0", "eth1", "eth3", "wlan0" };
		for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++) {
			char p[128];
			snprintf(p, sizeof p, "%s/%s", f->netdevs, devs[i]);
			mkdir(p, 0755);
		}
	}
}

static void run(struct fixture *f, const char *cmds)
{
	if (session_run_text(&f->s, cmds, strlen(cmds), "<setup>", true) != 0)
		unit_fail(__FILE__, __LINE__, "setup commands failed: %s", cmds);
}

/* Completes TEXT; returns the insertable words, space separated (placeholders in <>, kept too). */
static const char *comp(struct fixture *f, const char *text)
{
	completion_free(&f->c);
	struct complete_opts o = { f->netdevs, 0 };
	complete(text, strlen(text), &f->s, &o, &f->c);
	f->words[0] = 0;
	for (size_t i = 0; i < f->c.n; i++) {
		size_t used = strlen(f->words);
		snprintf(f->words + used, sizeof f->words - used, "%s%s", used ? " " : "", f->c.cands[i].word);
	}
	return f->words;
}

static bool has(struct fixture *f, const char *text, const char *word)
{
	comp(f, text);
	for (size_t i = 0; i < f->c.n; i++)
		if (strcmp(f->c.cands[i].word, word) == 0)
			return true;
	return false;
}

static void teardown(struct fixture *f)
{
	completion_free(&f->c);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->netdevs);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->netdevs);
	session_free(&f->s);
	store_free(f->store);
}

TEST(commands_and_modules_at_the_start)
{
	struct fixture f;
	setup(&f);
	CHECK_STR_EQ(comp(&f, "cr"), "create");
	CHECK_STR_EQ(f.c.common, "create");
	CHECK_INT_EQ(f.c.start, 0);
	CHECK(has(&f, "", "net"));
	CHECK(has(&f, "", "wom"));
	CHECK(has(&f, "", "submit"));
	/* the help text comes from the grammar */
	comp(&f, "sav");
	if (CHECK_INT_EQ(f.c.n, 1))
		CHECK_STR_EQ(f.c.cands[0].help, "write the configuration to disk");
	/* inside a module: its kinds and submodules, which typing enters */
	run(&f, "net");
	CHECK(has(&f, "", "vlan-group"));
	CHECK(has(&f, "", "tunnels"));
	CHECK(has(&f, "", "wom"));
	teardown(&f);
}

TEST(module_and_kind_words_after_a_verb)
{
	struct fixture f;
	setup(&f);
	CHECK_STR_EQ(comp(&f, "create n"), "net");
	CHECK_INT_EQ(f.c.start, 7);
	CHECK_STR_EQ(comp(&f, "create net vlan"), "vlan vlan-group");
	CHECK_STR_EQ(f.c.common, "vlan");
	CHECK_STR_EQ(comp(&f, "create net t"), "tunnels");
	CHECK_STR_EQ(comp(&f, "create net tunnels "), "tunnel");
	CHECK_STR_EQ(comp(&f, "create net tunnel t"), "tunnel");     /* the legacy spelling */
	CHECK_STR_EQ(comp(&f, "create w"), "wom");
	CHECK(has(&f, "create ", "cli"));
	CHECK(!has(&f, "create ", "sys"));                         /* nothing to create there */
	CHECK_STR_EQ(comp(&f, "create cli t"), "transaction");
	CHECK_STR_EQ(comp(&f, "submit c"), "cli");
	CHECK_STR_EQ(comp(&f, "show s"), "sys");
	CHECK_STR_EQ(comp(&f, "show sys v"), "version");
	CHECK(has(&f, "list ", "one-line"));
	teardown(&f);
}

TEST(existing_object_names_of_the_right_kind)
{
	struct fixture f;
	setup(&f);
	run(&f, "create net vlan vlan-eip1 tag 1; create net vlan vlan-eip2 tag 2; create net vlan other tag 3;"
		"create net route r1 network 10.1.0.0/16 blackhole; create net vlan /Part/v9 tag 9");
	CHECK_STR_EQ(comp(&f, "modify net vlan vl"), "vlan-eip1 vlan-eip2");
	CHECK_STR_EQ(f.c.common, "vlan-eip");
	CHECK_INT_EQ(f.c.total, 2);
	CHECK_STR_EQ(comp(&f, "modify net vlan "), "other vlan-eip1 vlan-eip2");
	CHECK_STR_EQ(comp(&f, "modify net route "), "r1");
	CHECK_STR_EQ(comp(&f, "list net vlan /P"), "/Part/v9");
	/* delete takes several: the ones given are not offered again */
	CHECK_STR_EQ(comp(&f, "delete net vlan vlan-eip1 vlan-"), "vlan-eip2");
	CHECK_STR_EQ(comp(&f, "list net vlan other o"), "one-line");
	/* a new name is not completed, only described */
	comp(&f, "create net vlan ");
	if (CHECK_INT_EQ(f.c.n, 1)) {
		CHECK_STR_EQ(f.c.cands[0].word, "<name>");
		CHECK(f.c.cands[0].placeholder);
	}
	CHECK_INT_EQ(f.c.total, 0);
	teardown(&f);
}

TEST(property_names_not_yet_given)
{
	struct fixture f;
	setup(&f);
	CHECK_STR_EQ(comp(&f, "create net vlan v "), "description interfaces mtu tag");
	CHECK_STR_EQ(comp(&f, "create net vlan v tag 5 "), "description interfaces mtu");
	/* a list may be given again (its adds accumulate); a scalar may not */
	CHECK_STR_EQ(comp(&f, "create net vlan-group g members add { a } mode opaque m"), "mac-masquerade members");
	CHECK_STR_EQ(comp(&f, "create net vlan v tag 5 m"), "mtu");
	CHECK_STR_EQ(comp(&f, "create net self 10.0.0.1/24 v"), "vlan");
	CHECK_STR_EQ(comp(&f, "create net tunnels tunnel t { local-address 10.0.0.1 pro"), "profile");
	/* after a flag, the next property */
	CHECK(has(&f, "create net route r blackhole ", "network"));
	CHECK(!has(&f, "create net route r blackhole ", "blackhole"));
	/* a value is described */
	comp(&f, "create net vlan v tag ");
	if (CHECK_INT_EQ(f.c.n, 1)) {
		CHECK_STR_EQ(f.c.cands[0].word, "<1..4094>");
		CHECK_STR_EQ(f.c.cands[0].help, "an integer 1..4094");
	}
	CHECK_STR_EQ(f.c.what, "tag: 802.1Q VLAN id used on tagged interfaces");
	teardown(&f);
}

TEST(enum_values_and_references)
{
	struct fixture f;
	setup(&f);
	run(&f, "create net vlan v1 tag 1; create net self 10.9.9.1/24 vlan v1; create net tunnels tunnel eip "
		"profile etherip local-address 10.9.9.1 remote-address 10.9.8.1;"
		"create net vlan-group g1 members add { v1 }");
	CHECK_STR_EQ(comp(&f, "create net vlan-group g mode t"), "translucent transparent");
	CHECK_STR_EQ(f.c.common, "trans");
	CHECK_STR_EQ(comp(&f, "create net tunnels tunnel t profile e"), "etherip");
	CHECK_STR_EQ(comp(&f, "create net tunnels tunnel t tos "), "preserve <0..255>");
	/* a self's vlan may be a VLAN, a VLAN group or a tunnel */
	CHECK_STR_EQ(comp(&f, "create net self 10.0.0.1/24 vlan "), "eip g1 v1 <name>");
	CHECK_STR_EQ(comp(&f, "create wom remote-endpoint r bandwidth-schedule "), "none <name>");
	teardown(&f);
}

TEST(list_operations_and_items)
{
	struct fixture f;
	setup(&f);
	run(&f, "create net vlan v1 tag 1; create net vlan v2 tag 2; create net self 10.9.9.1/24 vlan v1; "
		"create net tunnels tunnel eip profile etherip local-address 10.9.9.1 remote-address 10.9.8.1;"
		"create net vlan-group g1 members add { v1 eip }");
	CHECK_STR_EQ(comp(&f, "create net vlan-group g members "), "add delete none replace-all-with {");
	CHECK_STR_EQ(comp(&f, "create net vlan v interfaces "), "add delete modify none replace-all-with {");
	CHECK_STR_EQ(comp(&f, "create net vlan-group g members add "), "{");
	CHECK_STR_EQ(comp(&f, "create net vlan-group g members add { "), "eip v1 v2 <name> }");
	CHECK_STR_EQ(comp(&f, "create net vlan-group g members add { eip "), "v1 v2 <name> }");
	/* delete offers what is in the list now */
	CHECK_STR_EQ(comp(&f, "modify net vlan-group g1 members delete { "), "eip v1 }");
	/* the guide's repeated add */
	CHECK_STR_EQ(comp(&f, "create net vlan-group vg-eip mode transparent members add { eip } members add { v"),
		     "v1 v2 <name>");
	CHECK_STR_EQ(comp(&f, "create net self 10.0.0.1/24 vlan v1 allow-service "),
		     "add delete none replace-all-with all default {");
	teardown(&f);
}

TEST(interfaces_from_the_kernel_and_item_words)
{
	struct fixture f;
	setup(&f);
	CHECK_STR_EQ(comp(&f, "create net vlan v interfaces add { e"), "eth0 eth1 eth3 <name>");
	CHECK_STR_EQ(comp(&f, "create net vlan v interfaces add { eth3 { "), "tagged untagged }");
	CHECK_STR_EQ(comp(&f, "create net vlan v interfaces add { eth3 { un"), "untagged");
	CHECK_STR_EQ(comp(&f, "create net vlan v interfaces add { eth3 { untagged } "),
		     "eth0 eth1 eth3 lo wlan0 <name> }");
	CHECK_STR_EQ(comp(&f, "create net vlan v interfaces add { eth3 { untagged } } t"), "tag");
	teardown(&f);
}

TEST(inside_braces_and_over_several_lines)
{
	struct fixture f;
	setup(&f);
	CHECK_STR_EQ(comp(&f, "create net vlan v {\n    tag 5\n    "), "description interfaces mtu");
	CHECK_STR_EQ(comp(&f, "create net vlan v {\n    interfaces {\n        eth3 { t"), "tagged");
	CHECK(complete_needs_more("create net vlan v {\n    tag 5\n", 27));
	CHECK(!complete_needs_more("create net vlan v { tag 5 }\n", 28));
	CHECK(complete_needs_more("create net vlan v description \"open", 35));
	CHECK(!complete_needs_more("create net vlan v description \"a { b\"", 37));
	CHECK(complete_needs_more("create net vlan v \\\n", 20));
	CHECK(!complete_needs_more("list # { not a brace", 20));
	/* a later statement on the same line */
	CHECK_STR_EQ(comp(&f, "list; cre"), "create");
	/* inside an open quote there is nothing to complete */
	comp(&f, "create net vlan v description \"my de");
	CHECK(f.c.in_string);
	CHECK_INT_EQ(f.c.n, 0);
	teardown(&f);
}

TEST(kind_context)
{
	struct fixture f;
	setup(&f);
	run(&f, "create net vlan v1 tag 1; create net vlan-group vg-eip members add { v1 }; net vlan-group");
	CHECK_STR_EQ(comp(&f, "modify v"), "vg-eip");
	CHECK_STR_EQ(comp(&f, "create vg2 m"), "mac-masquerade members mode");
	CHECK_STR_EQ(comp(&f, "create x members add { "), "v1 <name> }");
	CHECK(has(&f, "list ", "net"));          /* a path from the root still works */
	CHECK(has(&f, "list ", "one-line"));
	CHECK_STR_EQ(comp(&f, "list net vlan "), "v1 all-properties one-line");
	/* at the start: commands and the sibling kinds */
	CHECK(has(&f, "", "vlan"));
	CHECK(has(&f, "", "self"));
	teardown(&f);
}

TEST(files_after_file)
{
	struct fixture f;
	setup(&f);
	char dir[64] = "/tmp/ferry-unit-files.XXXXXX";
	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	char p[128], text[256];
	snprintf(p, sizeof p, "%s/site-a.conf", dir);
	FILE *fp = fopen(p, "w");
	if (fp)
		fclose(fp);
	snprintf(p, sizeof p, "%s/sub", dir);
	mkdir(p, 0755);
	snprintf(text, sizeof text, "load sys config merge file %s/s", dir);
	comp(&f, text);
	if (CHECK_INT_EQ(f.c.n, 3)) {   /* and <file> */
		char want[128];
		snprintf(want, sizeof want, "%s/site-a.conf", dir);
		CHECK_STR_EQ(f.c.cands[0].word, want);
		snprintf(want, sizeof want, "%s/sub/", dir);
		CHECK_STR_EQ(f.c.cands[1].word, want);
		CHECK(f.c.cands[1].no_space);
	}
	CHECK_STR_EQ(comp(&f, "save sys config f"), "file");
	CHECK_STR_EQ(comp(&f, "load sys config "), "file merge verify");
	CHECK_STR_EQ(comp(&f, "load sys config verify "), "file merge");
	CHECK_STR_EQ(comp(&f, "save s"), "sys");
	CHECK_STR_EQ(comp(&f, "save sys c"), "config");
	snprintf(p, sizeof p, "rm -rf %s", dir);
	CHECK_INT_EQ(system(p), 0);
	teardown(&f);
}

TEST(cd_and_help)
{
	struct fixture f;
	setup(&f);
	CHECK_STR_EQ(comp(&f, "cd /n"), "/net");
	CHECK_STR_EQ(comp(&f, "cd /net "), "tunnels route self vlan vlan-group");
	CHECK(has(&f, "cd ", ".."));
	CHECK_STR_EQ(comp(&f, "help cr"), "create");
	CHECK_STR_EQ(comp(&f, "help net vlan"), "vlan vlan-group");
	CHECK_STR_EQ(comp(&f, "run u"), "util");
	CHECK_STR_EQ(comp(&f, "run util mac-masquerade "), "derive");
	teardown(&f);
}

TEST(unknown_words_offer_nothing)
{
	struct fixture f;
	setup(&f);
	CHECK_STR_EQ(comp(&f, "create nosuch "), "");
	CHECK_STR_EQ(comp(&f, "create net vlan v nosuch "), "");
	CHECK_STR_EQ(comp(&f, "quit "), "");
	teardown(&f);
}

/* The bar: with 100,000 objects, one completion of an object name takes < 10 ms. */
TEST(fast_with_100k_objects)
{
	struct fixture f;
	setup(&f);
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "net vlan v { tag 1 }\nnet self 10.0.0.1 { address 10.0.0.1/8 vlan v }\n");
	for (int i = 0; i < 100000; i++)
		sb_printf(&sb, "net route r%d { network %d.%d.%d.0/24 gw 10.0.0.254 }\n", i, 20 + i / 65536,
			  i / 256 % 256, i % 256);
	if (!CHECK_INT_EQ(config_load_text(f.store, sb.buf, sb.len, "<bench>", false, &f.diags), 0))
		return;
	sb_free(&sb);
	comp(&f, "modify net route r9999");      /* builds the index */
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	comp(&f, "modify net route r4242");
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	CHECK_INT_EQ(f.c.total, 11);             /* r4242 and r42420..r42429 */
	CHECK_STR_EQ(f.c.common, "r4242");
	CHECK(ms < 10.0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	comp(&f, "modify net route ");
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	CHECK_INT_EQ(f.c.total, 100000);
	CHECK_INT_EQ(f.c.n, 200);                /* shown; the rest counted */
	CHECK_STR_EQ(f.c.common, "r");
	CHECK(ms < 10.0);
	teardown(&f);
}
