/* test_refile.c: queued work filed under the link that syncs it (engine/refile.h): the owner of
 * a record key (contact, attendee and operation keys); a hint or operation under another link's
 * name is re-filed so that the owner's claims take it, one held by a live lease is left alone,
 * one of no link is reported and kept; the daemon re-files at startup. */
#include "util/common.h"
#include "engine/daemon.h"
#include "engine/refile.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <unistd.h>

static const char *const ev_a[] = {"EVA", NULL}, *const ev_b[] = {"EVB", "EVSHARED", NULL},
                         *const ev_c[] = {"EVSHARED", NULL};
/* default: LOCA with ORGA's EVA; "east": LOCB with ORGA's EVB and EVSHARED; "west": ORGC's
 * EVSHARED (the same code in another organization), no location. */
static const engine_link_cfg links[] = {
    {"LOCA", "ORGA", ev_a, ENGINE_DEFAULT_LINK},
    {"LOCB", "ORGA", ev_b, "east"},
    {NULL, "ORGC", ev_c, "west"},
};

typedef struct fx {
    char dir[64], url[128];
    store *s;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/pheedsync-refile-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->url, sizeof f->url, "sqlite:%s/state.db", f->dir);
    err e = {0};
    assert_int_equal(store_open(&f->s, f->url, NULL, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    store_close(f->s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void owner_of_keys(void **state)
{
    (void)state;
    assert_int_equal(engine_key_owner(links, 3, "ghl:LOCA:c1"), 0);
    assert_int_equal(engine_key_owner(links, 3, "ghl:LOCB:c1"), 1);
    assert_int_equal(engine_key_owner(links, 3, "ghl:LOCB:email:a@b.example"), 1);
    assert_int_equal(engine_key_owner(links, 3, "pl:ORGA:EVA:x"), 0);
    assert_int_equal(engine_key_owner(links, 3, "pl:ORGA:EVSHARED:x"), 1);
    assert_int_equal(engine_key_owner(links, 3, "pl:ORGC:EVSHARED:x"), 2);
    assert_int_equal(engine_key_owner(links, 3, "pl:ORGC:EVSHARED:email:a@b.example"), 2);
    /* Nobody's: another location, an event of another organization, malformed keys. */
    assert_int_equal(engine_key_owner(links, 3, "ghl:LOCZ:c1"), -1);
    assert_int_equal(engine_key_owner(links, 3, "pl:ORGC:EVA:x"), -1);
    assert_int_equal(engine_key_owner(links, 3, "pl:ORGA"), -1);
    assert_int_equal(engine_key_owner(links, 3, "ghl::c1"), -1);
    assert_int_equal(engine_key_owner(links, 3, "xyz:LOCA:c1"), -1);
    assert_int_equal(engine_key_owner(links, 3, ""), -1);
    assert_int_equal(engine_key_owner(links, 3, NULL), -1);
}

static void hint(store *s, const char *link, const char *key)
{
    err e = {0};
    store_hint_new h = {.source = "ghl", .kind = "poll", .record_key = key, .payload = "{}",
                        .link = link};
    assert_int_equal(store_inbox_append(NULL, s, &h, &e), 0);
}

static void op(store *s, const char *link, const char *key, const char *idem)
{
    err e = {0};
    store_op_new o = {.service = "ghl", .account = "LOCB", .kind = "ghl.update_contact",
                      .record_key = key, .payload = "{}", .idem_key = idem, .link = link};
    int64_t id;
    assert_int_equal(store_outbox_enqueue(&id, NULL, s, &o, &e), 0);
}

/* The record keys a handle bound to link claims (hints), as "k1,k2". */
static void claimed(fx *f, const char *link, char *out, size_t n)
{
    store *s = NULL;
    err e = {0};
    assert_int_equal(store_open(&s, f->url, NULL, &e), 0);
    assert_int_equal(store_bind_link(s, link, &e), 0);
    store_hints h = {0};
    assert_int_equal(store_inbox_claim(&h, s, "test", 60000, 100, &e), 0);
    out[0] = '\0';
    for (size_t i = 0; i < h.n; i++)
        snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? "," : "", h.v[i].record_key);
    for (size_t i = 0; i < h.n; i++)
        store_inbox_defer(s, &h.v[i], 0, &e);
    store_hints_free(&h);
    store_close(s);
}

static void misfiled_work_moves_to_its_link(void **state)
{
    fx *f = *state;
    hint(f->s, "", "ghl:LOCB:moved");        /* LOCB went to east */
    hint(f->s, "old-name", "pl:ORGA:EVA:a1"); /* a renamed link's: the default link's now */
    hint(f->s, "east", "ghl:LOCB:stays");     /* where it belongs */
    hint(f->s, "", "ghl:LOCGONE:c9");         /* nobody's */
    op(f->s, "", "ghl:LOCB:email:x@example.com", "op-1");
    engine_refile_report r = {0};
    err e = {0};
    /* Looking only changes nothing. */
    assert_int_equal(engine_refile_queues(&r, f->s, links, 3, false, &e), 0);
    assert_int_equal(r.misfiled_keys, 3);
    assert_int_equal(r.misfiled_rows, 3);
    assert_int_equal(r.unowned_keys, 1);
    char text[1024];
    engine_refile_text(text, sizeof text, &r, false);
    assert_non_null(strstr(text, "re-files them when it starts"));
    assert_non_null(strstr(text, "ghl:LOCGONE:c9"));
    engine_refile_report_free(&r);
    char got[512];
    claimed(f, "east", got, sizeof got);
    assert_string_equal(got, "ghl:LOCB:stays");

    assert_int_equal(engine_refile_queues(&r, f->s, links, 3, true, &e), 0);
    assert_int_equal(r.misfiled_rows, 3);
    assert_int_equal(r.busy_rows, 0);
    engine_refile_report_free(&r);
    claimed(f, "east", got, sizeof got);
    assert_string_equal(got, "ghl:LOCB:moved,ghl:LOCB:stays");
    claimed(f, "", got, sizeof got);
    assert_string_equal(got, "pl:ORGA:EVA:a1,ghl:LOCGONE:c9"); /* nobody's stays where it was */
    claimed(f, "old-name", got, sizeof got);
    assert_string_equal(got, "");
    /* The operation too: east's workers claim it. */
    store *s = NULL;
    assert_int_equal(store_open(&s, f->url, NULL, &e), 0);
    assert_int_equal(store_bind_link(s, "east", &e), 0);
    store_ops ops = {0};
    assert_int_equal(store_outbox_claim(&ops, s, "test", 60000, NULL, 10, &e), 0);
    assert_int_equal(ops.n, 1);
    store_ops_free(&ops);
    store_close(s);
    /* Nothing is left to move. */
    assert_int_equal(engine_refile_queues(&r, f->s, links, 3, true, &e), 0);
    assert_int_equal(r.misfiled_keys, 0);
    assert_int_equal(r.unowned_keys, 1);
    engine_refile_report_free(&r);
}

/* A hint a running planner holds (a live lease) stays; it is counted as busy. */
static void a_leased_hint_is_left_alone(void **state)
{
    fx *f = *state;
    hint(f->s, "", "ghl:LOCB:busy");
    store_hints h = {0};
    err e = {0};
    assert_int_equal(store_inbox_claim(&h, f->s, "planner", 600000, 10, &e), 0);
    assert_int_equal(h.n, 1);
    engine_refile_report r = {0};
    assert_int_equal(engine_refile_queues(&r, f->s, links, 3, true, &e), 0);
    assert_int_equal(r.misfiled_rows, 1);
    assert_int_equal(r.busy_rows, 1);
    engine_refile_report_free(&r);
    assert_int_equal(store_inbox_ack(f->s, &h.v[0], &e), 0); /* its claim still holds */
    store_hints_free(&h);
}

/* Bad arguments to the store call are refused with a message. */
static void bad_input(void **state)
{
    fx *f = *state;
    int64_t moved = 0;
    err e = {0};
    assert_int_equal(store_queue_refile(&moved, f->s, "", "", "east", &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "record_key"));
    char longname[80];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(store_queue_refile(&moved, f->s, "", "ghl:L:c", longname, &e), ERR_INVALID);
    assert_int_equal(store_queue_refile(&moved, f->s, NULL, "ghl:L:c", "east", &e), ERR_INVALID);
}

/* The daemon re-files before its threads start. */
static void the_daemon_refiles_at_startup(void **state)
{
    fx *f = *state;
    hint(f->s, "", "ghl:LOCB:moved");
    daemon_link dl[3];
    for (size_t i = 0; i < 3; i++)
        dl[i] = (daemon_link){.link = links[i]};
    daemon_options o = {.store_url = f->url, .links = dl, .n_links = 3};
    daemon *d = NULL;
    err e = {0};
    assert_int_equal(daemon_start(&d, &o, &e), 0);
    daemon_free(d);
    char got[256];
    claimed(f, "east", got, sizeof got);
    assert_string_equal(got, "ghl:LOCB:moved");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(owner_of_keys),
        cmocka_unit_test_setup_teardown(misfiled_work_moves_to_its_link, setup, teardown),
        cmocka_unit_test_setup_teardown(a_leased_hint_is_left_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(the_daemon_refiles_at_startup, setup, teardown),
    };
    return cmocka_run_group_tests_name("queued work under its link", tests, NULL, NULL);
}
