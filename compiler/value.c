#include "compiler/value.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/addr.h"
#include "compiler/util.h"

int vtype_words(enum vtype t)
{
	switch (t) {
	case VT_FLAG: return 0;
	case VT_SCHEDULE: return 3;
	default: return 1;
	}
}

__attribute__((format(printf, 3, 4)))
static bool fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return false;
}

bool word_is_bare(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c >= 0x7f || c == '{' || c == '}' || c == '"' || c == '\'' || c == ';' ||
		    c == '#' || c == '\\')
			return false;
	}
	return true;
}

static bool name_char_ok(char c)
{
	return isalnum((unsigned char)c) || strchr("-_.:%~", c);
}

char *path_canonical(const char *name, const char *partition, char *why, size_t why_len)
{
	const char *base = name;
	const char *part = partition;
	size_t part_len = strlen(partition);
	if (name[0] == '/') {
		const char *slash = strchr(name + 1, '/');
		if (!slash || slash == name + 1) {
			fail(why, why_len, "'%s' is not a path; write /Partition/name or a bare name", name);
			return NULL;
		}
		part = name + 1;
		part_len = (size_t)(slash - part);
		base = slash + 1;
	}
	if (!*base) {
		fail(why, why_len, "'%s' has no name after the partition", name);
		return NULL;
	}
	for (const char *c = base; *c; c++)
		if (!name_char_ok(*c)) {
			fail(why, why_len, "'%s' holds '%c'; names use letters, digits and - _ . : %%", name, *c);
			return NULL;
		}
	for (size_t i = 0; i < part_len; i++)
		if (!name_char_ok(part[i])) {
			fail(why, why_len, "partition of '%s' holds '%c'", name, part[i]);
			return NULL;
		}
	size_t base_len = strlen(base);
	char *path = xmalloc(part_len + base_len + 3);
	path[0] = '/';
	memcpy(path + 1, part, part_len);
	path[part_len + 1] = '/';
	memcpy(path + part_len + 2, base, base_len + 1);
	return path;
}

const char *path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static bool parse_int(const char *s, long long *out)
{
	if (!*s || (!isdigit((unsigned char)*s) && *s != '-'))
		return false;
	errno = 0;
	char *end;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == 0;
}

static char *format_int(long long n)
{
	char buf[24], *p = buf + sizeof buf;
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	*--p = 0;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (n < 0)
		*--p = '-';
	return xstrdup(p);
}

static char *canon_addr(const char *s, char *why, size_t len)
{
	struct ipaddr a;
	char buf[IP_STRLEN];
	if (!ip_parse(s, &a)) {
		fail(why, len, "'%s' is not an IPv4 or IPv6 address", s);
		return NULL;
	}
	ip_format(&a, buf);
	return xstrdup(buf);
}

static char *canon_prefix(const char *s, bool network, char *why, size_t len)
{
	struct ipprefix p;
	char buf[IP_STRLEN];
	if (network && (strcmp(s, "default") == 0 || strcmp(s, "0.0.0.0/0") == 0))
		return xstrdup("default");
	if (network && (strcmp(s, "default-inet6") == 0 || strcmp(s, "::/0") == 0))
		return xstrdup("default-inet6");
	if (!strchr(s, '/')) {
		fail(why, len, "'%s' has no length; write it as %s/24 or %s/64, say", s, s, s);
		return NULL;
	}
	if (!ip_parse_prefix(s, &p)) {
		struct ipaddr a;
		char host[IP_STRLEN + 8];
		snprintf(host, sizeof host, "%.*s", (int)(strchr(s, '/') - s), s);
		if (ip_parse(host, &a))
			fail(why, len, "'%s' has a bad length; IPv%d lengths are 0..%d", s,
			     a.family == AF_INET ? 4 : 6, ip_bits(a.family));
		else
			fail(why, len, "'%s' is not an IPv4 or IPv6 address with a length", s);
		return NULL;
	}
	if (network && prefix_has_host_bits(&p)) {
		struct ipprefix net;
		prefix_network(&p, &net);
		ip_format(&net.addr, buf);
		fail(why, len, "'%s' has host bits set; the network is %s/%d", s, buf, p.len);
		return NULL;
	}
	ip_format(&p.addr, buf);
	size_t n = strlen(buf);
	char *out = xmalloc(n + 5);
	memcpy(out, buf, n);
	out[n++] = '/';
	if (p.len >= 100)
		out[n++] = (char)('0' + p.len / 100);
	if (p.len >= 10)
		out[n++] = (char)('0' + p.len / 10 % 10);
	out[n++] = (char)('0' + p.len % 10);
	out[n] = 0;
	return out;
}

static bool parse_port(const char *s, int *port)
{
	long long v;
	if (!parse_int(s, &v) || v < 0 || v > 65535)
		return false;
	*port = (int)v;
	return true;
}

static char *canon_endpoint(const char *s, char *why, size_t len)
{
	char host[IP_STRLEN + 2];
	const char *port_text;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
			goto bad;
		snprintf(host, sizeof host, "%.*s", (int)(close - s - 1), s + 1);
		port_text = close + 2;
	} else {
		const char *colon = strrchr(s, ':');
		const char *dot = strrchr(s, '.');
		/* tmsh writes IPv6 endpoints as 2001:db8::1.8000 */
		const char *sep = (colon && strchr(s, ':') != colon) ? dot : colon;
		if (!sep || (size_t)(sep - s) >= sizeof host)
			goto bad;
		snprintf(host, sizeof host, "%.*s", (int)(sep - s), s);
		port_text = sep + 1;
	}
	struct ipaddr a;
	int port;
	char buf[IP_STRLEN];
	if (!ip_parse(host, &a))
		goto bad;
	if (!parse_port(port_text, &port) || port == 0) {
		fail(why, len, "'%s' has a bad port; ports are 1..65535", s);
		return NULL;
	}
	ip_format(&a, buf);
	return a.family == AF_INET6 ? xasprintf("[%s]:%d", buf, port) : xasprintf("%s:%d", buf, port);
bad:
	fail(why, len, "'%s' is not address:port (10.1.1.1:8000 or [2001:db8::1]:8000)", s);
	return NULL;
}

static bool canon_ports(const char *s, char *out, size_t len)
{
	int lo, hi;
	const char *dash = strchr(s, '-');
	if (!dash) {
		if (!parse_port(s, &lo) || lo == 0)
			return false;
		snprintf(out, len, "%d", lo);
		return true;
	}
	char first[8];
	if (dash - s >= (long)sizeof first)
		return false;
	snprintf(first, sizeof first, "%.*s", (int)(dash - s), s);
	if (!parse_port(first, &lo) || !parse_port(dash + 1, &hi) || lo == 0 || hi < lo)
		return false;
	snprintf(out, len, "%d-%d", lo, hi);
	return true;
}

/* any | any:PORTS | A[/len] | A[/len]:PORTS | [V6[/len]]:PORTS */
static char *canon_match(const char *s, char *why, size_t len)
{
	char addr[IP_STRLEN + 8] = "", ports[16] = "";
	const char *port_text = NULL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || (size_t)(close - s - 1) >= sizeof addr || (close[1] && close[1] != ':'))
			goto bad;
		snprintf(addr, sizeof addr, "%.*s", (int)(close - s - 1), s + 1);
		port_text = close[1] ? close + 2 : NULL;
	} else if (strchr(s, ':') && strchr(s, ':') != strrchr(s, ':')) {
		const char *slash = strchr(s, '/');
		if (slash && strchr(slash, ':')) {
			fail(why, len, "'%s': an IPv6 match with ports goes in brackets: [%.*s]%s", s,
			     (int)(strchr(slash, ':') - s), s, strchr(slash, ':'));
			return NULL;
		}
		snprintf(addr, sizeof addr, "%s", s);          /* bare IPv6: no ports */
	} else {
		const char *colon = strchr(s, ':');
		if (colon && (size_t)(colon - s) >= sizeof addr)
			goto bad;
		snprintf(addr, sizeof addr, "%.*s", colon ? (int)(colon - s) : (int)strlen(s), s);
		port_text = colon ? colon + 1 : NULL;
	}
	if (port_text && !canon_ports(port_text, ports, sizeof ports)) {
		fail(why, len, "'%s' has bad ports; write PORT or LOW-HIGH within 1..65535", s);
		return NULL;
	}
	char *a;
	if (strcmp(addr, "any") == 0) {
		a = xstrdup("any");
	} else if (strchr(addr, '/')) {
		a = canon_prefix(addr, false, why, len);
	} else {
		a = canon_addr(addr, why, len);
	}
	if (!a)
		return NULL;
	char *out;
	if (!ports[0])
		out = xstrdup(a);
	else if (strchr(a, ':'))
		out = xasprintf("[%s]:%s", a, ports);
	else
		out = xasprintf("%s:%s", a, ports);
	free(a);
	return out;
bad:
	fail(why, len, "'%s' is not any or address[/len][:port[-port]]", s);
	return NULL;
}

static const char *const service_protocols[] = { "tcp", "udp", "sctp", "icmp", "icmpv6", "gre", "esp", NULL };
static const char *const schedule_days[] = {
	"daily", "weekdays", "weekends", "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

static char *canon_service(const char *s, char *why, size_t len)
{
	if (strcmp(s, "default") == 0)
		return xstrdup("default");
	const char *colon = strchr(s, ':');
	char proto[16];
	int port;
	if (!colon || colon - s >= (long)sizeof proto) {
		fail(why, len, "'%s' is not proto:port (tcp:22, udp:53, tcp:0 for every tcp port) or default", s);
		return NULL;
	}
	snprintf(proto, sizeof proto, "%.*s", (int)(colon - s), s);
	for (char *c = proto; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (!schema_value_in(service_protocols, proto)) {
		fail(why, len, "'%s': protocol '%s' is not one of tcp udp sctp icmp icmpv6 gre esp", s, proto);
		return NULL;
	}
	if (!parse_port(colon + 1, &port)) {
		fail(why, len, "'%s' has a bad port; ports are 0..65535 (0 = every port)", s);
		return NULL;
	}
	return xasprintf("%s:%d", proto, port);
}

static bool parse_hhmm(const char *s, int *minutes)
{
	if (strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return false;
	*minutes = h * 60 + m;
	return true;
}

static char *canon_schedule(const char *s, char *why, size_t len)
{
	char days[16], range[32], rate[32];
	char extra;
	if (sscanf(s, "%15s %31s %31s %c", days, range, rate, &extra) != 3)
		goto bad;
	if (!schema_value_in(schedule_days, days)) {
		fail(why, len, "'%s': days '%s' is not daily, weekdays, weekends or mon..sun", s, days);
		return NULL;
	}
	char *dash = strchr(range, '-');
	int from, to;
	if (!dash)
		goto bad;
	*dash = 0;
	if (!parse_hhmm(range, &from) || !parse_hhmm(dash + 1, &to) || to <= from) {
		*dash = '-';
		fail(why, len, "'%s': '%s' is not a time range HH:MM-HH:MM with the end after the start", s, range);
		return NULL;
	}
	*dash = '-';
	uint64_t bps;
	char rate_buf[32];
	if (!rate_parse(rate, &bps)) {
		fail(why, len, "'%s': '%s' is not a rate like 20mbit or 1gbit", s, rate);
		return NULL;
	}
	rate_format(bps, rate_buf, sizeof rate_buf);
	return xasprintf("%s %s %s", days, range, rate_buf);
bad:
	fail(why, len, "'%s' is not DAYS HH:MM-HH:MM RATE (weekdays 08:00-18:00 20mbit)", s);
	return NULL;
}

bool value_canonical(const struct prop_schema *p, const char *text, const char *partition,
		     char **canon, char *why, size_t why_len)
{
	long long n;
	*canon = NULL;
	switch (p->type) {
	case VT_STRING:
		*canon = xstrdup(text);
		return true;
	case VT_NAME:
		if (!word_is_bare(text))
			return fail(why, why_len, "'%s' is not a name (no spaces, braces or quotes)", text);
		*canon = xstrdup(text);
		return true;
	case VT_PATH:
	case VT_REF:
		*canon = path_canonical(text, partition, why, why_len);
		return *canon != NULL;
	case VT_ADDR:
		*canon = canon_addr(text, why, why_len);
		return *canon != NULL;
	case VT_ADDR_ANY:
		*canon = strcmp(text, "any") == 0 ? xstrdup("any") : canon_addr(text, why, why_len);
		return *canon != NULL;
	case VT_PREFIX:
		*canon = canon_prefix(text, false, why, why_len);
		return *canon != NULL;
	case VT_NETWORK:
		*canon = canon_prefix(text, true, why, why_len);
		return *canon != NULL;
	case VT_ENDPOINT:
		*canon = canon_endpoint(text, why, why_len);
		return *canon != NULL;
	case VT_MATCH:
		*canon = canon_match(text, why, why_len);
		return *canon != NULL;
	case VT_MAC: {
		uint8_t mac[6];
		char buf[18];
		if (!mac_parse(text, mac))
			return fail(why, why_len, "'%s' is not a MAC address like 02:01:d7:92:c0:c4", text);
		mac_format(mac, buf);
		*canon = xstrdup(buf);
		return true;
	}
	case VT_INT:
		if (!parse_int(text, &n))
			return fail(why, why_len, "'%s' is not an integer; expected %lld..%lld", text, p->min, p->max);
		if (n < p->min || n > p->max)
			return fail(why, why_len, "%s is out of range %lld..%lld", text, p->min, p->max);
		*canon = format_int(n);
		return true;
	case VT_INT_OR_WORD:
		if (schema_value_in(p->values, text)) {
			*canon = xstrdup(text);
			return true;
		}
		if (!parse_int(text, &n) || n < p->min || n > p->max)
			return fail(why, why_len, "'%s' is not %s", text, vtype_describe(p));
		*canon = xasprintf("%lld", n);
		return true;
	case VT_ENUM:
		if (!schema_value_in(p->values, text))
			return fail(why, why_len, "'%s' is not %s", text, vtype_describe(p));
		*canon = xstrdup(text);
		return true;
	case VT_PROFILE: {
		const char *word = text;
		if (strncmp(text, "/Common/", 8) == 0)
			word = text + 8;
		if (!schema_value_in(p->values, word))
			return fail(why, why_len, "'%s' is not a built-in profile; expected %s", text,
				    vtype_describe(p) + strlen("one of "));
		*canon = xasprintf("/Common/%s", word);
		return true;
	}
	case VT_RATE: {
		uint64_t bps;
		char buf[32];
		if (!rate_parse(text, &bps))
			return fail(why, why_len, "'%s' is not a rate; write 45mbit, 1gbit, 500kbit or bit/s", text);
		rate_format(bps, buf, sizeof buf);
		*canon = xstrdup(buf);
		return true;
	}
	case VT_SERVICE:
		*canon = canon_service(text, why, why_len);
		return *canon != NULL;
	case VT_SCHEDULE:
		*canon = canon_schedule(text, why, why_len);
		return *canon != NULL;
	case VT_FILE:
		if (!*text)
			return fail(why, why_len, "the file name is empty");
		*canon = xstrdup(text);
		return true;
	case VT_FLAG:
		*canon = xstrdup("");
		return true;
	}
	return fail(why, why_len, "unknown value type");
}
