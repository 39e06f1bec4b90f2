/* test_flow_reminders.c: flow F5 for a contact linked to attendees of two events in different
 * timezones (New York, Berlin): each attendee gets the appointment's reminders in its own
 * event, released at that event's local time on both sides of New York's next daylight-saving
 * change; moved and cancelled together; every announcement created, moved and cancelled in the
 * person's audit log; creates retried after a crash are not duplicated; a rule's announcement
 * released in the event's time too. */
#include "tests/engine/efix.h"
#include "util/jsonx.h"
#include "util/tz.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define NY "America/New_York"
#define BERLIN "Europe/Berlin"
#define H (3600 * INT64_C(1000))

/* The times of the test, worked out before any thread starts (the C library's reading of the
 * zones needs TZ set, which threads make unsafe): an appointment 12 hours after New York's next
 * change of offset, the same a day later, and where each event's reminders (24 h and 1 h
 * before, the defaults) should fall in its local time. */
static struct {
    int64_t start, moved;
    char local[2][2][2][32]; /* [moved][event][24 h, 1 h] "YYYY-MM-DD HH:MM:SS" */
} T;

static int64_t libc_offset_s(const char *zone, int64_t utc_s)
{
    setenv("TZ", zone, 1);
    tzset();
    time_t tt = (time_t)utc_s;
    struct tm tm;
    assert_non_null(localtime_r(&tt, &tm));
    int64_t local = clock_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
                    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return local - utc_s;
}

static void local_text(char out[32], const char *zone, int64_t utc_ms)
{
    char iso[CLOCK_ISO_LEN];
    clock_format_iso(utc_ms + libc_offset_s(zone, utc_ms / 1000) * 1000, iso);
    snprintf(out, 32, "%.10s %.8s", iso, iso + 11);
}

static void plan_times(void)
{
    char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    int64_t t = (clock_now_ms(clock_system()) / H + 72) * H; /* on the hour, 3 days ahead */
    int64_t was = libc_offset_s(NY, t / 1000);
    while (libc_offset_s(NY, t / 1000) == was)
        t += H;
    T.start = t + 12 * H;
    T.moved = T.start + 24 * H;
    static const char *const zones[] = {NY, BERLIN};
    static const int64_t before[] = {24 * H, H};
    for (int m = 0; m < 2; m++)
        for (int z = 0; z < 2; z++)
            for (int r = 0; r < 2; r++)
                local_text(T.local[m][z][r], zones[z], (m ? T.moved : T.start) - before[r]);
    if (old)
        setenv("TZ", old, 1);
    else
        unsetenv("TZ");
    tzset();
    free(old);
}

typedef struct world {
    efix *f;
    char *contact, *att[2];
    char key[ENGINE_KEY_MAX];
} world;

static void setup_world(world *w, const char *extra_config)
{
    efix_opts o = {.seed = 41, .timezones = {NY, BERLIN}, .extra_config = extra_config};
    w->f = efix_start(&o);
    w->contact = efix_ui_contact(
        w->f, "{\"firstName\": \"Ada\", \"lastName\": \"Byron\", \"email\": \"ada@example.com\"}");
    w->att[0] = efix_register(w->f, EV1, "Ada", "Byron", "ada@example.com");
    w->att[1] = efix_register(w->f, EV2, "Ada", "Byron", "ada@example.com");
    efix_pass(w->f, true);
    store_link *l = efix_link_of_contact(w->f, w->contact);
    assert_non_null(l);
    assert_int_equal(l->n_attendees, 2);
    store_link_free(l);
    efix_key_ghl(w->f, w->key, w->contact);
}

static void teardown_world(world *w)
{
    free(w->contact);
    free(w->att[0]);
    free(w->att[1]);
    efix_stop(w->f);
}

/* A change in HighLevel's UI and its webhook as a hint; the answer. */
static json_t *ui(world *w, const char *method, const char *sub, const char *body, const char *kind)
{
    char path[512];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s%s", w->contact, sub);
    json_t *ans = efix_admin(w->f, true, method, path, body);
    char *text = jsonx_dumps(ans);
    efix_hint(w->f, "ghl", kind, w->key, text);
    free(text);
    return ans;
}

static void book(world *w, char id[64])
{
    char s[CLOCK_ISO_LEN], en[CLOCK_ISO_LEN], body[512];
    clock_format_iso(T.start, s);
    clock_format_iso(T.start + H, en);
    snprintf(body, sizeof body,
             "{\"calendarId\": \"cal1\", \"title\": \"Demo\", \"startTime\": \"%s\", "
             "\"endTime\": \"%s\"}",
             s, en);
    json_t *ap = ui(w, "POST", "/appointments", body, "AppointmentCreate");
    json_t *appt = json_object_get(ap, "appointment") ? json_object_get(ap, "appointment") : ap;
    snprintf(id, 64, "%s", jsonx_str(appt, "id"));
    json_decref(ap);
}

/* The announcements of event k addressed to its attendee. */
static json_t *announcements(world *w, int k)
{
    json_t *st = efix_admin(w->f, false, "GET", "/_sandbox/state", NULL);
    json_t *out = json_array();
    size_t i, n;
    json_t *ev, *an;
    json_array_foreach(json_object_get(st, "events"), i, ev)
    {
        if (strcmp(jsonx_str(ev, "code"), k ? EV2 : EV1) != 0)
            continue;
        json_array_foreach(json_object_get(ev, "announcements"), n, an)
        {
            if (jsonx_array_has_str(json_object_get(an, "recipients"), w->att[k]))
                json_array_append(out, an);
        }
    }
    json_decref(st);
    return out;
}

/* Event k's attendee has exactly the reminders of T.local[moved][k]; their codes into codes
 * (may be NULL), in release order. */
static void assert_reminders(world *w, int k, int moved, char codes[2][64])
{
    json_t *list = announcements(w, k);
    if (json_array_size(list) != 2)
        fail_msg("%s: %zu announcements to %s, expected 2", k ? EV2 : EV1, json_array_size(list),
                 w->att[k]);
    for (int r = 0; r < 2; r++) {
        bool found = false;
        size_t i;
        json_t *an;
        json_array_foreach(list, i, an)
        {
            char local[32];
            snprintf(local, sizeof local, "%s %s", jsonx_str(an, "release_date"),
                     jsonx_str(an, "release_time"));
            if (strcmp(local, T.local[moved][k][r]) != 0)
                continue;
            found = true;
            if (codes)
                snprintf(codes[r], 64, "%s", jsonx_str(an, "code"));
        }
        if (!found)
            fail_msg("%s: no reminder released at %s local time", k ? EV2 : EV1,
                     T.local[moved][k][r]);
    }
    json_decref(list);
}

static bool has_release(const char *json_text, const char *release)
{
    json_t *j = json_text ? json_loads(json_text, 0, NULL) : NULL;
    bool same = jsonx_str(j, "release") && !strcmp(jsonx_str(j, "release"), release);
    json_decref(j);
    return same;
}

/* The person's audit entries about reminders whose reason has this text (and, release not
 * NULL, whose announcement before or after is released then). */
static size_t audited(world *w, const char *text, const char *release)
{
    store_audit_entries list = {0};
    efix_audit_of_contact(&list, w->f, w->contact);
    size_t n = 0;
    for (size_t i = 0; i < list.n; i++) {
        const store_audit_entry *a = &list.v[i];
        if (strcmp(a->direction, "ghl_to_pheedloop") != 0 || !strstr(a->reason, text) ||
            !strstr(a->fields, "reminder"))
            continue;
        if (release && !has_release(a->after, release) && !has_release(a->before, release))
            continue;
        n++;
    }
    store_audit_entries_free(&list);
    return n;
}

static void every_attendee_in_its_own_event_and_timezone(void **state)
{
    (void)state;
    world w;
    setup_world(&w, NULL);
    char id[64], sub[256];
    book(&w, id);
    efix_pass_live(w.f);
    char before[2][2][64], after[2][2][64];
    for (int k = 0; k < 2; k++)
        assert_reminders(&w, k, 0, before[k]);
    /* New York changed its clocks between its two reminders; the wall times say so. */
    char want[96];
    snprintf(want, sizeof want, "%s %s", T.local[0][0][0], NY);
    assert_int_equal(audited(&w, "reminder 24h before appointment \"Demo\" created for ", NULL), 2);
    assert_int_equal(audited(&w, ": the appointment was booked", want), 1);
    assert_int_equal(audited(&w, ": the appointment was booked", NULL), 4);
    char reason[160];
    snprintf(reason, sizeof reason, "created for %s: the appointment was booked", want);
    assert_int_equal(audited(&w, reason, NULL), 1);

    /* Moved a day later: every reminder moves, in place. */
    char s[CLOCK_ISO_LEN], en[CLOCK_ISO_LEN], body[256];
    clock_format_iso(T.moved, s);
    clock_format_iso(T.moved + H, en);
    snprintf(body, sizeof body, "{\"startTime\": \"%s\", \"endTime\": \"%s\"}", s, en);
    snprintf(sub, sizeof sub, "/appointments/%s", id);
    json_decref(ui(&w, "PATCH", sub, body, "AppointmentUpdate"));
    efix_pass_live(w.f);
    for (int k = 0; k < 2; k++) {
        assert_reminders(&w, k, 1, after[k]);
        for (int r = 0; r < 2; r++)
            assert_string_equal(after[k][r], before[k][r]);
    }
    assert_int_equal(audited(&w, ": the appointment moved", NULL), 4);
    snprintf(want, sizeof want, "%s %s", T.local[1][1][1], BERLIN);
    assert_int_equal(audited(&w, ": the appointment moved", want), 1);
    snprintf(reason, sizeof reason, "moved to %s: the appointment moved", want);
    assert_int_equal(audited(&w, reason, NULL), 1);

    /* Cancelled: every reminder goes. */
    json_decref(ui(&w, "PATCH", sub, "{\"status\": \"cancelled\"}", "AppointmentUpdate"));
    efix_pass_live(w.f);
    for (int k = 0; k < 2; k++) {
        json_t *list = announcements(&w, k);
        assert_int_equal(json_array_size(list), 0);
        json_decref(list);
    }
    assert_int_equal(audited(&w, ": the appointment was cancelled", NULL), 4);
    snprintf(reason, sizeof reason, "cancelled (was for %s): the appointment was cancelled", want);
    assert_int_equal(audited(&w, reason, NULL), 1);
    /* Nothing more to do: planning the person again writes nothing. */
    efix_reset_counters(w.f);
    efix_hint(w.f, "poller", "poll", w.key, "{\"activity\": true}");
    efix_pass_live(w.f);
    assert_int_equal(efix_writes(w.f, false), 0);
    teardown_world(&w);
}

static void deleted_appointment_cancels_every_reminder(void **state)
{
    (void)state;
    world w;
    setup_world(&w, NULL);
    char id[64], sub[256];
    book(&w, id);
    efix_pass_live(w.f);
    for (int k = 0; k < 2; k++)
        assert_reminders(&w, k, 0, NULL);
    snprintf(sub, sizeof sub, "/appointments/%s", id);
    json_decref(ui(&w, "DELETE", sub, NULL, "AppointmentDelete"));
    efix_pass_live(w.f);
    for (int k = 0; k < 2; k++) {
        json_t *list = announcements(&w, k);
        assert_int_equal(json_array_size(list), 0);
        json_decref(list);
    }
    assert_int_equal(audited(&w, ": the appointment was deleted", NULL), 4);
    teardown_world(&w);
}

/* A worker claimed each attendee's reminders, made the first announcement and died before it
 * could record it (its lease then runs out); the codes it made into made. */
static void crash_after_first_create(world *w, char made[2][64])
{
    size_t n = 0;
    err e = {0};
    assert_int_equal(engine_plan_some(&w->f->en, 10, &n, &e), 0);
    store_ops ops = {0};
    int64_t lease_end = clock_now_ms(clock_system()) + 1000;
    assert_int_equal(store_outbox_claim(&ops, w->f->store, "crashed:1", 1000, "pheedloop", 20, &e),
                     0);
    size_t k = 0;
    for (size_t i = 0; i < ops.n; i++) {
        if (strcmp(ops.v[i].kind, "pl.reminders") != 0)
            continue;
        assert_true(k < 2);
        assert_int_equal(store_outbox_intent(w->f->store, &ops.v[i], &e), 0);
        json_t *p = json_loads(ops.v[i].payload, 0, NULL);
        const json_t *first = json_array_get(json_object_get(p, "want"), 0);
        pl_announcement a = {0};
        pl_call call = {0};
        assert_int_equal(pl_client_create_announcement(&a, w->f->pl, jsonx_str(p, "event"),
                                                       json_object_get(first, "body"), &call, &e),
                         0);
        snprintf(made[k++], 64, "%s", a.code);
        pl_announcement_free(&a);
        json_decref(p);
    }
    assert_int_equal(k, 2);
    store_ops_free(&ops);
    while (clock_now_ms(clock_system()) <= lease_end) /* the dead worker's lease runs out */
        clock_sleep_ms(clock_system(), 20);
}

static bool has_code(world *w, int k, const char *code)
{
    json_t *list = announcements(w, k);
    bool found = false;
    size_t i;
    json_t *an;
    json_array_foreach(list, i, an) found |= !strcmp(jsonx_str(an, "code"), code);
    json_decref(list);
    return found;
}

/* Retried in doubt, the operations find what the lost attempt made instead of making it again. */
static void creates_retried_in_doubt_are_not_duplicated(void **state)
{
    (void)state;
    world w;
    setup_world(&w, NULL);
    char id[64], made[2][64];
    book(&w, id);
    crash_after_first_create(&w, made);
    efix_pass_live(w.f);
    for (int k = 0; k < 2; k++) {
        assert_reminders(&w, k, 0, NULL);
        assert_true(has_code(&w, 0, made[k]) || has_code(&w, 1, made[k]));
    }
    assert_int_equal(audited(&w, ": the appointment was booked", NULL), 4);
    teardown_world(&w);
}

/* A rule's announcement on check-in is released now, which PheedLoop must read in the event's
 * time: New York's wall clock, not UTC's. */
static void rule_announcements_in_the_event_timezone(void **state)
{
    (void)state;
    world w;
    setup_world(&w, "[rule \"welcome\"]\nwhen = pheedloop.attendee.checked_in\n"
                    "then = pheedloop.announce \"Welcome {first_name}\"\n");
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/checkin/%s", EV1, w.att[0]);
    json_decref(efix_admin(w.f, false, "POST", path, "{}"));
    efix_hint_attendee(w.f, "checkin.created", EV1, w.att[0]);
    int64_t now = clock_now_ms(clock_system());
    efix_pass_live(w.f);
    json_t *list = announcements(&w, 0);
    assert_int_equal(json_array_size(list), 1);
    const json_t *an = json_array_get(list, 0);
    assert_string_equal(jsonx_str(an, "title"), "Welcome Ada");
    char iso[64];
    snprintf(iso, sizeof iso, "%sT%sZ", jsonx_str(an, "release_date"),
             jsonx_str(an, "release_time"));
    int64_t local;
    assert_int_equal(clock_parse_iso(&local, iso, NULL), 0);
    tz_zone *ny = NULL;
    err e = {0};
    assert_int_equal(tz_load(&ny, NY, &e), 0);
    int64_t offset_ms = (int64_t)tz_offset_at(ny, now / 1000) * 1000;
    tz_free(ny);
    /* Released within the pass's minute, read as New York time (4 or 5 hours off as UTC). */
    int64_t utc = local - offset_ms;
    assert_true(utc >= now / 1000 * 1000 - 1000 && utc <= now + 60000);
    json_decref(list);
    teardown_world(&w);
}

int main(void)
{
    plan_times();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_attendee_in_its_own_event_and_timezone),
        cmocka_unit_test(deleted_appointment_cancels_every_reminder),
        cmocka_unit_test(creates_retried_in_doubt_are_not_duplicated),
        cmocka_unit_test(rule_announcements_in_the_event_timezone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
