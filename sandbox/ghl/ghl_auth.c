/* ghl_auth.c: the HighLevel emulator's token store: locations, Private Integration Tokens, the
 * bearer and scope check, and the admin views. The token endpoint is in ghl_auth_grant.c. */
#include "sandbox/ghl/ghl_auth_int.h"
#include "util/rng.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

static const char ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char HEX[] = "0123456789abcdef";

int sbx_ghl_auth_grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 8;
    if (c > SIZE_MAX / elem)
        return ERR_NOMEM;
    void *p = realloc(*arr, c * elem);
    if (!p)
        return ERR_NOMEM;
    *arr = p;
    *cap = c;
    return 0;
}

int sbx_ghl_auth_random(char *out, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet);
    /* Rejection sampling keeps every character equally likely. */
    unsigned limit = 256 - 256 % (unsigned)k;
    unsigned char pool[64];
    size_t used = sizeof pool;
    for (size_t i = 0; i < n;) {
        if (used == sizeof pool) {
            if (RAND_bytes(pool, (int)sizeof pool) != 1)
                return ERR_CRYPTO;
            used = 0;
        }
        unsigned b = pool[used++];
        if (b < limit)
            out[i++] = alphabet[b % k];
    }
    out[n] = '\0';
    return 0;
}

int sbx_ghl_auth_new_token(char *out, size_t n)
{
    return sbx_ghl_auth_random(out, n, ALNUM);
}

int sbx_ghl_auth_new_code(char *out)
{
    return sbx_ghl_auth_random(out, SBX_GHL_CODE_LEN, HEX);
}

static char *dup_or(const char *s, const char *fallback)
{
    return strdup(s && *s ? s : fallback);
}

/* Secrets come from OpenSSL; ids from the seed, so a seeded sandbox names things the same way. */
static int init_identity(sbx_ghl_auth *a, const sbx_ghl_auth_options *o)
{
    rng r;
    rng_seed(&r, o->seed ^ UINT64_C(0x6a09e667f3bcc908));
    char company[SBX_GHL_ID_LEN + 1];
    rng_string(&r, company, SBX_GHL_ID_LEN, ALNUM);
    rng_string(&r, a->user_id, SBX_GHL_ID_LEN, ALNUM);
    rng_string(&r, a->app_id, 24, HEX);
    char secret[37];
    if (sbx_ghl_auth_random(secret, 36, HEX) != 0)
        return ERR_CRYPTO;
    /* A UUID-shaped secret, as HighLevel's are. */
    secret[8] = secret[13] = secret[18] = secret[23] = '-';
    a->client_id = dup_or(o->client_id, "sandbox-client");
    a->client_secret = dup_or(o->client_secret, secret);
    a->company_id = dup_or(o->company_id, company);
    if (!a->client_id || !a->client_secret || !a->company_id)
        return ERR_NOMEM;
    return 0;
}

int sbx_ghl_auth_new(sbx_ghl_auth **out, const sbx_ghl_auth_options *opts, err *e)
{
    sbx_ghl_auth_options o = {0};
    if (opts)
        o = *opts;
    sbx_ghl_auth *a = calloc(1, sizeof *a);
    if (!a)
        return err_set(e, ERR_NOMEM, "oauth emulator: out of memory");
    if (pthread_mutex_init(&a->mu, NULL) != 0) {
        free(a);
        return err_set(e, ERR_INTERNAL, "oauth emulator: mutex init failed");
    }
    a->clock = o.clock ? o.clock : clock_system();
    a->access_ttl_s = o.access_ttl_s > 0 ? o.access_ttl_s : 86399;
    a->reuse_grace_ms = (o.reuse_grace_s > 0 ? o.reuse_grace_s : 30) * 1000;
    int rc = init_identity(a, &o);
    if (rc) {
        sbx_ghl_auth_free(a);
        return err_set(e, rc, "oauth emulator: cannot make the client credentials");
    }
    *out = a;
    return 0;
}

static void free_arrays(sbx_ghl_auth *a)
{
    for (size_t i = 0; i < a->n_locations; i++) {
        free(a->locations[i].id);
        free(a->locations[i].name);
    }
    for (size_t i = 0; i < a->n_codes; i++) {
        free(a->codes[i].location_id);
        free(a->codes[i].scopes);
        free(a->codes[i].redirect_uri);
    }
    for (size_t i = 0; i < a->n_families; i++) {
        free(a->families[i].location_id);
        free(a->families[i].scopes);
    }
    for (size_t i = 0; i < a->n_access; i++) {
        free(a->access[i].location_id);
        free(a->access[i].scopes);
    }
    for (size_t i = 0; i < a->n_refresh; i++)
        json_decref(a->refresh[i].answer);
}

void sbx_ghl_auth_free(sbx_ghl_auth *a)
{
    if (!a)
        return;
    free_arrays(a);
    free(a->locations);
    free(a->codes);
    free(a->families);
    free(a->access);
    free(a->refresh);
    free(a->client_id);
    free(a->client_secret);
    free(a->company_id);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

const sbx_ghl_auth_location *sbx_ghl_auth_find_location(const sbx_ghl_auth *a, const char *id)
{
    for (size_t i = 0; i < a->n_locations; i++)
        if (strcmp(a->locations[i].id, id) == 0)
            return &a->locations[i];
    return NULL;
}

int sbx_ghl_auth_add_location(sbx_ghl_auth *a, const char *location_id, const char *name, err *e)
{
    if (!location_id || !*location_id || strlen(location_id) > SBX_GHL_ID_LEN * 2)
        return err_set(e, ERR_INVALID, "oauth emulator: a location id of 1 to %d characters",
                       SBX_GHL_ID_LEN * 2);
    int rc = 0;
    pthread_mutex_lock(&a->mu);
    if (sbx_ghl_auth_find_location(a, location_id)) {
        rc = err_set(e, ERR_CONFLICT, "oauth emulator: location %s is already installed",
                     location_id);
    } else if (sbx_ghl_auth_grow((void **)&a->locations, &a->cap_locations, a->n_locations,
                                 sizeof *a->locations) != 0) {
        rc = err_set(e, ERR_NOMEM, "oauth emulator: out of memory");
    } else {
        sbx_ghl_auth_location *l = &a->locations[a->n_locations];
        l->id = strdup(location_id);
        l->name = strdup(name ? name : location_id);
        l->installed_ms = clock_now_ms(a->clock);
        if (!l->id || !l->name) {
            free(l->id);
            free(l->name);
            rc = err_set(e, ERR_NOMEM, "oauth emulator: out of memory");
        } else {
            a->n_locations++;
        }
    }
    pthread_mutex_unlock(&a->mu);
    return rc;
}

/* Forgets access tokens that expired long ago (an unknown token answers like an expired one);
 * called with the lock held before the array grows. */
static void prune_access(sbx_ghl_auth *a, int64_t now)
{
    size_t keep = 0;
    for (size_t i = 0; i < a->n_access; i++) {
        sbx_ghl_auth_access *t = &a->access[i];
        if (t->family >= 0 && t->expires_ms + 3600 * 1000 < now) {
            free(t->location_id);
            free(t->scopes);
            continue;
        }
        a->access[keep++] = *t;
    }
    a->n_access = keep;
}

int sbx_ghl_auth_store_access(sbx_ghl_auth *a, int family, sbx_ghl_user_type type,
                              const char *location_id, const char *scopes, int64_t expires_ms,
                              const char *token)
{
    if (a->n_access == a->cap_access)
        prune_access(a, clock_now_ms(a->clock));
    if (sbx_ghl_auth_grow((void **)&a->access, &a->cap_access, a->n_access, sizeof *a->access) != 0)
        return ERR_NOMEM;
    sbx_ghl_auth_access *t = &a->access[a->n_access];
    memset(t, 0, sizeof *t);
    snprintf(t->token, sizeof t->token, "%s", token);
    t->family = family;
    t->type = type;
    t->location_id = location_id ? strdup(location_id) : NULL;
    t->scopes = strdup(scopes ? scopes : "");
    t->expires_ms = expires_ms;
    if ((location_id && !t->location_id) || !t->scopes) {
        free(t->location_id);
        free(t->scopes);
        return ERR_NOMEM;
    }
    a->n_access++;
    return 0;
}

/* Length-checked, constant-time equality of a stored secret and a presented one. */
bool sbx_ghl_auth_secret_eq(const char *stored, const char *given, size_t given_len)
{
    size_t n = strlen(stored);
    if (n != given_len)
        return false;
    return CRYPTO_memcmp(stored, given, n) == 0;
}

bool sbx_ghl_auth_lookup(sbx_ghl_auth *a, const char *token, size_t len, sbx_ghl_auth_grant *out)
{
    if (len == 0 || len > SBX_GHL_TOKEN_MAX)
        return false;
    int64_t now = clock_now_ms(a->clock);
    bool found = false;
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->n_access && !found; i++) {
        const sbx_ghl_auth_access *t = &a->access[i];
        if (!sbx_ghl_auth_secret_eq(t->token, token, len))
            continue;
        found = true;
        bool family_ok = t->family < 0 || !a->families[t->family].revoked;
        if (!family_ok || now >= t->expires_ms)
            break;
        out->type = t->type;
        out->pit = t->family < 0;
        out->family = t->family;
        snprintf(out->location_id, sizeof out->location_id, "%s",
                 t->location_id ? t->location_id : "");
        snprintf(out->scopes, sizeof out->scopes, "%s", t->scopes);
        pthread_mutex_unlock(&a->mu);
        return true;
    }
    pthread_mutex_unlock(&a->mu);
    return false;
}

bool sbx_ghl_auth_scope_has(const char *scopes, const char *scope)
{
    size_t n = strlen(scope);
    for (const char *p = scopes; *p;) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (w == n && n > 0 && memcmp(p, scope, n) == 0)
            return true;
        p += w;
    }
    return false;
}

void sbx_ghl_auth_unauthorized(http_response *res, const char *message)
{
    json_t *body = json_pack("{s:i, s:s, s:s}", "statusCode", 401, "message", message, "error",
                             "Unauthorized");
    http_response_json(res, 401, body);
}

bool sbx_ghl_auth_parse_bearer(const char *value, size_t len, size_t *tok_start, size_t *tok_len)
{
    size_t i = 0;
    while (i < len && (value[i] == ' ' || value[i] == '\t'))
        i++;
    if (len - i < 7 || strncasecmp(value + i, "Bearer", 6) != 0)
        return false;
    i += 6;
    if (value[i] != ' ' && value[i] != '\t')
        return false;
    while (i < len && (value[i] == ' ' || value[i] == '\t'))
        i++;
    size_t start = i;
    while (i < len && value[i] > ' ' && value[i] < 0x7f)
        i++;
    size_t end = i;
    while (i < len && (value[i] == ' ' || value[i] == '\t'))
        i++;
    if (end == start || i != len)
        return false;
    *tok_start = start;
    *tok_len = end - start;
    return true;
}

/* The shared first half of every bearer check: header, lookup, scope. */
static bool check_bearer(sbx_ghl_auth *a, const char *authorization, const char *scope,
                         sbx_ghl_auth_grant *grant, http_response *res)
{
    const char *h = authorization;
    size_t start, len;
    if (!h || !sbx_ghl_auth_parse_bearer(h, strlen(h), &start, &len) ||
        !sbx_ghl_auth_lookup(a, h + start, len, grant)) {
        sbx_ghl_auth_unauthorized(res, "Invalid JWT");
        return false;
    }
    if (scope && !sbx_ghl_auth_scope_has(grant->scopes, scope)) {
        sbx_ghl_auth_unauthorized(res, "The token is not authorized for this scope.");
        return false;
    }
    return true;
}

bool sbx_ghl_auth_check(sbx_ghl_auth *a, const http_request *req, const char *scope,
                        char *location_out, size_t location_len, http_response *res)
{
    return sbx_ghl_auth_check_authorization(a, http_request_header(req, "Authorization"), scope,
                                            location_out, location_len, res);
}

bool sbx_ghl_auth_check_authorization(sbx_ghl_auth *a, const char *authorization, const char *scope,
                                      char *location_out, size_t location_len, http_response *res)
{
    sbx_ghl_auth_grant g;
    if (!check_bearer(a, authorization, scope, &g, res))
        return false;
    if (g.type != SBX_GHL_USER_LOCATION) {
        sbx_ghl_auth_unauthorized(res, "This route needs a Sub-Account (Location) access token.");
        return false;
    }
    if (location_out) {
        size_t n = strlen(g.location_id);
        if (n >= location_len) {
            json_t *body =
                json_pack("{s:i, s:s}", "statusCode", 500, "message", "Internal server error");
            http_response_json(res, 500, body);
            return false;
        }
        memcpy(location_out, g.location_id, n + 1);
    }
    return true;
}

bool sbx_ghl_auth_check_company(sbx_ghl_auth *a, const http_request *req, const char *scope,
                                sbx_ghl_auth_grant *grant, http_response *res)
{
    if (!check_bearer(a, http_request_header(req, "Authorization"), scope, grant, res))
        return false;
    if (grant->type != SBX_GHL_USER_COMPANY || grant->pit) {
        sbx_ghl_auth_unauthorized(res, "This route needs an Agency (Company) access token.");
        return false;
    }
    return true;
}

int sbx_ghl_auth_create_pit(sbx_ghl_auth *a, const char *location_id, const char *scopes, char *out,
                            size_t out_len, err *e)
{
    char tok[41];
    /* pit- and a UUID's shape, as HighLevel's Private Integration Tokens look. */
    if (sbx_ghl_auth_random(tok, 36, HEX) != 0)
        return err_set(e, ERR_CRYPTO, "oauth emulator: no randomness");
    tok[8] = tok[13] = tok[18] = tok[23] = '-';
    char pit[48];
    snprintf(pit, sizeof pit, "pit-%s", tok);
    if (strlen(pit) >= out_len)
        return err_set(e, ERR_LIMIT, "oauth emulator: a PIT needs %zu bytes", strlen(pit) + 1);
    if (scopes && strlen(scopes) >= SBX_GHL_SCOPES_MAX)
        return err_set(e, ERR_LIMIT, "oauth emulator: scopes longer than %d bytes",
                       SBX_GHL_SCOPES_MAX - 1);
    int rc = 0;
    pthread_mutex_lock(&a->mu);
    if (!location_id || !sbx_ghl_auth_find_location(a, location_id))
        rc = err_set(e, ERR_NOT_FOUND, "oauth emulator: location %s is not installed",
                     location_id ? location_id : "(none)");
    else if (sbx_ghl_auth_store_access(a, -1, SBX_GHL_USER_LOCATION, location_id, scopes, INT64_MAX,
                                       pit) != 0)
        rc = err_set(e, ERR_NOMEM, "oauth emulator: out of memory");
    pthread_mutex_unlock(&a->mu);
    if (rc == 0)
        memcpy(out, pit, strlen(pit) + 1);
    return rc;
}

void sbx_ghl_auth_expire_access_tokens(sbx_ghl_auth *a)
{
    int64_t now = clock_now_ms(a->clock);
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->n_access; i++)
        if (a->access[i].family >= 0 && a->access[i].expires_ms > now)
            a->access[i].expires_ms = now;
    pthread_mutex_unlock(&a->mu);
}

void sbx_ghl_auth_set_access_ttl(sbx_ghl_auth *a, int64_t seconds)
{
    pthread_mutex_lock(&a->mu);
    a->access_ttl_s = seconds > 0 ? seconds : 86399;
    pthread_mutex_unlock(&a->mu);
}

void sbx_ghl_auth_revoke_all(sbx_ghl_auth *a)
{
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->n_families; i++)
        a->families[i].revoked = true;
    pthread_mutex_unlock(&a->mu);
}

static json_t *state_locked(sbx_ghl_auth *a, int64_t now)
{
    int64_t codes_pending = 0, live = 0, pits = 0, revoked = 0, refresh_live = 0;
    for (size_t i = 0; i < a->n_codes; i++)
        codes_pending += !a->codes[i].used && now < a->codes[i].expires_ms;
    for (size_t i = 0; i < a->n_access; i++) {
        const sbx_ghl_auth_access *t = &a->access[i];
        if (t->family < 0)
            pits++;
        else if (!a->families[t->family].revoked && now < t->expires_ms)
            live++;
    }
    for (size_t i = 0; i < a->n_families; i++)
        revoked += a->families[i].revoked;
    for (size_t i = 0; i < a->n_refresh; i++) {
        const sbx_ghl_auth_refresh *r = &a->refresh[i];
        refresh_live += r->used_ms == 0 && !a->families[r->family].revoked && now < r->expires_ms;
    }
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "codes_issued",
        (json_int_t)a->n_codes_issued, "codes_pending", (json_int_t)codes_pending,
        "access_tokens_live", (json_int_t)live, "refresh_tokens_live", (json_int_t)refresh_live,
        "pits", (json_int_t)pits, "families", (json_int_t)a->n_families, "families_revoked",
        (json_int_t)revoked, "refreshes", (json_int_t)a->n_refreshes, "grace_replays",
        (json_int_t)a->n_grace_replays, "reuse_detections", (json_int_t)a->n_reuse_detections);
}

json_t *sbx_ghl_auth_state(sbx_ghl_auth *a)
{
    int64_t now = clock_now_ms(a->clock);
    pthread_mutex_lock(&a->mu);
    json_t *out = state_locked(a, now);
    pthread_mutex_unlock(&a->mu);
    return out;
}

json_t *sbx_ghl_auth_info(sbx_ghl_auth *a)
{
    pthread_mutex_lock(&a->mu);
    json_t *locs = json_array();
    for (size_t i = 0; i < a->n_locations && locs; i++)
        json_array_append_new(locs, json_string(a->locations[i].id));
    json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o*}", "client_id", a->client_id,
                            "client_secret", a->client_secret, "company_id", a->company_id,
                            "app_id", a->app_id, "user_id", a->user_id, "locations", locs);
    pthread_mutex_unlock(&a->mu);
    return out;
}

bool sbx_ghl_auth_contains_ci(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = haystack; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return n == 0;
}

json_t *sbx_ghl_auth_installed(sbx_ghl_auth *a, const sbx_ghl_auth_installed_query *q)
{
    json_t *list = json_array();
    int64_t count = 0;
    char iso[CLOCK_ISO_LEN];
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->n_locations && list; i++) {
        const sbx_ghl_auth_location *l = &a->locations[i];
        if (q->not_installed || (q->location_id && strcmp(q->location_id, l->id) != 0))
            continue;
        if (q->query && *q->query && !sbx_ghl_auth_contains_ci(l->name, q->query))
            continue;
        if (count++ < q->skip || (int64_t)json_array_size(list) >= q->limit)
            continue;
        clock_format_iso(l->installed_ms, iso);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "_id", l->id,
                                              "name", l->name, "address", "", "isInstalled", 1,
                                              "versionId", a->app_id, "installedAt", iso));
    }
    pthread_mutex_unlock(&a->mu);
    return json_pack("{s:o*, s:I, s:b}", "locations", list, "count", (json_int_t)count,
                     "installToFutureLocations", 0);
}
