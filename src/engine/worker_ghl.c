/* worker_ghl.c: HighLevel operations: create a contact (safe to repeat: an operation in doubt
 * looks the email up first, and the location's duplicate answer names the contact that already
 * exists), update its fields and tags, rule actions (tasks, notes, tags), delete. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

#define HELD_RETRY_MS 60000

typedef struct ghl_io {
    ghl_call call;
    ghl_op op;
} ghl_io;

static void io_init(ghl_io *io, work_ctx *w)
{
    memset(io, 0, sizeof *io);
    io->op = (ghl_op){.location_id = w->op->account, .lane = w->lane, .call = &io->call};
}

static work_outcome failed(work_ctx *w, ghl_io *io, int rc, const err *e)
{
    if (io->call.held)
        w->retry_after_ms = HELD_RETRY_MS;
    return work_fail(w, rc, &io->call.error, io->call.maybe_applied, io->call.retry_after_ms, e);
}

/* One raw call; *out (may be NULL) gets the answer parsed. */
static int call_json(json_t **out, work_ctx *w, ghl_io *io, const char *method, const char *path,
                     const json_t *body, http_idempotency idem, const char *label, err *e)
{
    char *text = NULL;
    size_t len = 0;
    io_init(io, w);
    json_decref(w->request);
    w->request = json_pack("{s:s, s:s, s:O?}", "method", method, "path", path, "body", body);
    int rc = ghl_client_call(&text, &len, w->en->ghl, &io->op, method, path, body, idem, label, e);
    if (rc == 0 && out)
        rc = jsonx_parse(out, text ? text : "{}", text ? len : 2, label, e);
    free(text);
    return rc;
}

static void remember_contact(work_ctx *w, const json_t *contact)
{
    if (json_is_object(contact))
        work_remember(w, "contact", jsonx_str(contact, "id"), contact);
}

/* The contact an operation is about: named, or found through the attendee's link (a rule that
 * ran before its contact existed). */
static bool contact_of(char *out, size_t n, work_ctx *w)
{
    const char *id = jsonx_str(w->payload, "contact_id");
    if (id && *id) {
        snprintf(out, n, "%s", id);
        return true;
    }
    char scratch[ENGINE_KEY_MAX];
    const char *parts[3];
    const char *key = jsonx_str(w->payload, "attendee_key");
    if (!key || !engine_key_parse(key, scratch, parts))
        return false;
    store_link *l = NULL;
    err e = {0};
    if (store_link_by_attendee(&l, w->en->store, parts[0], parts[1], parts[2], &e) != 0)
        return false;
    snprintf(out, n, "%s", l->contact_id);
    store_link_free(l);
    return true;
}

/* ---------------------------------------------------------------- create */

static int link_effect(work_ctx *w, const char *contact_id)
{
    json_t *l =
        json_pack("{s:s, s:s, s:O?, s:O?, s:s, s:s, s:s}", "location", w->op->account, "contact",
                  contact_id, "email", json_object_get(w->payload, "email"), "phone",
                  json_object_get(w->payload, "phone"), "org", w->en->link.org_code, "event",
                  jsonx_str(w->payload, "event"), "code", jsonx_str(w->payload, "code"));
    return l && json_array_append_new(w->links, l) == 0 ? 0 : ERR_NOMEM;
}

/* The contact exists already (made by an earlier operation, or found): the attendee joins it,
 * and the person is planned again to merge the pair properly. */
static work_outcome join_existing(work_ctx *w, const char *contact_id, json_t *contact)
{
    char key[ENGINE_KEY_MAX];
    sync_key_ghl(key, w->op->account, contact_id);
    json_t *payload = NULL;
    if (contact) {
        remember_contact(w, contact);
        payload = json_pack("{s:O}", "contact", contact);
    }
    if (link_effect(w, contact_id) != 0 || work_add_hint(w, key, "followup", payload) != 0)
        return work_fail_msg(w, true, "nomem", "out of memory");
    return WORK_DONE;
}

static bool linked_email(char *out, size_t n, work_ctx *w)
{
    const char *email = jsonx_str(w->payload, "email");
    store_links ls = {0};
    err e = {0};
    if (!email || store_link_by_email(&ls, w->en->store, email, &e) != 0)
        return false;
    size_t found = 0;
    for (size_t i = 0; i < ls.n; i++) {
        if (strcmp(ls.v[i].location_id, w->op->account) == 0) {
            snprintf(out, n, "%s", ls.v[i].contact_id);
            found++;
        }
    }
    store_links_free(&ls);
    return found == 1;
}

static work_outcome create_contact(work_ctx *w)
{
    err e = {0};
    ghl_io io;
    char existing[96];
    if (linked_email(existing, sizeof existing, w))
        return join_existing(w, existing, NULL);
    const char *email = jsonx_str(w->payload, "email");
    if (w->op->in_doubt) {
        ghl_contact dup = {0};
        bool found = false;
        io_init(&io, w);
        int rc = ghl_client_find_duplicate(&dup, &found, w->en->ghl, &io.op, email, NULL, &e);
        if (rc != 0)
            return failed(w, &io, rc, &e);
        if (found) {
            work_outcome o = join_existing(w, dup.id, dup.raw);
            ghl_contact_clear(&dup);
            return o;
        }
    }
    json_t *body = json_deep_copy(json_object_get(w->payload, "body"));
    json_object_set_new(body, "locationId", json_string(w->op->account));
    json_t *ans = NULL;
    int rc = call_json(&ans, w, &io, "POST", "/contacts/", body, HTTP_IDEMPOTENT_NO,
                       "ghl create-contact", &e);
    json_decref(body);
    if (rc == ERR_CONFLICT && io.call.error.existing_id[0])
        return join_existing(w, io.call.error.existing_id, NULL);
    if (rc != 0)
        return failed(w, &io, rc, &e);
    json_t *contact = json_object_get(ans, "contact");
    const char *id = jsonx_str(contact, "id");
    work_outcome out = WORK_DONE;
    if (!id) {
        out = work_fail_msg(w, false, "parse", "the create answer names no contact id");
    } else if (link_effect(w, id) != 0 ||
               work_add_shadow(w, SIDE_GHL, jsonx_str(w->payload, "key"),
                               json_object_get(w->payload, "shadow")) != 0) {
        out = work_fail_msg(w, true, "nomem", "out of memory");
    } else {
        remember_contact(w, contact);
        const json_t *planned = json_object_get(w->payload, "body");
        json_t *after = json_deep_copy(planned), *fields = json_pack("[s]", "contact");
        json_t *before = NULL;
        if (after && fields)
            sync_audit_tags(&before, after, fields, NULL, json_object_get(planned, "tags"));
        json_decref(before); /* a create replaces nothing */
        work_add_audit(w, email, "pheedloop_to_ghl", fields, after, "created from the attendee");
    }
    json_decref(ans);
    return out;
}

/* ---------------------------------------------------------------- update */

static json_t *tags_result(const json_t *base, const json_t *add, const json_t *remove)
{
    json_t *set = core_tags_normalize(base);
    json_t *more = core_tags_normalize(add);
    size_t i;
    json_t *t;
    json_array_foreach(more, i, t)
    {
        if (!jsonx_array_has_str(set, json_string_value(t)))
            json_array_append(set, t);
    }
    json_decref(more);
    for (size_t k = json_array_size(set); k-- > 0;) {
        if (jsonx_array_has_str(remove, json_string_value(json_array_get(set, k))))
            json_array_remove(set, k);
    }
    return set;
}

/* *tags_now (may be NULL) gets the contact's tags as the answer gives them. */
static int tag_call(json_t **tags_now, work_ctx *w, ghl_io *io, const char *contact_id,
                    const json_t *tags, bool add, err *e)
{
    if (!json_array_size(tags))
        return 0;
    char path[256];
    snprintf(path, sizeof path, "/contacts/%s/tags", contact_id);
    json_t *body = json_pack("{s:O}", "tags", tags), *ans = NULL;
    int rc = call_json(&ans, w, io, add ? "POST" : "DELETE", path, body, HTTP_IDEMPOTENT_YES,
                       add ? "ghl add-tags" : "ghl remove-tags", e);
    json_decref(body);
    if (rc == 0 && tags_now && json_is_array(json_object_get(ans, "tags"))) {
        json_decref(*tags_now);
        *tags_now = json_incref(json_object_get(ans, "tags"));
    }
    json_decref(ans);
    return rc;
}

/* After tag calls alone, the pass's copy of the contact with its new tags; NULL (the record is
 * then read again when needed) unless that copy was read after the contact's last write:
 * another process working the same store may have written it since this one's scan. */
static json_t *with_tags(work_ctx *w, const char *id, json_t *tags)
{
    int64_t read_ms = 0;
    json_t *c = tags ? snap_contact(w->snap, id, &read_ms) : NULL;
    store_link *l = NULL;
    err e = {0};
    if (c && store_link_by_contact(&l, w->en->store, w->en->link.location_id, id, &e) == 0 &&
        sync_contact_written_ms(w->en, l) >= read_ms) {
        json_decref(c);
        c = NULL;
    }
    store_link_free(l);
    if (c)
        json_object_set(c, "tags", tags);
    return c ? json_pack("{s:o}", "contact", c) : NULL;
}

/* The audit entry of a write to the contact: the body as planned, and the tag delta applied
 * to the tags the plan read as what was added and removed. */
static void audit_tags_too(work_ctx *w, const char *person, const json_t *fields,
                           const char *reason)
{
    /* Without the tags read (a rule's change), the delta alone: was its removals, now its
     * additions. */
    const json_t *base = json_object_get(w->payload, "tags_base");
    const json_t *add = json_object_get(w->payload, "tags_add");
    const json_t *rem = json_object_get(w->payload, "tags_remove");
    json_t *now = json_is_array(base) ? tags_result(base, add, rem) : core_tags_normalize(add);
    if (!json_is_array(base))
        base = rem;
    const json_t *body = json_object_get(w->payload, "body");
    json_t *after = body ? json_deep_copy(body) : json_object();
    json_t *f = fields ? json_deep_copy(fields) : json_array(), *before = NULL;
    if (now && after && f)
        sync_audit_tags(&before, after, f, base, now);
    work_add_audit_change(w, person, "pheedloop_to_ghl", f, before, after, reason);
    json_decref(now);
}

/* Shadows of the pairs the update was planned for, and a follow-up for the others. */
static work_outcome update_effects(work_ctx *w, const char *contact_id, json_t *answer)
{
    size_t i;
    const json_t *pair;
    json_array_foreach(json_object_get(w->payload, "pairs"), i, pair)
    {
        if (work_add_shadow(w, SIDE_GHL, jsonx_str(pair, "key"), json_object_get(pair, "shadow")) !=
            0)
            return work_fail_msg(w, true, "nomem", "out of memory");
    }
    json_t *contact = json_object_get(answer, "contact");
    if (json_is_object(contact))
        remember_contact(w, contact);
    if (jsonx_bool(w->payload, "followup", false)) {
        char key[ENGINE_KEY_MAX];
        sync_key_ghl(key, w->op->account, contact_id);
        json_t *payload = json_is_object(contact) ? json_pack("{s:O}", "contact", contact) : NULL;
        if (work_add_hint(w, key, "followup", payload) != 0)
            return work_fail_msg(w, true, "nomem", "out of memory");
    }
    const char *person = jsonx_str(w->payload, "person");
    if (person && json_array_size(json_object_get(w->payload, "pairs")))
        audit_tags_too(w, person, json_object_get(w->payload, "fields"), "synced");
    return WORK_DONE;
}

static work_outcome update_contact(work_ctx *w)
{
    char id[96];
    if (!contact_of(id, sizeof id, w))
        return work_fail_msg(w, false, "no_contact", "the contact of this operation is unknown");
    json_t *body = json_deep_copy(json_object_get(w->payload, "body"));
    const json_t *add = json_object_get(w->payload, "tags_add");
    const json_t *rem = json_object_get(w->payload, "tags_remove");
    bool delta = json_array_size(add) || json_array_size(rem);
    /* A bulk lane writes fields and tags in one PUT, the tag set being the one the scan read
     * with the delta applied; live changes use the tag endpoints, which never replace the set. */
    bool fold = delta && json_object_size(body) && w->lane != GOVERNOR_LANE_LIVE &&
                json_is_array(json_object_get(w->payload, "tags_base"));
    if (fold)
        json_object_set_new(body, "tags",
                            tags_result(json_object_get(w->payload, "tags_base"), add, rem));
    err e = {0};
    ghl_io io;
    json_t *ans = NULL;
    int rc = 0;
    if (json_object_size(body)) {
        char path[256];
        snprintf(path, sizeof path, "/contacts/%s", id);
        rc = call_json(&ans, w, &io, "PUT", path, body, HTTP_IDEMPOTENT_BY_METHOD,
                       "ghl update-contact", &e);
    }
    json_decref(body);
    json_t *tags_now = NULL;
    if (rc == 0 && !fold)
        rc = tag_call(&tags_now, w, &io, id, add, true, &e);
    if (rc == 0 && !fold)
        rc = tag_call(&tags_now, w, &io, id, rem, false, &e);
    if (rc == 0 && !fold && delta && ans) /* the PUT's copy predates the tag calls */
        json_object_set(json_object_get(ans, "contact"), "tags", tags_now);
    else if (rc == 0 && !ans)
        ans = with_tags(w, id, tags_now);
    json_decref(tags_now);
    work_outcome out;
    if (rc == ERR_NOT_FOUND) {
        log_warnf("contact %s is gone; its update is dropped", id);
        out = WORK_DONE;
    } else if (rc != 0) {
        out = failed(w, &io, rc, &e);
    } else {
        out = update_effects(w, id, ans);
    }
    json_decref(ans);
    return out;
}

/* ---------------------------------------------------------------- rule actions, deletes */

/* A task or note of a rule: in doubt, the contact's list is read first and an entry with the
 * same title (or body) is taken for the one made by the lost attempt. */
static work_outcome create_activity(work_ctx *w, bool task)
{
    char id[96];
    if (!contact_of(id, sizeof id, w))
        return work_fail_msg(w, true, "no_contact", "the contact does not exist yet");
    err e = {0};
    ghl_io io;
    const json_t *body = json_object_get(w->payload, "body");
    const char *match = jsonx_str(body, task ? "title" : "body");
    char path[256];
    snprintf(path, sizeof path, "/contacts/%s/%s", id, task ? "tasks" : "notes");
    if (w->op->in_doubt && match) {
        json_t *list = NULL;
        int rc = call_json(&list, w, &io, "GET", path, NULL, HTTP_IDEMPOTENT_BY_METHOD,
                           task ? "ghl list-tasks" : "ghl list-notes", &e);
        if (rc != 0)
            return failed(w, &io, rc, &e);
        size_t i;
        const json_t *it;
        bool seen = false;
        json_array_foreach(json_object_get(list, task ? "tasks" : "notes"), i, it)
        {
            const char *have = jsonx_str(it, task ? "title" : "body");
            seen |= have && strcmp(have, match) == 0;
        }
        json_decref(list);
        if (seen)
            return WORK_DONE;
    }
    int rc = call_json(NULL, w, &io, "POST", path, body, HTTP_IDEMPOTENT_NO,
                       task ? "ghl create-task" : "ghl create-note", &e);
    return rc == 0 ? WORK_DONE : failed(w, &io, rc, &e);
}

static work_outcome rule_tags(work_ctx *w)
{
    char id[96];
    if (!contact_of(id, sizeof id, w))
        return work_fail_msg(w, true, "no_contact", "the contact does not exist yet");
    err e = {0};
    ghl_io io;
    int rc = tag_call(NULL, w, &io, id, json_object_get(w->payload, "tags_add"), true, &e);
    if (rc == 0)
        rc = tag_call(NULL, w, &io, id, json_object_get(w->payload, "tags_remove"), false, &e);
    const char *person = jsonx_str(w->payload, "person"), *rule = jsonx_str(w->payload, "rule");
    if (rc == 0 && person && *person && rule) {
        char reason[300];
        snprintf(reason, sizeof reason, "rule %s", rule);
        audit_tags_too(w, person, NULL, reason);
    }
    return rc == 0 || rc == ERR_NOT_FOUND ? WORK_DONE : failed(w, &io, rc, &e);
}

static work_outcome delete_contact(work_ctx *w)
{
    const char *id = jsonx_str(w->payload, "contact_id");
    err e = {0};
    ghl_io io;
    io_init(&io, w);
    int rc = ghl_client_delete_contact(w->en->ghl, &io.op, id, &e);
    return rc == 0 || rc == ERR_NOT_FOUND ? WORK_DONE : failed(w, &io, rc, &e);
}

work_outcome worker_ghl(work_ctx *w)
{
    const char *kind = w->op->kind;
    if (!strcmp(kind, "ghl.create_contact"))
        return create_contact(w);
    if (!strcmp(kind, "ghl.update_contact"))
        return update_contact(w);
    if (!strcmp(kind, "ghl.tags"))
        return rule_tags(w);
    if (!strcmp(kind, "ghl.create_task"))
        return create_activity(w, true);
    if (!strcmp(kind, "ghl.create_note"))
        return create_activity(w, false);
    if (!strcmp(kind, "ghl.delete_contact"))
        return delete_contact(w);
    return work_fail_msg(w, false, "unknown", "unknown operation kind");
}
