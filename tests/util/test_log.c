/* test_log.c: the logger: record shape, levels, text format, redaction by key and by value. */
#include "util/log.h"
#include "util/clock.h"
#include "util/jsonx.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

typedef struct capture {
    FILE *f;
    char *data;
    size_t size;
} capture;

static int cap_setup(void **state)
{
    capture *c = calloc(1, sizeof *c);
    c->f = open_memstream(&c->data, &c->size);
    log_clear_secrets();
    log_setup(LOG_DEBUG, LOG_JSON, c->f);
    *state = c;
    return 0;
}

static int cap_teardown(void **state)
{
    capture *c = *state;
    log_setup(LOG_INFO, LOG_JSON, NULL);
    log_clear_secrets();
    fclose(c->f);
    free(c->data);
    free(c);
    return 0;
}

/* Everything written so far, as a string. */
static const char *written(capture *c)
{
    fflush(c->f);
    return c->data ? c->data : "";
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The one JSON record written so far. */
static json_t *only_record(capture *c)
{
    const char *s = written(c);
    assert_int_equal(count_lines(s), 1);
    size_t len = strlen(s);
    assert_int_equal(s[len - 1], '\n');
    json_t *j = NULL;
    err e;
    if (jsonx_parse(&j, s, len, "log line", &e) != 0)
        fail_msg("%s: %s", e.msg, s);
    assert_true(json_is_object(j));
    return j;
}

static void json_record_shape(void **state)
{
    capture *c = *state;
    json_t *f = json_pack("{s:i, s:{s:s}, s:b}", "n", 7, "contact", "id", "c1", "ok", 1);
    log_write(LOG_INFO, "contact \"synced\"\nnext", f);
    json_t *j = only_record(c);
    const char *keys[] = {"ts", "level", "msg", "n", "contact", "ok"};
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v)
    {
        assert_true(i < PS_ARRAY_LEN(keys));
        assert_string_equal(key, keys[i++]);
    }
    assert_int_equal(i, PS_ARRAY_LEN(keys));
    const char *ts = jsonx_str(j, "ts");
    int64_t ms;
    assert_int_equal(clock_parse_iso(&ms, ts, NULL), 0);
    assert_int_equal(ts[strlen(ts) - 1], 'Z');
    assert_true(llabs(ms - clock_now_ms(clock_system())) < 60000);
    assert_string_equal(jsonx_str(j, "level"), "info");
    assert_string_equal(jsonx_str(j, "msg"), "contact \"synced\"\nnext");
    assert_int_equal(jsonx_int(j, "n", 0), 7);
    assert_string_equal(json_string_value(jsonx_path(j, "contact.id")), "c1");
    json_decref(j);
}

static void reserved_field_names_are_kept_aside(void **state)
{
    capture *c = *state;
    log_write(LOG_WARN, "real", json_pack("{s:s, s:s, s:i}", "msg", "fake", "level", "x", "ts", 1));
    json_t *j = only_record(c);
    assert_string_equal(jsonx_str(j, "msg"), "real");
    assert_string_equal(jsonx_str(j, "level"), "warn");
    assert_string_equal(jsonx_str(j, "_msg"), "fake");
    assert_string_equal(jsonx_str(j, "_level"), "x");
    assert_int_equal(jsonx_int(j, "_ts", 0), 1);
    json_decref(j);
}

static void levels_filter(void **state)
{
    capture *c = *state;
    log_setup(LOG_WARN, LOG_JSON, c->f);
    assert_int_equal(log_get_level(), LOG_WARN);
    log_debugf("d %d", 1);
    log_infof("i");
    log_write(LOG_INFO, "dropped", json_pack("{s:s}", "a", "b")); /* fields freed anyway */
    assert_string_equal(written(c), "");
    log_warnf("w %s", "x");
    log_errorf("e");
    const char *s = written(c);
    assert_int_equal(count_lines(s), 2);
    assert_non_null(strstr(s, "\"level\":\"warn\",\"msg\":\"w x\""));
    assert_non_null(strstr(s, "\"level\":\"error\",\"msg\":\"e\""));
    log_setup(LOG_OFF, LOG_JSON, c->f);
    log_errorf("never");
    log_write(LOG_OFF, "never", NULL);
    assert_int_equal(count_lines(written(c)), 2);
}

static void level_names_parse(void **state)
{
    (void)state;
    assert_int_equal(log_level_parse("debug"), LOG_DEBUG);
    assert_int_equal(log_level_parse("info"), LOG_INFO);
    assert_int_equal(log_level_parse("WARN"), LOG_WARN);
    assert_int_equal(log_level_parse("error"), LOG_ERROR);
    assert_int_equal(log_level_parse("off"), LOG_OFF);
    assert_int_equal(log_level_parse("verbose"), -1);
    assert_int_equal(log_level_parse(NULL), -1);
}

static void secret_key_names(void **state)
{
    (void)state;
    const char *secret[] = {"token",       "access_token",  "refresh_token", "id_token",
                            "secret",      "client_secret", "api_secret",    "webhook_secret",
                            "api_key",     "apiKey",        "accessToken",   "clientSecret",
                            "password",    "db_password",   "Authorization", "cookie",
                            "Set-Cookie",  "key",           "X-API-KEY",     "x-api-secret",
                            "ADMIN_TOKEN", "private_key"};
    const char *plain[] = {"code",   "email",       "monkey",    "tokens", "keyword", "secretary",
                           "passed", "location_id", "contactId", "name",   "",        "turnkey"};
    for (size_t i = 0; i < PS_ARRAY_LEN(secret); i++) {
        if (!log_key_is_secret(secret[i]))
            fail_msg("'%s' should be secret", secret[i]);
    }
    for (size_t i = 0; i < PS_ARRAY_LEN(plain); i++) {
        if (log_key_is_secret(plain[i]))
            fail_msg("'%s' should not be secret", plain[i]);
    }
    assert_false(log_key_is_secret(NULL));
}

static void keys_redacted_at_any_depth(void **state)
{
    capture *c = *state;
    json_t *inner = json_pack("{s:s, s:s}", "refresh_token", "r-123", "email", "a@b.c");
    json_t *f = json_pack("{s:s, s:{s:[{s:s, s:s, s:O}]}, s:n, s:s, s:{s:i}}", "access_token",
                          "tok-1", "req", "headers", "Authorization", "Bearer xyz", "code",
                          "ATT123", "inner", inner, "api_key", "code", "EVE1", "password", "n", 5);
    log_write(LOG_INFO, "request", f);
    json_t *j = only_record(c);
    assert_string_equal(jsonx_str(j, "access_token"), "[redacted]");
    assert_string_equal(json_string_value(jsonx_path(j, "req.headers.0.Authorization")),
                        "[redacted]");
    assert_string_equal(json_string_value(jsonx_path(j, "req.headers.0.code")), "ATT123");
    assert_string_equal(json_string_value(jsonx_path(j, "req.headers.0.inner.refresh_token")),
                        "[redacted]");
    assert_string_equal(json_string_value(jsonx_path(j, "req.headers.0.inner.email")), "a@b.c");
    assert_true(
        json_is_null(json_object_get(j, "api_key"))); /* null says "absent", leaks nothing */
    assert_string_equal(jsonx_str(j, "code"), "EVE1");
    assert_string_equal(jsonx_str(j, "password"), "[redacted]"); /* objects too */
    /* The caller's own tree is left alone. */
    assert_string_equal(jsonx_str(inner, "refresh_token"), "r-123");
    json_decref(inner);
    json_decref(j);
    assert_null(strstr(written(c), "tok-1"));
    assert_null(strstr(written(c), "xyz"));
}

static void registered_secrets_replaced_everywhere(void **state)
{
    capture *c = *state;
    log_add_secret("s3cr3t-value");
    log_add_secret("s3cr3t-value"); /* twice is harmless */
    log_add_secret("abc");          /* too short to register */
    log_add_secret(NULL);
    log_write(LOG_INFO, "got s3cr3t-value from abc",
              json_pack("{s:s, s:[s], s:{s:s}}", "note", "x=s3cr3t-values3cr3t-value!", "list",
                        "s3cr3t-value", "s3cr3t-value", "k", "v"));
    json_t *j = only_record(c);
    assert_string_equal(jsonx_str(j, "msg"), "got [redacted] from abc");
    assert_string_equal(jsonx_str(j, "note"), "x=[redacted][redacted]!");
    assert_string_equal(json_string_value(jsonx_path(j, "list.0")), "[redacted]");
    assert_string_equal(json_string_value(jsonx_path(j, "[redacted].k")), "v");
    assert_null(strstr(written(c), "s3cr3t"));
    json_decref(j);
}

static void longest_secret_wins(void **state)
{
    capture *c = *state;
    log_add_secret("pass");
    log_add_secret("password123");
    log_infof("login password123 pass");
    json_t *j = only_record(c);
    assert_string_equal(jsonx_str(j, "msg"), "login [redacted] [redacted]");
    json_decref(j);
}

static void clearing_secrets(void **state)
{
    capture *c = *state;
    log_add_secret("forget-me");
    log_clear_secrets();
    log_infof("forget-me");
    json_t *j = only_record(c);
    assert_string_equal(jsonx_str(j, "msg"), "forget-me");
    json_decref(j);
}

static void text_format(void **state)
{
    capture *c = *state;
    log_setup(LOG_DEBUG, LOG_TEXT, c->f);
    log_add_secret("hidden-thing");
    log_write(LOG_WARN, "two\nlines hidden-thing",
              json_pack("{s:s, s:s, s:i, s:{s:i}, s:s, s:s}", "email", "a@b.c", "name", "Ann Lee",
                        "n", 3, "obj", "a", 1, "token", "t0k3n", "empty", ""));
    const char *s = written(c);
    assert_int_equal(count_lines(s), 1);
    char ts[CLOCK_ISO_LEN];
    assert_true(strlen(s) > 25);
    memcpy(ts, s, 24);
    ts[24] = '\0';
    int64_t ms;
    assert_int_equal(clock_parse_iso(&ms, ts, NULL), 0);
    assert_string_equal(s + 24, " WARN  two\\nlines [redacted] email=a@b.c name=\"Ann Lee\" n=3 "
                                "obj={\"a\":1} token=[redacted] empty=\"\"\n");
}

static void *writer(void *arg)
{
    int id = *(int *)arg;
    for (int i = 0; i < 200; i++)
        log_write(LOG_INFO, "tick", json_pack("{s:i, s:i}", "thread", id, "i", i));
    return NULL;
}

static void concurrent_writers_do_not_interleave(void **state)
{
    capture *c = *state;
    pthread_t t[4];
    int ids[4] = {0, 1, 2, 3};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, writer, &ids[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    const char *s = written(c);
    assert_int_equal(count_lines(s), 800);
    int seen[4] = {0};
    for (const char *p = s; *p;) {
        const char *nl = strchr(p, '\n');
        json_t *j = NULL;
        assert_int_equal(jsonx_parse(&j, p, (size_t)(nl - p), "line", NULL), 0);
        int id = (int)jsonx_int(j, "thread", -1);
        assert_true(id >= 0 && id < 4);
        assert_int_equal(jsonx_int(j, "i", -1), seen[id]++); /* each thread's order is kept */
        json_decref(j);
        p = nl + 1;
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, cap_setup, cap_teardown)
    const struct CMUnitTest tests[] = {
        T(json_record_shape),
        T(reserved_field_names_are_kept_aside),
        T(levels_filter),
        cmocka_unit_test(level_names_parse),
        cmocka_unit_test(secret_key_names),
        T(keys_redacted_at_any_depth),
        T(registered_secrets_replaced_everywhere),
        T(longest_secret_wins),
        T(clearing_secrets),
        T(text_format),
        T(concurrent_writers_do_not_interleave),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
