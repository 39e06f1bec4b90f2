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
