#include "runtime/nl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "compiler/util.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

#define RBUF_N 64
#define RBUF_SIZE (16 * 1024)
#define ARENA_BLOCK (1024 * 1024)
#define ARENA_MIN_FREE (64 * 1024)

/* ---- building ---- */

void nlb_init(struct nlbuf *b) { memset(b, 0, sizeof *b); }

void nlb_free(struct nlbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

void nlb_reset(struct nlbuf *b)
{
	b->len = 0;
	b->n_msgs = 0;
}

static void *nlb_grow(struct nlbuf *b, size_t n)
{
	size_t need = b->len + NLMSG_ALIGN(n);
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64 * 1024;
		while (cap < need)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	void *p = b->data + b->len;
	memset(p, 0, NLMSG_ALIGN(n));
	b->len = need;
	return p;
}

struct nlmsghdr *nlb_at(struct nlbuf *b, size_t off) { return (struct nlmsghdr *)(b->data + off); }

size_t nlb_msg(struct nlbuf *b, uint16_t type, uint16_t flags, const void *hdr, size_t hdrlen)
{
	size_t off = b->len;
	struct nlmsghdr *h = nlb_grow(b, NLMSG_HDRLEN + hdrlen);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags | NLM_F_REQUEST;
	if (hdrlen)
		memcpy((char *)h + NLMSG_HDRLEN, hdr, hdrlen);
	b->n_msgs++;
	return off;
}

void nlb_end(struct nlbuf *b, size_t off) { nlb_at(b, off)->nlmsg_len = b->len - off; }

void nlb_drop(struct nlbuf *b, size_t off)
{
	b->len = off;
	b->n_msgs--;
}

void nlb_put(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = nlb_grow(b, NLA_HDRLEN + len);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
}

void nlb_put_u8(struct nlbuf *b, uint16_t type, uint8_t v) { nlb_put(b, type, &v, 1); }
void nlb_put_u16(struct nlbuf *b, uint16_t type, uint16_t v) { nlb_put(b, type, &v, 2); }
void nlb_put_u32(struct nlbuf *b, uint16_t type, uint32_t v) { nlb_put(b, type, &v, 4); }
void nlb_put_str(struct nlbuf *b, uint16_t type, const char *s) { nlb_put(b, type, s, strlen(s) + 1); }

size_t nlb_nest(struct nlbuf *b, uint16_t type)
{
	size_t off = b->len;
	struct nlattr *a = nlb_grow(b, NLA_HDRLEN);
	a->nla_type = type | NLA_F_NESTED;
	return off;
}

void nlb_nest_end(struct nlbuf *b, size_t off)
{
	((struct nlattr *)(b->data + off))->nla_len = b->len - off;
}

size_t nlb_copy_msg(struct nlbuf *b, const struct nlmsghdr *h, uint16_t type, uint16_t flags)
{
	size_t off = b->len;
	struct nlmsghdr *n = nlb_grow(b, h->nlmsg_len);
	memcpy(n, h, h->nlmsg_len);
	n->nlmsg_type = type;
	n->nlmsg_flags = flags | NLM_F_REQUEST;
	n->nlmsg_seq = 0;
	n->nlmsg_pid = 0;
	b->n_msgs++;
	return off;
}

/* ---- attributes ---- */

uint32_t nla_u32(const struct nlattr *a)
{
	uint32_t v = 0;
	if (nla_dlen(a) >= 4)
		memcpy(&v, nla_data_c(a), 4);
	return v;
}

uint16_t nla_u16(const struct nlattr *a)
{
	uint16_t v = 0;
	if (nla_dlen(a) >= 2)
		memcpy(&v, nla_data_c(a), 2);
	return v;
}

uint8_t nla_u8(const struct nlattr *a) { return nla_dlen(a) >= 1 ? *(const uint8_t *)nla_data_c(a) : 0; }

void nla_parse(const struct nlattr **tb, int max, const void *start, long len)
{
	memset(tb, 0, sizeof *tb * (max + 1));
	NLA_FOR(a, start, len) {
		int t = nla_kind(a);
		if (t <= max)
			tb[t] = a;
	}
}

/* ---- socket ---- */

int nls_open(struct nlsock *s)
{
	memset(s, 0, sizeof *s);
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s->fd < 0)
		return -1;
	/* Room for the errors of whole chunks (and every ACK of a chunk with ack_each): an ACK the
	 * socket has no room for is lost, and with it the knowledge of what happened. FORCE needs
	 * CAP_NET_ADMIN, which applying needs anyway; the plain options are the fallback. */
	int rcv = 32 << 20, snd = 4 << 20, one = 1;
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) < 0)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
	if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof snd) < 0)
		setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
	setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	setsockopt(s->fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(s->fd);
		errno = e;
		return -1;
	}
	s->seq = 1;
	s->rbuf = xmalloc((size_t)RBUF_N * RBUF_SIZE);
	return 0;
}

void nls_close(struct nlsock *s)
{
	if (s->fd > 0)
		close(s->fd);
	free(s->rbuf);
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

const char *nl_ext_msg(const struct nlmsghdr *h)
{
	if (h->nlmsg_type != NLMSG_ERROR || !(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_HDRLEN + sizeof *e;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof e->msg;
	if (off >= h->nlmsg_len)
		return NULL;
	const char *start = (const char *)h + off;
	long len = (long)h->nlmsg_len - (long)off;
	NLA_FOR(a, start, len) {
		if (nla_kind(a) == NLMSGERR_ATTR_MSG && nla_dlen(a) > 0) {
			const char *m = nla_data_c(a);
			if (memchr(m, 0, nla_dlen(a)))
				return m;
		}
	}
	return NULL;
}

/* Receives until the barrier with sequence number BARRIER is ACKed. Messages with sequence numbers
 * FIRST_SEQ... map to indexes FIRST_MSG... */
static int recv_until(struct nlsock *s, uint32_t barrier, uint32_t first_seq, size_t first_msg, size_t n,
		      const struct nl_handler *hd)
{
	struct mmsghdr mm[RBUF_N];
	struct iovec iov[RBUF_N];
	for (;;) {
		for (int i = 0; i < RBUF_N; i++) {
			iov[i].iov_base = s->rbuf + (size_t)i * RBUF_SIZE;
			iov[i].iov_len = RBUF_SIZE;
			memset(&mm[i], 0, sizeof mm[i]);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		int got = recvmmsg(s->fd, mm, RBUF_N, MSG_WAITFORONE, NULL);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s->n_recvs++;
		for (int i = 0; i < got; i++) {
			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
				errno = EMSGSIZE;
				return -1;
			}
			long len = mm[i].msg_len;
			for (struct nlmsghdr *h = iov[i].iov_base; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
				uint32_t seq = h->nlmsg_seq;
				bool ours = seq - first_seq < n;
				size_t idx = first_msg + (seq - first_seq);
				if (h->nlmsg_type == NLMSG_ERROR) {
					const struct nlmsgerr *e = NLMSG_DATA(h);
					if (seq == barrier)
						return 0;
					if (ours && e->error && hd->error)
						hd->error(hd->ctx, idx, e->error, nl_ext_msg(h));
				} else if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_NOOP) {
					continue;
				} else if (ours && hd->reply) {
					hd->reply(hd->ctx, idx, h);
				}
			}
		}
	}
}

int nls_batch(struct nlsock *s, struct nlbuf *b, const struct nl_handler *hd, size_t *done, size_t *sent)
{
	size_t off = 0, msg = 0;
	*done = 0;
	*sent = 0;
	while (off < b->len && !(hd->stop && *hd->stop)) {
		/* One chunk: whole messages up to the limits, then the barrier. */
		size_t start = off, first_msg = msg;
		uint32_t first_seq = s->seq;
		while (off < b->len && (off == start || (off - start < NL_CHUNK_BYTES && msg - first_msg < NL_CHUNK_MSGS))) {
			struct nlmsghdr *h = (struct nlmsghdr *)(b->data + off);
			h->nlmsg_seq = s->seq++;
			h->nlmsg_pid = 0;
			if (s->ack_each)
				h->nlmsg_flags |= NLM_F_ACK;
			off += NLMSG_ALIGN(h->nlmsg_len);
			msg++;
		}
		struct nlmsghdr barrier = {
			.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = s->seq++,
		};
		struct iovec iov[2] = { { b->data + start, off - start }, { &barrier, sizeof barrier } };
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
		struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof sa, .msg_iov = iov, .msg_iovlen = 2 };
		ssize_t r;
		do
			r = sendmsg(s->fd, &mh, 0);
		while (r < 0 && errno == EINTR);
		s->n_sends++;
		if (r < 0)
			return -1;
		*sent = msg;
		if (recv_until(s, barrier.nlmsg_seq, first_seq, first_msg, msg - first_msg, hd) < 0)
			return -1;
		*done = msg;
	}
	return 0;
}

/* ---- dumps ---- */

struct nl_block {
	struct nl_block *next;
	size_t used, cap;
	char data[];
};

void nl_arena_free(struct nl_arena *a)
{
	while (a->blocks) {
		struct nl_block *n = a->blocks->next;
		free(a->blocks);
		a->blocks = n;
	}
}

static char *arena_room(struct nl_arena *a, size_t *room)
{
	struct nl_block *blk = a->blocks;
	if (!blk || blk->cap - blk->used < ARENA_MIN_FREE) {
		blk = xmalloc(sizeof *blk + ARENA_BLOCK);
		blk->used = 0;
		blk->cap = ARENA_BLOCK;
		blk->next = a->blocks;
		a->blocks = blk;
	}
	*room = blk->cap - blk->used;
	return blk->data + blk->used;
}

void *nl_arena_copy(struct nl_arena *a, const void *p, size_t n)
{
	size_t room;
	char *dst = arena_room(a, &room);
	if (n > room) {
		/* a block of its own */
		struct nl_block *blk = xmalloc(sizeof *blk + n);
		blk->used = blk->cap = n;
		blk->next = a->blocks ? a->blocks->next : NULL;
		if (a->blocks)
			a->blocks->next = blk;
		else
			a->blocks = blk;
		memcpy(blk->data, p, n);
		return blk->data;
	}
	memcpy(dst, p, n);
	a->blocks->used += NLMSG_ALIGN(n);
	return dst;
}

int nls_dump(struct nlsock *s, struct nlbuf *req, struct nl_arena *arena,
	     void (*fn)(void *ctx, const struct nlmsghdr *h), void *ctx)
{
	struct nlmsghdr *rh = (struct nlmsghdr *)req->data;
	rh->nlmsg_seq = s->seq++;
	rh->nlmsg_flags |= NLM_F_DUMP | NLM_F_REQUEST;
	uint32_t seq = rh->nlmsg_seq;
	ssize_t r;
	do
		r = send(s->fd, req->data, req->len, 0);
	while (r < 0 && errno == EINTR);
	s->n_sends++;
	if (r < 0)
		return -1;
	bool intr = false;
	for (;;) {
		size_t room;
		char *p = arena_room(arena, &room);
		struct iovec iov = { p, room };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		do
			r = recvmsg(s->fd, &mh, 0);
		while (r < 0 && errno == EINTR);
		s->n_recvs++;
		if (r < 0)
			return -1;
		if (mh.msg_flags & MSG_TRUNC) {
			errno = EMSGSIZE;
			return -1;
		}
		arena->blocks->used += NLMSG_ALIGN((size_t)r);
		long len = r;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)p; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				if (intr) {
					errno = EAGAIN;   /* the dump was interrupted by a change: try again */
					return -1;
				}
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (e->error == 0)
					continue;
				errno = -e->error;
				return -1;
			}
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (!intr)
				fn(ctx, h);
		}
	}
}
