/* store_pg_links.c: identity links on PostgreSQL: a HighLevel contact, its attendees (one per
 * event) and its member, looked up from any side. Ended links and attendees are kept, marked.
 *
 * Several processes write at once: every writer that touches a link and its attendees locks the
 * link's row first (adding and unlinking an attendee, ending the link), so an attendee is never
 * joined to a link being ended and concurrent writers queue in one order instead of
 * deadlocking. Uniqueness races (one contact, attendee or member linked twice) are settled by
 * the partial unique indexes, through ON CONFLICT where the answer is not an error. */
#include "store/store_pg_int.h"

#define LINK_COLS                                                                                  \
    "id, location_id, contact_id, member_org, member_code, email_norm, phone, created_at,"         \
    " updated_at, unlinked_at, unlink_reason"

/* A look-up as two statements over the same parameters: the links matching cond (ordered by id,
 * then tail, e.g. a LIMIT) and their live attendees, grouped by link. Both run in one snapshot,
 * so the attendees are those of exactly the links read, two round trips whatever their number. */
#define LINK_QUERY(cond, tail)                                                                     \
    "SELECT " LINK_COLS " FROM links WHERE " cond " ORDER BY id" tail,                             \
        "SELECT link_id, org, event, attendee_code FROM link_attendees"                            \
        " WHERE unlinked_at IS NULL AND link_id IN (SELECT id FROM links WHERE " cond              \
        " ORDER BY id" tail ") ORDER BY link_id, id"

/* How often a write looks again when a concurrent writer changed the attendee between its
 * look-up and its write (each retry needs another writer to win a race in that window). */
#define RACE_TRIES 5

typedef struct link_query {
    const char *links_sql, *attendees_sql;
    const char *types; /* 't' letters: every argument goes as text */
    const char *a, *b, *c;
} link_query;

static const char *num(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

/* ------------------------------------------------------------------ reading */

static void read_row(store_link *l, const PGresult *r, int row, bool *failed)
{
    l->id = pg_i64(r, row, 0);
    l->location_id = pg_text(r, row, 1, failed);
    l->contact_id = pg_text(r, row, 2, failed);
    l->member_org = pg_text(r, row, 3, failed);
    l->member_code = pg_text(r, row, 4, failed);
    l->email_norm = pg_text(r, row, 5, failed);
    l->phone = pg_text(r, row, 6, failed);
    l->created_ms = pg_i64(r, row, 7);
    l->updated_ms = pg_i64(r, row, 8);
    l->unlinked_ms = pg_i64(r, row, 9);
    l->unlink_reason = pg_text(r, row, 10, failed);
}

static int take_links(store_links *list, const PGresult *r, err *e)
{
    int rows = PQntuples(r);
    if (rows == 0)
        return 0;
    list->v = calloc((size_t)rows, sizeof *list->v);
    if (!list->v)
        return err_set(e, ERR_NOMEM, "store: out of memory");
    list->n = (size_t)rows;
    bool failed = false;
    for (int i = 0; i < rows; i++)
        read_row(&list->v[i], r, i, &failed);
    return failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
}

/* Rows from .. to - 1 of r: the attendees of l. */
static int take_attendees(store_link *l, const PGresult *r, int from, int to, err *e)
{
    l->attendees = calloc((size_t)(to - from), sizeof *l->attendees);
    if (!l->attendees)
        return err_set(e, ERR_NOMEM, "store: out of memory");
    bool failed = false;
    for (int i = from; i < to; i++) {
        store_attendee_ref *a = &l->attendees[l->n_attendees++];
        a->org = pg_text(r, i, 1, &failed);
        a->event = pg_text(r, i, 2, &failed);
        a->code = pg_text(r, i, 3, &failed);
    }
    return failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
}

/* Hands each run of rows of one link_id to its link; both are ordered by link id. */
static int attach_attendees(store_links *list, const PGresult *r, err *e)
{
    int rows = PQntuples(r);
    size_t k = 0;
    for (int i = 0; i < rows;) {
        int64_t link_id = pg_i64(r, i, 0);
        int end = i + 1;
        while (end < rows && pg_i64(r, end, 0) == link_id)
            end++;
        while (k < list->n && list->v[k].id < link_id)
            k++;
        if (k < list->n && list->v[k].id == link_id) {
            int rc = take_attendees(&list->v[k], r, i, end, e);
            if (rc != 0)
                return rc;
        }
        i = end;
    }
    return 0;
}

static int run_query(store_links *list, pg_store *p, const link_query *q, err *e)
{
    PGresult *r = NULL;
    int rc = pg_query(&r, p, e, q->links_sql, q->types, q->a, q->b, q->c);
    if (rc == 0)
        rc = take_links(list, r, e);
    PQclear(r);
    if (rc != 0 || list->n == 0)
        return rc;
    r = NULL;
    rc = pg_query(&r, p, e, q->attendees_sql, q->types, q->a, q->b, q->c);
    if (rc == 0)
        rc = attach_attendees(list, r, e);
    PQclear(r);
    return rc;
}

/* The links q finds, with their attendees, as one consistent snapshot. */
static int read_links(store_links *out, pg_store *p, const link_query *q, err *e)
{
    store_links list = {0};
    int rc = pg_read_start(p, e);
    if (rc != 0)
        return rc;
    rc = run_query(&list, p, q, e);
    pg_read_end(p);
    if (rc != 0) {
        store_links_free(&list);
        return rc;
    }
    *out = list;
    return 0;
}

/* The one link q finds (its conditions name at most one); ERR_NOT_FOUND, with the caller to
 * name what, when none. */
static int read_one(store_link **out, pg_store *p, const link_query *q, err *e)
{
    store_links list = {0};
    int rc = read_links(&list, p, q, e);
    if (rc != 0)
        return rc;
    if (list.n == 0)
        return ERR_NOT_FOUND;
    for (size_t i = 1; i < list.n; i++)
        store_link_clear(&list.v[i]);
    *out = &list.v[0]; /* the array's first element: store_link_free frees the array */
    return 0;
}

/* A look-up of a live link by a unique key; what names it in messages. */
static int find(store_link **out, pg_store *p, err *e, const char *what, const link_query *q)
{
    int rc = read_one(out, p, q, e);
    return rc == ERR_NOT_FOUND ? err_set(e, rc, "no live link for %s", what) : rc;
}

/* ------------------------------------------------------------------ writing */

static int link_create(int64_t *out_id, store *s, const char *location_id, const char *contact_id,
                       const char *email_norm, const char *phone, err *e)
{
    int64_t id = 0;
    /* ON CONFLICT: a contact already linked (or being linked by a concurrent writer, whose
     * commit it waits for) is an answer, not a failed statement that would abort the caller's
     * transaction. */
    int rc = pg_int(&id, PG(s), e,
                    "INSERT INTO links (location_id, contact_id, email_norm, phone, created_at,"
                    " updated_at) VALUES ($1, $2, $3, $4, $5, $5)"
                    " ON CONFLICT (location_id, contact_id) WHERE unlinked_at IS NULL DO NOTHING"
                    " RETURNING id",
                    "tttti", location_id, contact_id, email_norm, phone, store_now(s));
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_CONFLICT, "contact %s/%s is already linked", location_id, contact_id);
    if (rc != 0)
        return err_wrap(e, "link create: ");
    *out_id = id;
    return 0;
}

/* ERR_NOT_FOUND unless link_id is a live link; holds its row locked to the end of the
 * transaction, so that nobody ends it (or joins it another attendee) meanwhile. */
static int lock_live(pg_store *p, int64_t link_id, err *e)
{
    int64_t ended = 0;
    int rc =
        pg_int(&ended, p, e, "SELECT COALESCE(unlinked_at, 0) FROM links WHERE id = $1 FOR UPDATE",
               "i", link_id);
    if (rc == 0 && ended != 0)
        rc = ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return err_set(e, rc, "link %lld: no such live link", (long long)link_id);
    return rc;
}

static int touch(pg_store *p, int64_t link_id, err *e)
{
    return pg_run(NULL, p, e, "UPDATE links SET updated_at = $2 WHERE id = $1", "ii", link_id,
                  store_now(&p->base));
}

static int live_attendee(int64_t *out_link, pg_store *p, const char *org, const char *event,
                         const char *code, err *e)
{
    return pg_int(out_link, p, e,
                  "SELECT link_id FROM link_attendees WHERE org = $1 AND event = $2"
                  " AND attendee_code = $3 AND unlinked_at IS NULL",
                  "ttt", org, event, code);
}

static int add_attendee(pg_store *p, int64_t link_id, const char *org, const char *event,
                        const char *code, err *e)
{
    int rc = lock_live(p, link_id, e);
    for (int tries = 0; rc == 0 && tries < RACE_TRIES; tries++) {
        int64_t other = 0, added = 0;
        rc = live_attendee(&other, p, org, event, code, e);
        if (rc == 0)
            return other == link_id
                       ? 0
                       : err_set(e, ERR_CONFLICT, "attendee %s/%s/%s is linked to %lld", org, event,
                                 code, (long long)other);
        if (rc != ERR_NOT_FOUND)
            return rc;
        rc = pg_run(&added, p, e,
                    "INSERT INTO link_attendees (link_id, org, event, attendee_code, created_at)"
                    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org, event, attendee_code)"
                    " WHERE unlinked_at IS NULL DO NOTHING",
                    "ittti", link_id, org, event, code, store_now(&p->base));
        if (rc == 0 && added == 1)
            return touch(p, link_id, e);
        /* A concurrent writer joined it first: look again to answer as above. */
    }
    return rc != 0 ? rc
                   : err_set(e, ERR_IO,
                             "attendee %s/%s/%s keeps changing under other writers; try again", org,
                             event, code);
}

static int link_add_attendee(store *s, int64_t link_id, const char *org, const char *event,
                             const char *code, err *e)
{
    pg_store *p = PG(s);
    int rc = pg_tx_start(p, e);
    if (rc == 0)
        rc = pg_tx_end(p, add_attendee(p, link_id, org, event, code, e), e);
    return rc != 0 ? err_wrap(e, "link %lld add attendee: ", (long long)link_id) : 0;
}

/* One conditional statement: the row lock it takes makes the liveness test and the write one
 * step. A member linked elsewhere fails it by design, hence the transaction (a savepoint inside
 * the caller's) that rolls back alone. */
static int link_set_member(store *s, int64_t link_id, const char *org, const char *code, err *e)
{
    pg_store *p = PG(s);
    int64_t n = 0;
    int rc = pg_tx_start(p, e);
    if (rc != 0)
        return rc;
    rc = pg_run(&n, p, e,
                "UPDATE links SET member_org = $2, member_code = $3, updated_at = $4"
                " WHERE id = $1 AND unlinked_at IS NULL",
                "itti", link_id, org, code, store_now(s));
    if (rc == 0 && n == 0)
        rc = err_set(e, ERR_NOT_FOUND, "link %lld: no such live link", (long long)link_id);
    if (rc == ERR_CONFLICT)
        err_set(e, rc, "member %s/%s is linked elsewhere", org, code);
    return pg_tx_end(p, rc, e);
}

static int link_set_keys(store *s, int64_t link_id, const char *email_norm, const char *phone,
                         err *e)
{
    int64_t n = 0;
    int rc = pg_run(&n, PG(s), e,
                    "UPDATE links SET email_norm = $2, phone = $3, updated_at = $4"
                    " WHERE id = $1 AND unlinked_at IS NULL",
                    "itti", link_id, email_norm, phone, store_now(s));
    if (rc == 0 && n == 0)
        rc = err_set(e, ERR_NOT_FOUND, "link %lld: no such live link", (long long)link_id);
    return rc;
}

/* Locks the link first (the order every writer keeps), then ends the attendee if it is still
 * that link's: it may have been ended, or moved, between the look-up and the lock. */
static int unlink_attendee(pg_store *p, const char *org, const char *event, const char *code,
                           const char *reason, err *e)
{
    int64_t now = store_now(&p->base);
    for (int tries = 0; tries < RACE_TRIES; tries++) {
        int64_t link_id = 0, n = 0;
        int rc = pg_int(&link_id, p, e,
                        "SELECT id FROM links WHERE id = (SELECT link_id FROM link_attendees"
                        " WHERE org = $1 AND event = $2 AND attendee_code = $3"
                        " AND unlinked_at IS NULL) FOR UPDATE",
                        "ttt", org, event, code);
        if (rc == ERR_NOT_FOUND)
            return err_set(e, rc, "attendee %s/%s/%s is not linked", org, event, code);
        if (rc == 0)
            rc = pg_run(&n, p, e,
                        "UPDATE link_attendees SET unlinked_at = $5, unlink_reason = $6"
                        " WHERE org = $1 AND event = $2 AND attendee_code = $3 AND link_id = $4"
                        " AND unlinked_at IS NULL",
                        "tttiit", org, event, code, link_id, now, reason);
        if (rc != 0)
            return rc;
        if (n > 0)
            return touch(p, link_id, e);
    }
    return err_set(e, ERR_IO, "attendee %s/%s/%s keeps changing under other writers; try again",
                   org, event, code);
}

static int link_unlink_attendee(store *s, const char *org, const char *event, const char *code,
                                const char *reason, err *e)
{
    pg_store *p = PG(s);
    int rc = pg_tx_start(p, e);
    if (rc != 0)
        return rc;
    return pg_tx_end(p, unlink_attendee(p, org, event, code, reason, e), e);
}

/* The link's row first, then its attendees: the order every writer keeps. */
static int link_unlink(store *s, int64_t link_id, const char *reason, err *e)
{
    pg_store *p = PG(s);
    int64_t n = 0, now = store_now(s);
    int rc = pg_tx_start(p, e);
    if (rc != 0)
        return rc;
    rc = pg_run(&n, p, e,
                "UPDATE links SET unlinked_at = $2, unlink_reason = $3, updated_at = $2"
                " WHERE id = $1 AND unlinked_at IS NULL",
                "iit", link_id, now, reason);
    if (rc == 0 && n == 0)
        rc = err_set(e, ERR_NOT_FOUND, "link %lld: no such live link", (long long)link_id);
    if (rc == 0)
        rc = pg_run(NULL, p, e,
                    "UPDATE link_attendees SET unlinked_at = $2, unlink_reason = $3"
                    " WHERE link_id = $1 AND unlinked_at IS NULL",
                    "iit", link_id, now, reason);
    return pg_tx_end(p, rc, e);
}

/* ------------------------------------------------------------------ look-ups */

static int link_get(store_link **out, store *s, int64_t id, err *e)
{
    char idbuf[24];
    link_query q = {LINK_QUERY("id = $1", ""), "t", num(idbuf, id), NULL, NULL};
    int rc = read_one(out, PG(s), &q, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, rc, "link %lld: no such link", (long long)id);
    return rc;
}

static int link_by_contact(store_link **out, store *s, const char *location_id,
                           const char *contact_id, err *e)
{
    link_query q = {LINK_QUERY("location_id = $1 AND contact_id = $2 AND unlinked_at IS NULL", ""),
                    "tt", location_id, contact_id, NULL};
    return find(out, PG(s), e, "the contact", &q);
}

static int link_by_attendee(store_link **out, store *s, const char *org, const char *event,
                            const char *code, err *e)
{
    link_query q = {LINK_QUERY("id = (SELECT link_id FROM link_attendees WHERE org = $1"
                               " AND event = $2 AND attendee_code = $3 AND unlinked_at IS NULL)",
                               ""),
                    "ttt", org, event, code};
    return find(out, PG(s), e, "the attendee", &q);
}

static int link_by_member(store_link **out, store *s, const char *org, const char *code, err *e)
{
    link_query q = {LINK_QUERY("member_org = $1 AND member_code = $2 AND unlinked_at IS NULL", ""),
                    "tt", org, code, NULL};
    return find(out, PG(s), e, "the member", &q);
}

static int link_by_email(store_links *out, store *s, const char *email_norm, err *e)
{
    link_query q = {LINK_QUERY("email_norm = $1 AND unlinked_at IS NULL", ""), "t", email_norm,
                    NULL, NULL};
    int rc = read_links(out, PG(s), &q, e);
    return rc != 0 ? err_wrap(e, "links by email: ") : 0;
}

static int link_list(store_links *out, store *s, int64_t after_id, size_t max, err *e)
{
    char after[24], limit[24];
    link_query q = {LINK_QUERY("id > $1 AND unlinked_at IS NULL", " LIMIT $2"), "tt",
                    num(after, after_id), num(limit, (int64_t)max), NULL};
    int rc = read_links(out, PG(s), &q, e);
    return rc != 0 ? err_wrap(e, "links: ") : 0;
}

void pg_fill_links(store_vtable *vt)
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
