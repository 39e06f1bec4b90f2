/* ghl_fixture.c: starts the HighLevel emulator and a webhook receiver on loopback for tests,
 * sends API and admin requests, and checks webhooks (signatures with OpenSSL, payload types
 * against HighLevel's event schemas). */
#include "tests/sandbox/ghl_fixture.h"

#include "util/jsonx.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void on_hook(void *ctx, const http_request *req, http_response *res)
{
    gfx *fx = ctx;
    json_t *j = NULL;
    err e = {0};
    jsonx_parse(&j, req->body, req->body_len, "webhook", &e);
    const char *ed = http_request_header(req, "X-GHL-Signature");
    const char *rsa = http_request_header(req, "X-WH-Signature");
    json_t *rec =
        json_pack("{s:s?, s:s%, s:o?, s:s?, s:s?}", "type", jsonx_str(j, "type"), "body",
                  (const char *)req->body, req->body_len, "json", j, "ed", ed, "rsa", rsa);
    pthread_mutex_lock(&fx->mu);
    json_array_append_new(fx->hooks, rec);
    pthread_mutex_unlock(&fx->mu);
    http_response_json(res, 200, json_pack("{s:b}", "ok", 1));
}

static void start_receiver(gfx *fx)
{
    http_server_options o = {.port = 0};
    err e = {0};
    assert_int_equal(http_server_new(&fx->recv, &o, &e), 0);
    assert_int_equal(http_server_route(fx->recv, "POST", "/hook", "hook", on_hook, fx), 0);
    assert_int_equal(http_server_start(fx->recv, &e), 0);
    snprintf(fx->hook_url, sizeof(fx->hook_url), "http://127.0.0.1:%u/hook",
             http_server_port(fx->recv));
}

gfx *gfx_start(bool allow_duplicates)
{
    gfx *fx = calloc(1, sizeof(*fx));
    err e = {0};
    assert_non_null(fx);
    pthread_mutex_init(&fx->mu, NULL);
    fx->hooks = json_array();
    clock_fake_init(&fx->clock, GFX_START_MS);
    start_receiver(fx);
    assert_int_equal(sbx_faults_new(&fx->faults, 7, &e), 0);
    assert_int_equal(sbx_counters_new(&fx->counters, &e), 0);
    assert_int_equal(sbx_webhooks_new(&fx->webhooks, fx->faults, &fx->clock, &e), 0);
    assert_int_equal(sbx_webhooks_start(fx->webhooks, &e), 0);
    fx->svc = (sbx_service){.name = "ghl",
                            .clock = &fx->clock,
                            .faults = fx->faults,
                            .counters = fx->counters,
                            .webhooks = fx->webhooks,
                            .admin_token = GFX_ADMIN_TOKEN,
                            .seed = 42};
    sbx_ghl_emu_options opts = {.location_id = "ve9EPM428h8vShlRW1KT",
                                .allow_duplicates = allow_duplicates,
                                .webhook_url = fx->hook_url};
    if (sbx_ghl_emu_new(&fx->emu, &opts, &fx->svc, &e) != 0)
        fail_msg("ghl_emu_new: %s", e.msg);
    http_server_options o = {.port = 0};
    assert_int_equal(http_server_new(&fx->srv, &o, &e), 0);
    if (sbx_ghl_emu_mount(fx->emu, fx->srv, &e) != 0)
        fail_msg("ghl_emu_mount: %s", e.msg);
    assert_int_equal(http_server_start(fx->srv, &e), 0);
    snprintf(fx->base, sizeof(fx->base), "http://127.0.0.1:%u", http_server_port(fx->srv));
    fx->info = sbx_ghl_emu_info(fx->emu);
    snprintf(fx->token, sizeof(fx->token), "%s", jsonx_str(fx->info, "pit"));
    snprintf(fx->location, sizeof(fx->location), "%s", jsonx_str(fx->info, "location_id"));
    return fx;
}

void gfx_stop(gfx *fx)
{
    if (!fx)
        return;
    http_server_stop(fx->srv);
    sbx_webhooks_stop(fx->webhooks);
    http_server_stop(fx->recv);
    http_server_free(fx->srv);
    http_server_free(fx->recv);
    sbx_ghl_emu_free(fx->emu);
    sbx_webhooks_free(fx->webhooks);
    sbx_counters_free(fx->counters);
    sbx_faults_free(fx->faults);
    json_decref(fx->info);
    json_decref(fx->hooks);
    pthread_mutex_destroy(&fx->mu);
    free(fx);
}

char *gfx_fmt(const char *fmt, ...)
{
    buf b;
    buf_init(&b, 1 << 20);
    va_list ap;
    va_start(ap, fmt);
    char tmp[8192];
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    buf_addstr(&b, tmp);
    return buf_take(&b);
}

th_response *gfx_api_as(gfx *fx, const char *token, const char *version, const char *method,
                        const char *path, const char *body)
{
    char auth[600], ver[64], url[2048];
    const char *headers[4] = {"Content-Type: application/json", NULL, NULL, NULL};
    size_t n = 1;
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        headers[n++] = auth;
    }
    if (version) {
        snprintf(ver, sizeof(ver), "Version: %s", version);
        headers[n++] = ver;
    }
    snprintf(url, sizeof(url), "%s%s", fx->base, path);
    return th_request(method, url, headers, body, 0);
}

th_response *gfx_api(gfx *fx, const char *method, const char *path, const char *body)
{
    return gfx_api_as(fx, fx->token, "2021-07-28", method, path, body);
}

th_response *gfx_admin(gfx *fx, const char *method, const char *path, const char *body)
{
    const char *headers[] = {"Content-Type: application/json", "X-Sandbox-Token: " GFX_ADMIN_TOKEN,
                             NULL};
    char url[2048];
    snprintf(url, sizeof(url), "%s%s", fx->base, path);
    return th_request(method, url, headers, body, 0);
}

void gfx_expect(const th_response *r, long status)
{
    if (r->status != status)
        fail_msg("expected %ld, got %ld: %s", status, r->status, r->body ? r->body : "");
}

const char *gfx_str(const th_response *r, const char *path)
{
    return json_string_value(jsonx_path(r->json, path));
}

char *gfx_create(gfx *fx, const char *json_fields)
{
    char *body =
        gfx_fmt("{\"locationId\":\"%s\"%s%s}", fx->location, *json_fields ? "," : "", json_fields);
    th_response *r = gfx_api(fx, "POST", "/contacts/", body);
    gfx_expect(r, 201);
    char *id = strdup(json_string_value(jsonx_path(r->json, "contact.id")));
    th_response_free(r);
    free(body);
    return id;
}

typedef struct wait_ctx {
    gfx *fx;
    const char *type;
    size_t n;
} wait_ctx;

static json_t *hooks_of(gfx *fx, const char *type)
{
    json_t *out = json_array();
    pthread_mutex_lock(&fx->mu);
    size_t i;
    json_t *h;
    json_array_foreach(fx->hooks, i, h)
    {
        const char *t = jsonx_str(h, "type");
        if (!type || (t && strcmp(t, type) == 0))
            json_array_append(out, h);
    }
    pthread_mutex_unlock(&fx->mu);
    return out;
}

static bool enough_hooks(void *ctx)
{
    wait_ctx *w = ctx;
    json_t *got = hooks_of(w->fx, w->type);
    bool ok = json_array_size(got) >= w->n;
    json_decref(got);
    return ok;
}

json_t *gfx_wait_hooks(gfx *fx, const char *type, size_t n)
{
    wait_ctx w = {fx, type, n};
    th_wait_until(enough_hooks, &w, 5000);
    return hooks_of(fx, type);
}

json_t *gfx_hooks(gfx *fx)
{
    return hooks_of(fx, NULL);
}

void gfx_clear_hooks(gfx *fx)
{
    sbx_webhooks_drain(fx->webhooks, 5000);
    pthread_mutex_lock(&fx->mu);
    json_array_clear(fx->hooks);
    pthread_mutex_unlock(&fx->mu);
}

static bool verify_one(const char *pem, const EVP_MD *md, const char *sig_b64, const char *body)
{
    if (!pem || !sig_b64)
        return false;
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    unsigned char sig[1024];
    size_t b64_len = strlen(sig_b64);
    int n =
        b64_len < 1300 ? EVP_DecodeBlock(sig, (const unsigned char *)sig_b64, (int)b64_len) : -1;
    /* EVP_DecodeBlock counts the padding as bytes. */
    for (size_t i = b64_len; n > 0 && i > 0 && sig_b64[i - 1] == '='; i--)
        n--;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = key && n > 0 && ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1 &&
              EVP_DigestVerify(ctx, sig, (size_t)n, (const unsigned char *)body, strlen(body)) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    BIO_free(bio);
    return ok;
}

bool gfx_verify_signatures(gfx *fx, const json_t *hook)
{
    const char *body = jsonx_str(hook, "body");
    return verify_one(jsonx_str(fx->info, "webhook_public_key"), NULL, jsonx_str(hook, "ed"),
                      body) &&
           verify_one(jsonx_str(fx->info, "webhook_rsa_public_key"), EVP_sha256(),
                      jsonx_str(hook, "rsa"), body);
}

static bool has_type(const json_t *v, const char *t)
{
    if (strcmp(t, "string") == 0)
        return json_is_string(v);
    if (strcmp(t, "number") == 0)
        return json_is_number(v);
    if (strcmp(t, "boolean") == 0)
        return json_is_boolean(v);
    if (strcmp(t, "array") == 0)
        return json_is_array(v);
    if (strcmp(t, "object") == 0)
        return json_is_object(v);
    return false;
}

static bool matches(const json_t *schema, const json_t *v, bool complete, const char *where)
{
    const json_t *type = json_object_get(schema, "type");
    bool ok = false;
    if (json_is_string(type))
        ok = has_type(v, json_string_value(type));
    for (size_t i = 0; json_is_array(type) && i < json_array_size(type); i++)
        ok |= has_type(v, json_string_value(json_array_get(type, i)));
    if (!ok) {
        print_error("%s: wrong type\n", where);
        return false;
    }
    const char *k;
    json_t *sub;
    json_object_foreach(json_object_get(schema, "properties"), k, sub)
    {
        json_t *x = json_object_get(v, k);
        if (!x && complete) {
            print_error("%s.%s: missing\n", where, k);
            return false;
        }
        if (x && !matches(sub, x, complete, k))
            return false;
    }
    const json_t *items = json_object_get(schema, "items");
    for (size_t i = 0; items && json_is_array(v) && i < json_array_size(v); i++)
        if (!matches(items, json_array_get(v, i), false, where))
            return false;
    return true;
}

bool gfx_payload_matches_schema(const char *type, const json_t *payload, bool complete)
{
    const char *dir = getenv("PHEEDSYNC_SPECS");
    char path[1024];
    snprintf(path, sizeof(path), "%s/ghl/webhook-events.extracted.json",
             dir ? dir : "../shared/specs");
    json_error_t je;
    json_t *all = json_load_file(path, 0, &je);
    if (!all) {
        print_error("cannot read %s: %s\n", path, je.text);
        return false;
    }
    json_t *schema = jsonx_path(all, "events");
    schema = json_object_get(json_object_get(schema, type), "schema");
    bool ok = schema && matches(schema, payload, complete, type);
    /* Deliveries also carry these two (HighLevel's webhook authentication page). */
    ok = ok && json_is_string(json_object_get(payload, "timestamp")) &&
         json_is_string(json_object_get(payload, "webhookId"));
    json_decref(all);
    return ok;
}
