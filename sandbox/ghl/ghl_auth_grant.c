/* ghl_auth_grant.c: the HighLevel emulator's token endpoint logic: authorization codes, rotating
 * single-use refresh tokens with a replay grace period and family revocation, location tokens. */
#include "sandbox/ghl/ghl_auth_int.h"

#include <stdarg.h>

static int fail(sbx_ghl_auth_outcome *out, int status, const char *error, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(sbx_ghl_auth_outcome *out, int status, const char *error, const char *fmt, ...)
{
    out->status = status;
    out->error = error;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->description, sizeof out->description, fmt, ap);
    va_end(ap);
    out->answer = NULL;
    return status;
}

static int fail_nomem(sbx_ghl_auth_outcome *out)
{
    return fail(out, 500, "server_error", "out of memory");
}

static int succeed(sbx_ghl_auth_outcome *out, json_t *answer)
{
    out->status = 200;
    out->answer = answer;
    return 200;
}

int sbx_ghl_auth_issue_code(sbx_ghl_auth *a, const char *location_id, const char *scopes,
                            const char *redirect_uri, char *out, size_t out_len, err *e)
{
    char code[SBX_GHL_CODE_LEN + 1];
    if (out_len <= SBX_GHL_CODE_LEN)
        return err_set(e, ERR_LIMIT, "oauth emulator: a code needs %d bytes", SBX_GHL_CODE_LEN + 1);
    if (scopes && strlen(scopes) >= SBX_GHL_SCOPES_MAX)
        return err_set(e, ERR_LIMIT, "oauth emulator: scopes longer than %d bytes",
                       SBX_GHL_SCOPES_MAX - 1);
    if (sbx_ghl_auth_new_code(code) != 0)
        return err_set(e, ERR_CRYPTO, "oauth emulator: no randomness");
    int rc = 0;
    pthread_mutex_lock(&a->mu);
    const sbx_ghl_auth_location *l = NULL;
    if (location_id)
        l = sbx_ghl_auth_find_location(a, location_id);
    else if (a->n_locations > 0)
        l = &a->locations[0];
    if (!l) {
        rc = err_set(e, ERR_NOT_FOUND, "oauth emulator: location %s is not installed",
                     location_id ? location_id : "(none: add one first)");
    } else if (sbx_ghl_auth_grow((void **)&a->codes, &a->cap_codes, a->n_codes, sizeof *a->codes)) {
        rc = err_set(e, ERR_NOMEM, "oauth emulator: out of memory");
    } else {
        sbx_ghl_auth_code *c = &a->codes[a->n_codes];
        *c = (sbx_ghl_auth_code){.expires_ms = clock_now_ms(a->clock) + SBX_GHL_CODE_TTL_MS,
                                 .family = -1};
        memcpy(c->code, code, sizeof code);
        c->location_id = strdup(l->id);
        c->scopes = strdup(scopes ? scopes : "");
        c->redirect_uri = redirect_uri ? strdup(redirect_uri) : NULL;
        if (!c->location_id || !c->scopes || (redirect_uri && !c->redirect_uri)) {
            free(c->location_id);
            free(c->scopes);
            free(c->redirect_uri);
            rc = err_set(e, ERR_NOMEM, "oauth emulator: out of memory");
        } else {
            a->n_codes++;
            a->n_codes_issued++;
        }
    }
    pthread_mutex_unlock(&a->mu);
    if (rc == 0)
        memcpy(out, code, sizeof code);
    return rc;
}

static int new_family(sbx_ghl_auth *a, sbx_ghl_user_type type, const char *location_id,
                      const char *scopes)
{
    if (sbx_ghl_auth_grow((void **)&a->families, &a->cap_families, a->n_families,
                          sizeof *a->families) != 0)
        return -1;
    sbx_ghl_auth_family *f = &a->families[a->n_families];
    *f = (sbx_ghl_auth_family){.type = type};
    f->location_id = location_id ? strdup(location_id) : NULL;
    f->scopes = strdup(scopes);
    if ((location_id && !f->location_id) || !f->scopes) {
        free(f->location_id);
        free(f->scopes);
        return -1;
    }
    return (int)a->n_families++;
}

static json_t *approved_locations(const sbx_ghl_auth *a)
{
    json_t *list = json_array();
    for (size_t i = 0; i < a->n_locations && list; i++)
        json_array_append_new(list, json_string(a->locations[i].id));
    return list;
}

/* The token endpoint's success body, in HighLevel's field order. */
static json_t *token_answer(const sbx_ghl_auth *a, const sbx_ghl_auth_family *f, const char *access,
                            const char *refresh)
{
    json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s}", "access_token", access, "token_type",
                          "Bearer", "expires_in", (json_int_t)a->access_ttl_s, "refresh_token",
                          refresh, "scope", f->scopes);
    if (!o)
        return NULL;
    bool company = f->type == SBX_GHL_USER_COMPANY;
    json_object_set_new(o, "userType", json_string(company ? "Company" : "Location"));
    json_object_set_new(o, "companyId", json_string(a->company_id));
    if (company)
        json_object_set_new(o, "approvedLocations", approved_locations(a));
    else
        json_object_set_new(o, "locationId", json_string(f->location_id));
    json_object_set_new(o, "userId", json_string(a->user_id));
    json_object_set_new(o, "isBulkInstallation", json_boolean(company));
    if (company) {
        json_object_set_new(o, "installToFutureLocations", json_false());
        json_object_set_new(o, "approveAllLocations", json_true());
    }
    return o;
}

/* A fresh access and refresh token for family; *refresh_idx receives the refresh token's slot. */
static json_t *issue_pair(sbx_ghl_auth *a, int family, int64_t now, int *refresh_idx)
{
    char access[SBX_GHL_TOKEN_LEN + 1], refresh[SBX_GHL_TOKEN_LEN + 1];
    if (sbx_ghl_auth_new_token(access, SBX_GHL_TOKEN_LEN) ||
        sbx_ghl_auth_new_token(refresh, SBX_GHL_TOKEN_LEN))
        return NULL;
    const sbx_ghl_auth_family *f = &a->families[family];
    if (sbx_ghl_auth_grow((void **)&a->refresh, &a->cap_refresh, a->n_refresh, sizeof *a->refresh))
        return NULL;
    json_t *answer = token_answer(a, f, access, refresh);
    if (!answer)
        return NULL;
    if (sbx_ghl_auth_store_access(a, family, f->type, f->location_id, f->scopes,
                                  now + a->access_ttl_s * 1000, access) != 0) {
        json_decref(answer);
        return NULL;
    }
    sbx_ghl_auth_refresh *r = &a->refresh[a->n_refresh];
    *r = (sbx_ghl_auth_refresh){
        .family = family, .expires_ms = now + SBX_GHL_REFRESH_TTL_MS, .successor = -1};
    memcpy(r->token, refresh, sizeof refresh);
    *refresh_idx = (int)a->n_refresh++;
    return answer;
}

static void revoke_family(sbx_ghl_auth *a, int family)
{
    if (family >= 0) {
        a->families[family].revoked = true;
        a->n_reuse_detections++;
    }
}

static sbx_ghl_auth_code *find_code(sbx_ghl_auth *a, const char *code)
{
    size_t len = strlen(code);
    for (size_t i = 0; i < a->n_codes; i++)
        if (sbx_ghl_auth_secret_eq(a->codes[i].code, code, len))
            return &a->codes[i];
    return NULL;
}

static int code_grant_locked(sbx_ghl_auth *a, const sbx_ghl_auth_token_request *rq, int user_type,
                             int64_t now, sbx_ghl_auth_outcome *out)
{
    sbx_ghl_auth_code *c = find_code(a, rq->code);
    if (!c)
        return fail(out, 400, "invalid_grant", "Invalid authorization code");
    if (c->used) {
        /* A replayed code may mean a stolen one: what it granted is withdrawn (RFC 6749 4.1.2). */
        revoke_family(a, c->family);
        return fail(out, 400, "invalid_grant", "The authorization code has already been used");
    }
    if (now >= c->expires_ms)
        return fail(out, 400, "invalid_grant", "The authorization code has expired");
    if (c->redirect_uri && rq->redirect_uri && strcmp(c->redirect_uri, rq->redirect_uri) != 0)
        return fail(out, 400, "invalid_grant",
                    "redirect_uri does not match the one of the authorization request");
    sbx_ghl_user_type type =
        user_type == SBX_GHL_USER_COMPANY ? SBX_GHL_USER_COMPANY : SBX_GHL_USER_LOCATION;
    int family =
        new_family(a, type, type == SBX_GHL_USER_COMPANY ? NULL : c->location_id, c->scopes);
    int idx;
    json_t *answer = family < 0 ? NULL : issue_pair(a, family, now, &idx);
    if (!answer)
        return fail_nomem(out);
    c->used = true;
    c->family = family;
    return succeed(out, answer);
}

static int find_refresh(sbx_ghl_auth *a, const char *token)
{
    size_t len = strlen(token);
    for (size_t i = 0; i < a->n_refresh; i++)
        if (sbx_ghl_auth_secret_eq(a->refresh[i].token, token, len))
            return (int)i;
    return -1;
}

/* A used refresh token: the same answer again within the grace period while its successor is
 * unused (the client may have lost our answer); otherwise a replay, and the family goes. */
static int refresh_again_locked(sbx_ghl_auth *a, int idx, int64_t now, sbx_ghl_auth_outcome *out)
{
    sbx_ghl_auth_refresh *r = &a->refresh[idx];
    const sbx_ghl_auth_refresh *next = &a->refresh[r->successor];
    if (now - r->used_ms < a->reuse_grace_ms && next->used_ms == 0 && r->answer) {
        out->answer = json_deep_copy(r->answer);
        if (!out->answer)
            return fail_nomem(out);
        a->n_grace_replays++;
        return succeed(out, out->answer);
    }
    revoke_family(a, r->family);
    return fail(out, 400, "invalid_grant",
                "The refresh token was already used; every token of this authorization is revoked");
}

static int refresh_grant_locked(sbx_ghl_auth *a, const sbx_ghl_auth_token_request *rq,
                                int user_type, int64_t now, sbx_ghl_auth_outcome *out)
{
    int idx = find_refresh(a, rq->refresh_token);
    if (idx < 0)
        return fail(out, 400, "invalid_grant", "Invalid refresh token");
    sbx_ghl_auth_refresh *r = &a->refresh[idx];
    const sbx_ghl_auth_family *f = &a->families[r->family];
    if (f->revoked)
        return fail(out, 400, "invalid_grant", "The refresh token has been revoked");
    if (now >= r->expires_ms)
        return fail(out, 400, "invalid_grant", "The refresh token has expired");
    if (user_type >= 0 && (sbx_ghl_user_type)user_type != f->type)
        return fail(out, 400, "invalid_grant", "user_type does not match the refresh token");
    if (r->used_ms != 0)
        return refresh_again_locked(a, idx, now, out);
    int next;
    json_t *answer = issue_pair(a, r->family, now, &next);
    if (!answer)
        return fail_nomem(out);
    r = &a->refresh[idx]; /* issue_pair may have moved the array */
    r->answer = json_deep_copy(answer);
    r->used_ms = now;
    r->successor = next;
    a->n_refreshes++;
    return succeed(out, answer);
}

/* -1 when absent, else the user type; -2 when not one HighLevel knows. */
static int parse_user_type(const char *s)
{
    if (!s || !*s)
        return -1;
    if (strcmp(s, "Location") == 0)
        return SBX_GHL_USER_LOCATION;
    if (strcmp(s, "Company") == 0)
        return SBX_GHL_USER_COMPANY;
    return -2;
}

int sbx_ghl_auth_token_grant(sbx_ghl_auth *a, const sbx_ghl_auth_token_request *rq,
                             sbx_ghl_auth_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (!rq->grant_type || !rq->client_id || !rq->client_secret)
        return fail(out, 400, "invalid_request",
                    "client_id, client_secret and grant_type are required");
    bool id_ok = sbx_ghl_auth_secret_eq(a->client_id, rq->client_id, strlen(rq->client_id));
    bool secret_ok =
        sbx_ghl_auth_secret_eq(a->client_secret, rq->client_secret, strlen(rq->client_secret));
    if (!id_ok || !secret_ok)
        return fail(out, 401, "invalid_client", "Invalid client credentials");
    int user_type = parse_user_type(rq->user_type);
    if (user_type == -2)
        return fail(out, 400, "invalid_request", "user_type must be Location or Company");
    bool code = strcmp(rq->grant_type, "authorization_code") == 0;
    bool refresh = strcmp(rq->grant_type, "refresh_token") == 0;
    if (!code && !refresh)
        return fail(out, 400, "unsupported_grant_type",
                    "grant_type must be authorization_code or refresh_token");
    if (code && (!rq->code || !*rq->code))
        return fail(out, 400, "invalid_request", "code is required");
    if (refresh && (!rq->refresh_token || !*rq->refresh_token))
        return fail(out, 400, "invalid_request", "refresh_token is required");
    int64_t now = clock_now_ms(a->clock);
    pthread_mutex_lock(&a->mu);
    int status = code ? code_grant_locked(a, rq, user_type, now, out)
                      : refresh_grant_locked(a, rq, user_type, now, out);
    pthread_mutex_unlock(&a->mu);
    return status;
}

static json_t *location_answer(const sbx_ghl_auth *a, const char *token, const char *location_id,
                               const char *scopes)
{
    return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "access_token", token,
                     "token_type", "Bearer", "expires_in", (json_int_t)a->access_ttl_s, "scope",
                     scopes, "userType", "Location", "companyId", a->company_id, "locationId",
                     location_id, "userId", a->user_id, "appId", a->app_id, "versionId", a->app_id);
}

int sbx_ghl_auth_location_token(sbx_ghl_auth *a, const sbx_ghl_auth_grant *company,
                                const char *company_id, const char *location_id,
                                sbx_ghl_auth_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (strcmp(company_id, a->company_id) != 0)
        return fail(out, 400, NULL, "companyId does not match the access token's company");
    char token[SBX_GHL_TOKEN_LEN + 1];
    if (sbx_ghl_auth_new_token(token, SBX_GHL_TOKEN_LEN) != 0)
        return fail_nomem(out);
    int64_t now = clock_now_ms(a->clock);
    pthread_mutex_lock(&a->mu);
    if (!sbx_ghl_auth_find_location(a, location_id)) {
        fail(out, 400, NULL, "The app is not installed on location %.40s", location_id);
    } else if (a->families[company->family].revoked) {
        fail(out, 401, NULL, "Invalid JWT");
    } else if (sbx_ghl_auth_store_access(a, company->family, SBX_GHL_USER_LOCATION, location_id,
                                         company->scopes, now + a->access_ttl_s * 1000, token)) {
        fail_nomem(out);
    } else {
        json_t *answer = location_answer(a, token, location_id, company->scopes);
        if (answer)
            succeed(out, answer);
        else
            fail_nomem(out);
    }
    pthread_mutex_unlock(&a->mu);
    return out->status;
}
