/* pl_fixture.c: the PheedLoop emulator on a loopback port, a webhook receiver, and a client. */
#include "tests/support/pl_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* 2027-01-01T00:00:00Z: where the client's fake clock starts. */
#define PLFX_CLIENT_T0 1798761600000LL

static void on_hook(void *ctx, const http_request *req, http_response *res)
{
    pl_fx *fx = ctx;
    pl_webhook_hint h;
    int status = 200;
    err e = {0};
    if (fx->wh && pl_webhook_handle(&h, fx->wh, req, clock_now_ms(clock_system()), &e) < 0)
        status = 401;
    const char *sig = http_request_header(req, PL_WEBHOOK_DEFAULT_HEADER);
    json_t *rec = json_pack("{s:s%, s:s?, s:i, s:s?}", "body", (const char *)req->body,
                            req->body_len, "signature", sig, "status", status, "action",
                            status == 200 && fx->wh ? h.action : NULL);
    pthread_mutex_lock(&fx->mu);
    json_array_append_new(fx->received, rec);
    pthread_mutex_unlock(&fx->mu);
    http_response_json(res, status, json_pack("{s:b}", "ok", status == 200));
}

static void start_receiver(pl_fx *fx)
{
    err e = {0};
    http_server_options o = {0};
    assert_int_equal(http_server_new(&fx->rcv, &o, &e), 0);
    assert_int_equal(http_server_route(fx->rcv, "POST", "/hook", "hook", on_hook, fx), 0);
    assert_int_equal(http_server_start(fx->rcv, &e), 0);
    snprintf(fx->hook_url, sizeof fx->hook_url, "http://127.0.0.1:%u/hook",
             (unsigned)http_server_port(fx->rcv));
}

/* The emulator with PLFX_EVENT on its own service and port, on the fake clock or the real one,
 * and the receiver. */
static pl_fx *start(bool fake_clock)
{
    pl_fx *fx = calloc(1, sizeof *fx);
    err e = {0};
    pthread_mutex_init(&fx->mu, NULL);
    fx->received = json_array();
    clock_fake_init(&fx->clock, PLFX_T0);
    clock_fake_init(&fx->clk, PLFX_CLIENT_T0);
    fx->svc.name = "pheedloop";
    fx->svc.clock = fake_clock ? &fx->clock : clock_system();
    fx->svc.admin_token = PLFX_TOKEN;
    fx->svc.seed = 42;
    assert_int_equal(sbx_faults_new(&fx->svc.faults, 7, &e), 0);
    assert_int_equal(sbx_counters_new(&fx->svc.counters, &e), 0);
    assert_int_equal(sbx_webhooks_new(&fx->svc.webhooks, fx->svc.faults, clock_system(), &e), 0);
    assert_int_equal(sbx_webhooks_start(fx->svc.webhooks, &e), 0);
    sbx_pl_emu_options opts = {
        .org_code = PLFX_ORG, .api_key = PLFX_KEY, .api_secret = PLFX_SECRET};
    assert_int_equal(sbx_pl_emu_new(&fx->pl, &opts, &fx->svc, &e), 0);
    assert_int_equal(sbx_pl_emu_seed_event(fx->pl, PLFX_EVENT, "Test Summit", "2027-03-18", &e), 0);
    http_server_options o = {0};
    assert_int_equal(http_server_new(&fx->srv, &o, &e), 0);
    if (sbx_pl_emu_mount(fx->pl, fx->srv, &e) != 0)
        fail_msg("mount: %s", e.msg);
    assert_int_equal(http_server_start(fx->srv, &e), 0);
    snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%u", (unsigned)http_server_port(fx->srv));
    snprintf(fx->api, sizeof fx->api, "%s/api/v3/organization/%s/", fx->base, PLFX_ORG);
    plfx_event_secret(fx, PLFX_EVENT, fx->event_secret);
    assert_true(fx->event_secret[0] != '\0');
    start_receiver(fx);
    return fx;
}

int plfx_setup(void **state)
{
    *state = start(true);
    return 0;
}

int plfx_client_setup(void **state)
{
    pl_fx *fx = start(false);
    err e = {0};
    assert_int_equal(sbx_pl_emu_seed_event(fx->pl, PLFX_EVENT2, "Other Expo", "2027-05-02", &e), 0);
    fx->client = plfx_client(fx, NULL);
    *state = fx;
    return 0;
}

int plfx_teardown(void **state)
{
    pl_fx *fx = *state;
    sbx_faults_release(fx->svc.faults);
    http_server_stop(fx->srv);
    sbx_webhooks_stop(fx->svc.webhooks);
    http_server_stop(fx->rcv);
    pl_client_free(fx->client);
    http_server_free(fx->srv);
    http_server_free(fx->rcv);
    sbx_pl_emu_free(fx->pl);
    sbx_webhooks_free(fx->svc.webhooks);
    sbx_counters_free(fx->svc.counters);
    sbx_faults_free(fx->svc.faults);
    pl_webhook_free(fx->wh);
    json_decref(fx->received);
    pthread_mutex_destroy(&fx->mu);
    free(fx);
    return 0;
}

pl_client *plfx_client(pl_fx *fx, const plfx_knobs *k)
{
    plfx_knobs none = {0};
    if (!k)
        k = &none;
    http_client_config hc = {
        .connect_timeout_ms = 2000,
        .timeout_ms = k->timeout_ms ? k->timeout_ms : 5000,
        .clock = &fx->clk,
        .seed = 9,
        .retry = {.max_attempts = k->max_attempts ? k->max_attempts : 3,
                  .base_ms = 100,
                  .cap_ms = 1000,
                  .max_elapsed_ms = 600000},
    };
    pl_client_config cfg = {
        .base_url = fx->base,
        .org_code = k->org_code ? k->org_code : PLFX_ORG,
        .api_key = k->api_key ? k->api_key : PLFX_KEY,
        .api_secret = PLFX_SECRET,
        .page_size = k->page_size,
        .rate_per_minute = k->rate_per_minute,
        .http_config = &hc,
        .clock = &fx->clk,
    };
    pl_client *c = NULL;
    err e = {0};
    if (pl_client_new(&c, &cfg, &e) != 0)
        fail_msg("client: %s", e.msg);
    return c;
}

th_response *plfx_api_as(pl_fx *fx, const char *method, const char *path, const char *key,
                         const char *secret, const char *body)
{
    char url[1024], k[256], s[256];
    snprintf(url, sizeof url, "%s%s", fx->api, path);
    const char *headers[4] = {0};
    size_t n = 0;
    if (key) {
        snprintf(k, sizeof k, "X-API-KEY: %s", key);
        headers[n++] = k;
    }
    if (secret) {
        snprintf(s, sizeof s, "X-API-SECRET: %s", secret);
        headers[n++] = s;
    }
    if (body)
        headers[n++] = "Content-Type: application/json";
    return th_request(method, url, headers, body, 0);
}

th_response *plfx_api(pl_fx *fx, const char *method, const char *path, const char *body)
{
    return plfx_api_as(fx, method, path, PLFX_KEY, PLFX_SECRET, body);
}

th_response *plfx_admin(pl_fx *fx, const char *method, const char *path, const char *body)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", fx->base, path);
    const char *headers[] = {"X-Sandbox-Token: " PLFX_TOKEN, "Content-Type: application/json",
                             NULL};
    return th_request(method, url, headers, body, 0);
}

th_response *plfx_expect(th_response *r, long status)
{
    if (r->status != status)
        fail_msg("status %ld, expected %ld: %s", r->status, status, r->body ? r->body : "");
    return r;
}

void plfx_faults(pl_fx *fx, const char *json)
{
    th_response_free(plfx_expect(plfx_admin(fx, "PUT", "/_sandbox/faults", json), 200));
}

void plfx_event_tag(pl_fx *fx, const char *event, const char *name)
{
    char path[256], body[256];
    snprintf(path, sizeof path, "/_sandbox/events/%s/tags", event);
    snprintf(body, sizeof body, "{\"name\": \"%s\"}", name);
    th_response *r = plfx_admin(fx, "POST", path, body);
    if (r->status != 201 && r->status != 200)
        fail_msg("event tag: %ld %s", r->status, r->body ? r->body : "");
    th_response_free(r);
}

void plfx_event_secret(pl_fx *fx, const char *event, char out[80])
{
    out[0] = '\0';
    json_t *info = sbx_pl_emu_info(fx->pl);
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(info, "events"), i, ev)
    {
        if (strcmp(jsonx_str(ev, "code"), event) == 0)
            snprintf(out, 80, "%s", jsonx_str(ev, "webhook_secret"));
    }
    json_decref(info);
}

json_t *plfx_state(pl_fx *fx)
{
    return sbx_pl_emu_state(fx->pl);
}

int64_t plfx_welcome_emails(pl_fx *fx)
{
    json_t *s = plfx_state(fx);
    int64_t n = jsonx_int(json_object_get(s, "welcome_emails"), "total", -1);
    json_decref(s);
    return n;
}

void plfx_create_attendee(pl_fx *fx, const char *email, char out[64])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\",\"email\":\"%s\","
             "\"send_app_welcome_email\":false,\"send_attendee_portal_welcome\":false,"
             "\"send_welcome_virtual_portal_email\":false}",
             email);
    th_response *r =
        plfx_expect(plfx_api(fx, "POST", "events/" PLFX_EVENT "/attendees/", body), 201);
    snprintf(out, 64, "%s", jsonx_str(r->json, "code"));
    th_response_free(r);
}

json_t *plfx_person(const char *first, const char *last, const char *email)
{
    return json_pack("{s:s, s:s, s:s}", "first_name", first, "last_name", last, "email", email);
}

void plfx_add_people(pl_fx *fx, const char *event, int start_at, int n)
{
    for (int i = start_at; i < start_at + n; i++) {
        char email[64], first[32];
        snprintf(email, sizeof email, "p%d@example.com", i);
        snprintf(first, sizeof first, "Person%d", i);
        json_t *f = plfx_person(first, "Tester", email);
        pl_attendee a;
        err e = {0};
        if (pl_client_create_attendee(&a, fx->client, event, f, NULL, &e) != 0)
            fail_msg("create %s: %s", email, e.msg);
        pl_attendee_free(&a);
        json_decref(f);
    }
}

size_t plfx_received(pl_fx *fx)
{
    pthread_mutex_lock(&fx->mu);
    size_t n = json_array_size(fx->received);
    pthread_mutex_unlock(&fx->mu);
    return n;
}

typedef struct wait_n {
    pl_fx *fx;
    size_t n;
} wait_n;

static bool have_n(void *ctx)
{
    wait_n *w = ctx;
    return plfx_received(w->fx) >= w->n;
}

bool plfx_wait_received(pl_fx *fx, size_t n)
{
    wait_n w = {fx, n};
    return th_wait_until(have_n, &w, 10000);
}

json_t *plfx_delivery(pl_fx *fx, size_t i)
{
    pthread_mutex_lock(&fx->mu);
    json_t *d = json_incref(json_array_get(fx->received, i));
    pthread_mutex_unlock(&fx->mu);
    return d;
}
