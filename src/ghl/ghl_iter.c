/* ghl_iter.c: paging through HighLevel contacts: search (searchAfter), the deprecated list
 * (startAfter / startAfterId) and contacts by business (skip / limit). */
#include "ghl/ghl_client_int.h"
#include "util/jsonx.h"

struct ghl_client_iter {
    ghl_client *c;
    ghl_op op;
    char *location_id;
    ghl_iter_kind kind;
    size_t page_size, max, seen;
    char *query, *business_id;
    json_t *filters, *sort;
    json_t *search_after; /* search: the cursor of the next page */
    int64_t start_after;  /* list */
    char *start_after_id;
    size_t skip; /* business */
    int64_t total;
    bool done;
};

json_t *ghl_filter(const char *field, const char *op, json_t *value)
{
    json_t *f = json_pack("{s:s, s:s}", "field", field, "operator", op);
    if (f && value)
        json_object_set_new(f, "value", value);
    else
        json_decref(value);
    return f;
}

int ghl_client_iter_new(ghl_client_iter **out, ghl_client *c, const ghl_op *op,
                        const ghl_client_query *q, err *e)
{
    if (q->kind == GHL_ITER_BUSINESS && (!q->business_id || !*q->business_id))
        return err_set(e, ERR_INVALID, "contacts by business: no business id");
    ghl_client_iter *it = calloc(1, sizeof *it);
    if (!it)
        return err_set(e, ERR_NOMEM, "out of memory");
    it->c = c;
    it->op = *op;
    it->kind = q->kind;
    it->page_size = q->page_size ? q->page_size : 100;
    it->max = q->max;
    it->total = -1;
    it->location_id = strdup(op->location_id ? op->location_id : "");
    it->op.location_id = it->location_id;
    it->query = q->query ? strdup(q->query) : NULL;
    it->business_id = q->business_id ? strdup(q->business_id) : NULL;
    it->filters = q->filters ? json_deep_copy(q->filters) : NULL;
    it->sort = q->sort ? json_deep_copy(q->sort) : NULL;
    if (!it->location_id || (q->query && !it->query) || (q->business_id && !it->business_id) ||
        (q->filters && !it->filters) || (q->sort && !it->sort)) {
        ghl_client_iter_free(it);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    *out = it;
    return 0;
}

void ghl_client_iter_free(ghl_client_iter *it)
{
    if (!it)
        return;
    free(it->location_id);
    free(it->query);
    free(it->business_id);
    free(it->start_after_id);
    json_decref(it->filters);
    json_decref(it->sort);
    json_decref(it->search_after);
    free(it);
}

int64_t ghl_client_iter_total(const ghl_client_iter *it)
{
    return it->total;
}

static size_t want(const ghl_client_iter *it)
{
    size_t n = it->page_size;
    if (it->max && it->max - it->seen < n)
        n = it->max - it->seen;
    return n;
}

static int parse_page(void *out, const char *body, size_t len, err *e)
{
    return ghl_parse_contact_page(out, body, len, e);
}

static int fetch_search(ghl_contact_page *out, ghl_client_iter *it, err *e)
{
    json_t *b = json_pack("{s:s, s:I}", "locationId", it->location_id, "pageLimit",
                          (json_int_t)it->page_size);
    if (b && it->query)
        json_object_set_new(b, "query", json_string(it->query));
    if (b && it->filters)
        json_object_set(b, "filters", it->filters);
    if (b && it->sort)
        json_object_set(b, "sort", it->sort);
    if (b && it->search_after)
        json_object_set(b, "searchAfter", it->search_after);
    if (!b)
        return err_set(e, ERR_NOMEM, "out of memory");
    /* A search changes nothing: repeating it is harmless. */
    int rc = ghl_call_parse(out, parse_page, it->c, &it->op, "POST", "/contacts/search", b,
                            HTTP_IDEMPOTENT_YES, "ghl search-contacts-advanced", e);
    json_decref(b);
    if (rc != 0)
        return rc;
    json_decref(it->search_after);
    it->search_after = NULL;
    const json_t *last = out->n ? out->v[out->n - 1].search_after : NULL;
    if (out->n < it->page_size || !last)
        it->done = true;
    else
        it->search_after = json_deep_copy(last);
    return 0;
}

static void add_query(buf *p, const char *name, const char *value)
{
    buf_addf(p, "&%s=", name);
    ghl_path_seg(p, value);
}

static int fetch_list(ghl_contact_page *out, ghl_client_iter *it, err *e)
{
    buf p;
    buf_init(&p, 4096);
    buf_addstr(&p, "/contacts/?locationId=");
    ghl_path_seg(&p, it->location_id);
    buf_addf(&p, "&limit=%zu", it->page_size);
    if (it->query)
        add_query(&p, "query", it->query);
    if (it->start_after_id) {
        buf_addf(&p, "&startAfter=%lld", (long long)it->start_after);
        add_query(&p, "startAfterId", it->start_after_id);
    }
    int rc = ghl_call_parse(out, parse_page, it->c, &it->op, "GET", buf_cstr(&p), NULL,
                            HTTP_IDEMPOTENT_BY_METHOD, "ghl get-contacts", e);
    buf_free(&p);
    if (rc != 0)
        return rc;
    free(it->start_after_id);
    it->start_after_id = NULL;
    if (out->n < it->page_size || !out->next_start_after_id)
        it->done = true;
    else if (!(it->start_after_id = strdup(out->next_start_after_id)))
        return err_set(e, ERR_NOMEM, "out of memory");
    it->start_after = out->next_start_after;
    return 0;
}

static int fetch_business(ghl_contact_page *out, ghl_client_iter *it, err *e)
{
    buf p;
    buf_init(&p, 4096);
    buf_addstr(&p, "/contacts/business/");
    ghl_path_seg(&p, it->business_id);
    buf_addstr(&p, "?locationId=");
    ghl_path_seg(&p, it->location_id);
    buf_addf(&p, "&limit=%zu&skip=%zu", it->page_size, it->skip);
    if (it->query)
        add_query(&p, "query", it->query);
    int rc = ghl_call_parse(out, parse_page, it->c, &it->op, "GET", buf_cstr(&p), NULL,
                            HTTP_IDEMPOTENT_BY_METHOD, "ghl get-contacts-by-businessId", e);
    buf_free(&p);
    if (rc != 0)
        return rc;
    it->skip += out->n;
    if (out->n < it->page_size)
        it->done = true;
    return 0;
}

/* Drops the contacts past max from the page. */
static void trim(ghl_contact_page *p, size_t keep)
{
    while (p->n > keep)
        ghl_contact_clear(&p->v[--p->n]);
}

int ghl_client_iter_next(ghl_contact_page *out, ghl_client_iter *it, err *e)
{
    ghl_contact_page_clear(out);
    if (it->done || (it->max && it->seen >= it->max))
        return 0;
    ghl_contact_page p = {0};
    int rc = it->kind == GHL_ITER_SEARCH ? fetch_search(&p, it, e)
             : it->kind == GHL_ITER_LIST ? fetch_list(&p, it, e)
                                         : fetch_business(&p, it, e);
    for (size_t i = 0; rc == 0 && i < p.n; i++)
        rc = ghl_client_resolve_keys(&p.v[i], it->c, &it->op, e);
    if (rc != 0) {
        ghl_contact_page_clear(&p);
        return rc;
    }
    if (p.total >= 0)
        it->total = p.total;
    trim(&p, want(it));
    it->seen += p.n;
    *out = p;
    return 0;
}
