/* test_health_links.c: the daemon's health record with several links: the first link's
 * services where a configuration of one link has them, every other link's in "links" and in
 * /readyz's checks as "SERVICE:LINK"; a connection of another link that cannot be checked
 * makes the daemon not ready, naming the link. No network: the clients are never called. */
#include "ops/health.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static pl_client *pl_for(http_client *http, const char *org)
{
    pl_client_config pc = {.base_url = "http://127.0.0.1:9",
                           .org_code = org,
                           .api_key = "k",
                           .api_secret = "s",
                           .http = http};
    pl_client *pl = NULL;
    err e = {0};
    assert_int_equal(pl_client_new(&pl, &pc, &e), 0);
    return pl;
}

static void every_link_is_watched(void **state)
{
    (void)state;
    http_client *http = NULL;
    err e = {0};
    assert_int_equal(http_client_new(&http, NULL, &e), 0);
    pl_client *a = pl_for(http, "ORGA"), *b = pl_for(http, "ORGB");
    ops_link_src more[] = {{.name = "east", .pl = b}};
    ops_status_src src = {.store_error = "not open in this test",
                          .pl = a,
                          .now_ms = 1767225600000LL,
                          .more = more,
                          .n_more = 1};
    ops_health h;
    ops_health_collect(&h, &src);
    assert_int_equal(h.n_services, 2);
    json_t *j = ops_health_json(&h, &src);
    assert_string_equal(jsonx_str(jsonx_path(j, "services.pheedloop"), "account"), "ORGA");
    const json_t *east = json_array_get(json_object_get(j, "links"), 0);
    assert_string_equal(jsonx_str(east, "name"), "east");
    assert_string_equal(jsonx_str(jsonx_path(east, "services.pheedloop"), "account"), "ORGB");
    json_decref(j);
    json_t *r = ops_readiness_json(&h);
    assert_string_equal(jsonx_str(jsonx_path(r, "checks"), "pheedloop"), "ok");
    assert_string_equal(jsonx_str(jsonx_path(r, "checks"), "pheedloop:east"), "ok");
    json_decref(r);
    char key[80];
    ops_service_key(key, sizeof key, &h.services[1]);
    assert_string_equal(key, "pheedloop:east");
    ops_service_key(key, sizeof key, &h.services[0]);
    assert_string_equal(key, "pheedloop");

    /* East's HighLevel connection has no grant to read: not ready, and the problem says which
     * link and what to run. */
    ghl_client_config cc = {.base_url = "http://127.0.0.1:9", .http = http};
    ghl_client *g = NULL;
    if (ghl_client_new(&g, &cc, &e) == 0) {
        more[0].ghl = g;
        more[0].location_id = "LOCEAST";
        ops_health_collect(&h, &src);
        assert_false(h.ready);
        bool named = false;
        for (size_t i = 0; i < h.n_problems; i++)
            named |= strstr(h.problems[i], "HighLevel (link east)") != NULL;
        assert_true(named);
        r = ops_readiness_json(&h);
        assert_non_null(strstr(jsonx_str(jsonx_path(r, "checks"), "ghl:east"), "unknown"));
        json_decref(r);
        ghl_client_free(g);
    }
    pl_client_free(a);
    pl_client_free(b);
    http_client_free(http);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_link_is_watched),
    };
    return cmocka_run_group_tests_name("health of several links", tests, NULL, NULL);
}
