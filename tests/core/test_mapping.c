/* test_mapping.c: the default field map, `[field]` sections that change or extend it, and the
 * configuration errors, word for word. */
#include "core/mapping.h"
#include "core_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void expect_error(const char *text, const char *want)
{
    config *cfg = NULL;
    err e;
    if (config_load_string(&cfg, text, strlen(text), "pheedsync.conf", NULL, &e) != 0)
        fail_msg("config: %s", e.msg);
    core_map *m = (core_map *)1;
    assert_int_equal(core_map_from_config(&m, cfg, &e), ERR_CONFIG);
    assert_ptr_equal(m, (core_map *)1);
    assert_string_equal(e.msg, want);
    config_free(cfg);
}

static void defaults_cover_names_contact_address_and_tags(void **state)
{
    (void)state;
    core_map *m = NULL;
    err e;
    assert_int_equal(core_map_default(&m, &e), 0);
    static const char *const names[] = {"first_name",   "last_name",   "email",          "phone",
                                        "organization", "title",       "address_line_1", "city",
                                        "state",        "postal_code", "country",        "tags"};
    assert_int_equal(core_map_count(m), sizeof names / sizeof names[0]);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const core_field *f = core_map_at(m, i);
        assert_string_equal(f->name, names[i]);
        assert_int_equal(f->dir, CORE_DIR_BOTH);
        assert_int_equal(f->owner, CORE_OWNER_NEWEST);
        assert_null(f->section);
        assert_false(f->derived);
    }
    const core_field *f = core_map_find(m, "phone");
    assert_string_equal(f->key[CORE_GHL], "phone");
    assert_string_equal(f->key[CORE_PL], "address_phone");
    assert_int_equal(f->place[CORE_GHL], CORE_PLACE_STANDARD);
    f = core_map_find(m, "title");
    assert_int_equal(f->place[CORE_GHL], CORE_PLACE_CUSTOM);
    assert_string_equal(f->key[CORE_GHL], "contact.title");
    assert_ptr_equal(core_map_tags(m), core_map_find(m, "tags"));
    assert_int_equal(core_map_default_cc(m), 1);
    const char *const *tpls;
    assert_int_equal(core_map_signup_tags(m, &tpls), 2);
    assert_string_equal(tpls[0], "event:{event_code}");
    assert_string_equal(core_map_checkin_tag(m), "checked-in");
    assert_true(core_map_knows(m, "ticket_name"));
    assert_true(core_map_knows(m, "postal_code"));
    assert_false(core_map_knows(m, "zip"));
    core_map_free(m);
}

static void an_empty_configuration_gives_the_defaults(void **state)
{
    (void)state;
    core_map *built = NULL, *loaded = ct_map("");
    err e;
    assert_int_equal(core_map_default(&built, &e), 0);
    assert_int_equal(core_map_count(built), core_map_count(loaded));
    for (size_t i = 0; i < core_map_count(built); i++) {
        const core_field *a = core_map_at(built, i), *b = core_map_at(loaded, i);
        assert_string_equal(a->name, b->name);
        assert_string_equal(a->path[CORE_GHL], b->path[CORE_GHL]);
        assert_string_equal(a->path[CORE_PL], b->path[CORE_PL]);
        assert_int_equal(a->dir, b->dir);
    }
    const char *const *x, *const *y;
    assert_int_equal(core_map_signup_tags(built, &x), core_map_signup_tags(loaded, &y));
    assert_string_equal(x[1], y[1]);
    assert_string_equal(core_map_checkin_tag(built), core_map_checkin_tag(loaded));
    assert_int_equal(core_map_default_cc(loaded), 1);
    core_map_free(built);
    core_map_free(loaded);
}

static void sections_override_and_extend(void **state)
{
    (void)state;
    core_map *m = ct_map("[sync]\n"
                         "default_country_code = 44\n"
                         "signup_tags = pl-{event_code}\n"
                         "checkin_tag = -\n"
                         "[field \"email\"]\n"
                         "ghl = email\n"
                         "pheedloop = email\n"
                         "direction = pheedloop_to_ghl\n"
                         "transform = trim\n"
                         "[field \"shirt_size\"]\n"
                         "ghl = contact.shirt_size\n"
                         "pheedloop = metadata.profile.shirt\n"
                         "owner = pheedloop\n"
                         "transform = trim, upper, map:XL=X-LARGE\n"
                         "[field \"dietary\"]\n"
                         "ghl = dietary\n"
                         "pheedloop = answers.diet\n"
                         "direction = pheedloop_to_ghl\n"
                         "[field \"title\"]\n"
                         "ghl = contact.title\n"
                         "pheedloop = title\n"
                         "direction = none\n");
    assert_int_equal(core_map_count(m), 14);
    const core_field *f = core_map_find(m, "email");
    assert_int_equal(f->dir, CORE_DIR_P2G);
    assert_string_equal(f->section, "[field \"email\"]");
    assert_ptr_equal(core_map_at(m, 2), f); /* keeps the default's place */
    f = core_map_find(m, "shirt_size");
    assert_int_equal(f->place[CORE_GHL], CORE_PLACE_CUSTOM);
    assert_string_equal(f->key[CORE_GHL], "contact.shirt_size");
    assert_int_equal(f->place[CORE_PL], CORE_PLACE_METADATA);
    assert_string_equal(f->key[CORE_PL], "profile.shirt");
    assert_true(f->writable[CORE_PL]);
    assert_int_equal(f->owner, CORE_OWNER_PHEEDLOOP);
    f = core_map_find(m, "dietary");
    assert_string_equal(f->key[CORE_GHL], "contact.dietary");
    assert_int_equal(f->place[CORE_PL], CORE_PLACE_ANSWER);
    assert_false(f->writable[CORE_PL]);
    assert_int_equal(core_map_find(m, "title")->dir, CORE_DIR_NONE);
    assert_int_equal(core_map_default_cc(m), 44);
    const char *const *tpls;
    assert_int_equal(core_map_signup_tags(m, &tpls), 1);
    assert_string_equal(tpls[0], "pl-{event_code}");
    assert_string_equal(core_map_checkin_tag(m), "");
    core_map_free(m);
    m = ct_map("[sync]\nsignup_tags = -\n");
    assert_int_equal(core_map_signup_tags(m, NULL), 0);
    assert_string_equal(core_map_checkin_tag(m), "checked-in");
    core_map_free(m);
}

static void sync_direction_narrows_every_field(void **state)
{
    (void)state;
    core_map *m = ct_map("[sync]\ndirection = pheedloop_to_ghl\n"
                         "[field \"note\"]\nghl = contact.note\npheedloop = metadata.note\n"
                         "direction = ghl_to_pheedloop\n");
    assert_int_equal(core_map_find(m, "email")->dir, CORE_DIR_P2G);
    assert_int_equal(core_map_find(m, "note")->dir, CORE_DIR_NONE);
    assert_true(core_field_flows(core_map_find(m, "email"), CORE_PL));
    assert_false(core_field_flows(core_map_find(m, "email"), CORE_GHL));
    core_map_free(m);
}

static void computed_fields(void **state)
{
    (void)state;
    core_map *m = ct_map("[field \"full_name\"]\n"
                         "ghl = contact.full_name\n"
                         "pheedloop = -\n"
                         "direction = pheedloop_to_ghl\n"
                         "transform = join_name\n"
                         "[field \"greeting\"]\n"
                         "ghl = -\n"
                         "pheedloop = metadata.greeting\n"
                         "direction = ghl_to_pheedloop\n"
                         "transform = template:\"Hello {first_name}, {shirt}\"\n"
                         "[field \"shirt\"]\n"
                         "ghl = contact.shirt\n"
                         "pheedloop = metadata.shirt\n");
    const core_field *f = core_map_find(m, "full_name");
    assert_true(f->derived);
    assert_int_equal(core_field_source(f), CORE_PL);
    assert_int_equal(f->place[CORE_PL], CORE_PLACE_NONE);
    f = core_map_find(m, "greeting");
    assert_true(f->derived);
    assert_int_equal(core_field_source(f), CORE_GHL);
    core_map_free(m);
}

static void field_errors(void **state)
{
    (void)state;
    expect_error("[field \"x\"]\nghl = firstname\npheedloop = first_name\n",
                 "[field \"x\"] ghl = firstname: unknown field (did you mean 'firstName'?)");
    expect_error("[field \"x\"]\nghl = contact.a b\npheedloop = first_name\n",
                 "[field \"x\"] ghl = contact.a b: not a contact field nor a custom field key "
                 "(letters, digits, '_' and '-', optionally after 'contact.')");
    expect_error("[field \"x\"]\nghl = contact.x\npheedloop = frist_name\n",
                 "[field \"x\"] pheedloop = frist_name: unknown attendee field (name one such "
                 "as first_name or organization, or metadata.NAME, registration.NAME, "
                 "answers.NAME, event.NAME)");
    expect_error("[field \"x\"]\nghl = contact.x\npheedloop = First_Name\n",
                 "[field \"x\"] pheedloop = First_Name: unknown attendee field (did you mean "
                 "'first_name'?)");
    expect_error("[field \"x\"]\nghl = contact.x\npheedloop = metadata.\n",
                 "[field \"x\"] pheedloop = metadata.: 'metadata.' needs a name after it");
    expect_error("[field \"x\"]\nghl = contact.x\npheedloop = metadata.highlevel.tasks\n",
                 "[field \"x\"] pheedloop = metadata.highlevel.tasks: metadata.highlevel is "
                 "where pheedsync keeps HighLevel's tasks, notes and appointments; use another "
                 "name");
    expect_error("[field \"x\"]\nghl = contact.x\npheedloop = registration.ticket_name\n",
                 "[field \"x\"] pheedloop = registration.ticket_name is read-only: set "
                 "direction = pheedloop_to_ghl");
    expect_error("[field \"x\"]\nghl = dateAdded\npheedloop = metadata.added\n",
                 "[field \"x\"] ghl = dateAdded is read-only: set direction = ghl_to_pheedloop");
    expect_error("[field \"x\"]\nghl = tags\npheedloop = metadata.tags\n",
                 "[field \"x\"]: the tag set maps tags to tags (ghl = tags, pheedloop = tags)");
    expect_error("[field \"x\"]\nghl = contact.x\npheedloop = metadata.x\ntransform = const:1\n",
                 "[field \"x\"]: the transforms compute the value (const, template, join_name, "
                 "split_name), so it cannot flow back: set direction = ghl_to_pheedloop or "
                 "pheedloop_to_ghl");
    expect_error("[field \"x\"]\nghl = contact.x\npheedloop = -\n",
                 "[field \"x\"] pheedloop = -: only the source side of a computed field (const, "
                 "template or join_name, with direction = pheedloop_to_ghl) may be -");
    expect_error("[field \"x\"]\nghl = -\npheedloop = -\ndirection = ghl_to_pheedloop\n"
                 "transform = const:1\n",
                 "[field \"x\"]: ghl and pheedloop cannot both be -");
    expect_error("[field \"x\"]\nghl = contact.x\npheedloop = metadata.x\n"
                 "direction = pheedloop_to_ghl\nowner = highlevel\n",
                 "[field \"x\"] owner = highlevel: with direction = pheedloop_to_ghl the source "
                 "side always wins; remove owner or change direction");
    expect_error("[field \"company\"]\nghl = companyName\npheedloop = metadata.company\n",
                 "[field \"company\"] ghl = companyName is also written by the default field "
                 "'organization' (turn it off with [field \"organization\"] direction = none)");
    expect_error("[field \"a\"]\nghl = contact.a\npheedloop = metadata.a\n"
                 "[field \"b\"]\nghl = contact.b\npheedloop = metadata.a\n",
                 "[field \"b\"] pheedloop = metadata.a is also written by [field \"a\"]");
    expect_error("[field \"a-b\"]\nghl = contact.a\npheedloop = metadata.a\n",
                 "[field \"a-b\"]: a field name holds letters, digits and '_' only (it is {NAME} "
                 "in templates)");
    expect_error("[field \"event_code\"]\nghl = contact.a\npheedloop = metadata.a\n",
                 "[field \"event_code\"]: 'event_code' names a fact of the record; choose "
                 "another name");
    expect_error("[field \"x\"]\nghl = contact.x\npheedloop = metadata.x\n"
                 "transform = template:{nope}\ndirection = ghl_to_pheedloop\n",
                 "[field \"x\"] transform 'template:{nope}': column 2: unknown name 'nope'");
    expect_error("[sync]\nsignup_tags = tier:{tier\n",
                 "[sync] signup_tags: 'tier:{tier': column 6: '{' is not closed by '}'");
}

static void read_only_place_is_fine_one_way(void **state)
{
    (void)state;
    core_map *m = ct_map("[field \"ticket\"]\nghl = contact.ticket_type\n"
                         "pheedloop = registration.ticket_name\ndirection = pheedloop_to_ghl\n"
                         "owner = pheedloop\n");
    const core_field *f = core_map_find(m, "ticket");
    assert_int_equal(f->place[CORE_PL], CORE_PLACE_REGISTRATION);
    assert_string_equal(f->key[CORE_PL], "ticket_name");
    core_map_free(m);
}

static void add_in_code(void **state)
{
    (void)state;
    core_map *m = NULL;
    err e;
    assert_int_equal(core_map_default(&m, &e), 0);
    core_field_spec spec = {"badge", "contact.badge", "code_badge", NULL, "highlevel", "trim"};
    assert_int_equal(core_map_add(m, &spec, &e), 0);
    assert_int_equal(core_map_find(m, "badge")->owner, CORE_OWNER_HIGHLEVEL);
    core_field_spec bad = {"b2", "contact.b2", "code_badge", "sideways", NULL, NULL};
    assert_int_equal(core_map_add(m, &bad, &e), ERR_CONFIG);
    assert_string_equal(e.msg, "[field \"b2\"] direction = sideways: use both, "
                               "ghl_to_pheedloop, pheedloop_to_ghl or none");
    core_field_spec bad2 = {"b3", "contact.b3", "metadata.b3", NULL, "me", NULL};
    assert_int_equal(core_map_add(m, &bad2, &e), ERR_CONFIG);
    assert_string_equal(e.msg, "[field \"b3\"] owner = me: use highlevel, pheedloop or newest");
    assert_string_equal(core_side_name(CORE_GHL), "ghl");
    assert_string_equal(core_side_name(CORE_PL), "pheedloop");
    assert_string_equal(core_dir_name(CORE_DIR_P2G), "pheedloop_to_ghl");
    core_map_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_cover_names_contact_address_and_tags),
        cmocka_unit_test(an_empty_configuration_gives_the_defaults),
        cmocka_unit_test(sections_override_and_extend),
        cmocka_unit_test(sync_direction_narrows_every_field),
        cmocka_unit_test(computed_fields),
        cmocka_unit_test(field_errors),
        cmocka_unit_test(read_only_place_is_fine_one_way),
        cmocka_unit_test(add_in_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
