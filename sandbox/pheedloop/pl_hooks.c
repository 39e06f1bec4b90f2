/* pl_hooks.c: the PheedLoop emulator's REST hooks (subscriptions per event) and the signed
 * webhook deliveries they receive. */
#include "sandbox/pheedloop/pl_internal.h"
#include "util/jsonx.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char *const actions[] = {
    "registration.created",
    "registration.updated",
    "registration.deleted",
    "attendee.created",
    "attendee.updated",
    "attendee.deleted",
    "checkin.created",
    "checkin.deleted",
    "*", /* every action: cheap, and handy for one receiver per event */
};

bool sbx_pl_hook_action_valid(const char *action)
{
    for (size_t i = 0; action && i < PS_ARRAY_LEN(actions); i++)
        if (strcmp(action, actions[i]) == 0)
            return true;
    return false;
}

int sbx_pl_hmac_hex(char out[SBX_PL_SECRET_HEX + 1], const char *secret, const void *body,
                    size_t len)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), body, len, mac, &mac_len) || mac_len != 32)
        return ERR_CRYPTO;
    for (unsigned int i = 0; i < mac_len; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
    return 0;
}

static void delivery_id(sbx_pl_emu *p, char out[40])
{
    char hex[33];
    rng_string(&p->rng, hex, 32, "0123456789abcdef");
    snprintf(out, 40, "%.8s-%.4s-4%.3s-a%.3s-%.12s", hex, hex + 8, hex + 12, hex + 15, hex + 18);
}

static void deliver(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *hook, const char *action,
                    const json_t *data)
{
    char now[CLOCK_ISO_LEN], id[40], sig[SBX_PL_SECRET_HEX + 1];
    sbx_pl_now_iso(p, now);
    delivery_id(p, id);
    json_t *payload = json_pack("{ss ss sO ss ss}", "action", action, "event_code", ev->code,
                                "data", data, "timestamp", now, "delivery_id", id);
    char *body = payload ? jsonx_dumps(payload) : NULL;
    json_decref(payload);
    if (!body)
        return;
    if (sbx_pl_hmac_hex(sig, ev->secret, body, strlen(body)) == 0) {
        sbx_webhook_header headers[] = {
            {"Content-Type", "application/json"},
            {"X-PheedLoop-Signature", sig},
        };
        sbx_webhooks_send(p->svc->webhooks, jsonx_str(hook, "endpoint"), action, body, headers,
                          PS_ARRAY_LEN(headers));
        p->webhooks_fired++;
    }
    free(body);
}

void sbx_pl_hooks_fire(sbx_pl_emu *p, sbx_pl_event *ev, const char *action, const json_t *data)
{
    if (!p->svc->webhooks)
        return;
    size_t i;
    json_t *h;
    json_array_foreach(ev->hooks, i, h)
    {
        const char *a = jsonx_str(h, "action");
        if (a && (strcmp(a, action) == 0 || strcmp(a, "*") == 0))
            deliver(p, ev, h, action, data);
    }
}

/* Close to Django's URLValidator for http(s) endpoints: a scheme, a host, no spaces. */
static bool url_valid(const char *s)
{
    const char *rest;
    if (strncmp(s, "http://", 7) == 0)
        rest = s + 7;
    else if (strncmp(s, "https://", 8) == 0)
        rest = s + 8;
    else
        return false;
    if (!*rest || *rest == '/' || *rest == ':' || strlen(s) > 500)
        return false;
    for (const char *c = s; *c; c++)
        if (isspace((unsigned char)*c) || (unsigned char)*c < 0x20)
            return false;
    return true;
}

static json_t *hook_validate(const json_t *body)
{
    json_t *errors = NULL;
    const json_t *action = json_object_get(body, "action");
    const json_t *endpoint = json_object_get(body, "endpoint");
    char msg[200];
    if (!action) {
        sbx_pl_add_error(&errors, "action", "This field is required.");
    } else if (!json_is_string(action) || !sbx_pl_hook_action_valid(json_string_value(action))) {
        snprintf(msg, sizeof msg, "\"%.*s\" is not a valid choice.",
                 json_is_string(action) ? sbx_pl_utf8_cut(json_string_value(action), 100) : 0,
                 json_is_string(action) ? json_string_value(action) : "");
        sbx_pl_add_error(&errors, "action", msg);
    }
    if (!endpoint)
        sbx_pl_add_error(&errors, "endpoint", "This field is required.");
    else if (!json_is_string(endpoint) || !url_valid(json_string_value(endpoint)))
        sbx_pl_add_error(&errors, "endpoint", "Enter a valid URL.");
    return errors;
}

void sbx_pl_h_hooks_list(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    if (ev)
        sbx_pl_page_reply(req, res, json_copy(ev->hooks));
}

void sbx_pl_h_hook_create(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *body = ev ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    json_t *errors = hook_validate(body);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        json_t *h =
            json_pack("{sI ss ss ss}", "id", (json_int_t)p->next_hook_id++, "event", ev->code,
                      "action", jsonx_str(body, "action"), "endpoint", jsonx_str(body, "endpoint"));
        json_array_append_new(ev->hooks, h);
        sbx_pl_reply(res, 201, json_deep_copy(h));
    }
    json_decref(body);
}

/* The {id} hook of the {event}; its index in *index_out; or 404 and NULL. */
static json_t *req_hook(sbx_pl_emu *p, const http_request *req, http_response *res,
                        sbx_pl_event **ev_out, size_t *index_out)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    if (!ev)
        return NULL;
    const char *s = http_request_param(req, "id");
    char *end = NULL;
    long long id = s && isdigit((unsigned char)*s) ? strtoll(s, &end, 10) : -1;
    size_t i;
    json_t *h;
    json_array_foreach(ev->hooks, i, h)
    {
        if (end && !*end && jsonx_int(h, "id", -1) == id) {
            *ev_out = ev;
            *index_out = i;
            return h;
        }
    }
    sbx_pl_reply_detail(res, 404, "Not found.");
    return NULL;
}

void sbx_pl_h_hook_get(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev;
    size_t i;
    json_t *h = req_hook(p, req, res, &ev, &i);
    if (h)
        sbx_pl_reply(res, 200, json_deep_copy(h));
}

void sbx_pl_h_hook_put(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev;
    size_t i;
    json_t *h = req_hook(p, req, res, &ev, &i);
    json_t *body = h ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    json_t *errors = hook_validate(body);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        json_object_set_new(h, "action", json_string(jsonx_str(body, "action")));
        json_object_set_new(h, "endpoint", json_string(jsonx_str(body, "endpoint")));
        sbx_pl_reply(res, 200, json_deep_copy(h));
    }
    json_decref(body);
}

void sbx_pl_h_hook_delete(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev;
    size_t i;
    if (!req_hook(p, req, res, &ev, &i))
        return;
    json_array_remove(ev->hooks, i);
    sbx_pl_reply_no_content(res);
}
