/* ghl_tokens.c: the HighLevel token manager: cache, store, single-flight refresh (see the
 * header for why each step is there). */
#include "ghl/ghl_tokens_int.h"
#include "util/log.h"

#include <openssl/rand.h>
#include <unistd.h>

static int64_t now_ms(const ghl_tokens *t)
{
    return clock_now_ms(t->clock);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int ghl_tokens_new(ghl_tokens **out, const ghl_tokens_config *cfg, err *e)
{
    bool pit = cfg->pit && *cfg->pit;
    if (!pit && (!cfg->store_url || !cfg->key))
        return err_set(e, ERR_CONFIG, "OAuth tokens need a store and a sealing key");
    ghl_tokens *t = calloc(1, sizeof *t);
    if (!t)
        return err_set(e, ERR_NOMEM, "out of memory");
    t->cfg = *cfg;
    t->clock = cfg->clock ? cfg->clock : clock_system();
    if (t->cfg.refresh_ahead_ms <= 0)
        t->cfg.refresh_ahead_ms = 600000;
    if (t->cfg.lock_ttl_ms <= 0)
        t->cfg.lock_ttl_ms = 30000;
    if (t->cfg.lock_wait_ms <= 0)
        t->cfg.lock_wait_ms = 60000;
    t->store_url = dup_or_null(cfg->store_url);
    t->base_url = dup_or_null(cfg->app.base_url);
    t->client_id = dup_or_null(cfg->app.client_id);
    t->client_secret = dup_or_null(cfg->app.client_secret);
    t->pit = pit ? strdup(cfg->pit) : NULL;
    t->cfg.app.base_url = t->base_url;
    t->cfg.app.client_id = t->client_id;
    t->cfg.app.client_secret = t->client_secret;
    pthread_mutex_init(&t->mu, NULL);
    pthread_mutex_init(&t->store_mu, NULL);
    unsigned char rnd[8] = {0};
    RAND_bytes(rnd, sizeof rnd);
    uint64_t r = 0;
    memcpy(&r, rnd, sizeof r);
    snprintf(t->owner, sizeof t->owner, "pid%ld-%016llx", (long)getpid(), (unsigned long long)r);
    if (t->pit) {
        log_add_secret(t->pit);
    } else if (store_open(&t->st, t->store_url, t->clock, e) != 0) {
        ghl_tokens_free(t);
        return err_wrap(e, "token store: ");
    }
    *out = t;
    return 0;
}

void ghl_tokens_free(ghl_tokens *t)
{
    if (!t)
        return;
    for (tok_entry *x = t->entries, *next; x; x = next) {
        next = x->next;
        ghl_token_rec_clear(&x->rec);
        pthread_mutex_destroy(&x->refresh_mu);
        free(x->account);
        free(x);
    }
    store_close(t->st);
    pthread_mutex_destroy(&t->mu);
    pthread_mutex_destroy(&t->store_mu);
    free(t->store_url);
    free(t->base_url);
    free(t->client_id);
    if (t->client_secret)
        crypto_secret_free(t->client_secret, strlen(t->client_secret));
    if (t->pit)
        crypto_secret_free(t->pit, strlen(t->pit));
    free(t);
}

bool ghl_tokens_is_pit(const ghl_tokens *t)
{
    return t->pit != NULL;
}

void ghl_tokens_get_stats(ghl_tokens *t, ghl_tokens_stats *out)
{
    pthread_mutex_lock(&t->mu);
    *out = t->stats;
    pthread_mutex_unlock(&t->mu);
}

/* Entries are created on first use and live as long as the manager. */
tok_entry *ghl_tokens_entry(ghl_tokens *t, const char *account, err *e)
{
    pthread_mutex_lock(&t->mu);
    tok_entry *x = t->entries;
    while (x && strcmp(x->account, account) != 0)
        x = x->next;
    if (!x && (x = calloc(1, sizeof *x)) != NULL) {
        if (!(x->account = strdup(account))) {
            free(x);
            x = NULL;
        } else {
            pthread_mutex_init(&x->refresh_mu, NULL);
            x->next = t->entries;
            t->entries = x;
        }
    }
    pthread_mutex_unlock(&t->mu);
    if (!x)
        err_set(e, ERR_NOMEM, "out of memory");
    return x;
}

int ghl_tokens_store_load(ghl_token_rec *out, ghl_tokens *t, const char *account, err *e)
{
    pthread_mutex_lock(&t->store_mu);
    int rc = ghl_token_rec_load(out, t->st, t->cfg.key, account, e);
    pthread_mutex_unlock(&t->store_mu);
    if (rc == ERR_NOT_FOUND)
        err_set(e, ERR_NOT_FOUND, "HighLevel is not connected for %s: run `pheedsync connect ghl`",
                account);
    return rc;
}

int ghl_tokens_store_save(ghl_tokens *t, const char *account, const ghl_token_rec *r, err *e)
{
    pthread_mutex_lock(&t->store_mu);
    int rc = ghl_token_rec_save(t->st, t->cfg.key, account, r, e);
    pthread_mutex_unlock(&t->store_mu);
    return rc;
}

int ghl_tokens_install(ghl_tokens *t, tok_entry *x, const ghl_token_rec *r, bool unsaved)
{
    ghl_token_rec copy;
    if (ghl_token_rec_copy(&copy, r) != 0)
        return ERR_NOMEM;
    if (copy.access)
        log_add_secret(copy.access);
    if (copy.refresh)
        log_add_secret(copy.refresh);
    pthread_mutex_lock(&t->mu);
    ghl_token_rec_clear(&x->rec);
    x->rec = copy;
    x->loaded = true;
    x->unsaved = unsaved;
    pthread_mutex_unlock(&t->mu);
    return 0;
}

int ghl_tokens_reauth_error(const tok_entry *x, const char *reason, err *e)
{
    return err_set(e, ERR_BAD_STATE,
                   "HighLevel %s needs re-authorization (%s): run `pheedsync connect ghl`; its "
                   "changes are held until then",
                   x->account, reason && *reason ? reason : "the grant was revoked");
}

int ghl_tokens_save_grant(char **out_account, ghl_tokens *t, const ghl_token_answer *a, err *e)
{
    if (t->pit)
        return err_set(e, ERR_BAD_STATE, "auth = token: there is no grant to save");
    ghl_token_rec r;
    char *account = NULL;
    int rc = ghl_token_rec_from_answer(&r, a, "oauth", now_ms(t), e);
    if (rc != 0)
        return rc;
    rc = ghl_token_rec_account(&account, &r, e);
    tok_entry *x = rc == 0 ? ghl_tokens_entry(t, account, e) : NULL;
    if (rc == 0 && !x)
        rc = ERR_NOMEM;
    if (rc == 0) {
        /* The refresh lock keeps a concurrent refresh from writing over the new grant. */
        pthread_mutex_lock(&x->refresh_mu);
        rc = ghl_tokens_store_save(t, account, &r, e);
        if (rc == 0)
            rc = ghl_tokens_install(t, x, &r, false);
        pthread_mutex_unlock(&x->refresh_mu);
    }
    ghl_token_rec_clear(&r);
    if (rc == 0 && out_account)
        *out_account = account;
    else
        free(account);
    return rc;
}

/* Makes sure the entry holds the stored record: first use, a needs_reauth state that another
 * process may have cleared, or a record that could not be saved yet. */
static int ensure_loaded(ghl_tokens *t, tok_entry *x, err *e)
{
    pthread_mutex_lock(&t->mu);
    bool loaded = x->loaded, reauth = x->rec.needs_reauth, unsaved = x->unsaved;
    ghl_token_rec pending = {0};
    if (unsaved && ghl_token_rec_copy(&pending, &x->rec) != 0)
        unsaved = false;
    pthread_mutex_unlock(&t->mu);
    if (unsaved) {
        int rc = ghl_tokens_store_save(t, x->account, &pending, e);
        if (rc == 0) {
            pthread_mutex_lock(&t->mu);
            if (ghl_token_rec_same(&x->rec, &pending))
                x->unsaved = false;
            pthread_mutex_unlock(&t->mu);
        }
        ghl_token_rec_clear(&pending);
        return rc == 0 ? 0 : err_wrap(e, "a refreshed HighLevel token is not saved yet: ");
    }
    if (loaded && !reauth)
        return 0;
    ghl_token_rec r;
    int rc = ghl_tokens_store_load(&r, t, x->account, e);
    if (rc == 0) {
        rc = ghl_tokens_install(t, x, &r, false);
        ghl_token_rec_clear(&r);
    }
    return rc;
}

/* A copy of the entry's access token and expiry, or its needs_reauth state. */
static int snapshot(char **out_access, int64_t *out_expires, ghl_tokens *t, tok_entry *x, err *e)
{
    pthread_mutex_lock(&t->mu);
    int rc = 0;
    if (x->rec.needs_reauth)
        rc = ghl_tokens_reauth_error(x, x->rec.reason, e);
    else if (!x->rec.access || !(*out_access = strdup(x->rec.access)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    else
        *out_expires = x->rec.expires_ms;
    pthread_mutex_unlock(&t->mu);
    return rc;
}

static void secret_free(char *s)
{
    if (s)
        crypto_secret_free(s, strlen(s));
}

int ghl_tokens_access(char **out, ghl_tokens *t, const char *location, err *e)
{
    if (t->pit) {
        if (!(*out = strdup(t->pit)))
            return err_set(e, ERR_NOMEM, "out of memory");
        return 0;
    }
    tok_entry *x = ghl_tokens_entry(t, location, e);
    if (!x)
        return ERR_NOMEM;
    int rc = ensure_loaded(t, x, e);
    char *access = NULL;
    int64_t expires = 0;
    if (rc == 0)
        rc = snapshot(&access, &expires, t, x, e);
    if (rc != 0)
        return rc;
    int64_t now = now_ms(t);
    if (expires != 0 && expires - now <= t->cfg.refresh_ahead_ms) {
        err re = {0};
        pthread_mutex_lock(&x->refresh_mu);
        int rr = ghl_tokens_refresh_locked(t, x, access, &re);
        pthread_mutex_unlock(&x->refresh_mu);
        if (rr == 0 || rr == ERR_BAD_STATE || expires <= now) {
            secret_free(access);
            access = NULL;
            if (rr != 0)
                return err_set(e, rr, "%s", re.msg);
            if ((rc = snapshot(&access, &expires, t, x, e)) != 0)
                return rc;
        } else {
            log_warnf("HighLevel token refresh for %s failed, the current token is still valid: "
                      "%s",
                      location, re.msg);
        }
    }
    *out = access;
    return 0;
}

int ghl_tokens_refresh(ghl_tokens *t, const char *location, const char *stale, err *e)
{
    if (t->pit)
        return err_set(e, ERR_AUTH,
                       "the Private Integration Token was refused: make a new one "
                       "in HighLevel and set [ghl] token");
    tok_entry *x = ghl_tokens_entry(t, location, e);
    if (!x)
        return ERR_NOMEM;
    int rc = ensure_loaded(t, x, e);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&x->refresh_mu);
    rc = ghl_tokens_refresh_locked(t, x, stale, e);
    pthread_mutex_unlock(&x->refresh_mu);
    return rc;
}
