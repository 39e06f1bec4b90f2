/* worker.c: the workers: claim a batch of operations and store every intent (one transaction),
 * run the calls, then write each outcome with its effects (links, shadows, follow-up hints,
 * audit entries) in one transaction: done, retried with exponential backoff and jitter, or a
 * dead letter with its error and its request. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"
#include "util/rng.h"

#define BACKOFF_BASE_MS 500
#define BACKOFF_CAP_MS 60000
#define HELD_RETRY_MS 60000
/* Calls that keep failing transiently end as dead letters after this many attempts. */
#define MAX_ATTEMPTS 10

int work_remember(work_ctx *w, const char *type, const char *key, const json_t *record)
{
    if (!w->snap || !key)
        return 0;
    json_t *r = json_pack("{s:s, s:s, s:O}", "type", type, "key", key, "record", record);
    return r && json_array_append_new(w->remember, r) == 0 ? 0 : ERR_NOMEM;
}

/* Once the outcome is committed, the pass's snapshot holds the records as our writes left them,
 * read after the write marks of this batch. */
static void apply_remember(work_ctx *w, int64_t marks_ms)
{
    size_t i;
    const json_t *r;
    json_array_foreach(w->remember, i, r)
    {
        const json_t *rec = json_object_get(r, "record");
        if (!strcmp(jsonx_str(r, "type"), "contact"))
            snap_add_contact(w->snap, rec, marks_ms + 1);
        else
            snap_add_attendee(w->snap, jsonx_str(r, "key"), rec, marks_ms + 1);
    }
}

static void work_clear(work_ctx *w)
{
    json_decref(w->remember);
    json_decref(w->payload);
    json_decref(w->request);
    json_decref(w->shadows);
    json_decref(w->hints);
    json_decref(w->links);
    json_decref(w->audits);
}

int work_add_shadow(work_ctx *w, const char *side, const char *key, const json_t *body)
{
    json_t *s = json_pack("{s:s, s:s, s:O}", "side", side, "key", key, "body", body);
    return s && json_array_append_new(w->shadows, s) == 0 ? 0 : ERR_NOMEM;
}

int work_add_hint(work_ctx *w, const char *key, const char *kind, json_t *payload)
{
    const char *source = w->op->lane == STORE_LANE_LIVE       ? "engine"
                         : w->op->lane == STORE_LANE_BACKFILL ? "backfill"
                                                              : "reconcile";
    json_t *h = json_pack("{s:s, s:s, s:s, s:o}", "key", key, "kind", kind, "source", source,
                          "payload", payload ? payload : json_object());
    return h && json_array_append_new(w->hints, h) == 0 ? 0 : ERR_NOMEM;
}

int work_add_audit(work_ctx *w, const char *person, const char *direction, json_t *fields,
                   json_t *after, const char *reason)
{
    return work_add_audit_change(w, person, direction, fields, NULL, after, reason);
}

int work_add_audit_change(work_ctx *w, const char *person, const char *direction, json_t *fields,
                          json_t *before, json_t *after, const char *reason)
{
    json_t *a =
        json_pack("{s:s, s:s, s:o, s:o, s:o, s:s}", "person", person, "direction", direction,
                  "fields", fields ? fields : json_array(), "before", before ? before : json_null(),
                  "after", after ? after : json_null(), "reason", reason);
    return a && json_array_append_new(w->audits, a) == 0 ? 0 : ERR_NOMEM;
}

work_outcome work_fail_msg(work_ctx *w, bool transient, const char *cls, const char *msg)
{
    snprintf(w->error_class, sizeof w->error_class, "%s", cls);
    snprintf(w->message, sizeof w->message, "%s", msg);
    return transient ? WORK_RETRY : WORK_DEAD;
}

work_outcome work_fail(work_ctx *w, int rc, const api_error *ae, bool maybe_applied,
                       int64_t retry_after_ms, const err *e)
{
    w->maybe_applied |= maybe_applied;
    if (retry_after_ms > w->retry_after_ms)
        w->retry_after_ms = retry_after_ms;
    api_error_kind k = ae ? ae->kind : API_OK;
    bool transient;
    char cls[48];
    if (k != API_OK) {
        transient = api_error_is_retryable(k) || k == API_ERR_AUTH;
        if (ae->status)
            snprintf(cls, sizeof cls, "http_%d", ae->status);
        else
            snprintf(cls, sizeof cls, "%s", api_error_kind_name(k));
    } else {
        transient = sync_transient(rc);
        snprintf(cls, sizeof cls, "%s", err_code_name(rc));
    }
    return work_fail_msg(w, transient, cls, e ? e->msg : "failed");
}

/* ---------------------------------------------------------------- effects */

static int put_shadows(store *s, const json_t *shadows, int64_t now, err *e)
{
    char mark[32];
    snprintf(mark, sizeof mark, "w%lld", (long long)now);
    size_t i;
    const json_t *sh;
    json_array_foreach(shadows, i, sh)
    {
        const json_t *body = json_object_get(sh, "body");
        const char *side = jsonx_str(sh, "side"), *key = jsonx_str(sh, "key");
        char *text = NULL;
        if (json_is_null(body)) {
            /* Only the mark: the record was written, its synced state stays. */
            store_shadow *old = NULL;
            err e2 = {0};
            if (store_shadow_get(&old, s, side, key, &e2) == 0)
                text = strdup(old->body);
            store_shadow_free(old);
            if (!text)
                continue;
        } else {
            text = jsonx_dumps(body);
        }
        int rc = text ? store_shadow_put(NULL, s, side, key, text, mark, -1, e)
                      : err_set(e, ERR_NOMEM, "out of memory");
        free(text);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int put_audits(store *s, const json_t *audits, err *e)
{
    size_t i;
    const json_t *a;
    json_array_foreach(audits, i, a)
    {
        char *fields = jsonx_dumps(json_object_get(a, "fields"));
        const json_t *after = json_object_get(a, "after");
        const json_t *before = json_object_get(a, "before");
        char *after_text = after && !json_is_null(after) ? jsonx_dumps(after) : NULL;
        char *before_text = before && !json_is_null(before) ? jsonx_dumps(before) : NULL;
        store_audit_new n = {.person_key = jsonx_str(a, "person"),
                             .direction = jsonx_str(a, "direction"),
                             .fields = fields ? fields : "[]",
                             .before = before_text,
                             .after = after_text,
                             .reason = jsonx_str(a, "reason")};
        int rc = store_audit_append(NULL, s, &n, e);
        free(fields);
        free(before_text);
        free(after_text);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int64_t backoff_ms(const work_ctx *w, rng *r)
{
    int shift = w->op->attempts > 0 ? w->op->attempts - 1 : 0;
    int64_t d = shift > 16 ? BACKOFF_CAP_MS : (int64_t)BACKOFF_BASE_MS << shift;
    if (d > BACKOFF_CAP_MS)
        d = BACKOFF_CAP_MS;
    d = d / 2 + (int64_t)rng_below(r, (uint64_t)d); /* jitter: half to one and a half */
    if (w->retry_after_ms > d)
        d = w->retry_after_ms;
    return d;
}

/* Writes one outcome (inside the batch's transaction). */
static int settle(engine *en, work_ctx *w, work_outcome out, int64_t now, rng *r, err *e)
{
    store *s = en->store;
    if (out == WORK_RETRY && w->op->attempts >= MAX_ATTEMPTS) {
        out = WORK_DEAD;
        char msg[sizeof w->message + 64];
        snprintf(msg, sizeof msg, "gave up after %d attempts: %s", w->op->attempts, w->message);
        snprintf(w->message, sizeof w->message, "%.*s", (int)sizeof w->message - 1, msg);
    }
    if (out == WORK_DONE) {
        int rc = 0;
        size_t i;
        const json_t *l;
        json_array_foreach(w->links, i, l)
        {
            if (rc == 0)
                rc = sync_link_join(s, l, e);
        }
        if (rc == 0)
            rc = put_shadows(s, w->shadows, now, e);
        if (rc == 0)
            rc = sync_append_hints(s, w->hints, e);
        if (rc == 0)
            rc = put_audits(s, w->audits, e);
        if (rc == 0)
            rc = sync_pending_set(s, w->op->kind, w->payload, false, now, e);
        return rc == 0 ? store_outbox_complete(s, w->op, e) : rc;
    }
    if (out == WORK_RETRY) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: %s", w->error_class, w->message);
        return store_outbox_retry(s, w->op, now + backoff_ms(w, r), msg, w->maybe_applied, e);
    }
    char *req = w->request ? jsonx_dumps(w->request) : NULL;
    log_warnf("operation %lld (%s %s) is a dead letter: %s %s", (long long)w->op->id, w->op->kind,
              w->op->record_key, w->error_class, w->message);
    int rc = store_outbox_dead(s, w->op, w->error_class, w->message, req, e);
    free(req);
    if (rc == 0 && w->payload)
        rc = sync_pending_set(s, w->op->kind, w->payload, false, now, e);
    return rc;
}

static void count(work_stats *stats, const work_ctx *w, work_outcome out)
{
    if (!stats)
        return;
    bool exhausted = out == WORK_RETRY && w->op->attempts >= MAX_ATTEMPTS;
    stats->done += out == WORK_DONE;
    stats->retried += out == WORK_RETRY && !exhausted;
    stats->dead += out == WORK_DEAD || exhausted;
}

/* Every outcome in one transaction; when a lease turned out lost, each in its own, so that the
 * lost one's effects are rolled back with it and the others still land. */
static int settle_all(engine *en, work_ctx *ws, work_outcome *outs, size_t n, int64_t now, rng *r,
                      work_stats *stats, err *e)
{
    int rc = store_begin(en->store, e);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = settle(en, &ws[i], outs[i], now, r, e);
    if (rc == 0)
        rc = store_commit(en->store, e);
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            count(stats, &ws[i], outs[i]);
        return 0;
    }
    err e2 = {0};
    store_rollback(en->store, &e2);
    if (rc != ERR_CONFLICT)
        return rc;
    for (size_t i = 0; i < n; i++) {
        rc = store_begin(en->store, e);
        if (rc == 0)
            rc = settle(en, &ws[i], outs[i], now, r, e);
        if (rc == 0)
            rc = store_commit(en->store, e);
        if (rc == 0) {
            count(stats, &ws[i], outs[i]);
            continue;
        }
        store_rollback(en->store, &e2);
        if (rc != ERR_CONFLICT)
            return rc;
        log_warnf("operation %lld: the lease was lost; its outcome is dropped",
                  (long long)ws[i].op->id);
        outs[i] = WORK_RETRY; /* nothing of it was written */
    }
    return 0;
}

static work_outcome run_one(work_ctx *w)
{
    if (!w->payload)
        return work_fail_msg(w, false, "payload", "the operation's payload is not JSON");
    if (!strcmp(w->op->service, "ghl"))
        return worker_ghl(w);
    if (!strcmp(w->op->service, "pheedloop"))
        return worker_pl(w);
    return work_fail_msg(w, false, "unknown", "unknown service");
}

/* Claims a batch and marks every intent in one transaction (one sync to disk). Whether an
 * operation is in doubt is what its claim said: the intent marks every one in doubt until it
 * is done. */
static int claim_with_intents(store_ops *ops, engine *en, size_t max, err *e)
{
    int rc = store_begin(en->store, e);
    if (rc == 0)
        rc = store_outbox_claim(ops, en->store, en->owner, ENGINE_WORK_LEASE_MS, NULL, max, e);
    bool *doubt = rc == 0 && ops->n ? calloc(ops->n, sizeof *doubt) : NULL;
    if (rc == 0 && ops->n && !doubt)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < ops->n; i++) {
        doubt[i] = ops->v[i].in_doubt;
        rc = store_outbox_intent(en->store, &ops->v[i], e);
    }
    for (size_t i = 0; rc == 0 && i < ops->n; i++)
        ops->v[i].in_doubt = doubt[i];
    free(doubt);
    if (rc == 0)
        rc = store_commit(en->store, e);
    if (rc == 0)
        return 0;
    err e2 = {0};
    store_rollback(en->store, &e2);
    store_ops_free(ops);
    return rc;
}

/* The operation's payload: as this pass's planner queued it, or parsed from the store. */
static json_t *payload_of(sync_snapshot *snap, const store_op *op)
{
    json_t *p = snap_take_payload(snap, op->id);
    return p ? p : json_loads(op->payload, 0, NULL);
}

int worker_run(engine *en, sync_settings *set, sync_snapshot *snap, size_t max, work_stats *stats,
               err *e)
{
    store_ops ops = {0};
    int rc = claim_with_intents(&ops, en, max, e);
    if (rc != 0 || ops.n == 0) {
        store_ops_free(&ops);
        return rc;
    }
    work_ctx *ws = calloc(ops.n, sizeof *ws);
    work_outcome *outs = calloc(ops.n, sizeof *outs);
    if (rc == 0 && (!ws || !outs))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < ops.n; i++) {
        work_ctx *w = &ws[i];
        *w = (work_ctx){.en = en,
                        .set = set,
                        .snap = snap,
                        .op = &ops.v[i],
                        .payload = payload_of(snap, &ops.v[i]),
                        .lane = sync_gov_lane(ops.v[i].lane),
                        .shadows = json_array(),
                        .hints = json_array(),
                        .links = json_array(),
                        .audits = json_array(),
                        .remember = json_array()};
        outs[i] = run_one(w);
    }
    rng r;
    rng_seed(&r, (uint64_t)clock_mono_ms(en->clock) ^ (uint64_t)ops.v[0].id);
    int64_t now = clock_now_ms(en->clock);
    if (rc == 0)
        rc = settle_all(en, ws, outs, ops.n, now, &r, stats, e);
    for (size_t i = 0; rc == 0 && i < ops.n; i++) {
        if (outs[i] == WORK_DONE)
            apply_remember(&ws[i], now);
    }
    if (stats && rc == 0)
        stats->claimed += ops.n;
    for (size_t i = 0; ws && i < ops.n; i++)
        work_clear(&ws[i]);
    free(ws);
    free(outs);
    store_ops_free(&ops);
    return rc;
}

int engine_work_some(engine *en, size_t max, size_t *out_done, err *e)
{
    sync_settings set;
    int rc = sync_settings_load(&set, en->cfg, e);
    if (rc != 0)
        return rc;
    work_stats st = {0};
    rc = worker_run(en, &set, NULL, max, &st, e);
    sync_settings_clear(&set);
    if (rc == 0)
        *out_done = st.claimed;
    return rc;
}
