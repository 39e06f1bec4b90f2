/* store_result.c: freeing the records the store hands out, and small helpers for backends. */
#include "store/store_backend.h"

int store_grow(void **v, size_t *cap, size_t n, size_t size, err *e)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *nv = realloc(*v, ncap * size);
    if (!nv)
        return err_set(e, ERR_NOMEM, "store: out of memory");
    memset((char *)nv + *cap * size, 0, (ncap - *cap) * size);
    *v = nv;
    *cap = ncap;
    return 0;
}

char *store_dup(const char *src, bool *failed)
{
    if (!src)
        return NULL;
    char *d = strdup(src);
    if (!d)
        *failed = true;
    return d;
}

void store_hints_free(store_hints *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++) {
        store_hint *h = &list->v[i];
        free(h->record_key);
        free(h->source);
        free(h->kind);
        free(h->payload);
    }
    free(list->v);
    list->v = NULL;
    list->n = 0;
}

void store_op_clear(store_op *op)
{
    free(op->service);
    free(op->account);
    free(op->kind);
    free(op->record_key);
    free(op->payload);
    free(op->idem_key);
    free(op->last_error);
    memset(op, 0, sizeof *op);
}

void store_ops_free(store_ops *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++)
        store_op_clear(&list->v[i]);
    free(list->v);
    list->v = NULL;
    list->n = 0;
}

static void dead_clear(store_dead *d)
{
    store_op_clear(&d->op);
    free(d->error_class);
    free(d->message);
    free(d->request);
}

void store_dead_free(store_dead *d)
{
    if (!d)
        return;
    dead_clear(d);
    free(d);
}

void store_deads_free(store_deads *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++)
        dead_clear(&list->v[i]);
    free(list->v);
    list->v = NULL;
    list->n = 0;
}

void store_link_clear(store_link *l)
{
    free(l->location_id);
    free(l->contact_id);
    free(l->member_org);
    free(l->member_code);
    free(l->email_norm);
    free(l->phone);
    free(l->unlink_reason);
    for (size_t i = 0; i < l->n_attendees; i++) {
        free(l->attendees[i].org);
        free(l->attendees[i].event);
        free(l->attendees[i].code);
    }
    free(l->attendees);
    memset(l, 0, sizeof *l);
}

void store_link_free(store_link *l)
{
    if (!l)
        return;
    store_link_clear(l);
    free(l);
}

void store_links_free(store_links *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++)
        store_link_clear(&list->v[i]);
    free(list->v);
    list->v = NULL;
    list->n = 0;
}

void store_shadow_free(store_shadow *sh)
{
    if (!sh)
        return;
    free(sh->side);
    free(sh->record_key);
    free(sh->body);
    free(sh->hash);
    free(sh);
}

void store_held_clear(store_held *h)
{
    free(h->batch);
    free(h->side);
    free(h->record_key);
    free(h->reason);
    free(h->payload);
    free(h->decided_by);
    memset(h, 0, sizeof *h);
}

void store_helds_free(store_helds *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++)
        store_held_clear(&list->v[i]);
    free(list->v);
    list->v = NULL;
    list->n = 0;
}

void store_audit_entries_free(store_audit_entries *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++) {
        store_audit_entry *a = &list->v[i];
        free(a->person_key);
        free(a->direction);
        free(a->fields);
        free(a->before);
        free(a->after);
        free(a->reason);
    }
    free(list->v);
    list->v = NULL;
    list->n = 0;
}

#define DAY_MS INT64_C(86400000)

bool store_budget_decide(store_budget_take_result *r, store_budget_row *b,
                         const store_budget_limits *lim, int64_t now, int64_t n)
{
    if (now < b->window_start || now >= b->window_start + lim->window_ms) {
        b->window_start = now;
        b->window_count = 0;
    }
    int64_t day = now - (((now % DAY_MS) + DAY_MS) % DAY_MS);
    if (b->day_start != day) {
        b->day_start = day;
        b->day_count = 0;
    }
    bool window_ok = b->window_count + n <= lim->window_max;
    bool day_ok = lim->day_max == 0 || b->day_count + n <= lim->day_max;
    r->granted = window_ok && day_ok;
    r->retry_at_ms = 0;
    if (r->granted) {
        b->window_count += n;
        b->day_count += n;
    } else {
        r->retry_at_ms = day_ok ? b->window_start + lim->window_ms : day + DAY_MS;
    }
    r->window_left = lim->window_max - b->window_count;
    r->day_left = lim->day_max == 0 ? -1 : lim->day_max - b->day_count;
    return r->granted;
}
