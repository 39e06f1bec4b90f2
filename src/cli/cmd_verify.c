/* cmd_verify.c: `pheedsync verify [EMAIL|ID] [--json]`: both sides compared field by field
 * through the map; every drift listed; exit 0 in sync, 1 on drift. */
#include "ops/ops_cmd.h"
#include "ops/person_lookup.h"
#include "ops/verify.h"
#include "util/jsonx.h"

static const char usage_text[] =
    "usage: pheedsync verify [EMAIL|ID] [--link NAME] [OPTIONS]\n"
    "\n"
    "Reads every linked person on both sides (or the one named: an e-mail address, a\n"
    "HighLevel contact id, a PheedLoop attendee code or a link number), maps both records\n"
    "through the configured fields and lists every drift: person, field, and both values.\n"
    "A field is compared the way a sync leaves it: two-way fields must be equal; a one-way\n"
    "field's target must equal its source; tags must be on both sides where they flow (a\n"
    "PheedLoop sign-up or check-in tag HighLevel dropped is not drift); a linked record that\n"
    "is gone is drift. Fields on a HighLevel custom field the location lacks are skipped, as\n"
    "the sync skips them. Nothing is written to either service; a complete run's totals are\n"
    "kept in the store for `pheedsync status`.\n"
    "Exit status: 0 in sync, 1 drift found (or nobody by that name), 2 usage or\n"
    "configuration error, 3 runtime failure (a service unreachable, the store unreadable or\n"
    "written by a newer pheedsync).\n"
    "\n"
    "With [link] sections every link's people are compared, each through its own location\n"
    "and events; --link NAME compares that link's only (\"default\": [ghl] and [pheedloop]).\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS APP_USAGE_JSON
    "  --link NAME       only the people of that link of the configuration\n"
    "  -h, --help        this text\n";

enum { OPT_LINK = 256 };

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    APP_LONG_OPTION_JSON,
    {"link", required_argument, NULL, OPT_LINK},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void print_drift(const json_t *d)
{
    const char *field = jsonx_str(d, "field");
    char g[256], p[256];
    if (!strcmp(field, "record")) {
        printf("  %-16s %s\n", "record", jsonx_str(d, "why"));
        return;
    }
    if (json_object_get(d, "missing_on_ghl")) {
        ops_fmt_value(g, sizeof g, json_object_get(d, "missing_on_ghl"), 120);
        ops_fmt_value(p, sizeof p, json_object_get(d, "missing_on_pheedloop"), 120);
        printf("  %-16s missing in HighLevel: %s; missing in PheedLoop: %s\n", field, g, p);
        return;
    }
    ops_fmt_value(g, sizeof g, json_object_get(d, "ghl"), 60);
    ops_fmt_value(p, sizeof p, json_object_get(d, "pheedloop"), 60);
    printf("  ");
    ops_print_cell(field, 16);
    printf("HighLevel: ");
    ops_print_cell(g, 28);
    printf("PheedLoop: ");
    ops_print_cell(p, 28);
    printf("(%s", jsonx_str(d, "direction"));
    if (jsonx_str(d, "why"))
        printf("; %s", jsonx_str(d, "why"));
    printf(")\n");
}

static void print_report(const json_t *r)
{
    const json_t *drifts = json_object_get(r, "drifts");
    int64_t last_link = 0;
    const char *last_event = NULL;
    size_t i;
    const json_t *d;
    json_array_foreach(drifts, i, d)
    {
        int64_t link = jsonx_int(d, "link", 0);
        const char *event = jsonx_str(d, "event");
        bool same = link == last_link && ((!event && !last_event) ||
                                          (event && last_event && !strcmp(event, last_event)));
        if (!same) {
            if (jsonx_str(d, "link_name"))
                printf("[%s] ", jsonx_str(d, "link_name"));
            printf("link %lld  %s  contact %s", (long long)link,
                   jsonx_str(d, "email") ? jsonx_str(d, "email") : "(no e-mail)",
                   jsonx_str(d, "contact_id"));
            if (event)
                printf(", attendee %s in %s", jsonx_str(d, "attendee"), event);
            printf("\n");
        }
        last_link = link;
        last_event = event;
        print_drift(d);
    }
    json_t *by_link = json_object_get(r, "skipped_fields_by_link");
    const char *name;
    const json_t *fields;
    if (by_link) {
        json_object_foreach(by_link, name, fields)
        {
            json_array_foreach(fields, i, d)
                printf("skipped field %s for link %s: its HighLevel location has no such custom "
                       "field\n",
                       json_string_value(d), name);
        }
    } else {
        json_array_foreach(json_object_get(r, "skipped_fields"), i, d)
            printf("skipped field %s: the HighLevel location has no such custom field\n",
                   json_string_value(d));
    }
    json_array_foreach(json_object_get(r, "skipped"), i, d)
    {
        if (jsonx_str(d, "attendee"))
            printf("skipped attendee %s of link %lld: %s\n", jsonx_str(d, "attendee"),
                   (long long)jsonx_int(d, "link", 0), jsonx_str(d, "why"));
        else
            printf("skipped contact %s of link %lld: %s\n", jsonx_str(d, "contact_id"),
                   (long long)jsonx_int(d, "link", 0), jsonx_str(d, "why"));
    }
    printf("%lld links, %lld pairs compared: %lld in sync, %lld drifted (%zu differences)\n",
           (long long)jsonx_int(r, "links", 0), (long long)jsonx_int(r, "pairs", 0),
           (long long)jsonx_int(r, "in_sync", 0), (long long)jsonx_int(r, "drifted", 0),
           json_array_size(drifts));
}

/* The link of the person named, or 0 with the exit code set. */
static int64_t person_link(ops_data *d, const char *query, int *code)
{
    ops_person p = {0};
    err e = {0};
    int rc = ops_person_find(&p, d, query, OPS_FIND_STORE, &e);
    int64_t id = rc == 0 && p.link && !p.link->unlinked_ms ? p.link->id : 0;
    if (rc == 0 && !id)
        rc = err_set(&e, ERR_NOT_FOUND, "%s is not linked: there is nothing to compare", query);
    ops_person_free(&p);
    if (rc == ERR_NOT_FOUND || rc == ERR_CONFLICT) {
        app_fail(d->app, &e);
        *code = EXIT_CHECK;
    } else if (rc != 0) {
        *code = ops_cmd_fail(d->app, &e);
    }
    return id;
}

static int own_option(void *ctx, int opt, const char *arg)
{
    if (opt != OPT_LINK)
        return -1;
    *(const char **)ctx = arg;
    return 0;
}

static int run(app_ctx *a, const char *query, const char *link_name)
{
    ops_data d;
    err e = {0};
    if (ops_data_open(&d, a, &e) != 0) {
        ops_data_close(&d);
        return ops_cmd_fail(a, &e);
    }
    if (ops_data_only_link(&d, link_name, &e) != 0) {
        app_fail(a, &e);
        ops_data_close(&d);
        return EXIT_USAGE;
    }
    int code = EXIT_OK;
    int64_t link = query ? person_link(&d, query, &code) : 0;
    json_t *r = NULL;
    if (code == EXIT_OK && ops_verify_run(&r, &d, link, &e) != 0)
        code = ops_cmd_fail(a, &e);
    if (code == EXIT_OK && !query && !d.link_only && ops_verify_record(a->store, r, clock_now_ms(a->clock), &e))
        code = ops_cmd_fail(a, &e);
    if (code == EXIT_OK) {
        if (a->json)
            ops_json_print(r);
        else
            print_report(r);
        code = json_array_size(json_object_get(r, "drifts")) ? EXIT_CHECK : EXIT_OK;
    }
    json_decref(r);
    ops_data_close(&d);
    return code;
}

int cmd_verify(int argc, char **argv)
{
    const char *link_name = NULL;
    ops_cmd_spec spec = {"verify", usage_text, long_options, own_option, &link_name};
    app_options ao;
    int first = 0;
    int code = ops_cmd_parse(&ao, &first, &spec, argc, argv);
    if (code >= 0)
        return code;
    if (argc - first > 1)
        return ops_cmd_usage_error(&spec, "unexpected argument '%s'", argv[first + 1]);
    app_ctx a;
    code = ops_cmd_open(&a, &ao, APP_STORE);
    if (code == EXIT_OK)
        code = run(&a, first < argc ? argv[first] : NULL, link_name);
    app_close(&a);
    return code;
}
