/* refile.c: queued work moved under the link that syncs it now (refile.h). */
#include "engine/refile.h"
#include "util/jsonx.h"
#include "util/log.h"

#define EXAMPLES_MAX 5

/* Copies part idx (0-based, ':'-separated, after the side) of key into out; false when absent. */
static bool key_part(char *out, size_t size, const char *key, int idx)
{
    const char *p = strchr(key, ':');
    for (int i = 0; p && i < idx; i++)
        p = strchr(p + 1, ':');
    if (!p)
        return false;
    p++;
    size_t n = strcspn(p, ":");
    if (n == 0 || n >= size)
        return false;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

static bool has_event(const engine_link_cfg *l, const char *event)
{
    for (const char *const *ev = l->events; ev && *ev; ev++)
        if (strcmp(*ev, event) == 0)
            return true;
    return false;
}

int engine_key_owner(const engine_link_cfg *links, size_t n, const char *key)
{
    char a[ENGINE_KEY_MAX], b[ENGINE_KEY_MAX];
    if (!key || !key_part(a, sizeof a, key, 0))
        return -1;
    bool ghl = strncmp(key, "ghl:", 4) == 0;
    if (!ghl && (strncmp(key, "pl:", 3) != 0 || !key_part(b, sizeof b, key, 1)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const engine_link_cfg *l = &links[i];
        if (ghl ? l->location_id && strcmp(l->location_id, a) == 0
                : l->org_code && strcmp(l->org_code, a) == 0 && has_event(l, b))
            return (int)i;
    }
    return -1;
}

static const char *name_of(const char *link)
{
    return link && *link ? link : "default";
}

static void example(json_t *list, const store_queue_key *k, const char *owner)
{
    if (json_array_size(list) >= EXAMPLES_MAX)
        return;
    json_t *j = json_pack("{s:s, s:s, s:I, s:I}", "record_key", k->record_key, "link",
                          name_of(k->link), "hints", (json_int_t)k->hints, "operations",
                          (json_int_t)k->ops);
    if (j && owner)
        json_object_set_new(j, "owner", json_string(owner));
    json_array_append_new(list, j);
}

static int one_key(engine_refile_report *r, store *s, const store_queue_key *k,
                   const engine_link_cfg *links, size_t n, bool apply, err *e)
{
    int owner = engine_key_owner(links, n, k->record_key);
    const char *filed = k->link ? k->link : "";
    if (owner < 0) {
        r->unowned_keys++;
        r->unowned_rows += k->hints + k->ops;
        example(json_object_get(r->examples, "unowned"), k, NULL);
        return 0;
    }
    const char *to = links[owner].name ? links[owner].name : ENGINE_DEFAULT_LINK;
    if (strcmp(filed, to) == 0)
        return 0;
    r->misfiled_keys++;
    r->misfiled_rows += k->hints + k->ops;
    example(json_object_get(r->examples, "misfiled"), k, name_of(to));
    if (!apply)
        return 0;
    int64_t moved = 0;
    int rc = store_queue_refile(&moved, s, filed, k->record_key, to, e);
    if (rc == 0) {
        r->busy_rows += k->hints + k->ops - moved;
        log_debugf("queues: %s re-filed from link %s to %s (%lld rows)", k->record_key,
                   name_of(filed), name_of(to), (long long)moved);
    }
    return rc;
}

int engine_refile_queues(engine_refile_report *out, store *s, const engine_link_cfg *links,
                         size_t n, bool apply, err *e)
{
    engine_refile_report r = {0};
    r.examples = json_pack("{s:[], s:[]}", "misfiled", "unowned");
    if (!r.examples)
        return err_set(e, ERR_NOMEM, "out of memory");
    store_queue_keys keys = {0};
    int rc = store_queue_keys_list(&keys, s, e);
    for (size_t i = 0; rc == 0 && i < keys.n; i++)
        rc = one_key(&r, s, &keys.v[i], links, n, apply, e);
    store_queue_keys_free(&keys);
    if (rc != 0) {
        engine_refile_report_free(&r);
        return rc;
    }
    if (r.busy_rows < 0)
        r.busy_rows = 0;
    *out = r;
    return 0;
}

static const char *first_key(const engine_refile_report *r, const char *list, const char *field)
{
    return jsonx_str(json_array_get(json_object_get(r->examples, list), 0), field);
}

void engine_refile_text(char *out, size_t size, const engine_refile_report *r, bool applied)
{
    size_t used = 0;
    out[0] = '\0';
    if (r->misfiled_keys)
        used += (size_t)snprintf(
            out, size,
            "%lld queued hints and operations of %lld people were under a link that no longer "
            "syncs them (e.g. %s under link %s, now link %s's): %s",
            (long long)r->misfiled_rows, (long long)r->misfiled_keys,
            first_key(r, "misfiled", "record_key"), first_key(r, "misfiled", "link"),
            first_key(r, "misfiled", "owner"),
            applied ? "re-filed under the link that syncs them"
                    : "`pheedsync run` or `pheedsync sync` re-files them when it starts");
    if (r->unowned_keys && used < size)
        snprintf(out + used, size - used,
                 "%s%lld queued hints and operations of %lld people belong to no link of the "
                 "configuration (e.g. %s, under link %s): nothing takes them; put the location "
                 "or the organization's event back in a link to have them synced",
                 used ? "; " : "", (long long)r->unowned_rows, (long long)r->unowned_keys,
                 first_key(r, "unowned", "record_key"), first_key(r, "unowned", "link"));
}

void engine_refile_log(const engine_refile_report *r, bool applied)
{
    if (!r->misfiled_keys && !r->unowned_keys)
        return;
    char text[1024];
    engine_refile_text(text, sizeof text, r, applied);
    log_write(LOG_WARN, text,
              json_pack("{s:I, s:I, s:I, s:I, s:I, s:O}", "misfiled_keys",
                        (json_int_t)r->misfiled_keys, "misfiled_rows",
                        (json_int_t)r->misfiled_rows, "unowned_keys", (json_int_t)r->unowned_keys,
                        "unowned_rows", (json_int_t)r->unowned_rows, "busy_rows",
                        (json_int_t)r->busy_rows, "examples", r->examples));
}

void engine_refile_report_free(engine_refile_report *r)
{
    if (!r)
        return;
    json_decref(r->examples);
    r->examples = NULL;
}
