/* test_ghl_auth.c: the HighLevel emulator's OAuth flows over real HTTP on loopback: authorize
 * redirect, code exchange, rotation, replay grace, family revocation, expiry, scopes, PITs,
 * location tokens, installed locations and the error answers. */
#include "sandbox/ghl/ghl_auth.h"
#include "support/testhttp.h"

#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>

#define LOC "ve9EPM428h8vShlRW1KT"
#define LOC2 "Kq3mZ0pN8sT1uV2wX4yA"
#define REDIRECT "http://127.0.0.1:9/callback"
#define REDIRECT_ENC "http%3A%2F%2F127.0.0.1%3A9%2Fcallback"

typedef struct fixture {
    clock_source clock;
    sbx_ghl_auth *a;
    http_server *srv;
    char base[64];
    char secret[64];
    char company[64];
} fixture;

/* Stand-ins for the contacts API: each checks the bearer for one scope. */
static void reply_location(sbx_ghl_auth *a, const http_request *req, const char *scope,
                           http_response *res)
{
    char loc[64];
    if (sbx_ghl_auth_check(a, req, scope, loc, sizeof loc, res))
        http_response_json(res, 200, json_pack("{s:s}", "locationId", loc));
}

static void h_read(void *ctx, const http_request *req, http_response *res)
{
    reply_location(ctx, req, "contacts.readonly", res);
}

static void h_write(void *ctx, const http_request *req, http_response *res)
{
    reply_location(ctx, req, "contacts.write", res);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    clock_fake_init(&f->clock, INT64_C(1795823940000));
    sbx_ghl_auth_options o = {.clock = &f->clock, .seed = 11};
    err e = {0};
    assert_int_equal(sbx_ghl_auth_new(&f->a, &o, &e), 0);
    assert_int_equal(sbx_ghl_auth_add_location(f->a, LOC, "Main Street Dental", &e), 0);
    assert_int_equal(sbx_ghl_auth_add_location(f->a, LOC2, "Harbor Fitness", &e), 0);
    json_t *info = sbx_ghl_auth_info(f->a);
    snprintf(f->secret, sizeof f->secret, "%s",
             json_string_value(json_object_get(info, "client_secret")));
    snprintf(f->company, sizeof f->company, "%s",
             json_string_value(json_object_get(info, "company_id")));
    json_decref(info);
    http_server_options so = {.port = 0};
    assert_int_equal(http_server_new(&f->srv, &so, &e), 0);
    assert_int_equal(sbx_ghl_auth_mount(f->a, f->srv, &e), 0);
    assert_int_equal(http_server_route(f->srv, "GET", "/contacts/", "get-contacts", h_read, f->a),
                     0);
    assert_int_equal(
        http_server_route(f->srv, "POST", "/contacts/", "create-contact", h_write, f->a), 0);
    assert_int_equal(http_server_start(f->srv, &e), 0);
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%u", http_server_port(f->srv));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    http_server_stop(f->srv);
    http_server_free(f->srv);
    sbx_ghl_auth_free(f->a);
    free(f);
    return 0;
}

static th_response *get(fixture *f, const char *path, const char *bearer)
{
    char url[1024], auth[256];
    snprintf(url, sizeof url, "%s%s", f->base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer ? bearer : "");
    const char *const headers[] = {auth, "Version: 2021-07-28", NULL};
    return th_request("GET", url, bearer ? headers : NULL, NULL, 0);
}

static th_response *post_form(fixture *f, const char *path, const char *bearer, const char *body)
{
    char url[1024], auth[256];
    snprintf(url, sizeof url, "%s%s", f->base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer ? bearer : "");
    const char *const headers[] = {"Content-Type: application/x-www-form-urlencoded",
                                   "Version: 2021-07-28", bearer ? auth : NULL, NULL};
    return th_request("POST", url, headers, body, 0);
}

static const char *jstr(const th_response *r, const char *key)
{
    assert_non_null(r->json);
    const char *s = json_string_value(json_object_get(r->json, key));
    assert_non_null(s);
    return s;
}

/* The authorize page: returns the code from the redirect (code_out holds 64 bytes). */
static void authorize(fixture *f, const char *extra, char *code_out)
{
    char path[1024];
    snprintf(path, sizeof path,
             "/oauth/chooselocation?response_type=code&redirect_uri=%s&client_id=sandbox-client"
             "&scope=contacts.readonly%%20contacts.write%%20oauth.write%%20oauth.readonly"
             "&state=s%%26t%s",
             REDIRECT_ENC, extra ? extra : "");
    th_response *r = get(f, path, NULL);
    assert_int_equal(r->status, 302);
    const char *loc = th_header(r, "location");
    assert_non_null(loc);
    const char prefix[] = REDIRECT "?code=";
    assert_int_equal(strncmp(loc, prefix, sizeof prefix - 1), 0);
    const char *code = loc + sizeof prefix - 1;
    size_t n = strcspn(code, "&\r\n");
    assert_true(n > 0 && n < 64);
    memcpy(code_out, code, n);
    code_out[n] = '\0';
    assert_string_equal(code + n, "&state=s%26t");
    th_response_free(r);
}

static th_response *exchange(fixture *f, const char *code, const char *user_type)
{
    char body[512];
    snprintf(body, sizeof body,
             "grant_type=authorization_code&client_id=sandbox-client&client_secret=%s&code=%s"
             "&redirect_uri=%s%s%s",
             f->secret, code, REDIRECT_ENC, user_type ? "&user_type=" : "",
             user_type ? user_type : "");
    return post_form(f, "/oauth/token", NULL, body);
}

static th_response *refresh(fixture *f, const char *token)
{
    char body[512];
    snprintf(body, sizeof body,
             "grant_type=refresh_token&client_id=sandbox-client&client_secret=%s"
             "&refresh_token=%s&user_type=Location",
             f->secret, token);
    return post_form(f, "/oauth/token", NULL, body);
}

static th_response *login(fixture *f, const char *user_type)
{
    char code[64];
    authorize(f, NULL, code);
    th_response *r = exchange(f, code, user_type);
    assert_int_equal(r->status, 200);
    return r;
}

static void assert_oauth_error(th_response *r, long status, const char *error)
{
    assert_int_equal(r->status, status);
    assert_string_equal(jstr(r, "error"), error);
    assert_int_equal(json_integer_value(json_object_get(r->json, "statusCode")), status);
    assert_string_equal(jstr(r, "message"), jstr(r, "error_description"));
    th_response_free(r);
}

static long status_of(th_response *r)
{
    long s = r->status;
    th_response_free(r);
    return s;
}

static void test_authorize_and_exchange(void **state)
{
    fixture *f = *state;
    char code[64];
    authorize(f, "&location_id=" LOC2, code);
    th_response *r = exchange(f, code, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(th_header(r, "cache-control"), "no-store");
    assert_string_equal(jstr(r, "token_type"), "Bearer");
    assert_int_equal(json_integer_value(json_object_get(r->json, "expires_in")), 86399);
    assert_string_equal(jstr(r, "scope"),
                        "contacts.readonly contacts.write oauth.write oauth.readonly");
    assert_string_equal(jstr(r, "userType"), "Location");
    assert_string_equal(jstr(r, "locationId"), LOC2);
    assert_string_equal(jstr(r, "companyId"), f->company);
    assert_non_null(json_object_get(r->json, "userId"));
    th_response *c = get(f, "/contacts/", jstr(r, "access_token"));
    assert_int_equal(c->status, 200);
    assert_string_equal(jstr(c, "locationId"), LOC2);
    th_response_free(c);
    th_response_free(r);
    /* The code is single-use. */
    assert_oauth_error(exchange(f, code, NULL), 400, "invalid_grant");
}

static void test_authorize_errors(void **state)
{
    fixture *f = *state;
    const char *bad[] = {
        "/oauth/chooselocation?response_type=code&redirect_uri=" REDIRECT_ENC
        "&client_id=someone-else&scope=contacts.readonly",
        "/oauth/chooselocation?response_type=token&redirect_uri=" REDIRECT_ENC
        "&client_id=sandbox-client&scope=contacts.readonly",
        "/oauth/chooselocation?response_type=code&client_id=sandbox-client",
        "/oauth/chooselocation?response_type=code&redirect_uri=" REDIRECT_ENC
        "&client_id=sandbox-client&location_id=nowhere",
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++) {
        th_response *r = get(f, bad[i], NULL);
        assert_int_equal(r->status, 400);
        assert_null(th_header(r, "location"));
        th_response_free(r);
    }
    /* A redirect URI with a query keeps it. */
    th_response *r = get(f,
                         "/oauth/chooselocation?response_type=code&client_id=sandbox-client"
                         "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1&scope=a",
                         NULL);
    assert_int_equal(r->status, 302);
    assert_int_equal(strncmp(th_header(r, "location"), "https://app.example/cb?x=1&code=", 32), 0);
    th_response_free(r);
}

static void test_token_endpoint_errors(void **state)
{
    fixture *f = *state;
    char code[64], body[512];
    authorize(f, NULL, code);
    snprintf(body, sizeof body,
             "grant_type=authorization_code&client_id=sandbox-client&client_secret=nope&code=%s",
             code);
    assert_oauth_error(post_form(f, "/oauth/token", NULL, body), 401, "invalid_client");
    snprintf(body, sizeof body,
             "grant_type=authorization_code&client_id=sandbox-client&client_secret=%s&code=%s"
             "&code=%s",
             f->secret, code, code);
    assert_oauth_error(post_form(f, "/oauth/token", NULL, body), 400, "invalid_request");
    snprintf(body, sizeof body, "grant_type=password&client_id=sandbox-client&client_secret=%s",
             f->secret);
    assert_oauth_error(post_form(f, "/oauth/token", NULL, body), 400, "unsupported_grant_type");
    snprintf(body, sizeof body,
             "grant_type=authorization_code&client_id=sandbox-client&client_secret=%s&code=%s"
             "&redirect_uri=https%%3A%%2F%%2Fother.example%%2F",
             f->secret, code);
    assert_oauth_error(post_form(f, "/oauth/token", NULL, body), 400, "invalid_grant");
    /* JSON is not what the token endpoint takes. */
    char url[128];
    snprintf(url, sizeof url, "%s/oauth/token", f->base);
    const char *const json_headers[] = {"Content-Type: application/json", NULL};
    assert_oauth_error(th_request("POST", url, json_headers, "{\"grant_type\":\"x\"}", 0), 400,
                       "invalid_request");
    /* After all that, the code still works. */
    th_response *r = exchange(f, code, NULL);
    assert_int_equal(r->status, 200);
    th_response_free(r);
}

static void test_refresh_rotation_grace_and_reuse(void **state)
{
    fixture *f = *state;
    th_response *first = login(f, "Location");
    th_response *second = refresh(f, jstr(first, "refresh_token"));
    assert_int_equal(second->status, 200);
    assert_string_not_equal(jstr(second, "refresh_token"), jstr(first, "refresh_token"));
    assert_string_not_equal(jstr(second, "access_token"), jstr(first, "access_token"));
    /* A lost answer: the same request again within the grace period, the same tokens. */
    clock_fake_advance(&f->clock, 29000);
    th_response *again = refresh(f, jstr(first, "refresh_token"));
    assert_int_equal(again->status, 200);
    assert_string_equal(jstr(again, "access_token"), jstr(second, "access_token"));
    assert_string_equal(jstr(again, "refresh_token"), jstr(second, "refresh_token"));
    th_response_free(again);
    assert_int_equal(status_of(get(f, "/contacts/", jstr(second, "access_token"))), 200);
    /* The same after the grace period: a replay; the whole family is revoked. */
    clock_fake_advance(&f->clock, 1000);
    assert_oauth_error(refresh(f, jstr(first, "refresh_token")), 400, "invalid_grant");
    th_response *c = get(f, "/contacts/", jstr(second, "access_token"));
    assert_int_equal(c->status, 401);
    assert_string_equal(jstr(c, "message"), "Invalid JWT");
    th_response_free(c);
    assert_oauth_error(refresh(f, jstr(second, "refresh_token")), 400, "invalid_grant");
    json_t *st = sbx_ghl_auth_state(f->a);
    assert_int_equal(json_integer_value(json_object_get(st, "reuse_detections")), 1);
    assert_int_equal(json_integer_value(json_object_get(st, "grace_replays")), 1);
    json_decref(st);
    th_response_free(first);
    th_response_free(second);
}

static void test_expiry_then_refresh(void **state)
{
    fixture *f = *state;
    th_response *t = login(f, NULL);
    clock_fake_advance(&f->clock, INT64_C(86399) * 1000 - 1);
    assert_int_equal(status_of(get(f, "/contacts/", jstr(t, "access_token"))), 200);
    clock_fake_advance(&f->clock, 1);
    assert_int_equal(status_of(get(f, "/contacts/", jstr(t, "access_token"))), 401);
    th_response *n = refresh(f, jstr(t, "refresh_token"));
    assert_int_equal(n->status, 200);
    assert_int_equal(status_of(get(f, "/contacts/", jstr(n, "access_token"))), 200);
    th_response_free(t);
    th_response_free(n);
}

static void test_scope_refusal(void **state)
{
    fixture *f = *state;
    char path[512];
    snprintf(path, sizeof path,
             "/oauth/chooselocation?response_type=code&redirect_uri=%s"
             "&client_id=sandbox-client&scope=contacts.readonly",
             REDIRECT_ENC);
    th_response *r = get(f, path, NULL);
    assert_int_equal(r->status, 302);
    const char *code = strstr(th_header(r, "location"), "code=") + 5;
    th_response *t = exchange(f, code, NULL);
    th_response_free(r);
    assert_int_equal(t->status, 200);
    assert_int_equal(status_of(get(f, "/contacts/", jstr(t, "access_token"))), 200);
    char url[128], auth[128];
    snprintf(url, sizeof url, "%s/contacts/", f->base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", jstr(t, "access_token"));
    const char *const headers[] = {auth, "Content-Type: application/json", NULL};
    th_response *w = th_request("POST", url, headers, "{}", 0);
    assert_int_equal(w->status, 401);
    assert_string_equal(jstr(w, "message"), "The token is not authorized for this scope.");
    assert_int_equal(json_integer_value(json_object_get(w->json, "statusCode")), 401);
    th_response_free(w);
    th_response_free(t);
    assert_int_equal(status_of(get(f, "/contacts/", NULL)), 401);
    assert_int_equal(status_of(get(f, "/contacts/", "made-up-token")), 401);
}

static void test_pit(void **state)
{
    fixture *f = *state;
    char pit[64];
    err e = {0};
    assert_int_equal(sbx_ghl_auth_create_pit(f->a, LOC, "contacts.readonly", pit, sizeof pit, &e),
                     0);
    clock_fake_advance(&f->clock, INT64_C(5) * 365 * 86400 * 1000);
    sbx_ghl_auth_expire_access_tokens(f->a);
    th_response *r = get(f, "/contacts/", pit);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r, "locationId"), LOC);
    th_response_free(r);
    char url[128], auth[128];
    snprintf(url, sizeof url, "%s/contacts/", f->base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", pit);
    const char *const headers[] = {auth, NULL};
    assert_int_equal(status_of(th_request("POST", url, headers, "{}", 0)), 401);
}

static void test_location_token_and_installed(void **state)
{
    fixture *f = *state;
    th_response *co = login(f, "Company");
    assert_string_equal(jstr(co, "userType"), "Company");
    assert_int_equal(json_array_size(json_object_get(co->json, "approvedLocations")), 2);
    const char *cat = jstr(co, "access_token");
    /* A Company token is not for location routes. */
    assert_int_equal(status_of(get(f, "/contacts/", cat)), 401);

    char body[256];
    snprintf(body, sizeof body, "companyId=%s&locationId=%s", f->company, LOC2);
    th_response *lt = post_form(f, "/oauth/locationToken", cat, body);
    assert_int_equal(lt->status, 200);
    assert_string_equal(jstr(lt, "locationId"), LOC2);
    assert_string_equal(jstr(lt, "token_type"), "Bearer");
    th_response *c = get(f, "/contacts/", jstr(lt, "access_token"));
    assert_int_equal(c->status, 200);
    assert_string_equal(jstr(c, "locationId"), LOC2);
    th_response_free(c);
    /* A Location token cannot mint location tokens. */
    assert_int_equal(
        status_of(post_form(f, "/oauth/locationToken", jstr(lt, "access_token"), body)), 401);
    assert_int_equal(status_of(post_form(f, "/oauth/locationToken", cat, "companyId=x")), 422);
    snprintf(body, sizeof body, "companyId=%s&locationId=nowhere", f->company);
    assert_int_equal(status_of(post_form(f, "/oauth/locationToken", cat, body)), 400);

    char path[256];
    snprintf(path, sizeof path, "/oauth/installedLocations?companyId=%s&appId=sandbox-client",
             f->company);
    th_response *il = get(f, path, cat);
    assert_int_equal(il->status, 200);
    assert_int_equal(json_integer_value(json_object_get(il->json, "count")), 2);
    json_t *first = json_array_get(json_object_get(il->json, "locations"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "_id")), LOC);
    th_response_free(il);
    snprintf(path, sizeof path,
             "/oauth/installedLocations?companyId=%s&appId=sandbox-client&query=HARBOR&limit=1",
             f->company);
    il = get(f, path, cat);
    assert_int_equal(il->status, 200);
    first = json_array_get(json_object_get(il->json, "locations"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "_id")), LOC2);
    th_response_free(il);
    snprintf(path, sizeof path, "/oauth/installedLocations?appId=sandbox-client");
    assert_int_equal(status_of(get(f, path, cat)), 422);
    th_response_free(lt);
    th_response_free(co);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_authorize_and_exchange),
        T(test_authorize_errors),
        T(test_token_endpoint_errors),
        T(test_refresh_rotation_grace_and_reuse),
        T(test_expiry_then_refresh),
        T(test_scope_refusal),
        T(test_pit),
        T(test_location_token_and_installed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
