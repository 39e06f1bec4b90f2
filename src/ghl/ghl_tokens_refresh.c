/* ghl_tokens_refresh.c: the single-flight refresh of HighLevel tokens across threads and
 * processes, agency location tokens, and the needs-re-authorization state. */
#include "ghl/ghl_tokens_int.h"
#include "util/jsonx.h"
#include "util/log.h"

#define COMPANY_PREFIX "company:"

/* Whether r no longer holds the stale token: someone refreshed it, or it needs reauth. */
static bool moved_on(const ghl_token_rec *r, const char *stale)
{
    return r->needs_reauth || (r->access && stale && strcmp(r->access, stale) != 0);
}

/* The result of adopting r (already installed): 0, or the reauth error. */
static int adopted(ghl_tokens *t, tok_entry *x, const ghl_token_rec *r, err *e)
{
    pthread_mutex_lock(&t->mu);
    t->stats.adopted++;
    pthread_mutex_unlock(&t->mu);
    return r->needs_reauth ? ghl_tokens_reauth_error(x, r->reason, e) : 0;
}

static int adopt_from_store(bool *out_done, ghl_tokens *t, tok_entry *x, const char *stale, err *e)
{
    ghl_token_rec cur;
    *out_done = false;
    int rc = ghl_tokens_store_load(&cur, t, x->account, e);
    if (rc != 0)
        return rc;
    if (moved_on(&cur, stale)) {
        *out_done = true;
        rc = ghl_tokens_install(t, x, &cur, false);
        if (rc == 0)
            rc = adopted(t, x, &cur, e);
    }
    ghl_token_rec_clear(&cur);
    return rc;
}

/* Takes the store lock for x's refresh, or adopts the token another process stored meanwhile
 * (*out_done). */
static int take_lock(bool *out_done, ghl_tokens *t, tok_entry *x, const char *stale,
                     const char *lock, err *e)
{
    int64_t deadline = clock_mono_ms(t->clock) + t->cfg.lock_wait_ms;
    for (;;) {
        bool got = false;
        pthread_mutex_lock(&t->store_mu);
        int rc = store_lock_try(&got, t->st, lock, t->owner, t->cfg.lock_ttl_ms, e);
        pthread_mutex_unlock(&t->store_mu);
        if (rc != 0 && rc != ERR_IO)
            return rc;
        if (got) {
            *out_done = false;
            return 0;
        }
        err le = {0};
        rc = adopt_from_store(out_done, t, x, stale, &le);
        if (*out_done)
            return rc ? err_set(e, rc, "%s", le.msg) : 0;
        if (clock_mono_ms(t->clock) >= deadline)
            return err_set(e, ERR_LIMIT,
                           "another process has been refreshing the HighLevel token of %s for "
                           "over %lld ms",
                           x->account, (long long)t->cfg.lock_wait_ms);
        clock_sleep_ms(t->clock, 25);
    }
}

static void release_lock(ghl_tokens *t, const char *lock)
{
    err e = {0};
    pthread_mutex_lock(&t->store_mu);
    if (store_lock_release(t->st, lock, t->owner, &e) != 0)
        log_warnf("HighLevel token lock %s: %s", lock, e.msg);
    pthread_mutex_unlock(&t->store_mu);
}

/* Records that cur's account needs a new authorization, everywhere, and says so. */
static int mark_reauth(ghl_tokens *t, tok_entry *x, ghl_token_rec *cur, const char *reason, err *e)
{
    cur->needs_reauth = true;
    free(cur->reason);
    cur->reason = strdup(reason);
    err se = {0};
    if (ghl_tokens_store_save(t, x->account, cur, &se) != 0)
        log_errorf("HighLevel %s: could not store the needs-reauthorization state: %s", x->account,
                   se.msg);
    ghl_tokens_install(t, x, cur, false);
    pthread_mutex_lock(&t->mu);
    t->stats.reauth_marks++;
    pthread_mutex_unlock(&t->mu);
    char msg[512];
    snprintf(msg, sizeof msg,
             "HighLevel %s needs re-authorization (%s): run `pheedsync connect ghl`; changes "
             "for it are held until then",
             x->account, reason);
    log_errorf("%s", msg);
    if (t->cfg.alert)
        t->cfg.alert(t->cfg.alert_ctx, x->account, msg);
    return ghl_tokens_reauth_error(x, reason, e);
}

/* POST /oauth/locationToken with the company's token; one refresh of it on a 401. */
static int exchange_company(ghl_token_answer *out, ghl_tokens *t, const char *company_id,
                            const char *location_id, err *e)
{
    char account[256];
    snprintf(account, sizeof account, COMPANY_PREFIX "%s", company_id);
    for (int attempt = 0;; attempt++) {
        char *ct = NULL;
        int rc = ghl_tokens_access(&ct, t, account, e);
        if (rc != 0)
            return rc;
        ghl_oauth_result res;
        rc = ghl_oauth_location_token(out, &t->cfg.app, ct, company_id, location_id, &res, e);
        if (rc == 0 || attempt > 0 || res.error.status != 401) {
            crypto_secret_free(ct, strlen(ct));
            if (rc == 0) {
                pthread_mutex_lock(&t->mu);
                t->stats.exchanges++;
                pthread_mutex_unlock(&t->mu);
            }
            return rc;
        }
        rc = ghl_tokens_refresh(t, account, ct, e);
        crypto_secret_free(ct, strlen(ct));
        if (rc != 0)
            return rc;
    }
}

/* Keeps identity fields the answer left out (a refresh answer may omit them). */
static void keep_one(char **dst, const char *old)
{
    if (!*dst && old)
        *dst = strdup(old);
}

static void keep_identity(ghl_token_rec *n, const ghl_token_rec *old)
{
    keep_one(&n->company_id, old->company_id);
    keep_one(&n->location_id, old->location_id);
    keep_one(&n->user_type, old->user_type);
    keep_one(&n->scope, old->scope);
}

/* Gets a new token for cur's account (refresh or exchange) and stores it before use. */
static int renew(ghl_tokens *t, tok_entry *x, ghl_token_rec *cur, err *e)
{
    bool via_company = cur->via && strcmp(cur->via, "company") == 0;
    ghl_token_answer a = {0};
    ghl_oauth_result res = {0};
    int rc;
    if (via_company) {
        rc = exchange_company(&a, t, cur->company_id ? cur->company_id : "", x->account, e);
        if (rc == ERR_BAD_STATE)
            return mark_reauth(t, x, cur, "the agency's authorization needs renewal", e);
    } else if (!cur->refresh || !*cur->refresh) {
        return mark_reauth(t, x, cur, "no refresh token is stored", e);
    } else {
        rc = ghl_oauth_refresh(&a, &t->cfg.app, cur->refresh, cur->user_type, &res, e);
        if (rc != 0 && res.invalid_grant)
            return mark_reauth(t, x, cur, "the refresh token was refused (invalid_grant)", e);
    }
    if (rc != 0)
        return err_wrap(e, "HighLevel token refresh for %s: ", x->account);
    ghl_token_rec n;
    rc = ghl_token_rec_from_answer(&n, &a, via_company ? "company" : "oauth",
                                   clock_now_ms(t->clock), e);
    ghl_token_answer_clear(&a);
    if (rc != 0)
        return rc;
    keep_identity(&n, cur);
    if (!via_company && !n.refresh && cur->refresh)
        n.refresh = strdup(cur->refresh); /* no rotation offered: the old one stays good */
    pthread_mutex_lock(&t->mu);
    t->stats.refreshes++;
    pthread_mutex_unlock(&t->mu);
    /* The old refresh token is spent now: the new pair must be durable before anyone uses the
     * new access token, or a crash would leave no usable grant. */
    rc = ghl_tokens_store_save(t, x->account, &n, e);
    ghl_tokens_install(t, x, &n, rc != 0);
    ghl_token_rec_clear(&n);
    if (rc != 0)
        log_errorf("HighLevel %s: a refreshed token could not be saved (will retry): %s",
                   x->account, e ? e->msg : "");
    return rc;
}

int ghl_tokens_refresh_locked(ghl_tokens *t, tok_entry *x, const char *stale, err *e)
{
    pthread_mutex_lock(&t->mu);
    bool done = x->loaded && moved_on(&x->rec, stale);
    bool reauth = x->rec.needs_reauth;
    pthread_mutex_unlock(&t->mu);
    if (done) {
        /* Another thread of this process refreshed while this one waited. */
        pthread_mutex_lock(&t->mu);
        t->stats.adopted++;
        int rc = reauth ? ghl_tokens_reauth_error(x, x->rec.reason, e) : 0;
        pthread_mutex_unlock(&t->mu);
        return rc;
    }
    char lock[300];
    snprintf(lock, sizeof lock, "ghl-refresh:%s", x->account);
    int rc = take_lock(&done, t, x, stale, lock, e);
    if (rc != 0 || done)
        return rc;
    /* Re-read under the lock: another process may have refreshed between our last look and
     * taking the lock. */
    ghl_token_rec cur = {0};
    rc = ghl_tokens_store_load(&cur, t, x->account, e);
    if (rc == 0 && moved_on(&cur, stale)) {
        rc = ghl_tokens_install(t, x, &cur, false);
        if (rc == 0)
            rc = adopted(t, x, &cur, e);
    } else if (rc == 0) {
        rc = renew(t, x, &cur, e);
    }
    ghl_token_rec_clear(&cur);
    release_lock(t, lock);
    return rc;
}

int ghl_tokens_needs_reauth(bool *out, char **out_reason, ghl_tokens *t, const char *account,
                            err *e)
{
    if (t->pit) {
        *out = false;
        if (out_reason)
            *out_reason = NULL;
        return 0;
    }
    ghl_token_rec r;
    int rc = ghl_tokens_store_load(&r, t, account, e);
    if (rc != 0)
        return rc;
    *out = r.needs_reauth;
    if (out_reason)
        *out_reason = r.reason ? strdup(r.reason) : NULL;
    ghl_token_rec_clear(&r);
    return 0;
}

int ghl_tokens_location_from_company(ghl_tokens *t, const char *company_id, const char *location_id,
                                     err *e)
{
    if (t->pit)
        return err_set(e, ERR_BAD_STATE, "auth = token: there is no company grant");
    tok_entry *x = ghl_tokens_entry(t, location_id, e);
    if (!x)
        return ERR_NOMEM;
    ghl_token_answer a = {0};
    pthread_mutex_lock(&x->refresh_mu);
    int rc = exchange_company(&a, t, company_id, location_id, e);
    ghl_token_rec n = {0};
    if (rc == 0)
        rc = ghl_token_rec_from_answer(&n, &a, "company", clock_now_ms(t->clock), e);
    if (rc == 0) {
        if (!n.company_id)
            n.company_id = strdup(company_id);
        if (!n.location_id)
            n.location_id = strdup(location_id);
        rc = ghl_tokens_store_save(t, location_id, &n, e);
    }
    if (rc == 0)
        rc = ghl_tokens_install(t, x, &n, false);
    pthread_mutex_unlock(&x->refresh_mu);
    ghl_token_rec_clear(&n);
    ghl_token_answer_clear(&a);
    return rc;
}

int ghl_tokens_describe(json_t **out, ghl_tokens *t, const char *account, err *e)
{
    if (t->pit)
        return err_set(e, ERR_NOT_FOUND, "auth = token: nothing is stored");
    ghl_token_rec r;
    int rc = ghl_tokens_store_load(&r, t, account, e);
    if (rc != 0)
        return rc;
    json_t *j = json_object();
    if (j) {
        jsonx_set_str(j, "account", account);
        jsonx_set_str(j, "state", r.needs_reauth ? "needs_reauth" : "ok");
        jsonx_set_str(j, "reason", r.reason);
        jsonx_set_str(j, "scope", r.scope);
        jsonx_set_str(j, "user_type", r.user_type);
        jsonx_set_int(j, "expires_ms", r.expires_ms);
        jsonx_set_str(j, "company_id", r.company_id);
        jsonx_set_str(j, "location_id", r.location_id);
        jsonx_set_str(j, "via", r.via);
        jsonx_set_bool(j, "has_refresh_token", r.refresh && *r.refresh);
    }
    ghl_token_rec_clear(&r);
    if (!j)
        return err_set(e, ERR_NOMEM, "out of memory");
    *out = j;
    return 0;
}
