/* IPv4 and IPv6 addresses and prefixes, the way the compiler compares them. */
#ifndef FERRY_COMPILER_ADDR_H
#define FERRY_COMPILER_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <arpa/inet.h>

struct ipaddr {
	int family;              /* AF_INET or AF_INET6 */
	uint8_t a[16];           /* network order; IPv4 in the first 4 bytes */
};

struct ipprefix {
	struct ipaddr addr;
	int len;
};

#define IP_STRLEN INET6_ADDRSTRLEN

bool ip_parse(const char *s, struct ipaddr *out);
/* "A/len"; len checked against the family. */
bool ip_parse_prefix(const char *s, struct ipprefix *out);
void ip_format(const struct ipaddr *a, char buf[IP_STRLEN]);
int ip_bits(int family);
bool ip_equal(const struct ipaddr *a, const struct ipaddr *b);
void prefix_network(const struct ipprefix *p, struct ipprefix *net);  /* host bits cleared */
bool prefix_has_host_bits(const struct ipprefix *p);
bool prefix_contains(const struct ipprefix *net, const struct ipaddr *a);
bool prefix_overlap(const struct ipprefix *a, const struct ipprefix *b);

/* Rates in bit/s: 45mbit, 1gbit, 500kbit, 2000 (plain bit/s). */
bool rate_parse(const char *s, uint64_t *bps);
void rate_format(uint64_t bps, char *buf, size_t len);

/* 48-bit MAC address, 1 or 2 hex digits a byte, ':' or '-' between. */
bool mac_parse(const char *s, uint8_t mac[6]);
void mac_format(const uint8_t mac[6], char buf[18]);

#endif
