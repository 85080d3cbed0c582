/* ferryd_sync NETNS RUN_DIR CONFIG [YAML_FILE | -]: ferryd_sync() as an apply calls it, for the
 * supervision test: the YAML comes from the file, "-" means none (stop). NETNS "" is ours.
 * Exit 0, or 1 with the message on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"
#include "runtime/ferryd_supervise.h"

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: ferryd_sync NETNS RUN_DIR CONFIG YAML_FILE|-\n");
		return 2;
	}
	struct ferryd_site s = { .netns = argv[1], .run_dir = argv[2], .config = argv[3] };
	char *yaml = NULL;
	if (strcmp(argv[4], "-") != 0 && !(yaml = read_file(argv[4], NULL))) {
		perror(argv[4]);
		return 2;
	}
	char *err = NULL;
	int rc = ferryd_sync(&s, yaml, &err);
	if (rc)
		fprintf(stderr, "%s\n", err ? err : "failed");
	free(err);
	free(yaml);
	return rc ? 1 : 0;
}
