/* stream recv PORT OUT       accept one TCP connection, write what arrives to OUT; prints bytes
 * stream send HOST PORT IN RATE   send file IN at RATE bytes/s (0: as fast as it goes)
 * The end-to-end migration test streams through a moving VM with it and compares sha256sums.
 * Any error (reset, timeout) is exit status 1 with the reason on stderr. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int recv_main(int port, const char *out)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 1) < 0) {
		perror("stream recv: bind/listen");
		return 1;
	}
	fprintf(stderr, "listening\n");
	int c = accept(ls, NULL, NULL);
	if (c < 0) {
		perror("stream recv: accept");
		return 1;
	}
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(out);
		return 1;
	}
	static char buf[1 << 16];
	long long total = 0;
	for (;;) {
		ssize_t r = read(c, buf, sizeof buf);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "stream recv: read after %lld bytes: %s\n", total, strerror(errno));
			return 1;
		}
		if (write(fd, buf, (size_t)r) != r) {
			perror("stream recv: write");
			return 1;
		}
		total += r;
	}
	close(fd);
	printf("%lld\n", total);
	return 0;
}

static int send_main(const char *host, int port, const char *in, double rate)
{
	int fd = open(in, O_RDONLY);
	if (fd < 0) {
		perror(in);
		return 1;
	}
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	inet_pton(AF_INET, host, &sa.sin_addr);
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("stream send: connect");
		return 1;
	}
	static char buf[1 << 16];
	long long total = 0;
	double t0 = now();
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r <= 0)
			break;
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(s, buf + off, (size_t)(r - off));
			if (w < 0) {
				if (errno == EINTR)
					continue;
				fprintf(stderr, "stream send: write after %lld bytes: %s\n", total, strerror(errno));
				return 1;
			}
			off += w;
			total += w;
		}
		if (rate > 0) {
			double ahead = (double)total / rate - (now() - t0);
			if (ahead > 0)
				usleep((useconds_t)(ahead * 1e6));
		}
	}
	/* Orderly close, then wait for the peer's close: every byte was taken. */
	shutdown(s, SHUT_WR);
	while (read(s, buf, sizeof buf) > 0)
		;
	printf("%lld\n", total);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "recv") == 0)
		return recv_main(atoi(argv[2]), argv[3]);
	if (argc == 6 && strcmp(argv[1], "send") == 0)
		return send_main(argv[2], atoi(argv[3]), argv[4], atof(argv[5]));
	fprintf(stderr, "usage: stream recv PORT OUT | stream send HOST PORT IN RATE\n");
	return 2;
}
