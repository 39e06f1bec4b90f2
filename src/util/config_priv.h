/* config_priv.h: the configuration's internal representation, shared by the config_*.c files. */
#ifndef PHEEDSYNC_CONFIG_PRIV_H
#define PHEEDSYNC_CONFIG_PRIV_H

#include "util/config.h"

#define CONFIG_WHY_MAX 256

typedef struct config_value {
    char *text;   /* as written, or the default; NULL: unset without default */
    int64_t num;  /* CONFIG_INT, DURATION, PERCENT, BOOL (0/1), ENUM (index) */
    char **items; /* CONFIG_LIST */
    size_t n_items;
    bool set;       /* by a non-empty value in the file or the environment */
    int line;       /* > 0: on that line of the file (even if empty); 0: not in the file */
    char *env_name; /* set by this environment variable */
} config_value;

struct config_section {
    const config_section_spec *spec;
    const config *cfg;
    char *name;           /* named sections only */
    char *label;          /* "[ghl]", "[field \"email\"]" */
    int line;             /* of the first header; 0 when not in the file */
    config_value *values; /* one per key of spec, in schema order */
    size_t n_values;
};

struct config {
    char *label; /* the file name used in messages */
    config_section **sections;
    size_t n_sections;
};

/* Parses text as a value of key k into v (replacing what v held). On failure returns -1 and
 * writes why ("'ten' is not a duration (use e.g. 30s, 5m, 1h)") without touching v. */
int config_value_set(config_value *v, const config_key_spec *k, const char *text, char *why,
                     size_t why_size);
void config_value_clear(config_value *v);

/* The candidate closest to word (case-insensitive edit distance) if close enough, else NULL. */
typedef struct config_suggest {
    const char *word;
    const char *best;
    size_t best_len;
    size_t best_dist;
} config_suggest;
void config_suggest_init(config_suggest *s, const char *word);
void config_suggest_try(config_suggest *s, const char *cand, size_t len);

/* Index of key in spec->keys (case-insensitive), or -1. */
int config_key_index(const config_section_spec *spec, const char *key);

#endif
