/* cmd_check.c: `pheedsync check`: validates the configuration, reaches both services, verifies
 * the credentials, lists granted and missing scopes and the rate budgets; exit 0 when ready. */
#include "app/app.h"
#include "cli/commands.h"
#include "util/jsonx.h"

#include <stdarg.h>

static const char usage_text[] =
    "usage: pheedsync check [OPTIONS]\n"
    "\n"
    "Validates the configuration, opens the store, reaches HighLevel and PheedLoop, verifies the\n"
    "credentials (HighLevel: the stored authorization or the Private Integration token, its\n"
    "scopes, and a read of custom fields and contacts; PheedLoop: validateauth and every event in\n"
    "[pheedloop] events), and shows the rate budgets. Each problem comes with what to do.\n"
    "Exit status: 0 ready, 1 not ready, 2 usage or configuration error, 3 runtime failure.\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS APP_USAGE_JSON "  -h, --help        this text\n";

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    APP_LONG_OPTION_JSON,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* ---------------------------------------------------------------- the report */

typedef struct report {
    bool json;
    int problems;
    bool runtime; /* a failure of ours (memory), not of the setup being checked */
    json_t *root; /* {"ready", "problems", "config", "store", "ghl", "pheedloop"} */
    json_t *part; /* the service being checked; its "checks" array */
} report;

static void part(report *r, const char *key, const char *title)
{
    r->part = json_pack("{s:[]}", "checks");
    json_object_set_new(r->root, key, r->part);
    if (!r->json)
        printf("%s\n", title);
}

static void vline(report *r, const char *mark, const char *name, const char *fix, const char *fmt,
                  va_list ap)
{
    char detail[1024];
    vsnprintf(detail, sizeof detail, fmt, ap);
    json_t *c = json_pack("{s:s, s:s, s:s}", "name", name, "result", mark, "detail", detail);
    if (fix)
        jsonx_set_str(c, "fix", fix);
    json_array_append_new(json_object_get(r->part, "checks"), c);
    if (r->json)
        return;
    printf("  %-5s %s: %s\n", !strcmp(mark, "fail") ? "FAIL" : mark, name, detail);
    if (fix)
        printf("        fix: %s\n", fix);
}

static void ok(report *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ok(report *r, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(r, "ok", name, NULL, fmt, ap);
    va_end(ap);
}

static void info(report *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void info(report *r, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(r, "info", name, NULL, fmt, ap);
    va_end(ap);
}

static void fail(report *r, const char *name, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(report *r, const char *name, const char *fix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(r, "fail", name, fix, fmt, ap);
    va_end(ap);
    r->problems++;
}

static void note_rc(report *r, int rc)
{
    if (rc == ERR_NOMEM || rc == ERR_INTERNAL)
        r->runtime = true;
}

/* ---------------------------------------------------------------- store */

static void check_store(report *r, app_ctx *a)
{
    part(r, "store", "Store");
    const char *raw = config_str(a->cfg, "store", "url");
    char url[STORE_URL_SHOWN_MAX];
    store_url_shown(url, sizeof url, raw ? raw : "");
    jsonx_set_str(r->part, "url", url);
    err e = {0};
    int rc = app_require(a, APP_STORE, &e);
    note_rc(r, rc);
    int cur = 0, latest = 0;
    if (rc == 0)
        rc = store_schema_version(&cur, &latest, a->store, &e);
    bool sqlite = raw && strncmp(raw, "sqlite:", 7) == 0;
    if (rc != 0)
        fail(r, "store",
             sqlite ? "check [store] url: the directory must exist and be writable"
                    : "check [store] url: the server must be reachable, and the database, user "
                      "and password right",
             "%s", e.msg);
    else
        ok(r, "store", "%s opens (%s, schema %d of %d)", url, store_backend(a->store), cur, latest);
}

/* ---------------------------------------------------------------- HighLevel */

/* "23 h 59 min", "12 min", "expired". */
static void format_left(char *out, size_t n, int64_t ms)
{
    if (ms <= 0)
        snprintf(out, n, "expired: refreshed on next use");
    else if (ms >= 3600000)
        snprintf(out, n, "expires in %lld h %lld min", (long long)(ms / 3600000),
                 (long long)(ms % 3600000 / 60000));
    else
        snprintf(out, n, "expires in %lld min", (long long)(ms / 60000));
}

/* The space- or comma-separated scope list as a JSON array. */
static json_t *scope_array(const char *list)
{
    json_t *arr = json_array();
    for (const char *p = list ? list : ""; *p;) {
        size_t skip = strspn(p, " ,+");
        p += skip;
        size_t w = strcspn(p, " ,+");
        if (w)
            json_array_append_new(arr, json_stringn(p, w));
        p += w;
    }
    return arr;
}

/* The stored authorization: 1 connected, 0 reported as a problem. */
static int ghl_connection(report *r, app_ctx *a, const char *loc, json_t **out_desc)
{
    err e = {0};
    json_t *d = NULL;
    int rc = ghl_tokens_describe(&d, a->ghl_setup.tokens, loc, &e);
    note_rc(r, rc);
    if (rc == ERR_NOT_FOUND) {
        jsonx_set_str(r->part, "state", "not_connected");
        fail(r, "connection", "run `pheedsync connect ghl` and approve the app for this location",
             "not connected: no authorization is stored for location %s", loc);
        return 0;
    }
    if (rc != 0) {
        fail(r, "connection", "check [store] url and the sealing key (PHEEDSYNC_SEAL_KEY)",
             "the stored authorization cannot be read: %s", e.msg);
        return 0;
    }
    if (!strcmp(jsonx_str(d, "state") ? jsonx_str(d, "state") : "", "needs_reauth")) {
        jsonx_set_str(r->part, "state", "needs_reauth");
        fail(r, "connection", "run `pheedsync connect ghl` to approve the app again",
             "needs re-authorization (%s); nothing is sent for this location until then",
             jsonx_str(d, "reason") ? jsonx_str(d, "reason") : "the grant was refused");
        json_decref(d);
        return 0;
    }
    *out_desc = d;
    return 1;
}

static void ghl_scopes(report *r, const json_t *desc)
{
    const char *granted = jsonx_str(desc, "scope");
    buf missing;
    buf_init(&missing, 4096);
    size_t n = ghl_scopes_missing(&missing, granted);
    json_object_set_new(r->part, "scopes",
                        json_pack("{s:o, s:o}", "granted", scope_array(granted), "missing",
                                  scope_array(buf_cstr(&missing))));
    if (n)
        fail(r, "scopes",
             "add them to the app's scopes (and [ghl] scopes), then run `pheedsync connect ghl` "
             "again",
             "missing %s (granted: %s)", buf_cstr(&missing),
             granted && *granted ? granted : "none reported");
    else
        ok(r, "scopes", "every scope the flows need is granted (%s)", granted);
    buf_free(&missing);
}

/* One custom field list and a one-contact search: the token works and can read. */
static int ghl_reads(ghl_client *c, ghl_op *op, size_t *n_fields, int64_t *n_contacts, err *e)
{
    ghl_field_defs defs = {0};
    int rc = ghl_client_list_custom_fields(&defs, c, op, e);
    *n_fields = defs.n;
    ghl_field_defs_clear(&defs);
    ghl_client_iter *it = NULL;
    ghl_client_query q = {.kind = GHL_ITER_SEARCH, .page_size = 1, .max = 1};
    ghl_contact_page page = {0};
    if (rc == 0)
        rc = ghl_client_iter_new(&it, c, op, &q, e);
    if (rc == 0)
        rc = ghl_client_iter_next(&page, it, e);
    *n_contacts = it ? ghl_client_iter_total(it) : -1;
    ghl_contact_page_clear(&page);
    ghl_client_iter_free(it);
    return rc;
}

static void ghl_read_failed(report *r, app_ctx *a, const char *loc, const ghl_call *call,
                            const err *e)
{
    bool pit = a->ghl_setup.pit;
    const char *base = a->ghl_setup.base_url;
    if (call->held) {
        jsonx_set_str(r->part, "state", "needs_reauth");
        fail(r, "connection", "run `pheedsync connect ghl` to approve the app again",
             "needs re-authorization: HighLevel refused the stored authorization (revoked, or "
             "its refresh token was used elsewhere)");
        return;
    }
    switch (call->error.kind) {
    case API_ERR_SCOPE:
        fail(r, "API",
             pit ? "make a Private Integration token with the read scopes and pass it as "
                   "PHEEDSYNC_GHL_TOKEN"
                 : "add the scope to the app, then run `pheedsync connect ghl` again",
             "the token lacks a scope: %s", call->error.message);
        break;
    case API_ERR_AUTH:
        fail(r, "API",
             pit ? "check [ghl] token (PHEEDSYNC_GHL_TOKEN) and [ghl] location_id"
                 : "run `pheedsync connect ghl` again",
             "HighLevel refused the token for location %s: %s", loc, e->msg);
        break;
    case API_ERR_RATE:
        fail(r, "API", "wait a minute and check again; another tool may share the budget",
             "rate limited: %s", e->msg);
        break;
    case API_ERR_TRANSIENT:
        fail(r, "API", "check [ghl] base_url and the network", "cannot reach %s: %s", base, e->msg);
        break;
    default:
        note_rc(r, e->code);
        fail(r, "API", "check [ghl] location_id and base_url", "%s", e->msg);
    }
}

static void ghl_budget(report *r, app_ctx *a, const retry_rate_info *ri)
{
    int64_t pct = config_int(a->cfg, "sync", "budget_reserve");
    json_t *b = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "max_per_interval", (json_int_t)ri->max,
                          "remaining", (json_int_t)ri->remaining, "interval_ms",
                          (json_int_t)ri->interval_ms, "daily_limit", (json_int_t)ri->daily_limit,
                          "daily_remaining", (json_int_t)ri->daily_remaining, "reserve_percent",
                          (json_int_t)pct);
    json_object_set_new(r->part, "budget", b);
    if (!retry_rate_info_any(ri)) {
        info(r, "budget",
             "no rate-limit headers came back; pheedsync assumes 100 requests per 10 s and "
             "200000 a day, %lld%% of the day kept for other tools",
             (long long)pct);
        return;
    }
    info(r, "budget",
         "%lld of %lld requests left in this %.1f s window; %lld of %lld left today (%lld%% of "
         "the day kept for other tools)",
         (long long)ri->remaining, (long long)ri->max, (double)ri->interval_ms / 1000.0,
         (long long)ri->daily_remaining, (long long)ri->daily_limit, (long long)pct);
}

static void check_ghl(report *r, app_ctx *a)
{
    const char *base = config_str(a->cfg, "ghl", "base_url");
    /* The default link's location; without one, the first [link]'s. */
    const char *loc = a->links[0].cfg.location_id;
    bool pit = config_int(a->cfg, "ghl", "auth") == 1;
    char title[512];
    snprintf(title, sizeof title, "HighLevel (%s, location %s, auth %s)", base,
             loc && *loc ? loc : "not set", pit ? "token" : "oauth");
    part(r, "ghl", title);
    json_object_set_new(r->part, "base_url", json_string(base));
    jsonx_set_str(r->part, "location_id", loc);
    jsonx_set_str(r->part, "auth", pit ? "token" : "oauth");
    if (!loc || !*loc) {
        fail(r, "location", "set [ghl] location_id to the sub-account whose contacts are synced",
             "[ghl] location_id is not set");
        return;
    }
    err e = {0};
    int rc = app_require(a, APP_GHL, &e);
    if (rc != 0) {
        note_rc(r, rc);
        fail(r, "setup", rc == ERR_CONFIG ? "complete the [ghl] section" : NULL, "%s", e.msg);
        return;
    }
    json_t *desc = NULL;
    if (!pit && !ghl_connection(r, a, loc, &desc))
        return;
    ghl_call call;
    ghl_op op = {.location_id = loc, .lane = GOVERNOR_LANE_LIVE, .call = &call};
    size_t n_fields = 0;
    int64_t n_contacts = -1;
    rc = ghl_reads(a->ghl, &op, &n_fields, &n_contacts, &e);
    if (call.held) {
        ghl_read_failed(r, a, loc, &call, &e);
        json_decref(desc);
        return;
    }
    if (!pit) {
        char left[64];
        format_left(left, sizeof left, jsonx_int(desc, "expires_ms", 0) - clock_now_ms(a->clock));
        jsonx_set_str(r->part, "state", "connected");
        ok(r, "connection", "connected (%s token; %s)",
           jsonx_str(desc, "user_type") ? jsonx_str(desc, "user_type") : "Location", left);
        ghl_scopes(r, desc);
        json_decref(desc);
    } else {
        jsonx_set_str(r->part, "state", "token");
        info(r, "connection",
             "Private Integration token: it does not list its scopes, so the reads below show "
             "what it can do (writes are not tried)");
    }
    if (rc != 0)
        ghl_read_failed(r, a, loc, &call, &e);
    else
        ok(r, "API", "%zu custom fields read; contact search answered (%lld contacts)", n_fields,
           (long long)n_contacts);
    ghl_budget(r, a, &call.rate);
}

/* ---------------------------------------------------------------- PheedLoop */

static void pl_auth_failed(report *r, app_ctx *a, int rc, const err *e)
{
    const char *org = pl_client_org(a->pl);
    if (rc == ERR_AUTH)
        fail(r, "credentials",
             "copy the API key and secret again from Dashboard > Settings > Integrations > Rest "
             "API, then run `pheedsync connect pheedloop`",
             "PheedLoop refused the API key and secret for organization %s", org);
    else if (rc == ERR_NOT_FOUND)
        fail(r, "credentials", "check [pheedloop] org_code", "PheedLoop knows no organization %s",
             org);
    else
        fail(r, "credentials", "check [pheedloop] base_url and the network", "%s", e->msg);
}

static void pl_events(report *r, app_ctx *a)
{
    json_t *events = json_array();
    json_object_set_new(r->part, "events", events);
    if (!a->events[0]) {
        fail(r, "events",
             "name the events to sync in [pheedloop] events (`pheedsync connect pheedloop "
             "--no-store` lists those the key can see)",
             "[pheedloop] events names no event");
        return;
    }
    for (size_t i = 0; a->events[i]; i++) {
        char name[160];
        snprintf(name, sizeof name, "event %s", a->events[i]);
        pl_event_rec ev;
        err e = {0};
        int rc = pl_client_get_event(&ev, a->pl, a->events[i], NULL, &e);
        json_array_append_new(events,
                              json_pack("{s:s, s:b}", "code", a->events[i], "visible", rc == 0));
        if (rc == 0) {
            ok(r, name, "visible (%s, %s)", ev.name ? ev.name : "no name",
               ev.date ? ev.date : "no date");
            pl_event_rec_free(&ev);
        } else if (rc == ERR_NOT_FOUND) {
            fail(r, name,
                 "check the code in [pheedloop] events; `pheedsync connect pheedloop --no-store` "
                 "lists the events this key can see",
                 "not visible to this key");
        } else {
            note_rc(r, rc);
            fail(r, name, "check [pheedloop] base_url and the network", "%s", e.msg);
        }
    }
}

static void pl_budget(report *r, app_ctx *a)
{
    int64_t per_min = config_int(a->cfg, "pheedloop", "rate_limit");
    json_t *st = pl_client_state_json(a->pl);
    json_object_set_new(r->part, "budget",
                        json_pack("{s:I, s:O}", "rate_per_minute", (json_int_t)per_min, "governor",
                                  json_object_get(st, "governor")));
    json_decref(st);
    if (per_min > 0)
        info(r, "budget",
             "our own limit: %lld requests per minute ([pheedloop] rate_limit; PheedLoop publishes "
             "none)",
             (long long)per_min);
    else
        info(r, "budget",
             "no limit of our own ([pheedloop] rate_limit = 0): pheedsync waits only when "
             "PheedLoop answers 429");
}

static void check_pl(report *r, app_ctx *a)
{
    const char *base = config_str(a->cfg, "pheedloop", "base_url");
    char title[512];
    snprintf(title, sizeof title, "PheedLoop (%s)", base);
    part(r, "pheedloop", title);
    json_object_set_new(r->part, "base_url", json_string(base));
    err e = {0};
    int rc = app_require(a, APP_PL, &e);
    if (rc != 0) {
        note_rc(r, rc);
        fail(r, "credentials",
             "run `pheedsync connect pheedloop` with PHEEDSYNC_PHEEDLOOP_ORG_CODE, _API_KEY and "
             "_API_SECRET set",
             "%s", e.msg);
        return;
    }
    jsonx_set_str(r->part, "org_code", pl_client_org(a->pl));
    rc = pl_client_validate_auth(NULL, a->pl, NULL, &e);
    if (rc != 0) {
        pl_auth_failed(r, a, rc, &e);
        return;
    }
    ok(r, "credentials", "API key and secret accepted for organization %s", pl_client_org(a->pl));
    pl_events(r, a);
    pl_budget(r, a);
}

/* ---------------------------------------------------------------- links */

/* One [link]: its location read through its client, its organization's credentials, its
 * events visible. */
static void check_link(report *r, app_ctx *a, const app_link *l)
{
    char name[160];
    err e = {0};
    if ((a->open & APP_GHL) && l->ghl && l->cfg.location_id) {
        ghl_call call = {0};
        ghl_op op = {.location_id = l->cfg.location_id, .call = &call};
        size_t n_fields = 0;
        int64_t n_contacts = 0;
        snprintf(name, sizeof name, "location %s", l->cfg.location_id);
        int rc = ghl_reads(l->ghl, &op, &n_fields, &n_contacts, &e);
        if (rc == 0)
            ok(r, name, "%lld contacts, %zu custom fields readable", (long long)n_contacts,
               n_fields);
        else
            fail(r, name, "connect it: `pheedsync connect ghl --link NAME`", "%s", e.msg);
    }
    if (!(a->open & APP_PL) || !l->pl)
        return;
    snprintf(name, sizeof name, "organization %s", l->cfg.org_code);
    int rc = pl_client_validate_auth(NULL, l->pl, NULL, &e);
    if (rc != 0) {
        fail(r, name,
             "set api_key and api_secret in its [link], or `pheedsync connect pheedloop "
             "--link NAME`",
             "%s", e.msg);
        return;
    }
    ok(r, name, "API key and secret accepted");
    for (const char *const *ev = l->cfg.events; *ev; ev++) {
        pl_event_rec rec;
        snprintf(name, sizeof name, "event %s", *ev);
        if (pl_client_get_event(&rec, l->pl, *ev, NULL, &e) == 0) {
            ok(r, name, "visible (%s)", rec.name ? rec.name : "no name");
            pl_event_rec_free(&rec);
        } else {
            fail(r, name, "check the code in the link's events", "%s", e.msg);
        }
    }
}

/* With [link] sections: "links", every link with what it syncs, and the checks of the named
 * ones (the default link's are those of "ghl" and "pheedloop"). */
static void check_links(report *r, app_ctx *a)
{
    if (a->n_links == 1 && !a->links[0].sec)
        return;
    json_t *list = json_array();
    json_object_set_new(r->root, "links", list);
    if (!r->json)
        printf("Links\n");
    for (size_t i = 0; i < a->n_links; i++) {
        const app_link *l = &a->links[i];
        json_t *events = json_array();
        for (const char *const *ev = l->cfg.events; *ev; ev++)
            json_array_append_new(events, json_string(*ev));
        r->part = json_pack("{s:s, s:s?, s:s?, s:o, s:[]}", "name", engine_link_label(&l->cfg),
                            "location_id", l->cfg.location_id, "org_code", l->cfg.org_code,
                            "events", events, "checks");
        json_array_append_new(list, r->part);
        if (!r->json)
            printf(" %s: location %s, organization %s\n", engine_link_label(&l->cfg),
                   l->cfg.location_id ? l->cfg.location_id : "-",
                   l->cfg.org_code ? l->cfg.org_code : "-");
        if (l->sec)
            check_link(r, a, l);
    }
}

/* ---------------------------------------------------------------- the command */

static int run(app_ctx *a)
{
    report r = {.json = a->json, .root = json_object()};
    json_object_set_new(r.root, "config", json_string(a->config_path));
    if (!r.json)
        printf("Configuration: %s read\n", a->config_path);
    check_store(&r, a);
    check_ghl(&r, a);
    check_pl(&r, a);
    check_links(&r, a);
    bool ready = r.problems == 0;
    json_object_set_new(r.root, "ready", json_boolean(ready));
    json_object_set_new(r.root, "problems", json_integer(r.problems));
    if (r.json) {
        char *text = json_dumps(r.root, JSON_INDENT(2));
        printf("%s\n", text ? text : "{}");
        free(text);
    } else if (ready) {
        printf("\nready: both services answer and the credentials work\n");
    } else {
        printf("\nnot ready: %d problem%s (FAIL above, each with its fix)\n", r.problems,
               r.problems == 1 ? "" : "s");
    }
    json_decref(r.root);
    return r.runtime ? EXIT_RUNTIME : ready ? EXIT_OK : EXIT_CHECK;
}

int cmd_check(int argc, char **argv)
{
    /* A check should answer soon: fewer and shorter retries than the daemon's. */
    http_client_config hc = {
        .connect_timeout_ms = 5000,
        .timeout_ms = 15000,
        .retry = {.max_attempts = 3, .base_ms = 200, .cap_ms = 2000, .max_elapsed_ms = 15000},
    };
    app_options ao = {.command = "check", .http_config = &hc};
    err e = {0};
    int opt, rc;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        rc = app_option(&ao, opt, optarg, &e);
        if (rc == 1)
            continue;
        if (opt == 'h') {
            fputs(usage_text, stdout);
            return EXIT_OK;
        }
        if (rc == 0)
            err_set(&e, ERR_INVALID, "unknown or incomplete option '%s'", argv[optind - 1]);
        fprintf(stderr, "pheedsync check: %s\n\n%s", e.msg, usage_text);
        return EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "pheedsync check: unexpected argument '%s'\n\n%s", argv[optind],
                usage_text);
        return EXIT_USAGE;
    }
    app_ctx a;
    int code = EXIT_USAGE;
    if (app_open(&a, &ao, &e) != 0)
        app_fail(&a, &e);
    else
        code = run(&a);
    app_close(&a);
    return code;
}
