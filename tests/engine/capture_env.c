/* capture_env.c: the change capture test environment (see capture_env.h). */
#include "tests/engine/capture_env.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <openssl/hmac.h>

static http_client *fast_http(void)
{
    http_client_config hc = {
        .connect_timeout_ms = 2000,
        .timeout_ms = 5000,
        .retry = {.max_attempts = 3, .base_ms = 10, .cap_ms = 100, .max_elapsed_ms = 5000},
        .seed = 7,
    };
    http_client *h = NULL;
    err e = {0};
    assert_int_equal(http_client_new(&h, &hc, &e), 0);
    return h;
}

static void read_info(cenv *c)
{
    json_t *all = sbx_sandbox_info(c->sbx);
    const json_t *g = json_object_get(all, "highlevel");
    snprintf(c->ghl_base, sizeof c->ghl_base, "%s", jsonx_str(g, "base_url"));
    snprintf(c->location, sizeof c->location, "%s", jsonx_str(g, "location_id"));
    snprintf(c->pit, sizeof c->pit, "%s", jsonx_str(g, "pit"));
    snprintf(c->ed_key, sizeof c->ed_key, "%s", jsonx_str(g, "webhook_public_key_b64"));
    const json_t *p = json_object_get(all, "pheedloop");
    snprintf(c->pl_base, sizeof c->pl_base, "%s", jsonx_str(p, "base_url"));
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(p, "events"), i, ev)
    {
        int slot = strcmp(jsonx_str(ev, "code"), CENV_EVENT) == 0    ? 0
                   : strcmp(jsonx_str(ev, "code"), CENV_EVENT2) == 0 ? 1
                                                                     : -1;
        if (slot >= 0)
            snprintf(c->event_secret[slot], sizeof c->event_secret[slot], "%s",
                     jsonx_str(ev, "webhook_secret"));
    }
    json_decref(all);
    assert_true(c->event_secret[0][0] && c->event_secret[1][0] && c->pit[0]);
}

static void make_clients(cenv *c)
{
    err e = {0};
    c->http = fast_http();
    ghl_tokens_config tc = {.pit = c->pit};
    assert_int_equal(ghl_tokens_new(&c->tokens, &tc, &e), 0);
    ghl_client_config gc = {.base_url = c->ghl_base, .http = c->http, .tokens = c->tokens};
    assert_int_equal(ghl_client_new(&c->ghl, &gc, &e), 0);
    pl_client_config pc = {.base_url = c->pl_base,
                           .org_code = CENV_ORG,
                           .api_key = CENV_KEY,
                           .api_secret = CENV_SECRET,
                           .http = c->http};
    assert_int_equal(pl_client_new(&c->pl, &pc, &e), 0);
}

cenv *cenv_start(void)
{
    cenv *c = calloc(1, sizeof *c);
    assert_non_null(c);
    sbx_options o = {.seed = 11, .seed_data = false, .admin_token = CENV_ADMIN};
    sbx_fault_config_defaults(&o.faults);
    o.pheedloop = (sbx_pl_emu_options){CENV_ORG, CENV_KEY, CENV_SECRET};
    err e = {0};
    if (sbx_sandbox_start(&c->sbx, &o, &e) != 0)
        fail_msg("sandbox: %s", e.msg);
    sbx_pl_emu *emu = sbx_sandbox_pheedloop(c->sbx);
    assert_int_equal(sbx_pl_emu_seed_event(emu, CENV_EVENT, "Capture Summit", "2027-03-18", &e), 0);
    assert_int_equal(sbx_pl_emu_seed_event(emu, CENV_EVENT2, "Capture Expo", "2027-05-02", &e), 0);
    read_info(c);
    make_clients(c);
    snprintf(c->dir, sizeof c->dir, "/tmp/pheedsync-cap-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    snprintf(c->store_url, sizeof c->store_url, "sqlite:%s/state.db", c->dir);
    if (store_open(&c->store, c->store_url, NULL, &e) != 0)
        fail_msg("store: %s", e.msg);
    c->events[0] = CENV_EVENT;
    c->events[1] = CENV_EVENT2;
    c->eng =
        (engine){.store = c->store,
                 .ghl = c->ghl,
                 .pl = c->pl,
                 .clock = clock_system(),
                 .owner = "test:1",
                 .link = {.location_id = c->location, .org_code = CENV_ORG, .events = c->events}};
    return c;
}

void cenv_capture_start(cenv *c, const char *store_url)
{
    err e = {0};
    ghl_webhook_config gw = {.ed25519_key = c->ed_key};
    assert_int_equal(ghl_webhook_verifier_new(&c->ghl_wh, &gw, &e), 0);
    pl_webhook_secret secrets[] = {{CENV_EVENT, c->event_secret[0]},
                                   {CENV_EVENT2, c->event_secret[1]}};
    pl_webhook_config pw = {.event_secrets = secrets, .n_event_secrets = 2};
    assert_int_equal(pl_webhook_new(&c->pl_wh, &pw, &e), 0);
    capture_options co = {.store_url = store_url ? store_url : c->store_url,
                          .ghl = c->ghl_wh,
                          .pl = c->pl_wh,
                          .location_id = c->location,
                          .org_code = CENV_ORG,
                          .events = c->events};
    assert_int_equal(capture_new(&c->cap, &co, &e), 0);
    http_server_options so = {0};
    assert_int_equal(http_server_new(&c->srv, &so, &e), 0);
    assert_int_equal(capture_mount(c->cap, c->srv, &e), 0);
    assert_int_equal(http_server_start(c->srv, &e), 0);
    snprintf(c->hook_base, sizeof c->hook_base, "http://127.0.0.1:%u",
             (unsigned)http_server_port(c->srv));
}

void cenv_stop(cenv *c)
{
    if (!c)
        return;
    sbx_faults_release(sbx_sandbox_ghl_service(c->sbx)->faults);
    sbx_faults_release(sbx_sandbox_pheedloop_service(c->sbx)->faults);
    sbx_sandbox_stop(c->sbx);
    if (c->srv)
        http_server_stop(c->srv);
    http_server_free(c->srv);
    capture_free(c->cap);
    ghl_webhook_verifier_free(c->ghl_wh);
    pl_webhook_free(c->pl_wh);
    ghl_client_free(c->ghl);
    ghl_tokens_free(c->tokens);
    pl_client_free(c->pl);
    http_client_free(c->http);
    sbx_sandbox_free(c->sbx);
    store_close(c->store);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", c->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", c->dir);
    free(c);
}

static json_t *admin(const char *base, const char *method, const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    const char *headers[] = {"X-Sandbox-Token: " CENV_ADMIN, "Content-Type: application/json",
                             NULL};
    th_response *r = th_request(method, url, headers, body, 20000);
    if (r->status < 200 || r->status > 299)
        fail_msg("admin %s %s: %ld %s", method, path, r->status, r->body ? r->body : "");
    json_t *j = json_incref(r->json);
    th_response_free(r);
    return j;
}

json_t *cenv_ghl_admin(cenv *c, const char *method, const char *path, const char *body)
{
    return admin(c->ghl_base, method, path, body);
}

json_t *cenv_pl_admin(cenv *c, const char *method, const char *path, const char *body)
{
    return admin(c->pl_base, method, path, body);
}

void cenv_drain_webhooks(cenv *c)
{
    const char *body = "{\"timeout_ms\": 15000}";
    json_t *a = cenv_ghl_admin(c, "POST", "/_sandbox/webhooks/drain", body);
    json_t *b = cenv_pl_admin(c, "POST", "/_sandbox/webhooks/drain", body);
    assert_true(jsonx_bool(a, "drained", false) && jsonx_bool(b, "drained", false));
    json_decref(a);
    json_decref(b);
}

json_t *cenv_take_hints(cenv *c)
{
    json_t *all = json_object();
    for (;;) {
        store_hints h = {0};
        err e = {0};
        if (store_inbox_claim(&h, c->store, "test-taker", 60000, 500, &e) != 0)
            fail_msg("claim: %s", e.msg);
        size_t n = h.n;
        for (size_t i = 0; i < h.n; i++) {
            const store_hint *x = &h.v[i];
            json_t *prev = json_object_get(all, x->record_key);
            int64_t count = x->count + (prev ? jsonx_int(prev, "count", 0) : 0);
            json_t *payload = NULL;
            jsonx_parse(&payload, x->payload, strlen(x->payload), "payload", NULL);
            json_object_set_new(all, x->record_key,
                                json_pack("{s:I, s:s, s:s, s:o*}", "count", (json_int_t)count,
                                          "kind", x->kind, "source", x->source, "payload",
                                          payload));
            assert_int_equal(store_inbox_ack(c->store, x, &e), 0);
        }
        store_hints_free(&h);
        if (n == 0)
            return all;
    }
}

int64_t cenv_pending(cenv *c)
{
    store_counts n;
    err e = {0};
    assert_int_equal(store_count(&n, c->store, &e), 0);
    return n.inbox_pending;
}

typedef struct pending_wait {
    cenv *c;
    int64_t n;
} pending_wait;

static bool enough(void *ctx)
{
    pending_wait *w = ctx;
    return cenv_pending(w->c) >= w->n;
}

bool cenv_wait_pending(cenv *c, int64_t n)
{
    pending_wait w = {c, n};
    return th_wait_until(enough, &w, 15000);
}

char *cenv_ui_contact(cenv *c, const char *first, const char *email)
{
    char body[256];
    snprintf(body, sizeof body, "{\"firstName\": \"%s\", \"email\": \"%s\"}", first, email);
    json_t *j = cenv_ghl_admin(c, "POST", "/_sandbox/ui/contacts", body);
    const char *id = jsonx_str(json_object_get(j, "contact"), "id");
    assert_non_null(id);
    char *out = strdup(id);
    json_decref(j);
    return out;
}

char *cenv_attendee(cenv *c, const char *event, const char *first, const char *email)
{
    json_t *f =
        json_pack("{s:s, s:s, s:s}", "first_name", first, "last_name", "Tester", "email", email);
    pl_attendee a;
    err e = {0};
    if (pl_client_create_attendee(&a, c->pl, event, f, NULL, &e) != 0)
        fail_msg("create attendee %s: %s", email, e.msg);
    char *code = strdup(a.code);
    pl_attendee_free(&a);
    json_decref(f);
    return code;
}

void cenv_key_ghl(char out[ENGINE_KEY_MAX], cenv *c, const char *id)
{
    assert_int_equal(engine_key_ghl(out, c->location, id, NULL), 0);
}

void cenv_key_pl(char out[ENGINE_KEY_MAX], const char *event, const char *code)
{
    assert_int_equal(engine_key_pl(out, CENV_ORG, event, code, NULL), 0);
}

static bool past(void *ctx)
{
    return clock_now_ms(clock_system()) > *(int64_t *)ctx;
}

void cenv_after(int64_t ms)
{
    assert_true(th_wait_until(past, &ms, 1000));
}

char *cenv_pl_body(const char *event, const char *code, const char *delivery, int64_t ts_ms)
{
    char iso[CLOCK_ISO_LEN], body[512];
    clock_format_iso(ts_ms, iso);
    snprintf(body, sizeof body,
             "{\"action\":\"attendee.updated\",\"event_code\":\"%s\",\"data\":{\"code\":\"%s\"},"
             "\"timestamp\":\"%s\",\"delivery_id\":\"%s\"}",
             event, code, iso, delivery);
    return strdup(body);
}

long cenv_post_pl(const char *base, const char *secret, const char *body, long timeout_ms)
{
    unsigned char mac[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, strlen(body), mac,
         &len);
    char hex[65], url[128], hdr[160];
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    snprintf(url, sizeof url, "%s%s", base, CAPTURE_PL_PATH);
    snprintf(hdr, sizeof hdr, "%s: %s", PL_WEBHOOK_DEFAULT_HEADER, hex);
    const char *headers[] = {hdr, "Content-Type: application/json", NULL};
    th_response *r = th_request("POST", url, headers, body, timeout_ms);
    long status = r->status;
    th_response_free(r);
    return status;
}
