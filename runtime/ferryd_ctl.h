/* The client side of ferryd's control socket (RUN_DIR/ferryd.sock, a unix stream socket): one
 * command line per connection, the reply is everything ferryd writes until it closes. Commands
 * and replies are in docs/ferryd.md. Linked into ferry (show net tunnels) and ferryd --ctl. */
#ifndef FERRY_RUNTIME_FERRYD_CTL_H
#define FERRY_RUNTIME_FERRYD_CTL_H

#include <stddef.h>

#define FERRYD_SOCK_NAME "ferryd.sock"
#define FERRYD_PID_NAME  "ferryd.pid"
#define FERRYD_CTL_TIMEOUT_MS 10000

/* RUN_DIR/ferryd.sock into BUF; -1 (errno ENAMETOOLONG) when it does not fit a sockaddr_un. */
int ferryd_sock_path(const char *run_dir, char *buf, size_t size);

/* Sends CMD (no newline needed) to the ferryd serving RUN_DIR and waits for its whole reply,
 * at most FERRYD_CTL_TIMEOUT_MS. 0: *REPLY is ferryd's malloc'd answer (which may itself be
 * "error: ..."). -1: ferryd could not be reached or did not answer in time; errno says why and
 * *REPLY is NULL. */
int ferryd_request(const char *run_dir, const char *cmd, char **reply);

#endif
