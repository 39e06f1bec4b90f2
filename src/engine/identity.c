/* identity.c: who an unlinked attendee is in HighLevel: the contact with its normalised email,
 * else the one with its E.164 phone. Several candidates, or a phone match whose contact already
 * stands for another attendee of the same event, are ambiguous: reported, never guessed. */
#include "engine/sync_int.h"

#include "util/jsonx.h"

#define CANDIDATES_MAX 8

/* Contacts of the location whose field (email or phone) equals value, by search. */
static int search(json_t **out, plan_ctx *c, const char *field, const char *value, int lane, err *e)
{
    json_t *filters = json_array();
    json_array_append_new(filters, ghl_filter(field, "eq", json_string(value)));
    ghl_client_query q = {.kind = GHL_ITER_SEARCH,
                          .page_size = CANDIDATES_MAX,
                          .filters = filters,
                          .max = CANDIDATES_MAX};
    ghl_call call = {0};
    ghl_op op = {
        .location_id = c->en->link.location_id, .lane = sync_gov_lane(lane), .call = &call};
    ghl_client_iter *it = NULL;
    int rc = ghl_client_iter_new(&it, c->en->ghl, &op, &q, e);
    json_decref(filters);
    if (rc != 0)
        return rc;
    ghl_contact_page page = {0};
    rc = ghl_client_iter_next(&page, it, e);
    json_t *list = json_array();
    for (size_t i = 0; rc == 0 && i < page.n; i++)
        json_array_append(list, page.v[i].raw);
    ghl_contact_page_clear(&page);
    ghl_client_iter_free(it);
    if (rc != 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* Keeps only the candidates whose own value, normalised, is really value (a search compares
 * loosely: case, digits). */
static json_t *exact(plan_ctx *c, json_t *list, bool email, const char *value)
{
    json_t *keep = json_array();
    size_t i;
    json_t *ct;
    json_array_foreach(list, i, ct)
    {
        char norm[320];
        if (email)
            sync_norm_email(norm, sizeof norm, jsonx_str(ct, "email"));
        else
            sync_norm_phone(norm, jsonx_str(ct, "phone"), c->set.default_cc);
        if (strcmp(norm, value) == 0)
            json_array_append(keep, ct);
    }
    json_decref(list);
    return keep;
}

static int candidates(json_t **out, plan_ctx *c, bool email, const char *value, int lane, err *e)
{
    if (snap_contacts_complete(c->snap)) {
        const char *ids[CANDIDATES_MAX];
        size_t n = email ? snap_contacts_by_email(c->snap, value, ids, CANDIDATES_MAX)
                         : snap_contacts_by_phone(c->snap, value, ids, CANDIDATES_MAX);
        json_t *list = json_array();
        for (size_t i = 0; i < n && i < CANDIDATES_MAX; i++) {
            json_t *ct = snap_contact(c->snap, ids[i], NULL);
            if (ct)
                json_array_append_new(list, ct);
        }
        *out = list;
        return 0;
    }
    json_t *list = NULL;
    int rc = search(&list, c, email ? "email" : "phone", value, lane, e);
    if (rc != 0)
        return rc;
    *out = exact(c, list, email, value);
    return 0;
}

/* True when the contact is linked to another attendee of this event already. */
static bool taken_in_event(plan_ctx *c, const char *contact_id, const char *event)
{
    store_link *l = NULL;
    err e = {0};
    if (store_link_by_contact(&l, c->en->store, c->en->link.location_id, contact_id, &e) != 0)
        return false;
    bool taken = false;
    for (size_t i = 0; i < l->n_attendees; i++)
        taken |= strcmp(l->attendees[i].event, event) == 0;
    store_link_free(l);
    return taken;
}

int identity_match(id_match *out, char out_id[96], json_t **out_contact, plan_ctx *c,
                   const char *email, const char *phone, const char *event, int lane, char why[160],
                   err *e)
{
    why[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        const char *value = pass == 0 ? email : phone;
        if (!value || !*value)
            continue;
        json_t *list = NULL;
        int rc = candidates(&list, c, pass == 0, value, lane, e);
        if (rc != 0)
            return rc;
        size_t n = json_array_size(list);
        if (n == 0) {
            json_decref(list);
            continue;
        }
        if (n > 1) {
            snprintf(why, 160, "%zu HighLevel contacts have the %s %s", n,
                     pass == 0 ? "email" : "phone", value);
            json_decref(list);
            *out = ID_AMBIGUOUS;
            return 0;
        }
        json_t *ct = json_incref(json_array_get(list, 0));
        json_decref(list);
        const char *id = jsonx_str(ct, "id");
        if (!id || taken_in_event(c, id, event)) {
            snprintf(why, 160,
                     "the contact with the %s %s already stands for another attendee "
                     "of %s",
                     pass == 0 ? "email" : "phone", value, event);
            json_decref(ct);
            *out = ID_AMBIGUOUS;
            return 0;
        }
        *out = ID_ONE;
        snprintf(out_id, 96, "%s", id);
        /* A snapshot's copy may predate our own writes: the caller reads it with the check. */
        if (snap_contacts_complete(c->snap)) {
            json_decref(ct);
            ct = NULL;
        }
        *out_contact = ct;
        return 0;
    }
    *out = ID_NONE;
    return 0;
}
