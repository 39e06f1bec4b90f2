/* pl_page.c: the PheedLoop emulator's lists: DRF page-number pagination with absolute next and
 * previous links, and the date range filters. */
#include "sandbox/pheedloop/pl_internal.h"
#include "util/jsonx.h"

#include <ctype.h>

#define QUERY_MAX 32

typedef struct qpair {
    const char *key;
    const char *value;
} qpair;

typedef struct qlist {
    qpair items[QUERY_MAX];
    size_t n;
} qlist;

/* Django's int(): optional sign and surrounding spaces; we take digits only, which is what
 * clients send. */
static bool parse_positive(const char *s, int64_t *out)
{
    if (!s || !*s)
        return false;
    int64_t v = 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s) || v > 100000000)
            return false;
        v = v * 10 + (*s - '0');
    }
    if (v < 1)
        return false;
    *out = v;
    return true;
}

static bool collect(void *ctx, const char *key, const char *value)
{
    qlist *q = ctx;
    if (q->n < QUERY_MAX && strcmp(key, "page") != 0)
        q->items[q->n++] = (qpair){key, value};
    return true;
}

/* Python's quote_plus, as urlencode() writes query strings. */
static void quote_plus(buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~')
            buf_addc(b, (char)c);
        else if (c == ' ')
            buf_addc(b, '+');
        else
            buf_addf(b, "%%%02X", c);
    }
}

/* DRF's replace_query_param / remove_query_param: the other arguments sorted by name (a stable
 * sort keeps repeated names in order), then page unless it is 0. */
static json_t *page_url(const http_request *req, const qlist *q, int64_t page)
{
    qpair sorted[QUERY_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i < q->n; i++)
        sorted[n++] = q->items[i];
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)page);
    if (page > 0)
        sorted[n++] = (qpair){"page", num};
    for (size_t i = 1; i < n; i++) {
        qpair x = sorted[i];
        size_t j = i;
        while (j > 0 && strcmp(sorted[j - 1].key, x.key) > 0) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = x;
    }
    const char *host = http_request_header(req, "Host");
    buf b;
    buf_init(&b, 16384);
    buf_addf(&b, "http://%s%s", host ? host : "127.0.0.1", req->path);
    for (size_t i = 0; i < n; i++) {
        buf_addc(&b, i ? '&' : '?');
        quote_plus(&b, sorted[i].key);
        buf_addc(&b, '=');
        quote_plus(&b, sorted[i].value);
    }
    json_t *url = json_string(buf_cstr(&b));
    buf_free(&b);
    return url;
}

bool sbx_pl_page_select(sbx_pl_page_sel *out, const char *page, const char *page_size, size_t count)
{
    int64_t size = SBX_PL_PAGE_DEFAULT, n = 1, v;
    /* DRF: a page_size that is not a positive integer falls back to the default. */
    if (parse_positive(page_size, &v))
        size = PS_MIN(v, SBX_PL_PAGE_MAX);
    int64_t pages = count == 0 ? 1 : (int64_t)((count + (size_t)size - 1) / (size_t)size);
    if (page && strcmp(page, "last") == 0)
        n = pages;
    else if (page && !parse_positive(page, &n))
        return false;
    if (n < 1 || n > pages)
        return false;
    out->page = n;
    out->pages = pages;
    out->size = size;
    out->from = (size_t)((n - 1) * size);
    out->n = PS_MIN(count - PS_MIN(out->from, count), (size_t)size);
    return true;
}

void sbx_pl_page_reply(const http_request *req, http_response *res, json_t *items)
{
    sbx_pl_page_sel sel;
    size_t count = json_array_size(items);
    if (!sbx_pl_page_select(&sel, http_request_query(req, "page"),
                            http_request_query(req, "page_size"), count)) {
        json_decref(items);
        sbx_pl_reply_detail(res, 404, "Invalid page.");
        return;
    }
    qlist q = {.n = 0};
    http_request_each_query(req, collect, &q);
    json_t *results = json_array();
    for (size_t i = sel.from; i < sel.from + sel.n; i++)
        json_array_append_new(results, json_deep_copy(json_array_get(items, i)));
    json_t *next = sel.page < sel.pages ? page_url(req, &q, sel.page + 1) : json_null();
    json_t *prev = sel.page > 1 ? page_url(req, &q, sel.page == 2 ? 0 : sel.page - 1) : json_null();
    json_decref(items);
    sbx_pl_reply(res, 200,
                 json_pack("{sI so so so}", "count", (json_int_t)count, "next", next, "previous",
                           prev, "results", results));
}

bool sbx_pl_date_range_read(const http_request *req, http_response *res, const char *name,
                            sbx_pl_date_range *out)
{
    char key[96];
    const char *suffix[2] = {"_gte", "_lte"};
    char *dst[2] = {out->gte, out->lte};
    for (int i = 0; i < 2; i++) {
        dst[i][0] = '\0';
        snprintf(key, sizeof key, "%s%s", name, suffix[i]);
        const char *v = http_request_query(req, key);
        if (!v || !*v)
            continue; /* django-filter ignores an empty value */
        if (!sbx_pl_date_valid(v)) {
            sbx_pl_reply_field(res, key, "Enter a valid date.");
            return false;
        }
        memcpy(dst[i], v, 11);
    }
    return true;
}

bool sbx_pl_date_range_match(const sbx_pl_date_range *r, const json_t *rec, const char *field)
{
    if (!r->gte[0] && !r->lte[0])
        return true;
    const char *ts = jsonx_str(rec, field);
    if (!ts || strlen(ts) < 10)
        return false;
    /* The UTC date part of an ISO timestamp compares as text. */
    if (r->gte[0] && strncmp(ts, r->gte, 10) < 0)
        return false;
    if (r->lte[0] && strncmp(ts, r->lte, 10) > 0)
        return false;
    return true;
}
