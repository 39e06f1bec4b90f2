/* config.h: the configuration: an INI file (git-config style) checked against one schema, with
 * PHEEDSYNC_<SECTION>_<KEY> environment overrides, read into an immutable handle. */
#ifndef PHEEDSYNC_CONFIG_H
#define PHEEDSYNC_CONFIG_H

#include "util/buf.h"
#include "util/err.h"

/* clang-format off */
/*
 * File syntax
 *   [section]          one of the sections of the schema
 *   [field "email"]    a named section; the name is in double quotes (\" and \\ escape)
 *   key = value        surrounding spaces are dropped; "..." around a whole value is removed;
 *                      an empty value means the default, as if the line were absent
 *   key: value         also accepted (inih)
 *   # comment, ; comment   whole lines, or from a " #" or " ;" to the end of a line (so a
 *                      value cannot hold " #" or " ;": pass such a one in the environment)
 * Lines may be indented and of any length. Section and key names are case-insensitive, names
 * of named sections are not. An unknown section or key, a bad value, a key set twice in one
 * section, a named section missing a required key: each is an error (ERR_CONFIG) naming
 * "FILE:LINE: [section] key" and what to do.
 *
 * Environment: PHEEDSYNC_<SECTION>_<KEY>=value (e.g. PHEEDSYNC_GHL_CLIENT_SECRET) overrides the
 * file for unnamed sections; an empty value counts as unset. A variable whose <SECTION> is a
 * known section but whose <KEY> is not is an error naming the variable; other PHEEDSYNC_*
 * variables are left alone.
 *
 * Secret values (by schema) are registered with log_add_secret as they are read.
 */
/* clang-format on */

typedef enum config_type {
    CONFIG_STRING,
    CONFIG_INT,      /* whole number within [min, max] */
    CONFIG_BOOL,     /* true/false, yes/no, on/off, 1/0 */
    CONFIG_DURATION, /* seconds: "90", "30s", "5m", "1h", "2d", "1h30m"; within [min, max] */
    CONFIG_PERCENT,  /* 0..100, "20" or "20%" */
    CONFIG_ENUM,     /* one of choices */
    CONFIG_LIST,     /* comma-separated; items trimmed, empty items dropped */
} config_type;

typedef struct config_key_spec {
    const char *name;
    config_type type;
    const char *def;     /* default, written as in the file; NULL: none */
    const char *choices; /* CONFIG_ENUM: "oauth|token" */
    int64_t min, max;    /* CONFIG_INT and CONFIG_DURATION bounds (inclusive) */
    bool secret;         /* never logged; best passed through the environment */
    bool required;       /* named sections: every instance must set it */
    const char *doc;     /* one line, for `pheedsync init` */
} config_key_spec;

typedef struct config_section_spec {
    const char *name;
    bool named;                  /* [name "INSTANCE"], any number of times */
    const char *doc;             /* one line */
    const config_key_spec *keys; /* ends with a {NULL} entry */
} config_section_spec;

/* The schema: sections in the order `init` writes them; ends with a {NULL} entry. */
const config_section_spec *config_schema(void);
const config_section_spec *config_schema_section(const char *section);
const config_key_spec *config_schema_key(const char *section, const char *key);

typedef struct config config;
typedef struct config_section config_section;

/* Reads path (at most 1 MiB). label for messages is the path as given. envp: NULL-terminated
 * "NAME=value" strings (environ, or a test's own array); NULL for none. */
int config_load_file(config **out, const char *path, char *const *envp, err *e);
/* The same from memory; label names the text in messages ("pheedsync.conf"). */
int config_load_string(config **out, const char *text, size_t len, const char *label,
                       char *const *envp, err *e);
void config_free(config *cfg);

/*
 * Getters. Asking for a section or key the schema does not have, or with the getter of another
 * type, is a bug in the caller: it aborts with a message. Values live as long as cfg.
 */
/* The unnamed section (always present, holding defaults when absent from the file). */
const config_section *config_section_get(const config *cfg, const char *section);
/* The i-th instance of a named section in file order; NULL past the end. name may be NULL. */
const config_section *config_named(const config *cfg, const char *section, size_t i,
                                   const char **name);
size_t config_named_count(const config *cfg, const char *section);
/* An instance by its name; NULL when there is none. */
const config_section *config_named_find(const config *cfg, const char *section, const char *name);

/* Any type: the value's text as written (or the default); NULL when unset without default. */
const char *config_sec_str(const config_section *s, const char *key);
/* CONFIG_INT, CONFIG_DURATION (seconds), CONFIG_PERCENT, and CONFIG_ENUM (index in choices);
 * 0 when unset without default. */
int64_t config_sec_int(const config_section *s, const char *key);
bool config_sec_bool(const config_section *s, const char *key);
/* CONFIG_LIST: the number of items; *items (if not NULL) gets the array. */
size_t config_sec_list(const config_section *s, const char *key, const char *const **items);
/* True when the file or the environment set the key (a default does not count). */
bool config_sec_is_set(const config_section *s, const char *key);
/* Where the value came from, for messages: "pheedsync.conf:12", "environment variable
 * PHEEDSYNC_GHL_TOKEN" or "default". */
void config_sec_origin(const config_section *s, const char *key, char *out, size_t size);
/* Where the section's header is, for messages: "pheedsync.conf:12" (or the file's name alone
 * for a section the file does not have). */
void config_sec_where(const config_section *s, char *out, size_t size);
/* "[ghl]" or "[field \"email\"]", for messages. */
const char *config_sec_label(const config_section *s);

/* Shorthands on unnamed sections: config_str(cfg, "ghl", "base_url"). */
const char *config_str(const config *cfg, const char *section, const char *key);
int64_t config_int(const config *cfg, const char *section, const char *key);
bool config_bool(const config *cfg, const char *section, const char *key);
size_t config_list(const config *cfg, const char *section, const char *key,
                   const char *const **items);

/* A complete configuration file with every section and key commented out, each with its doc
 * and default: what `pheedsync init` starts from. */
int config_template(buf *out);

#endif
