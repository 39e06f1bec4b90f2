/* test_ghl_contract.c: every contacts operation the HighLevel emulator serves, through Stoplight
 * Prism in proxy mode: requests and answers are checked against HighLevel's own OpenAPI file
 * (specs/ghl/apps/contacts.json), by a validator that is not ours. */
#include "tests/sandbox/ghl_fixture.h"
#include "tests/support/prism.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

typedef struct cfx {
    gfx *fx;
    prism *prism;
    char base[64];
} cfx;

static int setup(void **state)
{
    cfx *c = calloc(1, sizeof(*c));
    c->fx = gfx_start(false);
    const char *specs = getenv("PHEEDSYNC_SPECS");
    char spec[1024];
    err e = {0};
    snprintf(spec, sizeof(spec), "%s/ghl/apps/contacts.json", specs ? specs : "../shared/specs");
    if (prism_start(&c->prism, spec, c->fx->base, &e) != 0) {
        print_message("prism unavailable: %s\n", e.msg);
        c->prism = NULL;
    } else {
        snprintf(c->base, sizeof(c->base), "http://127.0.0.1:%u", prism_port(c->prism));
    }
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    cfx *c = *state;
    prism_stop(c->prism);
    gfx_stop(c->fx);
    free(c);
    return 0;
}

/* One request through Prism; fails on any violation Prism reports or another status. */
static json_t *via(cfx *c, const char *method, const char *path, const char *body, long status)
{
    char auth[600], url[2048];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->fx->token);
    const char *h[] = {"Content-Type: application/json", "Version: 2021-07-28", auth, NULL};
    snprintf(url, sizeof(url), "%s%s", c->base, path);
    th_response *r = th_request(method, url, h, body, 20000);
    const char *violations = th_header(r, "sl-violations");
    if (violations || r->status != status)
        fail_msg("%s %s: %ld (expected %ld)\nviolations: %s\nbody: %s", method, path, r->status,
                 status, violations ? violations : "none", r->body ? r->body : "");
    json_t *j = json_incref(r->json);
    th_response_free(r);
    return j;
}

static char *str_of(json_t *j, const char *path)
{
    const char *s = json_string_value(jsonx_path(j, path));
    assert_non_null(s);
    return strdup(s);
}

static char *field_id(cfx *c, const char *key)
{
    char *path = gfx_fmt("/locations/%s/customFields", c->fx->location);
    th_response *r = gfx_api(c->fx, "GET", path, NULL);
    char *id = NULL;
    size_t i;
    json_t *f;
    json_array_foreach(jsonx_path(r->json, "customFields"), i, f)
    {
        if (strcmp(jsonx_str(f, "fieldKey"), key) == 0)
            id = strdup(jsonx_str(f, "id"));
    }
    th_response_free(r);
    free(path);
    assert_non_null(id);
    return id;
}

static void contact_operations(cfx *c, const char *loc, char **cid_out)
{
    char *ticket = field_id(c, "contact.ticket_type");
    char *body = gfx_fmt(
        "{\"locationId\":\"%s\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":"
        "\"ada@example.com\",\"phone\":\"+1 415 555 0134\",\"tags\":[\"VIP\"],\"companyName\":"
        "\"Analytical\",\"dnd\":false,\"dndSettings\":{\"Email\":{\"status\":\"active\"}},"
        "\"customFields\":[{\"id\":\"%s\",\"field_value\":\"VIP\"}],\"source\":\"public api\","
        "\"country\":\"US\",\"address1\":\"1 St\",\"city\":\"X\",\"state\":\"CA\",\"postalCode\":"
        "\"94000\",\"website\":\"https://x.example\",\"timezone\":\"America/Los_Angeles\"}",
        loc, ticket);
    json_t *j = via(c, "POST", "/contacts/", body, 201);
    char *cid = str_of(j, "contact.id");
    json_decref(j);
    free(body);
    body = gfx_fmt("{\"locationId\":\"%s\",\"email\":\"ADA@example.com\"}", loc);
    json_decref(via(c, "POST", "/contacts/", body, 400));
    free(body);
    body = gfx_fmt("{\"locationId\":\"%s\",\"email\":\"not an email\"}", loc);
    json_decref(via(c, "POST", "/contacts/", body, 422));
    free(body);
    char *path = gfx_fmt("/contacts/%s", cid);
    json_decref(via(c, "GET", path, NULL, 200));
    json_decref(via(c, "GET", "/contacts/NoSuchContact0000000", NULL, 400));
    json_decref(via(c, "PUT", path, "{\"firstName\":\"Augusta\",\"tags\":[\"a\",\"b\"]}", 200));
    body =
        gfx_fmt("{\"locationId\":\"%s\",\"email\":\"ada@example.com\",\"city\":\"London\"}", loc);
    json_decref(via(c, "POST", "/contacts/upsert", body, 200));
    free(body);
    body = gfx_fmt("{\"locationId\":\"%s\",\"email\":\"new@example.com\"}", loc);
    json_decref(via(c, "POST", "/contacts/upsert", body, 200));
    free(body);
    free(path);
    free(ticket);
    *cid_out = cid;
}

static void listing_operations(cfx *c, const char *loc, const char *cid)
{
    char *path = gfx_fmt("/contacts/search/duplicate?locationId=%s&email=ada%%40example.com", loc);
    json_decref(via(c, "GET", path, NULL, 200));
    free(path);
    path = gfx_fmt("/contacts/search/duplicate?locationId=%s&number=%%2B19995550000", loc);
    json_decref(via(c, "GET", path, NULL, 200));
    free(path);
    char *body = gfx_fmt("{\"locationId\":\"%s\",\"pageLimit\":10,\"filters\":[{\"field\":"
                         "\"email\",\"operator\":\"eq\",\"value\":\"ada@example.com\"}],"
                         "\"sort\":[{\"field\":\"dateAdded\",\"direction\":\"desc\"}]}",
                         loc);
    json_decref(via(c, "POST", "/contacts/search", body, 200));
    free(body);
    body = gfx_fmt("{\"locationId\":\"%s\",\"pageLimit\":501}", loc);
    json_decref(via(c, "POST", "/contacts/search", body, 400));
    free(body);
    path = gfx_fmt("/contacts/?locationId=%s&limit=1", loc);
    json_decref(via(c, "GET", path, NULL, 200));
    free(path);
    path = gfx_fmt("/contacts/?locationId=%s&limit=101", loc);
    json_decref(via(c, "GET", path, NULL, 400));
    free(path);
    path = gfx_fmt("/contacts/%s", cid);
    json_decref(via(c, "PUT", path, "{\"businessId\":\"biz1\"}", 200));
    free(path);
    path = gfx_fmt("/contacts/business/biz1?locationId=%s", loc);
    json_t *j = via(c, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(jsonx_path(j, "contacts")), 1);
    json_decref(j);
    free(path);
}

static void activity_operations(cfx *c, const char *cid)
{
    char *p = gfx_fmt("/contacts/%s/tags", cid);
    json_decref(via(c, "POST", p, "{\"tags\":[\"x\",\"y\"]}", 201));
    json_decref(via(c, "DELETE", p, "{\"tags\":[\"x\"]}", 200));
    free(p);
    p = gfx_fmt("/contacts/%s/tasks", cid);
    json_t *j = via(c, "POST", p,
                    "{\"title\":\"T\",\"body\":\"b\",\"dueDate\":"
                    "\"2024-01-01T00:00:00Z\",\"completed\":false}",
                    201);
    char *task = gfx_fmt("%s/%s", p, json_string_value(jsonx_path(j, "task.id")));
    json_decref(j);
    json_decref(via(c, "GET", p, NULL, 200));
    json_decref(via(c, "GET", task, NULL, 200));
    json_decref(via(c, "PUT", task, "{\"title\":\"T2\"}", 200));
    char *done = gfx_fmt("%s/completed", task);
    json_decref(via(c, "PUT", done, "{\"completed\":true}", 200));
    json_decref(via(c, "DELETE", task, NULL, 200));
    json_decref(via(c, "GET", task, NULL, 400));
    free(done);
    free(task);
    free(p);
    p = gfx_fmt("/contacts/%s/notes", cid);
    j = via(c, "POST", p, "{\"body\":\"hello\",\"title\":\"T\",\"pinned\":true}", 201);
    char *note = gfx_fmt("%s/%s", p, json_string_value(jsonx_path(j, "note.id")));
    json_decref(j);
    json_decref(via(c, "GET", p, NULL, 200));
    json_decref(via(c, "GET", note, NULL, 200));
    json_decref(via(c, "PUT", note, "{\"body\":\"hello again\"}", 200));
    json_decref(via(c, "DELETE", note, NULL, 200));
    free(note);
    free(p);
}

static void test_through_prism(void **state)
{
    cfx *c = *state;
    /* `make test` installs Prism (scripts/node-deps.sh): its absence is a failure, not a skip. */
    if (!c->prism)
        fail_msg("the validator did not start; run scripts/node-deps.sh");
    const char *loc = c->fx->location;
    char *cid = NULL;
    contact_operations(c, loc, &cid);
    listing_operations(c, loc, cid);
    activity_operations(c, cid);
    char *ui = gfx_fmt("/_sandbox/ui/contacts/%s/appointments", cid);
    th_response *r = gfx_admin(c->fx, "POST", ui,
                               "{\"calendarId\":\"cal\",\"title\":\"A\",\"notes\":\"n\","
                               "\"startTime\":\"2024-01-01T10:00:00Z\","
                               "\"endTime\":\"2024-01-01T11:00:00Z\"}");
    gfx_expect(r, 201);
    th_response_free(r);
    char *p = gfx_fmt("/contacts/%s/appointments", cid);
    json_t *j = via(c, "GET", p, NULL, 200);
    assert_int_equal(json_array_size(jsonx_path(j, "events")), 1);
    json_decref(j);
    free(p);
    p = gfx_fmt("/contacts/%s", cid);
    json_decref(via(c, "DELETE", p, NULL, 200));
    free(p);
    free(ui);
    free(cid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_through_prism, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
