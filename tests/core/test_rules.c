/* test_rules.c: `[rule]` sections: parse errors naming rule, key and column; conditions; actions
 * with templates and times; the catalog. */
#include "core/rules.h"
#include "core_test.h"

#include "util/clock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static core_map *map(void)
{
    core_map *m = NULL;
    err e;
    core_field_spec shirt = {"shirt", "contact.shirt", "metadata.shirt", NULL, NULL, NULL};
    if (core_map_default(&m, &e) != 0 || core_map_add(m, &shirt, &e) != 0)
        fail_msg("%s", e.msg);
    return m;
}

static void expect_error(const char *when, const char *cond, const char *then, const char *want)
{
    core_map *m = map();
    core_rules *r = NULL;
    err e;
    assert_int_equal(core_rules_new(&r, &e), 0);
    int rc = core_rules_add(r, "vip", when, cond, then, m, &e);
    if (rc != ERR_CONFIG)
        fail_msg("expected ERR_CONFIG, got %d for if '%s' then '%s'", rc, cond ? cond : "", then);
    assert_string_equal(e.msg, want);
    assert_int_equal(core_rules_count(r), 0);
    core_rules_free(r);
    core_map_free(m);
}

#define CREATED "pheedloop.attendee.created"

static void condition_errors_name_rule_and_column(void **state)
{
    (void)state;
    expect_error(CREATED, "ticket_name = \"VIP\"", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 13: use '==' to compare");
    expect_error(CREATED, "ticket_name == VIP", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 16: expected a value after '==' (a \"string\", a "
                 "number, true or false)");
    expect_error(CREATED, "ticket == \"VIP\"", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 1: unknown name 'ticket'");
    expect_error(CREATED, "tag == \"x\"", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 1: unknown name 'tag'");
    expect_error(CREATED, "email contains \"@x\" and", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 24: expected a field name, not the end");
    expect_error(CREATED, "(email == \"a\"", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 1: '(' is not closed");
    expect_error(CREATED, "email == \"a", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 10: unclosed quote");
    expect_error(CREATED, "ticket_name in \"VIP\"", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 16: expected '[' after 'in'");
    expect_error(CREATED, "ticket_name in [\"VIP\" \"Speaker\"]", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 23: expected ',' or ']' in the list, not a string");
    expect_error(CREATED, "email == \"a\" email", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 14: expected 'and', 'or' or the end, not a name");
    expect_error(CREATED, "!checked_in", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 1: use 'not', or '!=' to compare");
    expect_error(CREATED, "email ~ \"x\"", "ghl.add_tag x",
                 "[rule \"vip\"] if, column 7: unexpected character '~'");
    char deep[41];
    memset(deep, '(', 40);
    deep[40] = '\0';
    expect_error(CREATED, deep, "ghl.add_tag x", "[rule \"vip\"] if, column 33: nested too deeply");
}

static void action_errors_name_rule_and_column(void **state)
{
    (void)state;
    expect_error(CREATED, NULL, "ghl.add_tags vip",
                 "[rule \"vip\"] then, column 1: unknown action 'ghl.add_tags' (did you mean "
                 "ghl.add_tag?)");
    expect_error(CREATED, NULL, "ghl.add_tag vip; send.email x",
                 "[rule \"vip\"] then, column 18: unknown action 'send.email' (`pheedsync "
                 "catalog` lists them)");
    expect_error(CREATED, NULL, "ghl.add_tag",
                 "[rule \"vip\"] then, column 12: ghl.add_tag needs its text (ghl.add_tag TAG)");
    expect_error(CREATED, NULL, "", "[rule \"vip\"] then, column 1: no action");
    expect_error(CREATED, NULL, "ghl.add_tag a;; ghl.add_tag b",
                 "[rule \"vip\"] then, column 15: empty action between ';'");
    expect_error(CREATED, NULL, "ghl.create_task Call due=soon",
                 "[rule \"vip\"] then, column 26: 'soon' is not a duration (e.g. +3d, -24h, 30m)");
    expect_error(CREATED, NULL, "ghl.create_task Call due=+1d later",
                 "[rule \"vip\"] then, column 30: expected an option (KEY=VALUE) after the "
                 "options begin");
    expect_error(CREATED, NULL, "ghl.create_task(\"Call\", when=+1d)",
                 "[rule \"vip\"] then, column 25: unknown option 'when' (ghl.create_task takes "
                 "due=, body=)");
    expect_error(CREATED, NULL, "ghl.add_tag(\"x\", due=+1d)",
                 "[rule \"vip\"] then, column 18: unknown option 'due' (ghl.add_tag takes none)");
    expect_error(CREATED, NULL, "ghl.add_tag(\"x\"",
                 "[rule \"vip\"] then, column 12: '(' is not closed");
    expect_error(CREATED, NULL, "ghl.add_tag(\"x\") y",
                 "[rule \"vip\"] then, column 18: unexpected text after ')'");
    expect_error(CREATED, NULL, "ghl.add_tag \"x\" y",
                 "[rule \"vip\"] then, column 16: text after the closing quote (quote the whole "
                 "text)");
    expect_error(CREATED, NULL, "ghl.add_tag tier:{tier}",
                 "[rule \"vip\"] then, column 19: unknown name 'tier'");
    expect_error(CREATED, NULL, "ghl.add_tag \"{ticket_name\"",
                 "[rule \"vip\"] then, column 14: '{' is not closed by '}'");
    expect_error(CREATED, NULL, "ghl.add_tag:x",
                 "[rule \"vip\"] then, column 12: expected a space or '(' after ghl.add_tag");
}

static void trigger_errors(void **state)
{
    (void)state;
    expect_error("pheedloop.atendee.created", NULL, "ghl.add_tag x",
                 "[rule \"vip\"] when = pheedloop.atendee.created: unknown trigger (did you "
                 "mean pheedloop.attendee.created?)");
    expect_error("on.signup", NULL, "ghl.add_tag x",
                 "[rule \"vip\"] when = on.signup: unknown trigger (`pheedsync catalog` lists "
                 "them)");
}

static core_rules *rules_of(const char *text)
{
    config *cfg = NULL;
    err e;
    if (config_load_string(&cfg, text, strlen(text), "pheedsync.conf", NULL, &e) != 0)
        fail_msg("config: %s", e.msg);
    core_map *m = map();
    core_rules *r = NULL;
    if (core_rules_from_config(&r, cfg, m, &e) != 0)
        fail_msg("rules: %s", e.msg);
    config_free(cfg);
    core_map_free(m);
    return r;
}

static void conditions_evaluate(void **state)
{
    (void)state;
    static const struct {
        const char *cond;
        bool want;
    } cases[] = {
        {"ticket_name == \"vip pass\"", true},
        {"ticket_name != \"VIP Pass\"", false},
        {"ticket_name in [\"Speaker\", \"VIP Pass\"]", true},
        {"tags contains \"Staff\"", true},
        {"tags contains \"sta\"", false},
        {"email contains \"@EXAMPLE.com\"", true},
        {"tags in [\"x\", \"lead\"]", true},
        {"tags == \"lead, staff\"", true},
        {"checked_in", true},
        {"checked_in == true", true},
        {"not checked_in", false},
        {"city", false},
        {"city == \"\"", true},
        {"shirt == 42", true},
        {"not tags contains \"staff\" or ticket_name == \"VIP Pass\"", true},
        {"not (tags contains \"staff\" or ticket_name == \"VIP Pass\")", false},
        {"ticket_name == \"x\" or ticket_name == \"y\" and checked_in", false},
        {"ticket_name == \"VIP Pass\" or ticket_name == \"y\" and city", true},
        {"NOT checked_in OR email CONTAINS 'example'", true},
        {"first_name == 'O\\'Brien'", true},
        {"", true},
    };
    json_t *vars = ct_json("{\"ticket_name\": \"VIP Pass\", \"tags\": [\"lead\", \"staff\"], "
                           "\"email\": \"ada@example.com\", \"checked_in\": \"true\", \"shirt\": "
                           "\"42\", \"first_name\": \"O'Brien\"}");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        core_map *m = map();
        core_rules *r = NULL;
        err e;
        assert_int_equal(core_rules_new(&r, &e), 0);
        if (core_rules_add(r, "c", CREATED, cases[i].cond, "ghl.add_tag yes", m, &e) != 0)
            fail_msg("'%s': %s", cases[i].cond, e.msg);
        core_actions a;
        assert_int_equal(core_rules_eval(&a, r, CREATED, vars, 0, &e), 0);
        if ((a.n == 1) != cases[i].want)
            fail_msg("'%s' gave %d", cases[i].cond, a.n == 1);
        core_actions_clear(&a);
        core_rules_free(r);
        core_map_free(m);
    }
    json_decref(vars);
}

static void actions_fill_templates_and_times(void **state)
{
    (void)state;
    core_rules *r = rules_of(
        "[rule \"signup\"]\n"
        "when = pheedloop.attendee.created\n"
        "if = ticket_name in [\"VIP\", \"Speaker\"]\n"
        "then = ghl.add_tag VIP-{ticket_name}; ghl.create_task \"Call {first_name}, "
        "{ticket_name}\" "
        "due=+3d body=\"Welcome {first_name}\"; ghl.add_note(\"Signed up for {event_code}\"); "
        "pheedloop.add_tag Guest; ghl.add_tag {city}\n"
        "[rule \"other\"]\n"
        "when = ghl.contact.tag_added\n"
        "if = tag == \"vip\"\n"
        "then = pheedloop.add_tag VIP\n"
        "[rule \"second\"]\n"
        "when = pheedloop.attendee.created\n"
        "then = ghl.remove_tag prospect;\n");
    assert_int_equal(core_rules_count(r), 3);
    assert_true(core_rules_wants(r, CREATED));
    assert_false(core_rules_wants(r, "ghl.note.created"));
    json_t *vars =
        ct_json("{\"first_name\": \"Ada\", \"ticket_name\": \"Speaker\", \"event_code\": "
                "\"EVE1\"}");
    int64_t now = 1700000000000;
    core_actions a;
    err e;
    assert_int_equal(core_rules_eval(&a, r, CREATED, vars, now, &e), 0);
    /* The {city} tag comes out empty and is skipped. */
    assert_int_equal(a.n, 5);
    assert_int_equal(a.v[0].kind, CORE_ACTION_GHL_ADD_TAG);
    assert_string_equal(a.v[0].name, "ghl.add_tag");
    assert_string_equal(a.v[0].rule, "signup");
    assert_string_equal(a.v[0].text, "vip-speaker");
    assert_int_equal(a.v[1].kind, CORE_ACTION_GHL_CREATE_TASK);
    assert_string_equal(a.v[1].text, "Call Ada, Speaker");
    assert_string_equal(a.v[1].detail, "Welcome Ada");
    assert_true(a.v[1].has_time);
    assert_true(a.v[1].time_ms == now + 3 * 86400000LL);
    assert_int_equal(a.v[2].kind, CORE_ACTION_GHL_ADD_NOTE);
    assert_string_equal(a.v[2].text, "Signed up for EVE1");
    assert_null(a.v[2].detail);
    assert_false(a.v[2].has_time);
    assert_int_equal(a.v[3].kind, CORE_ACTION_PL_ADD_TAG);
    assert_string_equal(a.v[3].text, "Guest");
    assert_int_equal(a.v[4].kind, CORE_ACTION_GHL_REMOVE_TAG);
    assert_string_equal(a.v[4].rule, "second");
    core_actions_clear(&a);
    /* The condition fails: only the unconditional rule runs. */
    json_object_set_new(vars, "ticket_name", json_string("General"));
    assert_int_equal(core_rules_eval(&a, r, CREATED, vars, now, &e), 0);
    assert_int_equal(a.n, 1);
    core_actions_clear(&a);
    assert_int_equal(core_rules_eval(&a, r, "nope", vars, now, &e), ERR_INVALID);
    assert_string_equal(e.msg, "unknown trigger 'nope'");
    json_decref(vars);
    core_rules_free(r);
}

static void announce_counts_from_the_appointment(void **state)
{
    (void)state;
    core_rules *r = rules_of("[rule \"remind\"]\n"
                             "when = ghl.appointment.created\n"
                             "if = appointment_status != \"cancelled\"\n"
                             "then = pheedloop.announce(\"{appointment_title} tomorrow\", "
                             "at=-24h, description=\"See you, {first_name}\")\n");
    json_t *vars = ct_json("{\"first_name\": \"Ada\", \"appointment_title\": \"Demo\", "
                           "\"appointment_start\": \"2024-05-02T15:00:00Z\", \"event_start\": "
                           "\"2024-06-01\", \"appointment_status\": \"confirmed\"}");
    core_actions a;
    err e;
    assert_int_equal(core_rules_eval(&a, r, "ghl.appointment.created", vars, 5, &e), 0);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.v[0].text, "Demo tomorrow");
    assert_string_equal(a.v[0].detail, "See you, Ada");
    int64_t want;
    assert_int_equal(clock_parse_iso(&want, "2024-05-01T15:00:00Z", &e), 0);
    assert_true(a.v[0].time_ms == want);
    core_actions_clear(&a);
    /* Without an appointment start, the event's start; without either, now. */
    json_object_del(vars, "appointment_start");
    assert_int_equal(core_rules_eval(&a, r, "ghl.appointment.created", vars, 5, &e), 0);
    assert_int_equal(clock_parse_iso(&want, "2024-05-31T00:00:00Z", &e), 0);
    assert_true(a.v[0].time_ms == want);
    core_actions_clear(&a);
    json_object_del(vars, "event_start");
    assert_int_equal(core_rules_eval(&a, r, "ghl.appointment.created", vars, 86400000 * 2LL, &e),
                     0);
    assert_true(a.v[0].time_ms == 86400000LL);
    core_actions_clear(&a);
    json_decref(vars);
    core_rules_free(r);
}

static void config_errors_name_the_section(void **state)
{
    (void)state;
    const char *text = "[rule \"a\"]\nwhen = ghl.contact.created\nthen = ghl.add_tag ok\n"
                       "[rule \"b\"]\nwhen = ghl.contact.created\nif = tag == \"x\"\n"
                       "then = ghl.add_tag x\n";
    config *cfg = NULL;
    err e;
    assert_int_equal(config_load_string(&cfg, text, strlen(text), "p.conf", NULL, &e), 0);
    core_map *m = map();
    core_rules *r = (core_rules *)1;
    assert_int_equal(core_rules_from_config(&r, cfg, m, &e), ERR_CONFIG);
    assert_ptr_equal(r, (core_rules *)1);
    assert_string_equal(e.msg, "[rule \"b\"] if, column 1: unknown name 'tag'");
    config_free(cfg);
    core_map_free(m);
}

static void catalog_lists_triggers_and_actions(void **state)
{
    (void)state;
    size_t n = 0;
    const core_catalog_entry *t = core_rules_triggers(&n);
    assert_true(n >= 10);
    bool tag_added = false;
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].doc);
        if (strcmp(t[i].name, "ghl.contact.tag_added") == 0)
            tag_added = strcmp(t[i].usage, "tag") == 0;
    }
    assert_true(tag_added);
    const core_catalog_entry *a = core_rules_actions(&n);
    assert_int_equal(n, 8);
    assert_string_equal(a[2].usage, "ghl.create_task TITLE [due=+3d] [body=TEXT]");
}

static void trigger_values_from_highlevel_records(void **state)
{
    (void)state;
    json_t *vars = json_object();
    json_t *hook = ct_json("{\"type\": \"AppointmentCreate\", \"appointment\": {\"id\": \"a1\", "
                           "\"title\": \"Demo\", \"startTime\": \"2023-09-25T16:00:00+05:30\", "
                           "\"endTime\": \"later\", \"appointmentStatus\": \"confirmed\"}}");
    err e;
    assert_int_equal(core_rules_trigger_vars(vars, "ghl.appointment.created", hook, &e), 0);
    char *s = json_dumps(vars, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(s, "{\"appointment_end\":\"later\",\"appointment_id\":\"a1\","
                           "\"appointment_start\":\"2023-09-25T10:30:00.000Z\","
                           "\"appointment_status\":\"confirmed\",\"appointment_title\":\"Demo\"}");
    free(s);
    json_decref(hook);
    json_t *tag = json_string("vip");
    assert_int_equal(core_rules_trigger_vars(vars, "ghl.contact.tag_added", tag, &e), 0);
    assert_string_equal(json_string_value(json_object_get(vars, "tag")), "vip");
    json_decref(tag);
    json_t *task = ct_json("{\"id\": \"t1\", \"title\": \"Call\", \"dueDate\": "
                           "\"2021-12-22T06:55:00.000Z\"}");
    assert_int_equal(core_rules_trigger_vars(vars, "ghl.task.completed", task, &e), 0);
    assert_string_equal(json_string_value(json_object_get(vars, "task_due")),
                        "2021-12-22T06:55:00.000Z");
    assert_string_equal(json_string_value(json_object_get(vars, "task_body")), "");
    json_decref(task);
    size_t before = json_object_size(vars);
    assert_int_equal(core_rules_trigger_vars(vars, CREATED, NULL, &e), 0);
    assert_int_equal(json_object_size(vars), before);
    assert_int_equal(core_rules_trigger_vars(vars, "x", NULL, &e), ERR_INVALID);
    json_decref(vars);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(condition_errors_name_rule_and_column),
        cmocka_unit_test(action_errors_name_rule_and_column),
        cmocka_unit_test(trigger_errors),
        cmocka_unit_test(conditions_evaluate),
        cmocka_unit_test(actions_fill_templates_and_times),
        cmocka_unit_test(announce_counts_from_the_appointment),
        cmocka_unit_test(config_errors_name_the_section),
        cmocka_unit_test(catalog_lists_triggers_and_actions),
        cmocka_unit_test(trigger_values_from_highlevel_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
