/* worker_remind.c: announcements (flows F5 and F6): an appointment's reminders brought to what
 * the planner wants (created, moved, cancelled, each in the audit log), what exists remembered
 * in the store; a rule's announcement. Creates are safe to repeat: in doubt, the event's
 * announcements are read and one to the same attendee with the same title and release is taken for
 * the lost attempt's. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

static work_outcome failed(work_ctx *w, pl_call *call, int rc, const err *e)
{
    return work_fail(w, rc, &call->error, call->maybe_applied, call->retry_after_ms, e);
}

static bool same_announcement(const json_t *a, const json_t *body)
{
    static const char *const keys[] = {"title", "release_date", "release_time"};
    for (size_t i = 0; i < PS_ARRAY_LEN(keys); i++) {
        const char *x = jsonx_str(a, keys[i]), *y = jsonx_str(body, keys[i]);
        if (!x || !y || strncmp(x, y, strlen(y)) != 0)
            return false;
    }
    const json_t *to = json_object_get(a, "recipients");
    const char *who = json_string_value(json_array_get(json_object_get(body, "recipients"), 0));
    return who && jsonx_array_has_str(to, who);
}

/* The code of an announcement like body that exists already, or "" (in doubt only). */
static int find_existing(char code[64], work_ctx *w, const char *event, const json_t *body,
                         pl_call *call, err *e)
{
    code[0] = '\0';
    if (!w->op->in_doubt)
        return 0;
    pl_iter *it = NULL;
    int rc = pl_client_announcements(&it, w->en->pl, event, w->lane, e);
    while (rc == 0 && !*code) {
        json_t *a = NULL;
        int n = pl_iter_next(&a, it, e);
        if (n <= 0) {
            rc = n;
            break;
        }
        if (same_announcement(a, body) && jsonx_str(a, "code"))
            snprintf(code, 64, "%s", jsonx_str(a, "code"));
        json_decref(a);
    }
    if (rc != 0)
        *call = *pl_iter_call(it);
    pl_iter_free(it);
    return rc;
}

static int create_one(char code[64], work_ctx *w, const char *event, const json_t *body,
                      pl_call *call, err *e)
{
    int rc = find_existing(code, w, event, body, call, e);
    if (rc != 0 || *code)
        return rc;
    json_decref(w->request);
    w->request =
        json_pack("{s:s, s:s, s:O}", "call", "create-announcement", "event", event, "body", body);
    pl_announcement a = {0};
    *call = (pl_call){.lane = w->lane};
    rc = pl_client_create_announcement(&a, w->en->pl, event, body, call, e);
    if (rc == 0)
        snprintf(code, 64, "%s", a.code ? a.code : "");
    pl_announcement_free(&a);
    return rc;
}

/* ---------------------------------------------------------------- the audit log */

/* A reminder as the audit log shows it: it (a wanted item or a remembered record) released
 * when, in the event's time and in UTC, as which announcement, to whom. */
static json_t *reminder_view(const work_ctx *w, const json_t *it, const char *code)
{
    const json_t *body = json_object_get(it, "body");
    const char *tz = jsonx_str(w->payload, "timezone");
    char local[96] = "";
    if (body)
        snprintf(local, sizeof local, "%s %s", jsonx_str(body, "release_date"),
                 jsonx_str(body, "release_time"));
    else if (jsonx_str(it, "local"))
        snprintf(local, sizeof local, "%s", jsonx_str(it, "local"));
    if (*local && tz)
        snprintf(local + strlen(local), sizeof local - strlen(local), " %s", tz);
    return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "release", *local ? local : NULL,
                     "release_utc", jsonx_str(it, "release"), "announcement", code, "event",
                     jsonx_str(w->payload, "event"), "attendee", jsonx_str(w->payload, "code"),
                     "appointment", jsonx_str(w->payload, "appointment"));
}

/* One announcement created, moved or cancelled (was, now: NULL when none). Like every audit
 * entry of a worker, it is lost only with memory, never failing a write already made. */
static void audit_reminder(work_ctx *w, const char *done, const json_t *was, const json_t *now,
                           const char *code)
{
    const char *person = jsonx_str(w->payload, "person");
    if (!person || !*person)
        return; /* planned before reminders were audited */
    char offset[32], reason[600];
    core_reminder_offset_text(offset, jsonx_int(now ? now : was, "before", 0));
    const char *title = jsonx_str(w->payload, "appointment_title");
    const char *why = jsonx_str(w->payload, "why");
    json_t *before = was ? reminder_view(w, was, code) : NULL;
    json_t *after = now ? reminder_view(w, now, code) : NULL;
    const char *release = jsonx_str(after ? after : before, "release");
    if (!release)
        release = jsonx_str(after ? after : before, "release_utc");
    snprintf(reason, sizeof reason, "reminder %s before appointment \"%.200s\" %s %s%s%s: %s",
             offset, title ? title : jsonx_str(w->payload, "appointment"), done,
             now ? (was ? "to " : "for ") : "(was for ", release ? release : "?", now ? "" : ")",
             why ? why : "planned");
    work_add_audit_change(w, person, "ghl_to_pheedloop", json_pack("[s]", "reminder"), before,
                          after, reason);
}

/* ---------------------------------------------------------------- reminders */

static const json_t *by_code(const json_t *records, const char *code)
{
    size_t i;
    const json_t *it;
    json_array_foreach(records, i, it)
    {
        if (code && jsonx_str(it, "code") && !strcmp(jsonx_str(it, "code"), code))
            return it;
    }
    return NULL;
}

work_outcome worker_reminders(work_ctx *w)
{
    const char *event = jsonx_str(w->payload, "event"), *rkey = jsonx_str(w->payload, "key");
    json_t *have = sync_shadow_json(w->en, SIDE_REMIND, rkey);
    if (!have)
        have = json_array();
    core_reminder_plan d = {0};
    err e = {0};
    int64_t now = clock_now_ms(w->en->clock);
    if (core_reminders_diff(&d, json_object_get(w->payload, "want"), have, now, &e) != 0) {
        json_decref(have);
        return work_fail_msg(w, false, "reminders", e.msg);
    }
    json_t *next = json_deep_copy(d.keep);
    pl_call call = {.lane = w->lane};
    int rc = 0;
    size_t i;
    json_t *it;
    json_array_foreach(d.remove, i, it)
    {
        if (rc == 0) {
            call = (pl_call){.lane = w->lane};
            rc = pl_client_delete_announcement(w->en->pl, event, jsonx_str(it, "code"), &call, &e);
            rc = rc == ERR_NOT_FOUND ? 0 : rc;
        }
        if (rc == 0)
            audit_reminder(w, "cancelled", it, NULL, jsonx_str(it, "code"));
    }
    json_array_foreach(d.update, i, it)
    {
        pl_announcement a = {0};
        const char *code = jsonx_str(it, "code");
        if (rc == 0) {
            call = (pl_call){.lane = w->lane};
            rc = pl_client_update_announcement(&a, w->en->pl, event, code,
                                               json_object_get(it, "body"), &call, &e);
        }
        if (rc == ERR_NOT_FOUND) { /* deleted by hand: made again */
            rc = 0;
            json_array_append(d.create, it);
        } else if (rc == 0) {
            json_array_append_new(next, core_reminder_record(it, code));
            const json_t *was = by_code(have, code);
            bool moved =
                !json_equal(json_object_get(was, "release"), json_object_get(it, "release"));
            audit_reminder(w, moved ? "moved" : "rewritten", was, it, code);
        }
        pl_announcement_free(&a);
    }
    json_array_foreach(d.create, i, it)
    {
        char code[64];
        if (rc == 0)
            rc = create_one(code, w, event, json_object_get(it, "body"), &call, &e);
        if (rc == 0) {
            json_array_append_new(next, core_reminder_record(it, code));
            audit_reminder(w, "created", NULL, it, code);
        }
    }
    core_reminder_plan_clear(&d);
    json_decref(have);
    work_outcome out = WORK_DONE;
    if (rc != 0)
        out = failed(w, &call, rc, &e);
    else if (work_add_shadow(w, SIDE_REMIND, rkey, next) != 0)
        out = work_fail_msg(w, true, "nomem", "out of memory");
    json_decref(next);
    return out;
}

work_outcome worker_announce(work_ctx *w)
{
    err e = {0};
    pl_call call = {.lane = w->lane};
    char code[64];
    int rc = create_one(code, w, jsonx_str(w->payload, "event"),
                        json_object_get(w->payload, "body"), &call, &e);
    return rc == 0 ? WORK_DONE : failed(w, &call, rc, &e);
}
