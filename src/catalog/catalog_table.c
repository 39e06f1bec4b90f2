/* catalog_table.c: the one table of actions and triggers. HighLevel rows follow the operations
 * of contacts.json (and locations' custom fields); PheedLoop rows follow its REST API v3. */
#include "catalog/catalog.h"

#define GHL CATALOG_GHL
#define PL CATALOG_PHEEDLOOP
#define R "contacts.readonly"
#define W "contacts.write"

static const catalog_action actions[] = {
    /* HighLevel: contacts */
    {GHL, "contacts.get", "GET", "/contacts/{contactId}", R, false, false, "Get a contact"},
    {GHL, "contacts.create", "POST", "/contacts/", W, true, true, "Create a contact"},
    {GHL, "contacts.update", "PUT", "/contacts/{contactId}", W, true, false, "Update a contact"},
    {GHL, "contacts.delete", "DELETE", "/contacts/{contactId}", W, false, false, "Delete a contact"},
    {GHL, "contacts.upsert", "POST", "/contacts/upsert", W, true, false,
     "Create or update a contact, matched as the location's duplicate setting says"},
    {GHL, "contacts.list", "GET", "/contacts/", R, false, false,
     "List contacts (deprecated; locationId, query, limit, startAfterId, startAfter)"},
    {GHL, "contacts.search", "POST", "/contacts/search", R, true, false,
     "Search contacts (locationId, filters, sort, page, pageLimit, searchAfter)"},
    {GHL, "contacts.duplicate", "GET", "/contacts/search/duplicate", R, false, false,
     "Find the contact a new one would duplicate (locationId, email, number)"},
    {GHL, "contacts.by_business", "GET", "/contacts/business/{businessId}", R, false, false,
     "Contacts of a business (locationId, limit, skip, query)"},
    {GHL, "contacts.tags.add", "POST", "/contacts/{contactId}/tags", W, true, false,
     "Add tags to a contact (tags)"},
    {GHL, "contacts.tags.remove", "DELETE", "/contacts/{contactId}/tags", W, true, false,
     "Remove tags from a contact (tags)"},
    /* HighLevel: tasks, notes, appointments */
    {GHL, "tasks.list", "GET", "/contacts/{contactId}/tasks", R, false, false, "A contact's tasks"},
    {GHL, "tasks.get", "GET", "/contacts/{contactId}/tasks/{taskId}", R, false, false, "Get a task"},
    {GHL, "tasks.create", "POST", "/contacts/{contactId}/tasks", W, true, true,
     "Create a task (title, body, dueDate, completed, assignedTo)"},
    {GHL, "tasks.update", "PUT", "/contacts/{contactId}/tasks/{taskId}", W, true, false,
     "Update a task"},
    {GHL, "tasks.complete", "PUT", "/contacts/{contactId}/tasks/{taskId}/completed", W, true, false,
     "Mark a task completed or not (completed)"},
    {GHL, "tasks.delete", "DELETE", "/contacts/{contactId}/tasks/{taskId}", W, false, false,
     "Delete a task"},
    {GHL, "notes.list", "GET", "/contacts/{contactId}/notes", R, false, false, "A contact's notes"},
    {GHL, "notes.get", "GET", "/contacts/{contactId}/notes/{id}", R, false, false, "Get a note"},
    {GHL, "notes.create", "POST", "/contacts/{contactId}/notes", W, true, true,
     "Create a note (body, userId)"},
    {GHL, "notes.update", "PUT", "/contacts/{contactId}/notes/{id}", W, true, false, "Update a note"},
    {GHL, "notes.delete", "DELETE", "/contacts/{contactId}/notes/{id}", W, false, false,
     "Delete a note"},
    {GHL, "appointments.list", "GET", "/contacts/{contactId}/appointments", R, false, false,
     "A contact's appointments"},
    {GHL, "custom_fields.list", "GET", "/locations/{locationId}/customFields",
     "locations/customFields.readonly", false, false, "The location's custom fields"},

    /* PheedLoop (below /api/v3/organization/{org}/) */
    {PL, "validateauth", "GET", "validateauth/", NULL, false, false, "Check the credentials"},
    {PL, "events.list", "GET", "events/", NULL, false, false,
     "Events (date_updated_gte, date_updated_lte, page, page_size)"},
    {PL, "events.get", "GET", "events/{event}/", NULL, false, false, "Get an event"},
    {PL, "events.update", "PATCH", "events/{event}/", NULL, true, false, "Update an event"},
    {PL, "attendees.list", "GET", "events/{event}/attendees/", NULL, false, false,
     "An event's attendees (page, page_size)"},
    {PL, "attendees.get", "GET", "events/{event}/attendees/{code}/", NULL, false, false,
     "Get an attendee"},
    {PL, "attendees.create", "POST", "events/{event}/attendees/", NULL, true, true,
     "Create an attendee (send welcome emails only if you set the flags)"},
    {PL, "attendees.update", "PATCH", "events/{event}/attendees/{code}/", NULL, true, false,
     "Update an attendee"},
    {PL, "attendees.delete", "DELETE", "events/{event}/attendees/{code}/", NULL, false, false,
     "Delete an attendee"},
    {PL, "attendees.bulk_create", "POST", "events/{event}/attendeesbulk/", NULL, true, true,
     "Create attendees in bulk (body: an array)"},
    {PL, "attendees.bulk_update", "PATCH", "events/{event}/attendeesbulk/", NULL, true, false,
     "Update attendees in bulk (body: an array with codes)"},
    {PL, "attendees.bulk_delete", "DELETE", "events/{event}/attendeesbulk/", NULL, true, false,
     "Delete attendees in bulk (codes)"},
    {PL, "registrations.list", "GET", "events/{event}/registrations/", NULL, false, false,
     "An event's registrations (date_updated_gte, date_updated_lte, page, page_size)"},
    {PL, "tickets.list", "GET", "tickets/", NULL, false, false, "Tickets of every event"},
    {PL, "attendance.get", "GET", "events/{event}/attendance/", NULL, false, false,
     "Who is checked in"},
    {PL, "checkin", "POST", "events/{event}/checkin/", NULL, true, false, "Check in (codes)"},
    {PL, "checkout", "DELETE", "events/{event}/checkout/", NULL, true, false, "Check out (codes)"},
    {PL, "members.list", "GET", "members/", NULL, false, false,
     "Members (registration_date_updated_gte, _lte, page, page_size)"},
    {PL, "members.get", "GET", "members/{code}/", NULL, false, false, "Get a member"},
    {PL, "members.create", "POST", "members/", NULL, true, true, "Create a member"},
    {PL, "members.update", "PATCH", "members/{code}/", NULL, true, false, "Update a member"},
    {PL, "contact_tags.list", "GET", "contacttags/", NULL, false, false, "Contact tags"},
    {PL, "contact_tags.create", "POST", "contacttags/", NULL, true, true, "Create a contact tag"},
    {PL, "contact_tags.delete", "DELETE", "contacttags/{code}/", NULL, false, false,
     "Delete a contact tag"},
    {PL, "event_tags.list", "GET", "events/{event}/tags/", NULL, false, false, "An event's tags"},
    {PL, "announcements.list", "GET", "events/{event}/announcements/", NULL, false, false,
     "An event's announcements"},
    {PL, "announcements.create", "POST", "events/{event}/announcements/", NULL, true, true,
     "Create an announcement (title, description, recipients, release_date, release_time)"},
    {PL, "announcements.update", "PATCH", "events/{event}/announcements/{code}/", NULL, true, false,
     "Update an announcement"},
    {PL, "announcements.delete", "DELETE", "events/{event}/announcements/{code}/", NULL, false,
     false, "Delete an announcement"},
    {PL, "hooks.list", "GET", "events/{event}/resthooks/", NULL, false, false,
     "An event's REST hooks"},
    {PL, "hooks.create", "POST", "events/{event}/resthooks/", NULL, true, true,
     "Subscribe a REST hook (action, endpoint)"},
    {PL, "hooks.delete", "DELETE", "events/{event}/resthooks/{id}/", NULL, false, false,
     "Delete a REST hook"},
    {GHL, NULL, NULL, NULL, NULL, false, false, NULL},
};

static const catalog_trigger triggers[] = {
    {GHL, "ContactCreate", "a contact is created"},
    {GHL, "ContactUpdate", "a contact's fields change"},
    {GHL, "ContactDelete", "a contact is deleted"},
    {GHL, "ContactTagUpdate", "a contact's tags change"},
    {GHL, "ContactDndUpdate", "a contact's do-not-disturb settings change"},
    {GHL, "TaskCreate", "a task is created (edits fire nothing: the poller catches them)"},
    {GHL, "TaskComplete", "a task is completed"},
    {GHL, "TaskDelete", "a task is deleted"},
    {GHL, "NoteCreate", "a note is created"},
    {GHL, "NoteUpdate", "a note is changed"},
    {GHL, "NoteDelete", "a note is deleted"},
    {GHL, "AppointmentCreate", "an appointment is booked"},
    {GHL, "AppointmentUpdate", "an appointment changes"},
    {GHL, "AppointmentDelete", "an appointment is deleted"},
    {PL, "registration.created", "someone registers for an event"},
    {PL, "registration.updated", "a registration changes (e.g. cancelled)"},
    {PL, "registration.deleted", "a registration is deleted"},
    {PL, "attendee.created", "an attendee is created"},
    {PL, "attendee.updated", "an attendee changes"},
    {PL, "attendee.deleted", "an attendee is deleted"},
    {PL, "checkin.created", "an attendee checks in"},
    {PL, "checkin.deleted", "an attendee checks out"},
    {GHL, NULL, NULL},
};

const catalog_action *catalog_actions(void)
{
    return actions;
}

const catalog_trigger *catalog_triggers(void)
{
    return triggers;
}
