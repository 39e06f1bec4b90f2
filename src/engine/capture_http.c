/* capture_http.c: the two webhook routes: check, classify, key, store, answer. */
#include "engine/capture_int.h"
#include "engine/engine.h"

#include <openssl/evp.h>

/* The outcome for a failed check. A refused signature may be a good one on an old stamp: the
 * caller tells by checking again at the delivery's own time (stale_at_own_time). */
static int refusal(int rc, bool stale_at_own_time)
{
    switch (rc) {
    case ERR_AUTH:
        return stale_at_own_time ? CAPTURE_STALE : CAPTURE_FORGED;
    case ERR_PARSE:
    case ERR_INVALID:
        return CAPTURE_MALFORMED;
    default:
        return CAPTURE_FAILED;
    }
}

/* Stores the hint and answers: 200 stored or duplicate, 429 when the store cannot take it
 * (HighLevel sends it again), 400 when the store refuses the payload itself. */
static void store_and_answer(capture *c, int src, const char *delivery_id, const store_hint_new *h,
                             http_response *res)
{
    err e = {0};
    int rc = capture_store_delivery(c, h->source, delivery_id, h, &e);
    if (rc == 0)
        capture_answer(c, src, CAPTURE_ACCEPTED, res, NULL);
    else if (rc == 1)
        capture_answer(c, src, CAPTURE_DUPLICATE, res, NULL);
    else if (rc == ERR_INVALID)
        capture_answer(c, src, CAPTURE_MALFORMED, res, e.msg);
    else
        capture_answer(c, src, CAPTURE_BUSY, res, e.msg);
}

/* "sha256:" + hex of the body: the delivery id of a delivery that names none, so that the same
 * body sent again dedupes. */
static int body_digest(char *out, size_t size, const void *body, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_Digest(body, len, md, &md_len, EVP_sha256(), NULL) != 1 || size < 8 + 2 * md_len)
        return ERR_CRYPTO;
    int n = snprintf(out, size, "sha256:");
    for (unsigned int i = 0; i < md_len; i++)
        n += snprintf(out + n, size - (size_t)n, "%02x", md[i]);
    return 0;
}

static bool ghl_stale(capture *c, const char *ed, const char *rsa, const http_request *req)
{
    ghl_hint h;
    if (ghl_webhook_parse(&h, (const char *)req->body, req->body_len, NULL) != 0 ||
        h.timestamp_ms == 0)
        return false;
    return ghl_webhook_verify(&h, NULL, c->ghl, ed, rsa, req->body, req->body_len, h.timestamp_ms,
                              NULL) == 0;
}

/* The link of a HighLevel delivery: its location's; one naming no location goes to the only
 * link with one. One link without a location takes every location, as a configuration without
 * [ghl] location_id always did. NULL: no link takes it. */
static const capture_route *ghl_route(const capture *c, const char *loc)
{
    const capture_route *only = NULL;
    size_t with_location = 0;
    for (size_t i = 0; i < c->n_routes; i++) {
        const capture_route *r = &c->routes[i];
        if (r->location_id && *loc && strcmp(r->location_id, loc) == 0)
            return r;
        if (r->location_id) {
            with_location++;
            only = r;
        }
    }
    if (!*loc)
        return with_location == 1 ? only : NULL;
    return c->n_routes == 1 && !c->routes[0].location_id ? &c->routes[0] : NULL;
}

static void on_ghl(void *ctx, const http_request *req, http_response *res)
{
    capture *c = ctx;
    const char *ed = http_request_header(req, GHL_WEBHOOK_ED25519_HEADER);
    const char *rsa = http_request_header(req, GHL_WEBHOOK_RSA_HEADER);
    ghl_hint h;
    err e = {0};
    int rc = ghl_webhook_verify(&h, NULL, c->ghl, ed, rsa, req->body, req->body_len,
                                clock_now_ms(c->clock), &e);
    if (rc != 0) {
        capture_answer(c, CAPTURE_SRC_GHL,
                       refusal(rc, rc == ERR_AUTH && ghl_stale(c, ed, rsa, req)), res, e.msg);
        return;
    }
    const capture_route *r = ghl_route(c, h.location_id);
    const char *loc = h.location_id[0] ? h.location_id : r ? r->location_id : NULL;
    char key[ENGINE_KEY_MAX];
    if (!r && h.location_id[0]) {
        capture_answer(c, CAPTURE_SRC_GHL, CAPTURE_IGNORED, res, "another location");
        return;
    }
    if (!loc || engine_key_ghl(key, loc, h.contact_id, NULL) != 0) {
        capture_answer(c, CAPTURE_SRC_GHL, CAPTURE_IGNORED, res, "names no contact");
        return;
    }
    char id[GHL_HINT_ID_MAX + 80];
    if (h.webhook_id[0])
        snprintf(id, sizeof id, "%s", h.webhook_id);
    else if (body_digest(id, sizeof id, req->body, req->body_len) != 0) {
        capture_answer(c, CAPTURE_SRC_GHL, CAPTURE_FAILED, res, "digest failed");
        return;
    }
    /* The verified body is a JSON object, so it holds no NUL byte: the server's terminating
     * NUL makes it the payload's text. */
    store_hint_new hint = {.source = "ghl",
                           .kind = h.type,
                           .record_key = key,
                           .payload = (const char *)req->body,
                           .delay_ms = c->coalesce_ms,
                           .link = r->name};
    store_and_answer(c, CAPTURE_SRC_GHL, id, &hint, res);
}

static bool pl_stale(const pl_webhook *w, const char *sig, const http_request *req)
{
    pl_webhook_hint h;
    if (pl_webhook_parse(&h, req->body, req->body_len, NULL) != 0 || h.timestamp_ms == 0)
        return false;
    return pl_webhook_verify(&h, w, sig, req->body, req->body_len, h.timestamp_ms, NULL) == 0;
}

/* The link of a PheedLoop delivery: the one with its event (read before the check, which needs
 * that link's secret); when organizations share the event's code, the one whose secret signed
 * it. NULL: no link has the event. */
static const capture_route *pl_route(const capture *c, const http_request *req, int64_t now)
{
    pl_webhook_hint h;
    if (pl_webhook_parse(&h, req->body, req->body_len, NULL) != 0)
        return NULL;
    const capture_route *first = NULL;
    size_t n = 0;
    for (size_t i = 0; i < c->n_routes; i++) {
        const capture_route *r = &c->routes[i];
        if (!r->pl || !capture_event_synced(r, h.event_code))
            continue;
        first = first ? first : r;
        n++;
    }
    for (size_t i = 0; n > 1 && i < c->n_routes; i++) {
        const capture_route *r = &c->routes[i];
        const char *sig = r->pl ? http_request_header(req, pl_webhook_header(r->pl)) : NULL;
        if (r->pl && capture_event_synced(r, h.event_code) &&
            pl_webhook_verify(&h, r->pl, sig, req->body, req->body_len, now, NULL) == 0)
            return r;
    }
    return first;
}

static void on_pl(void *ctx, const http_request *req, http_response *res)
{
    capture *c = ctx;
    int64_t now = clock_now_ms(c->clock);
    const capture_route *r = pl_route(c, req, now);
    const pl_webhook *w = r ? r->pl : c->pl;
    pl_webhook_hint h;
    err e = {0};
    int rc = pl_webhook_handle(&h, w, req, now, &e);
    if (rc != 0) {
        const char *sig = http_request_header(req, pl_webhook_header(w));
        capture_answer(c, CAPTURE_SRC_PL, refusal(rc, rc == ERR_AUTH && pl_stale(w, sig, req)), res,
                       e.msg);
        return;
    }
    char key[ENGINE_KEY_MAX];
    if (!r) {
        capture_answer(c, CAPTURE_SRC_PL, CAPTURE_IGNORED, res, "an event not synced");
        return;
    }
    if (engine_key_pl(key, r->org_code, h.event_code, h.attendee_code, NULL) != 0) {
        capture_answer(c, CAPTURE_SRC_PL, CAPTURE_IGNORED, res, "names no attendee");
        return;
    }
    store_hint_new hint = {.source = "pheedloop",
                           .kind = h.action,
                           .record_key = key,
                           .payload = (const char *)req->body,
                           .delay_ms = c->coalesce_ms,
                           .link = r->name};
    store_and_answer(c, CAPTURE_SRC_PL, h.delivery_id, &hint, res);
}

int capture_mount(capture *c, http_server *srv, err *e)
{
    int rc = 0;
    if (c->ghl)
        rc = http_server_route(srv, "POST", CAPTURE_GHL_PATH, "webhook-ghl", on_ghl, c);
    if (rc == 0 && c->pl)
        rc = http_server_route(srv, "POST", CAPTURE_PL_PATH, "webhook-pheedloop", on_pl, c);
    return rc != 0 ? err_set(e, rc, "capture: cannot route the webhook endpoints") : 0;
}
