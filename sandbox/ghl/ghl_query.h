/* ghl_query.h: the contact search language of POST /contacts/search: parsing a body into a
 * query, matching contacts, and the sort keys that order results and make searchAfter cursors. */
#ifndef PHEEDSYNC_SANDBOX_GHL_QUERY_H
#define PHEEDSYNC_SANDBOX_GHL_QUERY_H

#include "sandbox/ghl/ghl_state.h"

#define SBX_GHL_SEARCH_MAX_SORT 4
#define SBX_GHL_SEARCH_MAX_LIMIT 500    /* pageLimit */
#define SBX_GHL_SEARCH_MAX_WINDOW 10000 /* page * pageLimit; past it searchAfter is required */

typedef struct sbx_ghl_search_sort {
    char field[64];
    bool desc;
} sbx_ghl_search_sort;

typedef struct sbx_ghl_search {
    char location_id[SBX_GHL_LOC_MAX];
    int64_t page;         /* from 1 */
    int64_t limit;        /* pageLimit */
    json_t *search_after; /* NULL, or the sort keys of the last result seen */
    json_t *filters;      /* validated; date values turned into Unix milliseconds */
    size_t n_sort;
    sbx_ghl_search_sort sort[SBX_GHL_SEARCH_MAX_SORT]; /* default: dateAdded desc */
    char query[128];
} sbx_ghl_search;

/* Validates body (400 with HighLevel's message shape in f on error). */
int sbx_ghl_search_parse(sbx_ghl_search **out, const json_t *body, sbx_ghl_fail *f);
void sbx_ghl_search_free(sbx_ghl_search *s);
bool sbx_ghl_search_match(const sbx_ghl_search *s, const sbx_ghl_contact *c);
/* Free text over names, email, phone, company and tags (the list's `query`). */
bool sbx_ghl_text_match(const sbx_ghl_contact *c, const char *query);
/* The contact's sort keys: one value per sort field, then the id (a searchAfter cursor). */
json_t *sbx_ghl_search_keys(const sbx_ghl_search *s, const sbx_ghl_contact *c);
/* Orders two key arrays by the sort's fields and directions (ids ascending break ties). */
int sbx_ghl_search_cmp(const sbx_ghl_search *s, const json_t *a, const json_t *b);

#endif
