/* planner_stubs.c: temporary. */
#include "engine/sync_int.h"

unsigned planner_activity_kinds(person_plan *pp)
{
    (void)pp;
    return 0;
}

int planner_activity(person_plan *pp, unsigned kinds, err *e)
{
    (void)pp;
    (void)kinds;
    (void)e;
    return 0;
}

int planner_rules(person_plan *pp, const char *trigger, const char *attendee_key,
                  const json_t *attendee, const char *once, err *e)
{
    (void)pp, (void)trigger, (void)attendee_key, (void)attendee, (void)once, (void)e;
    return 0;
}

int planner_contact_rules(person_plan *pp, err *e)
{
    (void)pp, (void)e;
    return 0;
}

int planner_gone(plan_ctx *c, const store_hint *h, plan *p, err *e)
{
    (void)c, (void)h, (void)p, (void)e;
    return 0;
}

int engine_apply_approved(engine *en, size_t *out_done, err *e)
{
    (void)en, (void)e;
    *out_done = 0;
    return 0;
}

work_outcome worker_reminders(work_ctx *w)
{
    return work_fail_msg(w, false, "unknown", "not yet");
}

work_outcome worker_announce(work_ctx *w)
{
    return work_fail_msg(w, false, "unknown", "not yet");
}
