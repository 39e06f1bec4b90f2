/* cmd_dlq.c: `pheedsync dlq list|show|replay|drop`: the dead-letter queue, operations that
 * failed for good, for an operator to read, send back to the outbox, or discard. */
#include "cli/args.h"
#include "ops/ops_cmd.h"
#include "util/jsonx.h"

#include <unistd.h>

static const char usage_text[] =
    "usage: pheedsync dlq list [--after ID] [--limit N] [OPTIONS]\n"
    "       pheedsync dlq show ID [OPTIONS]\n"
    "       pheedsync dlq replay ID...|--all [OPTIONS]\n"
    "       pheedsync dlq drop ID...|--all [--yes] [OPTIONS]\n"
    "\n"
    "Operations that failed for good (a refusal that repeating will not change, or too many\n"
    "failures) wait in the dead-letter queue with their error and the request that was sent.\n"
    "  list     id, when, service, operation, error class and message, oldest first\n"
    "  show     one dead letter in full: the operation, its payload, the request, the error\n"
    "  replay   back to the outbox, due now: the daemon or `pheedsync sync` runs it again\n"
    "  drop     discard for good; asks on a terminal, and elsewhere needs --yes\n"
    "Exit status: 0 done, 1 no such dead letter, 2 usage or configuration error (or a drop\n"
    "refused without --yes), 3 runtime failure (the store unreadable or written by a newer\n"
    "pheedsync).\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS APP_USAGE_JSON
    "  --after ID        list: only dead letters after this id (the next page)\n"
    "  --limit N         list: at most N (default 50, at most 10000)\n"
    "  --all             replay, drop: every dead letter\n"
    "  -y, --yes         drop: do not ask\n"
    "  -h, --help        this text\n";

enum { OPT_AFTER = 256, OPT_LIMIT, OPT_ALL };

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    APP_LONG_OPTION_JSON,
    {"after", required_argument, NULL, OPT_AFTER},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"all", no_argument, NULL, OPT_ALL},
    {"yes", no_argument, NULL, 'y'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct dlq_opts {
    const ops_cmd_spec *spec;
    int64_t after, limit;
    bool all, yes;
} dlq_opts;

static int own_option(void *ctx, int opt, const char *arg)
{
    dlq_opts *o = ctx;
    err e = {0};
    switch (opt) {
    case OPT_AFTER:
        if (!strcmp(arg, "0")) {
            o->after = 0;
            return 0;
        }
        return ops_parse_id(&o->after, "--after", arg, &e)
                   ? ops_cmd_usage_error(o->spec, "%s", e.msg)
                   : 0;
    case OPT_LIMIT:
        if (args_parse_int(&o->limit, "--limit", arg, 1, 10000, &e) != 0)
            return ops_cmd_usage_error(o->spec, "%s", e.msg);
        return 0;
    case OPT_ALL:
        o->all = true;
        return 0;
    case 'y':
        o->yes = true;
        return 0;
    default:
        return -1;
    }
}

/* ---------------------------------------------------------------- reading */

static json_t *text_json(const char *text)
{
    json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    return j ? j : text ? json_string(text) : json_null();
}

static json_t *dead_json(const store_dead *d, bool full)
{
    char iso[CLOCK_ISO_LEN];
    clock_format_iso(d->dead_ms, iso);
    json_t *j =
        json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:i}", "id", (json_int_t)d->op.id,
                  "dead_at", iso, "service", d->op.service, "account", d->op.account, "kind",
                  d->op.kind, "record_key", d->op.record_key, "error_class", d->error_class,
                  "message", d->message, "attempts", d->op.attempts);
    if (j && full) {
        clock_format_iso(d->op.created_ms, iso);
        jsonx_set_str(j, "created_at", iso);
        jsonx_set_str(j, "idem_key", d->op.idem_key);
        json_object_set_new(j, "lane", json_integer(d->op.lane));
        jsonx_set_bool(j, "in_doubt", d->op.in_doubt);
        jsonx_set_str(j, "last_error", d->op.last_error);
        json_object_set_new(j, "payload", text_json(d->op.payload));
        json_object_set_new(j, "request", text_json(d->request));
    }
    return j;
}

static int cmd_list(app_ctx *a, const dlq_opts *o)
{
    store_deads list = {0};
    err e = {0};
    if (store_dead_list(&list, a->store, o->after, (size_t)o->limit, &e) != 0)
        return ops_cmd_fail(a, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < list.n; i++)
        json_array_append_new(arr, dead_json(&list.v[i], false));
    if (a->json) {
        ops_json_print(arr);
    } else if (!list.n) {
        if (o->after)
            printf("no dead letters after %lld\n", (long long)o->after);
        else
            printf("the dead-letter queue is empty\n");
    } else {
        printf("%-6s %-20s %-9s %-26s %-14s %s\n", "ID", "WHEN", "SERVICE", "OPERATION", "ERROR",
               "MESSAGE");
        for (size_t i = 0; i < list.n; i++) {
            const store_dead *d = &list.v[i];
            char when[OPS_TIME_LEN], msg[128];
            ops_fmt_time(when, d->dead_ms);
            json_t *m = json_string(d->message ? d->message : "");
            ops_fmt_value(msg, sizeof msg, m, 70);
            json_decref(m);
            printf("%-6lld %-20s %-9s %-26s %-14s %s\n", (long long)d->op.id, when, d->op.service,
                   d->op.kind, d->error_class, msg);
        }
        if (list.n == (size_t)o->limit)
            printf("(more may follow: --after %lld)\n", (long long)list.v[list.n - 1].op.id);
    }
    json_decref(arr);
    store_deads_free(&list);
    return EXIT_OK;
}

static void print_block(const char *title, const json_t *v)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);
    printf("%s:\n%s\n", title, text ? text : "null");
    free(text);
}

static int not_found(const app_ctx *a, const err *e)
{
    app_fail(a, e);
    return EXIT_CHECK;
}

static int cmd_show(app_ctx *a, const ops_cmd_spec *spec, int n, char **ids)
{
    int64_t id;
    err e = {0};
    if (n != 1)
        return ops_cmd_usage_error(spec, "show takes one dead letter id");
    if (ops_parse_id(&id, "dead letter id", ids[0], &e) != 0)
        return ops_cmd_usage_error(spec, "%s", e.msg);
    store_dead *d = NULL;
    int rc = store_dead_get(&d, a->store, id, &e);
    if (rc == ERR_NOT_FOUND) {
        err_set(&e, ERR_NOT_FOUND, "no dead letter %lld (`pheedsync dlq list` shows them)",
                (long long)id);
        return not_found(a, &e);
    }
    if (rc != 0)
        return ops_cmd_fail(a, &e);
    json_t *j = dead_json(d, true);
    if (a->json) {
        ops_json_print(j);
    } else {
        printf("dead letter %lld: %s on %s (%s)\n", (long long)id, jsonx_str(j, "kind"),
               jsonx_str(j, "service"), jsonx_str(j, "account"));
        printf("record:    %s\ncreated:   %s\ndead:      %s after %d attempts%s\n",
               jsonx_str(j, "record_key"), jsonx_str(j, "created_at"), jsonx_str(j, "dead_at"),
               d->op.attempts, d->op.in_doubt ? " (the last may have reached the service)" : "");
        printf("error:     %s: %s\n", jsonx_str(j, "error_class"), jsonx_str(j, "message"));
        print_block("payload", json_object_get(j, "payload"));
        print_block("request", json_object_get(j, "request"));
    }
    json_decref(j);
    store_dead_free(d);
    return EXIT_OK;
}

/* ---------------------------------------------------------------- acting */

/* The ids named (checked before anything is opened). */
static int parse_ids(json_t **out, const ops_cmd_spec *spec, const dlq_opts *o, int n, char **ids)
{
    if (o->all == (n > 0))
        return ops_cmd_usage_error(spec, "name dead letter ids, or --all (not both)");
    json_t *arr = json_array();
    err e = {0};
    for (int i = 0; i < n; i++) {
        int64_t id;
        if (ops_parse_id(&id, "dead letter id", ids[i], &e) != 0) {
            json_decref(arr);
            return ops_cmd_usage_error(spec, "%s", e.msg);
        }
        json_array_append_new(arr, json_integer(id));
    }
    *out = arr;
    return EXIT_OK;
}

/* --all: every dead letter's id. */
static int all_ids(json_t *arr, app_ctx *a)
{
    err e = {0};
    for (int64_t after = 0;;) {
        store_deads page = {0};
        if (store_dead_list(&page, a->store, after, 1000, &e) != 0)
            return ops_cmd_fail(a, &e);
        for (size_t i = 0; i < page.n; i++)
            json_array_append_new(arr, json_integer(after = page.v[i].op.id));
        size_t got = page.n;
        store_deads_free(&page);
        if (!got)
            return EXIT_OK;
    }
}

/* Asks on a terminal; refuses elsewhere. */
static int confirm_drop(const ops_cmd_spec *spec, size_t n)
{
    if (!isatty(STDIN_FILENO))
        return ops_cmd_usage_error(spec,
                                   "refusing to drop %zu dead letter%s without --yes (standard "
                                   "input is not a terminal to ask on)",
                                   n, n == 1 ? "" : "s");
    fprintf(stderr, "drop %zu dead letter%s for good? [y/N] ", n, n == 1 ? "" : "s");
    char line[16] = "";
    if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) {
        fprintf(stderr, "nothing dropped\n");
        return EXIT_CHECK;
    }
    return EXIT_OK;
}

static int cmd_act(app_ctx *a, const ops_cmd_spec *spec, const dlq_opts *o, bool drop, json_t *arr)
{
    int code = o->all ? all_ids(arr, a) : EXIT_OK;
    if (code == EXIT_OK && drop && !o->yes && json_array_size(arr))
        code = confirm_drop(spec, json_array_size(arr));
    json_t *done = json_array();
    err e = {0};
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (code != EXIT_OK)
            break;
        int64_t id = json_integer_value(v);
        int rc = drop ? store_dead_drop(a->store, id, &e) : store_dead_replay(a->store, id, &e);
        if (rc == ERR_NOT_FOUND) {
            err_set(&e, ERR_NOT_FOUND, "no dead letter %lld (`pheedsync dlq list` shows them)",
                    (long long)id);
            code = not_found(a, &e);
        } else if (rc != 0) {
            code = ops_cmd_fail(a, &e);
        } else {
            json_array_append_new(done, json_integer(id));
        }
    }
    /* What was done is reported even when a later id failed. */
    if (a->json && (code == EXIT_OK || json_array_size(done))) {
        json_t *r = json_pack("{s:O}", drop ? "dropped" : "replayed", done);
        ops_json_print(r);
        json_decref(r);
    } else if (json_array_size(done) || code == EXIT_OK)
        printf("%s %zu dead letter%s%s\n", drop ? "dropped" : "replayed", json_array_size(done),
               json_array_size(done) == 1 ? "" : "s",
               drop || !json_array_size(done)
                   ? ""
                   : ": back in the outbox; the daemon or `pheedsync sync` runs them");
    json_decref(done);
    return code;
}

int cmd_dlq(int argc, char **argv)
{
    dlq_opts o = {.limit = 50};
    ops_cmd_spec spec = {"dlq", usage_text, long_options, own_option, &o};
    o.spec = &spec;
    app_options ao;
    int first = 0;
    int code = ops_cmd_parse(&ao, &first, &spec, argc, argv);
    if (code >= 0)
        return code;
    if (first >= argc)
        return ops_cmd_usage_error(&spec, "needs list, show, replay or drop");
    const char *sub = argv[first];
    int n = argc - first - 1;
    char **rest = argv + first + 1;
    bool known = !strcmp(sub, "list") || !strcmp(sub, "show") || !strcmp(sub, "replay") ||
                 !strcmp(sub, "drop");
    if (!known)
        return ops_cmd_usage_error(&spec, "unknown subcommand '%s': list, show, replay or drop",
                                   sub);
    if (!strcmp(sub, "list") && n > 0)
        return ops_cmd_usage_error(&spec, "list takes no argument ('%s')", rest[0]);
    bool act = !strcmp(sub, "replay") || !strcmp(sub, "drop");
    json_t *ids = NULL;
    if (act && (code = parse_ids(&ids, &spec, &o, n, rest)) != EXIT_OK)
        return code;
    app_ctx a;
    code = ops_cmd_open(&a, &ao, APP_STORE);
    if (code == EXIT_OK) {
        if (!strcmp(sub, "list"))
            code = cmd_list(&a, &o);
        else if (!strcmp(sub, "show"))
            code = cmd_show(&a, &spec, n, rest);
        else
            code = cmd_act(&a, &spec, &o, !strcmp(sub, "drop"), ids);
    }
    json_decref(ids);
    app_close(&a);
    return code;
}
