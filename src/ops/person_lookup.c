/* person_lookup.c: EMAIL|ID to a person: the link first, then the APIs. */
#include "ops/person_lookup.h"
#include "util/jsonx.h"

static void drop_records(ops_person *p);

void ops_person_free(ops_person *p)
{
    if (!p)
        return;
    drop_records(p);
    store_link_free(p->link);
    free(p->contact_id);
    free(p->contact_error);
    memset(p, 0, sizeof *p);
}

static int add_attendee(ops_person *p, const char *event, const char *code, json_t *attendee,
                        err *e)
{
    ops_attendee *grown = realloc(p->attendees, (p->n_attendees + 1) * sizeof *grown);
    if (!grown)
        return err_set(e, ERR_NOMEM, "out of memory");
    p->attendees = grown;
    ops_attendee *a = &grown[p->n_attendees];
    *a = (ops_attendee){.event = strdup(event), .code = strdup(code)};
    if (!a->event || !a->code) {
        free(a->event);
        free(a->code);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    a->attendee = json_incref(attendee);
    p->n_attendees++;
    return 0;
}

/* Forgets the records read (the contact id stays). */
static void drop_records(ops_person *p)
{
    json_decref(p->contact);
    p->contact = NULL;
    for (size_t i = 0; i < p->n_attendees; i++) {
        free(p->attendees[i].event);
        free(p->attendees[i].code);
        json_decref(p->attendees[i].attendee);
        free(p->attendees[i].error);
    }
    free(p->attendees);
    p->attendees = NULL;
    p->n_attendees = 0;
}

/* The PheedLoop organization of the link read through: its org_code, else the stored one. */
static const char *pl_org(ops_data *d)
{
    const char *org = ops_data_org(d);
    return *org ? org : NULL;
}

static bool id_like(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128)
        return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_'))
            return false;
    return true;
}

/* ---------------------------------------------------------------- through the store */

static int link_by_email(store_link **out, ops_data *d, const char *email, err *e)
{
    store_links list = {0};
    int rc = store_link_by_email(&list, d->app->store, email, e);
    if (rc != 0)
        return rc;
    size_t n = list.n, at;
    if (d->link_only) { /* --link: the people of that link's location only, moved first */
        n = 0;
        for (size_t i = 0; i < list.n; i++) {
            if (ops_data_link_of_location(&at, d, list.v[i].location_id)) {
                store_link keep = list.v[i];
                list.v[i] = list.v[n];
                list.v[n++] = keep;
            }
        }
    }
    store_link *one = n == 1 ? malloc(sizeof *one) : NULL;
    if (n == 1 && !one) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
    } else if (one) {
        *one = list.v[0]; /* moved out of the list */
        memset(&list.v[0], 0, sizeof list.v[0]);
        *out = one;
    } else if (n > 1) {
        char ids[256] = "";
        size_t used = 0;
        for (size_t i = 0; i < n && used < sizeof ids - 24; i++)
            used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%lld", i ? ", " : "",
                                     (long long)list.v[i].id);
        rc = err_set(e, ERR_CONFLICT,
                     "%s is ambiguous: %zu links have it (%s); ask for one by its number or id%s",
                     email, n, ids,
                     d->app->n_links > 1 && !d->link_only ? ", or name the link with --link" : "");
    }
    store_links_free(&list);
    return rc;
}

/* The live link naming id as a contact or an attendee, else the link numbered id. */
static int link_by_id_in(store_link **out, ops_data *d, const char *id, err *e)
{
    store *s = d->app->store;
    int rc = ERR_NOT_FOUND;
    if (d->location && *d->location)
        rc = store_link_by_contact(out, s, d->location, id, e);
    const char *org = rc == ERR_NOT_FOUND ? pl_org(d) : NULL;
    for (size_t i = 0; org && rc == ERR_NOT_FOUND && d->link_events[i]; i++)
        rc = store_link_by_attendee(out, s, org, d->link_events[i], id, e);
    return rc;
}

/* In every link (or the --link one): the first that has it. */
static int link_by_id(store_link **out, ops_data *d, const char *id, err *e)
{
    store *s = d->app->store;
    size_t from, to;
    ops_data_links(d, &from, &to);
    int rc = ERR_NOT_FOUND;
    for (size_t i = from; rc == ERR_NOT_FOUND && i < to; i++) {
        ops_data_use_link(d, i);
        rc = link_by_id_in(out, d, id, e);
    }
    if (rc == ERR_NOT_FOUND && strspn(id, "0123456789") == strlen(id) && strlen(id) < 19)
        rc = store_link_get(out, s, strtoll(id, NULL, 10), e);
    return rc;
}

/* ---------------------------------------------------------------- through the APIs */

static int read_linked(ops_person *p, ops_data *d, err *e)
{
    const store_link *l = p->link;
    size_t at;
    if (!ops_data_link_of_location(&at, d, l->location_id)) {
        char why[256];
        snprintf(why, sizeof why,
                 "location %s is in no link of the configuration%s: its records are not read",
                 l->location_id, d->link_only ? " that --link names" : "");
        p->contact_error = strdup(why);
        return 0;
    }
    ops_data_use_link(d, at);
    int rc = ops_data_contact(&p->contact, d, l->contact_id, e);
    if (rc == ERR_NOT_FOUND)
        p->contact_error = strdup(e->msg);
    else if (rc != 0)
        return rc;
    for (size_t i = 0; i < l->n_attendees; i++) {
        const store_attendee_ref *r = &l->attendees[i];
        json_t *att = NULL;
        rc = ops_data_attendee(&att, d, r->event, r->code, e);
        if (rc != 0 && rc != ERR_NOT_FOUND)
            return rc;
        int add = add_attendee(p, r->event, r->code, att, e);
        if (add == 0 && rc == ERR_NOT_FOUND)
            p->attendees[p->n_attendees - 1].error = strdup(e->msg);
        json_decref(att);
        if (add != 0)
            return add;
    }
    return 0;
}

static int api_by_email_in(ops_person *p, ops_data *d, const char *email, err *e)
{
    int rc = app_require(d->app, APP_GHL | APP_PL, e);
    ghl_call call = {0};
    ghl_op op = {.location_id = d->location, .lane = GOVERNOR_LANE_LIVE, .call = &call};
    ghl_contact ct = {0};
    bool found = false;
    if (rc == 0 && d->location && *d->location)
        rc = ghl_client_find_duplicate(&ct, &found, ops_data_ghl(d), &op, email, NULL, e);
    if (rc == 0 && found) {
        p->contact_id = strdup(ct.id);
        p->contact = json_incref(ct.raw);
    }
    ghl_contact_clear(&ct);
    for (size_t i = 0; rc == 0 && d->link_events[i]; i++) {
        pl_attendee a = {0};
        const char *ev = d->link_events[i];
        rc = pl_client_find_attendee_by_email(&a, ops_data_pl(d), ev, email, NULL, e);
        if (rc == 0)
            rc = add_attendee(p, ev, a.code, a.raw, e);
        else if (rc == ERR_NOT_FOUND)
            rc = 0;
        else if (rc == ERR_CONFLICT)
            rc = err_set(e, ERR_CONFLICT, "%s is ambiguous: several attendees of %s have it", email,
                         ev);
        pl_attendee_free(&a);
    }
    return rc;
}

static int api_by_id_in(ops_person *p, ops_data *d, const char *id, err *e)
{
    json_t *ct = NULL;
    int rc = d->location && *d->location ? ops_data_contact(&ct, d, id, e) : ERR_NOT_FOUND;
    if (rc == 0) {
        p->contact_id = strdup(id);
        p->contact = ct;
        return p->contact_id ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    }
    if (rc != ERR_NOT_FOUND)
        return rc;
    rc = app_require(d->app, APP_PL, e);
    for (size_t i = 0; rc == 0 && d->link_events[i]; i++) {
        json_t *att = NULL;
        rc = ops_data_attendee(&att, d, d->link_events[i], id, e);
        if (rc == 0)
            rc = add_attendee(p, d->link_events[i], id, att, e);
        else if (rc == ERR_NOT_FOUND)
            rc = 0;
        json_decref(att);
    }
    return rc;
}

/* Through the APIs of every link (or the --link one), until one has the person. */
static int api_find(ops_person *p, ops_data *d, bool email, const char *query, err *e)
{
    size_t from, to;
    ops_data_links(d, &from, &to);
    int rc = 0;
    for (size_t i = from; rc == 0 && !p->contact && !p->n_attendees && i < to; i++) {
        ops_data_use_link(d, i);
        rc = email ? api_by_email_in(p, d, p->email, e) : api_by_id_in(p, d, query, e);
    }
    return rc;
}

/* The e-mail of what was found, normalised, when the query did not give it. */
static void learn_email(ops_person *p)
{
    const char *raw = p->link && p->link->email_norm ? p->link->email_norm : NULL;
    if (!raw && p->contact)
        raw = jsonx_str(p->contact, "email");
    for (size_t i = 0; !raw && i < p->n_attendees; i++)
        raw = jsonx_str(p->attendees[i].attendee, "email");
    err e = {0};
    if (raw && !p->email[0] && ops_norm_email(p->email, sizeof p->email, raw, &e) != 0)
        p->email[0] = '\0';
}

/* ---------------------------------------------------------------- finding */

static int find(ops_person *p, ops_data *d, const char *query, unsigned flags, err *e)
{
    bool email = strchr(query, '@') != NULL, read = flags & OPS_FIND_READ;
    int rc;
    if (email) {
        rc = ops_norm_email(p->email, sizeof p->email, query, e);
        if (rc == 0)
            rc = link_by_email(&p->link, d, p->email, e);
    } else {
        if (!id_like(query))
            return err_set(e, ERR_INVALID,
                           "'%s' is neither an e-mail address nor an id (a HighLevel contact id, "
                           "a PheedLoop attendee code or a link number)",
                           query);
        rc = link_by_id(&p->link, d, query, e);
    }
    if (rc == 0 && p->link) {
        size_t at;
        if (ops_data_link_of_location(&at, d, p->link->location_id))
            ops_data_use_link(d, at);
        p->contact_id = strdup(p->link->contact_id);
        if (!p->contact_id)
            return err_set(e, ERR_NOMEM, "out of memory");
        return read ? read_linked(p, d, e) : 0;
    }
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    if (flags & OPS_FIND_STORE)
        return email ? 0 : err_set(e, ERR_NOT_FOUND, "no link names %s", query);
    rc = api_find(p, d, email, query, e);
    if (rc != 0)
        return rc;
    if (!p->contact && !p->n_attendees)
        return err_set(e, ERR_NOT_FOUND,
                       "nobody is %s: no link, no HighLevel contact and no attendee of the "
                       "configured events%s",
                       query, d->link_only ? " of the link --link names" : "");
    /* Found through an API: a link may still name the contact (its address changed). */
    if (!p->contact_id || !d->location || !*d->location)
        return 0;
    rc = store_link_by_contact(&p->link, d->app->store, d->location, p->contact_id, e);
    if (rc != 0)
        return rc == ERR_NOT_FOUND ? 0 : rc;
    drop_records(p);
    return read ? read_linked(p, d, e) : 0;
}

int ops_person_find(ops_person *out, ops_data *d, const char *query, unsigned flags, err *e)
{
    ops_person p = {0};
    int rc = app_require(d->app, APP_STORE, e);
    if (rc == 0)
        rc = find(&p, d, query ? query : "", flags, e);
    if (rc != 0) {
        ops_person_free(&p);
        return rc;
    }
    learn_email(&p);
    p.link_name = ops_data_link_name(d);
    *out = p;
    return 0;
}

size_t ops_person_audit_keys(const ops_person *p, char keys[3][OPS_EMAIL_MAX])
{
    const char *cand[3] = {NULL, p->link ? p->link->email_norm : NULL, p->email};
    char id[32];
    if (p->link) {
        snprintf(id, sizeof id, "%lld", (long long)p->link->id);
        cand[0] = id;
    }
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        bool dup = !cand[i] || !cand[i][0];
        for (size_t j = 0; !dup && j < n; j++)
            dup = strcmp(keys[j], cand[i]) == 0;
        if (!dup)
            snprintf(keys[n++], OPS_EMAIL_MAX, "%s", cand[i]);
    }
    return n;
}
