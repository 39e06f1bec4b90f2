/* rules.h: the automations of `[rule "NAME"]` sections (flow F6): when a trigger fires and the
 * condition holds, the actions run, their templates filled from the record.
 *
 *   [rule "vip-onboarding"]
 *   when = pheedloop.attendee.created
 *   if   = ticket_name in ["VIP", "Speaker"] and not tags contains "staff"
 *   then = ghl.add_tag vip; ghl.create_task "Call {first_name}" due=+3d
 *
 * Conditions: NAME == VALUE, NAME != VALUE, NAME contains VALUE, NAME in [VALUE, ...], a bare
 * NAME (true when not empty, "false" or "0"), joined with and, or, not and parentheses (not
 * binds tightest, then and, then or). NAME is a field of the map, a fact (core_fact_names) or
 * a value of the trigger (see the catalog); VALUE is "text" (or 'text'; \ escapes), a number,
 * true or false. Comparisons ignore case; a list value (tags) is compared as "a, b" by == and
 * !=, and element by element by contains and in.
 *
 * Actions, separated by ';': NAME TEXT [KEY=VALUE ...] or NAME("TEXT", KEY=VALUE, ...); TEXT is
 * a template ({first_name}) and may be quoted; an action whose text comes out empty is skipped.
 * Times: due=+3d is counted from now; at=-24h from the trigger's appointment start, else the
 * event's start, else now. The catalog lists the triggers and actions (`pheedsync catalog`).
 * Errors name the rule, the key, the column and what was expected. */
#ifndef PHEEDSYNC_CORE_RULES_H
#define PHEEDSYNC_CORE_RULES_H

#include "core/mapping.h"

typedef enum core_action_kind {
    CORE_ACTION_GHL_ADD_TAG,
    CORE_ACTION_GHL_REMOVE_TAG,
    CORE_ACTION_GHL_CREATE_TASK,
    CORE_ACTION_GHL_ADD_NOTE,
    CORE_ACTION_PL_ADD_TAG,
    CORE_ACTION_PL_REMOVE_TAG,
    CORE_ACTION_PL_ANNOUNCE,
    CORE_ACTION_PL_REGISTER, /* text: the event code */
} core_action_kind;

/* One concrete action: what to do, its text filled in. */
typedef struct core_action {
    const char *rule; /* the rule's name (lives as long as the rules) */
    core_action_kind kind;
    const char *name; /* "ghl.add_tag", ... */
    char *text;       /* the tag (normalised for HighLevel), task title, note text or
                       * announcement title */
    char *detail;     /* the task's body or the announcement's description; NULL: none */
    bool has_time;
    int64_t time_ms; /* the task's due time or the announcement's release time */
} core_action;

typedef struct core_actions {
    core_action *v;
    size_t n;
} core_actions;

typedef struct core_rules core_rules;

int core_rules_new(core_rules **out, err *e);
/* Parses and adds one rule; cond may be NULL or empty (always). Names in conditions and
 * templates are checked against m, the facts and the trigger's values. */
int core_rules_add(core_rules *r, const char *name, const char *when, const char *cond,
                   const char *then, const core_map *m, err *e);
/* Every `[rule]` section, in file order. */
int core_rules_from_config(core_rules **out, const config *cfg, const core_map *m, err *e);
void core_rules_free(core_rules *r);
size_t core_rules_count(const core_rules *r);
/* True when some rule fires on trigger (so that a caller can skip building its values). */
bool core_rules_wants(const core_rules *r, const char *trigger);

/* Adds the trigger's own values to vars, from the HighLevel record that fired it: for tag
 * triggers the tag (record: a JSON string); for appointments appointment_id, _title, _start,
 * _end (ISO-8601 UTC when readable) and _status (record: the appointment, or a webhook body
 * wrapping it); for tasks task_id, _title, _body, _due; for notes note_id, _body. Other
 * triggers add nothing. */
int core_rules_trigger_vars(json_t *vars, const char *trigger, const json_t *record, err *e);

/* The actions of every rule on trigger whose condition holds for vars (the record's values,
 * facts and the trigger's values), in rule order. */
int core_rules_eval(core_actions *out, const core_rules *r, const char *trigger, const json_t *vars,
                    int64_t now_ms, err *e);
void core_actions_clear(core_actions *a);

/* The catalog: triggers (with the values they add) and actions (with their syntax). */
typedef struct core_catalog_entry {
    const char *name;
    const char *usage; /* actions: "ghl.create_task TITLE [due=+3d] [body=TEXT]"; triggers:
                        * the values they add ("tag"), or "" */
    const char *doc;
} core_catalog_entry;

const core_catalog_entry *core_rules_triggers(size_t *n);
const core_catalog_entry *core_rules_actions(size_t *n);

#endif
