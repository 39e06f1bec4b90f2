/* cmd_audit.c: `pheedsync audit EMAIL|ID`: every change pheedsync made or decided for one
 * person, oldest first: time, direction, fields, before and after, and why. */
#include "cli/args.h"
#include "core/person.h"
#include "ops/ops_cmd.h"
#include "ops/person_lookup.h"
#include "util/jsonx.h"

static const char usage_text[] =
    "usage: pheedsync audit EMAIL|ID [--link NAME] [OPTIONS]\n"
    "\n"
    "Lists what pheedsync did or decided for one person, oldest first: when, which way\n"
    "(ghl_to_pheedloop, pheedloop_to_ghl, decision, delete, ...), which fields, the values\n"
    "before and after, and why (a conflict's owner, a rule, a delete policy). Tag changes read\n"
    "\"tags added: a, b; removed: c\" (with --json, the entry's \"tags\"; \"after\".tags holds\n"
    "the lists); appointment reminders show the announcement and its release time. The person is\n"
    "named by e-mail address, HighLevel contact id, PheedLoop attendee code or link number;\n"
    "entries written before the person was linked (filed under the address) are included.\n"
    "An id nobody is linked with is looked up through the APIs to learn the address.\n"
    "Exit status: 0 listed (possibly nothing), 1 nobody by that name (or it is ambiguous),\n"
    "2 usage or configuration error, 3 runtime failure (the store unreadable or written by a\n"
    "newer pheedsync).\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS APP_USAGE_JSON
    "  --after ID        only entries after this one (the next page)\n"
    "  --limit N         at most N entries (default 100, at most 10000)\n"
    "  --link NAME       look for the person in that link of the configuration only\n"
    "                    (default: every link; \"default\" is [ghl] and [pheedloop]'s)\n"
    "  -h, --help        this text\n";

enum { OPT_AFTER = 256, OPT_LIMIT, OPT_LINK };

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    APP_LONG_OPTION_JSON,
    {"after", required_argument, NULL, OPT_AFTER},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"link", required_argument, NULL, OPT_LINK},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct audit_opts {
    const ops_cmd_spec *spec;
    int64_t after, limit;
    const char *link;
} audit_opts;

static int own_option(void *ctx, int opt, const char *arg)
{
    audit_opts *o = ctx;
    err e = {0};
    if (opt == OPT_AFTER) {
        if (ops_parse_id(&o->after, "--after", arg, &e) != 0)
            return ops_cmd_usage_error(o->spec, "%s", e.msg);
        return 0;
    }
    if (opt == OPT_LIMIT) {
        if (args_parse_int(&o->limit, "--limit", arg, 1, 10000, &e) != 0)
            return ops_cmd_usage_error(o->spec, "%s", e.msg);
        return 0;
    }
    if (opt == OPT_LINK) {
        o->link = arg;
        return 0;
    }
    return -1;
}

static json_t *text_json(const char *text)
{
    json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    return j ? j : text ? json_string(text) : json_null();
}

static int by_id(const void *a, const void *b)
{
    int64_t x = jsonx_int(*(json_t *const *)a, "id", 0);
    int64_t y = jsonx_int(*(json_t *const *)b, "id", 0);
    return x < y ? -1 : x > y;
}

/* A tag change ({"added", "removed"} under the after's "tags") as people read it; NULL when the
 * entry has none. New reference. */
static json_t *tags_text(const json_t *after)
{
    const json_t *change = json_object_get(after, "tags");
    if (!json_is_object(change))
        return NULL;
    buf b;
    buf_init(&b, 8192);
    core_tags_change_text(&b, change);
    json_t *s = json_string(buf_cstr(&b));
    buf_free(&b);
    return s;
}

static json_t *entry_json(const store_audit_entry *a)
{
    char iso[CLOCK_ISO_LEN];
    clock_format_iso(a->at_ms, iso);
    json_t *after = text_json(a->after);
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "id", (json_int_t)a->id, "at",
                          iso, "person_key", a->person_key, "direction", a->direction, "fields",
                          text_json(a->fields), "before", text_json(a->before), "after",
                          json_incref(after), "reason", a->reason);
    json_t *tags = tags_text(after);
    if (j && tags)
        json_object_set(j, "tags", tags);
    json_decref(tags);
    json_decref(after);
    return j;
}

/* The entries of every key of the person, merged by id: the first limit of them. */
static int entries(json_t **out, store *s, char keys[3][OPS_EMAIL_MAX], size_t n_keys,
                   const audit_opts *o, err *e)
{
    json_t *all = json_array();
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < n_keys; k++) {
        store_audit_entries list = {0};
        rc = store_audit_by_person(&list, s, keys[k], o->after, (size_t)o->limit, e);
        for (size_t i = 0; rc == 0 && i < list.n; i++)
            json_array_append_new(all, entry_json(&list.v[i]));
        store_audit_entries_free(&list);
    }
    size_t n = json_array_size(all);
    json_t **v = n ? malloc(n * sizeof *v) : NULL;
    if (rc == 0 && n && !v)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; v && i < n; i++)
        v[i] = json_array_get(all, i);
    if (v)
        qsort(v, n, sizeof *v, by_id);
    json_t *arr = json_array();
    for (size_t i = 0; rc == 0 && i < n && json_array_size(arr) < (size_t)o->limit; i++)
        json_array_append(arr, v[i]);
    free(v);
    json_decref(all);
    if (rc != 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

static json_t *person_json(const ops_person *p)
{
    json_t *atts = json_array();
    for (size_t i = 0; p->link && i < p->link->n_attendees; i++)
        json_array_append_new(atts, json_pack("{s:s, s:s}", "event", p->link->attendees[i].event,
                                              "attendee", p->link->attendees[i].code));
    return json_pack("{s:o, s:s?, s:s?, s:o, s:s?}", "link",
                     p->link ? json_integer(p->link->id) : json_null(), "contact_id", p->contact_id,
                     "email", p->email[0] ? p->email : NULL, "attendees", atts, "sync_link",
                     p->link_name);
}

#define CHANGE_MAX 300

/* The BEFORE -> AFTER cell: a tag change as "tags added: a; removed: b" after the other
 * values. True when the tag change did not fit in the cell's 60 characters. */
static bool change_cell(char out[CHANGE_MAX], const json_t *entry)
{
    const char *tags = jsonx_str(entry, "tags");
    json_t *before = json_deep_copy(json_object_get(entry, "before"));
    json_t *after = json_deep_copy(json_object_get(entry, "after"));
    if (tags) {
        json_object_del(before, "tags");
        json_object_del(after, "tags");
    }
    char b[128], a[128];
    ops_fmt_value(b, sizeof b, json_object_size(before) || !tags ? before : NULL, 28);
    ops_fmt_value(a, sizeof a, json_object_size(after) || !tags ? after : NULL, 28);
    json_decref(before);
    json_decref(after);
    bool rest = strcmp(b, "-") != 0 || strcmp(a, "-") != 0;
    if (!tags) {
        snprintf(out, CHANGE_MAX, "%s -> %s", b, a);
        return false;
    }
    char full[CHANGE_MAX];
    if (rest)
        snprintf(full, sizeof full, "%s -> %s; tags %s", b, a, tags);
    else
        snprintf(full, sizeof full, "tags %s", tags);
    json_t *text = json_string(full); /* cut at 60 characters, not bytes */
    ops_fmt_value(out, CHANGE_MAX, text, 60);
    json_decref(text);
    return strcmp(out, full) != 0;
}

static void print_entries(const ops_person *p, const json_t *list, const audit_opts *o)
{
    printf("audit of %s", p->email[0] ? p->email : p->contact_id ? p->contact_id : "?");
    if (p->link)
        printf(" (link %lld, contact %s%s)", (long long)p->link->id, p->link->contact_id,
               p->link->unlinked_ms ? ", unlinked" : "");
    printf("\n");
    if (!json_array_size(list)) {
        if (o->after)
            printf("no entries after %lld\n", (long long)o->after);
        else
            printf("no entries: pheedsync has changed or decided nothing for this person\n");
        return;
    }
    printf("%-6s %-20s %-18s %-20s %-60s %s\n", "ID", "WHEN", "DIRECTION", "FIELDS",
           "BEFORE -> AFTER", "WHY");
    size_t i;
    const json_t *a;
    json_array_foreach(list, i, a)
    {
        char when[OPS_TIME_LEN], fields[128];
        int64_t at = 0;
        err e = {0};
        if (clock_parse_iso(&at, jsonx_str(a, "at"), &e) != 0)
            at = 0;
        ops_fmt_time(when, at);
        ops_fmt_value(fields, sizeof fields, json_object_get(a, "fields"), 20);
        char change[CHANGE_MAX];
        bool cut = change_cell(change, a);
        printf("%-6lld %-20s %-18s ", (long long)jsonx_int(a, "id", 0), when,
               jsonx_str(a, "direction"));
        ops_print_cell(fields, 20);
        ops_print_cell(change, 60);
        printf("%s\n", jsonx_str(a, "reason"));
        /* A tag change the cell could not hold gets a line of its own. */
        if (cut)
            printf("%-6s %-20s %-18s %-20s tags %s\n", "", "", "", "", jsonx_str(a, "tags"));
    }
    if (json_array_size(list) == (size_t)o->limit)
        printf("(more may follow: --after %lld)\n",
               (long long)jsonx_int(json_array_get(list, json_array_size(list) - 1), "id", 0));
}

/* The person: from the store, else (an unlinked id) through the APIs to learn the address. */
static int find_person(ops_person *p, ops_data *d, const char *query, err *e)
{
    int rc = ops_person_find(p, d, query, OPS_FIND_STORE, e);
    if (rc == ERR_NOT_FOUND)
        rc = ops_person_find(p, d, query, 0, e);
    return rc;
}

static int run(app_ctx *a, const char *query, const audit_opts *o)
{
    ops_data d;
    ops_person p = {0};
    json_t *list = NULL;
    err e = {0};
    int rc = ops_data_open(&d, a, &e);
    bool bad_link = rc == 0 && ops_data_only_link(&d, o->link, &e) != 0;
    if (bad_link)
        rc = e.code;
    if (rc == 0)
        rc = find_person(&p, &d, query, &e);
    char keys[3][OPS_EMAIL_MAX];
    size_t n_keys = rc == 0 ? ops_person_audit_keys(&p, keys) : 0;
    if (rc == 0)
        rc = entries(&list, a->store, keys, n_keys, o, &e);
    /* An address nobody is linked with, that no entry names, is nobody. */
    if (rc == 0 && !p.link && !p.contact_id && !p.n_attendees && !json_array_size(list) &&
        !o->after)
        rc = err_set(&e, ERR_NOT_FOUND,
                     "pheedsync knows nobody as %s: no link and no audit entry names them", query);
    int code = EXIT_OK;
    if (bad_link) {
        app_fail(a, &e);
        code = EXIT_USAGE;
    } else if (rc == ERR_NOT_FOUND || rc == ERR_CONFLICT) {
        app_fail(a, &e);
        code = EXIT_CHECK;
    } else if (rc != 0) {
        code = ops_cmd_fail(a, &e);
    } else if (a->json) {
        json_t *r = json_pack("{s:o, s:o, s:O}", "person", person_json(&p), "keys", json_array(),
                              "entries", list);
        for (size_t i = 0; i < n_keys; i++)
            json_array_append_new(json_object_get(r, "keys"), json_string(keys[i]));
        ops_json_print(r);
        json_decref(r);
    } else {
        print_entries(&p, list, o);
    }
    json_decref(list);
    ops_person_free(&p);
    ops_data_close(&d);
    return code;
}

int cmd_audit(int argc, char **argv)
{
    audit_opts o = {.limit = 100};
    ops_cmd_spec spec = {"audit", usage_text, long_options, own_option, &o};
    o.spec = &spec;
    app_options ao;
    int first = 0;
    int code = ops_cmd_parse(&ao, &first, &spec, argc, argv);
    if (code >= 0)
        return code;
    if (first >= argc)
        return ops_cmd_usage_error(&spec, "needs EMAIL or ID: whose changes to list");
    if (argc - first > 1)
        return ops_cmd_usage_error(&spec, "unexpected argument '%s'", argv[first + 1]);
    app_ctx a;
    code = ops_cmd_open(&a, &ao, APP_STORE);
    if (code == EXIT_OK)
        code = run(&a, argv[first], &o);
    app_close(&a);
    return code;
}
