/* ghl_search.c: the contact listings: POST /contacts/search, the deprecated GET /contacts/ with
 * its startAfter cursor, GET /contacts/business/{businessId}, and the location's custom fields. */
#include "sandbox/ghl/ghl_query.h"

typedef struct hit {
    sbx_ghl_contact *c;
    json_t *keys;
} hit;

/* qsort has no context argument; the sort being applied travels in a thread-local. */
static _Thread_local const sbx_ghl_search *tl_sort;

static int hit_cmp(const void *a, const void *b)
{
    return sbx_ghl_search_cmp(tl_sort, ((const hit *)a)->keys, ((const hit *)b)->keys);
}

typedef bool (*hit_pred)(const sbx_ghl_contact *c, const void *ctx);

/* The contacts of loc that pred accepts, sorted by s; *n_out set. NULL when none (or no memory,
 * which the caller cannot tell apart: the answer is then an empty page). */
static hit *collect(sbx_ghl_emu *g, sbx_ghl_location *loc, const sbx_ghl_search *s, hit_pred pred,
                    const void *ctx, size_t *n_out)
{
    hit *hits = NULL;
    size_t n = 0;
    *n_out = 0;
    for (size_t i = 0; i < g->n_contacts; i++) {
        sbx_ghl_contact *c = g->contacts[i];
        if (c->loc != loc || !pred(c, ctx))
            continue;
        if (n % 256 == 0) {
            hit *more = realloc(hits, (n + 256) * sizeof(*hits));
            if (!more)
                break;
            hits = more;
        }
        hits[n].c = c;
        hits[n].keys = sbx_ghl_search_keys(s, c);
        n++;
    }
    tl_sort = s;
    if (n > 1)
        qsort(hits, n, sizeof(*hits), hit_cmp);
    *n_out = n;
    return hits;
}

static void free_hits(hit *hits, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(hits[i].keys);
    free(hits);
}

static bool pred_search(const sbx_ghl_contact *c, const void *ctx)
{
    return sbx_ghl_search_match(ctx, c);
}

static bool pred_text(const sbx_ghl_contact *c, const void *ctx)
{
    return sbx_ghl_text_match(c, ctx);
}

/* ---- POST /contacts/search ---- */

static void h_search(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = sbx_ghl_body(req, res);
    if (!body)
        return;
    sbx_ghl_fail f = {0};
    sbx_ghl_search *s = NULL;
    sbx_ghl_location *loc = NULL;
    if (sbx_ghl_search_parse(&s, body, &f) != 0)
        sbx_ghl_reply_fail(res, &f);
    else
        loc = sbx_ghl_request_location(g, s->location_id, 400, res);
    json_decref(body);
    if (!loc) {
        sbx_ghl_search_free(s);
        return;
    }
    size_t n = 0;
    hit *hits = collect(g, loc, s, pred_search, s, &n);
    size_t start = 0;
    if (s->search_after)
        while (start < n && sbx_ghl_search_cmp(s, hits[start].keys, s->search_after) <= 0)
            start++;
    else
        start = (size_t)((s->page - 1) * s->limit);
    json_t *list = json_array();
    for (size_t i = start; i < n && i < start + (size_t)s->limit; i++) {
        json_t *j = sbx_ghl_contact_json(hits[i].c);
        json_object_set(j, "searchAfter", hits[i].keys);
        json_array_append_new(list, j);
    }
    http_response_json(res, 200, json_pack("{s:o, s:I}", "contacts", list, "total", (json_int_t)n));
    free_hits(hits, n);
    sbx_ghl_search_free(s);
}

/* ---- GET /contacts/ (deprecated): newest first, cursor startAfter (ms) + startAfterId ---- */

static int list_params(sbx_ghl_emu *g, const http_request *req, int64_t *limit, json_t **cursor,
                       http_response *res)
{
    int64_t after_ms = -1;
    if (!sbx_ghl_query_int(req, "limit", 20, limit, res) ||
        !sbx_ghl_query_int(req, "startAfter", -1, &after_ms, res))
        return ERR_INVALID;
    if (*limit > 100) {
        sbx_ghl_reply_error(res, 400, "limit must not be greater than 100");
        return ERR_INVALID;
    }
    if (*limit < 1) {
        sbx_ghl_reply_error(res, 400, "limit must not be less than 1");
        return ERR_INVALID;
    }
    const char *after_id = http_request_query(req, "startAfterId");
    sbx_ghl_contact *ref = after_id && *after_id ? sbx_ghl_contact_get(g, after_id) : NULL;
    if (after_ms < 0 && ref)
        after_ms = ref->added_ms;
    *cursor = NULL;
    if (after_ms >= 0)
        *cursor = json_pack("[I, s]", (json_int_t)after_ms, after_id && *after_id ? after_id : "");
    return 0;
}

static void list_meta(json_t *out, const http_request *req, const sbx_ghl_location *loc,
                      const hit *last, size_t before, size_t shown, size_t total, int64_t limit)
{
    json_t *meta = json_object();
    int64_t page = (int64_t)(before / (size_t)limit) + 1;
    bool more = before + shown < total;
    json_object_set_new(meta, "total", json_integer((json_int_t)total));
    json_object_set_new(meta, "currentPage", json_integer(page));
    json_object_set_new(meta, "nextPage", more ? json_integer(page + 1) : json_null());
    json_object_set_new(meta, "prevPage", page > 1 ? json_integer(page - 1) : json_null());
    if (more && last) {
        buf url;
        const char *host = http_request_header(req, "Host");
        const char *q = http_request_query(req, "query");
        buf_init(&url, 4096);
        buf_addf(&url, "http://%s/contacts/?locationId=", host ? host : "127.0.0.1");
        http_url_encode(&url, loc->id);
        buf_addf(&url, "&limit=%lld&startAfter=%lld&startAfterId=%s", (long long)limit,
                 (long long)last->c->added_ms, last->c->id);
        if (q && *q) {
            buf_addstr(&url, "&query=");
            http_url_encode(&url, q);
        }
        json_object_set_new(meta, "nextPageUrl", json_string(buf_cstr(&url)));
        json_object_set_new(meta, "startAfterId", json_string(last->c->id));
        json_object_set_new(meta, "startAfter", json_integer(last->c->added_ms));
        buf_free(&url);
    } else {
        json_object_set_new(meta, "nextPageUrl", json_null());
        json_object_set_new(meta, "startAfterId", json_null());
        json_object_set_new(meta, "startAfter", json_null());
    }
    json_object_set_new(out, "meta", meta);
}

static void h_list(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    sbx_ghl_location *loc =
        sbx_ghl_request_location(g, http_request_query(req, "locationId"), 422, res);
    int64_t limit = 0;
    json_t *cursor = NULL;
    if (!loc || list_params(g, req, &limit, &cursor, res) != 0)
        return;
    sbx_ghl_search order = {.n_sort = 1, .sort = {{"dateAdded", true}}};
    const char *q = http_request_query(req, "query");
    size_t n = 0;
    hit *hits = collect(g, loc, &order, pred_text, q ? q : "", &n);
    size_t start = 0;
    /* An empty startAfterId sorts before every id, so a bare startAfter skips the whole
     * millisecond. */
    while (cursor && start < n) {
        json_t *k = hits[start].keys;
        int64_t ms = json_integer_value(json_array_get(k, 0));
        int64_t after = json_integer_value(json_array_get(cursor, 0));
        const char *cid = json_string_value(json_array_get(cursor, 1));
        if (ms < after || (ms == after && *cid && sbx_ghl_search_cmp(&order, k, cursor) > 0))
            break;
        start++;
    }
    json_t *list = json_array();
    size_t end = start;
    for (; end < n && end < start + (size_t)limit; end++)
        json_array_append_new(list, sbx_ghl_contact_json(hits[end].c));
    json_t *out = json_pack("{s:o, s:I}", "contacts", list, "count", (json_int_t)n);
    list_meta(out, req, loc, end > start ? &hits[end - 1] : NULL, start, end - start, n, limit);
    http_response_json(res, 200, out);
    free_hits(hits, n);
    json_decref(cursor);
}

/* ---- GET /contacts/business/{businessId} ---- */

typedef struct business_ctx {
    const char *business_id;
    const char *query;
} business_ctx;

static bool pred_business(const sbx_ghl_contact *c, const void *ctx)
{
    const business_ctx *b = ctx;
    const char *id = jsonx_str(c->f, "businessId");
    return id && strcmp(id, b->business_id) == 0 && sbx_ghl_text_match(c, b->query);
}

static void h_business(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    sbx_ghl_location *loc =
        sbx_ghl_request_location(g, http_request_query(req, "locationId"), 422, res);
    int64_t limit = 0, skip = 0;
    if (!loc || !sbx_ghl_query_int(req, "limit", 25, &limit, res) ||
        !sbx_ghl_query_int(req, "skip", 0, &skip, res))
        return;
    limit = PS_MIN(limit, 1000000);
    skip = PS_MIN(skip, 1000000000);
    business_ctx ctx = {http_request_param(req, "businessId"), http_request_query(req, "query")};
    sbx_ghl_search order = {.n_sort = 1, .sort = {{"dateAdded", true}}};
    size_t n = 0;
    hit *hits = collect(g, loc, &order, pred_business, &ctx, &n);
    json_t *list = json_array();
    for (size_t i = (size_t)skip; i < n && i < (size_t)(skip + limit); i++)
        json_array_append_new(list, sbx_ghl_contact_json(hits[i].c));
    http_response_json(res, 200, json_pack("{s:o, s:I}", "contacts", list, "count", (json_int_t)n));
    free_hits(hits, n);
}

/* ---- GET /locations/{locationId}/customFields (HighLevel's locations API) ---- */

static void h_custom_fields(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    sbx_ghl_location *loc =
        sbx_ghl_request_location(g, http_request_param(req, "locationId"), 422, res);
    if (loc)
        http_response_json(res, 200, json_pack("{s:O}", "customFields", loc->custom_fields));
}

const sbx_ghl_route sbx_ghl_search_routes[] = {
    {"POST", "/contacts/search", "search-contacts-advanced", h_search, "contacts.readonly"},
    {"GET", "/contacts/", "get-contacts", h_list, "contacts.readonly"},
    {"GET", "/contacts", "get-contacts", h_list, "contacts.readonly"},
    {"GET", "/contacts/business/{businessId}", "get-contacts-by-businessId", h_business,
     "contacts.readonly"},
    {"GET", "/locations/{locationId}/customFields", "get-custom-fields", h_custom_fields,
     "locations/customFields.readonly"},
};
const size_t sbx_ghl_search_routes_n = PS_ARRAY_LEN(sbx_ghl_search_routes);
