/* config_get.c: typed reading of a loaded configuration. */
#include "util/config_priv.h"

/* A getter used with a section, key or type the schema does not have is a bug in the caller;
 * failing loudly at the first run beats a silently wrong value. */
__attribute__((noreturn)) static void misuse(const char *what, const char *section, const char *key)
{
    fprintf(stderr, "pheedsync: bug: %s [%s] %s\n", what, section ? section : "?", key ? key : "");
    abort();
}

const config_section *config_section_get(const config *cfg, const char *section)
{
    const config_section_spec *spec = config_schema_section(section);
    if (!cfg || !spec || spec->named)
        misuse("no unnamed section", section, NULL);
    for (size_t i = 0; i < cfg->n_sections; i++) {
        if (cfg->sections[i]->spec == spec)
            return cfg->sections[i];
    }
    misuse("section missing from the configuration", section, NULL);
}

static const config_section_spec *named_spec(const config *cfg, const char *section)
{
    const config_section_spec *spec = config_schema_section(section);
    if (!cfg || !spec || !spec->named)
        misuse("no named section", section, NULL);
    return spec;
}

const config_section *config_named(const config *cfg, const char *section, size_t i,
                                   const char **name)
{
    const config_section_spec *spec = named_spec(cfg, section);
    for (size_t j = 0; j < cfg->n_sections; j++) {
        const config_section *s = cfg->sections[j];
        if (s->spec == spec && i-- == 0) {
            if (name)
                *name = s->name;
            return s;
        }
    }
    return NULL;
}

size_t config_named_count(const config *cfg, const char *section)
{
    const config_section_spec *spec = named_spec(cfg, section);
    size_t n = 0;
    for (size_t j = 0; j < cfg->n_sections; j++)
        n += cfg->sections[j]->spec == spec;
    return n;
}

const config_section *config_named_find(const config *cfg, const char *section, const char *name)
{
    const config_section_spec *spec = named_spec(cfg, section);
    for (size_t j = 0; name && j < cfg->n_sections; j++) {
        const config_section *s = cfg->sections[j];
        if (s->spec == spec && strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

static const config_value *value_of(const config_section *s, const char *key,
                                    const config_key_spec **spec)
{
    if (!s)
        misuse("NULL section asked for key", NULL, key);
    int i = config_key_index(s->spec, key);
    if (i < 0)
        misuse("no such key", s->spec->name, key);
    *spec = &s->spec->keys[i];
    return &s->values[i];
}

const char *config_sec_str(const config_section *s, const char *key)
{
    const config_key_spec *k;
    return value_of(s, key, &k)->text;
}

int64_t config_sec_int(const config_section *s, const char *key)
{
    const config_key_spec *k;
    const config_value *v = value_of(s, key, &k);
    if (k->type != CONFIG_INT && k->type != CONFIG_DURATION && k->type != CONFIG_PERCENT &&
        k->type != CONFIG_ENUM)
        misuse("not a number", s->spec->name, key);
    return v->text ? v->num : 0;
}

bool config_sec_bool(const config_section *s, const char *key)
{
    const config_key_spec *k;
    const config_value *v = value_of(s, key, &k);
    if (k->type != CONFIG_BOOL)
        misuse("not a boolean", s->spec->name, key);
    return v->text && v->num;
}

size_t config_sec_list(const config_section *s, const char *key, const char *const **items)
{
    const config_key_spec *k;
    const config_value *v = value_of(s, key, &k);
    if (k->type != CONFIG_LIST)
        misuse("not a list", s->spec->name, key);
    if (items)
        *items = (const char *const *)v->items;
    return v->n_items;
}

bool config_sec_is_set(const config_section *s, const char *key)
{
    const config_key_spec *k;
    return value_of(s, key, &k)->set;
}

void config_sec_origin(const config_section *s, const char *key, char *out, size_t size)
{
    const config_key_spec *k;
    const config_value *v = value_of(s, key, &k);
    if (v->env_name)
        snprintf(out, size, "environment variable %s", v->env_name);
    else if (v->set)
        snprintf(out, size, "%s:%d", s->cfg->label, v->line);
    else
        snprintf(out, size, "default");
}

void config_sec_where(const config_section *s, char *out, size_t size)
{
    if (s->line > 0)
        snprintf(out, size, "%s:%d", s->cfg->label, s->line);
    else
        snprintf(out, size, "%s", s->cfg->label);
}

const char *config_sec_label(const config_section *s)
{
    return s ? s->label : "[?]";
}

const char *config_str(const config *cfg, const char *section, const char *key)
{
    return config_sec_str(config_section_get(cfg, section), key);
}

int64_t config_int(const config *cfg, const char *section, const char *key)
{
    return config_sec_int(config_section_get(cfg, section), key);
}

bool config_bool(const config *cfg, const char *section, const char *key)
{
    return config_sec_bool(config_section_get(cfg, section), key);
}

size_t config_list(const config *cfg, const char *section, const char *key,
                   const char *const **items)
{
    return config_sec_list(config_section_get(cfg, section), key, items);
}
