/* app_budget.c: the rate budgets several processes share through a PostgreSQL store (several
 * workers): every request a process's own governor lets go also takes one from its account's
 * row in the store (store_budget_take), so that the processes together stay within the
 * service's limit.
 *
 * The row counts fixed windows of the interval plus a margin, and HighLevel's fixed windows may
 * start anywhere against ours: one of theirs can overlap two of ours. So each of our windows
 * holds half the limit, and any window of theirs sees at most the limit from all processes
 * together. Daily budgets stay each process's own (they follow the headers' daily counts). */
#include "app/app_int.h"

#include "util/log.h"

#include <pthread.h>

struct app_budget {
    pthread_mutex_t mu;
    char *url;
    clock_source *clock;
    store *store; /* its own handle: the governor asks from any thread */
};

bool app_budget_wanted(const config *cfg)
{
    return store_url_postgresql(config_str(cfg, "store", "url"));
}

int app_budget_new(app_budget **out, const config *cfg, clock_source *clock, err *e)
{
    app_budget *b = calloc(1, sizeof *b);
    if (b)
        b->url = strdup(config_str(cfg, "store", "url"));
    if (!b || !b->url) {
        free(b);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&b->mu, NULL);
    b->clock = clock;
    *out = b;
    return 0;
}

void app_budget_free(app_budget *b)
{
    if (!b)
        return;
    store_close(b->store);
    pthread_mutex_destroy(&b->mu);
    free(b->url);
    free(b);
}

/* The margin the governor adds to an interval (governor.h): a request sent late in one of our
 * windows is still counted before the server's next window can see it. */
static int64_t margin_ms(int64_t interval_ms)
{
    return PS_MAX((int64_t)5, interval_ms / 100);
}

int app_budget_take(void *ctx, const char *name, int64_t max, int64_t interval_ms,
                    int64_t *retry_in_ms, err *e)
{
    app_budget *b = ctx;
    store_budget_limits lim = {.window_ms = interval_ms + margin_ms(interval_ms),
                               .window_max = PS_MAX((int64_t)1, max / 2)};
    store_budget_take_result r = {0};
    pthread_mutex_lock(&b->mu);
    int rc = b->store ? 0 : store_open(&b->store, b->url, b->clock, e);
    if (rc == 0)
        rc = store_budget_take(&r, b->store, name, &lim, 1, e);
    if (rc == ERR_IO) { /* a lost connection: a new one next time */
        store_close(b->store);
        b->store = NULL;
    }
    pthread_mutex_unlock(&b->mu);
    if (rc != 0)
        return rc;
    *retry_in_ms = r.granted ? 0 : PS_MAX((int64_t)1, r.retry_at_ms - clock_now_ms(b->clock));
    return 0;
}

governor_shared app_budget_shared(app_ctx *a)
{
    return a->budget ? (governor_shared){app_budget_take, a->budget} : (governor_shared){0};
}
