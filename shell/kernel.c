#include "shell/kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compiler/lower.h"
#include "compiler/util.h"
#include "runtime/ferryd_supervise.h"
#include "runtime/runtime.h"

#define RUN_ROOT "/run/ferry"

int kernel_open(struct kernel_site *k, const char *netns, struct diags *d)
{
	memset(k, 0, sizeof *k);
	if (netns && runtime_enter_netns(netns, d) < 0)
		return -1;
	k->netns = netns ? xstrdup(netns) : NULL;
	k->run_dir = xasprintf(RUN_ROOT "/%s", netns ? netns : "default");
	k->ferryd_conf = xasprintf("%s/ferryd.yaml", k->run_dir);
	if ((mkdir(RUN_ROOT, 0755) < 0 && errno != EEXIST) || (mkdir(k->run_dir, 0755) < 0 && errno != EEXIST)) {
		diag_error(d, (struct srcloc){ k->run_dir, 0, 0 }, "cannot create the run folder: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void kernel_close(struct kernel_site *k)
{
	if (k->have_last)
		plan_free(&k->last);
	free(k->netns);
	free(k->run_dir);
	free(k->ferryd_conf);
	memset(k, 0, sizeof *k);
}

void kernel_baseline(struct kernel_site *k, const struct store *st)
{
	struct diags quiet;
	diag_init(&quiet, NULL);
	struct plan plan;
	if (lower_store(st, &plan, &quiet))
		return;
	if (k->have_last)
		plan_free(&k->last);
	k->last = plan;
	k->have_last = true;
}

int kernel_apply(struct kernel_site *k, const struct store *st, struct diags *d)
{
	struct plan plan;
	if (lower_store(st, &plan, d))
		return -1;
	struct apply_opts o = { .previous = k->have_last ? &k->last : NULL };
	struct apply_report r;
	if (runtime_apply(&plan, &o, &r, d) < 0) {
		plan_free(&plan);
		return -1;
	}
	struct ferryd_site site = { k->netns, k->run_dir, k->ferryd_conf, NULL };
	char *err = NULL;
	int rc = 0;
	if (ferryd_sync(&site, plan.ferryd_yaml, &err) < 0) {
		diag_error(d, (struct srcloc){ "ferryd", 0, 0 }, "%s", err ? err : "could not be started or reloaded");
		rc = -2;
	}
	free(err);
	if (k->have_last)
		plan_free(&k->last);
	k->last = plan;
	k->have_last = true;
	return rc;
}
