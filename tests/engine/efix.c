/* efix.c: the sync engine test environment (see efix.h). */
#include "tests/engine/efix.h"
#include "core/normalize.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <sys/wait.h>
#include <unistd.h>

static http_client *make_http(bool no_retries)
{
    http_client_config hc = {
        .connect_timeout_ms = 2000,
        .timeout_ms = 5000,
        .retry = {.max_attempts = no_retries ? 1 : 4,
                  .base_ms = 10,
                  .cap_ms = 100,
                  .max_elapsed_ms = 10000},
        .seed = 7,
    };
    http_client *h = NULL;
    err e = {0};
    assert_int_equal(http_client_new(&h, &hc, &e), 0);
    return h;
}

static void read_info(efix *f)
{
    json_t *all = sbx_sandbox_info(f->sbx);
    json_t *g = json_object_get(all, "highlevel"), *p = json_object_get(all, "pheedloop");
    snprintf(f->admin, sizeof f->admin, "%s", jsonx_str(all, "admin_token"));
    snprintf(f->ghl_base, sizeof f->ghl_base, "%s", jsonx_str(g, "base_url"));
    snprintf(f->location, sizeof f->location, "%s", jsonx_str(g, "location_id"));
    snprintf(f->pit, sizeof f->pit, "%s", jsonx_str(g, "pit"));
    snprintf(f->pl_base, sizeof f->pl_base, "%s", jsonx_str(p, "base_url"));
    snprintf(f->org, sizeof f->org, "%s", jsonx_str(p, "org_code"));
    snprintf(f->api_key, sizeof f->api_key, "%s", jsonx_str(p, "api_key"));
    snprintf(f->api_secret, sizeof f->api_secret, "%s", jsonx_str(p, "api_secret"));
    json_decref(all);
}

char *efix_config_text(efix *f, const char *extra)
{
    buf b;
    buf_init(&b, 1 << 16);
    buf_addf(&b,
             "[store]\nurl = %s\nkey_file = %s/pheedsync.key\n\n[ghl]\nbase_url = %s\nauth = token\ntoken = %s\n"
             "location_id = %s\n\n[pheedloop]\nbase_url = %s\norg_code = %s\napi_key = %s\n"
             "api_secret = %s\nevents = %s, %s\nrate_limit = 0\n\n[log]\nlevel = warn\n\n%s\n",
             f->store_url, f->dir, f->ghl_base, f->pit, f->location, f->pl_base, f->org, f->api_key,
             f->api_secret, EV1, EV2, extra ? extra : "");
    return buf_take(&b);
}

static void make_clients(efix *f, bool no_retries)
{
    err e = {0};
    f->http = make_http(no_retries);
    ghl_tokens_config tc = {.pit = f->pit};
    assert_int_equal(ghl_tokens_new(&f->tokens, &tc, &e), 0);
    ghl_client_config cc = {.base_url = f->ghl_base, .http = f->http, .tokens = f->tokens};
    assert_int_equal(ghl_client_new(&f->ghl, &cc, &e), 0);
    pl_client_config pc = {.base_url = f->pl_base,
                           .org_code = f->org,
                           .api_key = f->api_key,
                           .api_secret = f->api_secret,
                           .http = f->http};
    assert_int_equal(pl_client_new(&f->pl, &pc, &e), 0);
}

efix *efix_start(const efix_opts *o)
{
    efix *f = calloc(1, sizeof *f);
    assert_non_null(f);
    log_setup(getenv("EFIX_DEBUG") ? LOG_DEBUG : LOG_WARN, LOG_TEXT, stderr);
    sbx_options so = {.seed = o->seed ? o->seed : 11,
                      .seed_data = o->seed_data,
                      .people = o->people ? o->people : 60};
    sbx_fault_config_defaults(&so.faults);
    so.ghl.allow_duplicates = o->allow_duplicates;
    so.ghl.rate = (sbx_ghl_ratelimit_options){
        .max_per_interval = 100000, .interval_ms = 10000, .max_daily = 10000000};
    err e = {0};
    if (sbx_sandbox_start(&f->sbx, &so, &e) != 0)
        fail_msg("sandbox: %s", e.msg);
    read_info(f);
    for (int k = 0; !o->seed_data && k < 2; k++) {
        json_t *ev = json_pack("{s:s, s:s}", "code", k ? EV2 : EV1, "timezone",
                               o->timezones[k] ? o->timezones[k] : "UTC");
        char *text = jsonx_dumps(ev);
        json_decref(efix_admin(f, false, "POST", "/_sandbox/events", text));
        free(text);
        json_decref(ev);
    }
    snprintf(f->dir, sizeof f->dir, "/tmp/pheedsync-eng-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    if (o->store_url)
        snprintf(f->store_url, sizeof f->store_url, "%s", o->store_url);
    else
        snprintf(f->store_url, sizeof f->store_url, "sqlite:%s/state.db", f->dir);
    snprintf(f->config_path, sizeof f->config_path, "%s/pheedsync.conf", f->dir);
    char *text = efix_config_text(f, o->extra_config);
    FILE *fp = fopen(f->config_path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    if (config_load_string(&f->cfg, text, strlen(text), "test.conf", NULL, &e) != 0)
        fail_msg("config: %s", e.msg);
    free(text);
    assert_int_equal(store_open(&f->store, f->store_url, NULL, &e), 0);
    make_clients(f, o->no_http_retries);
    f->events[0] = EV1;
    f->events[1] = EV2;
    f->events[2] = NULL;
    f->en = (engine){.cfg = f->cfg,
                     .store = f->store,
                     .ghl = f->ghl,
                     .pl = f->pl,
                     .clock = clock_system(),
                     .owner = "test:1",
                     .link = {f->location, f->org, f->events}};
    return f;
}

void efix_stop(efix *f)
{
    if (!f)
        return;
    store_close(f->store);
    ghl_client_free(f->ghl);
    pl_client_free(f->pl);
    ghl_tokens_free(f->tokens);
    sbx_sandbox_stop(f->sbx);
    http_client_free(f->http);
    sbx_sandbox_free(f->sbx);
    config_free(f->cfg);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f);
}

json_t *efix_admin(efix *f, bool ghl, const char *method, const char *path, const char *body)
{
    char url[512], hdr[200];
    snprintf(url, sizeof url, "%s%s", ghl ? f->ghl_base : f->pl_base, path);
    snprintf(hdr, sizeof hdr, "X-Sandbox-Token: %s", f->admin);
    const char *headers[] = {hdr, "Content-Type: application/json", NULL};
    th_response *r = th_request(method, url, headers, body, 20000);
    if (r->status < 200 || r->status > 299)
        fail_msg("admin %s %s: %ld %s", method, path, r->status, r->body);
    json_t *j = json_incref(r->json);
    th_response_free(r);
    return j;
}

static int64_t counter(efix *f, bool ghl, const char *name)
{
    json_t *c = efix_admin(f, ghl, "GET", "/_sandbox/counters", NULL);
    int64_t n = jsonx_int(c, name, -1);
    json_decref(c);
    return n;
}

int64_t efix_writes(efix *f, bool ghl)
{
    return counter(f, ghl, "writes");
}

int64_t efix_requests(efix *f, bool ghl)
{
    return counter(f, ghl, "total");
}

void efix_reset_counters(efix *f)
{
    json_decref(efix_admin(f, true, "POST", "/_sandbox/counters/reset", "{}"));
    json_decref(efix_admin(f, false, "POST", "/_sandbox/counters/reset", "{}"));
}

void efix_faults(efix *f, const char *json)
{
    json_decref(efix_admin(f, true, "PUT", "/_sandbox/faults", json));
    json_decref(efix_admin(f, false, "PUT", "/_sandbox/faults", json));
}

engine_pass_result efix_pass(efix *f, bool full)
{
    engine_pass_opts o = {.full = full, .deadline_ms = clock_mono_ms(clock_system()) + 120000};
    engine_pass_result r = {0};
    err e = {0};
    if (engine_pass(&r, &f->en, &o, &e) != 0)
        fail_msg("pass: %s", e.msg);
    return r;
}

json_t *efix_contacts(efix *f)
{
    json_t *st = efix_admin(f, true, "GET", "/_sandbox/state", NULL);
    json_t *out = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(st, "contacts"), i, c)
    {
        const char *loc = jsonx_str(c, "locationId");
        if (loc && strcmp(loc, f->location) == 0)
            json_array_append(out, c);
    }
    json_decref(st);
    return out;
}

json_t *efix_attendees(efix *f, const char *event)
{
    json_t *st = efix_admin(f, false, "GET", "/_sandbox/state", NULL);
    json_t *out = NULL;
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(st, "events"), i, ev)
    {
        if (strcmp(jsonx_str(ev, "code"), event) == 0)
            out = json_incref(json_object_get(ev, "attendees"));
    }
    json_decref(st);
    return out ? out : json_array();
}

static void norm_email(char *out, size_t n, const char *raw)
{
    out[0] = '\0';
    buf b;
    buf_init(&b, n - 1);
    char why[CORE_WHY_MAX];
    if (raw && core_norm_email(&b, raw, strlen(raw), why) == 0)
        snprintf(out, n, "%s", buf_cstr(&b));
    buf_free(&b);
}

json_t *efix_find_email(json_t *list, const char *email)
{
    char want[320];
    norm_email(want, sizeof want, email);
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        char have[320];
        norm_email(have, sizeof have, jsonx_str(c, "email"));
        if (*have && strcmp(have, want) == 0)
            return c;
    }
    return NULL;
}

void efix_assert_no_duplicates(efix *f)
{
    json_t *list = efix_contacts(f);
    json_t *seen = json_object();
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        char email[320];
        norm_email(email, sizeof email, jsonx_str(c, "email"));
        if (!*email)
            continue;
        if (json_object_get(seen, email))
            fail_msg("two contacts have the email %s", email);
        json_object_set_new(seen, email, json_true());
    }
    json_decref(seen);
    json_decref(list);
}

char *efix_register(efix *f, const char *event, const char *first, const char *last,
                    const char *email)
{
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/register", event);
    json_t *body =
        json_pack("{s:s, s:s, s:s}", "first_name", first, "last_name", last, "email", email);
    char *text = jsonx_dumps(body);
    json_t *a = efix_admin(f, false, "POST", path, text);
    char *code = strdup(jsonx_str(a, "code"));
    json_decref(a);
    json_decref(body);
    free(text);
    return code;
}

char *efix_ui_contact(efix *f, const char *body)
{
    json_t *j = json_loads(body, 0, NULL);
    json_object_set_new(j, "locationId", json_string(f->location));
    char *text = jsonx_dumps(j);
    json_t *a = efix_admin(f, true, "POST", "/_sandbox/ui/contacts", text);
    json_t *c = json_object_get(a, "contact");
    char *id = strdup(jsonx_str(c ? c : a, "id"));
    json_decref(a);
    json_decref(j);
    free(text);
    return id;
}

void efix_ui_edit_contact(efix *f, const char *id, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s", id);
    json_decref(efix_admin(f, true, "PATCH", path, body));
}

void efix_ui_edit_attendee(efix *f, const char *event, const char *code, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/attendees/%s", event, code);
    json_decref(efix_admin(f, false, "PATCH", path, body));
}

char *efix_ui_contact_in(efix *f, const char *location, const char *first, const char *email)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"locationId\": \"%s\", \"firstName\": \"%s\", \"email\": \"%s\"}", location, first,
             email);
    json_t *a = efix_admin(f, true, "POST", "/_sandbox/ui/contacts", body);
    json_t *c = json_object_get(a, "contact");
    char *id = strdup(jsonx_str(c ? c : a, "id"));
    json_decref(a);
    return id;
}

json_t *efix_emails_in(efix *f, const char *location)
{
    json_t *st = efix_admin(f, true, "GET", "/_sandbox/state", NULL);
    json_t *out = json_object();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(st, "contacts"), i, c)
    {
        const char *email = jsonx_str(c, "email");
        if (email && strcmp(jsonx_str(c, "locationId"), location) == 0)
            json_object_set_new(out, email, json_integer(jsonx_int(out, email, 0) + 1));
    }
    json_decref(st);
    return out;
}

void efix_pass_engine(engine *en)
{
    engine_pass_opts o = {.full = true, .deadline_ms = clock_mono_ms(clock_system()) + 120000};
    engine_pass_result r = {0};
    err e = {0};
    if (engine_pass(&r, en, &o, &e) != 0)
        fail_msg("pass of link '%s': %s", en->link.name, e.msg);
    assert_true(r.drained);
    assert_int_equal(r.ops_dead, 0);
}

void efix_links_start(efix_links *out, efix *f, const char *event1, const char *location2,
                      const char *org2, const char *event2, pl_client *pl2)
{
    memset(out, 0, sizeof *out);
    err e = {0};
    char body[160];
    snprintf(body, sizeof body, "{\"id\": \"%s\", \"name\": \"Second\"}", location2);
    json_t *loc = efix_admin(f, true, "POST", "/_sandbox/locations", body);
    ghl_tokens_config tc = {.pit = jsonx_str(loc, "pit")};
    assert_int_equal(ghl_tokens_new(&out->tokens2, &tc, &e), 0);
    json_decref(loc);
    ghl_client_config cc = {.base_url = f->ghl_base, .http = f->http, .tokens = out->tokens2};
    assert_int_equal(ghl_client_new(&out->ghl2, &cc, &e), 0);
    out->events1[0] = event1;
    out->events2[0] = event2;
    out->one = f->en;
    out->one.link = (engine_link_cfg){f->location, f->org, out->events1, ENGINE_DEFAULT_LINK};
    assert_int_equal(store_bind_link(f->store, "", &e), 0);
    assert_int_equal(store_open(&out->store2, f->store_url, NULL, &e), 0);
    assert_int_equal(store_bind_link(out->store2, "two", &e), 0);
    out->two = f->en;
    out->two.store = out->store2;
    out->two.ghl = out->ghl2;
    if (pl2)
        out->two.pl = pl2;
    out->two.link = (engine_link_cfg){location2, org2 ? org2 : f->org, out->events2, "two"};
}

void efix_links_stop(efix_links *l)
{
    store_close(l->store2);
    ghl_client_free(l->ghl2);
    ghl_tokens_free(l->tokens2);
}

store_link *efix_link_of_contact(efix *f, const char *contact_id)
{
    store_link *l = NULL;
    err e = {0};
    if (store_link_by_contact(&l, f->store, f->location, contact_id, &e) != 0)
        return NULL;
    return l;
}

void efix_audit_of_contact(store_audit_entries *out, efix *f, const char *contact_id)
{
    store_link *l = efix_link_of_contact(f, contact_id);
    assert_non_null(l);
    char person[32];
    snprintf(person, sizeof person, "%lld", (long long)l->id);
    store_link_free(l);
    err e = {0};
    assert_int_equal(store_audit_by_person(out, f->store, person, 0, 10000, &e), 0);
}

int efix_sync_cli(efix *f, const char *arg, char *out, size_t n)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    char path[300];
    snprintf(path, sizeof path, "%s/sync.out", f->dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(out ? path : "/dev/null", "w", stdout))
            _exit(126);
        execl(bin, bin, "sync", "--config", f->config_path, "--log-level", "error", arg,
              (char *)NULL);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (out) {
        FILE *in = fopen(path, "r");
        assert_non_null(in);
        size_t len = fread(out, 1, n - 1, in);
        out[len] = '\0';
        fclose(in);
    }
    return WEXITSTATUS(status);
}

void efix_hint(efix *f, const char *source, const char *kind, const char *key, const char *payload)
{
    store_hint_new h = {
        .source = source, .kind = kind, .record_key = key, .payload = payload ? payload : "{}"};
    err e = {0};
    if (store_inbox_append(NULL, f->store, &h, &e) != 0)
        fail_msg("hint: %s", e.msg);
}

static int no_capture(void *ctx, engine *en, err *e)
{
    (void)ctx, (void)en, (void)e;
    return 0;
}

engine_pass_result efix_pass_live(efix *f)
{
    engine_pass_opts o = {.capture = no_capture,
                          .deadline_ms = clock_mono_ms(clock_system()) + 120000};
    engine_pass_result r = {0};
    err e = {0};
    if (engine_pass(&r, &f->en, &o, &e) != 0)
        fail_msg("pass: %s", e.msg);
    return r;
}

json_t *efix_contact(efix *f, const char *id)
{
    json_t *list = efix_contacts(f);
    json_t *out = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        if (!out && strcmp(jsonx_str(c, "id"), id) == 0)
            out = json_incref(c);
    }
    json_decref(list);
    return out;
}

json_t *efix_attendee(efix *f, const char *event, const char *code)
{
    json_t *list = efix_attendees(f, event);
    json_t *out = NULL;
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        if (!out && strcmp(jsonx_str(a, "code"), code) == 0)
            out = json_incref(a);
    }
    json_decref(list);
    return out;
}

char *efix_linked_pair(efix *f, const char *event, char **out_code)
{
    json_t *list = efix_attendees(f, event);
    char *id = NULL;
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        store_link *l = NULL;
        err e = {0};
        if (id ||
            store_link_by_attendee(&l, f->store, f->org, event, jsonx_str(a, "code"), &e) != 0)
            continue;
        if (l->n_attendees == 1) {
            id = strdup(l->contact_id);
            *out_code = strdup(jsonx_str(a, "code"));
        }
        store_link_free(l);
    }
    json_decref(list);
    assert_non_null(id);
    return id;
}

void efix_key_ghl(efix *f, char *out, const char *id)
{
    snprintf(out, ENGINE_KEY_MAX, "ghl:%s:%s", f->location, id);
}

void efix_key_pl(efix *f, char *out, const char *event, const char *code)
{
    snprintf(out, ENGINE_KEY_MAX, "pl:%s:%s:%s", f->org, event, code);
}

size_t efix_attendee_count(efix *f)
{
    size_t n = 0;
    for (int k = 0; k < 2; k++) {
        json_t *a = efix_attendees(f, f->events[k]);
        n += json_array_size(a);
        json_decref(a);
    }
    return n;
}

void efix_assert_all_linked(efix *f)
{
    for (int k = 0; k < 2; k++) {
        json_t *atts = efix_attendees(f, f->events[k]);
        size_t i;
        json_t *a;
        json_array_foreach(atts, i, a)
        {
            store_link *l = NULL;
            err e = {0};
            if (store_link_by_attendee(&l, f->store, f->org, f->events[k], jsonx_str(a, "code"),
                                       &e) != 0)
                fail_msg("attendee %s of %s is not linked", jsonx_str(a, "email"), f->events[k]);
            json_t *c = efix_contact(f, l->contact_id);
            if (!c)
                fail_msg("the contact of %s does not exist", jsonx_str(a, "email"));
            json_decref(c);
            store_link_free(l);
        }
        json_decref(atts);
    }
}

void efix_hint_attendee(efix *f, const char *kind, const char *event, const char *code)
{
    json_t *a = efix_attendee(f, event, code);
    assert_non_null(a);
    json_t *p = json_pack("{s:s, s:s, s:O}", "action", kind, "event_code", event, "data", a);
    char *text = jsonx_dumps(p);
    char key[ENGINE_KEY_MAX];
    efix_key_pl(f, key, event, code);
    efix_hint(f, "pheedloop", kind, key, text);
    free(text);
    json_decref(p);
    json_decref(a);
}

void efix_hint_contact(efix *f, const char *kind, const char *id)
{
    json_t *c = efix_contact(f, id);
    assert_non_null(c);
    json_object_set_new(c, "type", json_string(kind));
    char *text = jsonx_dumps(c);
    char key[ENGINE_KEY_MAX];
    efix_key_ghl(f, key, id);
    efix_hint(f, "ghl", kind, key, text);
    free(text);
    json_decref(c);
}
