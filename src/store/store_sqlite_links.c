/* store_sqlite_links.c: identity links on SQLite: a HighLevel contact, its attendees (one per
 * event) and its member, looked up from any side. Ended links and attendees are kept, marked. */
#include "store/store_sqlite_int.h"

#define LINK_COLS                                                                                  \
    "id, location_id, contact_id, member_org, member_code, email_norm, phone, created_at,"         \
    " updated_at, unlinked_at, unlink_reason"

static int read_attendees(store_link *l, sq_store *q, err *e)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc = sq_prep(&st, q, e,
                     "SELECT org, event, attendee_code FROM link_attendees"
                     " WHERE link_id = ?1 AND unlinked_at IS NULL ORDER BY id",
                     "i", l->id);
    while (rc == 0 && (rc = sq_step(q, st, e)) == 1) {
        rc = store_grow((void **)&l->attendees, &cap, l->n_attendees, sizeof *l->attendees, e);
        if (rc != 0)
            break;
        store_attendee_ref *a = &l->attendees[l->n_attendees++];
        bool failed = false;
        a->org = sq_text(st, 0, &failed);
        a->event = sq_text(st, 1, &failed);
        a->code = sq_text(st, 2, &failed);
        if (failed)
            rc = err_set(e, ERR_NOMEM, "store: out of memory");
    }
    sq_release(q, st);
    return rc;
}

static int read_link(store_link *l, sq_store *q, int64_t id, err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e, "SELECT " LINK_COLS " FROM links WHERE id = ?1", "i", id);
    if (rc == 0)
        rc = sq_step(q, st, e);
    if (rc == 1) {
        bool failed = false;
        l->id = sqlite3_column_int64(st, 0);
        l->location_id = sq_text(st, 1, &failed);
        l->contact_id = sq_text(st, 2, &failed);
        l->member_org = sq_text(st, 3, &failed);
        l->member_code = sq_text(st, 4, &failed);
        l->email_norm = sq_text(st, 5, &failed);
        l->phone = sq_text(st, 6, &failed);
        l->created_ms = sqlite3_column_int64(st, 7);
        l->updated_ms = sqlite3_column_int64(st, 8);
        l->unlinked_ms = sqlite3_column_int64(st, 9);
        l->unlink_reason = sq_text(st, 10, &failed);
        rc = failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "link %lld: no such link", (long long)id);
    }
    sq_release(q, st);
    if (rc == 0)
        rc = read_attendees(l, q, e);
    return rc;
}

/* Reads link id (a consistent snapshot of the link and its attendees) into a new record. */
static int load(store_link **out, sq_store *q, int64_t id, err *e)
{
    store_link *l = calloc(1, sizeof *l);
    if (!l)
        return err_set(e, ERR_NOMEM, "store: out of memory");
    int rc = sq_read_start(q, e);
    if (rc == 0) {
        rc = read_link(l, q, id, e);
        sq_read_end(q);
    }
    if (rc != 0) {
        store_link_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

/* Runs a query for a link id, then loads it; what names the look-up in messages. */
static int find(store_link **out, sq_store *q, err *e, const char *what, const char *sql,
                const char *types, const char *a, const char *b, const char *c)
{
    int64_t id = 0;
    int rc = sq_int(&id, q, e, sql, types, a, b, c);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, rc, "no live link for %s", what);
    return rc != 0 ? rc : load(out, q, id, e);
}

static int link_create(int64_t *out_id, store *s, const char *location_id, const char *contact_id,
                       const char *email_norm, const char *phone, err *e)
{
    sq_store *q = SQ(s);
    int64_t now = store_now(s);
    int rc = sq_run(NULL, q, e,
                    "INSERT INTO links (location_id, contact_id, email_norm, phone, created_at,"
                    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                    "tttti", location_id, contact_id, email_norm, phone, now);
    if (rc == ERR_CONFLICT)
        return err_set(e, rc, "contact %s/%s is already linked", location_id, contact_id);
    if (rc != 0)
        return err_wrap(e, "link create: ");
    *out_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

/* ERR_NOT_FOUND unless link_id is a live link. */
static int need_live(sq_store *q, int64_t link_id, err *e)
{
    int64_t ended = 0;
    int rc = sq_int(&ended, q, e, "SELECT COALESCE(unlinked_at, 0) FROM links WHERE id = ?1", "i",
                    link_id);
    if (rc == 0 && ended != 0)
        rc = ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return err_set(e, rc, "link %lld: no such live link", (long long)link_id);
    return rc;
}

static int touch(sq_store *q, int64_t link_id, err *e)
{
    return sq_run(NULL, q, e, "UPDATE links SET updated_at = ?2 WHERE id = ?1", "ii", link_id,
                  store_now(&q->base));
}

static int add_attendee(sq_store *q, int64_t link_id, const char *org, const char *event,
                        const char *code, err *e)
{
    int rc = need_live(q, link_id, e);
    if (rc != 0)
        return rc;
    int64_t other = 0;
    rc = sq_int(&other, q, e,
                "SELECT link_id FROM link_attendees WHERE org = ?1 AND event = ?2"
                " AND attendee_code = ?3 AND unlinked_at IS NULL",
                "ttt", org, event, code);
    if (rc == 0)
        return other == link_id ? 0
                                : err_set(e, ERR_CONFLICT, "attendee %s/%s/%s is linked to %lld",
                                          org, event, code, (long long)other);
    if (rc != ERR_NOT_FOUND)
        return rc;
    rc = sq_run(NULL, q, e,
                "INSERT INTO link_attendees (link_id, org, event, attendee_code, created_at)"
                " VALUES (?1, ?2, ?3, ?4, ?5)",
                "ittti", link_id, org, event, code, store_now(&q->base));
    return rc != 0 ? rc : touch(q, link_id, e);
}

static int link_add_attendee(store *s, int64_t link_id, const char *org, const char *event,
                             const char *code, err *e)
{
    sq_store *q = SQ(s);
    int rc = sq_tx_start(q, e);
    if (rc == 0)
        rc = sq_tx_end(q, add_attendee(q, link_id, org, event, code, e), e);
    return rc != 0 ? err_wrap(e, "link %lld add attendee: ", (long long)link_id) : 0;
}

static int link_set_member(store *s, int64_t link_id, const char *org, const char *code, err *e)
{
    sq_store *q = SQ(s);
    int rc = sq_tx_start(q, e);
    if (rc != 0)
        return rc;
    rc = need_live(q, link_id, e);
    if (rc == 0)
        rc = sq_run(NULL, q, e,
                    "UPDATE links SET member_org = ?2, member_code = ?3, updated_at = ?4"
                    " WHERE id = ?1",
                    "itti", link_id, org, code, store_now(s));
    if (rc == ERR_CONFLICT)
        err_set(e, rc, "member %s/%s is linked elsewhere", org, code);
    return sq_tx_end(q, rc, e);
}

static int link_set_keys(store *s, int64_t link_id, const char *email_norm, const char *phone,
                         err *e)
{
    int64_t n = 0;
    int rc = sq_run(&n, SQ(s), e,
                    "UPDATE links SET email_norm = ?2, phone = ?3, updated_at = ?4"
                    " WHERE id = ?1 AND unlinked_at IS NULL",
                    "itti", link_id, email_norm, phone, store_now(s));
    if (rc == 0 && n == 0)
        rc = err_set(e, ERR_NOT_FOUND, "link %lld: no such live link", (long long)link_id);
    return rc;
}

static int link_get(store_link **out, store *s, int64_t id, err *e)
{
    return load(out, SQ(s), id, e);
}

static int link_by_contact(store_link **out, store *s, const char *location_id,
                           const char *contact_id, err *e)
{
    return find(out, SQ(s), e, "the contact",
                "SELECT id FROM links WHERE location_id = ?1 AND contact_id = ?2"
                " AND unlinked_at IS NULL",
                "tt", location_id, contact_id, NULL);
}

static int link_by_attendee(store_link **out, store *s, const char *org, const char *event,
                            const char *code, err *e)
{
    return find(out, SQ(s), e, "the attendee",
                "SELECT link_id FROM link_attendees WHERE org = ?1 AND event = ?2"
                " AND attendee_code = ?3 AND unlinked_at IS NULL",
                "ttt", org, event, code);
}

static int link_by_member(store_link **out, store *s, const char *org, const char *code, err *e)
{
    return find(out, SQ(s), e, "the member",
                "SELECT id FROM links WHERE member_org = ?1 AND member_code = ?2"
                " AND unlinked_at IS NULL",
                "tt", org, code, NULL);
}

static int by_email(store_links *list, size_t *cap, sq_store *q, const char *email, err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e,
                     "SELECT id FROM links WHERE email_norm = ?1 AND unlinked_at IS NULL"
                     " ORDER BY id",
                     "t", email);
    while (rc == 0 && (rc = sq_step(q, st, e)) == 1) {
        rc = store_grow((void **)&list->v, cap, list->n, sizeof *list->v, e);
        if (rc == 0)
            rc = read_link(&list->v[list->n++], q, sqlite3_column_int64(st, 0), e);
    }
    sq_release(q, st);
    return rc;
}

static int link_by_email(store_links *out, store *s, const char *email_norm, err *e)
{
    sq_store *q = SQ(s);
    store_links list = {0};
    size_t cap = 0;
    int rc = sq_read_start(q, e);
    if (rc == 0) {
        rc = by_email(&list, &cap, q, email_norm, e);
        sq_read_end(q);
    }
    if (rc != 0) {
        store_links_free(&list);
        return err_wrap(e, "links by email: ");
    }
    *out = list;
    return 0;
}

static int link_list(store_links *out, store *s, int64_t after_id, size_t max, err *e)
{
    sq_store *q = SQ(s);
    store_links list = {0};
    size_t cap = 0;
    sqlite3_stmt *st = NULL;
    int rc = sq_read_start(q, e);
    if (rc != 0)
        return rc;
    rc = sq_prep(&st, q, e,
                 "SELECT id FROM links WHERE id > ?1 AND unlinked_at IS NULL ORDER BY id LIMIT ?2",
                 "ii", after_id, (int64_t)max);
    while (rc == 0 && (rc = sq_step(q, st, e)) == 1) {
        rc = store_grow((void **)&list.v, &cap, list.n, sizeof *list.v, e);
        if (rc == 0)
            rc = read_link(&list.v[list.n++], q, sqlite3_column_int64(st, 0), e);
    }
    sq_release(q, st);
    sq_read_end(q);
    if (rc != 0) {
        store_links_free(&list);
        return err_wrap(e, "links: ");
    }
    *out = list;
    return 0;
}

static int link_unlink_attendee(store *s, const char *org, const char *event, const char *code,
                                const char *reason, err *e)
{
    sq_store *q = SQ(s);
    int64_t link_id = 0, now = store_now(s);
    int rc = sq_tx_start(q, e);
    if (rc != 0)
        return rc;
    rc = sq_int(&link_id, q, e,
                "UPDATE link_attendees SET unlinked_at = ?4, unlink_reason = ?5"
                " WHERE org = ?1 AND event = ?2 AND attendee_code = ?3 AND unlinked_at IS NULL"
                " RETURNING link_id",
                "tttit", org, event, code, now, reason);
    if (rc == ERR_NOT_FOUND)
        err_set(e, rc, "attendee %s/%s/%s is not linked", org, event, code);
    if (rc == 0)
        rc = touch(q, link_id, e);
    return sq_tx_end(q, rc, e);
}

static int link_unlink(store *s, int64_t link_id, const char *reason, err *e)
{
    sq_store *q = SQ(s);
    int64_t n = 0, now = store_now(s);
    int rc = sq_tx_start(q, e);
    if (rc != 0)
        return rc;
    rc = sq_run(&n, q, e,
                "UPDATE links SET unlinked_at = ?2, unlink_reason = ?3, updated_at = ?2"
                " WHERE id = ?1 AND unlinked_at IS NULL",
                "iit", link_id, now, reason);
    if (rc == 0 && n == 0)
        rc = err_set(e, ERR_NOT_FOUND, "link %lld: no such live link", (long long)link_id);
    if (rc == 0)
        rc = sq_run(NULL, q, e,
                    "UPDATE link_attendees SET unlinked_at = ?2, unlink_reason = ?3"
                    " WHERE link_id = ?1 AND unlinked_at IS NULL",
                    "iit", link_id, now, reason);
    return sq_tx_end(q, rc, e);
}

void sq_fill_links(store_vtable *vt)
{
    vt->link_create = link_create;
    vt->link_add_attendee = link_add_attendee;
    vt->link_set_member = link_set_member;
    vt->link_set_keys = link_set_keys;
    vt->link_get = link_get;
    vt->link_by_contact = link_by_contact;
    vt->link_by_attendee = link_by_attendee;
    vt->link_by_member = link_by_member;
    vt->link_by_email = link_by_email;
    vt->link_list = link_list;
    vt->link_unlink_attendee = link_unlink_attendee;
    vt->link_unlink = link_unlink;
}
