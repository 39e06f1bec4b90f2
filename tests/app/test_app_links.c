/* test_app_links.c: several links in one configuration: what each link is, the errors that
 * name the file, line and key (a location or an organization's event in two links, a link
 * missing a key, an unknown key, a bad name, a token without token sign-in), the clients each
 * link gets and which it shares, and each link's engine on the store. No server is contacted. */
#include "app/app.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <unistd.h>

#define HEAD                                                                                       \
    "[store]\nurl = sqlite:state.db\n"                                                             \
    "[ghl]\nauth = token\ntoken = pit-one\nlocation_id = L1\nbase_url = http://127.0.0.1:9\n"      \
    "[pheedloop]\nbase_url = http://127.0.0.1:9\norg_code = A\napi_key = ka\napi_secret = sa\n"    \
    "events = E1, E2\n"

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/pheedsync-links-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chdir(dir), 0);
    unsetenv("PHEEDSYNC_SEAL_KEY");
    return 0;
}

static int teardown(void **state)
{
    assert_int_equal(chdir("/"), 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Opens text as pheedsync.conf; the return code, with the message in e. */
static int open_text(app_ctx *a, const char *text, err *e)
{
    FILE *f = fopen("pheedsync.conf", "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    char *const env[] = {NULL};
    app_options o = {.command = "test", .envp = env};
    return app_open(a, &o, e);
}

static void fails_with(const char *text, const char *want)
{
    app_ctx a;
    err e = {0};
    int rc = open_text(&a, text, &e);
    app_close(&a);
    assert_int_equal(rc, ERR_CONFIG);
    if (!strstr(e.msg, want))
        fail_msg("message: %s\nwanted: %s", e.msg, want);
}

static void links_are_read_in_order(void **state)
{
    app_ctx a;
    err e = {0};
    assert_int_equal(open_text(&a,
                               HEAD "[link \"two\"]\nlocation_id = L2\norg_code = B\n"
                                    "events = E3\n"
                                    "[link \"three\"]\nlocation_id = L3\norg_code = A\n"
                                    "events = E4\n",
                               &e),
                     0);
    assert_int_equal(a.n_links, 3);
    assert_string_equal(a.links[0].cfg.name, "");
    assert_string_equal(a.links[0].cfg.location_id, "L1");
    assert_string_equal(a.links[0].cfg.events[1], "E2");
    assert_null(a.links[0].cfg.events[2]);
    assert_string_equal(a.links[1].cfg.name, "two");
    assert_string_equal(a.links[1].cfg.org_code, "B");
    assert_string_equal(a.links[1].cfg.events[0], "E3");
    assert_null(a.links[1].cfg.events[1]);
    assert_string_equal(a.events[0], "E1"); /* [pheedloop] events: the default link's */
    size_t i = 9;
    assert_int_equal(app_link_find(&i, &a, "three", &e), 0);
    assert_int_equal(i, 2);
    assert_int_equal(app_link_find(&i, &a, "default", &e), 0);
    assert_int_equal(i, 0);
    assert_int_equal(app_link_find(&i, &a, "four", &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "no link named 'four'"));
    assert_non_null(strstr(e.msg, "links: default, two, three"));
    app_close(&a);
}

/* Without [ghl] location_id and [pheedloop] events there is no default link beside named ones;
 * with no [link] at all, the one link is the default, as it always was. */
static void the_default_link_is_there_when_configured(void **state)
{
    app_ctx a;
    err e = {0};
    assert_int_equal(open_text(&a,
                               "[store]\nurl = sqlite:state.db\n"
                               "[link \"only\"]\nlocation_id = L2\norg_code = B\nevents = E3\n",
                               &e),
                     0);
    assert_int_equal(a.n_links, 1);
    assert_string_equal(a.links[0].cfg.name, "only");
    assert_null(a.events[0]);
    app_close(&a);
    assert_int_equal(open_text(&a, "[store]\nurl = sqlite:state.db\n", &e), 0);
    assert_int_equal(a.n_links, 1);
    assert_string_equal(a.links[0].cfg.name, "");
    app_close(&a);
}

static void overlaps_name_both_places(void **state)
{
    fails_with(HEAD "[link \"two\"]\nlocation_id = L1\norg_code = B\nevents = E3\n",
               "pheedsync.conf:15: [link \"two\"] location_id: location L1 is also in [ghl] "
               "location_id (pheedsync.conf:6); a location belongs to one link");
    fails_with(HEAD "[link \"two\"]\nlocation_id = L2\norg_code = A\nevents = E3, E2\n",
               "pheedsync.conf:17: [link \"two\"] events: event E2 of organization A is also in "
               "[pheedloop] events (pheedsync.conf:13); an organization's event belongs to one "
               "link");
    fails_with(HEAD "[link \"two\"]\nlocation_id = L2\norg_code = B\nevents = E3\n"
                    "[link \"three\"]\nlocation_id = L3\norg_code = B\nevents = E3\n",
               "pheedsync.conf:21: [link \"three\"] events: event E3 of organization B is also "
               "in [link \"two\"] events (pheedsync.conf:17)");
    /* The same event code in another organization is another event. */
    app_ctx a;
    err e = {0};
    assert_int_equal(
        open_text(&a, HEAD "[link \"two\"]\nlocation_id = L2\norg_code = B\nevents = E1\n", &e), 0);
    app_close(&a);
}

static void link_sections_are_checked(void **state)
{
    fails_with(HEAD "[link \"two\"]\nlocation_id = L2\nevents = E3\n",
               "pheedsync.conf:14: [link \"two\"] needs a 'org_code = ...' line");
    fails_with(HEAD "[link \"two\"]\nlocation_id = L2\norg_code = B\n",
               "pheedsync.conf:14: [link \"two\"] needs a 'events = ...' line");
    fails_with(HEAD "[link \"two\"]\nlocation_id = L2\norg_code = B\nevents = E3\nevent = E4\n",
               "pheedsync.conf:18: [link \"two\"] unknown key 'event' (did you mean 'events'?)");
    fails_with(HEAD "[link \"Default\"]\nlocation_id = L2\norg_code = B\nevents = E3\n",
               "pheedsync.conf:14: [link \"Default\"]: \"default\" names the link of [ghl] and "
               "[pheedloop]");
    fails_with(HEAD "[link \"two words\"]\nlocation_id = L2\norg_code = B\nevents = E3\n",
               "pheedsync.conf:14: [link \"two words\"]: a link's name is 1 to 64 letters");
    fails_with("[ghl]\nlocation_id = L1\n[link \"two\"]\nlocation_id = L2\norg_code = B\n"
               "events = E3\ntoken = pit-two\n",
               "pheedsync.conf:7: [link \"two\"] token: read only with [ghl] auth = token");
}

/* Links of one organization and credentials share its client (its rate budget); a link with an
 * organization or token of its own gets its own client. Each engine's store handle is bound to
 * its link. */
static void clients_per_account(void **state)
{
    app_ctx a;
    err e = {0};
    assert_int_equal(open_text(&a,
                               HEAD "[link \"same-org\"]\nlocation_id = L2\norg_code = A\n"
                                    "events = E3\n"
                                    "[link \"other\"]\nlocation_id = L3\norg_code = B\n"
                                    "events = E4\ntoken = pit-three\napi_key = kb\n"
                                    "api_secret = sb\n",
                               &e),
                     0);
    assert_int_equal(app_require(&a, APP_STORE | APP_GHL | APP_PL, &e), 0);
    assert_ptr_equal(a.links[0].pl, a.pl);
    assert_ptr_equal(a.links[1].pl, a.pl);
    assert_ptr_not_equal(a.links[2].pl, a.pl);
    assert_string_equal(pl_client_org(a.links[2].pl), "B");
    assert_ptr_equal(a.links[0].ghl, a.ghl);
    assert_ptr_equal(a.links[1].ghl, a.ghl); /* signs in with [ghl] token */
    assert_ptr_not_equal(a.links[2].ghl, a.ghl);
    engine en;
    app_link_engine(&en, &a, 2);
    assert_string_equal(en.link.name, "other");
    assert_string_equal(en.link.location_id, "L3");
    assert_ptr_equal(en.ghl, a.links[2].ghl);
    assert_string_equal(store_bound_link(a.store), "other");
    app_engine(&en, &a);
    assert_string_equal(en.link.location_id, "L1");
    assert_string_equal(store_bound_link(a.store), "");
    app_close(&a);
}

/* A link without PheedLoop credentials of its own or shared says where to put them. */
static void missing_credentials_say_what_to_do(void **state)
{
    app_ctx a;
    err e = {0};
    assert_int_equal(open_text(&a,
                               "[store]\nurl = sqlite:state.db\n[pheedloop]\n"
                               "base_url = http://127.0.0.1:9\n"
                               "[link \"two\"]\nlocation_id = L2\norg_code = B\nevents = E3\n",
                               &e),
                     0);
    assert_int_equal(app_require(&a, APP_PL, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "[link \"two\"]: no PheedLoop api_key and api_secret for "
                                  "organization B"));
    assert_non_null(strstr(e.msg, "`pheedsync connect pheedloop --link two`"));
    app_close(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(links_are_read_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(the_default_link_is_there_when_configured, setup, teardown),
        cmocka_unit_test_setup_teardown(overlaps_name_both_places, setup, teardown),
        cmocka_unit_test_setup_teardown(link_sections_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(clients_per_account, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_credentials_say_what_to_do, setup, teardown),
    };
    return cmocka_run_group_tests_name("app links", tests, NULL, NULL);
}
