/* store_api.c: argument checks and dispatch for links, shadows, cursors, held deletes, the audit
 * log, budgets and counts (the queues are in store.c). */
#include "store/store_backend.h"

#define VT(s) ((s)->vt)

static int need(err *e, const char *v, const char *what)
{
    if (v == NULL || v[0] == '\0')
        return err_set(e, ERR_INVALID, "store: %s must be a non-empty string", what);
    return 0;
}

/* Checks the handle, the output pointer and up to three required strings (NULL names skip). */
static int check(const store *s, const void *out, err *e, const char *n1, const char *v1,
                 const char *n2, const char *v2, const char *n3, const char *v3)
{
    if (!s)
        return err_set(e, ERR_INVALID, "store: no store handle");
    if (!out)
        return err_set(e, ERR_INVALID, "store: missing output argument");
    int rc = n1 ? need(e, v1, n1) : 0;
    if (rc == 0 && n2)
        rc = need(e, v2, n2);
    if (rc == 0 && n3)
        rc = need(e, v3, n3);
    return rc;
}

/* For functions with no output. */
static const int no_out = 1;
#define NO_OUT (&no_out)

/* ------------------------------------------------------------------ links */

int store_link_create(int64_t *out_id, store *s, const char *location_id, const char *contact_id,
                      const char *email_norm, const char *phone, err *e)
{
    int rc = check(s, out_id, e, "location_id", location_id, "contact_id", contact_id, NULL, NULL);
    return rc != 0 ? rc
                   : VT(s)->link_create(out_id, s, location_id, contact_id, email_norm, phone, e);
}

int store_link_add_attendee(store *s, int64_t link_id, const char *org, const char *event,
                            const char *code, err *e)
{
    int rc = check(s, NO_OUT, e, "org", org, "event", event, "attendee code", code);
    return rc != 0 ? rc : VT(s)->link_add_attendee(s, link_id, org, event, code, e);
}

int store_link_set_member(store *s, int64_t link_id, const char *org, const char *code, err *e)
{
    int rc = check(s, NO_OUT, e, code ? "member org" : NULL, org, NULL, NULL, NULL, NULL);
    if (rc == 0 && code && !code[0])
        rc = err_set(e, ERR_INVALID, "store: member code is empty (NULL clears the member)");
    return rc != 0 ? rc : VT(s)->link_set_member(s, link_id, code ? org : NULL, code, e);
}

int store_link_set_keys(store *s, int64_t link_id, const char *email_norm, const char *phone,
                        err *e)
{
    int rc = check(s, NO_OUT, e, NULL, NULL, NULL, NULL, NULL, NULL);
    return rc != 0 ? rc : VT(s)->link_set_keys(s, link_id, email_norm, phone, e);
}

int store_link_get(store_link **out, store *s, int64_t id, err *e)
{
    int rc = check(s, out, e, NULL, NULL, NULL, NULL, NULL, NULL);
    return rc != 0 ? rc : VT(s)->link_get(out, s, id, e);
}

int store_link_by_contact(store_link **out, store *s, const char *location_id,
                          const char *contact_id, err *e)
{
    int rc = check(s, out, e, "location_id", location_id, "contact_id", contact_id, NULL, NULL);
    return rc != 0 ? rc : VT(s)->link_by_contact(out, s, location_id, contact_id, e);
}

int store_link_by_attendee(store_link **out, store *s, const char *org, const char *event,
                           const char *code, err *e)
{
    int rc = check(s, out, e, "org", org, "event", event, "attendee code", code);
    return rc != 0 ? rc : VT(s)->link_by_attendee(out, s, org, event, code, e);
}

int store_link_by_member(store_link **out, store *s, const char *org, const char *code, err *e)
{
    int rc = check(s, out, e, "member org", org, "member code", code, NULL, NULL);
    return rc != 0 ? rc : VT(s)->link_by_member(out, s, org, code, e);
}

int store_link_by_email(store_links *out, store *s, const char *email_norm, err *e)
{
    int rc = check(s, out, e, "email", email_norm, NULL, NULL, NULL, NULL);
    return rc != 0 ? rc : VT(s)->link_by_email(out, s, email_norm, e);
}

int store_link_list(store_links *out, store *s, int64_t after_id, size_t max, err *e)
{
    int rc = check(s, out, e, NULL, NULL, NULL, NULL, NULL, NULL);
    if (rc == 0 && (max == 0 || max > 10000))
        rc = err_set(e, ERR_INVALID, "store: link_list needs 0 < max <= 10000");
    return rc != 0 ? rc : VT(s)->link_list(out, s, after_id, max, e);
}

int store_link_unlink_attendee(store *s, const char *org, const char *event, const char *code,
                               const char *reason, err *e)
{
    int rc = check(s, NO_OUT, e, "org", org, "event", event, "attendee code", code);
    if (rc == 0)
        rc = need(e, reason, "unlink reason");
    return rc != 0 ? rc : VT(s)->link_unlink_attendee(s, org, event, code, reason, e);
}

int store_link_unlink(store *s, int64_t link_id, const char *reason, err *e)
{
    int rc = check(s, NO_OUT, e, "unlink reason", reason, NULL, NULL, NULL, NULL);
    return rc != 0 ? rc : VT(s)->link_unlink(s, link_id, reason, e);
}

/* ------------------------------------------------------------------ shadows and cursors */

int store_shadow_put(int64_t *out_version, store *s, const char *side, const char *record_key,
                     const char *body, const char *hash, int64_t expect_version, err *e)
{
    int rc = check(s, NO_OUT, e, "side", side, "record_key", record_key, "shadow body", body);
    if (rc == 0 && expect_version < -1)
        rc = err_set(e, ERR_INVALID, "store: expect_version must be -1, 0 or a version");
    return rc != 0
               ? rc
               : VT(s)->shadow_put(out_version, s, side, record_key, body, hash, expect_version, e);
}

int store_shadow_get(store_shadow **out, store *s, const char *side, const char *record_key, err *e)
{
    int rc = check(s, out, e, "side", side, "record_key", record_key, NULL, NULL);
    return rc != 0 ? rc : VT(s)->shadow_get(out, s, side, record_key, e);
}

int store_shadow_delete(store *s, const char *side, const char *record_key, err *e)
{
    int rc = check(s, NO_OUT, e, "side", side, "record_key", record_key, NULL, NULL);
    return rc != 0 ? rc : VT(s)->shadow_delete(s, side, record_key, e);
}

int store_cursor_put(store *s, const char *name, const char *value, err *e)
{
    int rc = check(s, NO_OUT, e, "cursor name", name, NULL, NULL, NULL, NULL);
    if (rc == 0 && !value)
        rc = err_set(e, ERR_INVALID, "store: cursor value is NULL");
    return rc != 0 ? rc : VT(s)->cursor_put(s, name, value, e);
}

int store_cursor_get(char **out, store *s, const char *name, err *e)
{
    int rc = check(s, out, e, "cursor name", name, NULL, NULL, NULL, NULL);
    return rc != 0 ? rc : VT(s)->cursor_get(out, s, name, e);
}

/* ------------------------------------------------------------------ held deletes, audit */

int store_held_create(int64_t *out_id, bool *out_dup, store *s, const store_held_new *h, err *e)
{
    int rc = check(s, out_id, e, NULL, NULL, NULL, NULL, NULL, NULL);
    if (rc == 0 && !h)
        rc = err_set(e, ERR_INVALID, "store: no held delete");
    if (rc == 0)
        rc = check(s, h, e, "side", h->side, "record_key", h->record_key, "reason", h->reason);
    if (rc == 0)
        rc = need(e, h->payload, "held delete payload");
    return rc != 0 ? rc : VT(s)->held_create(out_id, out_dup, s, h, e);
}

int store_held_list(store_helds *out, store *s, int state, int64_t after_id, size_t max, err *e)
{
    int rc = check(s, out, e, NULL, NULL, NULL, NULL, NULL, NULL);
    if (rc == 0 && (state < -1 || state > STORE_HELD_REJECTED || max == 0 || max > 10000))
        rc = err_set(e, ERR_INVALID, "store: held_list needs a state -1..2 and 0 < max <= 10000");
    return rc != 0 ? rc : VT(s)->held_list(out, s, state, after_id, max, e);
}

int store_held_approve(store *s, int64_t id, const char *by, err *e)
{
    int rc = check(s, NO_OUT, e, "decided by", by, NULL, NULL, NULL, NULL);
    return rc != 0 ? rc : VT(s)->held_decide(s, id, STORE_HELD_APPROVED, by, e);
}

int store_held_reject(store *s, int64_t id, const char *by, err *e)
{
    int rc = check(s, NO_OUT, e, "decided by", by, NULL, NULL, NULL, NULL);
    return rc != 0 ? rc : VT(s)->held_decide(s, id, STORE_HELD_REJECTED, by, e);
}

int store_audit_append(int64_t *out_id, store *s, const store_audit_new *a, err *e)
{
    int rc = check(s, NO_OUT, e, NULL, NULL, NULL, NULL, NULL, NULL);
    if (rc == 0 && !a)
        rc = err_set(e, ERR_INVALID, "store: no audit entry");
    if (rc == 0)
        rc = check(s, a, e, "person_key", a->person_key, "direction", a->direction, "fields",
                   a->fields);
    if (rc == 0)
        rc = need(e, a->reason, "audit reason");
    return rc != 0 ? rc : VT(s)->audit_append(out_id, s, a, e);
}

int store_audit_by_person(store_audit_entries *out, store *s, const char *person_key,
                          int64_t after_id, size_t max, err *e)
{
    int rc = check(s, out, e, "person_key", person_key, NULL, NULL, NULL, NULL);
    if (rc == 0 && (max == 0 || max > 10000))
        rc = err_set(e, ERR_INVALID, "store: audit_by_person needs 0 < max <= 10000");
    return rc != 0 ? rc : VT(s)->audit_by_person(out, s, person_key, after_id, max, e);
}

int store_audit_recent(store_audit_entries *out, store *s, int64_t after_id, size_t max, err *e)
{
    int rc = check(s, out, e, NULL, NULL, NULL, NULL, NULL, NULL);
    if (rc == 0 && (max == 0 || max > 10000))
        rc = err_set(e, ERR_INVALID, "store: audit_recent needs 0 < max <= 10000");
    return rc != 0 ? rc : VT(s)->audit_recent(out, s, after_id, max, e);
}

/* ------------------------------------------------------------------ budgets and counts */

int store_budget_take(store_budget_take_result *out, store *s, const char *account,
                      const store_budget_limits *lim, int64_t n, err *e)
{
    int rc = check(s, out, e, "account", account, NULL, NULL, NULL, NULL);
    if (rc == 0 && (!lim || lim->window_ms <= 0 || lim->window_max <= 0 || lim->day_max < 0))
        rc = err_set(e, ERR_INVALID,
                     "store: budget limits need window_ms > 0, window_max > 0 "
                     "and day_max >= 0");
    if (rc == 0 && (n <= 0 || n > lim->window_max || (lim->day_max > 0 && n > lim->day_max)))
        rc = err_set(e, ERR_INVALID, "store: cannot take %lld from a budget of %lld", (long long)n,
                     (long long)lim->window_max);
    return rc != 0 ? rc : VT(s)->budget_take(out, s, account, lim, n, e);
}

int store_count(store_counts *out, store *s, err *e)
{
    int rc = check(s, out, e, NULL, NULL, NULL, NULL, NULL, NULL);
    return rc != 0 ? rc : VT(s)->count(out, s, e);
}

/* ------------------------------------------------------------------ queues by link */

int store_queue_keys_list(store_queue_keys *out, store *s, err *e)
{
    int rc = check(s, out, e, NULL, NULL, NULL, NULL, NULL, NULL);
    return rc != 0 ? rc : VT(s)->queue_keys(out, s, e);
}

int store_queue_refile(int64_t *out_moved, store *s, const char *from, const char *record_key,
                       const char *to, err *e)
{
    int rc = check(s, out_moved, e, "record_key", record_key, NULL, NULL, NULL, NULL);
    if (rc == 0 && (!from || !to || strlen(from) > STORE_LINK_MAX || strlen(to) > STORE_LINK_MAX))
        rc = err_set(e, ERR_INVALID, "store: a link name is at most %d bytes", STORE_LINK_MAX);
    return rc != 0 ? rc : VT(s)->queue_refile(out_moved, s, from, record_key, to, e);
}

void store_queue_keys_free(store_queue_keys *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++) {
        free(list->v[i].link);
        free(list->v[i].record_key);
    }
    free(list->v);
    list->v = NULL;
    list->n = 0;
}
