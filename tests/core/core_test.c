/* core_test.c: helpers the core tests share. */
#include "core_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

json_t *ct_json(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    if (!j)
        fail_msg("bad JSON in test: %s: %s", je.text, text);
    return j;
}

void ct_assert_json(const json_t *got, const char *want)
{
    json_t *w = ct_json(want);
    bool same = json_equal(got, w);
    json_decref(w);
    if (!same) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        fail_msg("got  %s\nwant %s", g ? g : "(null)", want);
    }
}

core_map *ct_map(const char *config_text)
{
    config *cfg = NULL;
    err e;
    if (config_load_string(&cfg, config_text, strlen(config_text), "pheedsync.conf", NULL, &e))
        fail_msg("config: %s", e.msg);
    core_map *m = NULL;
    if (core_map_from_config(&m, cfg, &e) != 0)
        fail_msg("map: %s", e.msg);
    config_free(cfg);
    return m;
}
