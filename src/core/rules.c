/* rules.c: `[rule]` sections: triggers, parsing each rule, and evaluating them on a record. */
#include "core/rules_int.h"

#include "core/normalize.h"
#include "core/template.h"
#include "util/clock.h"
#include "util/jsonx.h"

#define RULES_MAX 256
#define TEXT_MAX 4096

static const char *const V_NONE[] = {NULL};
static const char *const V_TAG[] = {"tag", NULL};
static const char *const V_APPT[] = {"appointment_id",  "appointment_title",  "appointment_start",
                                     "appointment_end", "appointment_status", NULL};
static const char *const V_TASK[] = {"task_id", "task_title", "task_body", "task_due", NULL};
static const char *const V_NOTE[] = {"note_id", "note_body", NULL};

#define APPT_USAGE                                                                                 \
    "appointment_id, appointment_title, appointment_start, appointment_end, "                      \
    "appointment_status"
#define TASK_USAGE "task_id, task_title, task_body, task_due"

static const core_catalog_entry TRIGGERS[] = {
    {"pheedloop.attendee.created", "", "Someone registered for an event, or was added to it."},
    {"pheedloop.attendee.updated", "", "An attendee's record changed."},
    {"pheedloop.attendee.checked_in", "", "An attendee checked in."},
    {"pheedloop.attendee.checked_out", "", "An attendee's check-in was undone."},
    {"pheedloop.attendee.deleted", "", "An attendee was removed from an event."},
    {"ghl.contact.created", "", "A HighLevel contact was created."},
    {"ghl.contact.updated", "", "A HighLevel contact changed."},
    {"ghl.contact.tag_added", "tag", "A tag was added to a contact; {tag} is the tag."},
    {"ghl.contact.tag_removed", "tag", "A tag was removed from a contact; {tag} is the tag."},
    {"ghl.appointment.created", APPT_USAGE, "An appointment was booked for a contact."},
    {"ghl.appointment.updated", APPT_USAGE, "A contact's appointment changed."},
    {"ghl.appointment.deleted", APPT_USAGE, "A contact's appointment was deleted."},
    {"ghl.task.created", TASK_USAGE, "A task was created on a contact."},
    {"ghl.task.completed", TASK_USAGE, "A contact's task was completed."},
    {"ghl.note.created", "note_id, note_body", "A note was added to a contact."},
};

/* In TRIGGERS' order. */
static const char *const *const TRIGGER_VARS[] = {
    V_NONE, V_NONE, V_NONE, V_NONE, V_NONE, V_NONE, V_NONE, V_TAG,
    V_TAG,  V_APPT, V_APPT, V_APPT, V_TASK, V_TASK, V_NOTE,
};

typedef struct rule {
    char *name;
    size_t trigger;
    rules_cond *cond;
    rules_action *actions;
    size_t n_actions;
} rule;

struct core_rules {
    rule *v;
    size_t n;
};

const core_catalog_entry *core_rules_triggers(size_t *n)
{
    *n = PS_ARRAY_LEN(TRIGGERS);
    return TRIGGERS;
}

bool rules_names_known(void *ctx, const char *name)
{
    const rules_names *names = ctx;
    for (const char *const *v = names->trigger_vars; v && *v; v++) {
        if (strcmp(*v, name) == 0)
            return true;
    }
    return core_map_knows(names->m, name);
}

/* Edit distance of a and b, stopping at limit. */
static size_t distance(const char *a, const char *b, size_t limit)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 64 || nb > 64)
        return limit + 1;
    size_t row[65];
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0], best = i;
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = PS_MIN(PS_MIN(row[j] + 1, row[j - 1] + 1), diag + cost);
            diag = up;
            best = PS_MIN(best, row[j]);
        }
        if (best > limit)
            return limit + 1;
    }
    return row[nb];
}

const char *rules_suggest(const char *word, const core_catalog_entry *entries, size_t n)
{
    const char *best = NULL;
    size_t best_d = 4;
    for (size_t i = 0; i < n; i++) {
        size_t d = distance(word, entries[i].name, 3);
        if (d < best_d) {
            best_d = d;
            best = entries[i].name;
        }
    }
    return best;
}

int core_rules_new(core_rules **out, err *e)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

static void rule_clear(rule *r)
{
    free(r->name);
    rules_cond_free(r->cond);
    rules_actions_free(r->actions, r->n_actions);
}

void core_rules_free(core_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        rule_clear(&r->v[i]);
    free(r->v);
    free(r);
}

size_t core_rules_count(const core_rules *r)
{
    return r ? r->n : 0;
}

static size_t trigger_index(const char *when)
{
    for (size_t i = 0; when && i < PS_ARRAY_LEN(TRIGGERS); i++) {
        if (strcmp(TRIGGERS[i].name, when) == 0)
            return i;
    }
    return SIZE_MAX;
}

bool core_rules_wants(const core_rules *r, const char *trigger)
{
    size_t t = trigger_index(trigger);
    for (size_t i = 0; r && i < r->n; i++) {
        if (r->v[i].trigger == t)
            return true;
    }
    return false;
}

static int bad_trigger(const char *label, const char *when, err *e)
{
    const char *near = rules_suggest(when ? when : "", TRIGGERS, PS_ARRAY_LEN(TRIGGERS));
    if (near)
        return err_set(e, ERR_CONFIG, "%s when = %s: unknown trigger (did you mean %s?)", label,
                       when, near);
    return err_set(e, ERR_CONFIG, "%s when = %s: unknown trigger (`pheedsync catalog` lists them)",
                   label, when ? when : "");
}

static int add_rule(core_rules *r, const char *label, const char *name, const char *when,
                    const char *cond, const char *then, const core_map *m, err *e)
{
    rule x = {NULL, trigger_index(when), NULL, NULL, 0};
    if (x.trigger == SIZE_MAX)
        return bad_trigger(label, when, e);
    if (r->n == RULES_MAX)
        return err_set(e, ERR_CONFIG, "%s: more than %d rules", label, RULES_MAX);
    rules_names names = {m, TRIGGER_VARS[x.trigger]};
    rules_fail f = {0, ""};
    if (rules_cond_parse(&x.cond, cond, &names, &f) != 0)
        return err_set(e, ERR_CONFIG, "%s if, column %zu: %s", label, f.col, f.why);
    int rc = rules_actions_parse(&x.actions, &x.n_actions, then, &names, &f);
    if (rc != 0) {
        rules_cond_free(x.cond);
        return err_set(e, rc == ERR_NOMEM ? ERR_NOMEM : ERR_CONFIG, "%s then, column %zu: %s",
                       label, f.col, f.why);
    }
    rule *grown = realloc(r->v, (r->n + 1) * sizeof *grown);
    x.name = strdup(name);
    if (!grown || !x.name) {
        if (grown)
            r->v = grown;
        rule_clear(&x);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    r->v = grown;
    r->v[r->n++] = x;
    return 0;
}

int core_rules_add(core_rules *r, const char *name, const char *when, const char *cond,
                   const char *then, const core_map *m, err *e)
{
    char label[96];
    snprintf(label, sizeof label, "[rule \"%.60s\"]", name);
    return add_rule(r, label, name, when, cond, then, m, e);
}

int core_rules_from_config(core_rules **out, const config *cfg, const core_map *m, err *e)
{
    core_rules *r = NULL;
    int rc = core_rules_new(&r, e);
    size_t n = config_named_count(cfg, "rule");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *name = NULL;
        const config_section *s = config_named(cfg, "rule", i, &name);
        rc = add_rule(r, config_sec_label(s), name, config_sec_str(s, "when"),
                      config_sec_str(s, "if"), config_sec_str(s, "then"), m, e);
    }
    if (rc != 0) {
        core_rules_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* ---------------------------------------------------------------- trigger values */

/* vars[name] = the text of record[key] (times as ISO-8601 UTC when readable). */
static int put(json_t *vars, const char *name, const json_t *record, const char *key, bool time)
{
    const char *s = jsonx_str(record, key);
    char iso[CLOCK_ISO_LEN];
    int64_t ms;
    if (s && time && clock_parse_iso(&ms, s, NULL) == 0) {
        clock_format_iso(ms, iso);
        s = iso;
    }
    return json_object_set_new(vars, name, json_string(s ? s : ""));
}

int core_rules_trigger_vars(json_t *vars, const char *trigger, const json_t *record, err *e)
{
    size_t t = trigger_index(trigger);
    if (t == SIZE_MAX)
        return err_set(e, ERR_INVALID, "unknown trigger '%s'", trigger ? trigger : "");
    const char *const *names = TRIGGER_VARS[t];
    int rc = 0;
    if (names == V_TAG) {
        rc = json_object_set_new(
            vars, "tag", json_string(json_is_string(record) ? json_string_value(record) : ""));
    } else if (names == V_APPT) {
        const json_t *inner = json_object_get(record, "appointment");
        const json_t *a = json_is_object(inner) ? inner : record;
        const char *status = jsonx_str(a, "appointmentStatus") ? "appointmentStatus" : "status";
        rc = put(vars, "appointment_id", a, "id", false) |
             put(vars, "appointment_title", a, "title", false) |
             put(vars, "appointment_start", a, "startTime", true) |
             put(vars, "appointment_end", a, "endTime", true) |
             put(vars, "appointment_status", a, status, false);
    } else if (names == V_TASK) {
        rc = put(vars, "task_id", record, "id", false) |
             put(vars, "task_title", record, "title", false) |
             put(vars, "task_body", record, "body", false) |
             put(vars, "task_due", record, "dueDate", true);
    } else if (names == V_NOTE) {
        rc = put(vars, "note_id", record, "id", false) |
             put(vars, "note_body", record, "body", false);
    }
    return rc ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

/* ---------------------------------------------------------------- evaluation */

void core_actions_clear(core_actions *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].text);
        free(a->v[i].detail);
    }
    free(a->v);
    a->v = NULL;
    a->n = 0;
}

/* A filled template, trimmed; NULL when it comes out empty. */
static char *fill(const char *tpl, const json_t *vars, bool tag_for_ghl)
{
    buf b, t;
    buf_init(&b, TEXT_MAX);
    buf_init(&t, TEXT_MAX);
    char *out = NULL;
    if (core_tpl_fill(&b, tpl, vars, NULL) == 0) {
        const char *s = buf_cstr(&b);
        size_t n = b.len;
        core_trim(&s, &n);
        if (tag_for_ghl ? core_norm_tag(&t, s, n) == 0 : buf_add(&t, s, n) == 0)
            out = t.len ? buf_take(&t) : NULL;
    }
    buf_free(&b);
    buf_free(&t);
    return out;
}

/* What at= counts from: the appointment's start, else the event's, else now. */
static int64_t reference_ms(const json_t *vars, int64_t now_ms)
{
    static const char *const keys[] = {"appointment_start", "event_start"};
    for (size_t i = 0; i < PS_ARRAY_LEN(keys); i++) {
        int64_t ms;
        const char *t = jsonx_str(vars, keys[i]);
        if (t && clock_parse_iso(&ms, t, NULL) == 0)
            return ms;
    }
    return now_ms;
}

static int make_action(core_action *out, const rule *r, const rules_action *a, const json_t *vars,
                       int64_t now_ms)
{
    memset(out, 0, sizeof *out);
    out->rule = r->name;
    out->kind = a->kind;
    out->name = rules_action_name(a->kind);
    out->text = fill(a->text, vars,
                     a->kind == CORE_ACTION_GHL_ADD_TAG || a->kind == CORE_ACTION_GHL_REMOVE_TAG);
    if (!out->text)
        return 1; /* nothing to do */
    out->detail = a->detail ? fill(a->detail, vars, false) : NULL;
    if (a->has_offset) {
        int64_t base = a->kind == CORE_ACTION_PL_ANNOUNCE ? reference_ms(vars, now_ms) : now_ms;
        out->has_time = true;
        out->time_ms = base + a->offset_s * 1000;
    }
    return 0;
}

int core_rules_eval(core_actions *out, const core_rules *r, const char *trigger, const json_t *vars,
                    int64_t now_ms, err *e)
{
    size_t t = trigger_index(trigger);
    if (t == SIZE_MAX)
        return err_set(e, ERR_INVALID, "unknown trigger '%s'", trigger ? trigger : "");
    core_actions acts = {NULL, 0};
    for (size_t i = 0; r && i < r->n; i++) {
        const rule *x = &r->v[i];
        if (x->trigger != t || !rules_cond_eval(x->cond, vars))
            continue;
        for (size_t k = 0; k < x->n_actions; k++) {
            core_action *grown = realloc(acts.v, (acts.n + 1) * sizeof *grown);
            if (!grown) {
                core_actions_clear(&acts);
                return err_set(e, ERR_NOMEM, "out of memory");
            }
            acts.v = grown;
            if (make_action(&acts.v[acts.n], x, &x->actions[k], vars, now_ms) == 0)
                acts.n++;
        }
    }
    *out = acts;
    return 0;
}
