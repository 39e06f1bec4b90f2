/* poller_batch.c: hints written together with their cursor, snapshot hashes, JSON cursors. */
#include "engine/poller_int.h"
#include "util/jsonx.h"
#include "util/log.h"

int poller_batch_add(poller_batch *b, const char *key, const char *kind, const json_t *payload,
                     err *e)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        poller_hint *v = realloc(b->v, cap * sizeof *v);
        if (!v)
            return err_set(e, ERR_NOMEM, "out of memory");
        b->v = v;
        b->cap = cap;
    }
    poller_hint *h = &b->v[b->n];
    h->key = strdup(key);
    h->kind = strdup(kind);
    h->payload = payload ? jsonx_dumps(payload) : strdup("{}");
    if (!h->key || !h->kind || !h->payload) {
        free(h->key);
        free(h->kind);
        free(h->payload);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    b->n++;
    return 0;
}

static void batch_clear(poller_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].key);
        free(b->v[i].kind);
        free(b->v[i].payload);
    }
    b->n = 0;
}

void poller_batch_free(poller_batch *b)
{
    if (!b)
        return;
    batch_clear(b);
    free(b->v);
    b->v = NULL;
    b->cap = 0;
}

int poller_batch_flush(size_t *out_n, poller_batch *b, store *s, const char *cursor_name,
                       const json_t *cursor, err *e)
{
    if (b->n == 0 && !cursor) {
        if (out_n)
            *out_n = 0;
        return 0;
    }
    char *value = cursor ? jsonx_dumps(cursor) : NULL;
    if (cursor && !value)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = store_begin(s, e);
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        store_hint_new h = {.source = b->source,
                            .kind = b->v[i].kind,
                            .record_key = b->v[i].key,
                            .payload = b->v[i].payload,
                            .delay_ms = b->delay_ms};
        rc = store_inbox_append(NULL, s, &h, e);
    }
    if (rc == 0 && value)
        rc = store_cursor_put(s, cursor_name, value, e);
    if (rc == 0)
        rc = store_commit(s, e);
    if (rc != 0)
        store_rollback(s, NULL);
    free(value);
    if (rc != 0)
        return rc;
    if (out_n)
        *out_n = b->n;
    batch_clear(b);
    return 0;
}

int poller_cursor_load(json_t **out, bool *out_found, store *s, const char *name, err *e)
{
    char *text = NULL;
    int rc = store_cursor_get(&text, s, name, e);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    json_t *j = NULL;
    if (text && jsonx_parse(&j, text, strlen(text), name, NULL) == 0 && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    if (text && !j)
        log_write(LOG_WARN, "poller cursor unreadable: starting over",
                  json_pack("{s:s}", "cursor", name));
    bool found = j != NULL;
    free(text);
    if (!j && !(j = json_object()))
        return err_set(e, ERR_NOMEM, "out of memory");
    *out = j;
    if (out_found)
        *out_found = found;
    return 0;
}

void poller_hash(char out[17], const json_t *record)
{
    char *text = record ? json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    free(text);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

bool poller_stopped(const poller_options *o)
{
    return o && o->stop && atomic_load(o->stop);
}

void poller_cursor_name(char *out, size_t size, const char *kind, const char *a, const char *b)
{
    if (b)
        snprintf(out, size, "%s.%s.%s", kind, a, b);
    else
        snprintf(out, size, "%s.%s", kind, a);
}

static void first_failure(int *first, err *e, int rc, const err *one)
{
    if (rc != 0 && *first == 0) {
        *first = rc;
        if (e)
            *e = *one;
    }
}

int poller_capture(void *ctx, engine *eng, err *e)
{
    static const poller_options defaults = {0};
    const poller_options *o = ctx ? ctx : &defaults;
    poller_result r;
    err one = {0};
    int first = 0;
    if (eng->ghl && eng->link.location_id) {
        first_failure(&first, e, poller_ghl_contacts(&r, eng, o, &one), &one);
        first_failure(&first, e, poller_ghl_tasks(&r, eng, o, &one), &one);
    }
    for (size_t i = 0; eng->pl && eng->link.org_code && eng->link.events && eng->link.events[i];
         i++) {
        first_failure(&first, e, poller_pl_registrations(&r, eng, eng->link.events[i], o, &one),
                      &one);
        first_failure(&first, e, poller_pl_attendees(&r, eng, eng->link.events[i], o, &one), &one);
    }
    return first;
}
