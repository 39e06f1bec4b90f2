/* test_ghl_auth_grant.c: the OAuth emulator's token logic without HTTP, on a fake clock: codes,
 * rotation, the replay grace period, family revocation, expiry, scopes, PITs, location tokens. */
#include "sandbox/ghl/ghl_auth_int.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>

#define LOC "ve9EPM428h8vShlRW1KT"
#define LOC2 "Kq3mZ0pN8sT1uV2wX4yA"
#define REDIRECT "https://app.example/oauth/callback"

typedef struct fixture {
    clock_source clock;
    sbx_ghl_auth *a;
    const char *client_secret;
    json_t *info;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    clock_fake_init(&f->clock, INT64_C(1795823940000));
    sbx_ghl_auth_options o = {.clock = &f->clock, .seed = 7};
    err e = {0};
    assert_int_equal(sbx_ghl_auth_new(&f->a, &o, &e), 0);
    assert_int_equal(sbx_ghl_auth_add_location(f->a, LOC, "Main Street Dental", &e), 0);
    assert_int_equal(sbx_ghl_auth_add_location(f->a, LOC2, "Harbor Fitness", &e), 0);
    f->info = sbx_ghl_auth_info(f->a);
    f->client_secret = json_string_value(json_object_get(f->info, "client_secret"));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    json_decref(f->info);
    sbx_ghl_auth_free(f->a);
    free(f);
    return 0;
}

static void issue_code(fixture *f, const char *location, const char *scopes, char *code)
{
    err e = {0};
    assert_int_equal(sbx_ghl_auth_issue_code(f->a, location, scopes, REDIRECT, code, 64, &e), 0);
}

/* The token endpoint; returns the answer (or NULL) and the outcome. */
static json_t *grant(fixture *f, const char *type, const char *code_or_refresh,
                     const char *user_type, sbx_ghl_auth_outcome *o)
{
    bool is_code = strcmp(type, "authorization_code") == 0;
    sbx_ghl_auth_token_request rq = {.grant_type = type,
                                     .client_id = "sandbox-client",
                                     .client_secret = f->client_secret,
                                     .code = is_code ? code_or_refresh : NULL,
                                     .refresh_token = is_code ? NULL : code_or_refresh,
                                     .user_type = user_type};
    sbx_ghl_auth_token_grant(f->a, &rq, o);
    return o->answer;
}

static json_t *exchange(fixture *f, const char *scopes, const char *user_type)
{
    char code[64];
    issue_code(f, NULL, scopes, code);
    sbx_ghl_auth_outcome o;
    json_t *ans = grant(f, "authorization_code", code, user_type, &o);
    assert_int_equal(o.status, 200);
    assert_non_null(ans);
    return ans;
}

static json_t *refresh(fixture *f, const char *token, int want_status)
{
    sbx_ghl_auth_outcome o;
    json_t *ans = grant(f, "refresh_token", token, NULL, &o);
    assert_int_equal(o.status, want_status);
    if (want_status != 200)
        assert_string_equal(o.error, "invalid_grant");
    return ans;
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    assert_non_null(s);
    return s;
}

/* Runs sbx_ghl_auth_check with the bearer; returns the status (200 when allowed). */
static int check(fixture *f, const char *token, const char *scope, char *location, char *message)
{
    char header[256];
    snprintf(header, sizeof header, "Bearer %s", token);
    http_response res;
    http_response_init(&res, 4096);
    char loc[64] = "";
    bool ok = sbx_ghl_auth_check_authorization(f->a, header, scope, loc, sizeof loc, &res);
    int status = ok ? 200 : res.status;
    if (!ok) {
        json_t *body = json_loads(buf_cstr(&res.body), 0, NULL);
        assert_non_null(body);
        assert_int_equal(json_integer_value(json_object_get(body, "statusCode")), status);
        if (message)
            snprintf(message, 128, "%s", str(body, "message"));
        json_decref(body);
    } else if (location) {
        snprintf(location, 64, "%s", loc);
    }
    http_response_clear(&res);
    return status;
}

static int64_t state_count(fixture *f, const char *key)
{
    json_t *s = sbx_ghl_auth_state(f->a);
    assert_non_null(s);
    int64_t v = json_integer_value(json_object_get(s, key));
    json_decref(s);
    return v;
}

static void test_code_exchange(void **state)
{
    fixture *f = *state;
    json_t *ans = exchange(f, "contacts.readonly contacts.write", NULL);
    assert_string_equal(str(ans, "token_type"), "Bearer");
    assert_int_equal(json_integer_value(json_object_get(ans, "expires_in")), 86399);
    assert_string_equal(str(ans, "scope"), "contacts.readonly contacts.write");
    assert_string_equal(str(ans, "userType"), "Location");
    assert_string_equal(str(ans, "locationId"), LOC);
    assert_string_equal(str(ans, "companyId"), str(f->info, "company_id"));
    assert_string_equal(str(ans, "userId"), str(f->info, "user_id"));
    assert_int_equal(strlen(str(ans, "access_token")), SBX_GHL_TOKEN_LEN);
    assert_int_equal(strlen(str(ans, "refresh_token")), SBX_GHL_TOKEN_LEN);
    assert_string_not_equal(str(ans, "access_token"), str(ans, "refresh_token"));
    char loc[64];
    assert_int_equal(check(f, str(ans, "access_token"), "contacts.readonly", loc, NULL), 200);
    assert_string_equal(loc, LOC);
    assert_int_equal(check(f, str(ans, "access_token"), NULL, NULL, NULL), 200);
    /* A refresh token is not an access token. */
    assert_int_equal(check(f, str(ans, "refresh_token"), NULL, NULL, NULL), 401);
    json_decref(ans);
}

static void test_code_single_use_revokes(void **state)
{
    fixture *f = *state;
    char code[64];
    issue_code(f, LOC2, "contacts.readonly", code);
    sbx_ghl_auth_outcome o;
    json_t *ans = grant(f, "authorization_code", code, NULL, &o);
    assert_int_equal(o.status, 200);
    assert_string_equal(str(ans, "locationId"), LOC2);
    assert_null(grant(f, "authorization_code", code, NULL, &o));
    assert_int_equal(o.status, 400);
    assert_string_equal(o.error, "invalid_grant");
    /* What the code granted is withdrawn. */
    char msg[128];
    assert_int_equal(check(f, str(ans, "access_token"), NULL, NULL, msg), 401);
    assert_string_equal(msg, "Invalid JWT");
    refresh(f, str(ans, "refresh_token"), 400);
    assert_int_equal(state_count(f, "reuse_detections"), 1);
    json_decref(ans);
}

static void test_code_expiry_and_redirect_binding(void **state)
{
    fixture *f = *state;
    char code[64];
    issue_code(f, NULL, "contacts.readonly", code);
    clock_fake_advance(&f->clock, 600000);
    sbx_ghl_auth_outcome o;
    assert_null(grant(f, "authorization_code", code, NULL, &o));
    assert_string_equal(o.error, "invalid_grant");

    issue_code(f, NULL, "contacts.readonly", code);
    clock_fake_advance(&f->clock, 599999);
    sbx_ghl_auth_token_request rq = {
        "authorization_code",     "sandbox-client", f->client_secret, code, NULL, NULL,
        "https://evil.example/cb"};
    sbx_ghl_auth_token_grant(f->a, &rq, &o);
    assert_int_equal(o.status, 400);
    assert_string_equal(o.error, "invalid_grant");
    rq.redirect_uri = REDIRECT;
    assert_int_equal(sbx_ghl_auth_token_grant(f->a, &rq, &o), 200);
    json_decref(o.answer);
    assert_null(grant(f, "authorization_code", "not-a-code", NULL, &o));
    assert_string_equal(o.error, "invalid_grant");
}

static void test_client_and_request_errors(void **state)
{
    fixture *f = *state;
    char code[64];
    issue_code(f, NULL, "contacts.readonly", code);
    sbx_ghl_auth_outcome o;
    sbx_ghl_auth_token_request rq = {.grant_type = "authorization_code",
                                     .client_id = "sandbox-client",
                                     .client_secret = "wrong",
                                     .code = code};
    assert_int_equal(sbx_ghl_auth_token_grant(f->a, &rq, &o), 401);
    assert_string_equal(o.error, "invalid_client");
    rq.client_secret = f->client_secret;
    rq.client_id = "other-client";
    assert_int_equal(sbx_ghl_auth_token_grant(f->a, &rq, &o), 401);
    assert_string_equal(o.error, "invalid_client");
    rq.client_id = NULL;
    assert_int_equal(sbx_ghl_auth_token_grant(f->a, &rq, &o), 400);
    assert_string_equal(o.error, "invalid_request");
    rq.client_id = "sandbox-client";
    rq.grant_type = "client_credentials";
    assert_int_equal(sbx_ghl_auth_token_grant(f->a, &rq, &o), 400);
    assert_string_equal(o.error, "unsupported_grant_type");
    rq.grant_type = "authorization_code";
    rq.user_type = "Agency";
    assert_int_equal(sbx_ghl_auth_token_grant(f->a, &rq, &o), 400);
    assert_string_equal(o.error, "invalid_request");
    rq.user_type = "Location";
    rq.code = NULL;
    assert_int_equal(sbx_ghl_auth_token_grant(f->a, &rq, &o), 400);
    assert_string_equal(o.error, "invalid_request");
    /* None of that used the code up. */
    rq.code = code;
    assert_int_equal(sbx_ghl_auth_token_grant(f->a, &rq, &o), 200);
    json_decref(o.answer);
}

static void test_refresh_rotation_and_grace(void **state)
{
    fixture *f = *state;
    json_t *first = exchange(f, "contacts.readonly", NULL);
    const char *rt1 = str(first, "refresh_token");
    json_t *second = refresh(f, rt1, 200);
    assert_string_not_equal(str(second, "refresh_token"), rt1);
    assert_string_not_equal(str(second, "access_token"), str(first, "access_token"));
    assert_string_equal(str(second, "locationId"), LOC);
    /* A repeat within the grace period gets the very same answer. */
    clock_fake_advance(&f->clock, 29999);
    json_t *again = refresh(f, rt1, 200);
    assert_true(json_equal(again, second));
    assert_int_equal(state_count(f, "grace_replays"), 1);
    assert_int_equal(state_count(f, "refreshes"), 1);
    /* Old access tokens live on until they expire. */
    assert_int_equal(check(f, str(first, "access_token"), NULL, NULL, NULL), 200);
    assert_int_equal(check(f, str(second, "access_token"), NULL, NULL, NULL), 200);
    /* Once the successor is used, the old one is a replay even within the grace period. */
    json_t *third = refresh(f, str(second, "refresh_token"), 200);
    assert_null(refresh(f, rt1, 400));
    assert_int_equal(state_count(f, "reuse_detections"), 1);
    assert_int_equal(check(f, str(third, "access_token"), NULL, NULL, NULL), 401);
    assert_int_equal(check(f, str(first, "access_token"), NULL, NULL, NULL), 401);
    assert_null(refresh(f, str(third, "refresh_token"), 400));
    json_decref(first);
    json_decref(second);
    json_decref(again);
    json_decref(third);
}

static void test_reuse_after_grace_revokes_family(void **state)
{
    fixture *f = *state;
    json_t *first = exchange(f, "contacts.readonly", NULL);
    json_t *other = exchange(f, "contacts.readonly", NULL); /* another family, unaffected */
    json_t *second = refresh(f, str(first, "refresh_token"), 200);
    clock_fake_advance(&f->clock, 30000);
    assert_null(refresh(f, str(first, "refresh_token"), 400));
    assert_int_equal(check(f, str(second, "access_token"), NULL, NULL, NULL), 401);
    assert_null(refresh(f, str(second, "refresh_token"), 400));
    assert_int_equal(check(f, str(other, "access_token"), NULL, NULL, NULL), 200);
    assert_int_equal(state_count(f, "reuse_detections"), 1);
    assert_int_equal(state_count(f, "families_revoked"), 1);
    json_decref(first);
    json_decref(other);
    json_decref(second);
}

static void test_access_expiry(void **state)
{
    fixture *f = *state;
    json_t *ans = exchange(f, "contacts.readonly", NULL);
    const char *at = str(ans, "access_token");
    clock_fake_advance(&f->clock, 86399 * 1000 - 1);
    assert_int_equal(check(f, at, NULL, NULL, NULL), 200);
    clock_fake_advance(&f->clock, 1);
    char msg[128];
    assert_int_equal(check(f, at, NULL, NULL, msg), 401);
    assert_string_equal(msg, "Invalid JWT");
    /* The refresh token still works after the access token expired. */
    json_t *next = refresh(f, str(ans, "refresh_token"), 200);
    assert_int_equal(check(f, str(next, "access_token"), NULL, NULL, NULL), 200);
    json_decref(ans);
    json_decref(next);
}

static void test_scopes(void **state)
{
    fixture *f = *state;
    json_t *ans = exchange(f, "contacts.readonly", NULL);
    char msg[128];
    assert_int_equal(check(f, str(ans, "access_token"), "contacts.write", NULL, msg), 401);
    assert_string_equal(msg, "The token is not authorized for this scope.");
    json_t *w = exchange(f, "contacts.write", NULL);
    /* contacts.write does not imply contacts.readonly. */
    assert_int_equal(check(f, str(w, "access_token"), "contacts.readonly", NULL, msg), 401);
    assert_int_equal(check(f, str(w, "access_token"), "contacts.write", NULL, NULL), 200);
    assert_int_equal(check(f, str(w, "access_token"), "contacts", NULL, NULL), 401);
    /* Every scope HighLevel has, and more, still fits: the last one is found. */
    char many[SBX_GHL_SCOPES_MAX];
    size_t len = 0;
    for (int i = 0; i < 150; i++)
        len += (size_t)snprintf(many + len, sizeof many - len, "%sscope%03d/things.readonly",
                                i ? " " : "", i);
    char code[64];
    issue_code(f, NULL, many, code);
    sbx_ghl_auth_outcome o;
    json_t *big = grant(f, "authorization_code", code, NULL, &o);
    assert_int_equal(o.status, 200);
    assert_int_equal(check(f, str(big, "access_token"), "scope149/things.readonly", NULL, NULL),
                     200);
    json_decref(big);
    char too_many[SBX_GHL_SCOPES_MAX + 1];
    memset(too_many, 'x', sizeof too_many - 1);
    too_many[sizeof too_many - 1] = '\0';
    err e = {0};
    assert_int_equal(sbx_ghl_auth_issue_code(f->a, NULL, too_many, REDIRECT, code, sizeof code, &e),
                     ERR_LIMIT);
    assert_false(sbx_ghl_auth_scope_has("contacts.writer", "contacts.write"));
    assert_true(sbx_ghl_auth_scope_has("a  contacts.write b", "contacts.write"));
    assert_false(sbx_ghl_auth_scope_has("", ""));
    json_decref(ans);
    json_decref(w);
}

static void test_bearer_parsing(void **state)
{
    (void)state;
    size_t s, n;
    assert_true(sbx_ghl_auth_parse_bearer("Bearer abc", 10, &s, &n));
    assert_int_equal(s, 7);
    assert_int_equal(n, 3);
    assert_true(sbx_ghl_auth_parse_bearer(" bearer  abc ", 13, &s, &n));
    assert_int_equal(s, 9);
    assert_int_equal(n, 3);
    assert_false(sbx_ghl_auth_parse_bearer("Bearer", 6, &s, &n));
    assert_false(sbx_ghl_auth_parse_bearer("Bearer ", 7, &s, &n));
    assert_false(sbx_ghl_auth_parse_bearer("Bearerabc", 9, &s, &n));
    assert_false(sbx_ghl_auth_parse_bearer("Basic abc", 9, &s, &n));
    assert_false(sbx_ghl_auth_parse_bearer("Bearer a b", 10, &s, &n));
    assert_false(sbx_ghl_auth_parse_bearer("Bearer a\x01", 9, &s, &n));
}

static void test_missing_or_bad_header(void **state)
{
    fixture *f = *state;
    /* No header at all: a request without a connection has none. */
    http_request req = {.method = "GET", .path = "/contacts/"};
    http_response res;
    http_response_init(&res, 4096);
    assert_false(sbx_ghl_auth_check(f->a, &req, NULL, NULL, 0, &res));
    assert_int_equal(res.status, 401);
    http_response_clear(&res);
    const char *cases[] = {"Basic c2VjcmV0", "Bearer", ""};
    for (size_t i = 0; i < PS_ARRAY_LEN(cases); i++) {
        http_response_init(&res, 4096);
        assert_false(sbx_ghl_auth_check_authorization(f->a, cases[i], NULL, NULL, 0, &res));
        assert_int_equal(res.status, 401);
        assert_string_equal(
            buf_cstr(&res.body),
            "{\"statusCode\":401,\"message\":\"Invalid JWT\",\"error\":\"Unauthorized\"}");
        http_response_clear(&res);
    }
}

static void test_pits(void **state)
{
    fixture *f = *state;
    char pit[64];
    err e = {0};
    assert_int_equal(sbx_ghl_auth_create_pit(f->a, LOC2, "contacts.readonly contacts.write", pit,
                                             sizeof pit, &e),
                     0);
    assert_int_equal(strncmp(pit, "pit-", 4), 0);
    assert_int_equal(strlen(pit), 40);
    assert_int_equal(sbx_ghl_auth_create_pit(f->a, "nowhere", "x", pit + 50, 14, &e), ERR_LIMIT);
    char pit2[64];
    assert_int_equal(sbx_ghl_auth_create_pit(f->a, "nowhere", "x", pit2, sizeof pit2, &e),
                     ERR_NOT_FOUND);
    sbx_ghl_auth_expire_access_tokens(f->a);
    sbx_ghl_auth_revoke_all(f->a);
    clock_fake_advance(&f->clock, INT64_C(10) * 366 * 86400 * 1000);
    char loc[64];
    assert_int_equal(check(f, pit, "contacts.write", loc, NULL), 200);
    assert_string_equal(loc, LOC2);
    char msg[128];
    assert_int_equal(check(f, pit, "locations.readonly", NULL, msg), 401);
    assert_string_equal(msg, "The token is not authorized for this scope.");
    assert_int_equal(state_count(f, "pits"), 1);
}

static void test_company_and_location_tokens(void **state)
{
    fixture *f = *state;
    json_t *co = exchange(f, "oauth.write oauth.readonly contacts.readonly", "Company");
    assert_string_equal(str(co, "userType"), "Company");
    assert_null(json_object_get(co, "locationId"));
    json_t *approved = json_object_get(co, "approvedLocations");
    assert_int_equal(json_array_size(approved), 2);
    assert_true(json_is_true(json_object_get(co, "isBulkInstallation")));
    /* A Company token cannot call location routes. */
    char msg[128];
    assert_int_equal(check(f, str(co, "access_token"), "contacts.readonly", NULL, msg), 401);

    sbx_ghl_auth_grant g;
    const char *at = str(co, "access_token");
    assert_true(sbx_ghl_auth_lookup(f->a, at, strlen(at), &g));
    assert_int_equal(g.type, SBX_GHL_USER_COMPANY);
    sbx_ghl_auth_outcome o;
    assert_int_equal(sbx_ghl_auth_location_token(f->a, &g, "wrong-company", LOC2, &o), 400);
    assert_int_equal(sbx_ghl_auth_location_token(f->a, &g, str(co, "companyId"), "nowhere", &o),
                     400);
    assert_int_equal(sbx_ghl_auth_location_token(f->a, &g, str(co, "companyId"), LOC2, &o), 200);
    json_t *lt = o.answer;
    assert_string_equal(str(lt, "locationId"), LOC2);
    assert_string_equal(str(lt, "scope"), "oauth.write oauth.readonly contacts.readonly");
    assert_null(json_object_get(lt, "refresh_token"));
    char loc[64];
    assert_int_equal(check(f, str(lt, "access_token"), "contacts.readonly", loc, NULL), 200);
    assert_string_equal(loc, LOC2);
    /* The location token descends from the company grant: a replayed refresh withdraws it. */
    json_t *co2 = refresh(f, str(co, "refresh_token"), 200);
    assert_string_equal(str(co2, "userType"), "Company");
    clock_fake_advance(&f->clock, 31000);
    refresh(f, str(co, "refresh_token"), 400);
    assert_int_equal(check(f, str(lt, "access_token"), NULL, NULL, NULL), 401);
    json_decref(co);
    json_decref(co2);
    json_decref(lt);
}

static void test_user_type_must_match_on_refresh(void **state)
{
    fixture *f = *state;
    json_t *ans = exchange(f, "contacts.readonly", "Location");
    sbx_ghl_auth_outcome o;
    assert_null(grant(f, "refresh_token", str(ans, "refresh_token"), "Company", &o));
    assert_string_equal(o.error, "invalid_grant");
    json_t *next = grant(f, "refresh_token", str(ans, "refresh_token"), "Location", &o);
    assert_int_equal(o.status, 200);
    json_decref(next);
    json_decref(ans);
}

static void test_admin_expire_and_revoke(void **state)
{
    fixture *f = *state;
    json_t *ans = exchange(f, "contacts.readonly", NULL);
    assert_int_equal(state_count(f, "access_tokens_live"), 1);
    sbx_ghl_auth_expire_access_tokens(f->a);
    assert_int_equal(check(f, str(ans, "access_token"), NULL, NULL, NULL), 401);
    assert_int_equal(state_count(f, "access_tokens_live"), 0);
    json_t *next = refresh(f, str(ans, "refresh_token"), 200);
    assert_int_equal(check(f, str(next, "access_token"), NULL, NULL, NULL), 200);
    sbx_ghl_auth_revoke_all(f->a);
    assert_int_equal(check(f, str(next, "access_token"), NULL, NULL, NULL), 401);
    assert_null(refresh(f, str(next, "refresh_token"), 400));
    assert_int_equal(state_count(f, "families_revoked"), 1);
    assert_int_equal(state_count(f, "reuse_detections"), 0);
    assert_int_equal(state_count(f, "codes_issued"), 1);
    assert_int_equal(state_count(f, "codes_pending"), 0);
    json_decref(ans);
    json_decref(next);
}

static void test_installed_and_info(void **state)
{
    fixture *f = *state;
    assert_string_equal(str(f->info, "client_id"), "sandbox-client");
    assert_int_equal(strlen(str(f->info, "client_secret")), 36);
    assert_int_equal(strlen(str(f->info, "company_id")), 20);
    sbx_ghl_auth_installed_query q = {.limit = 20};
    json_t *all = sbx_ghl_auth_installed(f->a, &q);
    assert_int_equal(json_integer_value(json_object_get(all, "count")), 2);
    json_t *first = json_array_get(json_object_get(all, "locations"), 0);
    assert_string_equal(str(first, "_id"), LOC);
    assert_string_equal(str(first, "name"), "Main Street Dental");
    assert_non_null(json_object_get(first, "address"));
    json_decref(all);
    q.query = "harbor";
    json_t *one = sbx_ghl_auth_installed(f->a, &q);
    assert_int_equal(json_integer_value(json_object_get(one, "count")), 1);
    json_decref(one);
    q = (sbx_ghl_auth_installed_query){.skip = 1, .limit = 20};
    json_t *skipped = sbx_ghl_auth_installed(f->a, &q);
    assert_int_equal(json_array_size(json_object_get(skipped, "locations")), 1);
    assert_int_equal(json_integer_value(json_object_get(skipped, "count")), 2);
    json_decref(skipped);
    err e = {0};
    assert_int_equal(sbx_ghl_auth_add_location(f->a, LOC, "again", &e), ERR_CONFLICT);
}

static void test_seed_names_ids_not_secrets(void **state)
{
    fixture *f = *state;
    sbx_ghl_auth *b = NULL;
    sbx_ghl_auth_options o = {.clock = &f->clock, .seed = 7};
    err e = {0};
    assert_int_equal(sbx_ghl_auth_new(&b, &o, &e), 0);
    json_t *info = sbx_ghl_auth_info(b);
    assert_string_equal(str(info, "company_id"), str(f->info, "company_id"));
    assert_string_not_equal(str(info, "client_secret"), str(f->info, "client_secret"));
    json_decref(info);
    sbx_ghl_auth_free(b);
    sbx_ghl_auth_free(NULL);
}

typedef struct racer {
    fixture *f;
    const char *token;
    sbx_ghl_auth_outcome o;
} racer;

static void *race_refresh(void *arg)
{
    racer *r = arg;
    sbx_ghl_auth_token_request rq = {.grant_type = "refresh_token",
                                     .client_id = "sandbox-client",
                                     .client_secret = r->f->client_secret,
                                     .refresh_token = r->token};
    sbx_ghl_auth_token_grant(r->f->a, &rq, &r->o);
    return NULL;
}

/* Clients racing with one refresh token (several workers, or retries) all get one answer. */
static void test_concurrent_identical_refreshes(void **state)
{
    fixture *f = *state;
    json_t *first = exchange(f, "contacts.readonly", NULL);
    racer r[6];
    pthread_t th[6];
    for (int i = 0; i < 6; i++) {
        r[i] = (racer){.f = f, .token = str(first, "refresh_token")};
        assert_int_equal(pthread_create(&th[i], NULL, race_refresh, &r[i]), 0);
    }
    for (int i = 0; i < 6; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(r[i].o.status, 200);
        assert_true(json_equal(r[i].o.answer, r[0].o.answer));
    }
    assert_int_equal(state_count(f, "refreshes"), 1);
    assert_int_equal(state_count(f, "grace_replays"), 5);
    assert_int_equal(state_count(f, "reuse_detections"), 0);
    assert_int_equal(check(f, str(r[0].o.answer, "access_token"), NULL, NULL, NULL), 200);
    for (int i = 0; i < 6; i++)
        json_decref(r[i].o.answer);
    json_decref(first);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_code_exchange),
        T(test_code_single_use_revokes),
        T(test_code_expiry_and_redirect_binding),
        T(test_client_and_request_errors),
        T(test_refresh_rotation_and_grace),
        T(test_reuse_after_grace_revokes_family),
        T(test_access_expiry),
        T(test_scopes),
        cmocka_unit_test(test_bearer_parsing),
        T(test_missing_or_bad_header),
        T(test_pits),
        T(test_company_and_location_tokens),
        T(test_user_type_must_match_on_refresh),
        T(test_admin_expire_and_revoke),
        T(test_installed_and_info),
        T(test_concurrent_identical_refreshes),
        T(test_seed_names_ids_not_secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
