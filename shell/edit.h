/* edit: objects' saved-format text in $VISUAL / $EDITOR (default vi), applied as one change. */
#ifndef FERRY_SHELL_EDIT_H
#define FERRY_SHELL_EDIT_H

#include "compiler/exec.h"

/* The session's edit hook. `edit net vlan v1 v2`, `edit net vlan` (every VLAN), `edit net` (every
 * object in the module). The saved text replaces the objects it names; an object whose block was
 * removed is deleted; a new block creates an object. A file that does not parse or validate comes
 * back in the editor with the errors at the top as # lines, unless the user discards it (asked on
 * a terminal; without one the edit is discarded and the errors returned). */
int shell_edit(struct session *s, const struct command *c);

#endif
