/* app_clients.c: the services' clients for the configuration's links. HighLevel: one token
 * manager and client for every link that signs in as [ghl] (OAuth tokens are kept per location,
 * and the client keeps a rate budget per location), one more for each link with a Private
 * Integration token of its own. PheedLoop: one client per organization and credentials (its
 * budget is the organization's). All share the HTTP client and each service's breaker. */
#include "app/app_int.h"
#include "pheedloop/pl_creds.h"

/* The location's budget: HighLevel's limits, learned from the headers, with [sync]
 * budget_reserve of the day kept for the user's other tools. */
static governor_config ghl_budget(const config *cfg)
{
    governor_config g = {
        .max_per_interval = 100,
        .interval_ms = 10000,
        .daily_limit = 200000,
        .learn_from_headers = true,
    };
    g.daily_reserve = g.daily_limit * config_int(cfg, "sync", "budget_reserve") / 100;
    return g;
}

static const char *link_token(const app_link *l)
{
    const char *t = l->sec ? config_sec_str(l->sec, "token") : NULL;
    return t && *t ? t : NULL;
}

/* With auth = token: [ghl] token, else the first link's own (so that a configuration of named
 * links only needs no [ghl] token). NULL with OAuth. */
static const char *shared_pit(const app_ctx *a)
{
    if (config_int(a->cfg, "ghl", "auth") != 1) /* "oauth|token" */
        return NULL;
    const char *t = config_str(a->cfg, "ghl", "token");
    for (size_t i = 0; (!t || !*t) && i < a->n_links; i++)
        t = link_token(&a->links[i]);
    return t && *t ? t : NULL;
}

static int new_ghl_client(ghl_client **out, app_ctx *a, const ghl_setup *s, err *e)
{
    ghl_client_config cc = {
        .base_url = s->base_url,
        .http = a->http,
        .tokens = s->tokens,
        .brk = a->ghl_breaker,
        .gov = ghl_budget(a->cfg),
        .clock = a->clock,
    };
    cc.gov.shared = app_budget_shared(a);
    return ghl_client_new(out, &cc, e);
}

static int open_link_ghl(app_ctx *a, app_link *l, const char *shared, err *e)
{
    const char *tok = link_token(l);
    if (!tok || (shared && strcmp(tok, shared) == 0)) {
        l->ghl = a->ghl;
        return 0;
    }
    int rc = ghl_setup_open_pit(&l->own_setup, a->cfg, a->http, tok, e);
    if (rc == 0)
        rc = new_ghl_client(&l->own_ghl, a, &l->own_setup, e);
    if (rc != 0)
        return err_wrap(e, "%s: ", config_sec_label(l->sec));
    l->ghl = l->own_ghl;
    return 0;
}

/* With a PostgreSQL store other processes may work beside this one: their requests count too. */
static int open_budget(app_ctx *a, err *e)
{
    if (a->budget || !app_budget_wanted(a->cfg))
        return 0;
    return app_budget_new(&a->budget, a->cfg, a->clock, e);
}

int app_open_ghl(app_ctx *a, err *e)
{
    const char *pit = shared_pit(a);
    int rc = open_budget(a, e);
    if (rc != 0)
        return rc;
    rc = pit ? ghl_setup_open_pit(&a->ghl_setup, a->cfg, a->http, pit, e)
                 : ghl_setup_open(&a->ghl_setup, a->cfg, a->http, a->key, e);
    if (rc == 0)
        rc = breaker_new(&a->ghl_breaker, "ghl", NULL, a->clock, e);
    if (rc == 0)
        rc = new_ghl_client(&a->ghl, a, &a->ghl_setup, e);
    for (size_t i = 0; rc == 0 && i < a->n_links; i++)
        rc = open_link_ghl(a, &a->links[i], pit, e);
    return rc;
}

void app_close_ghl(app_ctx *a)
{
    for (size_t i = 0; i < a->n_links; i++) {
        app_link *l = &a->links[i];
        ghl_client_free(l->own_ghl);
        ghl_setup_close(&l->own_setup);
        l->own_ghl = l->ghl = NULL;
    }
    ghl_client_free(a->ghl);
    breaker_free(a->ghl_breaker);
    ghl_setup_close(&a->ghl_setup);
    a->ghl = NULL;
    a->ghl_breaker = NULL;
}

/* ---------------------------------------------------------------- PheedLoop */

static bool set(const char *v)
{
    return v && *v;
}

bool app_pl_needs_store(const app_ctx *a)
{
    static const char *const keys[] = {"org_code", "api_key", "api_secret"};
    for (size_t i = 0; i < PS_ARRAY_LEN(keys); i++)
        if (!set(config_str(a->cfg, "pheedloop", keys[i])))
            return true;
    for (size_t i = 0; i < a->n_links; i++) {
        const config_section *s = a->links[i].sec;
        if (s && (!set(config_sec_str(s, "api_key")) || !set(config_sec_str(s, "api_secret"))))
            return true;
    }
    return false;
}

/* A client of another link that l may share: same organization, and neither has credentials
 * of its own. */
static pl_client *shareable(const app_ctx *a, const app_link *l)
{
    for (const app_link *k = a->links; k < l; k++)
        if (k->pl && !k->own_pl_creds && strcmp(pl_client_org(k->pl), l->cfg.org_code) == 0)
            return k->pl;
    return NULL;
}

/* The credentials a link's own ([link] keys, else stored for it by `connect pheedloop
 * --link`), or the shared ones ([pheedloop] keys, else the stored default ones of the same
 * organization). */
static int link_creds(pl_creds *out, bool *own, const app_ctx *a, const app_link *l, err *e)
{
    char account[STORE_LINK_MAX + 16];
    app_link_pl_account(account, sizeof account, l);
    pl_creds st = {NULL, NULL, NULL};
    int rc = a->store && a->key ? pl_creds_load_account(&st, a->store, a->key, account, e)
                                : ERR_NOT_FOUND;
    if (rc == 0 && strcmp(st.org_code, l->cfg.org_code) != 0)
        rc = err_set(e, ERR_CONFIG,
                     "%s org_code is %s but the credentials stored for it are for %s: run "
                     "`pheedsync connect pheedloop --link %s` again",
                     config_sec_label(l->sec), l->cfg.org_code, st.org_code, l->cfg.name);
    if (rc != 0 && rc != ERR_NOT_FOUND) {
        pl_creds_free(&st);
        return rc;
    }
    const char *key = config_sec_str(l->sec, "api_key"),
               *secret = config_sec_str(l->sec, "api_secret");
    *own = set(key) || set(secret) || st.api_key;
    out->api_key = strdup(set(key) ? key : st.api_key ? st.api_key : "");
    out->api_secret = strdup(set(secret) ? secret : st.api_secret ? st.api_secret : "");
    pl_creds_free(&st);
    if (*own)
        return out->api_key && out->api_secret ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    pl_creds_free(out);
    rc = a->store && a->key ? pl_creds_load(&st, a->store, a->key, e) : ERR_NOT_FOUND;
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    bool same_org = rc == 0 && strcmp(st.org_code, l->cfg.org_code) == 0;
    key = config_str(a->cfg, "pheedloop", "api_key");
    secret = config_str(a->cfg, "pheedloop", "api_secret");
    out->api_key = strdup(set(key) ? key : same_org ? st.api_key : "");
    out->api_secret = strdup(set(secret) ? secret : same_org ? st.api_secret : "");
    pl_creds_free(&st);
    return out->api_key && out->api_secret ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

static int open_link_pl(app_ctx *a, app_link *l, err *e)
{
    pl_creds c = {NULL, NULL, NULL};
    int rc = link_creds(&c, &l->own_pl_creds, a, l, e);
    pl_client *share = rc == 0 && !l->own_pl_creds ? shareable(a, l) : NULL;
    if (rc == 0 && share) {
        l->pl = share;
    } else if (rc == 0 && (!*c.api_key || !*c.api_secret)) {
        rc = err_set(e, ERR_CONFIG,
                     "%s: no PheedLoop api_key and api_secret for organization %s: set them "
                     "there or in [pheedloop], or run `pheedsync connect pheedloop --link %s`",
                     config_sec_label(l->sec), l->cfg.org_code, l->cfg.name);
    } else if (rc == 0) {
        const config_section *pl = config_section_get(a->cfg, "pheedloop");
        pl_client_config pc = {.base_url = config_sec_str(pl, "base_url"),
                               .org_code = l->cfg.org_code,
                               .api_key = c.api_key,
                               .api_secret = c.api_secret,
                               .rate_per_minute = config_sec_int(pl, "rate_limit"),
                               .http = a->http,
                               .shared = app_budget_shared(a)};
        rc = pl_client_new(&l->own_pl, &pc, e);
        l->pl = l->own_pl;
    }
    pl_creds_free(&c);
    return rc;
}

int app_open_pl(app_ctx *a, err *e)
{
    app_link *d = &a->links[0];
    /* The default link's PheedLoop side, when it has one: as a single link always opened it. */
    bool dflt = !*d->cfg.name && (a->n_links == 1 || d->cfg.events[0]);
    int rc = open_budget(a, e);
    if (dflt) {
        governor_shared shared = app_budget_shared(a);
        rc = pl_client_from_config_and_store(&a->pl, a->cfg, a->store, a->key, a->http, &shared,
                                             e);
        d->pl = a->pl;
    }
    for (size_t i = 0; rc == 0 && i < a->n_links; i++)
        if (a->links[i].sec)
            rc = open_link_pl(a, &a->links[i], e);
    if (rc == 0 && !a->pl) {
        a->pl = d->pl;
        a->pl_borrowed = true;
    }
    return rc;
}

void app_close_pl(app_ctx *a)
{
    for (size_t i = 0; i < a->n_links; i++) {
        pl_client_free(a->links[i].own_pl);
        a->links[i].own_pl = a->links[i].pl = NULL;
    }
    if (!a->pl_borrowed)
        pl_client_free(a->pl);
    a->pl = NULL;
    a->pl_borrowed = false;
}
