/* ferryd: the userspace dataplane. Part 1: EtherIP (RFC 3378) between TAP devices and raw IP
 * protocol 97 sockets, one epoll loop for every tunnel, a control socket, reload without loss.
 * docs/ferryd.md is the user's side of this file. */
#ifndef FERRY_RUNTIME_FERRYD_FERRYD_H
#define FERRY_RUNTIME_FERRYD_FERRYD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "compiler/addr.h"
#include "runtime/etherip.h"
#include "runtime/ferryd_conf.h"

#define FD_BATCH     64            /* frames per read burst / sendmmsg / recvmmsg */
#define FD_FRAME_MAX 65536         /* the largest frame a TAP hands us or we hand it */

enum ev_kind { EV_TAP, EV_SOCK, EV_LISTEN, EV_CLIENT, EV_SIGNAL };

/* What epoll_event.data.ptr points at: the first member of each watched object. */
struct evsrc {
	enum ev_kind kind;
};

struct tunnel_stats {
	uint64_t pkts_in, bytes_in;     /* decapsulated, written to the TAP (inner frame bytes) */
	uint64_t pkts_out, bytes_out;   /* read from the TAP, sent (inner frame bytes) */
	uint64_t drops[EIP_DROP_N];
};

struct lsock;

struct tunnel {
	struct evsrc ev;                /* EV_TAP */
	char *name;
	char ifname[16];
	struct ipaddr local, remote;
	int tap_fd;
	bool created;                   /* ferryd made the TAP (not persistent: gone when closed) */
	bool vnet;                      /* attached with IFF_VNET_HDR: TSO in, GRO out */
	bool tap_lost;                  /* reads fail (interface deleted): not watched any more */
	struct lsock *sock;             /* the raw socket bound to local */
	struct sockaddr_storage peer;   /* remote, as sendmmsg wants it */
	socklen_t peer_len;
	struct tunnel_stats st;
	char last_error[192];
	long long last_log_ms;          /* errors are logged at most once a second per tunnel */
	/* Backpressure: frames read from the TAP that the socket would not take yet. While any are
	 * pending the TAP is not read; the socket's EPOLLOUT resumes it. */
	uint8_t *pend;
	uint32_t *pend_len;
	int pend_n, pend_i;
	struct tunnel *next_blocked;
	bool keep;                      /* reload: still in the new configuration */
};

/* One raw socket per local address (and family), bound to it: the kernel hands each packet to
 * the one socket bound to its destination; the source picks the tunnel. */
struct lsock {
	struct evsrc ev;                /* EV_SOCK */
	struct ipaddr local;
	int fd;
	struct tunnel **by_remote;      /* sorted by remote address, for lookup */
	size_t n;
	struct tunnel *blocked;         /* tunnels waiting for this socket to take more */
	bool out_armed;                 /* EPOLLOUT asked for */
	struct lsock *next;
};

struct ferryd {
	int epfd, sigfd;
	const char *config_path, *run_dir;
	bool foreground;
	bool no_offload;                /* --no-offload: plain frames, no vnet header */
	bool stop;
	struct tunnel **tunnels;
	size_t n_tunnels;
	struct lsock *socks;
	uint64_t drops[EIP_DROP_N];     /* not charged to a tunnel: unknown-peer, bad-ip */
	struct ipaddr last_unknown;     /* source of the last unknown-peer drop */
	uint64_t rx_calls, rx_pkts, tx_calls, tx_pkts, reloads;
	char last_reload_error[512];
	/* batch buffers, shared by every tunnel (one thread) */
	uint8_t *txbuf, *rxbuf;
};

/* dataplane.c */
int fd_init(struct ferryd *d);
/* Makes the running tunnels match CONF: keeps unchanged TAP fds open, opens new ones, closes the
 * removed. All or nothing: on failure the old tunnels run on and *ERR says why. */
int fd_apply(struct ferryd *d, const struct ferryd_conf *conf, char **err);
void fd_tap_ready(struct ferryd *d, struct tunnel *t);
void fd_sock_readable(struct ferryd *d, struct lsock *s);
void fd_sock_writable(struct ferryd *d, struct lsock *s);
void fd_shutdown(struct ferryd *d);
/* The counters as text or YAML (malloc'd); only tunnel NAME when not NULL. NULL when NAME is no
 * tunnel. */
char *fd_show(struct ferryd *d, bool yaml, const char *name);

/* control.c */
int ctl_listen(struct ferryd *d, char **err);
void ctl_accept(struct ferryd *d);
void ctl_client_event(struct ferryd *d, struct evsrc *ev, uint32_t events);
void ctl_close_all(struct ferryd *d);
/* reload: re-reads the configuration file; NULL on success, else a malloc'd message. */
char *ferryd_reload(struct ferryd *d);

/* log.c */
void flog_init(bool to_syslog);
__attribute__((format(printf, 2, 3))) void flog(int prio, const char *fmt, ...);
long long now_ms(void);

#endif
