/* app_int.h: what the app's files share: the services' clients, opened per link. For the
 * app's own files only. */
#ifndef PHEEDSYNC_APP_INT_H
#define PHEEDSYNC_APP_INT_H

#include "app/app.h"

/* HighLevel: the token manager and client of [ghl] (shared by the links that sign in as it),
 * then one of each for every link with a token of its own. Needs the HTTP client (and the key
 * with OAuth). */
int app_open_ghl(app_ctx *a, err *e);
/* PheedLoop: the default link's client (as [pheedloop] and the stored credentials say), then
 * each link's (shared by the links of one organization and credentials). */
int app_open_pl(app_ctx *a, err *e);
/* Whether opening PheedLoop may need credentials stored in the store. */
bool app_pl_needs_store(const app_ctx *a);
void app_close_ghl(app_ctx *a);
void app_close_pl(app_ctx *a);

/* Rate budgets shared by the processes of one PostgreSQL store (app_budget.c). */
bool app_budget_wanted(const config *cfg);
int app_budget_new(app_budget **out, const config *cfg, clock_source *clock, err *e);
void app_budget_free(app_budget *b);
/* governor_shared.take over the store's budget rows. */
int app_budget_take(void *ctx, const char *name, int64_t max, int64_t interval_ms,
                    int64_t *retry_in_ms, err *e);
/* What the services' governors are given: the shared budget, or none (take NULL). */
governor_shared app_budget_shared(app_ctx *a);

#endif
