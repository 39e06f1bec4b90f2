/* cmd_profile.c: `pheedsync profile EMAIL|ID`: one person's complete profile: the HighLevel
 * contact with its tags, custom fields, tasks, notes and appointments, and each PheedLoop
 * attendee with its event, ticket and check-in. */
#include "ops/ops_cmd.h"
#include "ops/person_lookup.h"
#include "util/jsonx.h"

static const char usage_text[] =
    "usage: pheedsync profile EMAIL|ID [--link NAME] [OPTIONS]\n"
    "\n"
    "Shows everything both services hold for one person: the HighLevel contact (fields, tags,\n"
    "custom fields by key, tasks, notes, appointments) and each PheedLoop attendee (event,\n"
    "ticket, check-in, tags), with the link that joins them. The person is named by e-mail\n"
    "address (compared trimmed and lower-cased), HighLevel contact id, PheedLoop attendee code\n"
    "or link number; someone nobody linked is looked for through the APIs (HighLevel's\n"
    "duplicate search, each configured event's attendees). Only reads are sent.\n"
    "Exit status: 0 shown, 1 nobody by that name (or it is ambiguous), 2 usage or\n"
    "configuration error, 3 runtime failure (a service unreachable, the store unreadable or\n"
    "written by a newer pheedsync).\n"
    "\n"
    "With [link] sections the person is looked for in every link (read through the link of\n"
    "their location); --link NAME looks in that link only (\"default\": [ghl] and [pheedloop]).\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS APP_USAGE_JSON
    "  --link NAME       only that link of the configuration\n"
    "  -h, --help        this text\n";

enum { OPT_LINK = 256 };

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    APP_LONG_OPTION_JSON,
    {"link", required_argument, NULL, OPT_LINK},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* ---------------------------------------------------------------- gathering */

/* customFields [{id, value}] as {fieldKey: value} through the location's definitions. */
static json_t *custom_by_key(const json_t *contact, const json_t *defs)
{
    json_t *out = json_object();
    size_t i, k;
    const json_t *cf, *def;
    json_array_foreach(json_object_get(contact, "customFields"), i, cf)
    {
        const char *id = jsonx_str(cf, "id"), *key = jsonx_str(cf, "key");
        json_array_foreach(defs, k, def)
        {
            if (!key && id && jsonx_str(def, "id") && !strcmp(jsonx_str(def, "id"), id))
                key = jsonx_str(def, "fieldKey");
        }
        json_t *v = json_object_get(cf, "value");
        json_object_set(out,
                        key  ? key
                        : id ? id
                             : "?",
                        v                                    ? v
                        : json_object_get(cf, "field_value") ? json_object_get(cf, "field_value")
                                                             : json_null());
    }
    return out;
}

/* Tasks, notes and appointments of the contact. */
static int activity(json_t *prof, ops_data *d, const char *contact_id, err *e)
{
    ghl_call call = {0};
    ghl_op op = {.location_id = d->location, .lane = GOVERNOR_LANE_LIVE, .call = &call};
    ghl_tasks tasks = {0};
    ghl_notes notes = {0};
    ghl_appointments appts = {0};
    int rc = ghl_client_list_tasks(&tasks, ops_data_ghl(d), &op, contact_id, e);
    if (rc == 0)
        rc = ghl_client_list_notes(&notes, ops_data_ghl(d), &op, contact_id, e);
    if (rc == 0)
        rc = ghl_client_list_appointments(&appts, ops_data_ghl(d), &op, contact_id, e);
    if (rc == 0) {
        json_t *t = json_array(), *n = json_array(), *a = json_array();
        for (size_t i = 0; i < tasks.n; i++)
            json_array_append(t, tasks.v[i].raw);
        for (size_t i = 0; i < notes.n; i++)
            json_array_append(n, notes.v[i].raw);
        for (size_t i = 0; i < appts.n; i++)
            json_array_append(a, appts.v[i].raw);
        json_object_set_new(prof, "tasks", t);
        json_object_set_new(prof, "notes", n);
        json_object_set_new(prof, "appointments", a);
    }
    ghl_tasks_clear(&tasks);
    ghl_notes_clear(&notes);
    ghl_appointments_clear(&appts);
    return rc ? err_wrap(e, "HighLevel, reading the contact's activity: ") : 0;
}

static int contact_part(json_t *prof, ops_data *d, const ops_person *p, err *e)
{
    json_object_set_new(prof, "contact", p->contact ? json_incref(p->contact) : json_null());
    jsonx_set_str(prof, "contact_error", p->contact_error);
    if (!p->contact)
        return 0;
    const json_t *defs = NULL;
    int rc = ops_data_field_defs(&defs, d, e);
    if (rc != 0)
        return rc;
    const json_t *tags = json_object_get(p->contact, "tags");
    json_object_set_new(prof, "tags", tags ? json_deep_copy(tags) : json_array());
    json_object_set_new(prof, "custom_fields", custom_by_key(p->contact, defs));
    return activity(prof, d, p->contact_id, e);
}

/* A field of the attendee, else of its registration. */
static const json_t *either(const json_t *att, const json_t *reg, const char *a, const char *r)
{
    const json_t *v = json_object_get(att, a);
    return v && !json_is_null(v) ? v : json_object_get(reg, r);
}

static int attendee_part(json_t *list, ops_data *d, const ops_attendee *oa, err *e)
{
    json_t *one =
        json_pack("{s:s, s:s, s:s?}", "event", oa->event, "attendee", oa->code, "error", oa->error);
    json_array_append_new(list, one);
    ops_event *ev = NULL;
    int rc = ops_data_event(&ev, d, oa->event, e);
    if (rc == ERR_NOT_FOUND) { /* the event itself is gone: say so, go on */
        jsonx_set_str(one, "error", e->msg);
        return 0;
    }
    if (rc != 0)
        return rc;
    jsonx_set_str(one, "event_name", jsonx_str(ev->event, "event_name"));
    jsonx_set_str(one, "event_date", jsonx_str(ev->event, "date"));
    if (!oa->attendee)
        return 0;
    const json_t *reg = NULL;
    rc = ops_data_registration(&reg, d, oa->event, oa->code, e);
    if (rc != 0)
        return rc;
    const json_t *att = oa->attendee;
    json_object_set(one, "record", core_json_mut(att));
    json_object_set_new(one, "registration", reg ? json_deep_copy(reg) : json_null());
    const json_t *checked = either(att, reg, "is_checked_in", "checked_in");
    json_t *t = json_pack("{s:O?, s:O?}", "name", either(att, reg, "ticket_name", "ticket_name"),
                          "code", either(att, reg, "ticket_code", "ticket_code"));
    json_object_set_new(one, "ticket", t);
    json_object_set_new(one, "checked_in", json_boolean(json_is_true(checked)));
    json_object_set(one, "checkin_date",
                    core_json_mut(either(att, reg, "checkin_date", "checked_in_date")
                                      ? either(att, reg, "checkin_date", "checked_in_date")
                                      : json_null()));
    return 0;
}

static int gather(json_t **out, ops_data *d, const ops_person *p, err *e)
{
    const store_link *l = p->link;
    json_t *prof = json_object();
    json_object_set_new(prof, "email", p->email[0] ? json_string(p->email) : json_null());
    json_object_set_new(prof, "contact_id",
                        p->contact_id ? json_string(p->contact_id) : json_null());
    json_t *link = json_null();
    if (l) {
        char iso[CLOCK_ISO_LEN];
        clock_format_iso(l->created_ms, iso);
        link = json_pack("{s:I, s:s, s:s?, s:s?, s:b}", "id", (json_int_t)l->id, "linked_at", iso,
                         "email", l->email_norm, "phone", l->phone, "ended", l->unlinked_ms != 0);
    }
    json_object_set_new(prof, "link", link);
    if (d->app->n_links > 1)
        jsonx_set_str(prof, "sync_link", p->link_name);
    int rc = contact_part(prof, d, p, e);
    json_t *atts = json_array();
    json_object_set_new(prof, "attendees", atts);
    for (size_t i = 0; rc == 0 && i < p->n_attendees; i++)
        rc = attendee_part(atts, d, &p->attendees[i], e);
    if (rc != 0) {
        json_decref(prof);
        return rc;
    }
    *out = prof;
    return 0;
}

/* ---------------------------------------------------------------- printing */

static void line(const char *label, const json_t *v)
{
    char text[512];
    if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
        (json_is_array(v) && !json_array_size(v)))
        return;
    ops_fmt_value(text, sizeof text, v, 100);
    printf("  %-14s %s\n", label, text);
}

static void line_s(const char *label, const char *s)
{
    if (s && *s)
        printf("  %-14s %s\n", label, s);
}

static void print_activity(const json_t *prof)
{
    size_t i;
    const json_t *x;
    const json_t *tasks = json_object_get(prof, "tasks");
    printf("  tasks (%zu)\n", json_array_size(tasks));
    json_array_foreach(tasks, i, x)
        printf("    [%c] %s%s%s\n", jsonx_bool(x, "completed", false) ? 'x' : ' ',
               jsonx_str(x, "title") ? jsonx_str(x, "title") : "(no title)",
               jsonx_str(x, "dueDate") ? "  due " : "",
               jsonx_str(x, "dueDate") ? jsonx_str(x, "dueDate") : "");
    const json_t *notes = json_object_get(prof, "notes");
    printf("  notes (%zu)\n", json_array_size(notes));
    json_array_foreach(notes, i, x)
    {
        char body[160];
        ops_fmt_value(body, sizeof body, json_object_get(x, "body"), 90);
        printf("    %s  %s\n", jsonx_str(x, "dateAdded") ? jsonx_str(x, "dateAdded") : "-", body);
    }
    const json_t *appts = json_object_get(prof, "appointments");
    printf("  appointments (%zu)\n", json_array_size(appts));
    json_array_foreach(appts, i, x) printf(
        "    %s to %s  %s (%s)\n", jsonx_str(x, "startTime") ? jsonx_str(x, "startTime") : "-",
        jsonx_str(x, "endTime") ? jsonx_str(x, "endTime") : "-",
        jsonx_str(x, "title") ? jsonx_str(x, "title") : "(no title)",
        jsonx_str(x, "appointmentStatus") ? jsonx_str(x, "appointmentStatus")
        : jsonx_str(x, "status")          ? jsonx_str(x, "status")
                                          : "-");
}

static void print_contact(const json_t *prof)
{
    const json_t *c = json_object_get(prof, "contact");
    if (!json_is_object(c)) {
        printf("\nHighLevel: %s\n",
               jsonx_str(prof, "contact_error") ? jsonx_str(prof, "contact_error") : "no contact");
        return;
    }
    printf("\nHighLevel contact %s\n", jsonx_str(c, "id"));
    char name[256];
    snprintf(name, sizeof name, "%s %s", jsonx_str(c, "firstName") ? jsonx_str(c, "firstName") : "",
             jsonx_str(c, "lastName") ? jsonx_str(c, "lastName") : "");
    line_s("name", name[0] == ' ' ? name + 1 : name);
    static const char *const keys[][2] = {
        {"email", "email"},
        {"phone", "phone"},
        {"company", "companyName"},
        {"address", "address1"},
        {"city", "city"},
        {"state", "state"},
        {"postal code", "postalCode"},
        {"country", "country"},
        {"website", "website"},
        {"source", "source"},
        {"added", "dateAdded"},
        {"updated", "dateUpdated"},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(keys); i++)
        line(keys[i][0], json_object_get(c, keys[i][1]));
    line("tags", json_object_get(prof, "tags"));
    const json_t *cf = json_object_get(prof, "custom_fields");
    printf("  custom fields (%zu)\n", json_object_size(cf));
    const char *k;
    const json_t *v;
    json_object_foreach(core_json_mut(cf), k, v)
    {
        char text[256];
        ops_fmt_value(text, sizeof text, v, 80);
        printf("    %-28s %s\n", k, text);
    }
    print_activity(prof);
}

static void print_attendee(const json_t *a)
{
    printf("\nPheedLoop attendee %s in %s", jsonx_str(a, "attendee"), jsonx_str(a, "event"));
    if (jsonx_str(a, "event_name"))
        printf(" (%s%s%s)", jsonx_str(a, "event_name"), jsonx_str(a, "event_date") ? ", " : "",
               jsonx_str(a, "event_date") ? jsonx_str(a, "event_date") : "");
    printf("\n");
    if (jsonx_str(a, "error"))
        printf("  %s\n", jsonx_str(a, "error"));
    const json_t *r = json_object_get(a, "record");
    if (!json_is_object(r))
        return;
    char name[256];
    snprintf(name, sizeof name, "%s %s",
             jsonx_str(r, "first_name") ? jsonx_str(r, "first_name") : "",
             jsonx_str(r, "last_name") ? jsonx_str(r, "last_name") : "");
    line_s("name", name[0] == ' ' ? name + 1 : name);
    static const char *const keys[][2] = {
        {"email", "email"},       {"organization", "organization"},
        {"title", "title"},       {"phone", "address_phone"},
        {"city", "address_city"}, {"country", "address_country"},
        {"tags", "tags"},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(keys); i++)
        line(keys[i][0], json_object_get(r, keys[i][1]));
    const json_t *t = json_object_get(a, "ticket");
    char ticket[256];
    snprintf(ticket, sizeof ticket, "%s%s%s%s",
             jsonx_str(t, "name") ? jsonx_str(t, "name") : "none", jsonx_str(t, "code") ? " (" : "",
             jsonx_str(t, "code") ? jsonx_str(t, "code") : "", jsonx_str(t, "code") ? ")" : "");
    line_s("ticket", ticket);
    if (jsonx_bool(a, "checked_in", false))
        printf("  %-14s checked in%s%s\n", "check-in", jsonx_str(a, "checkin_date") ? " at " : "",
               jsonx_str(a, "checkin_date") ? jsonx_str(a, "checkin_date") : "");
    else
        printf("  %-14s not checked in\n", "check-in");
    const json_t *hl = jsonx_path(json_object_get(r, "metadata"), "highlevel");
    if (json_is_object(hl))
        line("from HighLevel", json_object_get(hl, "tags"));
}

static void print_profile(const json_t *prof)
{
    const json_t *l = json_object_get(prof, "link");
    printf("%s", jsonx_str(prof, "email") ? jsonx_str(prof, "email") : "(no e-mail)");
    if (jsonx_str(prof, "sync_link"))
        printf("  [link %s]", jsonx_str(prof, "sync_link"));
    if (json_is_object(l))
        printf("  link %lld%s, linked %s\n", (long long)jsonx_int(l, "id", 0),
               jsonx_bool(l, "ended", false) ? " (ended)" : "", jsonx_str(l, "linked_at"));
    else
        printf("  not linked\n");
    print_contact(prof);
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(prof, "attendees"), i, a) print_attendee(a);
    if (!json_array_size(json_object_get(prof, "attendees")))
        printf("\nPheedLoop: no attendee in the configured events\n");
}

static int own_option(void *ctx, int opt, const char *arg)
{
    if (opt != OPT_LINK)
        return -1;
    *(const char **)ctx = arg;
    return 0;
}

static int run(app_ctx *a, const char *query, const char *link_name)
{
    ops_data d;
    ops_person p = {0};
    json_t *prof = NULL;
    err e = {0};
    int rc = ops_data_open(&d, a, &e);
    bool bad_link = rc == 0 && ops_data_only_link(&d, link_name, &e) != 0;
    if (bad_link)
        rc = e.code;
    if (rc == 0)
        rc = ops_person_find(&p, &d, query, OPS_FIND_READ, &e);
    if (rc == 0)
        rc = gather(&prof, &d, &p, &e);
    int code = EXIT_OK;
    if (bad_link) {
        app_fail(a, &e);
        code = EXIT_USAGE;
    } else if (rc == ERR_NOT_FOUND || rc == ERR_CONFLICT) {
        app_fail(a, &e);
        code = EXIT_CHECK;
    } else if (rc != 0) {
        code = ops_cmd_fail(a, &e);
    } else if (a->json) {
        ops_json_print(prof);
    } else {
        print_profile(prof);
    }
    json_decref(prof);
    ops_person_free(&p);
    ops_data_close(&d);
    return code;
}

int cmd_profile(int argc, char **argv)
{
    const char *link_name = NULL;
    ops_cmd_spec spec = {"profile", usage_text, long_options, own_option, &link_name};
    app_options ao;
    int first = 0;
    int code = ops_cmd_parse(&ao, &first, &spec, argc, argv);
    if (code >= 0)
        return code;
    if (first >= argc)
        return ops_cmd_usage_error(&spec, "needs EMAIL or ID: whose profile to show");
    if (argc - first > 1)
        return ops_cmd_usage_error(&spec, "unexpected argument '%s'", argv[first + 1]);
    app_ctx a;
    code = ops_cmd_open(&a, &ao, APP_STORE);
    if (code == EXIT_OK)
        code = run(&a, argv[first], link_name);
    app_close(&a);
    return code;
}
