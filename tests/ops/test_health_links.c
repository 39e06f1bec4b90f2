/* test_health_links.c: the daemon's health record with several links: the first link's
 * services where a configuration of one link has them, every other link's in "links" and in
 * /readyz's checks as "SERVICE:LINK"; a connection of another link that cannot be checked
 * makes the daemon not ready, naming the link; with several links /api/status names each
 * link's events and the first link, and a connection that is not there carries the command
 * that connects it. No network: the clients are never called. */
#include "ops/api_metrics.h"
#include "ops/health.h"
#include "util/jsonx.h"

#include <unistd.h>

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

/* A grant manager over a store of its own in dir, holding no grant. */
static ghl_tokens *no_grants(char dir[64], crypto_key **key)
{
    snprintf(dir, 64, "/tmp/pheedsync-health-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/state.db", dir);
    unsigned char raw[CRYPTO_SEAL_KEY_LEN];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (unsigned char)(i * 5 + 3);
    err e = {0};
    assert_int_equal(crypto_key_from_raw(key, raw, &e), 0);
    ghl_tokens_config tc = {.store_url = url, .key = *key};
    ghl_tokens *t = NULL;
    assert_int_equal(ghl_tokens_new(&t, &tc, &e), 0);
    return t;
}

static void attempt(ops_api_metrics *am, const char *label, api_error_kind kind)
{
    http_client_attempt_info info = {.label = label,
                                     .method = "GET",
                                     .transport = API_TRANSPORT_NONE,
                                     .status = kind == API_OK ? 200 : 429,
                                     .kind = kind};
    ops_api_observe(am, &info);
}

/* With several links, each link's service counts the calls made for its own account; with one,
 * the service counts every call as before. */
static void every_link_counts_its_own_calls(void **state)
{
    (void)state;
    metrics *m = NULL;
    err e = {0};
    assert_int_equal(metrics_new(&m, &e), 0);
    ops_api_metrics am;
    assert_int_equal(ops_api_metrics_init(&am, m, &e), 0);
    for (int i = 0; i < 3; i++)
        attempt(&am, "pheedloop list-attendees @ORGA", API_OK);
    attempt(&am, "pheedloop list-attendees @ORGB", API_OK);
    attempt(&am, "pheedloop list-attendees @ORGB", API_ERR_RATE);
    http_client *http = NULL;
    assert_int_equal(http_client_new(&http, NULL, &e), 0);
    pl_client *a = pl_for(http, "ORGA"), *b = pl_for(http, "ORGB");
    ops_link_src more[] = {{.name = "east", .pl = b}};
    ops_status_src src = {.store_error = "not open in this test",
                          .pl = a,
                          .api = &am,
                          .now_ms = 1767225600000LL,
                          .more = more,
                          .n_more = 1};
    ops_health h;
    ops_health_collect(&h, &src);
    assert_int_equal(h.n_services, 2);
    assert_int_equal(h.services[0].api.calls, 3);
    assert_int_equal(h.services[0].api.failures, 0);
    assert_int_equal(h.services[1].api.calls, 2);
    assert_int_equal(h.services[1].api.rate_limited, 1);
    src.n_more = 0; /* one link: every call of the service */
    ops_health_collect(&h, &src);
    assert_int_equal(h.n_services, 1);
    assert_int_equal(h.services[0].api.calls, 5);
    pl_client_free(a);
    pl_client_free(b);
    http_client_free(http);
    metrics_free(m);
}

static void remove_dir(const char *dir)
{
    const char *files[] = {"state.db", "state.db-wal", "state.db-shm"};
    char path[128];
    for (size_t i = 0; i < PS_ARRAY_LEN(files); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static const char *const EAST_EVENTS[] = {"EVE3", "EVE4", NULL};
static const char *const FIRST_EVENTS[] = {"EVE1", NULL};

/* What the status page reads of each link: names, accounts, events, and the command to run
 * where a location has no grant. */
static void the_page_reads_every_link(void **state)
{
    (void)state;
    http_client *http = NULL;
    err e = {0};
    assert_int_equal(http_client_new(&http, NULL, &e), 0);
    char dir[64];
    crypto_key *key = NULL;
    ghl_tokens *tokens = no_grants(dir, &key);
    ghl_client_config cc = {.base_url = "http://127.0.0.1:9", .http = http, .tokens = tokens};
    ghl_client *g = NULL;
    assert_int_equal(ghl_client_new(&g, &cc, &e), 0);
    pl_client *a = pl_for(http, "ORGA"), *b = pl_for(http, "ORGB");
    ops_link_src more[] = {{.name = "east",
                            .ghl = g,
                            .ghl_tokens = tokens,
                            .location_id = "LOCEAST",
                            .pl = b,
                            .events = EAST_EVENTS}};
    ops_status_src src = {.store_error = "not open in this test",
                          .ghl = g,
                          .ghl_tokens = tokens,
                          .location_id = "LOCWEST",
                          .pl = a,
                          .now_ms = 1767225600000LL,
                          .link_name = "default",
                          .events = FIRST_EVENTS};
    ops_health h;

    /* One link: nothing about links, as before. */
    ops_health_collect(&h, &src);
    json_t *j = ops_health_json(&h, &src);
    assert_null(json_object_get(j, "links"));
    assert_null(json_object_get(j, "link"));
    assert_string_equal(jsonx_str(jsonx_path(j, "services.ghl"), "auth"), "not_connected");
    assert_string_equal(jsonx_str(jsonx_path(j, "services.ghl"), "fix"), "pheedsync connect ghl");
    assert_null(jsonx_path(j, "services.pheedloop.fix"));
    json_decref(j);

    src.more = more;
    src.n_more = 1;
    ops_health_collect(&h, &src);
    j = ops_health_json(&h, &src);
    assert_string_equal(jsonx_str(jsonx_path(j, "link"), "name"), "default");
    assert_string_equal(json_string_value(jsonx_path(j, "link.events.0")), "EVE1");
    const json_t *east = json_array_get(json_object_get(j, "links"), 0);
    assert_string_equal(jsonx_str(east, "name"), "east");
    assert_int_equal(json_array_size(json_object_get(east, "events")), 2);
    assert_string_equal(json_string_value(jsonx_path(east, "events.1")), "EVE4");
    assert_string_equal(jsonx_str(jsonx_path(east, "services.ghl"), "account"), "LOCEAST");
    assert_string_equal(jsonx_str(jsonx_path(east, "services.ghl"), "auth"), "not_connected");
    assert_string_equal(jsonx_str(jsonx_path(east, "services.ghl"), "fix"),
                        "pheedsync connect ghl --link east");
    assert_string_equal(jsonx_str(jsonx_path(east, "services.pheedloop"), "account"), "ORGB");
    bool named = false;
    for (size_t i = 0; i < h.n_problems; i++)
        named |= strstr(h.problems[i], "run `pheedsync connect ghl --link east`") != NULL;
    assert_true(named);
    json_decref(j);

    /* A first link that is a [link] of its own is connected with its name; unknown events are
     * left out rather than shown empty. */
    src.link_name = "west";
    src.events = NULL;
    more[0].events = NULL;
    ops_health_collect(&h, &src);
    j = ops_health_json(&h, &src);
    assert_string_equal(jsonx_str(jsonx_path(j, "services.ghl"), "fix"),
                        "pheedsync connect ghl --link west");
    assert_string_equal(jsonx_str(jsonx_path(j, "link"), "name"), "west");
    assert_null(jsonx_path(j, "link.events"));
    assert_null(json_object_get(json_array_get(json_object_get(j, "links"), 0), "events"));
    json_decref(j);

    ghl_client_free(g);
    ghl_tokens_free(tokens);
    crypto_key_free(key);
    pl_client_free(a);
    pl_client_free(b);
    http_client_free(http);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_link_is_watched),
        cmocka_unit_test(every_link_counts_its_own_calls),
        cmocka_unit_test(the_page_reads_every_link),
    };
    return cmocka_run_group_tests_name("health of several links", tests, NULL, NULL);
}
