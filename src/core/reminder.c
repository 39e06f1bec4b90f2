/* reminder.c: appointment reminders as PheedLoop announcements: wanted set and diff. */
#include "core/reminder.h"

#include "core/normalize.h"
#include "util/clock.h"
#include "util/jsonx.h"

#define TEXT_MAX 4096

static const char *const APPOINTMENT_VARS[] = {"appointment_title", "appointment_start",
                                               "appointment_end", "appointment_status"};

void core_reminder_cfg_clear(core_reminder_cfg *c)
{
    if (!c)
        return;
    free(c->title);
    free(c->description);
    memset(c, 0, sizeof *c);
}

typedef struct known_ctx {
    const core_map *m;
} known_ctx;

static bool knows(void *ctx, const char *name)
{
    const known_ctx *k = ctx;
    for (size_t i = 0; i < PS_ARRAY_LEN(APPOINTMENT_VARS); i++) {
        if (strcmp(APPOINTMENT_VARS[i], name) == 0)
            return true;
    }
    return core_map_knows(k->m, name);
}

static int check_tpl(char **out, const char *tpl, const char *key, const core_map *m, err *e)
{
    known_ctx k = {m};
    size_t col;
    char why[128];
    if (core_tpl_check(tpl ? tpl : "", knows, &k, &col, why, sizeof why) != 0)
        return err_set(e, ERR_CONFIG, "[sync] %s: column %zu: %s", key, col, why);
    *out = strdup(tpl ? tpl : "");
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int core_reminder_cfg_init(core_reminder_cfg *out, const char *const *offsets, size_t n,
                           const char *title, const char *description, const core_map *m, err *e)
{
    core_reminder_cfg c;
    memset(&c, 0, sizeof c);
    if (n == 1 && strcmp(offsets[0], "-") == 0)
        n = 0; /* an empty value in the file means the default, so "-" says "none" */
    if (n > CORE_REMINDERS_MAX)
        return err_set(e, ERR_CONFIG, "[sync] reminders: at most %d", CORE_REMINDERS_MAX);
    for (size_t i = 0; i < n; i++) {
        int64_t s;
        if (core_duration_parse(&s, offsets[i]) != 0 || s <= 0)
            return err_set(e, ERR_CONFIG,
                           "[sync] reminders: '%s' is not a positive duration (e.g. 24h, 30m)",
                           offsets[i]);
        for (size_t k = 0; k < c.n_before; k++) {
            if (c.before_s[k] == s)
                return err_set(e, ERR_CONFIG, "[sync] reminders: '%s' is listed twice", offsets[i]);
        }
        c.before_s[c.n_before++] = s;
    }
    int rc = check_tpl(&c.title, title, "reminder_title", m, e);
    if (rc == 0)
        rc = check_tpl(&c.description, description, "reminder_description", m, e);
    if (rc == 0 && !*c.title && c.n_before)
        rc = err_set(e, ERR_CONFIG, "[sync] reminder_title: a reminder needs a title");
    if (rc != 0) {
        core_reminder_cfg_clear(&c);
        return rc;
    }
    *out = c;
    return 0;
}

int core_reminder_cfg_from_config(core_reminder_cfg *out, const config *cfg, const core_map *m,
                                  err *e)
{
    const char *const *items = NULL;
    size_t n = config_list(cfg, "sync", "reminders", &items);
    return core_reminder_cfg_init(out, items, n, config_str(cfg, "sync", "reminder_title"),
                                  config_str(cfg, "sync", "reminder_description"), m, e);
}

/* ---------------------------------------------------------------- wanted */

static bool cancelled(const char *status)
{
    static const char *const gone[] = {"cancelled", "canceled", "noshow", "invalid"};
    for (size_t i = 0; status && i < PS_ARRAY_LEN(gone); i++) {
        if (strcasecmp(status, gone[i]) == 0)
            return true;
    }
    return false;
}

/* utc_ms in the event's local time, as "YYYY-MM-DD" and "HH:MM:SS". */
static int local_parts(const core_reminder_cfg *cfg, int64_t utc_ms, char date[11], char time[9])
{
    int off = 0;
    if (cfg->tz && cfg->tz(cfg->tz_ctx, utc_ms, &off) != 0)
        return ERR_INVALID;
    char iso[CLOCK_ISO_LEN];
    clock_format_iso(utc_ms + (int64_t)off * 60000, iso);
    snprintf(date, 11, "%.10s", iso);
    snprintf(time, 9, "%.8s", iso + 11);
    return 0;
}

static json_t *filled(const char *tpl, const json_t *vars)
{
    buf b;
    buf_init(&b, TEXT_MAX);
    core_tpl_fill(&b, tpl, vars, NULL);
    json_t *s = json_stringn(b.ptr ? b.ptr : "", b.len);
    buf_free(&b);
    return s ? s : json_string("");
}

/* The appointment's facts for templates: the title, and times in the event's local time. */
static json_t *appointment_vars(const core_reminder_cfg *cfg, const json_t *appt,
                                const json_t *vars)
{
    json_t *v = json_is_object(vars) ? json_deep_copy(vars) : json_object();
    const char *title = jsonx_str(appt, "title");
    json_object_set_new(v, "appointment_title", json_string(title ? title : ""));
    const char *status = jsonx_str(appt, "status");
    json_object_set_new(v, "appointment_status", json_string(status ? status : ""));
    static const char *const keys[] = {"start", "end"};
    static const char *const names[] = {"appointment_start", "appointment_end"};
    for (size_t i = 0; i < 2; i++) {
        int64_t ms;
        char date[11], time[9], text[32] = "";
        const char *t = jsonx_str(appt, keys[i]);
        if (t && clock_parse_iso(&ms, t, NULL) == 0 && local_parts(cfg, ms, date, time) == 0)
            snprintf(text, sizeof text, "%s %.5s", date, time);
        json_object_set_new(v, names[i], json_string(text));
    }
    return v;
}

static json_t *want_item(const core_reminder_cfg *cfg, int64_t before_s, int64_t release_ms,
                         const char *attendee_code, const json_t *vars)
{
    char date[11], time[9], iso[CLOCK_ISO_LEN];
    if (local_parts(cfg, release_ms, date, time) != 0)
        return NULL;
    clock_format_iso(release_ms, iso);
    json_t *title = filled(cfg->title, vars), *desc = filled(cfg->description, vars);
    json_t *body =
        json_pack("{s:O, s:O, s:[s], s:s, s:s, s:b, s:b}", "title", title, "description", desc,
                  "recipients", attendee_code, "release_date", date, "release_time", time,
                  "is_notification_push", 1, "is_notification_mail", 1);
    json_t *item =
        body ? json_pack("{s:I, s:s, s:O, s:O, s:o}", "before", (json_int_t)before_s, "release",
                         iso, "title", title, "description", desc, "body", body)
             : NULL;
    json_decref(title);
    json_decref(desc);
    return item;
}

int core_reminders_want(json_t **out, const core_reminder_cfg *cfg, const json_t *appointment,
                        const char *attendee_code, const json_t *vars, int64_t now_ms, err *e)
{
    if (!attendee_code || !*attendee_code)
        return err_set(e, ERR_INVALID, "reminders: no attendee code");
    json_t *list = json_array();
    if (!list)
        return err_set(e, ERR_NOMEM, "out of memory");
    int64_t start;
    const char *t = jsonx_str(appointment, "start");
    if (cancelled(jsonx_str(appointment, "status")) || !t ||
        clock_parse_iso(&start, t, NULL) != 0) {
        *out = list;
        return 0;
    }
    json_t *av = appointment_vars(cfg, appointment, vars);
    int rc = av ? 0 : ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < cfg->n_before; i++) {
        int64_t release = start - cfg->before_s[i] * 1000;
        if (release <= now_ms)
            continue;
        json_t *item = want_item(cfg, cfg->before_s[i], release, attendee_code, av);
        if (!item || json_array_append_new(list, item) != 0)
            rc = err_set(e, ERR_INVALID, "reminders: the event's timezone offset is unknown");
    }
    json_decref(av);
    if (rc != 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* ---------------------------------------------------------------- diff */

void core_reminder_plan_clear(core_reminder_plan *p)
{
    if (!p)
        return;
    json_decref(p->create);
    json_decref(p->update);
    json_decref(p->remove);
    json_decref(p->keep);
    memset(p, 0, sizeof *p);
}

static const json_t *by_before(const json_t *list, int64_t before)
{
    size_t i;
    const json_t *it;
    json_array_foreach(list, i, it)
    {
        if (jsonx_int(it, "before", INT64_MIN) == before)
            return it;
    }
    return NULL;
}

static bool released(const json_t *rec, int64_t now_ms)
{
    int64_t ms;
    const char *t = jsonx_str(rec, "release");
    return !t || clock_parse_iso(&ms, t, NULL) != 0 || ms <= now_ms;
}

static bool same(const json_t *want, const json_t *have)
{
    static const char *const keys[] = {"release", "title", "description"};
    for (size_t i = 0; i < PS_ARRAY_LEN(keys); i++) {
        if (!json_equal(json_object_get(want, keys[i]), json_object_get(have, keys[i])))
            return false;
    }
    return true;
}

static void plan_want(core_reminder_plan *p, const json_t *w, const json_t *have, int64_t now)
{
    const json_t *h = by_before(have, jsonx_int(w, "before", 0));
    if (h && !jsonx_str(h, "code"))
        h = NULL; /* a record without its announcement is no record */
    if (!h) {
        if (!released(w, now))
            json_array_append(p->create, core_json_mut(w));
    } else if (released(h, now) || same(w, h)) {
        json_array_append(p->keep, core_json_mut(h));
    } else if (released(w, now)) {
        json_array_append(p->remove, core_json_mut(h));
    } else {
        json_t *u = json_deep_copy(w);
        json_object_set(u, "code", json_object_get(h, "code"));
        json_array_append_new(p->update, u);
    }
}

int core_reminders_diff(core_reminder_plan *out, const json_t *want, const json_t *have,
                        int64_t now_ms, err *e)
{
    core_reminder_plan p = {json_array(), json_array(), json_array(), json_array()};
    if (!p.create || !p.update || !p.remove || !p.keep) {
        core_reminder_plan_clear(&p);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    size_t i;
    const json_t *it;
    json_array_foreach(want, i, it) plan_want(&p, it, have, now_ms);
    json_array_foreach(have, i, it)
    {
        if (!jsonx_str(it, "code") || by_before(want, jsonx_int(it, "before", INT64_MIN)))
            continue;
        json_array_append(released(it, now_ms) ? p.keep : p.remove, core_json_mut(it));
    }
    *out = p;
    return 0;
}

json_t *core_reminder_record(const json_t *want_item, const char *code)
{
    const json_t *body = json_object_get(want_item, "body");
    const char *date = jsonx_str(body, "release_date"), *time = jsonx_str(body, "release_time");
    char local[32] = "";
    if (date && time)
        snprintf(local, sizeof local, "%.10s %.8s", date, time);
    return json_pack("{s:O, s:s, s:O, s:s, s:O, s:O}", "before",
                     json_object_get(want_item, "before"), "code", code, "release",
                     json_object_get(want_item, "release"), "local", local, "title",
                     json_object_get(want_item, "title"), "description",
                     json_object_get(want_item, "description"));
}

/* ---------------------------------------------------------------- why */

/* The start the remembered reminders were made for (0: none readable). */
static int64_t start_of(const json_t *have)
{
    size_t i;
    const json_t *it;
    json_array_foreach(have, i, it)
    {
        int64_t ms;
        const char *t = jsonx_str(it, "release");
        if (jsonx_str(it, "code") && t && clock_parse_iso(&ms, t, NULL) == 0)
            return ms + jsonx_int(it, "before", 0) * 1000;
    }
    return 0;
}

const char *core_reminders_why(const json_t *appointment, const json_t *have)
{
    if (!appointment)
        return "the appointment was deleted";
    if (cancelled(jsonx_str(appointment, "status")))
        return "the appointment was cancelled";
    int64_t start, was = start_of(have);
    const char *t = jsonx_str(appointment, "start");
    if (!t || clock_parse_iso(&start, t, NULL) != 0)
        return "the appointment has no readable start";
    if (!was)
        return "the appointment was booked";
    if (was != start)
        return "the appointment moved";
    return "the reminder settings changed";
}

void core_reminder_offset_text(char out[32], int64_t before_s)
{
    long long h = (long long)(before_s / 3600), m = (long long)(before_s % 3600 / 60);
    if (before_s % 60 != 0)
        snprintf(out, 32, "%llds", (long long)before_s);
    else if (m == 0)
        snprintf(out, 32, "%lldh", h);
    else if (h == 0)
        snprintf(out, 32, "%lldm", m);
    else
        snprintf(out, 32, "%lldh%lldm", h, m);
}
