/* rules_int.h: the parts of the rules engine shared by rules.c, rules_cond.c and
 * rules_action.c: parsed conditions and actions, and the names a rule may use. */
#ifndef PHEEDSYNC_CORE_RULES_INT_H
#define PHEEDSYNC_CORE_RULES_INT_H

#include "core/rules.h"

/* What a rule may name: the map's fields, the facts, and its trigger's values. */
typedef struct rules_names {
    const core_map *m;
    const char *const *trigger_vars; /* NULL-terminated */
} rules_names;

bool rules_names_known(void *ctx, const char *name);

/* A parse failure: the column (1-based) within the key's text and what was wrong. */
typedef struct rules_fail {
    size_t col;
    char why[200];
} rules_fail;

typedef struct rules_cond rules_cond;

/* Parses a condition; NULL text or only spaces gives *out NULL (always true). */
int rules_cond_parse(rules_cond **out, const char *text, const rules_names *names, rules_fail *f);
bool rules_cond_eval(const rules_cond *c, const json_t *vars);
void rules_cond_free(rules_cond *c);

typedef struct rules_action {
    core_action_kind kind;
    char *text;   /* template */
    char *detail; /* template, or NULL */
    bool has_offset;
    int64_t offset_s;
} rules_action;

/* Parses the `then` text into actions. */
int rules_actions_parse(rules_action **out, size_t *n, const char *text, const rules_names *names,
                        rules_fail *f);
void rules_actions_free(rules_action *a, size_t n);
const char *rules_action_name(core_action_kind k);

/* The catalog name closest to word (a typo), or NULL. */
const char *rules_suggest(const char *word, const core_catalog_entry *entries, size_t n);

#endif
