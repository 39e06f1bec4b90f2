/* admin_http_lists.c: the operator's lists (recent activity, dead letters, held deletes) and
 * actions (replay, drop, approve, reject). */
#include "ops/admin_http_int.h"
#include "util/jsonx.h"
#include "util/log.h"

/* A JSON text from the store as a value (the store checked it); null when absent. */
static json_t *parsed(const char *text)
{
    json_t *j = NULL;
    if (!text || jsonx_parse(&j, text, strlen(text), "stored JSON", NULL) != 0)
        return json_null();
    return j;
}

/* ------------------------------------------------------------------ lists */

typedef struct list_ctx {
    size_t max;
    json_t *items; /* out */
} list_ctx;

static json_t *audit_json(const store_audit_entry *a)
{
    return json_pack("{s:I, s:o, s:s, s:s, s:o, s:s}", "id", (json_int_t)a->id, "at",
                     ops_admin_iso(a->at_ms), "person", a->person_key, "direction", a->direction,
                     "fields", parsed(a->fields), "reason", a->reason);
}

static int list_activity(ops_admin *a, void *ctx, err *e)
{
    list_ctx *c = ctx;
    store_audit_entries list = {0};
    int rc = store_audit_recent(&list, a->store, 0, c->max, e);
    for (size_t i = 0; rc == 0 && i < list.n; i++)
        json_array_append_new(c->items, audit_json(&list.v[i]));
    store_audit_entries_free(&list);
    return rc;
}

static json_t *dead_json(const store_dead *d)
{
    const store_op *op = &d->op;
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:o, s:o, s:b}", "id",
                     (json_int_t)op->id, "service", op->service, "account", op->account, "kind",
                     op->kind, "record_key", op->record_key, "attempts", op->attempts,
                     "error_class", d->error_class, "message", d->message, "dead_at",
                     ops_admin_iso(d->dead_ms), "created_at", ops_admin_iso(op->created_ms),
                     "in_doubt", op->in_doubt);
}

static int list_dead(ops_admin *a, void *ctx, err *e)
{
    list_ctx *c = ctx;
    store_deads list = {0};
    int rc = store_dead_list(&list, a->store, 0, c->max, e);
    for (size_t i = 0; rc == 0 && i < list.n; i++)
        json_array_append_new(c->items, dead_json(&list.v[i]));
    store_deads_free(&list);
    return rc;
}

static json_t *held_json(const store_held *h)
{
    return json_pack("{s:I, s:s?, s:s, s:s, s:I, s:s, s:o, s:o}", "id", (json_int_t)h->id, "batch",
                     h->batch, "side", h->side, "record_key", h->record_key, "link_id",
                     (json_int_t)h->link_id, "reason", h->reason, "payload", parsed(h->payload),
                     "created_at", ops_admin_iso(h->created_ms));
}

static int list_held(ops_admin *a, void *ctx, err *e)
{
    list_ctx *c = ctx;
    store_helds list = {0};
    int rc = store_held_list(&list, a->store, STORE_HELD_PENDING, 0, c->max, e);
    for (size_t i = 0; rc == 0 && i < list.n; i++)
        json_array_append_new(c->items, held_json(&list.v[i]));
    store_helds_free(&list);
    return rc;
}

static void serve_list(ops_admin *a, const http_request *req, http_response *res,
                       ops_admin_store_fn fn, size_t def, size_t max)
{
    if (!ops_admin_authorized(a, req, res, false))
        return;
    list_ctx c = {.max = ops_admin_limit(req, def, max), .items = json_array()};
    err e = {0};
    int rc =
        c.items ? ops_admin_with_store(a, fn, &c, &e) : err_set(&e, ERR_NOMEM, "out of memory");
    if (rc != 0) {
        json_decref(c.items);
        ops_admin_fail(res, rc, &e);
        return;
    }
    ops_admin_answer(res, json_pack("{s:b, s:o}", "ok", 1, "items", c.items));
}

static void h_activity(void *ctx, const http_request *req, http_response *res)
{
    serve_list(ctx, req, res, list_activity, 50, 200);
}

static void h_dlq(void *ctx, const http_request *req, http_response *res)
{
    serve_list(ctx, req, res, list_dead, 100, 500);
}

static void h_held(void *ctx, const http_request *req, http_response *res)
{
    serve_list(ctx, req, res, list_held, 100, 500);
}

/* ------------------------------------------------------------------ actions */

typedef enum action { REPLAY, DROP, APPROVE, REJECT } action;

static const char *const action_names[] = {"replay", "drop", "approve", "reject"};

typedef struct action_ctx {
    action what;
    int64_t id;
    char by[96];
} action_ctx;

static int act(ops_admin *a, void *ctx, err *e)
{
    action_ctx *c = ctx;
    switch (c->what) {
    case REPLAY:
        return store_dead_replay(a->store, c->id, e);
    case DROP:
        return store_dead_drop(a->store, c->id, e);
    case APPROVE:
        return store_held_approve(a->store, c->id, c->by, e);
    default:
        return store_held_reject(a->store, c->id, c->by, e);
    }
}

static void serve_action(ops_admin *a, const http_request *req, http_response *res, action what)
{
    if (!ops_admin_authorized(a, req, res, true))
        return;
    action_ctx c = {.what = what};
    snprintf(c.by, sizeof c.by, "status page (%s)", req->remote_addr ? req->remote_addr : "?");
    err e = {0};
    int rc = ops_admin_parse_id(&c.id, http_request_param(req, "id"), &e);
    if (rc == 0)
        rc = ops_admin_with_store(a, act, &c, &e);
    if (rc != 0) {
        ops_admin_fail(res, rc, &e);
        return;
    }
    bool dead = what == REPLAY || what == DROP;
    log_write(LOG_INFO, dead ? "dead letter resolved" : "held delete decided",
              json_pack("{s:I, s:s, s:s}", "id", (json_int_t)c.id, "action", action_names[what],
                        "by", c.by));
    if (a->o.watch)
        ops_watch_kick(a->o.watch);
    ops_admin_answer(res, json_pack("{s:b, s:I, s:s}", "ok", 1, "id", (json_int_t)c.id, "action",
                                    action_names[what]));
}

static void h_replay(void *ctx, const http_request *req, http_response *res)
{
    serve_action(ctx, req, res, REPLAY);
}

static void h_drop(void *ctx, const http_request *req, http_response *res)
{
    serve_action(ctx, req, res, DROP);
}

static void h_approve(void *ctx, const http_request *req, http_response *res)
{
    serve_action(ctx, req, res, APPROVE);
}

static void h_reject(void *ctx, const http_request *req, http_response *res)
{
    serve_action(ctx, req, res, REJECT);
}

int ops_admin_mount_lists(ops_admin *a, http_server *srv)
{
    static const struct {
        const char *method, *pattern, *name;
        http_handler fn;
    } routes[] = {
        {"GET", "/api/activity", "api-activity", h_activity},
        {"GET", "/api/dlq", "api-dlq", h_dlq},
        {"GET", "/api/held", "api-held", h_held},
        {"POST", "/api/dlq/{id}/replay", "api-dlq-replay", h_replay},
        {"POST", "/api/dlq/{id}/drop", "api-dlq-drop", h_drop},
        {"POST", "/api/held/{id}/approve", "api-held-approve", h_approve},
        {"POST", "/api/held/{id}/reject", "api-held-reject", h_reject},
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < PS_ARRAY_LEN(routes); i++)
        rc = http_server_route(srv, routes[i].method, routes[i].pattern, routes[i].name,
                               routes[i].fn, a);
    return rc;
}
