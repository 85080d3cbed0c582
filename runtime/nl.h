/* A small rtnetlink client: message building into a growable buffer, batches sent many messages
 * per sendmsg with errors matched back to messages by sequence number, and dumps whose messages
 * stay in memory (the state reader keeps pointers into them instead of copying).
 *
 * Batches: every message of a batch gets a sequence number at send time; the buffer goes out in
 * chunks of up to NL_CHUNK_BYTES / NL_CHUNK_MSGS, each followed by an NLMSG_NOOP with NLM_F_ACK,
 * the barrier: the kernel handles a chunk's messages in order inside the one sendmsg, reporting
 * an error for each failed message (with its sequence number) whether or not it asked for an ACK,
 * and then ACKs the barrier. So the chunk is done when the barrier's ACK arrives, and every
 * message without an error before it succeeded. With ack_each set, every message also asks for
 * its own ACK (the classic way, kept for comparison: see tests/bench/bench-apply.sh). */
#ifndef FERRY_RUNTIME_NL_H
#define FERRY_RUNTIME_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define NL_CHUNK_BYTES (256 * 1024)
#define NL_CHUNK_MSGS 4096

struct nlbuf {
	char *data;
	size_t len, cap;
	size_t n_msgs;
};

void nlb_init(struct nlbuf *b);
void nlb_free(struct nlbuf *b);
void nlb_reset(struct nlbuf *b);
/* Starts a message: header TYPE/FLAGS (NLM_F_REQUEST is added) and a family header of HDRLEN
 * bytes copied from HDR. Returns the message's offset in the buffer. */
size_t nlb_msg(struct nlbuf *b, uint16_t type, uint16_t flags, const void *hdr, size_t hdrlen);
/* Ends the message that starts at OFF (sets its length). */
void nlb_end(struct nlbuf *b, size_t off);
/* Drops the message that starts at OFF (the last one), e.g. when building it failed. */
void nlb_drop(struct nlbuf *b, size_t off);
struct nlmsghdr *nlb_at(struct nlbuf *b, size_t off);
void nlb_put(struct nlbuf *b, uint16_t type, const void *data, size_t len);
void nlb_put_u8(struct nlbuf *b, uint16_t type, uint8_t v);
void nlb_put_u16(struct nlbuf *b, uint16_t type, uint16_t v);
void nlb_put_u32(struct nlbuf *b, uint16_t type, uint32_t v);
void nlb_put_str(struct nlbuf *b, uint16_t type, const char *s);
size_t nlb_nest(struct nlbuf *b, uint16_t type);
void nlb_nest_end(struct nlbuf *b, size_t off);
/* Appends a copy of a whole message (e.g. one from a dump) and returns its offset. */
size_t nlb_copy_msg(struct nlbuf *b, const struct nlmsghdr *h, uint16_t type, uint16_t flags);

/* Attributes. */
#define NLA_FOR(a, start, len)                                                       \
	for (const struct nlattr *a = (const struct nlattr *)(start);               \
	     (len) - ((const char *)a - (const char *)(start)) >= (long)sizeof *a && \
	     a->nla_len >= sizeof *a &&                                              \
	     a->nla_len <= (len) - ((const char *)a - (const char *)(start));        \
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len)))
static inline const void *nla_data_c(const struct nlattr *a) { return (const char *)a + NLA_HDRLEN; }
static inline int nla_dlen(const struct nlattr *a) { return a->nla_len - NLA_HDRLEN; }
static inline int nla_kind(const struct nlattr *a) { return a->nla_type & NLA_TYPE_MASK; }
uint32_t nla_u32(const struct nlattr *a);
uint16_t nla_u16(const struct nlattr *a);
uint8_t nla_u8(const struct nlattr *a);
/* Fills TB[0..MAX] with the attributes of one level (later ones win). */
void nla_parse(const struct nlattr **tb, int max, const void *start, long len);

/* A socket and its receive buffers. */
struct nlsock {
	int fd;
	uint32_t seq;
	bool ack_each;
	size_t n_sends, n_recvs;      /* syscalls, for the curious */
	char *rbuf;                   /* recvmmsg buffers */
};

int nls_open(struct nlsock *s);   /* -1 with errno set */
void nls_close(struct nlsock *s);

/* Called for each failed message of a batch (MSG: its index in the buffer, ERR: a negative errno,
 * EXT: the kernel's extended-ACK text or NULL) and for each reply that is not an ACK. */
struct nl_handler {
	void (*error)(void *ctx, size_t msg, int err, const char *ext);
	void (*reply)(void *ctx, size_t msg, const struct nlmsghdr *h);
	void *ctx;
	const bool *stop;            /* when set and true after a chunk, the rest is not sent */
};

/* Sends the messages of B from message FIRST on, chunk by chunk, and reads each chunk's replies.
 * Returns 0 when the kernel answered everything (failed messages went to the handler), -1 when the
 * socket failed (errno set). *DONE says how many messages were sent and answered: all of them,
 * or fewer when the handler asked to stop or the socket failed (the chunk that failed then may or
 * may not have been applied: its messages start at *DONE, and *SENT says where they end). */
int nls_batch(struct nlsock *s, struct nlbuf *b, const struct nl_handler *h, size_t *done, size_t *sent);

/* A dump's messages, kept: blocks of received data, each a run of whole netlink messages. */
struct nl_arena {
	struct nl_block *blocks;
};
void nl_arena_free(struct nl_arena *a);
/* A copy of N bytes in the arena, aligned for a netlink message. */
void *nl_arena_copy(struct nl_arena *a, const void *p, size_t n);
/* Sends the dump request REQ (a complete message in a buffer) and calls FN for every message of
 * the answer; the messages stay valid until the arena is freed. Returns 0, or -1 with errno set
 * (the kernel's error, or the socket's; EAGAIN when a change interrupted the dump). */
int nls_dump(struct nlsock *s, struct nlbuf *req, struct nl_arena *arena,
	     void (*fn)(void *ctx, const struct nlmsghdr *h), void *ctx);

/* The extended-ACK message of an error ACK, or NULL. */
const char *nl_ext_msg(const struct nlmsghdr *h);

#endif
