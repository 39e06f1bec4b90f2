/* pl_fixture.c: the PheedLoop emulator on a loopback port with a fake clock, plus a webhook
 * receiver, for the test_pl_* programs. */
#include "tests/sandbox/pl_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void on_hook(void *ctx, const http_request *req, http_response *res)
{
    pl_fx *fx = ctx;
    const char *sig = http_request_header(req, "X-PheedLoop-Signature");
    json_t *rec =
        json_pack("{s:s% s:s?}", "body", (const char *)req->body, req->body_len, "signature", sig);
    pthread_mutex_lock(&fx->mu);
    json_array_append_new(fx->received, rec);
    pthread_mutex_unlock(&fx->mu);
    http_response_json(res, 200, json_pack("{s:b}", "ok", 1));
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

int plfx_setup(void **state)
{
    pl_fx *fx = calloc(1, sizeof *fx);
    err e = {0};
    pthread_mutex_init(&fx->mu, NULL);
    fx->received = json_array();
    clock_fake_init(&fx->clock, PLFX_T0);
    fx->svc.name = "pheedloop";
    fx->svc.clock = &fx->clock;
    fx->svc.admin_token = PLFX_TOKEN;
    fx->svc.seed = 42;
    assert_int_equal(sbx_faults_new(&fx->svc.faults, 7, &e), 0);
    assert_int_equal(sbx_counters_new(&fx->svc.counters, &e), 0);
    assert_int_equal(sbx_webhooks_new(&fx->svc.webhooks, fx->svc.faults, clock_system(), &e), 0);
    assert_int_equal(sbx_webhooks_start(fx->svc.webhooks, &e), 0);
    pl_emu_options opts = {.org_code = PLFX_ORG, .api_key = PLFX_KEY, .api_secret = PLFX_SECRET};
    assert_int_equal(pl_emu_new(&fx->pl, &opts, &fx->svc, &e), 0);
    assert_int_equal(pl_emu_seed_event(fx->pl, PLFX_EVENT, "Test Summit", "2027-03-18", &e), 0);
    http_server_options o = {0};
    assert_int_equal(http_server_new(&fx->srv, &o, &e), 0);
    if (pl_emu_mount(fx->pl, fx->srv, &e) != 0)
        fail_msg("mount: %s", e.msg);
    assert_int_equal(http_server_start(fx->srv, &e), 0);
    snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%u", (unsigned)http_server_port(fx->srv));
    snprintf(fx->api, sizeof fx->api, "%s/api/v3/organization/%s/", fx->base, PLFX_ORG);
    start_receiver(fx);
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
    http_server_free(fx->srv);
    http_server_free(fx->rcv);
    pl_emu_free(fx->pl);
    sbx_webhooks_free(fx->svc.webhooks);
    sbx_counters_free(fx->svc.counters);
    sbx_faults_free(fx->svc.faults);
    json_decref(fx->received);
    pthread_mutex_destroy(&fx->mu);
    free(fx);
    return 0;
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

size_t plfx_received(pl_fx *fx)
{
    pthread_mutex_lock(&fx->mu);
    size_t n = json_array_size(fx->received);
    pthread_mutex_unlock(&fx->mu);
    return n;
}

typedef struct wait_ctx {
    pl_fx *fx;
    size_t n;
} wait_ctx;

static bool enough(void *ctx)
{
    wait_ctx *w = ctx;
    return plfx_received(w->fx) >= w->n;
}

bool plfx_wait_received(pl_fx *fx, size_t n)
{
    wait_ctx w = {fx, n};
    return th_wait_until(enough, &w, 5000);
}

json_t *plfx_delivery(pl_fx *fx, size_t i, char *sig, size_t sig_len, char **raw_out)
{
    pthread_mutex_lock(&fx->mu);
    json_t *rec = json_array_get(fx->received, i);
    const char *raw = jsonx_str(rec, "body");
    json_t *j = raw ? json_loads(raw, 0, NULL) : NULL;
    if (sig)
        snprintf(sig, sig_len, "%s",
                 jsonx_str(rec, "signature") ? jsonx_str(rec, "signature") : "");
    if (raw_out)
        *raw_out = raw ? strdup(raw) : NULL;
    pthread_mutex_unlock(&fx->mu);
    return j;
}

void plfx_event_secret(pl_fx *fx, const char *event, char out[80])
{
    out[0] = '\0';
    json_t *info = pl_emu_info(fx->pl);
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(info, "events"), i, ev)
    {
        if (strcmp(jsonx_str(ev, "code"), event) == 0)
            snprintf(out, 80, "%s", jsonx_str(ev, "webhook_secret"));
    }
    json_decref(info);
}
