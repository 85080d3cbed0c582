/* send97 SRC DST HEX [COUNT]: sends COUNT (1) IPv4 packets of protocol 97 (EtherIP) from SRC to DST
 * whose payload is the bytes HEX spells, through a raw socket with IP_HDRINCL, so SRC can be any
 * address: the hostile-input tests forge bad headers, short packets and unknown peers with it. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: send97 SRC DST HEX [COUNT]\n");
		return 2;
	}
	unsigned char pkt[65535];
	struct iphdr *ip = (struct iphdr *)pkt;
	size_t hexlen = strlen(argv[3]), n = 0;
	if (hexlen % 2 || hexlen / 2 > sizeof pkt - sizeof *ip) {
		fprintf(stderr, "send97: HEX must be whole bytes\n");
		return 2;
	}
	for (size_t i = 0; i < hexlen; i += 2) {
		unsigned v;
		if (sscanf(argv[3] + i, "%2x", &v) != 1) {
			fprintf(stderr, "send97: bad hex at %zu\n", i);
			return 2;
		}
		pkt[sizeof *ip + n++] = (unsigned char)v;
	}
	memset(ip, 0, sizeof *ip);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = 97;
	ip->tot_len = htons((unsigned short)(sizeof *ip + n));
	struct sockaddr_in dst = { .sin_family = AF_INET };
	if (inet_pton(AF_INET, argv[1], &ip->saddr) != 1 || inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1) {
		fprintf(stderr, "send97: SRC and DST are IPv4 addresses\n");
		return 2;
	}
	ip->daddr = dst.sin_addr.s_addr;
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);   /* IPPROTO_RAW implies IP_HDRINCL */
	if (fd < 0) {
		perror("send97: socket");
		return 1;
	}
	int count = argc == 5 ? atoi(argv[4]) : 1;
	for (int i = 0; i < count; i++) {
		ip->id = htons((unsigned short)i);
		if (sendto(fd, pkt, sizeof *ip + n, 0, (struct sockaddr *)&dst, sizeof dst) < 0) {
			perror("send97: sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}
