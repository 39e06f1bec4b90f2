/* ghl_map.c: a small chained hash map from strings to pointers, for the emulator's indexes. */
#include "sandbox/ghl/ghl_state.h"

typedef struct ghl_map_node {
    struct ghl_map_node *next;
    void *value;
    char key[]; /* NUL-terminated */
} ghl_map_node;

struct ghl_map {
    ghl_map_node **buckets;
    size_t n_buckets; /* a power of two */
    size_t count;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

int ghl_map_new(ghl_map **out)
{
    ghl_map *m = calloc(1, sizeof(*m));
    if (!m)
        return ERR_NOMEM;
    m->n_buckets = 64;
    m->buckets = calloc(m->n_buckets, sizeof(*m->buckets));
    if (!m->buckets) {
        free(m);
        return ERR_NOMEM;
    }
    *out = m;
    return 0;
}

void ghl_map_free(ghl_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_buckets; i++) {
        ghl_map_node *n = m->buckets[i];
        while (n) {
            ghl_map_node *next = n->next;
            free(n);
            n = next;
        }
    }
    free(m->buckets);
    free(m);
}

static ghl_map_node **slot(const ghl_map *m, const char *key)
{
    ghl_map_node **p = &m->buckets[hash_str(key) & (m->n_buckets - 1)];
    while (*p && strcmp((*p)->key, key) != 0)
        p = &(*p)->next;
    return p;
}

void *ghl_map_get(const ghl_map *m, const char *key)
{
    ghl_map_node *n = *slot(m, key);
    return n ? n->value : NULL;
}

/* Doubles the table when it holds more entries than buckets; a failed allocation just keeps
 * the chains longer. */
static void grow(ghl_map *m)
{
    size_t nb = m->n_buckets * 2;
    ghl_map_node **b = calloc(nb, sizeof(*b));
    if (!b)
        return;
    for (size_t i = 0; i < m->n_buckets; i++) {
        ghl_map_node *n = m->buckets[i];
        while (n) {
            ghl_map_node *next = n->next;
            size_t j = hash_str(n->key) & (nb - 1);
            n->next = b[j];
            b[j] = n;
            n = next;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->n_buckets = nb;
}

int ghl_map_put(ghl_map *m, const char *key, void *value)
{
    ghl_map_node **p = slot(m, key);
    if (*p) {
        (*p)->value = value;
        return 0;
    }
    size_t len = strlen(key);
    ghl_map_node *n = malloc(sizeof(*n) + len + 1);
    if (!n)
        return ERR_NOMEM;
    memcpy(n->key, key, len + 1);
    n->value = value;
    n->next = NULL;
    *p = n;
    if (++m->count > m->n_buckets)
        grow(m);
    return 0;
}

void ghl_map_del(ghl_map *m, const char *key)
{
    ghl_map_node **p = slot(m, key);
    if (!*p)
        return;
    ghl_map_node *n = *p;
    *p = n->next;
    free(n);
    m->count--;
}
