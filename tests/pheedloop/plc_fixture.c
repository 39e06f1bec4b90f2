/* plc_fixture.c: the PheedLoop emulator in-process, a client on it, and a webhook receiver. */
#include "tests/pheedloop/plc_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* 2027-01-01T00:00:00Z: the client's fake clock (the emulator runs on the real one). */
#define PLCFX_T0 1798761600000LL

static void on_hook(void *ctx, const http_request *req, http_response *res)
{
    plc_fx *fx = ctx;
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

static void start_receiver(plc_fx *fx)
{
    err e = {0};
    http_server_options o = {0};
    assert_int_equal(http_server_new(&fx->rcv, &o, &e), 0);
    assert_int_equal(http_server_route(fx->rcv, "POST", "/hook", "hook", on_hook, fx), 0);
    assert_int_equal(http_server_start(fx->rcv, &e), 0);
    snprintf(fx->hook_url, sizeof fx->hook_url, "http://127.0.0.1:%u/hook",
             (unsigned)http_server_port(fx->rcv));
}

static void read_secret(plc_fx *fx)
{
    json_t *info = pl_emu_info(fx->emu);
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(info, "events"), i, ev)
    {
        if (strcmp(jsonx_str(ev, "code"), PLCFX_EVENT) == 0)
            snprintf(fx->event_secret, sizeof fx->event_secret, "%s",
                     jsonx_str(ev, "webhook_secret"));
    }
    json_decref(info);
    assert_true(fx->event_secret[0] != '\0');
}

int plcfx_setup(void **state)
{
    plc_fx *fx = calloc(1, sizeof *fx);
    err e = {0};
    pthread_mutex_init(&fx->mu, NULL);
    fx->received = json_array();
    clock_fake_init(&fx->clk, PLCFX_T0);
    sbx_options o = {.seed = 5, .seed_data = false, .admin_token = PLCFX_TOKEN};
    sbx_fault_config_defaults(&o.faults);
    o.pheedloop = (pl_emu_options){PLCFX_ORG, PLCFX_KEY, PLCFX_SECRET};
    if (sbx_sandbox_start(&fx->sbx, &o, &e) != 0)
        fail_msg("sandbox: %s", e.msg);
    fx->emu = sbx_sandbox_pheedloop(fx->sbx);
    snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%u",
             (unsigned)sbx_sandbox_pheedloop_port(fx->sbx));
    assert_int_equal(pl_emu_seed_event(fx->emu, PLCFX_EVENT, "Client Summit", "2027-03-18", &e), 0);
    assert_int_equal(pl_emu_seed_event(fx->emu, PLCFX_EVENT2, "Other Expo", "2027-05-02", &e), 0);
    read_secret(fx);
    fx->client = plcfx_client(fx, NULL);
    start_receiver(fx);
    *state = fx;
    return 0;
}

int plcfx_teardown(void **state)
{
    plc_fx *fx = *state;
    sbx_faults_release(sbx_sandbox_pheedloop_service(fx->sbx)->faults);
    sbx_sandbox_stop(fx->sbx);
    http_server_stop(fx->rcv);
    pl_client_free(fx->client);
    sbx_sandbox_free(fx->sbx);
    http_server_free(fx->rcv);
    pl_webhook_free(fx->wh);
    json_decref(fx->received);
    pthread_mutex_destroy(&fx->mu);
    free(fx);
    return 0;
}

pl_client *plcfx_client(plc_fx *fx, const plcfx_knobs *k)
{
    plcfx_knobs none = {0};
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
        .org_code = k->org_code ? k->org_code : PLCFX_ORG,
        .api_key = k->api_key ? k->api_key : PLCFX_KEY,
        .api_secret = PLCFX_SECRET,
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

th_response *plcfx_admin(plc_fx *fx, const char *method, const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", fx->base, path);
    const char *headers[] = {"X-Sandbox-Token: " PLCFX_TOKEN, "Content-Type: application/json",
                             NULL};
    return th_request(method, url, headers, body, 0);
}

void plcfx_faults(plc_fx *fx, const char *json)
{
    th_response *r = plcfx_admin(fx, "PUT", "/_sandbox/faults", json);
    if (r->status != 200)
        fail_msg("faults %s: %ld %s", json, r->status, r->body ? r->body : "");
    th_response_free(r);
}

void plcfx_event_tag(plc_fx *fx, const char *event, const char *name)
{
    char path[256], body[256];
    snprintf(path, sizeof path, "/_sandbox/events/%s/tags", event);
    snprintf(body, sizeof body, "{\"name\": \"%s\"}", name);
    th_response *r = plcfx_admin(fx, "POST", path, body);
    if (r->status != 201 && r->status != 200)
        fail_msg("event tag: %ld %s", r->status, r->body ? r->body : "");
    th_response_free(r);
}

json_t *plcfx_state(plc_fx *fx)
{
    return pl_emu_state(fx->emu);
}

int64_t plcfx_welcome_emails(plc_fx *fx)
{
    json_t *s = plcfx_state(fx);
    int64_t n = jsonx_int(json_object_get(s, "welcome_emails"), "total", -1);
    json_decref(s);
    return n;
}

json_t *plcfx_person(const char *first, const char *last, const char *email)
{
    return json_pack("{s:s, s:s, s:s}", "first_name", first, "last_name", last, "email", email);
}

void plcfx_add_people(plc_fx *fx, const char *event, int start, int n)
{
    for (int i = start; i < start + n; i++) {
        char email[64], first[32];
        snprintf(email, sizeof email, "p%d@example.com", i);
        snprintf(first, sizeof first, "Person%d", i);
        json_t *f = plcfx_person(first, "Tester", email);
        pl_attendee a;
        err e = {0};
        if (pl_client_create_attendee(&a, fx->client, event, f, NULL, &e) != 0)
            fail_msg("create %s: %s", email, e.msg);
        pl_attendee_free(&a);
        json_decref(f);
    }
}

size_t plcfx_received(plc_fx *fx)
{
    pthread_mutex_lock(&fx->mu);
    size_t n = json_array_size(fx->received);
    pthread_mutex_unlock(&fx->mu);
    return n;
}

typedef struct wait_n {
    plc_fx *fx;
    size_t n;
} wait_n;

static bool have_n(void *ctx)
{
    wait_n *w = ctx;
    return plcfx_received(w->fx) >= w->n;
}

bool plcfx_wait_received(plc_fx *fx, size_t n)
{
    wait_n w = {fx, n};
    return th_wait_until(have_n, &w, 10000);
}

json_t *plcfx_delivery(plc_fx *fx, size_t i)
{
    pthread_mutex_lock(&fx->mu);
    json_t *d = json_incref(json_array_get(fx->received, i));
    pthread_mutex_unlock(&fx->mu);
    return d;
}
