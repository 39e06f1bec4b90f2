/* test_merge.c: the three-way merge: every combination of changed and unchanged per side, with
 * each owner and direction, first links, unreadable values, echoes, tag deltas and shadows. */
#include "core/merge.h"
#include "core_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* A map with the defaults and one extra field "f" (ghl contact.f, pheedloop metadata.f). */
static core_map *map_with(const char *sync_dir, const char *dir, const char *owner)
{
    char text[512];
    snprintf(text, sizeof text,
             "[sync]\ndirection = %s\n[field \"f\"]\nghl = contact.f\npheedloop = metadata.f\n"
             "direction = %s\n%s%s%s",
             sync_dir, dir, owner ? "owner = " : "", owner ? owner : "", owner ? "\n" : "");
    config *cfg = NULL;
    err e;
    if (config_load_string(&cfg, text, strlen(text), "t.conf", NULL, &e) != 0)
        fail_msg("config: %s", e.msg);
    core_map *m = NULL;
    if (core_map_from_config(&m, cfg, &e) != 0)
        fail_msg("map: %s", e.msg);
    config_free(cfg);
    return m;
}

static core_person person(const char *values, const char *invalid, const char *derived)
{
    core_person p = {ct_json(values), json_object(), ct_json(invalid ? invalid : "{}"),
                     ct_json(derived ? derived : "[]")};
    return p;
}

/* ---------------------------------------------------------------- one field, every case */

#define NO_SHADOW "-"
enum { NONE = -1 };

typedef struct row {
    const char *dir, *owner;
    core_side last;
    const char *sh_g, *sh_p, *g, *p; /* NULL: empty; NO_SHADOW: no shadow at all */
    const char *to_g, *to_p;         /* NULL: no write; "null": empty it */
    int kind;                        /* core_decision_kind or NONE */
    core_side winner;
    bool audit, echo;
} row;

static json_t *values_of(const char *v)
{
    json_t *o = json_object();
    if (v)
        json_object_set_new(o, "f", json_string(v));
    return o;
}

/* A shadow as the worker stores it: every active field present, empty ones null. */
static json_t *full_shadow(const core_map *m, const char *values)
{
    json_t *o = ct_json(values);
    for (size_t i = 0; i < core_map_count(m); i++) {
        const core_field *f = core_map_at(m, i);
        if (f->dir != CORE_DIR_NONE && !json_object_get(o, f->name))
            json_object_set_new(o, f->name, json_null());
    }
    return o;
}

static json_t *shadow_of(const core_map *m, const char *v)
{
    if (v && strcmp(v, NO_SHADOW) == 0)
        return NULL;
    json_t *o = full_shadow(m, "{}");
    json_object_set_new(o, "f", v ? json_string(v) : json_null());
    return o;
}

static void expect_write(const json_t *writes, const char *want, size_t line)
{
    const json_t *got = json_object_get(writes, "f");
    if (!want) {
        if (got)
            fail_msg("row at line %zu: unexpected write", line);
        return;
    }
    if (!got)
        fail_msg("row at line %zu: no write, wanted %s", line, want);
    if (strcmp(want, "null") == 0)
        assert_true(json_is_null(got));
    else
        assert_string_equal(json_string_value(got), want);
}

static void run_row(const row *r, size_t line)
{
    core_map *m = map_with("both", r->dir, r->owner);
    core_person g = {values_of(r->g), json_object(), json_object(), json_array()};
    core_person p = {values_of(r->p), json_object(), json_object(), json_array()};
    json_t *sg = shadow_of(m, r->sh_g), *sp = shadow_of(m, r->sh_p);
    /* The defaults are empty on both sides, so only "f" can matter. */
    core_merge_in in = {m, &g, &p, sg, sp, r->last, 1000};
    core_merge_out o;
    err e;
    assert_int_equal(core_merge(&o, &in, &e), 0);
    expect_write(o.to_ghl, r->to_g, line);
    expect_write(o.to_pl, r->to_p, line);
    if (r->kind == NONE) {
        if (o.n_decisions)
            fail_msg("row at line %zu: unexpected decision %s (%s)", line,
                     core_decision_kind_name(o.decisions[0].kind), o.decisions[0].reason);
    } else {
        if (o.n_decisions != 1)
            fail_msg("row at line %zu: %zu decisions", line, o.n_decisions);
        const core_decision *d = &o.decisions[0];
        if ((int)d->kind != r->kind)
            fail_msg("row at line %zu: decision %s, wanted %s (%s)", line,
                     core_decision_kind_name(d->kind),
                     core_decision_kind_name((core_decision_kind)r->kind), d->reason);
        assert_string_equal(d->field, "f");
        assert_int_equal(d->winner, r->winner);
        assert_int_equal(d->audit, r->audit);
    }
    if (o.echo != r->echo)
        fail_msg("row at line %zu: echo %d", line, o.echo);
    assert_int_equal(o.at_ms, 1000);
    core_merge_out_clear(&o);
    core_person_clear(&g);
    core_person_clear(&p);
    json_decref(sg);
    json_decref(sp);
    core_map_free(m);
}

#define G CORE_GHL
#define P CORE_PL
#define ONE CORE_DECIDE_ONE_SIDE
#define CONV CORE_DECIDE_CONVERGED
#define CONF CORE_DECIDE_CONFLICT
#define FIRST CORE_DECIDE_FIRST_LINK
#define DIR CORE_DECIDE_DIRECTION
#define BOTH "both"
#define G2P "ghl_to_pheedloop"
#define P2G "pheedloop_to_ghl"
#define ROW(...)                                                                                   \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }

static void two_way_field_every_case(void **state)
{
    (void)state;
    static const row rows[] = {
        /* dir, owner, last, sh_g, sh_p, g, p, to_g, to_p, kind, winner, audit, echo */
        ROW(BOTH, NULL, G, "A", "A", "A", "A", NULL, NULL, NONE, G, false, true),
        ROW(BOTH, NULL, G, "A", "A", "B", "A", NULL, "B", ONE, G, false, false),
        ROW(BOTH, NULL, G, "A", "A", "A", "B", "B", NULL, ONE, P, false, false),
        ROW(BOTH, NULL, P, "A", "A", "B", "B", NULL, NULL, CONV, P, false, false),
        ROW(BOTH, NULL, P, "A", "A", NULL, "A", NULL, "null", ONE, G, false, false),
        ROW(BOTH, NULL, G, "A", "A", "A", NULL, "null", NULL, ONE, P, false, false),
        ROW(BOTH, NULL, G, NULL, NULL, "B", NULL, NULL, "B", ONE, G, false, false),
        /* Neither changed, yet they differ: a write is still on its way. */
        ROW(BOTH, NULL, G, "A", "B", "A", "B", NULL, NULL, NONE, G, false, true),
        /* One changed to what the other already has. */
        ROW(BOTH, NULL, G, "A", "B", "B", "B", NULL, NULL, NONE, G, false, false),
        /* Both changed, differently: the owner decides. */
        ROW(BOTH, "highlevel", P, "A", "A", "B", "C", NULL, "B", CONF, G, true, false),
        ROW(BOTH, "pheedloop", G, "A", "A", "B", "C", "C", NULL, CONF, P, true, false),
        ROW(BOTH, "newest", G, "A", "A", "B", "C", NULL, "B", CONF, G, true, false),
        ROW(BOTH, "newest", P, "A", "A", "B", "C", "C", NULL, CONF, P, true, false),
        ROW(BOTH, NULL, P, "A", "A", NULL, "C", "C", NULL, CONF, P, true, false),
        ROW(BOTH, "highlevel", P, "A", "A", NULL, "C", NULL, "null", CONF, G, true, false),
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        run_row(&rows[i], i);
}

static void one_way_fields(void **state)
{
    (void)state;
    static const row rows[] = {
        ROW(G2P, NULL, G, "A", "A", "B", "A", NULL, "B", ONE, G, false, false),
        /* A change on the target side is not carried back, and is audited. */
        ROW(G2P, NULL, G, "A", "A", "A", "B", NULL, NULL, DIR, G, true, false),
        ROW(P2G, NULL, G, "A", "A", "B", "A", NULL, NULL, DIR, P, true, false),
        ROW(P2G, NULL, G, "A", "A", "A", "B", "B", NULL, ONE, P, false, false),
        /* Both changed: the source wins, whoever changed last. */
        ROW(P2G, NULL, G, "A", "A", "B", "C", "C", NULL, CONF, P, true, false),
        ROW(G2P, NULL, P, "A", "A", "B", "C", NULL, "B", CONF, G, true, false),
        ROW(G2P, NULL, P, "A", "A", "B", "B", NULL, NULL, CONV, P, false, false),
        ROW(G2P, NULL, P, "A", "A", "A", "A", NULL, NULL, NONE, G, false, true),
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        run_row(&rows[i], i + 100);
}

static void first_links(void **state)
{
    (void)state;
    static const row rows[] = {
        ROW(BOTH, NULL, G, NO_SHADOW, NO_SHADOW, "A", "A", NULL, NULL, NONE, G, false, false),
        ROW(BOTH, NULL, G, NO_SHADOW, NO_SHADOW, NULL, NULL, NULL, NULL, NONE, G, false, false),
        /* Non-empty beats empty. */
        ROW(BOTH, NULL, G, NO_SHADOW, NO_SHADOW, NULL, "A", "A", NULL, FIRST, P, false, false),
        ROW(BOTH, "pheedloop", G, NO_SHADOW, NO_SHADOW, "A", NULL, NULL, "A", FIRST, G, false,
            false),
        /* Both set and different: the owner, audited. */
        ROW(BOTH, "pheedloop", G, NO_SHADOW, NO_SHADOW, "B", "A", "A", NULL, FIRST, P, true, false),
        ROW(BOTH, NULL, G, NO_SHADOW, NO_SHADOW, "B", "A", NULL, "B", FIRST, G, true, false),
        ROW(P2G, NULL, G, NO_SHADOW, NO_SHADOW, "B", "A", "A", NULL, FIRST, P, true, false),
        /* The only value is on the side that may not send it: it stays there. */
        ROW(P2G, NULL, G, NO_SHADOW, NO_SHADOW, "B", NULL, NULL, NULL, DIR, P, false, false),
        /* One shadow missing is a first link too. */
        ROW(BOTH, NULL, G, "A", NO_SHADOW, "A", NULL, NULL, "A", FIRST, G, false, false),
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        run_row(&rows[i], i + 200);
}

static void a_field_new_to_the_map_is_a_first_link(void **state)
{
    (void)state;
    core_map *m = map_with("both", "both", NULL);
    core_person g = person("{\"f\": \"x\", \"city\": \"SF\"}", NULL, NULL);
    core_person p = person("{\"city\": \"SF\"}", NULL, NULL);
    json_t *sg = full_shadow(m, "{\"city\": \"SF\"}"), *sp = full_shadow(m, "{\"city\": \"SF\"}");
    json_object_del(sg, "f");
    json_object_del(sp, "f");
    core_merge_in in = {m, &g, &p, sg, sp, CORE_GHL, 5};
    core_merge_out o;
    err e;
    assert_int_equal(core_merge(&o, &in, &e), 0);
    ct_assert_json(o.to_pl, "{\"f\": \"x\"}");
    ct_assert_json(o.to_ghl, "{}");
    assert_false(o.echo);
    core_merge_out_clear(&o);
    core_person_clear(&g);
    core_person_clear(&p);
    json_decref(sg);
    json_decref(sp);
    core_map_free(m);
}

static void sync_direction_narrows_the_merge(void **state)
{
    (void)state;
    core_map *m = map_with("pheedloop_to_ghl", "both", "highlevel");
    core_person g = person("{\"f\": \"B\", \"city\": \"X\"}", NULL, NULL);
    core_person p = person("{\"f\": \"C\", \"city\": \"SF\"}", NULL, NULL);
    json_t *sg = ct_json("{\"f\": \"A\", \"city\": \"SF\"}"),
           *sp = ct_json("{\"f\": \"A\", \"city\": "
                         "\"SF\"}");
    core_merge_in in = {m, &g, &p, sg, sp, CORE_GHL, 5};
    core_merge_out o;
    err e;
    assert_int_equal(core_merge(&o, &in, &e), 0);
    /* f: both changed, owner highlevel, but only PheedLoop may send: PheedLoop wins. */
    ct_assert_json(o.to_ghl, "{\"f\": \"C\"}");
    ct_assert_json(o.to_pl, "{}");
    assert_int_equal(o.n_decisions, 2);
    assert_string_equal(o.decisions[0].field, "city");
    assert_int_equal(o.decisions[0].kind, CORE_DECIDE_DIRECTION);
    assert_true(o.decisions[0].audit);
    ct_assert_json(o.decisions[0].before, "\"X\"");
    ct_assert_json(o.decisions[0].after, "\"SF\"");
    assert_string_equal(o.decisions[0].reason,
                        "changed on HighLevel only, not carried: direction = pheedloop_to_ghl");
    assert_int_equal(o.decisions[1].kind, CORE_DECIDE_CONFLICT);
    assert_string_equal(o.decisions[1].reason,
                        "changed on both sides; direction = pheedloop_to_ghl: the source wins");
    core_merge_out_clear(&o);
    core_person_clear(&g);
    core_person_clear(&p);
    json_decref(sg);
    json_decref(sp);
    core_map_free(m);
}

static void conflict_decision_carries_what_the_audit_needs(void **state)
{
    (void)state;
    core_map *m = map_with("both", "both", NULL);
    core_person g = person("{\"f\": \"B\"}", NULL, NULL);
    core_person p = person("{\"f\": \"C\"}", NULL, NULL);
    json_t *sh = ct_json("{\"f\": \"A\"}");
    core_merge_in in = {m, &g, &p, sh, sh, CORE_PL, 77};
    core_merge_out o;
    err e;
    assert_int_equal(core_merge(&o, &in, &e), 0);
    assert_int_equal(o.n_decisions, 1);
    const core_decision *d = &o.decisions[0];
    assert_int_equal(d->kind, CORE_DECIDE_CONFLICT);
    assert_int_equal(d->winner, CORE_PL);
    ct_assert_json(d->before, "\"B\"");
    ct_assert_json(d->after, "\"C\"");
    assert_string_equal(d->reason, "changed on both sides; owner = newest: PheedLoop changed last");
    assert_true(d->audit);
    assert_string_equal(core_decision_kind_name(d->kind), "conflict");
    assert_true(core_merge_writes(&o, CORE_GHL));
    assert_false(core_merge_writes(&o, CORE_PL));
    core_merge_out_clear(&o);
    core_merge_out_clear(&o);
    core_person_clear(&g);
    core_person_clear(&p);
    json_decref(sh);
    core_map_free(m);
}

static void unreadable_values(void **state)
{
    (void)state;
    core_map *m = map_with("both", "both", NULL);
    json_t *sh = full_shadow(m, "{\"phone\": \"+14155550134\"}");
    core_merge_out o;
    err e;
    /* Unreadable on PheedLoop, unchanged on HighLevel: left alone, and it is an echo. */
    core_person g = person("{\"phone\": \"+14155550134\"}", NULL, NULL);
    core_person p = person("{}", "{\"phone\": \"'12' is not a phone number\"}", NULL);
    core_merge_in in = {m, &g, &p, sh, sh, CORE_PL, 1};
    assert_int_equal(core_merge(&o, &in, &e), 0);
    ct_assert_json(o.to_ghl, "{}");
    ct_assert_json(o.to_pl, "{}");
    assert_int_equal(o.n_decisions, 0);
    assert_true(o.echo);
    core_merge_out_clear(&o);
    core_person_clear(&g);
    /* Changed on HighLevel: it replaces the unreadable value, and that is audited. */
    g = person("{\"phone\": \"+14155550199\"}", NULL, NULL);
    assert_int_equal(core_merge(&o, &in, &e), 0);
    ct_assert_json(o.to_pl, "{\"phone\": \"+14155550199\"}");
    assert_int_equal(o.n_decisions, 1);
    assert_int_equal(o.decisions[0].kind, CORE_DECIDE_INVALID);
    assert_true(o.decisions[0].audit);
    core_merge_out_clear(&o);
    /* Unreadable on both: nothing. */
    core_person_clear(&g);
    g = person("{}", "{\"phone\": \"bad\"}", NULL);
    assert_int_equal(core_merge(&o, &in, &e), 0);
    assert_int_equal(o.n_decisions, 0);
    ct_assert_json(o.to_pl, "{}");
    ct_assert_json(o.to_ghl, "{}");
    core_merge_out_clear(&o);
    /* First link, unreadable on one side: the readable value replaces it, audited. */
    core_person_clear(&g);
    g = person("{\"phone\": \"+14155550134\"}", NULL, NULL);
    in.shadow_ghl = in.shadow_pl = NULL;
    assert_int_equal(core_merge(&o, &in, &e), 0);
    ct_assert_json(o.to_pl, "{\"phone\": \"+14155550134\"}");
    assert_int_equal(o.decisions[0].kind, CORE_DECIDE_INVALID);
    assert_true(o.decisions[0].audit);
    core_merge_out_clear(&o);
    core_person_clear(&g);
    core_person_clear(&p);
    json_decref(sh);
    core_map_free(m);
}

static void echo_of_our_own_write(void **state)
{
    (void)state;
    core_map *m = map_with("both", "both", NULL);
    core_person g =
        person("{\"first_name\": \"Ada\", \"f\": \"x\", \"tags\": [\"a\"]}", NULL, NULL);
    core_person p = person("{\"first_name\": \"Ada\", \"f\": \"x\", \"tags\": [\"a\", "
                           "\"event:e1\"]}",
                           NULL, "[\"event:e1\"]");
    json_t *sg = core_person_shadow(m, &g), *sp = core_person_shadow(m, &p);
    ct_assert_json(json_object_get(sg, "last_name"), "null");
    core_merge_in in = {m, &g, &p, sg, sp, CORE_PL, 1};
    core_merge_out o;
    err e;
    assert_int_equal(core_merge(&o, &in, &e), 0);
    assert_true(o.echo);
    assert_false(core_merge_writes(&o, CORE_GHL));
    assert_false(core_merge_writes(&o, CORE_PL));
    assert_int_equal(o.n_decisions, 0);
    core_merge_out_clear(&o);
    core_person_clear(&g);
    core_person_clear(&p);
    json_decref(sg);
    json_decref(sp);
    core_map_free(m);
}

/* ---------------------------------------------------------------- tags */

typedef struct tag_case {
    const char *sh_g, *sh_p, *g, *p, *derived;
    const char *add_g, *remove_g, *add_p, *remove_p;
} tag_case;

static core_merge_out merge_tags(const char *dir, const char *owner, core_side last,
                                 const tag_case *c)
{
    core_map *m = map_with("both", "both", NULL);
    if (dir || owner) {
        char text[256];
        snprintf(text, sizeof text, "[field \"tags\"]\nghl = tags\npheedloop = tags\n%s%s%s%s%s%s",
                 dir ? "direction = " : "", dir ? dir : "", dir ? "\n" : "",
                 owner ? "owner = " : "", owner ? owner : "", owner ? "\n" : "");
        config *cfg = NULL;
        err e;
        assert_int_equal(config_load_string(&cfg, text, strlen(text), "t", NULL, &e), 0);
        core_map_free(m);
        assert_int_equal(core_map_from_config(&m, cfg, &e), 0);
        config_free(cfg);
    }
    char buf_g[256], buf_p[256];
    snprintf(buf_g, sizeof buf_g, "{\"tags\": %s}", c->g);
    snprintf(buf_p, sizeof buf_p, "{\"tags\": %s}", c->p);
    core_person g = person(buf_g, NULL, NULL), p = person(buf_p, NULL, c->derived);
    json_t *sg = c->sh_g ? ct_json(c->sh_g) : NULL, *sp = c->sh_p ? ct_json(c->sh_p) : NULL;
    json_t *shg = NULL, *shp = NULL;
    if (sg) {
        shg = json_pack("{s:O}", "tags", sg);
        json_decref(sg);
    }
    if (sp) {
        shp = json_pack("{s:O}", "tags", sp);
        json_decref(sp);
    }
    core_merge_in in = {m, &g, &p, shg, shp, last, 1};
    core_merge_out o;
    err e;
    assert_int_equal(core_merge(&o, &in, &e), 0);
    ct_assert_json(o.tags_ghl.add, c->add_g);
    ct_assert_json(o.tags_ghl.remove, c->remove_g);
    ct_assert_json(o.tags_pl.add, c->add_p);
    ct_assert_json(o.tags_pl.remove, c->remove_p);
    core_person_clear(&g);
    core_person_clear(&p);
    json_decref(shg);
    json_decref(shp);
    core_map_free(m);
    return o;
}

static void tags_merge_as_deltas(void **state)
{
    (void)state;
    static const tag_case cases[] = {
        /* sh_g, sh_p, g, p, derived, add_g, remove_g, add_p, remove_p */
        {"[\"a\",\"b\"]", "[\"a\",\"b\"]", "[\"a\",\"b\",\"x\"]", "[\"a\",\"b\"]", NULL, "[]", "[]",
         "[\"x\"]", "[]"},
        {"[\"a\",\"b\"]", "[\"a\",\"b\"]", "[\"a\"]", "[\"a\",\"b\"]", NULL, "[]", "[]", "[]",
         "[\"b\"]"},
        {"[\"a\",\"b\"]", "[\"a\",\"b\"]", "[\"a\",\"b\"]", "[\"b\",\"y\"]", NULL, "[\"y\"]",
         "[\"a\"]", "[]", "[]"},
        /* Both sides changed different tags: each gets the other's change, nothing more. */
        {"[\"a\",\"b\"]", "[\"a\",\"b\"]", "[\"a\",\"b\",\"x\"]", "[\"b\",\"y\"]", NULL, "[\"y\"]",
         "[\"a\"]", "[\"x\"]", "[]"},
        /* The same change on both sides: nothing to do. */
        {"[\"a\"]", "[\"a\"]", "[\"a\",\"x\"]", "[\"a\",\"x\"]", NULL, "[]", "[]", "[]", "[]"},
        /* A tag the other side never had is not removed there; no whole-set replacement. */
        {"[\"a\"]", "[\"a\",\"own\"]", "[]", "[\"a\",\"own\"]", NULL, "[]", "[]", "[]", "[\"a\"]"},
        /* First link: a union. */
        {NULL, NULL, "[\"a\",\"g\"]", "[\"a\",\"p\"]", NULL, "[\"p\"]", "[]", "[\"g\"]", "[]"},
        /* A computed PheedLoop tag removed in HighLevel is not removed there (moot). */
        {"[\"event:e1\",\"x\"]", "[\"event:e1\",\"x\"]", "[]", "[\"event:e1\",\"x\"]",
         "[\"event:e1\"]", "[]", "[]", "[]", "[\"x\"]"},
        /* Tags computed from another attendee (its event, ticket, check-in) stay off this one. */
        {"[\"a\"]", "[\"a\"]", "[\"a\",\"checked-in\",\"event:e2\",\"ticket:vip\",\"y\"]",
         "[\"a\"]", NULL, "[]", "[]", "[\"y\"]", "[]"},
        /* A tag only looking like one (nothing in the placeholder's place) is an ordinary tag. */
        {"[\"a\"]", "[\"a\"]", "[\"a\",\"event:\"]", "[\"a\"]", NULL, "[]", "[]", "[\"event:\"]",
         "[]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        core_merge_out o = merge_tags(NULL, NULL, CORE_GHL, &cases[i]);
        assert_int_equal(o.n_decisions, 0);
        core_merge_out_clear(&o);
    }
}

static void tag_conflicts_go_to_the_owner(void **state)
{
    (void)state;
    /* The shadows differ on "t": HighLevel removed it, PheedLoop added it. */
    tag_case to_p = {"[\"t\"]", "[]", "[]", "[\"t\"]", NULL, "[]", "[]", "[]", "[\"t\"]"};
    core_merge_out o = merge_tags(NULL, "highlevel", CORE_PL, &to_p);
    assert_int_equal(o.n_decisions, 1);
    assert_int_equal(o.decisions[0].kind, CORE_DECIDE_CONFLICT);
    assert_int_equal(o.decisions[0].winner, CORE_GHL);
    ct_assert_json(o.decisions[0].before, "\"t\"");
    assert_null(o.decisions[0].after);
    assert_string_equal(o.decisions[0].reason, "tag 't' removed on HighLevel and added on "
                                               "PheedLoop; owner = highlevel");
    core_merge_out_clear(&o);
    tag_case to_g = {"[\"t\"]", "[]", "[]", "[\"t\"]", NULL, "[\"t\"]", "[]", "[]", "[]"};
    o = merge_tags(NULL, NULL, CORE_PL, &to_g);
    assert_int_equal(o.decisions[0].winner, CORE_PL);
    core_merge_out_clear(&o);
}

static void one_way_tags(void **state)
{
    (void)state;
    tag_case c = {"[\"a\"]", "[\"a\"]", "[\"a\",\"x\"]", "[]", NULL, "[]", "[\"a\"]", "[]", "[]"};
    core_merge_out o = merge_tags("pheedloop_to_ghl", NULL, CORE_GHL, &c);
    /* HighLevel added x (not carried, audited); PheedLoop removed a (carried). */
    ct_assert_json(o.tags_ghl.remove, "[\"a\"]");
    assert_int_equal(o.n_decisions, 1);
    assert_int_equal(o.decisions[0].kind, CORE_DECIDE_DIRECTION);
    assert_true(o.decisions[0].audit);
    assert_string_equal(o.decisions[0].reason, "tag 'x' added on HighLevel only, not carried: "
                                               "direction = pheedloop_to_ghl");
    core_merge_out_clear(&o);
}

static void tags_changed_is_not_an_echo(void **state)
{
    (void)state;
    tag_case c = {"[\"a\"]", "[\"a\"]", "[\"a\",\"x\"]", "[\"a\"]", NULL,
                  "[]",      "[]",      "[\"x\"]",       "[]"};
    core_merge_out o = merge_tags(NULL, NULL, CORE_GHL, &c);
    assert_false(o.echo);
    core_merge_out_clear(&o);
}

/* ---------------------------------------------------------------- shadows */

static void shadow_after_applies_the_writes(void **state)
{
    (void)state;
    core_map *m = map_with("both", "both", NULL);
    core_person g = person("{\"first_name\": \"Ada\", \"f\": \"new\", \"tags\": [\"a\", "
                           "\"x\"]}",
                           NULL, NULL);
    core_person p = person("{\"first_name\": \"Ada\", \"city\": \"SF\", \"f\": \"old\", "
                           "\"tags\": [\"a\", \"b\"]}",
                           NULL, NULL);
    json_t *sg = ct_json("{\"first_name\": \"Ada\", \"city\": \"SF\", \"f\": \"old\", \"tags\": "
                         "[\"a\", \"b\"]}");
    json_t *sp = json_deep_copy(sg);
    core_merge_in in = {m, &g, &p, sg, sp, CORE_GHL, 1};
    core_merge_out o;
    err e;
    assert_int_equal(core_merge(&o, &in, &e), 0);
    /* HighLevel: f changed, x added, b removed, city emptied. */
    ct_assert_json(o.to_pl, "{\"city\": null, \"f\": \"new\"}");
    ct_assert_json(o.tags_pl.add, "[\"x\"]");
    ct_assert_json(o.tags_pl.remove, "[\"b\"]");
    json_t *after_p = core_merge_shadow_after(&o, m, &p, CORE_PL);
    json_t *after_g = core_merge_shadow_after(&o, m, &g, CORE_GHL);
    assert_true(json_equal(after_p, after_g));
    ct_assert_json(json_object_get(after_p, "tags"), "[\"a\", \"x\"]");
    ct_assert_json(json_object_get(after_p, "city"), "null");
    ct_assert_json(json_object_get(after_p, "f"), "\"new\"");
    ct_assert_json(json_object_get(after_p, "email"), "null");
    /* Merging again against the new shadows: an echo. */
    core_merge_out again;
    core_person p2 =
        person("{\"first_name\": \"Ada\", \"f\": \"new\", \"tags\": [\"a\", \"x\"]}", NULL, NULL);
    core_merge_in in2 = {m, &g, &p2, after_g, after_p, CORE_PL, 2};
    assert_int_equal(core_merge(&again, &in2, &e), 0);
    assert_true(again.echo);
    core_merge_out_clear(&again);
    core_merge_out_clear(&o);
    core_person_clear(&g);
    core_person_clear(&p);
    core_person_clear(&p2);
    json_decref(sg);
    json_decref(sp);
    json_decref(after_p);
    json_decref(after_g);
    core_map_free(m);
}

static void merge_needs_both_records(void **state)
{
    (void)state;
    core_merge_in in = {NULL, NULL, NULL, NULL, NULL, CORE_GHL, 0};
    core_merge_out o;
    err e;
    assert_int_equal(core_merge(&o, &in, &e), ERR_INVALID);
    core_merge_out_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_way_field_every_case),
        cmocka_unit_test(one_way_fields),
        cmocka_unit_test(first_links),
        cmocka_unit_test(a_field_new_to_the_map_is_a_first_link),
        cmocka_unit_test(sync_direction_narrows_the_merge),
        cmocka_unit_test(conflict_decision_carries_what_the_audit_needs),
        cmocka_unit_test(unreadable_values),
        cmocka_unit_test(echo_of_our_own_write),
        cmocka_unit_test(tags_merge_as_deltas),
        cmocka_unit_test(tag_conflicts_go_to_the_owner),
        cmocka_unit_test(one_way_tags),
        cmocka_unit_test(tags_changed_is_not_an_echo),
        cmocka_unit_test(shadow_after_applies_the_writes),
        cmocka_unit_test(merge_needs_both_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
