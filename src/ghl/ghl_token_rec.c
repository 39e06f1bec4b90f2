/* ghl_token_rec.c: a stored HighLevel grant: JSON form, sealing into and opening from the store. */
#include "ghl/ghl_token_rec.h"
#include "util/jsonx.h"

static void wipe_free(char *s)
{
    if (s)
        crypto_secret_free(s, strlen(s));
}

void ghl_token_rec_clear(ghl_token_rec *r)
{
    if (!r)
        return;
    wipe_free(r->access);
    wipe_free(r->refresh);
    free(r->scope);
    free(r->user_type);
    free(r->company_id);
    free(r->location_id);
    free(r->via);
    free(r->reason);
    memset(r, 0, sizeof *r);
}

static bool dup_into(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return true;
    *dst = strdup(src);
    return *dst != NULL;
}

int ghl_token_rec_copy(ghl_token_rec *out, const ghl_token_rec *s)
{
    ghl_token_rec r = {.expires_ms = s->expires_ms, .needs_reauth = s->needs_reauth};
    bool ok = dup_into(&r.access, s->access) && dup_into(&r.refresh, s->refresh) &&
              dup_into(&r.scope, s->scope) && dup_into(&r.user_type, s->user_type) &&
              dup_into(&r.company_id, s->company_id) && dup_into(&r.location_id, s->location_id) &&
              dup_into(&r.via, s->via) && dup_into(&r.reason, s->reason);
    if (!ok) {
        ghl_token_rec_clear(&r);
        return ERR_NOMEM;
    }
    *out = r;
    return 0;
}

int ghl_token_rec_from_answer(ghl_token_rec *out, const ghl_token_answer *a, const char *via,
                              int64_t now_ms, err *e)
{
    ghl_token_rec r = {0};
    int64_t ttl = a->expires_in_s >= 0 ? a->expires_in_s : 86400;
    r.expires_ms = now_ms + ttl * 1000;
    bool ok = dup_into(&r.access, a->access_token) && dup_into(&r.refresh, a->refresh_token) &&
              dup_into(&r.scope, a->scope) && dup_into(&r.user_type, a->user_type) &&
              dup_into(&r.company_id, a->company_id) && dup_into(&r.location_id, a->location_id) &&
              dup_into(&r.via, via);
    if (!ok) {
        ghl_token_rec_clear(&r);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    *out = r;
    return 0;
}

int ghl_token_rec_account(char **out, const ghl_token_rec *r, err *e)
{
    buf b;
    buf_init(&b, 512);
    bool company = r->user_type && strcmp(r->user_type, "Company") == 0;
    if (company && r->company_id && *r->company_id)
        buf_addf(&b, "company:%s", r->company_id);
    else if (!company && r->location_id && *r->location_id)
        buf_addstr(&b, r->location_id);
    else
        return err_set(e, ERR_INVALID, "the token answer names no %s",
                       company ? "companyId" : "locationId");
    *out = buf_take(&b);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

static int aad_for(buf *aad, const char *account)
{
    return buf_addf(aad, "ghl-token:%s", account);
}

static json_t *rec_json(const ghl_token_rec *r)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    int rc = jsonx_set_str(j, "access_token", r->access);
    rc |= jsonx_set_str(j, "refresh_token", r->refresh);
    rc |= jsonx_set_str(j, "scope", r->scope);
    rc |= jsonx_set_str(j, "user_type", r->user_type);
    rc |= jsonx_set_str(j, "company_id", r->company_id);
    rc |= jsonx_set_str(j, "location_id", r->location_id);
    rc |= jsonx_set_str(j, "via", r->via);
    rc |= jsonx_set_str(j, "reason", r->reason);
    rc |= jsonx_set_int(j, "expires_ms", r->expires_ms);
    rc |= jsonx_set_str(j, "state", r->needs_reauth ? "needs_reauth" : "ok");
    if (rc) {
        json_decref(j);
        return NULL;
    }
    return j;
}

int ghl_token_rec_save(store *st, const crypto_key *key, const char *account,
                       const ghl_token_rec *r, err *e)
{
    json_t *j = rec_json(r);
    char *text = j ? jsonx_dumps(j) : NULL;
    json_decref(j);
    if (!text)
        return err_set(e, ERR_NOMEM, "out of memory");
    buf aad, sealed;
    buf_init(&aad, 1024);
    buf_init(&sealed, 4 * CRYPTO_SEAL_MAX_PLAINTEXT / 3 + 128);
    int rc = aad_for(&aad, account);
    if (rc == 0)
        rc = crypto_seal(&sealed, key, text, strlen(text), buf_cstr(&aad), e);
    crypto_secret_free(text, strlen(text));
    if (rc == 0)
        rc = store_token_put(st, GHL_TOKENS_SERVICE, account, buf_cstr(&sealed), r->expires_ms, e);
    buf_free(&aad);
    buf_free(&sealed);
    return rc;
}

static int dup_field(char **out, const json_t *j, const char *key)
{
    return dup_into(out, jsonx_str(j, key)) ? 0 : ERR_NOMEM;
}

static int rec_from_json(ghl_token_rec *out, const json_t *j, err *e)
{
    ghl_token_rec r = {0};
    int rc = dup_field(&r.access, j, "access_token");
    rc |= dup_field(&r.refresh, j, "refresh_token");
    rc |= dup_field(&r.scope, j, "scope");
    rc |= dup_field(&r.user_type, j, "user_type");
    rc |= dup_field(&r.company_id, j, "company_id");
    rc |= dup_field(&r.location_id, j, "location_id");
    rc |= dup_field(&r.via, j, "via");
    rc |= dup_field(&r.reason, j, "reason");
    if (rc) {
        ghl_token_rec_clear(&r);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    r.expires_ms = jsonx_int(j, "expires_ms", 0);
    const char *state = jsonx_str(j, "state");
    r.needs_reauth = state && strcmp(state, "needs_reauth") == 0;
    if (!r.access && !r.needs_reauth) {
        ghl_token_rec_clear(&r);
        return err_set(e, ERR_PARSE, "stored token record has no access token");
    }
    *out = r;
    return 0;
}

int ghl_token_rec_load(ghl_token_rec *out, store *st, const crypto_key *key, const char *account,
                       err *e)
{
    char *sealed = NULL;
    int rc = store_token_get(&sealed, NULL, st, GHL_TOKENS_SERVICE, account, e);
    if (rc != 0)
        return rc;
    buf aad;
    buf_init(&aad, 1024);
    char *plain = NULL;
    size_t plain_len = 0;
    rc = aad_for(&aad, account);
    if (rc == 0)
        rc = crypto_open(&plain, &plain_len, key, sealed, strlen(sealed), buf_cstr(&aad), e);
    free(sealed);
    buf_free(&aad);
    if (rc != 0)
        return err_wrap(e, "stored HighLevel token for %s: ", account);
    json_t *j = NULL;
    rc = jsonx_parse(&j, plain, plain_len, "stored token", e);
    crypto_secret_free(plain, plain_len);
    if (rc == 0)
        rc = rec_from_json(out, j, e);
    json_decref(j);
    return rc;
}

static bool same_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool ghl_token_rec_same(const ghl_token_rec *a, const ghl_token_rec *b)
{
    return a->needs_reauth == b->needs_reauth && same_str(a->access, b->access) &&
           same_str(a->refresh, b->refresh);
}
