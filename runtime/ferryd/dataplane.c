/* ferryd's EtherIP dataplane: TAP devices on one side, raw IP protocol 97 sockets on the other,
 * batched both ways (a burst of TAP reads into one sendmmsg, one recvmmsg into TAP writes). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <netinet/ip.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "compiler/util.h"
#include "runtime/etherip_offload.h"
#include "runtime/ferryd/ferryd.h"

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

#define SOCK_BUF (8 << 20)      /* raw socket send and receive buffers: bursts of a fast TAP */
#define SLOT     (FD_FRAME_MAX + ETHERIP_HLEN)
#define TX_READS 16              /* TAP reads per wakeup */
#define TX_SLOT  (EIP_VNET_HLEN + FD_FRAME_MAX)
#define TX_MSGS  512             /* segments per wakeup (a 64 KB super-frame is ~45) */

/* ---- errors ---- */

__attribute__((format(printf, 3, 4)))
static void tunnel_error(struct tunnel *t, enum etherip_drop why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->last_error, sizeof t->last_error, fmt, ap);
	va_end(ap);
	t->st.drops[why]++;
	long long now = now_ms();
	if (now - t->last_log_ms >= 1000) {
		t->last_log_ms = now;
		flog(LOG_WARNING, "tunnel %s: %s (drops %s: %llu)", t->name, t->last_error,
		     etherip_drop_name(why), (unsigned long long)t->st.drops[why]);
	}
}

/* ---- TAP devices ---- */

/* The flags ferryd attaches with (docs/ferryd.md): a TAP, no packet-information prefix, a
 * virtio-net header in front of each frame (IFF_VNET_HDR: TSO super-frames in, GRO super-frames
 * out; the attach sets it, whatever the TAP was made with). A persistent TAP made with
 * IFF_MULTI_QUEUE only takes an attach that says so too: then ferryd attaches to one queue. */
#define TAP_FLAGS (IFF_TAP | IFF_NO_PI)
#define TAP_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

static int set_up(const char *ifname)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (rc == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	int e = errno;
	close(s);
	errno = e;
	return rc;
}

static int tap_open(const char *ifname, bool offload, bool *created, bool *vnet, char **err)
{
	int flags = TAP_FLAGS | (offload ? IFF_VNET_HDR : 0);
	bool existed = if_nametoindex(ifname) != 0;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*err = xasprintf("interface %s: /dev/net/tun: %s", ifname, strerror(errno));
		return -1;
	}
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	ifr.ifr_flags = (short)flags;
	int rc = ioctl(fd, TUNSETIFF, &ifr);
	if (rc < 0 && errno == EINVAL && existed) {
		ifr.ifr_flags = (short)(flags | IFF_MULTI_QUEUE);
		rc = ioctl(fd, TUNSETIFF, &ifr);
		if (rc < 0 && errno == EINVAL) {
			*err = xasprintf("interface %s exists and is not a TAP device", ifname);
			close(fd);
			return -1;
		}
	}
	if (rc < 0) {
		int e = errno;
		*err = e == EBUSY ? xasprintf("interface %s: TAP already attached by another process", ifname)
				  : xasprintf("interface %s: TUNSETIFF: %s", ifname, strerror(e));
		close(fd);
		return -1;
	}
	*created = !existed;
	*vnet = offload;
	if (offload && ioctl(fd, TUNSETOFFLOAD, (unsigned long)TAP_OFFLOADS) < 0) {
		/* vnet headers without offloads: plain frames with an empty header */
		flog(LOG_WARNING, "interface %s: TUNSETOFFLOAD: %s; no TSO", ifname, strerror(errno));
	}
	if (*created && set_up(ifname) < 0)
		flog(LOG_WARNING, "interface %s: could not set it up: %s", ifname, strerror(errno));
	flog(LOG_INFO, "interface %s: %s TAP%s", ifname, *created ? "created a" : "attached to the",
	     offload ? " (vnet header, TSO/GRO)" : "");
	return fd;
}

/* ---- raw sockets ---- */

static void setbuf_force(int fd, int opt_force, int opt, int size)
{
	if (setsockopt(fd, SOL_SOCKET, opt_force, &size, sizeof size) < 0)
		setsockopt(fd, SOL_SOCKET, opt, &size, sizeof size);
}

static void to_sockaddr(const struct ipaddr *a, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a->a, 4);
		*len = sizeof *s4;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->a, 16);
		*len = sizeof *s6;
	}
}

static int sock_open(const struct ipaddr *local, char **err)
{
	char ls[IP_STRLEN];
	ip_format(local, ls);
	int fd = socket(local->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, ETHERIP_PROTO);
	if (fd < 0) {
		*err = xasprintf("raw IP protocol 97 socket for %s: %s", ls, strerror(errno));
		return -1;
	}
	int one = 1;
	/* Bind even while the address is not (yet) on an interface: the runtime may add it later,
	 * and a VLAN may flap. */
	if (local->family == AF_INET) {
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
		/* Large frames: the kernel fragments the outer packet (DF clear), as BIG-IP does. */
		int pmtu = IP_PMTUDISC_DONT;
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
	} else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof one);
	}
	setbuf_force(fd, SO_SNDBUFFORCE, SO_SNDBUF, SOCK_BUF);
	setbuf_force(fd, SO_RCVBUFFORCE, SO_RCVBUF, SOCK_BUF);
	struct sockaddr_storage ss;
	socklen_t len;
	to_sockaddr(local, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		*err = xasprintf("raw IP protocol 97 socket: bind to %s: %s", ls, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int by_remote_cmp(const void *a, const void *b)
{
	const struct tunnel *x = *(struct tunnel *const *)a, *y = *(struct tunnel *const *)b;
	return memcmp(x->remote.a, y->remote.a, 16);
}

static struct tunnel *lookup(const struct lsock *s, const uint8_t *remote, size_t alen)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(s->by_remote[mid]->remote.a, remote, alen);
		if (c == 0 && alen < 16)
			c = memcmp(s->by_remote[mid]->remote.a + alen, "\0\0\0\0\0\0\0\0\0\0\0\0", 16 - alen);
		if (c == 0)
			return s->by_remote[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- epoll ---- */

static void ep_set(struct ferryd *d, int op, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };
	if (epoll_ctl(d->epfd, op, fd, &ev) < 0)
		flog(LOG_ERR, "epoll_ctl(%d, fd %d): %s", op, fd, strerror(errno));
}

static void arm_out(struct ferryd *d, struct lsock *s, bool on)
{
	if (s->out_armed == on)
		return;
	s->out_armed = on;
	ep_set(d, EPOLL_CTL_MOD, s->fd, EPOLLIN | (on ? EPOLLOUT : 0), &s->ev);
}

static void drop_pending(struct ferryd *d, struct tunnel *t, bool count)
{
	if (count && t->pend_n > t->pend_i)
		t->st.drops[EIP_DROP_SEND] += (uint64_t)(t->pend_n - t->pend_i);
	free(t->pend);
	free(t->pend_len);
	t->pend = NULL;
	t->pend_len = NULL;
	t->pend_n = t->pend_i = 0;
	if (t->tap_fd >= 0 && !t->tap_lost)
		ep_set(d, EPOLL_CTL_MOD, t->tap_fd, EPOLLIN, &t->ev);
}

/* ---- transmit: TAP -> raw socket ---- */

/* Sends MSGS[0..N) for tunnel T. Returns the index of the first message the socket would not
 * take (buffer full), or N. Failed messages are dropped and counted. */
static int send_batch(struct ferryd *d, struct tunnel *t, struct mmsghdr *msgs, int n)
{
	int i = 0;
	while (i < n) {
		int r = sendmmsg(t->sock->fd, msgs + i, (unsigned)(n - i), MSG_DONTWAIT);
		d->tx_calls++;
		if (r > 0) {
			for (int k = i; k < i + r; k++) {
				const struct msghdr *m = &msgs[k].msg_hdr;
				t->st.pkts_out++;
				for (size_t v = 0; v < m->msg_iovlen; v++)
					t->st.bytes_out += m->msg_iov[v].iov_len;
				t->st.bytes_out -= ETHERIP_HLEN;
			}
			d->tx_pkts += (uint64_t)r;
			i += r;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return i;
		/* This one failed (no route, qdisc drop, too big): drop it, go on with the rest. */
		tunnel_error(t, EIP_DROP_SEND, "send to remote: %s", strerror(errno));
		i++;
	}
	return n;
}

static void block(struct ferryd *d, struct tunnel *t, struct mmsghdr *msgs, int from, int n)
{
	size_t total = 0;
	for (int k = from; k < n; k++)
		for (size_t v = 0; v < msgs[k].msg_hdr.msg_iovlen; v++)
			total += msgs[k].msg_hdr.msg_iov[v].iov_len;
	t->pend = xmalloc(total);
	t->pend_len = xmalloc((size_t)(n - from) * sizeof *t->pend_len);
	size_t off = 0;
	for (int k = from; k < n; k++) {
		size_t start = off;
		for (size_t v = 0; v < msgs[k].msg_hdr.msg_iovlen; v++) {
			const struct iovec *iv = &msgs[k].msg_hdr.msg_iov[v];
			memcpy(t->pend + off, iv->iov_base, iv->iov_len);
			off += iv->iov_len;
		}
		t->pend_len[k - from] = (uint32_t)(off - start);
	}
	t->pend_n = n - from;
	t->pend_i = 0;
	if (!t->tap_lost)
		ep_set(d, EPOLL_CTL_MOD, t->tap_fd, 0, &t->ev);   /* stop reading the TAP */
	t->next_blocked = t->sock->blocked;
	t->sock->blocked = t;
	arm_out(d, t->sock, true);
}

/* The TAP fails reads (its interface was deleted under us): stop watching it, or level-triggered
 * epoll would spin on it. The next reload opens the interface anew. */
static void tap_lost(struct ferryd *d, struct tunnel *t)
{
	int e = errno;
	snprintf(t->last_error, sizeof t->last_error, "TAP %s: %s; a reload opens it again", t->ifname,
		 strerror(e));
	flog(LOG_ERR, "tunnel %s: %s", t->name, t->last_error);
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, t->tap_fd, NULL);
	t->tap_lost = true;
}

static const uint8_t etherip_hdr[ETHERIP_HLEN] = { ETHERIP_VERSION << 4, 0 };

static void add_msg(struct mmsghdr *m, struct iovec *iov, struct tunnel *t, const void *h, size_t hlen,
		    const void *p, size_t plen)
{
	iov[0].iov_base = (void *)h;
	iov[0].iov_len = hlen;
	iov[1].iov_base = (void *)p;
	iov[1].iov_len = plen;
	memset(m, 0, sizeof *m);
	m->msg_hdr.msg_name = &t->peer;
	m->msg_hdr.msg_namelen = t->peer_len;
	m->msg_hdr.msg_iov = iov;
	m->msg_hdr.msg_iovlen = 2;
}

/* The TAP has frames: read a burst (each a frame, or with offloads a TCP super-frame cut into
 * segments here), send them all with sendmmsg. Messages point into the read buffers. */
void fd_tap_ready(struct ferryd *d, struct tunnel *t)
{
	static struct mmsghdr msgs[TX_MSGS];
	static struct iovec iov[TX_MSGS][2];
	static struct eip_seg segs[TX_MSGS];
	if (t->pend_n)
		return;
	int nm = 0;
	for (int reads = 0; reads < TX_READS && nm < TX_MSGS / 2; reads++) {
		uint8_t *b = d->txbuf + (size_t)reads * TX_SLOT;
		ssize_t r = read(t->tap_fd, b, t->vnet ? TX_SLOT : FD_FRAME_MAX);
		if (r < 0) {
			if (errno == EINTR) {
				reads--;
				continue;
			}
			if (errno != EAGAIN)
				tap_lost(d, t);
			break;
		}
		uint8_t *f = b;
		size_t len = (size_t)r;
		if (t->vnet) {
			struct virtio_net_hdr vh;
			if (len < EIP_VNET_HLEN)
				continue;
			memcpy(&vh, b, sizeof vh);
			f += EIP_VNET_HLEN;
			len -= EIP_VNET_HLEN;
			int gso = vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
			if (gso != VIRTIO_NET_HDR_GSO_NONE) {
				int k = gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_TCPV6
						? eip_tso(&vh, f, len, segs + nm, TX_MSGS - nm) : -1;
				if (k < 0) {
					tunnel_error(t, EIP_DROP_SEND, "TAP super-frame (gso type %d, %zu bytes) "
						     "could not be segmented", vh.gso_type, len);
					continue;
				}
				for (int s = nm; s < nm + k; s++)
					add_msg(&msgs[s], iov[s], t, segs[s].hdr, segs[s].hdr_len, segs[s].payload,
						segs[s].plen);
				nm += k;
				continue;
			}
			if ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && eip_csum_complete(f, len, &vh) < 0) {
				tunnel_error(t, EIP_DROP_SEND, "TAP frame with checksum offsets past its end");
				continue;
			}
		}
		if (len < ETHERIP_ETH_MIN)
			continue;
		add_msg(&msgs[nm], iov[nm], t, etherip_hdr, ETHERIP_HLEN, f, len);
		nm++;
	}
	if (!nm)
		return;
	int sent = send_batch(d, t, msgs, nm);
	if (sent < nm)
		block(d, t, msgs, sent, nm);
}

void fd_sock_writable(struct ferryd *d, struct lsock *s)
{
	static struct mmsghdr msgs[FD_BATCH];
	static struct iovec iov[FD_BATCH];
	arm_out(d, s, false);
	while (s->blocked) {
		struct tunnel *t = s->blocked;
		while (t->pend_i < t->pend_n) {
			size_t off = 0;
			for (int k = 0; k < t->pend_i; k++)
				off += t->pend_len[k];
			int n = 0;
			for (int k = t->pend_i; k < t->pend_n && n < FD_BATCH; k++, n++) {
				iov[n].iov_base = t->pend + off;
				iov[n].iov_len = t->pend_len[k];
				off += t->pend_len[k];
				memset(&msgs[n], 0, sizeof msgs[n]);
				msgs[n].msg_hdr.msg_name = &t->peer;
				msgs[n].msg_hdr.msg_namelen = t->peer_len;
				msgs[n].msg_hdr.msg_iov = &iov[n];
				msgs[n].msg_hdr.msg_iovlen = 1;
			}
			int sent = send_batch(d, t, msgs, n);
			t->pend_i += sent;
			if (sent < n) {
				arm_out(d, s, true);   /* still full: wait again */
				return;
			}
		}
		s->blocked = t->next_blocked;
		t->next_blocked = NULL;
		drop_pending(d, t, false);         /* all sent: read the TAP again */
	}
}

/* ---- receive: raw socket -> TAP ---- */

static void gro_flush(struct eip_gro *g)
{
	struct tunnel *t = g->owner;
	int niov = eip_gro_finish(g);
	size_t bytes = 0;
	for (int v = 1; v < niov; v++)
		bytes += g->iov[v].iov_len;
	if (g->mss)
		bytes += (size_t)(g->n - 1) * g->t.hl;   /* the headers each segment had */
	if (writev(t->tap_fd, g->iov, niov) < 0) {
		t->st.drops[EIP_DROP_TAP] += (uint64_t)g->n - 1;
		tunnel_error(t, EIP_DROP_TAP, "write to TAP: %s", strerror(errno));
	} else {
		t->st.pkts_in += (uint64_t)g->n;
		t->st.bytes_in += bytes;
	}
	g->n = 0;
}

void fd_sock_readable(struct ferryd *d, struct lsock *s)
{
	static struct eip_gro gro;
	static struct mmsghdr msgs[FD_BATCH];
	static struct iovec iov[FD_BATCH];
	static struct sockaddr_in6 from[FD_BATCH];
	for (int k = 0; k < FD_BATCH; k++) {
		iov[k].iov_base = d->rxbuf + (size_t)k * SLOT;
		iov[k].iov_len = SLOT;
		memset(&msgs[k], 0, sizeof msgs[k]);
		msgs[k].msg_hdr.msg_iov = &iov[k];
		msgs[k].msg_hdr.msg_iovlen = 1;
		msgs[k].msg_hdr.msg_name = &from[k];
		msgs[k].msg_hdr.msg_namelen = sizeof from[k];
	}
	int n = recvmmsg(s->fd, msgs, FD_BATCH, MSG_DONTWAIT, NULL);
	d->rx_calls++;
	if (n <= 0)
		return;
	d->rx_pkts += (uint64_t)n;
	bool v4 = s->local.family == AF_INET;
	for (int k = 0; k < n; k++) {
		const uint8_t *p = iov[k].iov_base;
		size_t len = msgs[k].msg_len, plen = len;
		const uint8_t *src;
		uint32_t s4, d4;
		if (msgs[k].msg_hdr.msg_flags & MSG_TRUNC) {
			d->drops[EIP_DROP_BAD_IP]++;
			continue;
		}
		if (v4) {
			size_t off;
			if (etherip_ipv4_split(p, len, &s4, &d4, &off, &plen) < 0) {
				d->drops[EIP_DROP_BAD_IP]++;
				continue;
			}
			p += off;
			src = (const uint8_t *)&s4;
		} else {
			src = from[k].sin6_addr.s6_addr;
		}
		struct tunnel *t = lookup(s, src, v4 ? 4 : 16);
		if (!t) {
			d->drops[EIP_DROP_UNKNOWN_PEER]++;
			d->last_unknown.family = s->local.family;
			memset(d->last_unknown.a, 0, 16);
			memcpy(d->last_unknown.a, src, v4 ? 4 : 16);
			continue;
		}
		int bad = etherip_check(p, plen);
		if (bad >= 0) {
			t->st.drops[bad]++;
			continue;
		}
		const uint8_t *f = p + ETHERIP_HLEN;
		size_t flen = plen - ETHERIP_HLEN;
		if (!t->vnet) {
			if (write(t->tap_fd, f, flen) < 0) {
				tunnel_error(t, EIP_DROP_TAP, "write to TAP: %s", strerror(errno));
				continue;
			}
			t->st.pkts_in++;
			t->st.bytes_in += flen;
			continue;
		}
		/* Consecutive segments of one TCP flow become one super-frame. */
		struct eip_tcp tc;
		bool tcp = eip_parse_tcp(f, flen, &tc) == 0 && eip_tcp_csum_ok(f, flen, &tc);
		if (gro.n && gro.owner == t && tcp && eip_gro_can_append(&gro, f, flen, &tc)) {
			eip_gro_append(&gro, f, flen, &tc);
			continue;
		}
		if (gro.n)
			gro_flush(&gro);
		eip_gro_start(&gro, t, f, flen, tcp ? &tc : NULL);
	}
	if (gro.n)
		gro_flush(&gro);
}

/* ---- configuration ---- */

static void tunnel_free(struct ferryd *d, struct tunnel *t)
{
	if (!t)
		return;
	free(t->pend);
	free(t->pend_len);
	if (t->tap_fd >= 0) {
		if (d)
			epoll_ctl(d->epfd, EPOLL_CTL_DEL, t->tap_fd, NULL);
		close(t->tap_fd);   /* a TAP ferryd created goes with its last fd */
	}
	free(t->name);
	free(t);
}

static void sock_free(struct ferryd *d, struct lsock *s)
{
	if (s->fd >= 0) {
		if (d)
			epoll_ctl(d->epfd, EPOLL_CTL_DEL, s->fd, NULL);
		close(s->fd);
	}
	free(s->by_remote);
	free(s);
}

int fd_init(struct ferryd *d)
{
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0)
		return -1;
	d->txbuf = xmalloc((size_t)TX_READS * TX_SLOT);
	d->rxbuf = xmalloc((size_t)FD_BATCH * SLOT);
	return 0;
}

static struct tunnel *find_by_ifname(struct ferryd *d, const char *ifname)
{
	for (size_t i = 0; i < d->n_tunnels; i++)
		if (strcmp(d->tunnels[i]->ifname, ifname) == 0 && !d->tunnels[i]->tap_lost)
			return d->tunnels[i];
	return NULL;
}

static struct lsock *find_sock(struct lsock *list, const struct ipaddr *a)
{
	for (; list; list = list->next)
		if (ip_equal(&list->local, a))
			return list;
	return NULL;
}

int fd_apply(struct ferryd *d, const struct ferryd_conf *conf, char **err)
{
	size_t n = conf->n_tunnels;
	struct tunnel **nt = xcalloc(n ? n : 1, sizeof *nt);
	bool *fresh = xcalloc(n ? n : 1, sizeof *fresh);
	struct lsock *new_socks = NULL;   /* opened for this change, not yet in d->socks */
	*err = NULL;
	for (size_t i = 0; i < d->n_tunnels; i++)
		d->tunnels[i]->keep = false;

	/* 1. TAPs: the same interface keeps its fd (and counters); others are opened now. */
	for (size_t i = 0; i < n; i++) {
		const struct ferryd_tunnel_conf *c = &conf->tunnels[i];
		struct tunnel *old = find_by_ifname(d, c->ifname);
		if (old) {
			old->keep = true;
			nt[i] = old;
			continue;
		}
		struct tunnel *t = xcalloc(1, sizeof *t);
		t->ev.kind = EV_TAP;
		t->tap_fd = tap_open(c->ifname, !d->no_offload, &t->created, &t->vnet, err);
		if (t->tap_fd < 0) {
			free(t);
			goto rollback;
		}
		t->name = xstrdup(c->name);
		snprintf(t->ifname, sizeof t->ifname, "%s", c->ifname);
		nt[i] = t;
		fresh[i] = true;
	}
	/* 2. sockets: one per local address. */
	for (size_t i = 0; i < n; i++) {
		const struct ipaddr *local = &conf->tunnels[i].local;
		if (find_sock(d->socks, local) || find_sock(new_socks, local))
			continue;
		struct lsock *s = xcalloc(1, sizeof *s);
		s->ev.kind = EV_SOCK;
		s->local = *local;
		s->fd = sock_open(local, err);
		if (s->fd < 0) {
			free(s);
			goto rollback;
		}
		s->next = new_socks;
		new_socks = s;
	}

	/* 3. commit: nothing below fails. */
	for (struct lsock *s = new_socks; s; s = s->next)
		ep_set(d, EPOLL_CTL_ADD, s->fd, EPOLLIN, &s->ev);
	if (new_socks) {
		struct lsock *last = new_socks;
		while (last->next)
			last = last->next;
		last->next = d->socks;
		d->socks = new_socks;
	}
	for (struct lsock *s = d->socks; s; s = s->next) {
		s->blocked = NULL;
		s->n = 0;
	}
	for (size_t i = 0; i < d->n_tunnels; i++) {
		struct tunnel *t = d->tunnels[i];
		if (!t->keep) {
			flog(LOG_INFO, "tunnel %s (%s): removed", t->name, t->ifname);
			tunnel_free(d, t);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct ferryd_tunnel_conf *c = &conf->tunnels[i];
		struct tunnel *t = nt[i];
		struct lsock *s = find_sock(d->socks, &c->local);
		bool moved = !fresh[i] && (t->sock != s || !ip_equal(&t->remote, &c->remote));
		if (!fresh[i] && strcmp(t->name, c->name) != 0) {
			free(t->name);
			t->name = xstrdup(c->name);
		}
		if (moved && t->pend_n)
			drop_pending(d, t, true);   /* frames meant for the old peer */
		t->local = c->local;
		t->remote = c->remote;
		to_sockaddr(&c->remote, &t->peer, &t->peer_len);
		t->sock = s;
		s->n++;
		if (t->pend_n) {                 /* still blocked on the same socket */
			t->next_blocked = s->blocked;
			s->blocked = t;
		}
		if (fresh[i]) {
			ep_set(d, EPOLL_CTL_ADD, t->tap_fd, EPOLLIN, &t->ev);
			char l[IP_STRLEN], r[IP_STRLEN];
			ip_format(&t->local, l);
			ip_format(&t->remote, r);
			flog(LOG_INFO, "tunnel %s (%s): %s -> %s", t->name, t->ifname, l, r);
		}
	}
	/* Sockets no tunnel uses any more go; the others get their lookup tables anew. */
	for (struct lsock **sp = &d->socks; *sp;) {
		struct lsock *s = *sp;
		if (!s->n) {
			*sp = s->next;
			sock_free(d, s);
			continue;
		}
		free(s->by_remote);
		s->by_remote = xcalloc(s->n, sizeof *s->by_remote);
		s->n = 0;
		sp = &s->next;
	}
	for (size_t i = 0; i < n; i++)
		nt[i]->sock->by_remote[nt[i]->sock->n++] = nt[i];
	for (struct lsock *s = d->socks; s; s = s->next) {
		qsort(s->by_remote, s->n, sizeof *s->by_remote, by_remote_cmp);
		arm_out(d, s, s->blocked != NULL);
	}
	free(d->tunnels);
	d->tunnels = nt;
	d->n_tunnels = n;
	free(fresh);
	return 0;

rollback:
	for (size_t i = 0; i < n; i++)
		if (fresh[i])
			tunnel_free(NULL, nt[i]);
	while (new_socks) {
		struct lsock *s = new_socks;
		new_socks = s->next;
		sock_free(NULL, s);
	}
	for (size_t i = 0; i < d->n_tunnels; i++)
		d->tunnels[i]->keep = true;
	free(nt);
	free(fresh);
	return -1;
}

void fd_shutdown(struct ferryd *d)
{
	for (size_t i = 0; i < d->n_tunnels; i++)
		tunnel_free(d, d->tunnels[i]);
	free(d->tunnels);
	d->tunnels = NULL;
	d->n_tunnels = 0;
	while (d->socks) {
		struct lsock *s = d->socks;
		d->socks = s->next;
		sock_free(d, s);
	}
	free(d->txbuf);
	free(d->rxbuf);
	d->txbuf = d->rxbuf = NULL;
}

/* ---- show ---- */

static void yaml_quoted(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_putc(sb, '\\');
		if ((unsigned char)*s < ' ')
			sb_printf(sb, "\\x%02x", (unsigned char)*s);
		else
			sb_putc(sb, *s);
	}
	sb_putc(sb, '"');
}

static const enum etherip_drop tunnel_drops[] = { EIP_DROP_SHORT, EIP_DROP_VERSION, EIP_DROP_RESERVED,
						  EIP_DROP_TAP, EIP_DROP_SEND };
static const enum etherip_drop global_drops[] = { EIP_DROP_UNKNOWN_PEER, EIP_DROP_BAD_IP };
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void show_tunnel(struct strbuf *sb, const struct tunnel *t, bool yaml)
{
	char l[IP_STRLEN], r[IP_STRLEN];
	ip_format(&t->local, l);
	ip_format(&t->remote, r);
	const struct tunnel_stats *st = &t->st;
	if (yaml) {
		sb_puts(sb, "  - name: ");
		yaml_quoted(sb, t->name);
		sb_printf(sb, "\n    interface: %s\n    tap: %s\n    local: %s\n    remote: %s\n",
			  t->ifname, t->created ? "created" : "attached", l, r);
		sb_printf(sb, "    packets-in: %llu\n    bytes-in: %llu\n    packets-out: %llu\n    bytes-out: %llu\n",
			  (unsigned long long)st->pkts_in, (unsigned long long)st->bytes_in,
			  (unsigned long long)st->pkts_out, (unsigned long long)st->bytes_out);
		sb_puts(sb, "    drops:\n");
		for (size_t k = 0; k < N_OF(tunnel_drops); k++)
			sb_printf(sb, "      %s: %llu\n", etherip_drop_name(tunnel_drops[k]),
				  (unsigned long long)st->drops[tunnel_drops[k]]);
		sb_puts(sb, "    last-error: ");
		if (t->last_error[0])
			yaml_quoted(sb, t->last_error);
		else
			sb_puts(sb, "null");
		sb_putc(sb, '\n');
		return;
	}
	sb_printf(sb, "tunnel %s\n    interface %s (%s TAP), local %s, remote %s\n", t->name, t->ifname,
		  t->created ? "ferryd's own" : "attached", l, r);
	sb_printf(sb, "    in:  %llu packets, %llu bytes\n    out: %llu packets, %llu bytes\n",
		  (unsigned long long)st->pkts_in, (unsigned long long)st->bytes_in,
		  (unsigned long long)st->pkts_out, (unsigned long long)st->bytes_out);
	sb_puts(sb, "    drops:");
	for (size_t k = 0; k < N_OF(tunnel_drops); k++)
		sb_printf(sb, "%s %s %llu", k ? "," : "", etherip_drop_name(tunnel_drops[k]),
			  (unsigned long long)st->drops[tunnel_drops[k]]);
	sb_printf(sb, "\n    last error: %s\n", t->last_error[0] ? t->last_error : "none");
}

char *fd_show(struct ferryd *d, bool yaml, const char *name)
{
	struct strbuf sb;
	sb_init(&sb);
	bool found = false;
	if (yaml)
		sb_puts(&sb, "etherip:\n");
	for (size_t i = 0; i < d->n_tunnels; i++) {
		if (name && strcmp(d->tunnels[i]->name, name) != 0 && strcmp(d->tunnels[i]->ifname, name) != 0)
			continue;
		found = true;
		show_tunnel(&sb, d->tunnels[i], yaml);
	}
	if (name && !found) {
		sb_free(&sb);
		return NULL;
	}
	if (yaml && !found)
		sb.len -= 1, sb_puts(&sb, " []\n");
	if (name)
		return sb_steal(&sb);
	char lu[IP_STRLEN] = "";
	if (d->last_unknown.family)
		ip_format(&d->last_unknown, lu);
	if (yaml) {
		sb_puts(&sb, "drops:\n");
		for (size_t k = 0; k < N_OF(global_drops); k++)
			sb_printf(&sb, "  %s: %llu\n", etherip_drop_name(global_drops[k]),
				  (unsigned long long)d->drops[global_drops[k]]);
		sb_printf(&sb, "last-unknown-peer: %s\n", lu[0] ? lu : "null");
		sb_printf(&sb, "batching:\n  recvmmsg-calls: %llu\n  packets-received: %llu\n"
			  "  sendmmsg-calls: %llu\n  packets-sent: %llu\n",
			  (unsigned long long)d->rx_calls, (unsigned long long)d->rx_pkts,
			  (unsigned long long)d->tx_calls, (unsigned long long)d->tx_pkts);
		sb_printf(&sb, "reloads: %llu\nlast-reload-error: ", (unsigned long long)d->reloads);
		if (d->last_reload_error[0])
			yaml_quoted(&sb, d->last_reload_error);
		else
			sb_puts(&sb, "null");
		sb_putc(&sb, '\n');
	} else {
		sb_puts(&sb, "not charged to a tunnel:\n    drops:");
		for (size_t k = 0; k < N_OF(global_drops); k++)
			sb_printf(&sb, "%s %s %llu", k ? "," : "", etherip_drop_name(global_drops[k]),
				  (unsigned long long)d->drops[global_drops[k]]);
		if (lu[0])
			sb_printf(&sb, " (last unknown peer %s)", lu);
		sb_printf(&sb, "\n    batching: %llu packets in %llu recvmmsg, %llu packets in %llu sendmmsg\n",
			  (unsigned long long)d->rx_pkts, (unsigned long long)d->rx_calls,
			  (unsigned long long)d->tx_pkts, (unsigned long long)d->tx_calls);
		sb_printf(&sb, "    reloads: %llu, last reload error: %s\n", (unsigned long long)d->reloads,
			  d->last_reload_error[0] ? d->last_reload_error : "none");
	}
	return sb_steal(&sb);
}
