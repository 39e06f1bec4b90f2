/* ghl_types.c: releasing HighLevel records, and small look-ups on them. */
#include "ghl/ghl_types.h"

void ghl_contact_clear(ghl_contact *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_custom; i++)
        free(c->custom[i].key);
    free(c->custom);
    free(c->tags);
    json_decref(c->raw);
    memset(c, 0, sizeof *c);
}

void ghl_contact_page_clear(ghl_contact_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        ghl_contact_clear(&p->v[i]);
    free(p->v);
    json_decref(p->raw);
    memset(p, 0, sizeof *p);
}

void ghl_task_clear(ghl_task *t)
{
    if (!t)
        return;
    json_decref(t->raw);
    memset(t, 0, sizeof *t);
}

void ghl_note_clear(ghl_note *n)
{
    if (!n)
        return;
    json_decref(n->raw);
    memset(n, 0, sizeof *n);
}

void ghl_tasks_clear(ghl_tasks *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        ghl_task_clear(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void ghl_notes_clear(ghl_notes *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        ghl_note_clear(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void ghl_appointments_clear(ghl_appointments *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        json_decref(l->v[i].raw);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void ghl_field_defs_clear(ghl_field_defs *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        json_decref(l->v[i].raw);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void ghl_token_answer_clear(ghl_token_answer *a)
{
    if (!a)
        return;
    json_decref(a->raw);
    memset(a, 0, sizeof *a);
}

const ghl_custom_value *ghl_contact_custom(const ghl_contact *c, const char *key)
{
    for (size_t i = 0; i < c->n_custom; i++) {
        if (c->custom[i].key && strcmp(c->custom[i].key, key) == 0)
            return &c->custom[i];
    }
    return NULL;
}

bool ghl_contact_has_tag(const ghl_contact *c, const char *tag)
{
    for (size_t i = 0; i < c->n_tags; i++) {
        if (strcasecmp(c->tags[i], tag) == 0)
            return true;
    }
    return false;
}
