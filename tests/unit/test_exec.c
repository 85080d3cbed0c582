/* Commands against a session: each is all or nothing; list prints the saved format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/exec.h"
#include "compiler/print.h"
#include "tests/unit/unit.h"

struct fixture {
	struct store *store;
	struct diags diags;
	struct session s;
	char *out, *err;
	size_t out_len, err_len;
	FILE *out_f, *err_f;
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	f->store = store_new();
	f->out_f = open_memstream(&f->out, &f->out_len);
	f->err_f = open_memstream(&f->err, &f->err_len);
	diag_init(&f->diags, f->err_f);
	session_init(&f->s, f->store, &f->diags, f->out_f);
}

static int run(struct fixture *f, const char *text)
{
	int failed = session_run_text(&f->s, text, strlen(text), "<command>", true);
	fflush(f->out_f);
	fflush(f->err_f);
	return failed;
}

static void teardown(struct fixture *f)
{
	fclose(f->out_f);
	fclose(f->err_f);
	free(f->out);
	free(f->err);
	session_free(&f->s);
	store_free(f->store);
}

static char *saved(struct store *s)
{
	struct strbuf sb;
	sb_init(&sb);
	print_store(&sb, s, PRINT_SAVED);
	return sb_steal(&sb);
}

TEST(list_prints_the_saved_format)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "create net vlan vlan-eip1 interfaces add { eth3 { untagged } } tag 4092\n"
			     "list net vlan vlan-eip1"), 0);
	CHECK_STR_EQ(f.out, "net vlan /Common/vlan-eip1 {\n"
			    "    interfaces {\n"
			    "        eth3 { untagged }\n"
			    "    }\n"
			    "    tag 4092\n"
			    "}\n");
	teardown(&f);
}

TEST(one_line_and_all_properties)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "create net vlan v interfaces add { eth1 { tagged } } tag 7\n"
			     "list net vlan one-line\nlist net vlan all-properties"), 0);
	CHECK_STR_EQ(f.out, "net vlan /Common/v { interfaces { eth1 { tagged } } tag 7 }\n"
			    "net vlan /Common/v {\n"
			    "    description none\n"
			    "    interfaces {\n"
			    "        eth1 { tagged }\n"
			    "    }\n"
			    "    mtu 1500\n"
			    "    tag 7\n"
			    "}\n");
	teardown(&f);
}

TEST(a_failing_command_changes_nothing)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "create net vlan v tag 7"), 0);
	char *before = saved(f.store);
	/* the second property is bad: the first must not stick */
	CHECK_INT_EQ(run(&f, "modify net vlan v description x tag 9999"), 1);
	char *after = saved(f.store);
	CHECK_STR_EQ(after, before);
	/* a reference to nothing fails validation after the parse succeeded */
	CHECK_INT_EQ(run(&f, "create net self 10.0.0.1/24 vlan nosuch"), 1);
	free(after);
	after = saved(f.store);
	CHECK_STR_EQ(after, before);
	CHECK(strstr(f.err, "vlan /Common/nosuch does not exist") != NULL);
	free(before);
	free(after);
	teardown(&f);
}

TEST(create_twice_and_modify_missing)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "create net vlan v tag 7"), 0);
	CHECK_INT_EQ(run(&f, "create net vlan v tag 8"), 1);
	CHECK(strstr(f.err, "<command>:1:17: error: net vlan /Common/v already exists") != NULL);
	CHECK_INT_EQ(run(&f, "modify net vlan w tag 8"), 1);
	CHECK(strstr(f.err, "net vlan /Common/w was not found; create it first") != NULL);
	teardown(&f);
}

TEST(list_operations)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "create net vlan a tag 1\ncreate net vlan b tag 2\ncreate net vlan c tag 3\n"
			     "create net vlan-group g members add { a b }\n"
			     "modify net vlan-group g members add { c } members delete { a }\n"
			     "list net vlan-group g one-line"), 0);
	CHECK_STR_EQ(f.out, "net vlan-group /Common/g { members { /Common/b /Common/c } }\n");
	CHECK_INT_EQ(run(&f, "modify net vlan-group g members replace-all-with { a }\n"
			     "list net vlan-group g one-line"), 0);
	CHECK(strstr(f.out, "net vlan-group /Common/g { members { /Common/a } }\n") != NULL);
	CHECK_INT_EQ(run(&f, "modify net vlan-group g members delete { b }"), 1);
	CHECK(strstr(f.err, "members delete: /Common/b is not in the list") != NULL);
	teardown(&f);
}

TEST(modules_and_cd)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "net\ncreate vlan x tag 3\ncreate self 10.1.1.1/24 vlan x\n"
			     "cd /wom\ncreate local-endpoint ip 10.1.1.1\ncd ..\n"
			     "cd /net tunnels\ncreate tunnel t profile gre local-address 10.1.1.1 remote-address 10.2.2.2"), 0);
	CHECK(store_get(f.store, schema_kind("net vlan"), "/Common/x") != NULL);
	CHECK(store_get(f.store, schema_kind("wom local-endpoint"), "/Common/local-endpoint") != NULL);
	CHECK(store_get(f.store, schema_kind("net tunnels tunnel"), "/Common/t") != NULL);
	CHECK_STR_EQ(f.s.module, "net tunnels");
	teardown(&f);
}

TEST(mac_masquerade_derive_follows_the_guide_table)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "run util mac-masquerade derive 00:01:D7:01:02:03\n"
			     "run util mac-masquerade derive 08:01:D7:01:02:03"), 0);
	CHECK_STR_EQ(f.out, "02:01:d7:01:02:03\n0a:01:d7:01:02:03\n");
	CHECK_INT_EQ(run(&f, "run util mac-masquerade derive 01:01:D7:01:02:03"), 1);
	CHECK(strstr(f.err, "01:01:d7:01:02:03 is a multicast address") != NULL);
	teardown(&f);
}

TEST(saved_output_loads_back_identically)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f,
		"create net vlan v1 interfaces add { eth1 { tagged } eth2 } tag 10 description \"two words\"\n"
		"create net self 10.0.0.1/24 vlan v1 allow-service { tcp:22 default }\n"
		"create net self 2001:db8::1/64 vlan v1 allow-service all\n"
		"create net route r network 10.9.0.0/16 gw 10.0.0.254 mtu 1400\n"
		"create net route b network 10.8.0.0/16 blackhole\n"
		"create wom bandwidth-schedule s entries { weekdays 08:00-18:00 20mbit weekends 00:00-24:00 1000mbit }\n"), 0);
	char *first = saved(f.store);
	struct diags d;
	diag_init(&d, stderr);
	struct store *again = store_new();
	CHECK_INT_EQ(config_load_text(again, first, strlen(first), "first.conf", false, &d), 0);
	char *second = saved(again);
	CHECK_STR_EQ(second, first);
	CHECK(strstr(first, "weekends 00:00-24:00 1gbit") != NULL);
	free(first);
	free(second);
	store_free(again);
	teardown(&f);
}

TEST(text_none_is_not_the_word_none)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "create net vlan v description \"none\"\ncreate net vlan w description none"), 0);
	char *first = saved(f.store);
	CHECK(strstr(first, "description \"none\"") != NULL);
	struct diags d;
	diag_init(&d, stderr);
	struct store *again = store_new();
	CHECK_INT_EQ(config_load_text(again, first, strlen(first), "first.conf", false, &d), 0);
	CHECK_STR_EQ(object_get(store_get(again, schema_kind("net vlan"), "/Common/v"), "description"), "none");
	CHECK(object_get(store_get(again, schema_kind("net vlan"), "/Common/w"), "description") == NULL);
	free(first);
	store_free(again);
	teardown(&f);
}

TEST(guide_sequence_in_kind_context)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "create net vlan vlan-server1 tag 10\ncreate net vlan v2 tag 2\n"
			     "create net self 10.0.0.1/24 vlan v2\n"
			     "net tunnel\n"
			     "create tunnel eip profile etherip local-address 10.0.0.1 remote-address 10.0.1.1\n"
			     "net vlan-group\n"
			     "create vg-eip mode transparent members add { eip } members add { vlan-server1 }\n"), 0);
	CHECK_STR_EQ(f.s.module, "net vlan-group");
	CHECK_INT_EQ(run(&f, "list one-line\nmodify vg-eip members delete { eip }\nlist vg-eip one-line"), 0);
	CHECK_STR_EQ(f.out, "net vlan-group /Common/vg-eip { members { /Common/eip /Common/vlan-server1 } mode transparent }\n"
			    "net vlan-group /Common/vg-eip { members { /Common/vlan-server1 } mode transparent }\n");
	/* a path from the root still works inside a kind; exit leaves the kind for its module */
	CHECK_INT_EQ(run(&f, "list net vlan v2 one-line\nexit"), 0);
	CHECK(strstr(f.out, "net vlan /Common/v2 { tag 2 }") != NULL);
	CHECK_STR_EQ(f.s.module, "net");
	teardown(&f);
}

TEST(module_navigation)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "net\nwom"), 0);
	CHECK_STR_EQ(f.s.module, "wom");
	CHECK_INT_EQ(run(&f, "/\nnet tunnels\ntunnel"), 0);
	CHECK_STR_EQ(f.s.module, "net tunnels tunnel");
	CHECK_INT_EQ(run(&f, "cd ..\ncd ..\nvlan-group"), 0);
	CHECK_STR_EQ(f.s.module, "net vlan-group");
	CHECK_INT_EQ(run(&f, "vlan"), 0);              /* a sibling kind */
	CHECK_STR_EQ(f.s.module, "net vlan");
	CHECK_INT_EQ(run(&f, "cd /net tunnel tunnel"), 0);
	CHECK_STR_EQ(f.s.module, "net tunnels tunnel");
	CHECK_INT_EQ(run(&f, "cd /\ncd net vlan-group\nexit\nexit"), 0);
	CHECK_STR_EQ(f.s.module, "");
	CHECK(!f.s.quit);
	CHECK_INT_EQ(run(&f, "exit"), 0);
	CHECK(f.s.quit);
	teardown(&f);
}

TEST(transaction_submits_as_one_change)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "create cli transaction\ncreate net self 10.0.0.1/24 vlan v\n"
			     "net\ncreate vlan v { tag 6 description \"two words\" }\n"
			     "list cli transaction"), 0);
	CHECK_STR_EQ(f.out, "1: create net self 10.0.0.1/24 vlan v\n"
			    "2: (net) create vlan v { tag 6 description \"two words\" }\n");
	CHECK(store_get(f.store, schema_kind("net vlan"), "/Common/v") == NULL);   /* queued only */
	/* the self refers to a VLAN created after it: fine, the result is validated as a whole */
	CHECK_INT_EQ(run(&f, "submit cli transaction"), 0);
	CHECK(store_get(f.store, schema_kind("net vlan"), "/Common/v") != NULL);
	CHECK(store_get(f.store, schema_kind("net self"), "/Common/10.0.0.1") != NULL);
	CHECK(!f.s.txn.open);
	CHECK(f.s.dirty);
	CHECK_INT_EQ(run(&f, "submit cli transaction"), 1);
	CHECK(strstr(f.err, "no transaction is open") != NULL);
	teardown(&f);
}

TEST(transaction_failure_names_the_command_and_changes_nothing)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "create net vlan a tag 1"), 0);
	char *before = saved(f.store);
	CHECK_INT_EQ(run(&f, "create cli transaction\nmodify net vlan a tag 2\ncreate net vlan b tag 3\n"
			     "modify net vlan nosuch tag 4\n"), 0);
	CHECK_INT_EQ(run(&f, "submit cli transaction"), 1);
	CHECK(strstr(f.err, "cli transaction:3:17: error: net vlan /Common/nosuch was not found") != NULL);
	CHECK(strstr(f.err, "submit cli transaction: command 3 failed (modify net vlan nosuch tag 4)") != NULL);
	char *after = saved(f.store);
	CHECK_STR_EQ(after, before);
	CHECK(f.s.txn.open);
	CHECK_INT_EQ(f.s.txn.n, 3);
	/* a dangling reference is found when the whole result is validated */
	CHECK_INT_EQ(run(&f, "delete cli transaction\ncreate cli transaction\ncreate net self 10.0.0.1/24 vlan gone\n"
			     "submit cli transaction"), 1);
	CHECK(strstr(f.err, "cli transaction:1:") != NULL);
	CHECK(strstr(f.err, "the result does not validate") != NULL);
	free(after);
	after = saved(f.store);
	CHECK_STR_EQ(after, before);
	CHECK_INT_EQ(run(&f, "delete cli transaction\nlist cli transaction"), 1);
	CHECK(!f.s.txn.open);
	free(before);
	free(after);
	teardown(&f);
}

TEST(transaction_refuses_load_and_nesting)
{
	struct fixture f;
	setup(&f);
	CHECK_INT_EQ(run(&f, "create cli transaction\ncreate cli transaction"), 1);
	CHECK(strstr(f.err, "already open") != NULL);
	CHECK_INT_EQ(run(&f, "load sys config file /nonexistent"), 1);
	CHECK(strstr(f.err, "load: not inside a cli transaction") != NULL);
	CHECK_INT_EQ(run(&f, "cli\nsubmit transaction"), 0);   /* inside the cli module */
	CHECK(!f.s.txn.open);
	CHECK_INT_EQ(run(&f, "cd ..\nutil\nrun mac-masquerade derive 00:01:d7:01:02:03\nhelp keys\ncd /"), 0);
	CHECK(strstr(f.out, "02:01:d7:01:02:03\n") != NULL);
	CHECK_STR_EQ(f.s.module, "");
	teardown(&f);
}
