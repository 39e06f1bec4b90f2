/* sync_settings.c: what the planner and the workers read from the configuration: the field
 * map, the rules, the reminders, the delete policy and its thresholds. */
#include "engine/sync_int.h"

#include "util/log.h"

int sync_settings_load(sync_settings *out, const config *cfg, err *e)
{
    sync_settings s = {0};
    int rc = core_map_from_config(&s.map, cfg, e);
    if (rc == 0)
        rc = core_rules_from_config(&s.rules, cfg, s.map, e);
    if (rc == 0)
        rc = core_reminder_cfg_from_config(&s.rem, cfg, s.map, e);
    if (rc != 0) {
        sync_settings_clear(&s);
        return rc;
    }
    s.rem_set = true;
    const char *policy = config_str(cfg, "sync", "delete_policy");
    s.propagate_deletes = policy && strcmp(policy, "propagate") == 0;
    s.hold_count = config_int(cfg, "sync", "delete_hold_count");
    s.hold_share_pct = config_int(cfg, "sync", "delete_hold_share");
    s.pull_activity = config_bool(cfg, "sync", "pull_activity");
    s.default_cc = core_map_default_cc(s.map);
    *out = s;
    return 0;
}

void sync_settings_clear(sync_settings *s)
{
    if (!s)
        return;
    core_map_free(s->map);
    core_rules_free(s->rules);
    if (s->rem_set)
        core_reminder_cfg_clear(&s->rem);
    memset(s, 0, sizeof *s);
}

static bool location_has(const json_t *defs, const char *key)
{
    const char *want = strncmp(key, "contact.", 8) == 0 ? key + 8 : key;
    size_t i;
    const json_t *d;
    json_array_foreach(defs, i, d)
    {
        const char *have = json_string_value(json_object_get(d, "fieldKey"));
        if (have && strncmp(have, "contact.", 8) == 0)
            have += 8;
        if (have && strcmp(have, want) == 0)
            return true;
    }
    return false;
}

int sync_settings_fit_fields(sync_settings *s, const json_t *field_defs, err *e)
{
    for (size_t i = 0; i < core_map_count(s->map); i++) {
        const core_field *f = core_map_at(s->map, i);
        if (f->dir == CORE_DIR_NONE || f->place[CORE_GHL] != CORE_PLACE_CUSTOM ||
            location_has(field_defs, f->key[CORE_GHL]))
            continue;
        /* Only the built-in defaults are turned off quietly; a field the user configured on a
         * custom field the location lacks is a configuration error worth a warning. */
        if (f->section)
            log_warnf("%s: the HighLevel location has no custom field '%s'; the field is not "
                      "synced until it is created",
                      f->section, f->key[CORE_GHL]);
        core_field_spec off = {.name = f->name,
                               .ghl = f->path[CORE_GHL],
                               .pheedloop = f->path[CORE_PL],
                               .direction = "none"};
        char name[128], ghl[256], pl[256];
        snprintf(name, sizeof name, "%s", f->name);
        snprintf(ghl, sizeof ghl, "%s", f->path[CORE_GHL]);
        snprintf(pl, sizeof pl, "%s", f->path[CORE_PL]);
        off.name = name;
        off.ghl = ghl;
        off.pheedloop = pl;
        int rc = core_map_add(s->map, &off, e);
        if (rc != 0)
            return rc;
        i = (size_t)-1; /* the map changed under the loop: start again */
    }
    return 0;
}
