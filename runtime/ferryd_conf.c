/* ferryd's configuration: see runtime/ferryd_conf.h and docs/ferryd.md. */
#include "runtime/ferryd_conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "compiler/util.h"

struct cparse {
	yaml_document_t doc;
	const char *origin;
	char *err;
};

__attribute__((format(printf, 3, 4)))
static int fail_at(struct cparse *c, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!c->err) {
		if (n)
			c->err = xasprintf("%s:%zu:%zu: %s", c->origin, n->start_mark.line + 1,
					   n->start_mark.column + 1, msg);
		else
			c->err = xasprintf("%s: %s", c->origin, msg);
	}
	return -1;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int ferryd_ifname_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || (unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

static bool addr_usable(const struct ipaddr *a)
{
	static const uint8_t zero[16];
	if (memcmp(a->a, zero, a->family == AF_INET ? 4 : 16) == 0)
		return false;
	if (a->family == AF_INET)   /* not multicast (224/4), not limited broadcast */
		return (a->a[0] & 0xf0) != 0xe0 && memcmp(a->a, "\xff\xff\xff\xff", 4) != 0;
	return a->a[0] != 0xff;     /* not IPv6 multicast */
}

static int parse_addr(struct cparse *c, const yaml_node_t *v, const char *what, const char *tname,
		      struct ipaddr *out)
{
	const char *s = scalar(v);
	if (!s || !ip_parse(s, out))
		return fail_at(c, v, "tunnel %s: %s must be an IPv4 or IPv6 address, not '%s'", tname, what,
			       s ? s : "(not a scalar)");
	if (!addr_usable(out))
		return fail_at(c, v, "tunnel %s: %s %s is not a unicast address", tname, what, s);
	return 0;
}

static int parse_tunnel(struct cparse *c, const yaml_node_t *m, size_t idx, struct ferryd_tunnel_conf *t)
{
	char tname[272];
	snprintf(tname, sizeof tname, "etherip[%zu]", idx);
	if (m->type != YAML_MAPPING_NODE)
		return fail_at(c, m, "%s: a tunnel is a mapping (name, interface, local, remote)", tname);
	/* The name first, so later messages can say which tunnel. */
	const yaml_node_t *nodes[4] = { 0 };
	static const char *const keys[4] = { "name", "interface", "local", "remote" };
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);
		const yaml_node_t *v = yaml_document_get_node(&c->doc, p->value);
		const char *ks = scalar(k);
		int which = -1;
		for (int i = 0; ks && i < 4; i++)
			if (strcmp(ks, keys[i]) == 0)
				which = i;
		if (which < 0)
			return fail_at(c, k, "%s: unknown key '%s' (a tunnel has name, interface, local, remote)",
				       tname, ks ? ks : "(not a scalar)");
		if (nodes[which])
			return fail_at(c, k, "%s: '%s' given twice", tname, ks);
		nodes[which] = v;
	}
	for (int i = 0; i < 4; i++)
		if (!nodes[i])
			return fail_at(c, m, "%s: '%s' is missing", tname, keys[i]);
	const char *name = scalar(nodes[0]);
	if (!name || !*name || strlen(name) > 255)
		return fail_at(c, nodes[0], "%s: name must be a non-empty text of at most 255 bytes", tname);
	snprintf(tname, sizeof tname, "%s", name);
	const char *ifn = scalar(nodes[1]);
	if (!ifn || !ferryd_ifname_ok(ifn))
		return fail_at(c, nodes[1], "tunnel %s: interface must be an interface name of 1 to 15 characters "
			       "without '/', ':' or spaces, not '%s'", tname, ifn ? ifn : "(not a scalar)");
	if (parse_addr(c, nodes[2], "local", tname, &t->local) ||
	    parse_addr(c, nodes[3], "remote", tname, &t->remote))
		return -1;
	if (t->local.family != t->remote.family)
		return fail_at(c, nodes[3], "tunnel %s: local %s and remote %s are not of one address family",
			       tname, scalar(nodes[2]), scalar(nodes[3]));
	if (ip_equal(&t->local, &t->remote))
		return fail_at(c, nodes[3], "tunnel %s: remote is the local address", tname);
	t->name = xstrdup(name);
	snprintf(t->ifname, sizeof t->ifname, "%s", ifn);
	return 0;
}

static int check_unique(struct cparse *c, const yaml_node_t *seq, struct ferryd_conf *cf)
{
	for (size_t i = 0; i < cf->n_tunnels; i++) {
		const struct ferryd_tunnel_conf *a = &cf->tunnels[i];
		const yaml_node_t *node = yaml_document_get_node(&c->doc, seq->data.sequence.items.start[i]);
		for (size_t j = 0; j < i; j++) {
			const struct ferryd_tunnel_conf *b = &cf->tunnels[j];
			if (strcmp(a->name, b->name) == 0)
				return fail_at(c, node, "tunnel %s is given twice", a->name);
			if (strcmp(a->ifname, b->ifname) == 0)
				return fail_at(c, node, "tunnels %s and %s both use interface %s", b->name, a->name,
					       a->ifname);
			if (ip_equal(&a->local, &b->local) && ip_equal(&a->remote, &b->remote)) {
				char l[IP_STRLEN], r[IP_STRLEN];
				ip_format(&a->local, l);
				ip_format(&a->remote, r);
				return fail_at(c, node, "tunnels %s and %s both go from %s to %s: a received "
					       "packet could not tell them apart", b->name, a->name, l, r);
			}
		}
	}
	return 0;
}

static int parse_root(struct cparse *c, struct ferryd_conf *cf)
{
	yaml_node_t *root = yaml_document_get_root_node(&c->doc);
	if (!root)
		return 0;   /* an empty file: no tunnels */
	if (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return fail_at(c, root, "the configuration is a mapping (version, etherip)");
	const yaml_node_t *seq = NULL;
	bool seen_version = false;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);
		const yaml_node_t *v = yaml_document_get_node(&c->doc, p->value);
		const char *ks = scalar(k);
		if (ks && strcmp(ks, "version") == 0) {
			const char *vs = scalar(v);
			if (seen_version)
				return fail_at(c, k, "'version' given twice");
			seen_version = true;
			if (!vs || strcmp(vs, "1") != 0)
				return fail_at(c, v, "version %s is not one this ferryd reads (it reads 1)",
					       vs ? vs : "(not a scalar)");
		} else if (ks && strcmp(ks, "etherip") == 0) {
			if (seq)
				return fail_at(c, k, "'etherip' given twice");
			seq = v;
			if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0)
				continue;   /* "etherip:" with nothing: no tunnels */
			if (v->type != YAML_SEQUENCE_NODE)
				return fail_at(c, v, "etherip is a list of tunnels");
		} else {
			return fail_at(c, k, "unknown key '%s' (known: version, etherip)", ks ? ks : "(not a scalar)");
		}
	}
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return 0;
	size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	cf->tunnels = xcalloc(n ? n : 1, sizeof *cf->tunnels);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = yaml_document_get_node(&c->doc, seq->data.sequence.items.start[i]);
		if (parse_tunnel(c, m, i, &cf->tunnels[i]))
			return -1;
		cf->n_tunnels++;
	}
	return check_unique(c, seq, cf);
}

int ferryd_conf_parse(const char *text, size_t len, const char *origin, struct ferryd_conf *out,
		      char **err)
{
	struct cparse c = { .origin = origin ? origin : "config" };
	struct ferryd_conf cf = { 0 };
	yaml_parser_t parser;
	*err = NULL;
	if (!yaml_parser_initialize(&parser)) {
		*err = xasprintf("%s: out of memory", c.origin);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &c.doc)) {
		*err = xasprintf("%s:%zu:%zu: YAML: %s%s%s", c.origin, parser.problem_mark.line + 1,
				 parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error",
				 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -1;
	}
	int rc = parse_root(&c, &cf);
	/* One document only: a second one would be silently ignored otherwise. */
	if (rc == 0 && yaml_document_get_root_node(&c.doc)) {
		yaml_document_t next;
		if (!yaml_parser_load(&parser, &next)) {
			rc = fail_at(&c, NULL, "YAML: %s", parser.problem ? parser.problem : "syntax error");
		} else {
			if (yaml_document_get_root_node(&next))
				rc = fail_at(&c, yaml_document_get_root_node(&next), "a second YAML document; ferryd reads one");
			yaml_document_delete(&next);
		}
	}
	yaml_document_delete(&c.doc);
	yaml_parser_delete(&parser);
	if (rc) {
		*err = c.err ? c.err : xasprintf("%s: invalid", c.origin);
		ferryd_conf_free(&cf);
		return -1;
	}
	free(c.err);
	*out = cf;
	return 0;
}

int ferryd_conf_load(const char *path, struct ferryd_conf *out, char **err)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = ferryd_conf_parse(text, len, path, out, err);
	free(text);
	return rc;
}

void ferryd_conf_free(struct ferryd_conf *c)
{
	for (size_t i = 0; i < c->n_tunnels; i++)
		free(c->tunnels[i].name);
	free(c->tunnels);
	c->tunnels = NULL;
	c->n_tunnels = 0;
}
