"""The personal-data inventory: every column of every table, either personal data with the
retention rule that ends it (booking.privacy.rules) or not personal.

A test fails when a column appears that is in neither, so a new field holding personal data
cannot slip in without a rule. Ids of people (``member_id``, ``booking_id``) count as
personal: they point at a person.
"""

from __future__ import annotations

PERSONAL_DATA: dict[str, str] = {
    # the member's account
    "members.email": "inactive_members",
    "members.first_name": "inactive_members",
    "members.last_name": "inactive_members",
    "members.function": "inactive_members",
    "members.organisation_id": "inactive_members",
    "members.organisation_name_given": "inactive_members",
    "members.role": "inactive_members",
    "members.status": "inactive_members",
    "members.created_at": "inactive_members",
    "members.approved_at": "inactive_members",
    "members.calendar_token": "inactive_members",
    "members.last_signed_in_at": "inactive_members",
    "members.stay_asked_at": "inactive_members",
    "api_tokens.member_id": "inactive_members",
    "api_tokens.token_hash": "inactive_members",
    "api_tokens.name": "inactive_members",
    "api_tokens.created_at": "inactive_members",
    "api_tokens.last_used_at": "inactive_members",
    "event_trainers.member_id": "inactive_members",
    # sign-in and sessions
    "sign_in_link_uses.nonce": "sign_in",
    "sign_in_link_uses.used_at": "sign_in",
    "web_sessions.id_hash": "sessions",
    "web_sessions.member_id": "sessions",
    "web_sessions.data": "sessions",
    "web_sessions.created_at": "sessions",
    "web_sessions.last_seen_at": "sessions",
    # mail
    "outbox.recipient": "sent_mail",
    "outbox.context": "sent_mail",
    "outbox.last_error": "sent_mail",
    # bookings, attendance, feedback invitations: with the booking
    "bookings.member_id": "bookings",
    "bookings.created_at": "bookings",
    "bookings.waitlisted_at": "bookings",
    "bookings.confirmed_at": "bookings",
    "bookings.cancelled_at": "bookings",
    "bookings.cancelled_by": "bookings",
    "bookings.released_at": "bookings",
    "bookings.offered_at": "bookings",
    "bookings.offer_expires_at": "bookings",
    "bookings.booked_by": "bookings",
    "bookings.anonymised_at": "bookings",
    "attendance_marks.booking_id": "bookings",
    "attendance_marks.marked_by": "bookings",
    "attendance_changes.booking_id": "bookings",
    "attendance_changes.changed_by": "bookings",
    "feedback_invitations.booking_id": "bookings",
    "feedback_invitations.token_hash": "bookings",
    "draw_entries.booking_id": "bookings",
    # the certificate register
    "certificates.participant_name": "certificates",
    "certificates.member_id": "certificates",
    "certificates.booking_id": "certificates",
    "certificates.number": "certificates",
    "certificates.code": "certificates",
    "certificates.issued_by": "certificates",
    "certificates.revoked_reason": "certificates",
    # the audit log
    "audit_entries.actor_id": "audit",
    "audit_entries.member_id": "audit",
    "audit_entries.booking_id": "audit",
    "audit_entries.before": "audit",
    "audit_entries.after": "audit",
    "audit_entries.reason": "audit",
    # applications to join
    "joining_applications.head_name": "applications",
    "joining_applications.contact_first_name": "applications",
    "joining_applications.contact_last_name": "applications",
    "joining_applications.contact_email": "applications",
    "joining_applications.question": "applications",
    "joining_applications.decline_reason": "applications",
    "joining_applications.decided_by": "applications",
    "joining_applications.confirm_nonce": "applications",
    # material orders
    "material_orders.member_id": "inactive_members",
    "material_orders.contact": "orders",
    "material_orders.note": "orders",
    # the newsletter: the subscription with its consent record, and who got which issue
    **{
        f"newsletter_subscriptions.{c}": "newsletter"
        for c in (
            "email",
            "status",
            "source",
            "consent_version",
            "requested_at",
            "confirmed_at",
            "unsubscribed_at",
            "confirm_nonce",
            "unsubscribe_key",
        )
    },
    "newsletter_deliveries.subscription_id": "newsletter",
    # feedback: anonymous from the start
    "feedback_answers.comment": "feedback",
}

NOT_PERSONAL: frozenset[str] = frozenset(
    {
        # the programme, venues, material: organisations' and events' data
        *(
            f"events.{c}"
            for c in (
                "id",
                "kind",
                "status",
                "title",
                "summary",
                "description",
                "capacity",
                "seats_per_organisation",
                "course_code",
                "prerequisite_code",
                "teaching_units",
                "completion_share",
                "reminder_days",
                "certificate_content",
                "requires_release",
                "release_deadline",
                "offer_working_days",
                "allocation",
                "draw_salt",
                "booking_opens_at",
                "registration_deadline",
                "cancellation_deadline",
                "parent_id",
                "series_id",
                "venue_id",
                "room_id",
                "online_room_id",
                "sequence",
                "created_at",
                "updated_at",
            )
        ),  # fmt: skip
        # a draw's record: the request's booking above; the rest says nothing of a person
        *(
            f"draws.{c}"
            for c in (
                "id",
                "event_id",
                "algorithm",
                "seed",
                "deadline",
                "seats",
                "seats_per_organisation",
                "held_by_organisation",
                "drawn_at",
            )
        ),  # fmt: skip
        *(
            f"draw_entries.{c}"
            for c in (
                "id",
                "draw_id",
                "organisation_id",
                "rank",
                "round",
                "decision",
                "waitlist_position",
            )
        ),  # fmt: skip
        "event_sectors.event_id",
        "event_sectors.sector",
        "event_trainers.event_id",
        *(
            f"event_sessions.{c}"
            for c in (
                "id",
                "event_id",
                "starts_at",
                "ends_at",
                "title",
                "sequence",
                "teaching_units",
            )
        ),  # fmt: skip
        *(f"series.{c}" for c in ("id", "title", "rrule", "first_starts_at", "duration_minutes")),
        *(
            f"venues.{c}"
            for c in (
                "id",
                "name",
                "street",
                "postcode",
                "city",
                "region",
                "step_free",
                "hearing_loop",
                "accessible_toilet",
                "accessibility_notes",
            )
        ),  # fmt: skip
        "rooms.id",
        "rooms.venue_id",
        "rooms.name",
        "rooms.capacity",
        "online_rooms.id",
        "online_rooms.name",
        "online_rooms.meeting_url",
        "online_rooms.dial_in",
        *(
            f"organisations.{c}"
            for c in (
                "id",
                "name",
                "sector",
                "region",
                "created_at",
                "joined_on",
                "listed",
            )
        ),  # fmt: skip
        "organisation_domains.domain",
        "organisation_domains.organisation_id",
        # an organisation's application: its own data (the people are listed above)
        *(
            f"joining_applications.{c}"
            for c in (
                "id",
                "name",
                "sector",
                "region",
                "street",
                "address_extra",
                "postal_code",
                "city",
                "head_function",
                "domains",
                "listed",
                "status",
                "created_at",
                "confirmed_at",
                "asked_at",
                "decided_at",
                "organisation_id",
            )
        ),  # fmt: skip
        *(
            f"joining_certificates.{c}"
            for c in (
                "id",
                "year",
                "serial",
                "number",
                "code",
                "organisation_id",
                "organisation_name",
                "joined_on",
                "issued_at",
                "issued_by",
                "superseded_at",
                "superseded_by_id",
            )
        ),  # fmt: skip
        "joining_certificate_counters.year",
        "joining_certificate_counters.last_serial",
        *(
            f"material_items.{c}"
            for c in (
                "id",
                "name",
                "description",
                "unit",
                "picture",
                "stock",
                "emergency_services_only",
                "yearly_limit",
                "low_stock_threshold",
                "low_stock_alerted_at",
                "active",
            )
        ),  # fmt: skip
        *(f"material_order_lines.{c}" for c in ("id", "order_id", "item_id", "quantity")),
        # an order's own data: the organisation's office address, quantities, dates
        *(
            f"material_orders.{c}"
            for c in (
                "id",
                "organisation_id",
                "year",
                "status",
                "delivery_address",
                "created_at",
                "changed_at",
                "shipped_on",
                "tracking_note",
                "reason",
            )
        ),  # fmt: skip
        # bookings once the person is gone: the counts for the figures
        *(
            f"bookings.{c}"
            for c in (
                "id",
                "event_id",
                "organisation_id",
                "status",
                "reminded_at",
                "added_on_site",
                "waitlist_rank",
            )
        ),  # fmt: skip
        *(f"attendance_marks.{c}" for c in ("id", "session_id", "status", "marked_at")),
        *(
            f"attendance_changes.{c}"
            for c in (
                "id",
                "session_id",
                "old_status",
                "new_status",
                "changed_at",
            )
        ),  # fmt: skip
        *(f"feedback_invitations.{c}" for c in ("id", "event_id", "sent_at", "expires_at", "used")),
        "feedback_answers.id",
        "feedback_answers.event_id",
        "feedback_answers.version",
        "feedback_ratings.answer_id",
        "feedback_ratings.question",
        "feedback_ratings.value",
        # the certificate register's course facts
        *(
            f"certificates.{c}"
            for c in (
                "id",
                "event_id",
                "course_title",
                "course_code",
                "dates",
                "place",
                "trainers",
                "units_attended",
                "units_offered",
                "partial_note",
                "content",
                "issued_at",
                "revoked_at",
                "message_id",
            )
        ),  # fmt: skip
        # a message to an event's participants: its text and how many it reached
        *(
            f"announcements.{c}"
            for c in (
                "id",
                "event_id",
                "sent_by",
                "audience",
                "subject",
                "body",
                "recipients",
                "created_at",
            )
        ),  # fmt: skip
        *(
            f"outbox.{c}"
            for c in (
                "id",
                "template",
                "created_at",
                "attempts",
                "next_attempt_at",
                "locked_until",
                "sent_at",
                "failed_at",
                "message_key",
            )
        ),  # fmt: skip
        "web_sessions.expires_at",
        "api_tokens.id",
        "api_tokens.expires_at",
        "api_tokens.revoked_at",
        "members.id",
        "newsletter_subscriptions.id",
        # the newsletter's issues: the organisers' texts
        *(
            f"newsletter_issues.{c}"
            for c in (
                "id",
                "subject",
                "body_markdown",
                "status",
                "created_at",
                "updated_at",
                "created_by",
                "send_started_at",
                "sent_by",
                "recipients",
                "last_subscription_id",
                "cursor",
                "queued_at",
            )
        ),  # fmt: skip
        *(f"newsletter_deliveries.{c}" for c in ("id", "issue_id", "message_id")),
        *(f"audit_entries.{c}" for c in ("id", "created_at", "action", "event_id")),
        *(
            f"job_runs.{c}"
            for c in (
                "id",
                "job",
                "due_at",
                "holder",
                "lease_until",
                "started_at",
                "finished_at",
                "attempts",
                "last_error",
            )
        ),  # fmt: skip
    }
)
