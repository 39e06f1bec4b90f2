/* pl_creds.c: PheedLoop credentials sealed in the store, and a client built from the
 * configuration completed by them. */
#include "pheedloop/pl_creds.h"
#include "util/jsonx.h"
#include "util/log.h"

static void wipe_free(char *s)
{
    if (!s)
        return;
    for (volatile char *p = s; *p; p++)
        *p = '\0';
    free(s);
}

void pl_creds_free(pl_creds *c)
{
    if (!c)
        return;
    wipe_free(c->org_code);
    wipe_free(c->api_key);
    wipe_free(c->api_secret);
    c->org_code = c->api_key = c->api_secret = NULL;
}

/* The associated data a sealed value is bound to: its purpose and account. */
static void aad_of(char *out, size_t size, const char *account)
{
    snprintf(out, size, "pheedloop-credentials:%s", account);
}

int pl_creds_save(store *s, const crypto_key *k, const char *org_code, const char *api_key,
                  const char *api_secret, err *e)
{
    return pl_creds_save_account(s, k, PL_CREDS_ACCOUNT, org_code, api_key, api_secret, e);
}

int pl_creds_load(pl_creds *out, store *s, const crypto_key *k, err *e)
{
    return pl_creds_load_account(out, s, k, PL_CREDS_ACCOUNT, e);
}

int pl_creds_save_account(store *s, const crypto_key *k, const char *account, const char *org_code,
                          const char *api_key, const char *api_secret, err *e)
{
    if (!org_code || !*org_code || !api_key || !*api_key || !api_secret || !*api_secret)
        return err_set(e, ERR_INVALID, "PheedLoop credentials need org_code, key and secret");
    json_t *j = json_pack("{s:s, s:s, s:s}", "org_code", org_code, "api_key", api_key, "api_secret",
                          api_secret);
    char *plain = j ? jsonx_dumps(j) : NULL;
    json_decref(j);
    if (!plain)
        return err_set(e, ERR_NOMEM, "out of memory");
    buf sealed;
    buf_init(&sealed, 4096);
    char aad[160];
    aad_of(aad, sizeof aad, account);
    int rc = crypto_seal(&sealed, k, plain, strlen(plain), aad, e);
    wipe_free(plain);
    if (rc == 0)
        rc = store_token_put(s, PL_CREDS_SERVICE, account, buf_cstr(&sealed), 0, e);
    buf_free(&sealed);
    return rc;
}

static int take_str(char **out, const json_t *j, const char *key, err *e)
{
    const char *v = jsonx_str(j, key);
    if (!v || !*v)
        return err_set(e, ERR_PARSE, "stored PheedLoop credentials lack %s", key);
    *out = strdup(v);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int pl_creds_load_account(pl_creds *out, store *s, const crypto_key *k, const char *account, err *e)
{
    char *sealed = NULL;
    int rc = store_token_get(&sealed, NULL, s, PL_CREDS_SERVICE, account, e);
    if (rc < 0)
        return rc;
    char *plain = NULL;
    size_t len = 0;
    char aad[160];
    aad_of(aad, sizeof aad, account);
    rc = crypto_open(&plain, &len, k, sealed, strlen(sealed), aad, e);
    free(sealed);
    if (rc < 0)
        return err_wrap(e, "stored PheedLoop credentials: ");
    json_t *j = NULL;
    rc = jsonx_parse(&j, plain, len, "stored PheedLoop credentials", e);
    crypto_secret_free(plain, len);
    pl_creds c = {NULL, NULL, NULL};
    if (rc == 0)
        rc = take_str(&c.org_code, j, "org_code", e);
    if (rc == 0)
        rc = take_str(&c.api_key, j, "api_key", e);
    if (rc == 0)
        rc = take_str(&c.api_secret, j, "api_secret", e);
    json_decref(j);
    if (rc < 0) {
        pl_creds_free(&c);
        return rc;
    }
    log_add_secret(c.api_key);
    log_add_secret(c.api_secret);
    *out = c;
    return 0;
}

static const char *set_or(const config_section *sec, const char *key, const char *stored)
{
    const char *v = config_sec_str(sec, key);
    return v && *v ? v : stored;
}

int pl_client_from_config_and_store(pl_client **out, const config *cfg, store *s,
                                    const crypto_key *k, http_client *http,
                                    const governor_shared *shared, err *e)
{
    const config_section *sec = config_section_get(cfg, "pheedloop");
    pl_creds stored = {NULL, NULL, NULL};
    if (s && k) {
        int rc = pl_creds_load(&stored, s, k, e);
        if (rc < 0 && rc != ERR_NOT_FOUND)
            return rc;
    }
    const char *org = config_sec_str(sec, "org_code");
    if (stored.org_code && org && *org && strcmp(org, stored.org_code) != 0) {
        int rc = err_set(e, ERR_CONFIG,
                         "[pheedloop] org_code is %s but the stored credentials are for %s: run "
                         "`pheedsync connect pheedloop` again",
                         org, stored.org_code);
        pl_creds_free(&stored);
        return rc;
    }
    pl_client_config pc = {
        .base_url = config_sec_str(sec, "base_url"),
        .org_code = set_or(sec, "org_code", stored.org_code),
        .api_key = set_or(sec, "api_key", stored.api_key),
        .api_secret = set_or(sec, "api_secret", stored.api_secret),
        .rate_per_minute = config_sec_int(sec, "rate_limit"),
        .http = http,
    };
    if (shared)
        pc.shared = *shared;
    int rc = 0;
    if (!pc.org_code || !pc.api_key || !pc.api_secret)
        rc = err_set(e, ERR_CONFIG,
                     "[pheedloop] org_code, api_key and api_secret are not all set and none are "
                     "stored: run `pheedsync connect pheedloop`");
    else
        rc = pl_client_new(out, &pc, e);
    pl_creds_free(&stored);
    return rc;
}
