/* ghl_map.c: a small chained hash map from strings to pointers, for the emulator's indexes. */
#include "sandbox/ghl/ghl_state.h"

typedef struct map_node {
    struct map_node *next;
    void *value;
    char key[]; /* NUL-terminated */
} map_node;

struct sbx_ghl_map {
    map_node **buckets;
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

int sbx_ghl_map_new(sbx_ghl_map **out)
{
    sbx_ghl_map *m = calloc(1, sizeof(*m));
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

void sbx_ghl_map_free(sbx_ghl_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_buckets; i++) {
        map_node *n = m->buckets[i];
        while (n) {
            map_node *next = n->next;
            free(n);
            n = next;
        }
    }
    free(m->buckets);
    free(m);
}

static map_node **slot(const sbx_ghl_map *m, const char *key)
{
    map_node **p = &m->buckets[hash_str(key) & (m->n_buckets - 1)];
    while (*p && strcmp((*p)->key, key) != 0)
        p = &(*p)->next;
    return p;
}

void *sbx_ghl_map_get(const sbx_ghl_map *m, const char *key)
{
    map_node *n = *slot(m, key);
    return n ? n->value : NULL;
}

/* Doubles the table when it holds more entries than buckets; a failed allocation just keeps
 * the chains longer. */
static void grow(sbx_ghl_map *m)
{
    size_t nb = m->n_buckets * 2;
    map_node **b = calloc(nb, sizeof(*b));
    if (!b)
        return;
    for (size_t i = 0; i < m->n_buckets; i++) {
        map_node *n = m->buckets[i];
        while (n) {
            map_node *next = n->next;
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

int sbx_ghl_map_put(sbx_ghl_map *m, const char *key, void *value)
{
    map_node **p = slot(m, key);
    if (*p) {
        (*p)->value = value;
        return 0;
    }
    size_t len = strlen(key);
    map_node *n = malloc(sizeof(*n) + len + 1);
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

void sbx_ghl_map_del(sbx_ghl_map *m, const char *key)
{
    map_node **p = slot(m, key);
    if (!*p)
        return;
    map_node *n = *p;
    *p = n->next;
    free(n);
    m->count--;
}
