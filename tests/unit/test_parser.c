/* The parser: commands and saved-format statements into struct command, errors with locations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/parser.h"
#include "compiler/util.h"
#include "tests/unit/unit.h"

static char errbuf[4096];

/* Parses the first command of SRC; returns parse_command's result. */
static int parse1(const char *src, const char *module, bool skip, struct command *c)
{
	FILE *err = fmemopen(errbuf, sizeof errbuf, "w");
	struct diags d;
	diag_init(&d, err);
	struct lexer lx;
	lexer_init(&lx, src, strlen(src), "t", 1);
	struct parse_ctx ctx = { module, "Common", skip, &d };
	int r = parse_command(&lx, &ctx, c);
	lexer_free(&lx);
	fclose(err);
	return r;
}

static const struct prop_op *op(const struct command *c, const char *name)
{
	for (size_t i = 0; i < c->n_ops; i++)
		if (strcmp(c->ops[i].prop->name, name) == 0)
			return &c->ops[i];
	return NULL;
}

TEST(create_vlan_with_nested_interfaces)
{
	struct command c;
	if (!CHECK(parse1("create net vlan vlan-eip1 interfaces add { eth3 { untagged } } tag 4092", NULL,
			  false, &c) == 1))
		return;
	CHECK_INT_EQ(c.verb, CMD_CREATE);
	CHECK_STR_EQ(c.kind->id, "net vlan");
	CHECK_STR_EQ(c.names[0], "/Common/vlan-eip1");
	const struct prop_op *i = op(&c, "interfaces");
	if (CHECK(i != NULL)) {
		CHECK_INT_EQ(i->op, OP_ADD);
		CHECK_INT_EQ(i->n_items, 1);
		CHECK_STR_EQ(i->items[0].key, "eth3");
		CHECK_INT_EQ(i->items[0].n_attrs, 1);
		CHECK_STR_EQ(i->items[0].attrs[0].text, "untagged");
	}
	CHECK_STR_EQ(op(&c, "tag")->text, "4092");
	command_free(&c);
}

TEST(self_name_is_the_bare_address)
{
	struct command c;
	if (!CHECK(parse1("create net self 10.133.64.245/24 vlan vlan-eip1", NULL, false, &c) == 1))
		return;
	CHECK_STR_EQ(c.names[0], "/Common/10.133.64.245");
	CHECK_STR_EQ(op(&c, "address")->text, "10.133.64.245/24");
	CHECK_STR_EQ(op(&c, "vlan")->text, "/Common/vlan-eip1");
	command_free(&c);
}

TEST(ipv6_self_is_canonicalised)
{
	struct command c;
	if (!CHECK(parse1("create net self 2001:DB8:0::1/64 vlan v", NULL, false, &c) == 1))
		return;
	CHECK_STR_EQ(c.names[0], "/Common/2001:db8::1");   /* the name is the address as printed */
	CHECK_STR_EQ(op(&c, "address")->text, "2001:db8::1/64");
	command_free(&c);
}

TEST(brace_block_after_the_name)
{
	struct command c;
	if (!CHECK(parse1("create net tunnels tunnel /Common/fl-tunnel { key 1 local-address 10.250.16.127 "
			  "profile /Common/vxlan }", NULL, false, &c) == 1))
		return;
	CHECK_STR_EQ(op(&c, "key")->text, "1");
	CHECK_STR_EQ(op(&c, "profile")->text, "/Common/vxlan");
	command_free(&c);
}

TEST(saved_format_statement_is_a_definition)
{
	struct command c;
	const char *src = "net vlan /Common/v1 {\n    interfaces {\n        1.1 { tagged }\n    }\n    tag 10\n}\n";
	if (!CHECK(parse1(src, NULL, false, &c) == 1))
		return;
	CHECK_INT_EQ(c.verb, CMD_DEFINE);
	CHECK_STR_EQ(c.names[0], "/Common/v1");
	CHECK_STR_EQ(op(&c, "interfaces")->items[0].attrs[0].text, "tagged");
	command_free(&c);
}

TEST(members_accumulate_with_repeated_add)
{
	struct command c;
	if (!CHECK(parse1("create net vlan-group vg-eip mode transparent members add { eip } members add "
			  "{ vlan-server1 }", NULL, false, &c) == 1))
		return;
	CHECK_INT_EQ(c.n_ops, 3);
	CHECK_STR_EQ(c.ops[1].items[0].key, "/Common/eip");
	CHECK_STR_EQ(c.ops[2].items[0].key, "/Common/vlan-server1");
	command_free(&c);
}

TEST(legacy_module_spelling_and_relative_module)
{
	struct command c;
	if (CHECK(parse1("create net tunnel tunnel eip profile etherip", NULL, false, &c) == 1)) {
		CHECK_STR_EQ(c.kind->id, "net tunnels tunnel");
		command_free(&c);
	}
	if (CHECK(parse1("create vlan x tag 3", "net", false, &c) == 1)) {
		CHECK_STR_EQ(c.kind->id, "net vlan");
		command_free(&c);
	}
	if (CHECK(parse1("create tunnel eip profile gre", "net tunnels", false, &c) == 1)) {
		CHECK_STR_EQ(c.kind->id, "net tunnels tunnel");
		command_free(&c);
	}
	/* from inside a module, an absolute command still works */
	if (CHECK(parse1("list wom remote-endpoint", "net", false, &c) == 1)) {
		CHECK_STR_EQ(c.kind->id, "wom remote-endpoint");
		command_free(&c);
	}
}

TEST(tag_out_of_range_names_the_range)
{
	struct command c;
	CHECK_INT_EQ(parse1("create net vlan v tag 5000", NULL, false, &c), -1);
	CHECK(strstr(errbuf, "t:1:23: error: net vlan /Common/v: tag 5000 is out of range 1..4094") != NULL);
}

TEST(unknown_property_lists_the_valid_ones)
{
	struct command c;
	CHECK_INT_EQ(parse1("create net vlan v colour blue", NULL, false, &c), -1);
	CHECK(strstr(errbuf, "unknown property 'colour' of net vlan; expected one of: description, "
			     "interfaces, mtu, tag") != NULL);
}

TEST(unterminated_brace_points_at_the_opening)
{
	struct command c;
	CHECK_INT_EQ(parse1("net vlan /Common/v {\n    tag 5\n", NULL, false, &c), -1);
	CHECK(strstr(errbuf, "t:1:20: error:") != NULL);   /* the column of the { */
	CHECK(strstr(errbuf, "unterminated '{'") != NULL);
}

TEST(unknown_kind_skipped_with_a_warning)
{
	struct command c;
	if (!CHECK(parse1("sys global-settings {\n    hostname a.b\n}\n", NULL, true, &c) == 1))
		return;
	CHECK_INT_EQ(c.verb, CMD_SKIPPED);
	CHECK(strstr(errbuf, "t:1:1: warning: skipping unsupported 'sys global-settings'") != NULL);
	command_free(&c);
}

TEST(unknown_property_in_block_skipped_with_a_warning)
{
	struct command c;
	const char *src = "net vlan /Common/v {\n    if-index 112\n    sflow {\n        a b\n    }\n    tag 7\n}\n";
	if (!CHECK(parse1(src, NULL, true, &c) == 1))
		return;
	CHECK_INT_EQ(c.n_ops, 1);
	CHECK_STR_EQ(c.ops[0].text, "7");
	CHECK(strstr(errbuf, "t:2:5: warning: net vlan /Common/v: skipping unsupported property 'if-index'"));
	CHECK(strstr(errbuf, "t:3:5: warning: net vlan /Common/v: skipping unsupported property 'sflow'"));
	command_free(&c);
}

TEST(list_options)
{
	struct command c;
	if (!CHECK(parse1("list net vlan a b one-line", NULL, false, &c) == 1))
		return;
	CHECK_INT_EQ(c.n_names, 2);
	CHECK(c.one_line);
	command_free(&c);
	if (CHECK(parse1("list net", NULL, false, &c) == 1)) {
		CHECK(c.kind == NULL);
		CHECK_STR_EQ(c.module, "net");
		command_free(&c);
	}
}

TEST(load_options)
{
	struct command c;
	if (!CHECK(parse1("load sys config merge verify file /tmp/x.conf", NULL, false, &c) == 1))
		return;
	CHECK(c.merge);
	CHECK(c.verify);
	CHECK_STR_EQ(c.file, "/tmp/x.conf");
	command_free(&c);
	if (CHECK(parse1("save / sys config", NULL, false, &c) == 1))
		command_free(&c);
}

TEST(modify_needs_a_change)
{
	struct command c;
	CHECK_INT_EQ(parse1("modify net vlan v", NULL, false, &c), -1);
	CHECK(strstr(errbuf, "nothing to change") != NULL);
}

TEST(singleton_has_no_name)
{
	struct command c;
	if (!CHECK(parse1("create wom local-endpoint ip 10.1.5.1", NULL, false, &c) == 1))
		return;
	CHECK_STR_EQ(c.names[0], "/Common/local-endpoint");
	CHECK_STR_EQ(op(&c, "ip")->text, "10.1.5.1");
	command_free(&c);
}

TEST(kind_context_implies_the_kind)
{
	struct command c;
	if (CHECK(parse1("create vg-eip mode transparent members add { eip }", "net vlan-group", false, &c) == 1)) {
		CHECK_INT_EQ(c.verb, CMD_CREATE);
		CHECK_STR_EQ(c.kind->id, "net vlan-group");
		CHECK_STR_EQ(c.names[0], "/Common/vg-eip");
		command_free(&c);
	}
	if (CHECK(parse1("list", "net vlan-group", false, &c) == 1)) {
		CHECK_STR_EQ(c.kind->id, "net vlan-group");
		CHECK_INT_EQ(c.n_names, 0);
		command_free(&c);
	}
	if (CHECK(parse1("create net vlan v tag 2", "net vlan-group", false, &c) == 1)) {
		CHECK_STR_EQ(c.kind->id, "net vlan");
		command_free(&c);
	}
	/* a kind typed alone enters it */
	if (CHECK(parse1("net vlan-group", NULL, false, &c) == 1)) {
		CHECK_INT_EQ(c.verb, CMD_MODULE);
		CHECK_STR_EQ(c.module, "net vlan-group");
		command_free(&c);
	}
	if (CHECK(parse1("wom", "net", false, &c) == 1)) {
		CHECK_INT_EQ(c.verb, CMD_MODULE);
		CHECK_STR_EQ(c.module, "wom");
		command_free(&c);
	}
}

TEST(recorded_text_is_one_line_and_lexes_back)
{
	FILE *err = fmemopen(errbuf, sizeof errbuf, "w");
	struct diags d;
	diag_init(&d, err);
	const char *src = "create net vlan v {\n  tag 2 # the tag\n  description \"a \\\"b\\\"\tc\"\n}; list";
	struct lexer lx;
	struct strbuf rec;
	sb_init(&rec);
	lexer_init(&lx, src, strlen(src), "t", 1);
	lx.record = &rec;
	struct parse_ctx ctx = { NULL, "Common", false, &d };
	struct command c;
	if (CHECK(parse_command(&lx, &ctx, &c) == 1)) {
		CHECK_STR_EQ(c.text, "create net vlan v { tag 2 description \"a \\\"b\\\"\\tc\" }");
		command_free(&c);
	}
	if (CHECK(parse_command(&lx, &ctx, &c) == 1)) {
		CHECK_STR_EQ(c.text, "list");
		command_free(&c);
	}
	lexer_free(&lx);
	sb_free(&rec);
	fclose(err);
}
