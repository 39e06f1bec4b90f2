#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_ghl_answers and fuzz_ghl_webhook from HighLevel's specs:
each answer built from the schema's examples, each webhook from the event pages' examples.
usage: fuzz/ghl_seeds.py SPECS_DIR (the folder holding ghl/apps/contacts.json)"""
import json
import os
import sys

specs = sys.argv[1] if len(sys.argv) > 1 else '../shared/specs'
here = os.path.dirname(os.path.abspath(__file__))


def load(name):
    with open(os.path.join(specs, 'ghl', name)) as f:
        return json.load(f)


def example(schemas, s, depth=0):
    if depth > 6:
        return None
    if '$ref' in s:
        ref = s['$ref'].split('/')[-1]
        return example(schemas, schemas[ref], depth + 1) if ref in schemas else None
    if 'example' in s:
        return s['example']
    for key in ('allOf', 'anyOf', 'oneOf'):
        if key in s and s[key]:
            return example(schemas, s[key][0], depth + 1)
    t = s.get('type')
    if t == 'object' or 'properties' in s:
        return {k: example(schemas, v, depth + 1) for k, v in s.get('properties', {}).items()}
    if t == 'array':
        item = example(schemas, s.get('items', {}), depth + 1)
        return [item, item] if item is not None else []
    return {'string': 'x', 'number': 1, 'integer': 1, 'boolean': True}.get(t)


def write(folder, name, index, obj):
    os.makedirs(folder, exist_ok=True)
    body = obj if isinstance(obj, str) else json.dumps(obj)
    with open(os.path.join(folder, name), 'wb') as f:
        if index is not None:
            f.write(bytes([index]))
        f.write(body.encode())


contacts = load('apps/contacts.json')['components']['schemas']
oauth = load('apps/oauth.json')['components']['schemas']
answers = os.path.join(here, 'corpus', 'ghl_answers')
seeds = [
    ('contact', 0, example(contacts, contacts['ContactsByIdSuccessfulResponseDto'])),
    ('upsert', 0, example(contacts, contacts['UpsertContactsSuccessfulResponseDto'])),
    ('create', 0, example(contacts, contacts['CreateContactsSuccessfulResponseDto'])),
    ('duplicate_none', 1, {'contact': None}),
    ('duplicate', 1, example(contacts, contacts['ContactsByIdSuccessfulResponseDto'])),
    ('search', 2, example(contacts, contacts['ContactsSearchSuccessfulResponseDto'])),
    ('list_meta', 2, {'contacts': [{'id': 'a', 'searchAfter': [1, 'a']}],
                      'meta': {'total': 3, 'startAfter': 1700000000000, 'startAfterId': 'a'}}),
    ('task', 3, example(contacts, contacts['TaskByIsSuccessfulResponseDto'])),
    ('tasks', 4, example(contacts, contacts['TasksListSuccessfulResponseDto'])),
    ('note', 5, example(contacts, contacts['GetCreateUpdateNoteSuccessfulResponseDto'])),
    ('notes', 6, example(contacts, contacts['GetNotesListSuccessfulResponseDto'])),
    ('events', 7, example(contacts, contacts['GetEventsSuccessfulResponseDto'])),
    ('custom_fields', 8, {'customFields': [{'id': 'f1', 'name': 'Ticket', 'fieldKey':
                                            'contact.ticket_type', 'dataType': 'SINGLE_OPTIONS',
                                            'model': 'contact'}]}),
    ('tags', 9, example(contacts, contacts['CreateAddTagSuccessfulResponseDto'])),
    ('succeded', 10, example(contacts, contacts['DeleteContactsSuccessfulResponseDto'])),
    ('token', 11, example(oauth, oauth['GetAccessCodeSuccessfulResponseDto'])),
    ('location_token', 11, example(oauth, oauth['GetLocationAccessTokenSuccessfulResponseDto'])),
    ('malformed', 2, '{"contacts": [{"id": 1}'),
]
for name, index, obj in seeds:
    write(answers, name, index, obj)

events = load('webhook-events.extracted.json')['events']
hooks = os.path.join(here, 'corpus', 'ghl_webhook')
for name, ev in events.items():
    for i, ex in enumerate(ev.get('examples', [])[:1]):
        ex = dict(ex)
        ex['timestamp'] = '2025-01-01T00:00:00.000Z'
        ex['webhookId'] = 'b3c1e7a2-0000-4000-8000-000000000001'
        write(hooks, name, None, 'AAAA\n' + json.dumps(ex))
