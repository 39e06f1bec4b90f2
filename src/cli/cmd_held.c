/* cmd_held.c: `pheedsync approve` and `pheedsync reject`: an operator's decision on deletes
 * that were held for approval (a reconcile found more gone than [sync] delete_hold_count or
 * delete_hold_share allow without one); `--list` shows those waiting. */
#include "ops/ops_cmd.h"
#include "util/jsonx.h"

static const char usage_text[] =
    "usage: pheedsync approve|reject ID...|--batch BATCH|--all [--by NAME] [OPTIONS]\n"
    "       pheedsync approve|reject --list [OPTIONS]\n"
    "\n"
    "A pass that finds more people gone than [sync] delete_hold_count or delete_hold_share\n"
    "allow holds those deletes for an operator. approve lets them go (the next pass, of the\n"
    "daemon or of `pheedsync sync`, carries them out under [sync] delete_policy); reject\n"
    "keeps the people as they are. --list shows the deletes waiting: id, when, side, record,\n"
    "link, reason and batch.\n"
    "Exit status: 0 done, 1 no such held delete or one already decided, 2 usage or\n"
    "configuration error, 3 runtime failure (the store unreadable or written by a newer\n"
    "pheedsync).\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS APP_USAGE_JSON
    "  --list            the held deletes waiting for a decision\n"
    "  --batch BATCH     every waiting delete of one reconcile run\n"
    "  --all             every waiting delete\n"
    "  --by NAME         who decides, for the record (default: $USER)\n"
    "  -h, --help        this text\n";

enum { OPT_LIST = 256, OPT_BATCH, OPT_ALL, OPT_BY };

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    APP_LONG_OPTION_JSON,
    {"list", no_argument, NULL, OPT_LIST},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"all", no_argument, NULL, OPT_ALL},
    {"by", required_argument, NULL, OPT_BY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct held_opts {
    bool list, all;
    const char *batch, *by;
} held_opts;

static int own_option(void *ctx, int opt, const char *arg)
{
    held_opts *o = ctx;
    switch (opt) {
    case OPT_LIST:
        o->list = true;
        return 0;
    case OPT_BATCH:
        o->batch = arg;
        return 0;
    case OPT_ALL:
        o->all = true;
        return 0;
    case OPT_BY:
        o->by = arg;
        return 0;
    default:
        return -1;
    }
}

/* Every pending held delete (of one batch when batch is not NULL). */
static int pending(store_helds *out, store *s, err *e)
{
    store_helds all = {0};
    for (int64_t after = 0;;) {
        store_helds page = {0};
        int rc = store_held_list(&page, s, STORE_HELD_PENDING, after, 1000, e);
        store_held *grown =
            rc == 0 && page.n ? realloc(all.v, (all.n + page.n) * sizeof *grown) : NULL;
        if (rc == 0 && page.n && !grown)
            rc = err_set(e, ERR_NOMEM, "out of memory");
        if (rc != 0) {
            store_helds_free(&page);
            store_helds_free(&all);
            return rc;
        }
        if (!page.n) {
            store_helds_free(&page);
            *out = all;
            return 0;
        }
        all.v = grown;
        memcpy(all.v + all.n, page.v, page.n * sizeof *page.v);
        all.n += page.n;
        after = page.v[page.n - 1].id;
        free(page.v); /* the entries moved into all */
    }
}

static json_t *held_json(const store_held *h)
{
    char iso[CLOCK_ISO_LEN];
    clock_format_iso(h->created_ms, iso);
    json_t *payload = h->payload ? json_loads(h->payload, JSON_DECODE_ANY, NULL) : NULL;
    return json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:I, s:s?, s:o}", "id", (json_int_t)h->id,
                     "held_at", iso, "batch", h->batch, "side", h->side, "record_key",
                     h->record_key, "link", (json_int_t)h->link_id, "reason", h->reason, "payload",
                     payload ? payload : json_null());
}

static int list(app_ctx *a)
{
    store_helds all = {0};
    err e = {0};
    if (pending(&all, a->store, &e) != 0)
        return ops_cmd_fail(a, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < all.n; i++)
        json_array_append_new(arr, held_json(&all.v[i]));
    if (a->json) {
        ops_json_print(arr);
    } else if (!all.n) {
        printf("no deletes wait for approval\n");
    } else {
        printf("%-6s %-20s %-10s %-44s %-6s %s\n", "ID", "HELD", "SIDE", "RECORD", "LINK",
               "REASON (BATCH)");
        for (size_t i = 0; i < all.n; i++) {
            const store_held *h = &all.v[i];
            char when[OPS_TIME_LEN];
            ops_fmt_time(when, h->created_ms);
            printf("%-6lld %-20s %-10s %-44s %-6lld %s (%s)\n", (long long)h->id, when, h->side,
                   h->record_key, (long long)h->link_id, h->reason, h->batch ? h->batch : "-");
        }
    }
    json_decref(arr);
    store_helds_free(&all);
    return EXIT_OK;
}

/* The ids to decide: named, or the pending ones of --batch / --all. */
static int targets(json_t *ids, app_ctx *a, const held_opts *o)
{
    if (!o->all && !o->batch)
        return EXIT_OK;
    store_helds all = {0};
    err e = {0};
    if (pending(&all, a->store, &e) != 0)
        return ops_cmd_fail(a, &e);
    for (size_t i = 0; i < all.n; i++)
        if (o->all || (all.v[i].batch && !strcmp(all.v[i].batch, o->batch)))
            json_array_append_new(ids, json_integer(all.v[i].id));
    store_helds_free(&all);
    if (o->batch && !json_array_size(ids)) {
        err_set(&e, ERR_NOT_FOUND, "no delete of batch %s waits for approval", o->batch);
        app_fail(a, &e);
        return EXIT_CHECK;
    }
    return EXIT_OK;
}

static int decide(app_ctx *a, const held_opts *o, bool approve, json_t *ids)
{
    int code = targets(ids, a, o);
    char by[160];
    const char *user = getenv("USER");
    snprintf(by, sizeof by, "%s", o->by ? o->by : user && *user ? user : "operator");
    json_t *done = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (code != EXIT_OK)
            break;
        err e = {0};
        int64_t id = json_integer_value(v);
        int rc = approve ? store_held_approve(a->store, id, by, &e)
                         : store_held_reject(a->store, id, by, &e);
        if (rc == ERR_NOT_FOUND || rc == ERR_BAD_STATE) {
            /* The store says which decision was taken already. */
            if (rc == ERR_NOT_FOUND)
                err_set(&e, ERR_NOT_FOUND, "no held delete %lld (`pheedsync %s --list`)",
                        (long long)id, a->command);
            app_fail(a, &e);
            code = EXIT_CHECK;
        } else if (rc != 0) {
            code = ops_cmd_fail(a, &e);
        } else {
            json_array_append_new(done, json_integer(id));
        }
    }
    size_t n = json_array_size(done);
    if (a->json) {
        json_t *r = json_pack("{s:O, s:s}", approve ? "approved" : "rejected", done, "by", by);
        ops_json_print(r);
        json_decref(r);
    } else if (n || code == EXIT_OK) {
        printf("%s %zu held delete%s%s\n", approve ? "approved" : "rejected", n, n == 1 ? "" : "s",
               approve && n ? ": the next pass (the daemon or `pheedsync sync`) carries them out"
                            : "");
    }
    json_decref(done);
    return code;
}

static int held_main(int argc, char **argv, bool approve)
{
    held_opts o = {0};
    const char *name = approve ? "approve" : "reject";
    ops_cmd_spec spec = {name, usage_text, long_options, own_option, &o};
    app_options ao;
    int first = 0;
    int code = ops_cmd_parse(&ao, &first, &spec, argc, argv);
    if (code >= 0)
        return code;
    int n = argc - first;
    int ways = (n > 0) + o.list + o.all + (o.batch != NULL);
    if (ways != 1)
        return ops_cmd_usage_error(&spec, "name held delete ids, or one of --batch, --all, --list");
    json_t *ids = json_array();
    for (int i = 0; i < n; i++) {
        int64_t id;
        err e = {0};
        if (ops_parse_id(&id, "held delete id", argv[first + i], &e) != 0) {
            json_decref(ids);
            return ops_cmd_usage_error(&spec, "%s", e.msg);
        }
        json_array_append_new(ids, json_integer(id));
    }
    app_ctx a;
    code = ops_cmd_open(&a, &ao, APP_STORE);
    if (code == EXIT_OK)
        code = o.list ? list(&a) : decide(&a, &o, approve, ids);
    json_decref(ids);
    app_close(&a);
    return code;
}

int cmd_approve(int argc, char **argv)
{
    return held_main(argc, argv, true);
}

int cmd_reject(int argc, char **argv)
{
    return held_main(argc, argv, false);
}
