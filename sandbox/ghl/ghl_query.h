/* ghl_query.h: the contact search language of POST /contacts/search: parsing a body into a
 * query, matching contacts, and the sort keys that order results and make searchAfter cursors. */
#ifndef PHEEDSYNC_SANDBOX_GHL_QUERY_H
#define PHEEDSYNC_SANDBOX_GHL_QUERY_H

#include "sandbox/ghl/ghl_state.h"

#define GHL_SEARCH_MAX_SORT 4
#define GHL_SEARCH_MAX_LIMIT 500    /* pageLimit */
#define GHL_SEARCH_MAX_WINDOW 10000 /* page * pageLimit; past it searchAfter is required */

typedef struct ghl_search_sort {
    char field[64];
    bool desc;
} ghl_search_sort;

typedef struct ghl_search {
    char location_id[GHL_LOC_MAX];
    int64_t page;         /* from 1 */
    int64_t limit;        /* pageLimit */
    json_t *search_after; /* NULL, or the sort keys of the last result seen */
    json_t *filters;      /* validated; date values turned into Unix milliseconds */
    size_t n_sort;
    ghl_search_sort sort[GHL_SEARCH_MAX_SORT]; /* default: dateAdded desc */
    char query[128];
} ghl_search;

/* Validates body (400 with HighLevel's message shape in f on error). */
int ghl_search_parse(ghl_search **out, const json_t *body, ghl_fail *f);
void ghl_search_free(ghl_search *s);
bool ghl_search_match(const ghl_search *s, const ghl_contact *c);
/* Free text over names, email, phone, company and tags (the list's `query`). */
bool ghl_text_match(const ghl_contact *c, const char *query);
/* The contact's sort keys: one value per sort field, then the id (a searchAfter cursor). */
json_t *ghl_search_keys(const ghl_search *s, const ghl_contact *c);
/* Orders two key arrays by the sort's fields and directions (ids ascending break ties). */
int ghl_search_cmp(const ghl_search *s, const json_t *a, const json_t *b);

#endif
