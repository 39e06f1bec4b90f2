/* test_catalog.c: the action table matches HighLevel's OpenAPI file, and requests are built
 * from key=value arguments as documented. */
#include "util/common.h"
#include "catalog/catalog.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static json_t *load_spec(void)
{
    char path[1024];
    const char *specs = getenv("PHEEDSYNC_SPECS");
    snprintf(path, sizeof path, "%s/ghl/apps/contacts.json", specs ? specs : "../shared/specs");
    json_error_t je;
    json_t *spec = json_load_file(path, 0, &je);
    if (!spec)
        fail_msg("cannot read %s: %s", path, je.text);
    return spec;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Every HighLevel action except the locations API is an operation of contacts.json, with the
 * same method and the scope the spec declares. */
static void ghl_actions_match_the_spec(void **state)
{
    json_t *spec = load_spec();
    json_t *paths = json_object_get(spec, "paths");
    size_t checked = 0;
    for (const catalog_action *a = catalog_actions(); a->name; a++) {
        if (a->service != CATALOG_GHL || !strncmp(a->path, "/locations/", 11))
            continue;
        json_t *item = json_object_get(paths, a->path);
        if (!item)
            fail_msg("%s: path %s is not in contacts.json", a->name, a->path);
        char method[8];
        snprintf(method, sizeof method, "%s", a->method);
        lower(method);
        json_t *op = json_object_get(item, method);
        if (!op)
            fail_msg("%s: %s %s is not in contacts.json", a->name, a->method, a->path);
        json_t *scope = jsonx_path(op, "security.0.bearer.0");
        assert_non_null(scope);
        assert_string_equal(json_string_value(scope), a->scope);
        checked++;
    }
    assert_true(checked >= 20);
    json_decref(spec);
}

/* Names are unique per service and every path parameter is well formed. */
static void table_is_well_formed(void **state)
{
    for (const catalog_action *a = catalog_actions(); a->name; a++) {
        for (const catalog_action *b = a + 1; b->name; b++)
            if (a->service == b->service && !strcmp(a->name, b->name))
                fail_msg("duplicate action %s", a->name);
        int depth = 0;
        for (const char *p = a->path; *p; p++) {
            depth += *p == '{';
            depth -= *p == '}';
            assert_true(depth == 0 || depth == 1);
        }
        assert_int_equal(depth, 0);
        assert_ptr_equal(catalog_find(a->service, a->name), a);
        assert_true(a->service == CATALOG_GHL ? a->scope != NULL : a->scope == NULL);
    }
    assert_null(catalog_find(CATALOG_GHL, "attendees.get"));
}

static void builds_path_and_query(void **state)
{
    const catalog_action *a = catalog_find(CATALOG_GHL, "contacts.list");
    char *argv[] = {"locationId=loc 1", "limit=5"};
    catalog_request r;
    err e = {0};
    assert_int_equal(catalog_build(&r, a, 2, argv, &e), 0);
    assert_string_equal(buf_cstr(&r.path), "/contacts/?locationId=loc%201&limit=5");
    assert_null(r.body);
    catalog_request_free(&r);

    a = catalog_find(CATALOG_PHEEDLOOP, "attendees.get");
    char *argv2[] = {"event=EVE1", "code=ATT/2"};
    assert_int_equal(catalog_build(&r, a, 2, argv2, &e), 0);
    assert_string_equal(buf_cstr(&r.path), "events/EVE1/attendees/ATT%2F2/");
    catalog_request_free(&r);
}

static void builds_json_bodies(void **state)
{
    const catalog_action *a = catalog_find(CATALOG_GHL, "tasks.create");
    char *argv[] = {"contactId=c1", "title=Call back", "completed=false", "n=3"};
    catalog_request r;
    err e = {0};
    assert_int_equal(catalog_build(&r, a, 4, argv, &e), 0);
    assert_string_equal(buf_cstr(&r.path), "/contacts/c1/tasks");
    assert_string_equal(r.body, "{\"title\":\"Call back\",\"completed\":false,\"n\":3}");
    catalog_request_free(&r);

    char *whole[] = {"contactId=c1", "body={\"tags\":[\"a\"]}", "extra=x"};
    a = catalog_find(CATALOG_GHL, "contacts.tags.add");
    assert_int_equal(catalog_build(&r, a, 3, whole, &e), 0);
    assert_string_equal(r.body, "{\"tags\":[\"a\"],\"extra\":\"x\"}");
    catalog_request_free(&r);

    /* A note's text is its "body" member: body=TEXT is not the whole body. */
    char *note[] = {"contactId=c1", "body=Met at the booth"};
    a = catalog_find(CATALOG_GHL, "notes.create");
    assert_int_equal(catalog_build(&r, a, 2, note, &e), 0);
    assert_string_equal(r.body, "{\"body\":\"Met at the booth\"}");
    catalog_request_free(&r);
}

static void refuses_bad_arguments(void **state)
{
    const catalog_action *a = catalog_find(CATALOG_GHL, "contacts.get");
    catalog_request r;
    err e = {0};
    char *none[] = {"limit=1"};
    assert_int_equal(catalog_build(&r, a, 1, none, &e), ERR_INVALID);
    assert_string_equal(e.msg, "contacts.get needs contactId=VALUE");
    char *bad[] = {"contactId"};
    assert_int_equal(catalog_build(&r, a, 1, bad, &e), ERR_INVALID);
    assert_string_equal(e.msg, "argument 'contactId': expected key=value");
    a = catalog_find(CATALOG_PHEEDLOOP, "attendees.bulk_create");
    char *array_then_member[] = {"event=E", "body=[1]", "x=1"};
    assert_int_equal(catalog_build(&r, a, 3, array_then_member, &e), ERR_INVALID);
    char *badjson[] = {"event=E", "body={nope"};
    assert_int_equal(catalog_build(&r, a, 2, badjson, &e), ERR_PARSE);
    catalog_service s;
    assert_int_equal(catalog_service_parse(&s, "salesforce", &e), ERR_INVALID);
}

static void lists_as_json(void **state)
{
    json_t *j = catalog_json();
    size_t n = 0;
    for (const catalog_action *a = catalog_actions(); a->name; a++)
        n++;
    assert_int_equal(json_array_size(json_object_get(j, "actions")), n);
    assert_true(json_array_size(json_object_get(j, "triggers")) >= 20);
    assert_string_equal(jsonx_str(jsonx_path(j, "actions.0"), "scope"), "contacts.readonly");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ghl_actions_match_the_spec), cmocka_unit_test(table_is_well_formed),
        cmocka_unit_test(builds_path_and_query),      cmocka_unit_test(builds_json_bodies),
        cmocka_unit_test(refuses_bad_arguments),      cmocka_unit_test(lists_as_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
