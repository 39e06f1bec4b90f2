/* plan.c: the plan of one record key (operations, shadows, links, audit entries, follow-up
 * hints, held deletes) and its commit: all of it and the inbox ack in one transaction, so that a
 * crash leaves either the hint or its whole plan. A dry run prints the plan instead. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

int plan_init(plan *p, err *e)
{
    *p = (plan){json_array(), json_array(), json_array(), json_array(),
                json_array(), json_array(), json_array(), 0};
    if (!p->ops || !p->shadows || !p->links || !p->unlinks || !p->audits || !p->hints ||
        !p->helds) {
        plan_clear(p);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

void plan_clear(plan *p)
{
    json_decref(p->ops);
    json_decref(p->shadows);
    json_decref(p->links);
    json_decref(p->unlinks);
    json_decref(p->audits);
    json_decref(p->hints);
    json_decref(p->helds);
    memset(p, 0, sizeof *p);
}

static int append(json_t *arr, json_t *item, err *e)
{
    if (!item || json_array_append_new(arr, item) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

int plan_op(plan *p, const char *service, const char *account, const char *kind,
            const char *record_key, json_t *payload, const char *idem, int lane, err *e)
{
    if (!payload)
        return err_set(e, ERR_NOMEM, "out of memory");
    json_t *op = json_pack("{s:s, s:s, s:s, s:s, s:o, s:i, s:I}", "service", service, "account",
                           account, "kind", kind, "record_key", record_key, "payload", payload,
                           "lane", lane, "seq", (json_int_t)p->n_seq++);
    if (op && idem)
        json_object_set_new(op, "idem", json_string(idem));
    return append(p->ops, op, e);
}

int plan_shadow(plan *p, const char *side, const char *key, json_t *body, err *e)
{
    if (!body)
        return err_set(e, ERR_NOMEM, "out of memory");
    return append(p->shadows, json_pack("{s:s, s:s, s:o}", "side", side, "key", key, "body", body),
                  e);
}

int plan_audit(plan *p, const char *person, const char *direction, json_t *fields, json_t *before,
               json_t *after, const char *reason, err *e)
{
    json_t *a =
        json_pack("{s:s, s:s, s:o, s:o, s:o, s:s}", "person", person, "direction", direction,
                  "fields", fields ? fields : json_array(), "before", before ? before : json_null(),
                  "after", after ? after : json_null(), "reason", reason);
    return append(p->audits, a, e);
}

/* A write's tag change in its audit entry: after (the body as written, a copy) holds the
 * change ("tags": {"added", "removed"}) in place of the tag list, *before (NULL when nothing
 * changed) the set it replaced, and fields names "tags". */
int sync_audit_tags(json_t **before, json_t *after, json_t *fields, const json_t *was,
                    const json_t *now)
{
    *before = NULL;
    json_t *change = core_tags_change(was, now);
    if (!change) {
        json_object_del(after, "tags");
        return 0;
    }
    json_t *set = core_tags_normalize(was);
    *before = set ? json_pack("{s:o}", "tags", set) : NULL;
    if (!*before) {
        json_decref(change);
        return ERR_NOMEM;
    }
    if (json_object_set_new(after, "tags", change) != 0)
        return ERR_NOMEM;
    if (!jsonx_array_has_str(fields, "tags"))
        json_array_append_new(fields, json_string("tags"));
    return 0;
}

/* ---------------------------------------------------------------- commit */

static char *dump_or_null(const json_t *j)
{
    return j && !json_is_null(j) ? jsonx_dumps(j) : NULL;
}

int sync_op_pairs(json_t **out, const char *kind, const json_t *payload)
{
    json_t *pairs = json_array();
    if (!pairs)
        return ERR_NOMEM;
    if (!strcmp(kind, "ghl.update_contact")) {
        size_t i;
        const json_t *pr;
        json_array_foreach(json_object_get(payload, "pairs"), i, pr) json_array_append_new(
            pairs, json_pack("[s, s]", SIDE_PENDING_GHL, jsonx_str(pr, "key")));
    } else if (!strcmp(kind, "ghl.create_contact") && jsonx_str(payload, "key")) {
        json_array_append_new(pairs,
                              json_pack("[s, s]", SIDE_PENDING_GHL, jsonx_str(payload, "key")));
    } else if (!strcmp(kind, "pl.update_attendee") && jsonx_str(payload, "key") &&
               !json_is_null(json_object_get(payload, "shadow"))) {
        json_array_append_new(pairs,
                              json_pack("[s, s]", SIDE_PENDING_PL, jsonx_str(payload, "key")));
    }
    *out = pairs;
    return 0;
}

int sync_pending_set(store *s, const char *kind, const json_t *payload, bool on, int64_t now,
                     err *e)
{
    json_t *pairs = NULL;
    if (sync_op_pairs(&pairs, kind, payload) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    char body[64];
    snprintf(body, sizeof body, "{\"since\": %lld}", (long long)now);
    int rc = 0;
    size_t i;
    const json_t *pr;
    json_array_foreach(pairs, i, pr)
    {
        const char *side = json_string_value(json_array_get(pr, 0));
        const char *key = json_string_value(json_array_get(pr, 1));
        if (rc == 0 && side && key) {
            rc = on ? store_shadow_put(NULL, s, side, key, body, NULL, -1, e)
                    : store_shadow_delete(s, side, key, e);
            rc = rc == ERR_NOT_FOUND ? 0 : rc;
        }
    }
    json_decref(pairs);
    return rc;
}

bool sync_pending(engine *en, const char *key, int64_t now)
{
    for (int k = 0; k < 2; k++) {
        json_t *j = sync_shadow_json(en, k ? SIDE_PENDING_PL : SIDE_PENDING_GHL, key);
        int64_t since = jsonx_int(j, "since", 0);
        json_decref(j);
        if (since && now - since < PENDING_STALE_MS)
            return true;
    }
    return false;
}

static int commit_ops(plan_ctx *c, const store_hint *h, const plan *p, err *e)
{
    size_t i;
    const json_t *op;
    json_array_foreach(p->ops, i, op)
    {
        char idem[ENGINE_KEY_MAX + 64];
        const char *given = jsonx_str(op, "idem");
        if (given)
            snprintf(idem, sizeof idem, "%s", given);
        else /* hint ids may be used again once the inbox empties: the times tell apart */
            snprintf(idem, sizeof idem, "%s#%lld#%lld#%lld#%lld", h ? h->record_key : "-",
                     h ? (long long)h->last_id : 0LL, h ? (long long)h->received_ms : 0LL,
                     (long long)c->now_ms, (long long)jsonx_int(op, "seq", 0));
        char *payload = jsonx_dumps(json_object_get(op, "payload"));
        store_op_new n = {.service = jsonx_str(op, "service"),
                          .account = jsonx_str(op, "account"),
                          .kind = jsonx_str(op, "kind"),
                          .record_key = jsonx_str(op, "record_key"),
                          .payload = payload,
                          .idem_key = idem,
                          .lane = (int)jsonx_int(op, "lane", STORE_LANE_LIVE)};
        int64_t id;
        bool dup = false;
        int rc = payload ? store_outbox_enqueue(&id, &dup, c->en->store, &n, e)
                         : err_set(e, ERR_NOMEM, "out of memory");
        free(payload);
        if (rc == 0 && !dup && c->snap && c->queued)
            json_array_append_new(
                c->queued, json_pack("[I, O]", (json_int_t)id, json_object_get(op, "payload")));
        if (rc == 0 && !dup)
            rc = sync_pending_set(c->en->store, n.kind, json_object_get(op, "payload"), true,
                                  c->now_ms, e);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Plan-time shadows keep the write mark of the shadow they replace (see sync_records.c). */
static int commit_shadows(plan_ctx *c, const plan *p, err *e)
{
    size_t i;
    const json_t *sh;
    json_array_foreach(p->shadows, i, sh)
    {
        const char *side = jsonx_str(sh, "side"), *key = jsonx_str(sh, "key");
        char *body = jsonx_dumps(json_object_get(sh, "body"));
        if (!body)
            return err_set(e, ERR_NOMEM, "out of memory");
        store_shadow *old = NULL;
        err e2 = {0};
        char hash[32] = "";
        bool same = false;
        if (store_shadow_get(&old, c->en->store, side, key, &e2) == 0) {
            if (old->hash)
                snprintf(hash, sizeof hash, "%s", old->hash);
            same = strcmp(old->body, body) == 0;
        }
        store_shadow_free(old);
        int rc = same ? 0
                      : store_shadow_put(NULL, c->en->store, side, key, body, *hash ? hash : NULL,
                                         -1, e);
        free(body);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Links a contact and an attendee: a new link, or the attendee joins the contact's link. */
int sync_link_join(store *s, const json_t *l, err *e)
{
    const char *loc = jsonx_str(l, "location"), *contact = jsonx_str(l, "contact");
    store_link *have = NULL;
    int64_t id;
    int rc = store_link_by_contact(&have, s, loc, contact, e);
    if (rc == 0) {
        id = have->id;
        store_link_free(have);
    } else if (rc == ERR_NOT_FOUND) {
        rc = store_link_create(&id, s, loc, contact, jsonx_str(l, "email"), jsonx_str(l, "phone"),
                               e);
    }
    if (rc != 0 || !jsonx_str(l, "code"))
        return rc;
    return store_link_add_attendee(s, id, jsonx_str(l, "org"), jsonx_str(l, "event"),
                                   jsonx_str(l, "code"), e);
}

static int commit_links(plan_ctx *c, const plan *p, err *e)
{
    size_t i;
    const json_t *l;
    json_array_foreach(p->links, i, l)
    {
        int rc = sync_link_join(c->en->store, l, e);
        if (rc != 0)
            return rc;
    }
    json_array_foreach(p->unlinks, i, l)
    {
        const char *reason = jsonx_str(l, "reason");
        int rc =
            jsonx_str(l, "code")
                ? store_link_unlink_attendee(c->en->store, jsonx_str(l, "org"),
                                             jsonx_str(l, "event"), jsonx_str(l, "code"), reason, e)
                : store_link_unlink(c->en->store, jsonx_int(l, "link_id", 0), reason, e);
        if (rc != 0 && rc != ERR_NOT_FOUND)
            return rc;
    }
    return 0;
}

static int commit_audits(plan_ctx *c, const plan *p, err *e)
{
    size_t i;
    const json_t *a;
    json_array_foreach(p->audits, i, a)
    {
        char *fields = jsonx_dumps(json_object_get(a, "fields"));
        char *before = dump_or_null(json_object_get(a, "before"));
        char *after = dump_or_null(json_object_get(a, "after"));
        store_audit_new n = {.person_key = jsonx_str(a, "person"),
                             .direction = jsonx_str(a, "direction"),
                             .fields = fields,
                             .before = before,
                             .after = after,
                             .reason = jsonx_str(a, "reason")};
        int rc = fields ? store_audit_append(NULL, c->en->store, &n, e)
                        : err_set(e, ERR_NOMEM, "out of memory");
        free(fields);
        free(before);
        free(after);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int sync_append_hints(store *s, const json_t *hints, err *e)
{
    size_t i;
    const json_t *h;
    json_array_foreach(hints, i, h)
    {
        char *payload = jsonx_dumps(json_object_get(h, "payload"));
        store_hint_new n = {.source = jsonx_str(h, "source"),
                            .kind = jsonx_str(h, "kind"),
                            .record_key = jsonx_str(h, "key"),
                            .payload = payload ? payload : "{}",
                            .delay_ms = 0};
        int rc = store_inbox_append(NULL, s, &n, e);
        free(payload);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int commit_helds(plan_ctx *c, const plan *p, err *e)
{
    size_t i;
    const json_t *h;
    json_array_foreach(p->helds, i, h)
    {
        char *payload = jsonx_dumps(json_object_get(h, "payload"));
        store_held_new n = {.batch = jsonx_str(h, "batch"),
                            .side = jsonx_str(h, "side"),
                            .record_key = jsonx_str(h, "key"),
                            .link_id = jsonx_int(h, "link_id", 0),
                            .reason = jsonx_str(h, "reason"),
                            .payload = payload};
        int64_t id;
        int rc = payload ? store_held_create(&id, NULL, c->en->store, &n, e)
                         : err_set(e, ERR_NOMEM, "out of memory");
        free(payload);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void print_plan(plan_ctx *c, const store_hint *h, const plan *p)
{
    FILE *out = c->out ? c->out : stdout;
    size_t i;
    const json_t *op;
    json_array_foreach(p->ops, i, op)
    {
        char *payload = jsonx_dumps(json_object_get(op, "payload"));
        fprintf(out, "%s %s %s\n", jsonx_str(op, "kind"), jsonx_str(op, "record_key"),
                payload ? payload : "");
        free(payload);
        c->dry_ops++;
    }
    json_array_foreach(p->links, i, op)
    {
        fprintf(out, "link %s %s:%s\n", jsonx_str(op, "contact"), jsonx_str(op, "event"),
                jsonx_str(op, "code"));
    }
    json_array_foreach(p->helds, i, op)
    {
        fprintf(out, "hold delete %s %s\n", jsonx_str(op, "side"), jsonx_str(op, "key"));
    }
    (void)h;
}

/* Writes the plan (inside the caller's transaction) and acks its hint (NULL: none). */
int plan_apply(plan_ctx *c, const store_hint *h, plan *p, err *e)
{
    store *s = c->en->store;
    int rc = commit_links(c, p, e);
    if (rc == 0)
        rc = commit_shadows(c, p, e);
    if (rc == 0)
        rc = commit_ops(c, h, p, e);
    if (rc == 0)
        rc = commit_audits(c, p, e);
    if (rc == 0)
        rc = sync_append_hints(s, p->hints, e);
    if (rc == 0)
        rc = commit_helds(c, p, e);
    if (rc == 0 && h)
        rc = store_inbox_ack(s, h, e);
    return rc;
}

int plan_commit(plan_ctx *c, const store_hint *h, plan *p, err *e)
{
    if (c->dry) {
        print_plan(c, h, p);
        return 0;
    }
    store *s = c->en->store;
    int rc = store_begin(s, e);
    if (rc != 0)
        return rc;
    rc = plan_apply(c, h, p, e);
    if (rc == 0)
        return store_commit(s, e);
    err e2 = {0};
    store_rollback(s, &e2);
    return rc;
}
