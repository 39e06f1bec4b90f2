/* test_transform.c: templates, the transform pipeline (each step, sides, errors) and values. */
#include "core/transform.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static core_xform *parse(const char *text)
{
    core_xform *x = NULL;
    err e;
    if (core_xform_parse(&x, text, "[field \"f\"]", 1, NULL, NULL, &e) != 0)
        fail_msg("parse '%s': %s", text, e.msg);
    return x;
}

static void expect_parse_error(const char *text, const char *want)
{
    core_xform *x = (core_xform *)1;
    err e;
    assert_int_equal(core_xform_parse(&x, text, "[field \"f\"]", 1, NULL, NULL, &e), ERR_CONFIG);
    assert_ptr_equal(x, (core_xform *)1);
    assert_string_equal(e.msg, want);
}

/* The pipeline on a string; NULL for an empty result. Caller frees. */
static char *run(const char *text, const char *in, bool source, const char *vars_json)
{
    core_xform *x = parse(text);
    json_t *vars = vars_json ? json_loads(vars_json, 0, NULL) : NULL;
    json_t *v = in ? json_string(in) : NULL, *out = NULL;
    char why[128];
    int rc = core_xform_apply(&out, x, v, source, vars, why, sizeof why);
    if (rc != 0)
        fail_msg("apply '%s' to '%s': %s", text, in ? in : "(null)", why);
    char *s = out ? strdup(json_string_value(out)) : NULL;
    json_decref(out);
    json_decref(v);
    json_decref(vars);
    core_xform_free(x);
    return s;
}

static void expect_run(const char *text, const char *in, bool source, const char *vars,
                       const char *want)
{
    char *got = run(text, in, source, vars);
    if (!want)
        assert_null(got);
    else if (!got)
        fail_msg("'%s' on '%s': empty, wanted '%s'", text, in ? in : "(null)", want);
    else
        assert_string_equal(got, want);
    free(got);
}

static void text_steps(void **state)
{
    (void)state;
    expect_run("trim", "  a b  ", false, NULL, "a b");
    expect_run("trim", "   ", false, NULL, NULL);
    expect_run("lower", "ÀB C", false, NULL, "Àb c"); /* ASCII only */
    expect_run("upper", "ab-c", false, NULL, "AB-C");
    expect_run("trim, lower", "  Ada@Example.COM ", false, NULL, "ada@example.com");
    expect_run("e164", "(415) 555-0134", false, NULL, "+14155550134");
    expect_run("e164", "  ", false, NULL, NULL);
    expect_run("default:n/a", NULL, false, NULL, "n/a");
    expect_run("default:n/a", "x", false, NULL, "x");
    expect_run("TRIM , Lower", " X ", false, NULL, "x"); /* names ignore case */
}

static void value_maps(void **state)
{
    (void)state;
    const char *m = "map:VIP Pass=VIP|General Admission=General|Comp=";
    expect_run(m, "vip pass", false, NULL, "VIP");
    expect_run(m, " General Admission ", false, NULL, "General");
    expect_run(m, "VIP", false, NULL, "VIP"); /* results pass unchanged: idempotent */
    expect_run(m, "Other", false, NULL, "Other");
    expect_run(m, "Comp", false, NULL, NULL);
}

static void derivations_run_only_on_the_source_side(void **state)
{
    (void)state;
    const char *vars = "{\"first_name\": \"Ada\", \"last_name\": \"Lovelace\", "
                       "\"event_code\": \"EVE1\"}";
    expect_run("const:PheedLoop", "whatever", true, vars, "PheedLoop");
    expect_run("const:PheedLoop", "whatever", false, vars, "whatever");
    expect_run("template:{first_name} at {event_code}", NULL, true, vars, "Ada at EVE1");
    expect_run("template:{first_name} at {event_code}", "kept", false, vars, "kept");
    expect_run("join_name", NULL, true, vars, "Ada Lovelace");
    expect_run("join_name, upper", NULL, true, vars, "ADA LOVELACE");
    expect_run("split_name:first", "Mary Ann Smith", true, NULL, "Mary");
    expect_run("split_name:last", "Mary Ann Smith", true, NULL, "Ann Smith");
    expect_run("split_name:last", "Lovelace", false, NULL, "Lovelace");
    expect_run("template:\"{last_name}, {first_name}\"", NULL, true, vars, "Lovelace, Ada");
    expect_run("const:\"a \\\"b\\\" c\"", NULL, true, NULL, "a \"b\" c");
    expect_run("const:", "x", true, NULL, NULL);
}

static void derives_and_describe(void **state)
{
    (void)state;
    core_xform *x = parse("trim, lower");
    assert_false(core_xform_derives(x));
    buf b;
    buf_init(&b, 256);
    assert_int_equal(core_xform_describe(&b, x), 0);
    assert_string_equal(buf_cstr(&b), "trim, lower");
    core_xform_free(x);
    x = parse("trim, template:\"{a}, {b}\", split_name:last, map:a=b");
    assert_true(core_xform_derives(x));
    buf_reset(&b);
    assert_int_equal(core_xform_describe(&b, x), 0);
    assert_string_equal(buf_cstr(&b), "trim, template:\"{a}, {b}\", split_name:last, map:a=b");
    core_xform_free(x);
    buf_free(&b);
    x = parse("");
    assert_false(core_xform_derives(x));
    core_xform_free(x);
    assert_false(core_xform_derives(NULL));
}

static void parse_errors_name_the_section_and_the_step(void **state)
{
    (void)state;
    expect_parse_error("trim, e165",
                       "[field \"f\"] transform 'e165': unknown transform (known: trim, lower, "
                       "upper, e164, default:VALUE, map:A=B|C=D, const:VALUE, template:TEXT, "
                       "join_name, split_name:first|last)");
    expect_parse_error("trim:x", "[field \"f\"] transform 'trim:x': takes no argument");
    expect_parse_error("default", "[field \"f\"] transform 'default': needs an argument "
                                  "(default:...)");
    expect_parse_error("template:", "[field \"f\"] transform 'template:': needs an argument "
                                    "(template:...)");
    expect_parse_error("split_name:middle",
                       "[field \"f\"] transform 'split_name:middle': use split_name:first or "
                       "split_name:last");
    expect_parse_error("map:a", "[field \"f\"] transform 'map:a': each pair is A=B, pairs "
                                "separated by '|'");
    expect_parse_error("map:a=b|=c", "[field \"f\"] transform 'map:a=b|=c': each pair is A=B, "
                                     "pairs separated by '|'");
    expect_parse_error("map:a=b|b=c",
                       "[field \"f\"] transform 'map:a=b|b=c': 'b' is both a result and a "
                       "source: a value map must give back its results unchanged");
    expect_parse_error("template:Hi {first_name",
                       "[field \"f\"] transform 'template:Hi {first_name': column 4: '{' is not "
                       "closed by '}'");
    expect_parse_error("const:\"abc", "[field \"f\"] transform 'const:\"abc': unclosed quote");
    expect_parse_error("const:\"a\"b",
                       "[field \"f\"] transform 'const:\"a\"b': text after the closing quote");
}

static bool only_first_name(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "first_name") == 0;
}

static void template_names_are_vetted(void **state)
{
    (void)state;
    core_xform *x = NULL;
    err e;
    assert_int_equal(core_xform_parse(&x, "template:{first_name} {frist}", "[field \"g\"]", 1,
                                      only_first_name, NULL, &e),
                     ERR_CONFIG);
    assert_string_equal(e.msg, "[field \"g\"] transform 'template:{first_name} {frist}': column "
                               "15: unknown name 'frist'");
    assert_int_equal(core_xform_parse(&x, "template:{first_name}", "[field \"g\"]", 1,
                                      only_first_name, NULL, &e),
                     0);
    core_xform_free(x);
}

static void invalid_phone_is_an_error_with_why(void **state)
{
    (void)state;
    core_xform *x = parse("trim, e164");
    json_t *in = json_string(" 555-0134 "), *out = (json_t *)1;
    char why[128];
    assert_int_equal(core_xform_apply(&out, x, in, false, NULL, why, sizeof why), ERR_INVALID);
    assert_ptr_equal(out, (json_t *)1);
    assert_string_equal(why, "'555-0134' is not a phone number: a North American number has 10 "
                             "digits");
    char small[16];
    assert_int_equal(core_xform_apply(&out, x, in, false, NULL, small, sizeof small), ERR_INVALID);
    assert_string_equal(small, "'555-0134' is n");
    json_decref(in);
    core_xform_free(x);
}

static void values_become_canonical(void **state)
{
    (void)state;
    json_t *raw = json_loads("[\"a\", 7, true, null, \"\", 2.5]", 0, NULL);
    json_t *v = core_value_canon(raw);
    char *s = json_dumps(v, JSON_COMPACT);
    assert_string_equal(s, "[\"a\",\"7\",\"true\",\"2.5\"]");
    free(s);
    json_decref(v);
    json_decref(raw);
    raw = json_loads("{\"b\": 1}", 0, NULL);
    v = core_value_canon(raw);
    assert_string_equal(json_string_value(v), "{\"b\":1}");
    json_decref(v);
    json_decref(raw);
    raw = json_loads("[null, \"\"]", 0, NULL);
    assert_null(core_value_canon(raw));
    json_decref(raw);
    json_t *e1 = json_string(""), *e2 = json_null(), *e3 = json_array(), *a = json_string("a");
    assert_true(core_value_equal(NULL, e1));
    assert_true(core_value_equal(e2, e3));
    assert_false(core_value_equal(a, e1));
    assert_true(core_value_equal(a, a));
    json_decref(e1);
    json_decref(e2);
    json_decref(e3);
    json_decref(a);
}

static void arrays_go_element_by_element(void **state)
{
    (void)state;
    core_xform *x = parse("trim, upper, map:A=Alpha");
    json_t *in = json_loads("[\" a \", \"b\", \"  \"]", 0, NULL), *out = NULL;
    assert_int_equal(core_xform_apply(&out, x, in, false, NULL, NULL, 0), 0);
    char *s = json_dumps(out, JSON_COMPACT);
    assert_string_equal(s, "[\"Alpha\",\"B\"]");
    free(s);
    json_decref(out);
    json_decref(in);
    core_xform_free(x);
}

static void templates_fill_and_check(void **state)
{
    (void)state;
    json_t *vars = json_loads("{\"a\": \"x\", \"n\": 3, \"b\": false, \"l\": [\"p\", \"q\"], "
                              "\"o\": {\"t\": \"deep\"}, \"e\": \"\"}",
                              0, NULL);
    buf b;
    buf_init(&b, 256);
    bool empty = true;
    assert_int_equal(core_tpl_fill(&b, "{a}-{n}-{b}-{l}-{o.t}-{{lit}}", vars, &empty), 0);
    assert_string_equal(buf_cstr(&b), "x-3-false-p, q-deep-{lit}");
    assert_false(empty);
    buf_reset(&b);
    assert_int_equal(core_tpl_fill(&b, "ticket:{e}{missing}", vars, &empty), 0);
    assert_string_equal(buf_cstr(&b), "ticket:");
    assert_true(empty);
    buf_free(&b);
    json_decref(vars);
    size_t col = 0;
    char why[128];
    assert_int_equal(core_tpl_check("ok {a} {{ }}", NULL, NULL, &col, why, sizeof why), 0);
    assert_int_equal(core_tpl_check("a } b", NULL, NULL, &col, why, sizeof why), ERR_CONFIG);
    assert_int_equal(col, 3);
    assert_string_equal(why, "a lone '}' (write '}}' for a brace)");
    assert_int_equal(core_tpl_check("x {}", NULL, NULL, &col, why, sizeof why), ERR_CONFIG);
    assert_int_equal(col, 3);
    assert_string_equal(why, "empty placeholder '{}'");
    assert_int_equal(core_tpl_check("{a b}", NULL, NULL, &col, why, sizeof why), ERR_CONFIG);
    assert_int_equal(col, 1);
    assert_string_equal(why, "'{' must be followed by a name and '}' (write '{{' for a brace)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_steps),
        cmocka_unit_test(value_maps),
        cmocka_unit_test(derivations_run_only_on_the_source_side),
        cmocka_unit_test(derives_and_describe),
        cmocka_unit_test(parse_errors_name_the_section_and_the_step),
        cmocka_unit_test(template_names_are_vetted),
        cmocka_unit_test(invalid_phone_is_an_error_with_why),
        cmocka_unit_test(values_become_canonical),
        cmocka_unit_test(arrays_go_element_by_element),
        cmocka_unit_test(templates_fill_and_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
