#include "compiler/addr.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ip_parse(const char *s, struct ipaddr *out)
{
	memset(out, 0, sizeof *out);
	if (strchr(s, ':')) {
		out->family = AF_INET6;
		return inet_pton(AF_INET6, s, out->a) == 1;
	}
	out->family = AF_INET;
	return inet_pton(AF_INET, s, out->a) == 1;
}

int ip_bits(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

bool ip_parse_prefix(const char *s, struct ipprefix *out)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash == s || slash - s >= IP_STRLEN)
		return false;
	char host[IP_STRLEN];
	memcpy(host, s, (size_t)(slash - s));
	host[slash - s] = 0;
	if (!ip_parse(host, &out->addr))
		return false;
	const char *len = slash + 1;
	if (!isdigit((unsigned char)*len) || strlen(len) > 3)
		return false;
	for (const char *c = len; *c; c++)
		if (!isdigit((unsigned char)*c))
			return false;
	out->len = atoi(len);
	return out->len <= ip_bits(out->addr.family);
}

static char *put_octet(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

void ip_format(const struct ipaddr *a, char buf[IP_STRLEN])
{
	if (a->family == AF_INET) {        /* inet_ntop goes through sprintf: slow for 100k routes */
		char *p = buf;
		for (int i = 0; i < 4; i++) {
			p = put_octet(p, a->a[i]);
			*p++ = i < 3 ? '.' : 0;
		}
		return;
	}
	if (!inet_ntop(a->family, a->a, buf, IP_STRLEN))
		snprintf(buf, IP_STRLEN, "?");
}

bool ip_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && memcmp(a->a, b->a, a->family == AF_INET6 ? 16 : 4) == 0;
}

static bool bits_equal(const uint8_t *a, const uint8_t *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

void prefix_network(const struct ipprefix *p, struct ipprefix *net)
{
	*net = *p;
	int total = ip_bits(p->addr.family) / 8;
	for (int i = 0; i < total; i++) {
		int keep = p->len - i * 8;
		if (keep >= 8)
			continue;
		net->addr.a[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

bool prefix_has_host_bits(const struct ipprefix *p)
{
	struct ipprefix net;
	prefix_network(p, &net);
	return !ip_equal(&net.addr, &p->addr);
}

bool prefix_contains(const struct ipprefix *net, const struct ipaddr *a)
{
	return net->addr.family == a->family && bits_equal(net->addr.a, a->a, net->len);
}

bool prefix_overlap(const struct ipprefix *a, const struct ipprefix *b)
{
	if (a->addr.family != b->addr.family)
		return false;
	return bits_equal(a->addr.a, b->addr.a, a->len < b->len ? a->len : b->len);
}

static const struct { const char *unit; uint64_t mult; } rate_units[] = {
	{ "gbit", 1000000000ULL }, { "mbit", 1000000ULL }, { "kbit", 1000ULL }, { "bit", 1 },
	{ "gbps", 1000000000ULL }, { "mbps", 1000000ULL }, { "kbps", 1000ULL }, { "bps", 1 },
	{ "g", 1000000000ULL }, { "m", 1000000ULL }, { "k", 1000ULL }, { "", 1 },
};

bool rate_parse(const char *s, uint64_t *bps)
{
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno)
		return false;
	char unit[8];
	size_t ulen = strlen(end);
	if (ulen >= sizeof unit)
		return false;
	for (size_t i = 0; i <= ulen; i++)
		unit[i] = (char)tolower((unsigned char)end[i]);
	for (size_t i = 0; i < sizeof rate_units / sizeof rate_units[0]; i++) {
		if (strcmp(unit, rate_units[i].unit) != 0)
			continue;
		if (n == 0 || n > UINT64_MAX / rate_units[i].mult)
			return false;
		*bps = n * rate_units[i].mult;
		return true;
	}
	return false;
}

void rate_format(uint64_t bps, char *buf, size_t len)
{
	if (bps % 1000000000ULL == 0)
		snprintf(buf, len, "%llugbit", (unsigned long long)(bps / 1000000000ULL));
	else if (bps % 1000000ULL == 0)
		snprintf(buf, len, "%llumbit", (unsigned long long)(bps / 1000000ULL));
	else if (bps % 1000ULL == 0)
		snprintf(buf, len, "%llukbit", (unsigned long long)(bps / 1000ULL));
	else
		snprintf(buf, len, "%llubit", (unsigned long long)bps);
}

bool mac_parse(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int digits = 0, v = 0;
		while (isxdigit((unsigned char)*s) && digits < 3) {
			char c = (char)tolower((unsigned char)*s++);
			v = v * 16 + (isdigit((unsigned char)c) ? c - '0' : c - 'a' + 10);
			digits++;
		}
		if (digits < 1 || digits > 2)
			return false;
		mac[i] = (uint8_t)v;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return false;
			s++;
		}
	}
	return *s == 0;
}

void mac_format(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}
