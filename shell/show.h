/* show: runtime state of configured objects, read from the kernel (and ferryd), never the config. */
#ifndef FERRY_SHELL_SHOW_H
#define FERRY_SHELL_SHOW_H

#include "compiler/exec.h"

/* session.show: S->show_arg is the run folder of ferryd ("/run/ferry/NAME"), or NULL. */
int show_runtime(struct session *s, const struct command *c);

#endif
