/* ghl_env.c: the HighLevel client test environment (see ghl_env.h). */
#include "tests/ghl/ghl_env.h"
#include "ghl/ghl_setup.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <unistd.h>

static http_client *fast_http(void)
{
    http_client_config hc = {
        .connect_timeout_ms = 2000,
        .timeout_ms = 5000,
        .retry = {.max_attempts = 4, .base_ms = 10, .cap_ms = 100, .max_elapsed_ms = 10000},
        .seed = 7,
    };
    http_client *h = NULL;
    err e = {0};
    assert_int_equal(http_client_new(&h, &hc, &e), 0);
    return h;
}

static genv *start_common(void)
{
    genv *g = calloc(1, sizeof *g);
    assert_non_null(g);
    sbx_options o = {.seed = 5};
    sbx_fault_config_defaults(&o.faults);
    err e = {0};
    assert_int_equal(sbx_sandbox_start(&g->sbx, &o, &e), 0);
    json_t *all = sbx_sandbox_info(g->sbx);
    g->info = json_incref(json_object_get(all, "highlevel"));
    snprintf(g->admin, sizeof g->admin, "%s", jsonx_str(all, "admin_token"));
    json_decref(all);
    snprintf(g->base, sizeof g->base, "%s", jsonx_str(g->info, "base_url"));
    snprintf(g->location, sizeof g->location, "%s", jsonx_str(g->info, "location_id"));
    snprintf(g->dir, sizeof g->dir, "/tmp/pheedsync-ghl-XXXXXX");
    assert_non_null(mkdtemp(g->dir));
    snprintf(g->store_url, sizeof g->store_url, "sqlite:%s/state.db", g->dir);
    unsigned char raw[CRYPTO_SEAL_KEY_LEN];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (unsigned char)(i * 7 + 1);
    assert_int_equal(crypto_key_from_raw(&g->key, raw, &e), 0);
    g->http = fast_http();
    g->op = (ghl_op){.location_id = g->location, .lane = GOVERNOR_LANE_LIVE, .call = &g->call};
    return g;
}

static void make_client(genv *g, const char *base_url)
{
    ghl_client_config cc = {
        .base_url = base_url ? base_url : g->base, .http = g->http, .tokens = g->tokens};
    err e = {0};
    assert_int_equal(ghl_client_new(&g->client, &cc, &e), 0);
}

ghl_tokens *genv_tokens(genv *g)
{
    ghl_tokens_config tc = {
        .store_url = g->store_url,
        .key = g->key,
        .app = {.base_url = g->base,
                .client_id = jsonx_str(g->info, "client_id"),
                .client_secret = jsonx_str(g->info, "client_secret"),
                .http = g->http},
        .lock_wait_ms = 20000,
    };
    ghl_tokens *t = NULL;
    err e = {0};
    if (ghl_tokens_new(&t, &tc, &e) != 0)
        fail_msg("tokens: %s", e.msg);
    return t;
}

genv *genv_start(const char *scopes, const char *base_url)
{
    genv *g = start_common();
    char body[512];
    snprintf(body, sizeof body, "{\"scopes\": \"%s\"}", scopes ? scopes : GENV_SCOPES);
    json_t *j = genv_admin(g, "POST", "/_sandbox/oauth/code", body);
    g->tokens = genv_tokens(g);
    ghl_oauth_app app = {g->base, jsonx_str(g->info, "client_id"),
                         jsonx_str(g->info, "client_secret"), g->http};
    ghl_token_answer a = {0};
    err e = {0};
    if (ghl_oauth_exchange_code(&a, &app, jsonx_str(j, "code"), NULL, "Location", NULL, &e) != 0)
        fail_msg("exchange: %s", e.msg);
    assert_int_equal(ghl_tokens_save_grant(NULL, g->tokens, &a, &e), 0);
    ghl_token_answer_clear(&a);
    json_decref(j);
    make_client(g, base_url);
    return g;
}

genv *genv_start_pit(const char *scopes)
{
    genv *g = start_common();
    char body[512];
    snprintf(body, sizeof body, "{\"scopes\": \"%s\"}", scopes ? scopes : GENV_SCOPES);
    json_t *j = genv_admin(g, "POST", "/_sandbox/oauth/pit", body);
    ghl_tokens_config tc = {.pit = jsonx_str(j, "token")};
    err e = {0};
    assert_int_equal(ghl_tokens_new(&g->tokens, &tc, &e), 0);
    json_decref(j);
    make_client(g, NULL);
    return g;
}

void genv_stop(genv *g)
{
    if (!g)
        return;
    ghl_client_free(g->client);
    ghl_tokens_free(g->tokens);
    sbx_sandbox_stop(g->sbx);
    http_client_free(g->http);
    sbx_sandbox_free(g->sbx);
    crypto_key_free(g->key);
    json_decref(g->info);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g->dir);
    free(g);
}

json_t *genv_admin(genv *g, const char *method, const char *path, const char *body)
{
    char url[512], hdr[200];
    snprintf(url, sizeof url, "%s%s", g->base, path);
    snprintf(hdr, sizeof hdr, "X-Sandbox-Token: %s", g->admin);
    const char *headers[] = {hdr, "Content-Type: application/json", NULL};
    th_response *r = th_request(method, url, headers, body, 10000);
    if (r->status < 200 || r->status > 299)
        fail_msg("admin %s %s: %ld %s", method, path, r->status, r->body);
    json_t *j = json_incref(r->json);
    th_response_free(r);
    return j;
}

void genv_faults(genv *g, const char *json)
{
    json_decref(genv_admin(g, "PUT", "/_sandbox/faults", json));
}

char *genv_contact(genv *g, const char *first, const char *email)
{
    ghl_contact_input in = {.first_name = first, .email = email};
    ghl_contact c;
    err e = {0};
    if (ghl_client_create_contact(&c, g->client, &g->op, &in, &e) != 0)
        fail_msg("create contact: %s", e.msg);
    char *id = strdup(c.id);
    ghl_contact_clear(&c);
    return id;
}
