/* poller_ghl.c: the HighLevel pollers: contacts by dateUpdated, and the tasks of linked
 * contacts (whose edits no webhook and no search reports). */
#include "engine/poller_int.h"
#include "util/jsonx.h"
#include "util/log.h"

#define DEFAULT_OVERLAP_MS 60000
#define DEFAULT_PAGE 100
#define DEFAULT_MAX_CONTACTS 100

/* The search: dateUpdated >= from (when there is a cursor), ascending. */
static int search_query(json_t **filters, json_t **sort, int64_t from_ms)
{
    *sort = json_pack("[{s:s, s:s}]", "field", "dateUpdated", "direction", "asc");
    *filters = NULL;
    if (from_ms > 0) {
        char iso[CLOCK_ISO_LEN];
        clock_format_iso(from_ms, iso);
        *filters = json_array();
        if (*filters)
            json_array_append_new(
                *filters, ghl_filter("dateUpdated", "range", json_pack("{s:s}", "gte", iso)));
    }
    return *sort && (from_ms <= 0 || *filters) ? 0 : ERR_NOMEM;
}

/* One page: a hint per contact, then the hints and the advanced cursor in one transaction. */
static int contacts_page(poller_result *r, poller_batch *b, engine *eng, const char *name,
                         json_t *cursor, const ghl_contact_page *page, err *e)
{
    int64_t best = jsonx_int(cursor, "updated_ms", 0);
    const char *best_id = NULL;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < page->n; i++) {
        const ghl_contact *c = &page->v[i];
        char key[ENGINE_KEY_MAX];
        r->seen++;
        if (!c->id || engine_key_ghl(key, eng->link.location_id, c->id, NULL) != 0)
            continue;
        rc = poller_batch_add(b, key, "poll", c->raw, e);
        if (rc == 0 && c->date_updated_ms >= best) {
            best = c->date_updated_ms;
            best_id = c->id;
        }
    }
    if (rc == 0 && best_id) {
        jsonx_set_int(cursor, "updated_ms", best);
        jsonx_set_str(cursor, "id", best_id);
    }
    size_t n = 0;
    if (rc == 0)
        rc = poller_batch_flush(&n, b, eng->store, name, best_id ? cursor : NULL, e);
    r->hints += n;
    return rc;
}

int poller_ghl_contacts(poller_result *out, engine *eng, const poller_options *o, err *e)
{
    const char *loc = eng->link.location_id;
    if (!eng->ghl || !loc)
        return err_set(e, ERR_CONFIG, "poller: no HighLevel location configured");
    char name[ENGINE_KEY_MAX];
    poller_cursor_name(name, sizeof name, "ghl.contacts", loc, NULL);
    json_t *cursor = NULL, *filters = NULL, *sort = NULL;
    int rc = poller_cursor_load(&cursor, NULL, eng->store, name, e);
    if (rc != 0)
        return rc;
    int64_t from = jsonx_int(cursor, "updated_ms", 0);
    int64_t overlap = o->overlap_ms > 0 ? o->overlap_ms : DEFAULT_OVERLAP_MS;
    if (search_query(&filters, &sort, from > 0 ? PS_MAX(from - overlap, 1) : 0) != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    ghl_call call = {0};
    ghl_op op = {.location_id = loc, .lane = GOVERNOR_LANE_BACKFILL, .call = &call};
    ghl_client_query q = {.kind = GHL_ITER_SEARCH,
                          .page_size = o->page_size ? o->page_size : DEFAULT_PAGE,
                          .filters = filters,
                          .sort = sort};
    ghl_client_iter *it = NULL;
    if (rc == 0)
        rc = ghl_client_iter_new(&it, eng->ghl, &op, &q, e);
    poller_result r = {0};
    poller_batch b = {.source = "poller", .delay_ms = o->delay_ms};
    ghl_contact_page page = {0};
    while (rc == 0 && !poller_stopped(o)) {
        rc = ghl_client_iter_next(&page, it, e);
        if (rc == 0 && page.n == 0) {
            r.complete = true;
            break;
        }
        if (rc == 0)
            rc = contacts_page(&r, &b, eng, name, cursor, &page, e);
    }
    ghl_contact_page_clear(&page);
    ghl_client_iter_free(it);
    poller_batch_free(&b);
    json_decref(cursor);
    json_decref(filters);
    json_decref(sort);
    if (rc != 0)
        return err_wrap(e, "HighLevel contacts poll: ");
    *out = r;
    return 0;
}

/* ------------------------------------------------------------------ tasks */

static int by_id(const void *a, const void *b)
{
    const ghl_task *x = a, *y = b;
    return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

/* A hash of the contact's tasks in id order (the list's order is not promised), and the list. */
static void tasks_hash(char out[17], json_t **out_list, ghl_tasks *tasks)
{
    if (tasks->n > 1) /* qsort wants a list; a contact with no task has none */
        qsort(tasks->v, tasks->n, sizeof *tasks->v, by_id);
    json_t *list = json_array();
    for (size_t i = 0; list && i < tasks->n; i++)
        json_array_append(list, tasks->v[i].raw);
    poller_hash(out, list);
    *out_list = list;
}

typedef struct task_run {
    engine *eng;
    ghl_op op;
    json_t *snap;    /* contact -> [link id, hash] */
    json_t *visited; /* contacts checked this run */
    poller_batch b;
    poller_result r;
} task_run;

/* Checks one linked contact. ERR_NOT_FOUND (the contact is gone) is not an error here:
 * reconcile alone decides deletes. */
static int task_check(task_run *t, const store_link *l, err *e)
{
    ghl_tasks tasks = {0};
    int rc = ghl_client_list_tasks(&tasks, t->eng->ghl, &t->op, l->contact_id, e);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc != 0)
        return rc;
    t->r.seen++;
    char hash[17], key[ENGINE_KEY_MAX];
    json_t *list = NULL;
    tasks_hash(hash, &list, &tasks);
    const json_t *prev = json_object_get(t->snap, l->contact_id);
    const char *prev_hash = json_string_value(json_array_get(prev, 1));
    if (prev_hash && strcmp(prev_hash, hash) != 0 &&
        engine_key_ghl(key, l->location_id, l->contact_id, NULL) == 0) {
        /* "activity": the planner re-reads the contact's tasks, notes and appointments. */
        json_t *payload =
            json_pack("{s:b, s:s, s:O}", "activity", 1, "contactId", l->contact_id, "tasks", list);
        rc = poller_batch_add(&t->b, key, "poll", payload, e);
        json_decref(payload);
    }
    if (rc == 0) {
        json_object_set_new(t->snap, l->contact_id, json_pack("[I, s]", (json_int_t)l->id, hash));
        json_object_set_new(t->visited, l->contact_id, json_true());
    }
    json_decref(list);
    ghl_tasks_clear(&tasks);
    return rc;
}

/* Forgets contacts whose links in (after, upto] were not checked: they are no longer linked
 * (or were linked again under another link, which was checked). */
static void task_prune(task_run *t, int64_t after, int64_t upto)
{
    const char *contact;
    json_t *v, *tmp;
    json_object_foreach_safe(t->snap, tmp, contact, v)
    {
        int64_t link = json_integer_value(json_array_get(v, 0));
        if (link > after && link <= upto && !json_object_get(t->visited, contact))
            json_object_del(t->snap, contact);
    }
}

/* Checks up to max linked contacts after *after; sets *after to the last one checked, and
 * *wrapped when the list of links ended. */
static int task_walk(task_run *t, int64_t *after, bool *wrapped, size_t max,
                     const poller_options *o, err *e)
{
    store_links links = {0};
    int rc = store_link_list(&links, t->eng->store, *after, max, e);
    if (rc != 0)
        return rc;
    size_t i = 0;
    for (; rc == 0 && i < links.n && !poller_stopped(o); i++) {
        const store_link *l = &links.v[i];
        if (strcmp(l->location_id, t->eng->link.location_id) == 0)
            rc = task_check(t, l, e);
        if (rc == 0)
            *after = l->id;
    }
    *wrapped = rc == 0 && i == links.n && links.n < max;
    store_links_free(&links);
    return rc;
}

int poller_ghl_tasks(poller_result *out, engine *eng, const poller_options *o, err *e)
{
    if (!eng->ghl || !eng->link.location_id)
        return err_set(e, ERR_CONFIG, "poller: no HighLevel location configured");
    char name[ENGINE_KEY_MAX];
    poller_cursor_name(name, sizeof name, "ghl.tasks", eng->link.location_id, NULL);
    json_t *cursor = NULL;
    int rc = poller_cursor_load(&cursor, NULL, eng->store, name, e);
    if (rc != 0)
        return rc;
    ghl_call call = {0};
    task_run t = {
        .eng = eng,
        .op = {.location_id = eng->link.location_id, .lane = GOVERNOR_LANE_BACKFILL, .call = &call},
        .snap = json_incref(json_object_get(cursor, "snap")),
        .visited = json_object(),
        .b = {.source = "poller", .delay_ms = o->delay_ms}};
    if (!json_is_object(t.snap)) {
        json_decref(t.snap);
        t.snap = json_object();
    }
    int64_t start = jsonx_int(cursor, "after_link", 0), after = start;
    bool wrapped = false;
    rc = task_walk(&t, &after, &wrapped, o->max_contacts ? o->max_contacts : DEFAULT_MAX_CONTACTS,
                   o, e);
    /* What was checked is kept even when the walk failed part way. */
    task_prune(&t, start, wrapped ? INT64_MAX : after);
    json_t *next =
        json_pack("{s:I, s:O}", "after_link", (json_int_t)(wrapped ? 0 : after), "snap", t.snap);
    size_t n = 0;
    int frc = next ? poller_batch_flush(&n, &t.b, eng->store, name, next, rc ? NULL : e)
                   : err_set(rc ? NULL : e, ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = frc;
    t.r.hints = n;
    t.r.complete = wrapped;
    json_decref(next);
    json_decref(cursor);
    json_decref(t.snap);
    json_decref(t.visited);
    poller_batch_free(&t.b);
    if (rc != 0)
        return err_wrap(e, "HighLevel tasks poll: ");
    *out = t.r;
    return 0;
}
