/* test_config.c: the configuration loader: syntax, types, defaults, named sections, environment
 * overrides, secrets, and the exact wording of every error. */
#include "util/config.h"
#include "util/log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <unistd.h>
#include <cmocka.h>

static config *load_env(const char *text, char *const *envp)
{
    config *cfg = NULL;
    err e;
    err_clear(&e);
    if (config_load_string(&cfg, text, strlen(text), "pheedsync.conf", envp, &e) != 0)
        fail_msg("load failed: %s", e.msg);
    assert_non_null(cfg);
    return cfg;
}

static config *load(const char *text)
{
    return load_env(text, NULL);
}

static void expect_error_env(const char *text, char *const *envp, const char *want)
{
    config *cfg = (config *)1;
    err e;
    err_clear(&e);
    int rc = config_load_string(&cfg, text, strlen(text), "pheedsync.conf", envp, &e);
    if (rc != ERR_CONFIG)
        fail_msg("expected ERR_CONFIG, got %d (%s) for:\n%s", rc, e.msg, text);
    assert_ptr_equal(cfg, (config *)1);
    assert_string_equal(e.msg, want);
}

static void expect_error(const char *text, const char *want)
{
    expect_error_env(text, NULL, want);
}

static void defaults_apply_to_an_empty_file(void **state)
{
    (void)state;
    config *cfg = load("");
    assert_string_equal(config_str(cfg, "ghl", "base_url"), "https://services.leadconnectorhq.com");
    assert_string_equal(config_str(cfg, "ghl", "authorize_url"),
                        "https://marketplace.gohighlevel.com");
    assert_string_equal(config_str(cfg, "ghl", "auth"), "oauth");
    assert_int_equal(config_int(cfg, "ghl", "auth"), 0);
    assert_null(config_str(cfg, "ghl", "client_id"));
    assert_string_equal(config_str(cfg, "pheedloop", "base_url"), "https://api.pheedloop.com");
    assert_string_equal(config_str(cfg, "pheedloop", "webhook_header"), "X-PheedLoop-Signature");
    assert_string_equal(config_str(cfg, "pheedloop", "webhook_encoding"), "hex");
    assert_false(config_bool(cfg, "pheedloop", "webhook_capture"));
    assert_int_equal(config_list(cfg, "pheedloop", "events", NULL), 0);
    assert_string_equal(config_str(cfg, "server", "listen"), "127.0.0.1:8470");
    assert_int_equal(config_int(cfg, "sync", "poll_interval"), 300);
    assert_int_equal(config_int(cfg, "sync", "reconcile_interval"), 86400);
    assert_int_equal(config_int(cfg, "sync", "coalesce_ms"), 2000);
    assert_string_equal(config_str(cfg, "sync", "delete_policy"), "unlink_tag");
    assert_int_equal(config_int(cfg, "sync", "budget_reserve"), 20);
    assert_string_equal(config_str(cfg, "log", "level"), "info");
    const char *const *scopes;
    assert_int_equal(config_list(cfg, "ghl", "scopes", &scopes), 10);
    assert_string_equal(scopes[0], "contacts.readonly");
    assert_string_equal(scopes[9], "businesses.write");
    assert_false(config_sec_is_set(config_section_get(cfg, "ghl"), "base_url"));
    char where[128];
    config_sec_origin(config_section_get(cfg, "ghl"), "base_url", where, sizeof where);
    assert_string_equal(where, "default");
    assert_int_equal(config_named_count(cfg, "field"), 0);
    assert_null(config_named(cfg, "field", 0, NULL));
    config_free(cfg);
    config_free(NULL);
}

static void values_of_every_type(void **state)
{
    (void)state;
    config *cfg = load("[ghl]\n"
                       "auth = TOKEN\n"
                       "location_id = loc-1\n"
                       "scopes = contacts.readonly ,, contacts.write ,\n"
                       "[pheedloop]\n"
                       "events = EVE1, EVE2\n"
                       "webhook_capture = yes\n"
                       "rate_limit = +60\n"
                       "[sync]\n"
                       "poll_interval = 90\n"
                       "reconcile_interval = 1h30m\n"
                       "budget_reserve = 15%\n"
                       "delete_hold_share = 0\n"
                       "[alert]\n"
                       "lag = 2d\n");
    assert_string_equal(config_str(cfg, "ghl", "auth"), "token"); /* canonical spelling */
    assert_int_equal(config_int(cfg, "ghl", "auth"), 1);
    assert_string_equal(config_str(cfg, "ghl", "location_id"), "loc-1");
    const char *const *items;
    assert_int_equal(config_list(cfg, "ghl", "scopes", &items), 2);
    assert_string_equal(items[0], "contacts.readonly");
    assert_string_equal(items[1], "contacts.write");
    assert_int_equal(config_list(cfg, "pheedloop", "events", &items), 2);
    assert_string_equal(items[1], "EVE2");
    assert_true(config_bool(cfg, "pheedloop", "webhook_capture"));
    assert_int_equal(config_int(cfg, "pheedloop", "rate_limit"), 60);
    assert_int_equal(config_int(cfg, "sync", "poll_interval"), 90);
    assert_int_equal(config_int(cfg, "sync", "reconcile_interval"), 5400);
    assert_int_equal(config_int(cfg, "sync", "budget_reserve"), 15);
    assert_int_equal(config_int(cfg, "sync", "delete_hold_share"), 0);
    assert_int_equal(config_int(cfg, "alert", "lag"), 2 * 86400);
    const config_section *sync = config_section_get(cfg, "sync");
    assert_true(config_sec_is_set(sync, "poll_interval"));
    assert_false(config_sec_is_set(sync, "coalesce_ms"));
    assert_string_equal(config_sec_label(sync), "[sync]");
    char where[128];
    config_sec_origin(sync, "reconcile_interval", where, sizeof where);
    assert_string_equal(where, "pheedsync.conf:11");
    config_free(cfg);
}

static void booleans_and_durations_in_all_spellings(void **state)
{
    (void)state;
    const char *yes[] = {"true", "TRUE", "yes", "on", "1"};
    const char *no[] = {"false", "No", "off", "0"};
    char text[128];
    for (size_t i = 0; i < PS_ARRAY_LEN(yes); i++) {
        snprintf(text, sizeof text, "[pheedloop]\nwebhook_capture = %s\n", yes[i]);
        config *cfg = load(text);
        assert_true(config_bool(cfg, "pheedloop", "webhook_capture"));
        config_free(cfg);
    }
    for (size_t i = 0; i < PS_ARRAY_LEN(no); i++) {
        snprintf(text, sizeof text, "[pheedloop]\nwebhook_capture = %s\n", no[i]);
        config *cfg = load(text);
        assert_false(config_bool(cfg, "pheedloop", "webhook_capture"));
        config_free(cfg);
    }
    const struct {
        const char *text;
        int64_t secs;
    } durations[] = {{"10", 10},    {"30s", 30},      {"5m", 300},  {"1h", 3600},
                     {"1d", 86400}, {"1h1m1s", 3661}, {"2H", 7200}, {"1w", 604800}};
    for (size_t i = 0; i < PS_ARRAY_LEN(durations); i++) {
        snprintf(text, sizeof text, "[alert]\nlag = %s\n", durations[i].text);
        config *cfg = load(text);
        assert_int_equal(config_int(cfg, "alert", "lag"), durations[i].secs);
        config_free(cfg);
    }
}

static void syntax_forms(void **state)
{
    (void)state;
    config *cfg = load("\xEF\xBB\xBF# a comment\r\n"
                       "; another\r\n"
                       "[GHL]   # section comment\r\n"
                       "\tBase_URL = http://127.0.0.1:9001   # the sandbox\r\n"
                       "    location_id: loc-2 ; inline\r\n"
                       "  client_id = \"  spaced id  \"\r\n"
                       "\r\n"
                       "[alert]\n"
                       "command = notify#ops;now \"x\"\n"
                       "url = \"a\"b\"\n");
    assert_string_equal(config_str(cfg, "ghl", "base_url"), "http://127.0.0.1:9001");
    assert_string_equal(config_str(cfg, "ghl", "location_id"), "loc-2");
    assert_string_equal(config_str(cfg, "ghl", "client_id"), "  spaced id  ");
    assert_string_equal(config_str(cfg, "alert", "command"), "notify#ops;now \"x\"");
    assert_string_equal(config_str(cfg, "alert", "url"), "\"a\"b\"");
    config_free(cfg);
}

static void empty_value_means_default(void **state)
{
    (void)state;
    config *cfg = load("[sync]\npoll_interval =\n[ghl]\nclient_id =\nbase_url = \"\"\n");
    assert_int_equal(config_int(cfg, "sync", "poll_interval"), 300);
    assert_false(config_sec_is_set(config_section_get(cfg, "sync"), "poll_interval"));
    assert_null(config_str(cfg, "ghl", "client_id"));
    assert_string_equal(config_str(cfg, "ghl", "base_url"), "https://services.leadconnectorhq.com");
    config_free(cfg);
    /* ...but it still counts as the key's one line. */
    expect_error("[sync]\npoll_interval =\npoll_interval = 5m\n",
                 "pheedsync.conf:3: [sync] poll_interval is set twice (first on line 2): keep one");
}

static void long_lines_are_read_whole(void **state)
{
    (void)state;
    char value[1200];
    for (size_t i = 0; i < sizeof value - 1; i++)
        value[i] = (char)('A' + i % 26);
    value[sizeof value - 1] = '\0';
    size_t n = strlen(value) + 200;
    char *text = malloc(n);
    snprintf(text, n,
             "[ghl]\nwebhook_rsa_public_key = %s   # long\n[rule \"r\"]\nwhen = x\n"
             "then = y\n",
             value);
    config *cfg = load(text);
    assert_string_equal(config_str(cfg, "ghl", "webhook_rsa_public_key"), value);
    config_free(cfg);
    snprintf(text, n, "[ghl]\nwebhook_rsa_public_kee = %s\n", value);
    expect_error(text, "pheedsync.conf:2: [ghl] unknown key 'webhook_rsa_public_kee' (did you "
                       "mean 'webhook_rsa_public_key'?)");
    snprintf(text, n, "[ghl]\n%s\n", value);
    config *bad = (config *)1;
    err e;
    assert_int_equal(config_load_string(&bad, text, strlen(text), "pheedsync.conf", NULL, &e),
                     ERR_CONFIG);
    assert_non_null(strstr(e.msg, "pheedsync.conf:2: cannot read 'ABCDEF"));
    free(text);
}

static void named_sections(void **state)
{
    (void)state;
    config *cfg = load("[field \"email\"]\n"
                       "ghl = email\n"
                       "pheedloop = email\n"
                       "[field \"company \\\"name\\\"\"]\n"
                       "ghl = companyName\n"
                       "pheedloop = organization\n"
                       "owner = HighLevel\n"
                       "transform = trim, lower\n"
                       "[rule \"welcome\"]\n"
                       "when = pheedloop.attendee.created\n"
                       "then = ghl.add_tag(\"registered\")\n"
                       "[field \"email\"]\n"
                       "direction = ghl_to_pheedloop\n");
    assert_int_equal(config_named_count(cfg, "field"), 2);
    assert_int_equal(config_named_count(cfg, "rule"), 1);
    const char *name = NULL;
    const config_section *f0 = config_named(cfg, "field", 0, &name);
    assert_string_equal(name, "email");
    assert_string_equal(config_sec_str(f0, "ghl"), "email");
    assert_string_equal(config_sec_str(f0, "direction"), "ghl_to_pheedloop");
    assert_string_equal(config_sec_str(f0, "owner"), "newest");
    assert_int_equal(config_sec_list(f0, "transform", NULL), 0);
    const config_section *f1 = config_named(cfg, "field", 1, &name);
    assert_string_equal(name, "company \"name\"");
    assert_string_equal(config_sec_label(f1), "[field \"company \\\"name\\\"\"]");
    assert_string_equal(config_sec_str(f1, "owner"), "highlevel");
    const char *const *items;
    assert_int_equal(config_sec_list(f1, "transform", &items), 2);
    assert_string_equal(items[1], "lower");
    assert_null(config_named(cfg, "field", 2, &name));
    assert_ptr_equal(config_named_find(cfg, "field", "email"), f0);
    assert_null(config_named_find(cfg, "field", "Email"));
    const config_section *r = config_named_find(cfg, "rule", "welcome");
    assert_non_null(r);
    assert_string_equal(config_sec_str(r, "then"), "ghl.add_tag(\"registered\")");
    assert_null(config_sec_str(r, "if"));
    config_free(cfg);
}

static void unknown_names_suggest_the_nearest(void **state)
{
    (void)state;
    expect_error("[ghl]\nbase_url = x\nlocaton_id = abc\n",
                 "pheedsync.conf:3: [ghl] unknown key 'locaton_id' (did you mean 'location_id'?)");
    expect_error("[gh]\n", "pheedsync.conf:1: unknown section [gh] (did you mean [ghl]?)");
    expect_error("\n\n[snyc]\n", "pheedsync.conf:3: unknown section [snyc] (did you mean [sync]?)");
    expect_error("[database]\n",
                 "pheedsync.conf:1: unknown section [database] (known sections: store, ghl, "
                 "pheedloop, server, sync, log, alert, field, rule, link)");
    expect_error("[log]\nverbosity = 3\n",
                 "pheedsync.conf:2: [log] unknown key 'verbosity' (remove it; known keys: level, "
                 "format)");
    expect_error("[field \"x\"]\nghl = a\npheedlop = b\n",
                 "pheedsync.conf:3: [field \"x\"] unknown key 'pheedlop' (did you mean "
                 "'pheedloop'?)");
}

static void bad_values_say_what_to_write(void **state)
{
    (void)state;
    expect_error("[sync]\n\n\n\n\n\npoll_interval = ten\n",
                 "pheedsync.conf:7: [sync] poll_interval: 'ten' is not a duration (use e.g. 30s, "
                 "5m, 1h)");
    expect_error("[sync]\npoll_interval = 5\n",
                 "pheedsync.conf:2: [sync] poll_interval: '5' is out of range: use 10s to 86400s");
    expect_error("[sync]\npoll_interval = -5m\n",
                 "pheedsync.conf:2: [sync] poll_interval: '-5m' is not a duration (use e.g. 30s, "
                 "5m, 1h)");
    expect_error("[sync]\npoll_interval = 5 m\n",
                 "pheedsync.conf:2: [sync] poll_interval: '5 m' is not a duration (use e.g. 30s, "
                 "5m, 1h)");
    expect_error("[sync]\ncoalesce_ms = 2k\n",
                 "pheedsync.conf:2: [sync] coalesce_ms: '2k' is not a whole number");
    expect_error("[sync]\ncoalesce_ms = 99999999999999999999\n",
                 "pheedsync.conf:2: [sync] coalesce_ms: '99999999999999999999' is not a whole "
                 "number");
    expect_error("[sync]\ncoalesce_ms = 600001\n",
                 "pheedsync.conf:2: [sync] coalesce_ms: '600001' is out of range: use 0 to 600000");
    expect_error("[sync]\nbudget_reserve = 120%\n",
                 "pheedsync.conf:2: [sync] budget_reserve: '120%' is not a percentage (use 0 to "
                 "100, e.g. 20%)");
    expect_error("[pheedloop]\nwebhook_capture = maybe\n",
                 "pheedsync.conf:2: [pheedloop] webhook_capture: 'maybe' is not a boolean (use "
                 "true or false)");
    expect_error("[ghl]\nauth = tokn\n",
                 "pheedsync.conf:2: [ghl] auth: 'tokn' is not one of oauth/token (did you mean "
                 "'token'?)");
    expect_error("[sync]\ndelete_policy = purge\n",
                 "pheedsync.conf:2: [sync] delete_policy: 'purge' is not one of "
                 "unlink_tag/propagate");
    expect_error("[field \"e\"]\nghl = email\npheedloop = email\nowner = me\n",
                 "pheedsync.conf:4: [field \"e\"] owner: 'me' is not one of "
                 "highlevel/pheedloop/newest");
}

static void structure_errors(void **state)
{
    (void)state;
    expect_error("url = sqlite:x\n", "pheedsync.conf:1: key 'url' is outside any section (put it "
                                     "under its [section] header)");
    expect_error("[ghl]\ntoken = a\n\ntoken = b\n",
                 "pheedsync.conf:4: [ghl] token is set twice (first on line 2): keep one");
    expect_error("[ghl]\ntoken = a\n[store]\n[ghl]\nTOKEN = b\n",
                 "pheedsync.conf:5: [ghl] token is set twice (first on line 2): keep one");
    expect_error("[field]\n",
                 "pheedsync.conf:1: section [field] needs a name, like [field \"email\"]");
    expect_error("[rule \"\"]\n", "pheedsync.conf:1: section [rule] needs a name, like [rule "
                                  "\"NAME\"]");
    expect_error("[ghl \"main\"]\n", "pheedsync.conf:1: section [ghl] takes no name: write [ghl]");
    expect_error("[ghl\nx = 1\n", "pheedsync.conf:1: cannot read the section header '[ghl' "
                                  "(write [section] or [section \"name\"])");
    expect_error("[field \"open]\n", "pheedsync.conf:1: cannot read the section header '[field "
                                     "\"open]' (write [section] or [section \"name\"])");
    expect_error("[ghl] x\n", "pheedsync.conf:1: unexpected text after ']': 'x' (put comments on "
                              "their own line or after ' #')");
    expect_error("[ghl]\nlocation_id\n", "pheedsync.conf:2: cannot read 'location_id' (expected "
                                         "'key = value', '[section]' or a comment)");
    expect_error("[ghl]\n= value\n",
                 "pheedsync.conf:2: [ghl] a line starts with '=' (write key = value)");
}

static void nul_bytes_are_refused(void **state)
{
    (void)state;
    const char text[] = "[ghl]\nclient_id = a\0b\n";
    config *cfg = (config *)1;
    err e;
    assert_int_equal(config_load_string(&cfg, text, sizeof text - 1, "x.conf", NULL, &e),
                     ERR_CONFIG);
    assert_string_equal(e.msg, "x.conf:2: contains a NUL byte: is this a text file?");
}

static void required_keys_of_named_sections(void **state)
{
    (void)state;
    expect_error("[ghl]\n\n[field \"email\"]\nghl = email\n[sync]\n",
                 "pheedsync.conf:3: [field \"email\"] needs a 'pheedloop = ...' line: PheedLoop "
                 "attendee field (email, first_name, organization, ...), metadata.NAME, "
                 "registration.NAME, answers.NAME (a registration answer), event.NAME, tags, or - "
                 "for none.");
    expect_error("[rule \"r\"]\nwhen = x\nthen =\n",
                 "pheedsync.conf:1: [rule \"r\"] needs a 'then = ...' line: Actions separated "
                 "by ';' (no space before it: ' ;' starts a comment), with {field} templates, "
                 "e.g. ghl.add_tag vip; ghl.create_task \"Call {first_name}\" due=+3d "
                 "(`pheedsync catalog` lists them).");
}

static void environment_overrides_the_file(void **state)
{
    (void)state;
    char *env[] = {"HOME=/root",
                   "PHEEDSYNC_BIN=/usr/bin/pheedsync", /* not a section: someone else's */
                   "PHEEDSYNC_CONFIG=/etc/x.conf",
                   "PHEEDSYNC_GHL_LOCATION_ID=from-env",
                   "PHEEDSYNC_SYNC_POLL_INTERVAL=1m",
                   "PHEEDSYNC_GHL_CLIENT_ID=",      /* empty: unset */
                   "pheedsync_ghl_token=lowercase", /* the prefix is case-sensitive */
                   NULL};
    config *cfg = load_env("[ghl]\nlocation_id = from-file\nclient_id = cid\n", env);
    assert_string_equal(config_str(cfg, "ghl", "location_id"), "from-env");
    assert_string_equal(config_str(cfg, "ghl", "client_id"), "cid");
    assert_null(config_str(cfg, "ghl", "token"));
    assert_int_equal(config_int(cfg, "sync", "poll_interval"), 60);
    char where[128];
    config_sec_origin(config_section_get(cfg, "ghl"), "location_id", where, sizeof where);
    assert_string_equal(where, "environment variable PHEEDSYNC_GHL_LOCATION_ID");
    config_sec_origin(config_section_get(cfg, "ghl"), "client_id", where, sizeof where);
    assert_string_equal(where, "pheedsync.conf:3");
    config_free(cfg);
}

static void environment_errors_name_the_variable(void **state)
{
    (void)state;
    char *bad_value[] = {"PHEEDSYNC_SYNC_POLL_INTERVAL=ten", NULL};
    expect_error_env("", bad_value,
                     "environment variable PHEEDSYNC_SYNC_POLL_INTERVAL: [sync] poll_interval: "
                     "'ten' is not a duration (use e.g. 30s, 5m, 1h)");
    char *typo[] = {"PHEEDSYNC_GHL_LOCATON_ID=x", NULL};
    expect_error_env("", typo,
                     "environment variable PHEEDSYNC_GHL_LOCATON_ID: [ghl] has no key "
                     "'locaton_id' (did you mean PHEEDSYNC_GHL_LOCATION_ID?)");
    char *unknown[] = {"PHEEDSYNC_LOG_COLOR=x", NULL};
    expect_error_env("", unknown,
                     "environment variable PHEEDSYNC_LOG_COLOR: [log] has no key 'color' (unset "
                     "it)");
    char *named[] = {"PHEEDSYNC_FIELD_EMAIL_GHL=x", NULL};
    expect_error_env("", named,
                     "environment variable PHEEDSYNC_FIELD_EMAIL_GHL: [field] sections can only "
                     "be set in the file");
    char *bare[] = {"PHEEDSYNC_GHL=x", NULL};
    expect_error_env("", bare,
                     "environment variable PHEEDSYNC_GHL: [ghl] has no key '' (unset it)");
}

static void secrets_are_registered_for_redaction(void **state)
{
    (void)state;
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    log_clear_secrets();
    log_setup(LOG_INFO, LOG_JSON, f);
    char *env[] = {"PHEEDSYNC_PHEEDLOOP_API_SECRET=env-secret-42", NULL};
    config *cfg = load_env("[ghl]\nclient_secret = file-secret-1\nclient_id = public-id\n", env);
    log_infof("%s %s %s", config_str(cfg, "ghl", "client_secret"),
              config_str(cfg, "pheedloop", "api_secret"), config_str(cfg, "ghl", "client_id"));
    fflush(f);
    assert_non_null(strstr(out, "\"msg\":\"[redacted] [redacted] public-id\""));
    config_free(cfg);
    log_setup(LOG_INFO, LOG_JSON, NULL);
    log_clear_secrets();
    fclose(f);
    free(out);
}

static void load_from_a_file(void **state)
{
    (void)state;
    char path[] = "/tmp/pheedsync-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "[store]\nurl = sqlite:/tmp/x.db\n[sync]\nlag = 1\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    config *cfg = NULL;
    err e;
    assert_int_equal(config_load_file(&cfg, path, NULL, &e), ERR_CONFIG);
    char want[512];
    snprintf(want, sizeof want,
             "%s:4: [sync] unknown key 'lag' (remove it; known keys: "
             "poll_interval, reconcile_interval, coalesce_ms, delete_policy, "
             "delete_hold_count, delete_hold_share, budget_reserve, direction, "
             "default_country_code, signup_tags, checkin_tag, reminders, reminder_title, "
             "reminder_description, pull_activity)",
             path);
    assert_string_equal(e.msg, want);
    FILE *f = fopen(path, "w");
    fputs("[store]\nurl = sqlite:/tmp/x.db\n", f);
    fclose(f);
    assert_int_equal(config_load_file(&cfg, path, NULL, &e), 0);
    assert_string_equal(config_str(cfg, "store", "url"), "sqlite:/tmp/x.db");
    char where[300];
    config_sec_origin(config_section_get(cfg, "store"), "url", where, sizeof where);
    snprintf(want, sizeof want, "%s:2", path);
    assert_string_equal(where, want);
    config_free(cfg);
    unlink(path);
    cfg = (config *)1;
    assert_int_equal(config_load_file(&cfg, path, NULL, &e), ERR_IO);
    assert_ptr_equal(cfg, (config *)1);
    snprintf(want, sizeof want,
             "%s: cannot open: No such file or directory (create one with "
             "`pheedsync init`, or name another with --config FILE)",
             path);
    assert_string_equal(e.msg, want);
}

static void schema_is_complete_and_documented(void **state)
{
    (void)state;
    size_t sections = 0, keys = 0;
    for (const config_section_spec *s = config_schema(); s->name; s++, sections++) {
        assert_non_null(s->doc);
        assert_ptr_equal(config_schema_section(s->name), s);
        for (const config_key_spec *k = s->keys; k->name; k++, keys++) {
            if (!k->doc || strlen(k->doc) < 10)
                fail_msg("[%s] %s has no doc", s->name, k->name);
            assert_ptr_equal(config_schema_key(s->name, k->name), k);
            assert_true(k->type != CONFIG_ENUM || k->choices);
            assert_true(!k->required || s->named);
            assert_true(!k->secret || !k->def);
        }
    }
    assert_int_equal(sections, 10);
    assert_true(keys > 40);
    assert_true(config_schema_key("ghl", "client_secret")->secret);
    assert_true(config_schema_key("pheedloop", "api_key")->secret);
    assert_true(config_schema_key("server", "admin_token")->secret);
    assert_false(config_schema_key("ghl", "client_id")->secret);
    assert_true(config_schema_section("field")->named);
    assert_null(config_schema_section("nope"));
    assert_null(config_schema_key("ghl", "nope"));
    assert_null(config_schema_key(NULL, "x"));
}

static void template_loads_and_documents_everything(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(config_template(&b), 0);
    const char *t = buf_cstr(&b);
    for (const config_section_spec *s = config_schema(); s->name; s++) {
        for (const config_key_spec *k = s->keys; k->name; k++) {
            char line[128];
            if (k->def)
                snprintf(line, sizeof line, "\n#%s = %s\n", k->name, k->def);
            else
                snprintf(line, sizeof line, "\n#%s =\n", k->name);
            if (!strstr(t, line))
                fail_msg("template lacks '%s'", line + 1);
        }
    }
    assert_non_null(strstr(t, "\n[ghl]\n"));
    assert_non_null(strstr(t, "\n#[field \"email\"]\n"));
    assert_non_null(
        strstr(t, "# Secret: prefer the environment variable PHEEDSYNC_GHL_CLIENT_SECRET.\n"));
    assert_non_null(strstr(t, "# One of: oauth, token.\n"));
    for (const char *p = t; *p;) {
        const char *nl = strchr(p, '\n');
        if (strncmp(p, "# ", 2) == 0 && nl - p > 100) /* docs wrap; a default may not */
            fail_msg("comment line too wide: %.*s", (int)(nl - p), p);
        p = nl + 1;
    }
    config *cfg = load(t);
    config_free(cfg);
    buf_free(&b);
    /* Too small a buffer gets nothing. */
    buf_init(&b, 100);
    buf_addstr(&b, "keep");
    assert_int_equal(config_template(&b), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "keep");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_apply_to_an_empty_file),
        cmocka_unit_test(values_of_every_type),
        cmocka_unit_test(booleans_and_durations_in_all_spellings),
        cmocka_unit_test(syntax_forms),
        cmocka_unit_test(empty_value_means_default),
        cmocka_unit_test(long_lines_are_read_whole),
        cmocka_unit_test(named_sections),
        cmocka_unit_test(unknown_names_suggest_the_nearest),
        cmocka_unit_test(bad_values_say_what_to_write),
        cmocka_unit_test(structure_errors),
        cmocka_unit_test(nul_bytes_are_refused),
        cmocka_unit_test(required_keys_of_named_sections),
        cmocka_unit_test(environment_overrides_the_file),
        cmocka_unit_test(environment_errors_name_the_variable),
        cmocka_unit_test(secrets_are_registered_for_redaction),
        cmocka_unit_test(load_from_a_file),
        cmocka_unit_test(schema_is_complete_and_documented),
        cmocka_unit_test(template_loads_and_documents_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
