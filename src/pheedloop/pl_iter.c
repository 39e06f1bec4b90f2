/* pl_iter.c: walks a PheedLoop list page by page (page=N&page_size=M), ending at a null
 * "next" or at the 404 {"detail": "Invalid page."} that a page past the end answers.
 *
 * Why page numbers rather than following "next": next is an absolute URL chosen by the
 * answer; following it would send the key and secret wherever it points. Counting pages
 * ourselves keeps every request on the configured base URL, and next only says whether there
 * is more. */
#include "pheedloop/pl_client_int.h"

/* A list longer than this many pages is a service fault, not data. */
#define PLC_MAX_PAGES 1000000

struct pl_iter {
    pl_client *c;
    char *path;
    char label[64];
    pl_call call;
    int next_page;    /* the page to ask for next (1-based) */
    pl_list_page cur; /* the current page; results NULL before the first */
    size_t idx;       /* the next item of cur to hand out */
    bool last;        /* cur said there is no next page */
    bool done;
    int64_t count;
    size_t seen;
    int pages;
};

int plc_iter_new(pl_iter **out, pl_client *c, const char *path, const char *label,
                 governor_lane lane, err *e)
{
    pl_iter *it = calloc(1, sizeof *it);
    if (!it || !(it->path = strdup(path))) {
        free(it);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    it->c = c;
    snprintf(it->label, sizeof it->label, "%s", label);
    it->call.lane = lane;
    it->call.retry_after_ms = -1;
    it->next_page = 1;
    it->count = -1;
    *out = it;
    return 0;
}

void pl_iter_free(pl_iter *it)
{
    if (!it)
        return;
    pl_list_page_free(&it->cur);
    free(it->path);
    free(it);
}

/* Asks for it->next_page; on success it->cur holds it. 0 with it->done set at the end. */
static int fetch(pl_iter *it, err *e)
{
    if (it->next_page > PLC_MAX_PAGES)
        return err_set(e, ERR_LIMIT, "pheedloop %s: more than %d pages", it->label, PLC_MAX_PAGES);
    char num[24], size[24];
    snprintf(num, sizeof num, "%d", it->next_page);
    snprintf(size, sizeof size, "%d", it->c->page_size);
    buf path;
    buf_init(&path, PLC_PATH_MAX);
    int rc = buf_addstr(&path, it->path) < 0 ? err_set(e, ERR_INVALID, "path too long") : 0;
    if (rc == 0)
        rc = plc_query(&path, "page", num, e);
    if (rc == 0)
        rc = plc_query(&path, "page_size", size, e);
    http_client_response res;
    http_client_response_init(&res);
    plc_req r = {"GET", buf_cstr(&path), NULL, HTTP_IDEMPOTENT_BY_METHOD, it->label};
    if (rc == 0)
        rc = plc_send(&res, it->c, &r, &it->call, e);
    if (rc == ERR_NOT_FOUND && pl_parse_is_invalid_page(res.body.ptr, res.body.len)) {
        it->done = true; /* past the end: the list got shorter, or it ended on a full page */
        rc = 0;
    } else if (rc == 0) {
        pl_list_page page;
        rc = pl_parse_list_page(&page, res.body.ptr, res.body.len, e);
        if (rc < 0) {
            err_wrap(e, "pheedloop %s page %d: ", it->label, it->next_page);
        } else {
            pl_list_page_free(&it->cur);
            it->cur = page;
            it->idx = 0;
            it->pages++;
            it->next_page++;
            if (page.count >= 0)
                it->count = page.count;
            it->last = !page.has_next;
            if (json_array_size(page.results) == 0)
                it->done = true; /* an empty page ends the walk, whatever next says */
        }
    }
    http_client_response_clear(&res);
    buf_free(&path);
    return rc;
}

int pl_iter_next(json_t **out, pl_iter *it, err *e)
{
    for (;;) {
        if (it->cur.results && it->idx < json_array_size(it->cur.results)) {
            *out = json_incref(json_array_get(it->cur.results, it->idx++));
            it->seen++;
            return 1;
        }
        if (it->done)
            return 0;
        if (it->last) {
            it->done = true;
            return 0;
        }
        int rc = fetch(it, e);
        if (rc < 0)
            return rc;
    }
}

#define TYPED_NEXT(fn, type, parse)                                                                \
    int fn(type *out, pl_iter *it, err *e)                                                         \
    {                                                                                              \
        json_t *j = NULL;                                                                          \
        int rc = pl_iter_next(&j, it, e);                                                          \
        if (rc <= 0)                                                                               \
            return rc;                                                                             \
        rc = parse(out, j, e);                                                                     \
        json_decref(j);                                                                            \
        if (rc < 0)                                                                                \
            return err_wrap(e, "pheedloop %s item %zu: ", it->label, it->seen - 1);                \
        return 1;                                                                                  \
    }

TYPED_NEXT(pl_iter_next_attendee, pl_attendee, pl_parse_attendee)
TYPED_NEXT(pl_iter_next_registration, pl_registration, pl_parse_registration)
TYPED_NEXT(pl_iter_next_event, pl_event_rec, pl_parse_event)
TYPED_NEXT(pl_iter_next_member, pl_member, pl_parse_member)
TYPED_NEXT(pl_iter_next_tag, pl_tag, pl_parse_tag)
TYPED_NEXT(pl_iter_next_announcement, pl_announcement, pl_parse_announcement)
TYPED_NEXT(pl_iter_next_hook, pl_hook, pl_parse_hook)

int64_t pl_iter_count(const pl_iter *it)
{
    return it->count;
}

size_t pl_iter_seen(const pl_iter *it)
{
    return it->seen;
}

int pl_iter_pages(const pl_iter *it)
{
    return it->pages;
}

bool pl_iter_complete(const pl_iter *it)
{
    bool drained = !it->cur.results || it->idx >= json_array_size(it->cur.results);
    return it->done && drained && (it->count < 0 || (size_t)it->count == it->seen);
}

const pl_call *pl_iter_call(const pl_iter *it)
{
    return &it->call;
}
