/* test_http_form.c: unit tests for form decoding, URL encoding, route matching and path
 * decoding (the pure parts of the HTTP server). */
#include "net/http_route.h"
#include "net/http_server.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* Collects decoded pairs as "key=value;" for easy comparison. */
typedef struct pairs {
    buf out;
    int stop_after; /* 0: never */
    int seen;
} pairs;

static bool collect(void *ctx, const char *key, const char *value)
{
    pairs *p = ctx;
    buf_addf(&p->out, "%s=%s;", key, value);
    p->seen++;
    return p->stop_after == 0 || p->seen < p->stop_after;
}

/* Parses data (len bytes) and returns the rc; the pairs land in *got (free it). */
static int parse(const char *data, size_t len, char **got, err *e)
{
    pairs p = {.stop_after = 0};
    buf_init(&p.out, 4096);
    int rc = http_form_parse(data, len, collect, &p, e);
    *got = buf_take(&p.out);
    return rc;
}

static void expect_form(const char *data, const char *want)
{
    char *got = NULL;
    err e = {0};
    assert_int_equal(parse(data, strlen(data), &got, &e), 0);
    assert_string_equal(got, want);
    free(got);
}

static void expect_form_error(const char *data, size_t len, const char *msg_part)
{
    char *got = NULL;
    err e = {0};
    assert_int_equal(parse(data, len, &got, &e), ERR_PARSE);
    assert_non_null(strstr(e.msg, msg_part));
    free(got);
}

static void test_form_basic(void **state)
{
    expect_form("a=1&b=two", "a=1;b=two;");
    expect_form("name=Ada+Lovelace&email=ada%40example.com",
                "name=Ada Lovelace;email=ada@example.com;");
    expect_form("", "");
}

static void test_form_edges(void **state)
{
    expect_form("a=1&&b=2&", "a=1;b=2;"); /* empty pairs skipped */
    expect_form("flag&x=", "flag=;x=;");  /* no '=' and empty value */
    expect_form("=v", "=v;");             /* empty key kept */
    expect_form("a=b=c", "a=b=c;");       /* only the first '=' splits */
    expect_form("a=1&a=2", "a=1;a=2;");   /* repeats kept in order */
    expect_form("k%3D=v%26w", "k==v&w;"); /* escaped separators are data */
    expect_form("u=%C3%A9%e2%82%ac", "u=\xc3\xa9\xe2\x82\xac;");
    expect_form("p=%2B+%20", "p=+  ;");
}

static void test_form_slice_not_nul_terminated(void **state)
{
    const char data[] = {'a', '=', '1', '&', 'b', '=', '2'}; /* no NUL */
    char *got = NULL;
    err e = {0};
    assert_int_equal(parse(data, 5, &got, &e), 0);
    assert_string_equal(got, "a=1;b=;");
    free(got);
}

static void test_form_malformed(void **state)
{
    expect_form_error("a=%", 3, "byte 2");
    expect_form_error("a=%4", 4, "byte 2");
    expect_form_error("ok=1&a=%zz", 10, "byte 7");
    expect_form_error("a%G1=1", 6, "byte 1");
    expect_form_error("a=%00", 5, "%00");
    expect_form_error("a=\0b", 4, "NUL");
    /* An escape cut by the slice's end is malformed even if the bytes after it are hex. */
    expect_form_error("a=%41", 4, "byte 2");
}

static void test_form_stops_early(void **state)
{
    pairs p = {.stop_after = 2};
    buf_init(&p.out, 4096);
    assert_int_equal(http_form_parse("a=1&b=2&c=%zz", 13, collect, &p, NULL), 0);
    assert_string_equal(buf_cstr(&p.out), "a=1;b=2;");
    buf_free(&p.out);
}

static void test_url_encode(void **state)
{
    buf b;
    buf_init(&b, 256);
    assert_int_equal(http_url_encode(&b, "AZaz09-._~ /?&=+%\xc3\xa9"), 0);
    assert_string_equal(buf_cstr(&b), "AZaz09-._~%20%2F%3F%26%3D%2B%25%C3%A9");
    buf_free(&b);

    buf_init(&b, 5);
    assert_int_equal(buf_addstr(&b, "ab"), 0);
    assert_int_equal(http_url_encode(&b, "  "), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "ab"); /* unchanged on failure */
    buf_free(&b);
}

static void test_form_roundtrip(void **state)
{
    const char *value = "x y&z=1%/\xe2\x82\xac+";
    buf enc;
    buf_init(&enc, 256);
    buf_addstr(&enc, "k=");
    assert_int_equal(http_url_encode(&enc, value), 0);
    char *got = NULL;
    assert_int_equal(parse(enc.ptr, enc.len, &got, NULL), 0);
    char want[64];
    snprintf(want, sizeof want, "k=%s;", value);
    assert_string_equal(got, want);
    free(got);
    buf_free(&enc);
}

static bool match(const char *pattern, const char *path, http_route_match_result *m)
{
    return http_route_match(m, pattern, path, strlen(path));
}

static void test_route_match(void **state)
{
    http_route_match_result m;
    assert_true(match("/contacts/{contactId}/tasks", "/contacts/abc/tasks", &m));
    assert_int_equal(m.n_caps, 1);
    assert_int_equal(m.caps[0].value_off, 10);
    assert_int_equal(m.caps[0].value_len, 3);
    assert_int_equal(m.caps[0].name_off, 11);
    assert_int_equal(m.caps[0].name_len, 9);
    assert_false(match("/contacts/{contactId}/tasks", "/contacts//tasks", &m));
    assert_false(match("/contacts/{contactId}/tasks", "/contacts/abc/tasks/", &m));
    assert_false(match("/contacts/{contactId}/tasks", "/contacts/abc", &m));
    assert_false(match("/contacts/", "/contacts", &m));
    assert_false(match("/contacts", "/contacts/", &m));
    assert_true(match("/contacts/", "/contacts/", &m));
    assert_true(match("/", "/", &m));
    assert_false(match("/", "", &m));
    assert_false(match("/a", "a", &m));
    assert_false(match("/Contacts", "/contacts", &m));
    assert_true(match("/{a}/{b}", "/x/y", &m));
    assert_int_equal(m.n_caps, 2);
}

static void test_route_rank(void **state)
{
    http_route_match_result lit, par, mixed;
    assert_true(match("/contacts/search", "/contacts/search", &lit));
    assert_true(match("/contacts/{id}", "/contacts/search", &par));
    assert_true(lit.rank > par.rank);
    /* The leftmost difference decides. */
    assert_true(match("/a/{x}", "/a/b", &mixed));
    assert_true(match("/{x}/b", "/a/b", &par));
    assert_true(mixed.rank > par.rank);
}

static void test_route_check(void **state)
{
    assert_int_equal(http_route_check("/contacts/{contactId}", NULL), 0);
    assert_int_equal(http_route_check("/", NULL), 0);
    assert_int_equal(http_route_check("contacts", NULL), ERR_INVALID);
    assert_int_equal(http_route_check("/a{b}", NULL), ERR_INVALID);
    assert_int_equal(http_route_check("/{}", NULL), ERR_INVALID);
    assert_int_equal(http_route_check("/{a}{b}", NULL), ERR_INVALID);
    assert_int_equal(http_route_check("/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", NULL), 0);
    assert_int_equal(http_route_check("/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", NULL), ERR_INVALID);
}

static void test_path_decode(void **state)
{
    buf b;
    buf_init(&b, 64);
    assert_int_equal(http_path_decode(&b, "/a%20b/%C3%A9", 13, NULL), 0);
    assert_string_equal(buf_cstr(&b), "/a b/\xc3\xa9");
    assert_int_equal(http_path_decode(&b, "/100%/%zz/%4", 12, NULL), 0);
    assert_string_equal(buf_cstr(&b), "/100%/%zz/%4");
    assert_int_equal(http_path_decode(&b, "/a+b", 4, NULL), 0);
    assert_string_equal(buf_cstr(&b), "/a+b"); /* '+' is only a space in forms */
    err e = {0};
    assert_int_equal(http_path_decode(&b, "/a%00b", 6, &e), ERR_PARSE);
    assert_non_null(strstr(e.msg, "%00"));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_basic),
        cmocka_unit_test(test_form_edges),
        cmocka_unit_test(test_form_slice_not_nul_terminated),
        cmocka_unit_test(test_form_malformed),
        cmocka_unit_test(test_form_stops_early),
        cmocka_unit_test(test_url_encode),
        cmocka_unit_test(test_form_roundtrip),
        cmocka_unit_test(test_route_match),
        cmocka_unit_test(test_route_rank),
        cmocka_unit_test(test_route_check),
        cmocka_unit_test(test_path_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
