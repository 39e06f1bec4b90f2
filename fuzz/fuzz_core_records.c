/* fuzz_core_records.c: HighLevel and PheedLoop records of any shape through the core: reading
 * both into canonical form, the merge (against shadows given, and against their own shadows,
 * which must be an echo), the write bodies, the activity layout and reminders.
 * Input: JSON {"contact", "defs", "attendee", "registration", "event", "event_tags",
 * "shadow_ghl", "shadow_pl", "record", "appointment"}; any member may be missing or odd. */
#include "fuzz/fuzz.h"

#include "core/activity.h"
#include "core/merge.h"
#include "core/reminder.h"
#include "util/jsonx.h"

static void bodies(const core_map *m, const core_merge_out *o, const core_ghl_record *g,
                   const core_pl_record *p)
{
    json_t *body = NULL;
    err e;
    if (core_person_to_ghl_fields(&body, m, o->to_ghl, g, &e) == 0)
        json_decref(body);
    if (core_person_to_pl_fields(&body, m, o->to_pl, &o->tags_pl, p, &e) == 0)
        json_decref(body);
}

/* Merging two records against their own shadows changes nothing. */
static void self_echo(const core_map *m, const core_person *g, const core_person *p)
{
    json_t *sg = core_person_shadow(m, g), *sp = core_person_shadow(m, p);
    core_merge_in in = {m, g, p, sg, sp, CORE_GHL, 0};
    core_merge_out o;
    err e;
    if (core_merge(&o, &in, &e) == 0) {
        if (!o.echo || core_merge_writes(&o, CORE_GHL) || core_merge_writes(&o, CORE_PL))
            abort();
        core_merge_out_clear(&o);
    }
    json_decref(sg);
    json_decref(sp);
}

static void merge(const core_map *m, const json_t *j, const core_ghl_record *gr,
                  const core_pl_record *pr)
{
    core_person g, p;
    err e;
    if (core_person_from_ghl(&g, m, gr, &e) != 0)
        return;
    if (core_person_from_pl(&p, m, pr, &e) != 0) {
        core_person_clear(&g);
        return;
    }
    const json_t *sg = json_object_get(j, "shadow_ghl"), *sp = json_object_get(j, "shadow_pl");
    core_merge_in in = {
        m, &g, &p, json_is_object(sg) ? sg : NULL, json_is_object(sp) ? sp : NULL, CORE_PL, 0};
    core_merge_out o;
    if (core_merge(&o, &in, &e) == 0) {
        bodies(m, &o, gr, pr);
        json_decref(core_merge_shadow_after(&o, m, &g, CORE_GHL));
        json_decref(core_merge_shadow_after(&o, m, &p, CORE_PL));
        core_merge_out_clear(&o);
    }
    self_echo(m, &g, &p);
    core_person_clear(&g);
    core_person_clear(&p);
}

static void activity(const json_t *j, const core_reminder_cfg *rc)
{
    const json_t *att = json_object_get(j, "attendee");
    json_t *meta = json_is_object(json_object_get(att, "metadata"))
                       ? json_deep_copy(json_object_get(att, "metadata"))
                       : json_object();
    const json_t *rec = json_object_get(j, "record");
    err e;
    bool changed;
    for (int k = CORE_ACT_TASK; k <= CORE_ACT_APPOINTMENT; k++) {
        for (int op = CORE_ACT_UPSERT; op <= CORE_ACT_DELETE; op++)
            core_activity_apply(meta, (core_act_kind)k, (core_act_op)op, rec, &changed, &e);
    }
    core_activity_set_tags(meta, json_object_get(rec, "tags"), &changed, &e);
    core_activity_prune(meta, 1700000000000, &changed);
    json_t *want = NULL;
    if (core_reminders_want(&want, rc, json_object_get(j, "appointment"), "ATT1", j, 0, &e) == 0) {
        core_reminder_plan plan;
        const json_t *have = json_object_get(json_object_get(j, "appointment"), "reminders");
        if (core_reminders_diff(&plan, want, have, 1700000000000, &e) == 0)
            core_reminder_plan_clear(&plan);
        json_decref(want);
    }
    json_decref(meta);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = NULL;
    err e;
    if (jsonx_parse(&j, data, size, "fuzz input", &e) != 0)
        return 0;
    core_map *m = NULL;
    core_field_spec extra = {"answer", "contact.answer", "answers.q1", "pheedloop_to_ghl",
                             NULL,     "trim, map:a=b"};
    core_field_spec meta = {"meta", "contact.meta", "metadata.x.y", NULL, NULL, "upper"};
    core_reminder_cfg rc;
    const char *offsets[] = {"1h", "1d"};
    if (core_map_default(&m, &e) != 0 || core_map_add(m, &extra, &e) != 0 ||
        core_map_add(m, &meta, &e) != 0 ||
        core_reminder_cfg_init(&rc, offsets, 2, "R {appointment_title}", "{first_name}", m, &e))
        abort();
    core_ghl_record gr = {json_object_get(j, "contact"), json_object_get(j, "defs")};
    core_pl_record pr = {json_object_get(j, "attendee"), json_object_get(j, "registration"),
                         json_object_get(j, "event"), jsonx_str(j, "event_code"),
                         json_object_get(j, "event_tags")};
    merge(m, j, &gr, &pr);
    activity(j, &rc);
    core_reminder_cfg_clear(&rc);
    core_map_free(m);
    json_decref(j);
    return 0;
}
