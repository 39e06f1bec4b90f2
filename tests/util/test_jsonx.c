/* test_jsonx.c: JSON parsing errors, exact integers, getters, paths and dumping. */
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static json_t *parse(const char *s)
{
    json_t *j = NULL;
    err e;
    if (jsonx_parse(&j, s, strlen(s), "test", &e) != 0)
        fail_msg("parse failed: %s", e.msg);
    return j;
}

static void parse_error_names_line_column_and_label(void **state)
{
    (void)state;
    const char *text = "{\n  \"a\": 1,\n  \"b\": tru\n}";
    json_t *j = (json_t *)1;
    err e;
    assert_int_equal(jsonx_parse(&j, text, strlen(text), "request body", &e), ERR_PARSE);
    assert_ptr_equal(j, (json_t *)1);
    assert_non_null(strstr(e.msg, "request body: invalid JSON at line 3, column"));
    assert_non_null(strstr(e.msg, "invalid token"));
}

static void parse_takes_a_slice_not_a_string(void **state)
{
    (void)state;
    /* The bytes after len must be ignored: they would make the text invalid. */
    const char text[] = "{\"a\":[1,2]}garbage";
    json_t *j = NULL;
    err e;
    assert_int_equal(jsonx_parse(&j, text, 11, "slice", &e), 0);
    assert_int_equal(json_array_size(json_object_get(j, "a")), 2);
    json_decref(j);
    assert_int_equal(jsonx_parse(&j, text, sizeof text - 1, "slice", &e), ERR_PARSE);
    assert_int_equal(jsonx_parse(&j, text, 0, "empty", &e), ERR_PARSE);
    assert_non_null(strstr(e.msg, "empty: invalid JSON at line"));
    assert_int_equal(jsonx_parse(&j, NULL, 0, "null", &e), ERR_PARSE);
}

static void parse_accepts_any_top_level_value(void **state)
{
    (void)state;
    json_t *j = parse("\"hi\"");
    assert_string_equal(json_string_value(j), "hi");
    json_decref(j);
    j = parse(" 17 ");
    assert_int_equal(json_integer_value(j), 17);
    json_decref(j);
    j = parse("null");
    assert_true(json_is_null(j));
    json_decref(j);
}

static void parse_rejects_embedded_nul_and_bad_utf8(void **state)
{
    (void)state;
    json_t *j = NULL;
    err e;
    assert_int_equal(jsonx_parse(&j, "\"a\\u0000b\"", 10, "x", &e), ERR_PARSE);
    assert_int_equal(jsonx_parse(&j, "\"\xff\"", 3, "x", &e), ERR_PARSE);
    const char nul[] = {'[', '1', '\n', ' ', '\0', ']'};
    assert_int_equal(jsonx_parse(&j, nul, sizeof nul, "x", &e), ERR_PARSE);
    assert_string_equal(e.msg, "x: invalid JSON at line 2, column 2: NUL byte");
}

static void integers_are_exact_to_64_bits(void **state)
{
    (void)state;
    json_t *j = parse("{\"big\": 9007199254740993, \"max\": 9223372036854775807, "
                      "\"min\": -9223372036854775808}");
    assert_true(jsonx_int(j, "big", 0) == INT64_C(9007199254740993));
    assert_true(jsonx_int(j, "max", 0) == INT64_MAX);
    assert_true(jsonx_int(j, "min", 0) == INT64_MIN);
    char *s = jsonx_dumps(j);
    assert_string_equal(s, "{\"big\":9007199254740993,\"max\":9223372036854775807,"
                           "\"min\":-9223372036854775808}");
    free(s);
    json_decref(j);
    json_t *over = NULL;
    err e;
    assert_int_equal(jsonx_parse(&over, "9223372036854775808", 19, "x", &e), ERR_PARSE);
    assert_non_null(strstr(e.msg, "too big"));
}

static void lenient_getters(void **state)
{
    (void)state;
    json_t *j = parse("{\"s\":\"x\",\"i\":5,\"r\":5.5,\"b\":true,\"n\":null,\"f\":false}");
    assert_string_equal(jsonx_str(j, "s"), "x");
    assert_null(jsonx_str(j, "i"));
    assert_null(jsonx_str(j, "missing"));
    assert_null(jsonx_str(NULL, "s"));
    assert_int_equal(jsonx_int(j, "i", -1), 5);
    assert_int_equal(jsonx_int(j, "r", -1), -1);
    assert_int_equal(jsonx_int(j, "s", -1), -1);
    assert_int_equal(jsonx_int(j, "n", -1), -1);
    assert_true(jsonx_bool(j, "b", false));
    assert_false(jsonx_bool(j, "f", true));
    assert_true(jsonx_bool(j, "i", true));
    json_t *arr = parse("[1]");
    assert_null(jsonx_str(arr, "s"));
    json_decref(arr);
    json_decref(j);
}

static void strict_getters_name_the_field(void **state)
{
    (void)state;
    json_t *j = parse("{\"email\":42,\"name\":\"Ann\",\"n\":null,\"tags\":[],\"o\":{},"
                      "\"ok\":false,\"r\":1.5}");
    err e;
    const char *s = "untouched";
    assert_int_equal(jsonx_get_str(&s, j, "email", true, &e), ERR_INVALID);
    assert_string_equal(e.msg, "field 'email' must be a string, not an integer");
    assert_string_equal(s, "untouched");
    assert_int_equal(jsonx_get_str(&s, j, "phone", true, &e), ERR_INVALID);
    assert_string_equal(e.msg, "field 'phone' is required");
    assert_int_equal(jsonx_get_str(&s, j, "phone", false, &e), 0);
    assert_string_equal(s, "untouched");
    assert_int_equal(jsonx_get_str(&s, j, "n", false, &e), 0);
    assert_string_equal(s, "untouched");
    assert_int_equal(jsonx_get_str(&s, j, "n", true, &e), ERR_INVALID);
    assert_int_equal(jsonx_get_str(&s, j, "name", true, &e), 0);
    assert_string_equal(s, "Ann");

    int64_t i = 3;
    assert_int_equal(jsonx_get_int(&i, j, "email", true, &e), 0);
    assert_int_equal(i, 42);
    assert_int_equal(jsonx_get_int(&i, j, "r", true, &e), ERR_INVALID);
    assert_string_equal(e.msg, "field 'r' must be an integer, not a number with a fraction");
    bool b = true;
    assert_int_equal(jsonx_get_bool(&b, j, "ok", true, &e), 0);
    assert_false(b);
    assert_int_equal(jsonx_get_bool(&b, j, "name", true, &e), ERR_INVALID);
    assert_string_equal(e.msg, "field 'name' must be a boolean, not a string");
    json_t *a = NULL, *o = NULL;
    assert_int_equal(jsonx_get_array(&a, j, "tags", true, &e), 0);
    assert_true(json_is_array(a));
    assert_int_equal(jsonx_get_array(&a, j, "o", true, &e), ERR_INVALID);
    assert_string_equal(e.msg, "field 'o' must be an array, not an object");
    assert_int_equal(jsonx_get_object(&o, j, "o", true, &e), 0);
    assert_true(json_is_object(o));
    assert_int_equal(jsonx_get_object(&o, j, "tags", false, &e), ERR_INVALID);
    assert_string_equal(e.msg, "field 'tags' must be an object, not an array");
    json_t *arr = parse("[]");
    assert_int_equal(jsonx_get_str(&s, arr, "x", false, &e), ERR_INVALID);
    json_decref(arr);
    json_decref(j);
}

static void path_lookup(void **state)
{
    (void)state;
    json_t *j = parse("{\"meta\":{\"contactId\":\"c1\",\"list\":[{\"b\":1},{\"b\":2}]},"
                      "\"0\":\"zero\",\"e\":{\"\":\"blank\"}}");
    assert_string_equal(json_string_value(jsonx_path(j, "meta.contactId")), "c1");
    assert_int_equal(json_integer_value(jsonx_path(j, "meta.list.1.b")), 2);
    assert_int_equal(json_integer_value(jsonx_path(j, "meta.list.0.b")), 1);
    assert_ptr_equal(jsonx_path(j, "meta"), json_object_get(j, "meta"));
    assert_string_equal(json_string_value(jsonx_path(j, "0")), "zero");
    assert_string_equal(json_string_value(jsonx_path(j, "e.")), "blank");
    assert_null(jsonx_path(j, "meta.list.2.b"));
    assert_null(jsonx_path(j, "meta.list.x"));
    assert_null(jsonx_path(j, "meta.list.-1"));
    assert_null(jsonx_path(j, "meta.contactId.more"));
    assert_null(jsonx_path(j, "nope"));
    assert_null(jsonx_path(NULL, "a"));
    assert_null(jsonx_path(j, NULL));
    json_decref(j);
}

static void setters_and_dumps_keep_order(void **state)
{
    (void)state;
    json_t *o = json_object();
    assert_int_equal(jsonx_set_str(o, "z", "last"), 0);
    assert_int_equal(jsonx_set_int(o, "a", -7), 0);
    assert_int_equal(jsonx_set_bool(o, "m", true), 0);
    assert_int_equal(jsonx_set_str(o, "n", NULL), 0);
    assert_int_equal(jsonx_set_str(o, "bad", "\xff\xfe"), ERR_INVALID);
    char *s = jsonx_dumps(o);
    assert_string_equal(s, "{\"z\":\"last\",\"a\":-7,\"m\":true,\"n\":null}");
    free(s);
    assert_null(jsonx_dumps(NULL));
    json_t *str = json_string("top");
    s = jsonx_dumps(str);
    assert_string_equal(s, "\"top\"");
    free(s);
    json_decref(str);
    json_decref(o);
}

static void dump_into_bounded_buffer(void **state)
{
    (void)state;
    json_t *j = parse("{\"k\":[1,2,3],\"s\":\"\\u00e9\"}");
    buf b;
    buf_init(&b, 100);
    buf_addstr(&b, "pre:");
    assert_int_equal(jsonx_dump(&b, j), 0);
    assert_string_equal(buf_cstr(&b), "pre:{\"k\":[1,2,3],\"s\":\"\xc3\xa9\"}");
    buf_free(&b);
    buf_init(&b, 10);
    buf_addstr(&b, "pre:");
    assert_int_equal(jsonx_dump(&b, j), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "pre:");
    assert_int_equal(b.len, 4);
    assert_int_equal(jsonx_dump(&b, NULL), ERR_INVALID);
    assert_string_equal(buf_cstr(&b), "pre:");
    buf_free(&b);
    json_decref(j);
}

static void array_membership(void **state)
{
    (void)state;
    json_t *a = parse("[\"VIP\",\"speaker\",3,null]");
    assert_true(jsonx_array_has_str(a, "VIP"));
    assert_false(jsonx_array_has_str(a, "vip"));
    assert_true(jsonx_array_has_str_ci(a, "vip"));
    assert_true(jsonx_array_has_str_ci(a, "SPEAKER"));
    assert_false(jsonx_array_has_str_ci(a, "3"));
    assert_false(jsonx_array_has_str(NULL, "x"));
    json_t *o = parse("{\"VIP\":1}");
    assert_false(jsonx_array_has_str(o, "VIP"));
    json_decref(o);
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_error_names_line_column_and_label),
        cmocka_unit_test(parse_takes_a_slice_not_a_string),
        cmocka_unit_test(parse_accepts_any_top_level_value),
        cmocka_unit_test(parse_rejects_embedded_nul_and_bad_utf8),
        cmocka_unit_test(integers_are_exact_to_64_bits),
        cmocka_unit_test(lenient_getters),
        cmocka_unit_test(strict_getters_name_the_field),
        cmocka_unit_test(path_lookup),
        cmocka_unit_test(setters_and_dumps_keep_order),
        cmocka_unit_test(dump_into_bounded_buffer),
        cmocka_unit_test(array_membership),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
