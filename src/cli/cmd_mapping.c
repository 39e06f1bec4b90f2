/* cmd_mapping.c: `pheedsync mapping show|preview`: the field map as configured, and the map
 * applied to real sample records side by side, writing nothing. */
#include "cli/args.h"
#include "ops/ops_cmd.h"
#include "ops/preview.h"
#include "util/jsonx.h"

static const char usage_text[] =
    "usage: pheedsync mapping show [OPTIONS]\n"
    "       pheedsync mapping preview [--sample N] [--event CODE] [--link NAME] [OPTIONS]\n"
    "\n"
    "  show      the field map as configured ([field] sections over the defaults): each\n"
    "            field's HighLevel and PheedLoop places, direction, owner and transforms\n"
    "  preview   reads N contacts of the location and N attendees of one event, pairs each\n"
    "            with its counterpart (by link, else by e-mail) and shows every mapped field\n"
    "            side by side: the raw value on each side, the canonical value each side\n"
    "            gives, and what a sync would write where; an attendee without a contact\n"
    "            shows the contact a sync would create. Only reads are sent: validate the\n"
    "            mapping on real records before going live.\n"
    "Exit status: 0 shown, 2 usage or configuration error (a bad [field] section names its\n"
    "key), 3 runtime failure (a service unreachable, the store unreadable or written by a\n"
    "newer pheedsync).\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS APP_USAGE_JSON
    "  --sample N        preview: records of each side (default 5, 1 to 100)\n"
    "  --event CODE      preview: the event whose attendees to read (default: the first of\n"
    "                    [pheedloop] events; with [link] sections, the first of each link's)\n"
    "  --link NAME       preview: that link of the configuration only (\"default\" is the one\n"
    "                    of [ghl] and [pheedloop]); default: every link, one after the other\n"
    "  -h, --help        this text\n";

enum { OPT_SAMPLE = 256, OPT_EVENT, OPT_LINK };

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    APP_LONG_OPTION_JSON,
    {"sample", required_argument, NULL, OPT_SAMPLE},
    {"event", required_argument, NULL, OPT_EVENT},
    {"link", required_argument, NULL, OPT_LINK},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct map_opts {
    const ops_cmd_spec *spec;
    int64_t sample;
    const char *event, *link;
    bool sample_set, event_set;
} map_opts;

static int own_option(void *ctx, int opt, const char *arg)
{
    map_opts *o = ctx;
    err e = {0};
    if (opt == OPT_SAMPLE) {
        if (args_parse_int(&o->sample, "--sample", arg, 1, 100, &e) != 0)
            return ops_cmd_usage_error(o->spec, "%s", e.msg);
        o->sample_set = true;
        return 0;
    }
    if (opt == OPT_EVENT) {
        if (!*arg)
            return ops_cmd_usage_error(o->spec, "--event needs an event code");
        o->event = arg;
        o->event_set = true;
        return 0;
    }
    if (opt == OPT_LINK) {
        if (!*arg)
            return ops_cmd_usage_error(o->spec, "--link needs a link's name");
        o->link = arg;
        return 0;
    }
    return -1;
}

/* ---------------------------------------------------------------- show */

static json_t *field_json(const core_field *f)
{
    buf x;
    buf_init(&x, 4096);
    if (core_xform_describe(&x, f->xform) != 0)
        buf_reset(&x);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?}", "field", f->name, "ghl",
                          f->path[CORE_GHL], "pheedloop", f->path[CORE_PL], "direction",
                          core_dir_name(f->dir), "owner", core_owner_name(f->owner), "transform",
                          buf_cstr(&x), "section", f->section);
    buf_free(&x);
    return j;
}

static int show(app_ctx *a)
{
    core_map *m = NULL;
    err e = {0};
    if (core_map_from_config(&m, a->cfg, &e) != 0)
        return ops_cmd_fail(a, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < core_map_count(m); i++)
        json_array_append_new(arr, field_json(core_map_at(m, i)));
    if (a->json) {
        ops_json_print(arr);
    } else {
        printf("%-18s %-22s %-24s %-18s %-10s %s\n", "FIELD", "HIGHLEVEL", "PHEEDLOOP", "DIRECTION",
               "OWNER", "TRANSFORMS");
        size_t i;
        const json_t *f;
        json_array_foreach(arr, i, f)
            printf("%-18s %-22s %-24s %-18s %-10s %s\n", jsonx_str(f, "field"), jsonx_str(f, "ghl"),
                   jsonx_str(f, "pheedloop"), jsonx_str(f, "direction"), jsonx_str(f, "owner"),
                   *jsonx_str(f, "transform") ? jsonx_str(f, "transform") : "-");
    }
    json_decref(arr);
    core_map_free(m);
    return EXIT_OK;
}

/* ---------------------------------------------------------------- preview */

static void writes_text(char *out, size_t n, const json_t *writes)
{
    size_t used = 0, i;
    const json_t *w;
    out[0] = '\0';
    json_array_foreach(writes, i, w)
    {
        char v[256];
        if (json_object_get(w, "value")) {
            ops_fmt_value(v, sizeof v, json_object_get(w, "value"), 40);
        } else {
            char add[96], rem[96];
            ops_fmt_value(add, sizeof add, json_object_get(w, "add"), 40);
            ops_fmt_value(rem, sizeof rem, json_object_get(w, "remove"), 40);
            snprintf(v, sizeof v, "+[%s] -[%s]", add, rem);
        }
        int k = snprintf(out + used, n - used, "%s-> %s: %s", i ? "; " : "",
                         !strcmp(jsonx_str(w, "to"), "ghl") ? "HighLevel" : "PheedLoop", v);
        if (k < 0 || (size_t)k >= n - used)
            return;
        used += (size_t)k;
    }
    if (!used)
        snprintf(out, n, "-");
}

static void print_person(size_t idx, const json_t *p)
{
    const char *by = jsonx_str(p, "paired_by");
    printf("\n[%zu] %s  HighLevel %s <-> PheedLoop %s (%s)\n", idx,
           jsonx_str(p, "email") ? jsonx_str(p, "email") : "(no e-mail)",
           jsonx_str(p, "contact_id") ? jsonx_str(p, "contact_id") : "none",
           jsonx_str(p, "attendee") ? jsonx_str(p, "attendee") : "none",
           by ? by : "no counterpart");
    printf("  %-16s %-22s %-22s %-34s %s\n", "FIELD", "HIGHLEVEL (RAW)", "PHEEDLOOP (RAW)",
           "CANONICAL (HL | PL)", "A SYNC WRITES");
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(p, "fields"), i, f)
    {
        char gr[64], pr[64], gc[64], pc[64], canon[140], w[400];
        ops_fmt_value(gr, sizeof gr, json_object_get(f, "ghl_raw"), 22);
        ops_fmt_value(pr, sizeof pr, json_object_get(f, "pheedloop_raw"), 22);
        ops_fmt_value(gc, sizeof gc, json_object_get(f, "ghl"), 16);
        ops_fmt_value(pc, sizeof pc, json_object_get(f, "pheedloop"), 16);
        snprintf(canon, sizeof canon, "%s | %s", gc, pc);
        writes_text(w, sizeof w, json_object_get(f, "writes"));
        printf("  ");
        ops_print_cell(jsonx_str(f, "field"), 16);
        ops_print_cell(gr, 22);
        ops_print_cell(pr, 22);
        ops_print_cell(canon, 34);
        printf("%s", w);
        if (jsonx_str(f, "note"))
            printf("  (%s)", jsonx_str(f, "note"));
        printf("\n");
    }
    if (jsonx_str(json_object_get(p, "bodies"), "error"))
        printf("  the write bodies could not be made: %s\n",
               jsonx_str(json_object_get(p, "bodies"), "error"));
}

static void print_preview(const json_t *r, const char *link)
{
    const json_t *s = json_object_get(r, "samples");
    if (link)
        printf("Link %s: ", link);
    printf("The mapping on %lld HighLevel contacts and %lld PheedLoop attendees of %s "
           "(nothing is written)\n",
           (long long)jsonx_int(s, "ghl", 0), (long long)jsonx_int(s, "pheedloop", 0),
           jsonx_str(r, "event"));
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(r, "people"), i, p) print_person(i + 1, p);
    if (!json_array_size(json_object_get(r, "people")))
        printf("no records on either side to preview\n");
}

/* The link of --event when --link is not given: the one whose events include it. */
static void link_of_event(ops_data *d, const char *event)
{
    for (size_t i = 0; event && i < d->app->n_links; i++)
        for (const char *const *ev = d->app->links[i].cfg.events; *ev; ev++)
            if (!strcmp(*ev, event)) {
                ops_data_use_link(d, i);
                d->link_only = true;
                return;
            }
}

/* One preview per link in scope: the first at the top (as with one link), every one in
 * "links" when there are several. */
static int preview_links(json_t **out, ops_data *d, const map_opts *o, err *e)
{
    size_t from, to;
    ops_data_links(d, &from, &to);
    json_t *all = json_array(), *first = NULL;
    int rc = 0;
    for (size_t i = from; rc == 0 && i < to; i++) {
        json_t *r = NULL;
        ops_data_use_link(d, i);
        rc = ops_preview(&r, d, (size_t)o->sample, o->event, e);
        if (rc != 0)
            break;
        jsonx_set_str(r, "link", ops_data_link_name(d));
        if (!first)
            first = json_deep_copy(r);
        json_array_append_new(all, r);
    }
    if (rc == 0 && to - from > 1)
        json_object_set(first, "links", all);
    json_decref(all);
    if (rc != 0) {
        json_decref(first);
        return rc;
    }
    *out = first;
    return 0;
}

static int preview(app_ctx *a, const map_opts *o)
{
    ops_data d;
    json_t *r = NULL;
    err e = {0};
    int rc = ops_data_open(&d, a, &e);
    bool bad_link = false;
    if (rc == 0 && o->link) {
        rc = ops_data_only_link(&d, o->link, &e);
        bad_link = rc != 0;
    } else if (rc == 0) {
        link_of_event(&d, o->event);
    }
    if (rc == 0)
        rc = preview_links(&r, &d, o, &e);
    int code = EXIT_OK;
    if (rc == ERR_NOT_FOUND || bad_link) { /* the event, or the link */
        app_fail(a, &e);
        code = EXIT_USAGE;
    } else if (rc != 0) {
        code = ops_cmd_fail(a, &e);
    } else if (a->json) {
        ops_json_print(r);
    } else if (json_object_get(r, "links")) {
        size_t i;
        const json_t *one;
        json_array_foreach(json_object_get(r, "links"), i, one)
        {
            printf("%s", i ? "\n" : "");
            print_preview(one, jsonx_str(one, "link"));
        }
    } else {
        print_preview(r, a->n_links > 1 ? jsonx_str(r, "link") : NULL);
    }
    json_decref(r);
    ops_data_close(&d);
    return code;
}

int cmd_mapping(int argc, char **argv)
{
    map_opts o = {.sample = 5};
    ops_cmd_spec spec = {"mapping", usage_text, long_options, own_option, &o};
    o.spec = &spec;
    app_options ao;
    int first = 0;
    int code = ops_cmd_parse(&ao, &first, &spec, argc, argv);
    if (code >= 0)
        return code;
    if (first >= argc)
        return ops_cmd_usage_error(&spec, "needs show or preview");
    const char *sub = argv[first];
    bool is_show = !strcmp(sub, "show");
    if (!is_show && strcmp(sub, "preview") != 0)
        return ops_cmd_usage_error(&spec, "unknown subcommand '%s': show or preview", sub);
    if (argc - first > 1)
        return ops_cmd_usage_error(&spec, "unexpected argument '%s'", argv[first + 1]);
    if (is_show && (o.sample_set || o.event_set || o.link))
        return ops_cmd_usage_error(&spec, "--sample, --event and --link are for preview");
    app_ctx a;
    code = ops_cmd_open(&a, &ao, is_show ? 0 : APP_STORE);
    if (code == EXIT_OK)
        code = is_show ? show(&a) : preview(&a, &o);
    app_close(&a);
    return code;
}
