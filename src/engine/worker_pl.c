/* worker_pl.c: PheedLoop operations: update an attendee (its tags and metadata rebased on the
 * record as it is now, since PATCH replaces them whole), create one (safe to repeat: an
 * operation in doubt looks the email up in the event first), delete one. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

static work_outcome failed(work_ctx *w, pl_call *call, int rc, const err *e)
{
    return work_fail(w, rc, &call->error, call->maybe_applied, call->retry_after_ms, e);
}

static void set_request(work_ctx *w, const char *what, const char *event, const json_t *body)
{
    json_decref(w->request);
    w->request = json_pack("{s:s, s:s, s:O?}", "call", what, "event", event, "body", body);
}

/* ---------------------------------------------------------------- rebase */

static bool has_ci(const json_t *arr, const char *s)
{
    return s && jsonx_array_has_str_ci(arr, s);
}

/* The tags now, with what the plan added to and removed from the tags it read. */
static json_t *rebase_tags(const json_t *now, const json_t *base, const json_t *want)
{
    json_t *out = json_is_array(now) ? json_deep_copy(now) : json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(want, i, t)
    {
        const char *s = json_string_value(t);
        if (!has_ci(base, s) && !has_ci(out, s))
            json_array_append(out, (json_t *)(uintptr_t)t);
    }
    json_array_foreach(base, i, t)
    {
        const char *s = json_string_value(t);
        if (has_ci(want, s))
            continue;
        for (size_t k = json_array_size(out); k-- > 0;) {
            const char *o = json_string_value(json_array_get(out, k));
            if (o && s && strcasecmp(o, s) == 0)
                json_array_remove(out, k);
        }
    }
    return out;
}

/* Into now (an object, changed in place): the keys the plan changed from base to want. depth 1
 * goes one level into objects both sides have (metadata.highlevel). */
static void rebase_object(json_t *now, const json_t *base, const json_t *want, int depth)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)want, k, v)
    {
        const json_t *b = json_object_get(base, k);
        if (b && json_equal(b, v))
            continue;
        json_t *n = json_object_get(now, k);
        if (depth > 0 && json_is_object(v) && json_is_object(b) && json_is_object(n))
            rebase_object(n, b, v, depth - 1);
        else
            json_object_set(now, k, v);
    }
    json_object_foreach((json_t *)(uintptr_t)base, k, v)
    {
        if (!json_object_get(want, k))
            json_object_del(now, k);
    }
}

static json_t *rebase_metadata(const json_t *now, const json_t *base, const json_t *want)
{
    json_t *out = json_is_object(now) ? json_deep_copy(now) : json_object();
    json_t *b = json_is_object(base) ? (json_t *)(uintptr_t)base : NULL;
    json_t *empty = b ? NULL : json_object();
    if (json_is_object(want))
        rebase_object(out, b ? b : empty, want, 1);
    json_decref(empty);
    return out;
}

/* The PATCH body against the attendee as it is: only what the plan changed moves. */
static int rebased_body(json_t **out, work_ctx *w, pl_call *call, err *e)
{
    const json_t *body = json_object_get(w->payload, "body");
    const json_t *base = json_object_get(w->payload, "base");
    json_t *b = json_deep_copy(body);
    if (!json_object_size(base)) {
        *out = b;
        return 0;
    }
    pl_attendee now = {0};
    int rc = pl_client_get_attendee(&now, w->en->pl, jsonx_str(w->payload, "event"),
                                    jsonx_str(w->payload, "code"), call, e);
    if (rc != 0) {
        json_decref(b);
        return rc;
    }
    if (json_object_get(base, "tags"))
        json_object_set_new(
            b, "tags",
            rebase_tags(now.tags, json_object_get(base, "tags"), json_object_get(body, "tags")));
    if (json_object_get(base, "metadata"))
        json_object_set_new(b, "metadata",
                            rebase_metadata(now.metadata, json_object_get(base, "metadata"),
                                            json_object_get(body, "metadata")));
    pl_attendee_free(&now);
    *out = b;
    return 0;
}

/* ---------------------------------------------------------------- operations */

/* The person's tags on an attendee: its own and those kept in metadata.highlevel.tags. */
static json_t *person_tags(const json_t *tags, const json_t *metadata)
{
    json_t *all = json_array();
    const json_t *more = jsonx_path(metadata, "highlevel.tags");
    if (all && json_is_array(tags))
        json_array_extend(all, (json_t *)(uintptr_t)tags);
    if (all && json_is_array(more))
        json_array_extend(all, (json_t *)(uintptr_t)more);
    return all;
}

/* Every write is audited, also an update that only carries HighLevel activity (tasks, notes,
 * appointments, business in the metadata), which has no field shadow; a tag change as what
 * was added and removed. */
static void audit_update(work_ctx *w)
{
    const char *person = jsonx_str(w->payload, "person");
    if (!person || !*person)
        return;
    const json_t *body = json_object_get(w->payload, "body");
    const json_t *base = json_object_get(w->payload, "base");
    const json_t *fields = json_object_get(w->payload, "fields");
    const json_t *tags = json_object_get(body, "tags"), *meta = json_object_get(body, "metadata");
    json_t *was = person_tags(json_object_get(base, "tags"), json_object_get(base, "metadata"));
    json_t *now = person_tags(tags ? tags : json_object_get(base, "tags"),
                              meta ? meta : json_object_get(base, "metadata"));
    json_t *after = json_deep_copy(body), *f = fields ? json_deep_copy(fields) : json_array();
    json_t *before = NULL;
    if (after && f && was && now)
        sync_audit_tags(&before, after, f, was, now);
    bool activity_only = json_is_null(json_object_get(w->payload, "shadow"));
    work_add_audit_change(w, person, "ghl_to_pheedloop", f, before, after,
                          activity_only ? "HighLevel activity kept on the attendee" : "synced");
    json_decref(was);
    json_decref(now);
}

static work_outcome update_attendee(work_ctx *w)
{
    const char *event = jsonx_str(w->payload, "event"), *code = jsonx_str(w->payload, "code");
    const char *key = jsonx_str(w->payload, "key");
    err e = {0};
    pl_call call = {.lane = w->lane};
    json_t *body = NULL;
    int rc = rebased_body(&body, w, &call, &e);
    pl_attendee a = {0};
    if (rc == 0) {
        set_request(w, "update-attendee", event, body);
        call = (pl_call){.lane = w->lane};
        rc = pl_client_update_attendee(&a, w->en->pl, event, code, body, &call, &e);
    }
    json_decref(body);
    if (rc == ERR_NOT_FOUND) {
        log_warnf("attendee %s is gone; its update is dropped", key);
        return WORK_DONE;
    }
    if (rc != 0)
        return failed(w, &call, rc, &e);
    work_outcome out = WORK_DONE;
    if (work_add_shadow(w, SIDE_PL, key, json_object_get(w->payload, "shadow")) != 0 ||
        work_remember(w, "attendee", key, a.raw) != 0)
        out = work_fail_msg(w, true, "nomem", "out of memory");
    if (out == WORK_DONE)
        audit_update(w);
    pl_attendee_free(&a);
    return out;
}

/* A create of a rule (F4): in doubt, the event's attendee with this email is the one the lost
 * attempt made. */
static work_outcome create_attendee(work_ctx *w)
{
    const char *event = jsonx_str(w->payload, "event");
    const char *email = jsonx_str(w->payload, "email");
    err e = {0};
    pl_call call = {.lane = w->lane};
    pl_attendee a = {0};
    int rc = ERR_NOT_FOUND;
    if (w->op->in_doubt && email)
        rc = pl_client_find_attendee_by_email(&a, w->en->pl, event, email, &call, &e);
    if (rc == ERR_CONFLICT)
        return work_fail_msg(w, false, "ambiguous", e.msg);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return failed(w, &call, rc, &e);
    if (rc == ERR_NOT_FOUND) {
        const json_t *body = json_object_get(w->payload, "body");
        set_request(w, "create-attendee", event, body);
        call = (pl_call){.lane = w->lane};
        rc = pl_client_create_attendee(&a, w->en->pl, event, body, &call, &e);
        if (rc == ERR_CONFLICT) /* the email is in the event already: that attendee is it */
            rc = pl_client_find_attendee_by_email(&a, w->en->pl, event, email, &call, &e);
        if (rc != 0)
            return failed(w, &call, rc, &e);
    }
    char key[ENGINE_KEY_MAX];
    sync_key_pl(key, w->en->link.org_code, event, a.code);
    json_t *l = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s}", "location", w->en->link.location_id,
                          "contact", jsonx_str(w->payload, "contact_id"), "email", email, "org",
                          w->en->link.org_code, "event", event, "code", a.code);
    char ckey[ENGINE_KEY_MAX];
    sync_key_ghl(ckey, w->en->link.location_id, jsonx_str(w->payload, "contact_id"));
    work_outcome out = WORK_DONE;
    if (!l || json_array_append_new(w->links, l) != 0 ||
        work_remember(w, "attendee", key, a.raw) != 0 ||
        work_add_hint(w, ckey, "followup", NULL) != 0)
        out = work_fail_msg(w, true, "nomem", "out of memory");
    pl_attendee_free(&a);
    return out;
}

static work_outcome delete_attendee(work_ctx *w)
{
    err e = {0};
    pl_call call = {.lane = w->lane};
    int rc = pl_client_delete_attendee(w->en->pl, jsonx_str(w->payload, "event"),
                                       jsonx_str(w->payload, "code"), &call, &e);
    return rc == 0 || rc == ERR_NOT_FOUND ? WORK_DONE : failed(w, &call, rc, &e);
}

work_outcome worker_pl(work_ctx *w)
{
    const char *kind = w->op->kind;
    if (!strcmp(kind, "pl.update_attendee"))
        return update_attendee(w);
    if (!strcmp(kind, "pl.create_attendee"))
        return create_attendee(w);
    if (!strcmp(kind, "pl.delete_attendee"))
        return delete_attendee(w);
    if (!strcmp(kind, "pl.reminders"))
        return worker_reminders(w);
    if (!strcmp(kind, "pl.announce"))
        return worker_announce(w);
    return work_fail_msg(w, false, "unknown", "unknown operation kind");
}
