"""What a delivery says.

The recipient's contact (fetched now, never stored), their language and zone, the program's
branding, and the rendered message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import quote

from notifications.adapters.mail import Mail, valid_address
from notifications.adapters.services import Contact, PlatformClient, RaterDelivery, Unreachable
from notifications.adapters.store import Deliveries, Facts, PreferencesStore, ProgramSettingsStore
from notifications.adapters.templates import Rendered, Templates
from notifications.domain.calendar import Party, SessionInvitation, itip
from notifications.domain.deliveries import Attempt, Delivery, Outcome, message_id
from notifications.domain.explanations import reasons
from notifications.domain.facts import Pair, Participant, ProgramFacts
from notifications.domain.kinds import MANAGER_KINDS, UNSUBSCRIBABLE, Kind, RecipientType
from notifications.domain.preferences import Preferences, language_for
from notifications.domain.programs import ProgramSettings
from notifications.usecases.unsubscribe_links import unsubscribe_token


@dataclass(frozen=True, slots=True)
class Links:
    """Addresses and keys that links in messages need."""

    public_base_url: str
    portal_base_url: str
    link_key: bytes
    mail_from: str
    mail_domain: str
    default_language: str


@dataclass(frozen=True, slots=True)
class Composed:
    """A delivery ready to go: to whom, and what."""

    contact: Contact | None
    language: str
    rendered: Rendered
    mail: Mail | None
    action_url: str


class Undeliverable(Exception):  # noqa: N818 - reads as a condition
    """The delivery cannot be composed now (``attempt`` says whether it may later)."""

    def __init__(self, attempt: Attempt) -> None:
        super().__init__(attempt.error)
        self.attempt = attempt


@dataclass
class Round:
    """What one sending round has already read.

    Contacts, programs and settings are read once per round, and forgotten after it.
    """

    contacts: dict[str, Contact | Attempt] = field(default_factory=dict)
    programs: dict[str, ProgramFacts | None] = field(default_factory=dict)
    settings: dict[str, ProgramSettings] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    preferences: dict[str, Preferences] = field(default_factory=dict)
    pairs: dict[str, Pair] = field(default_factory=dict)
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    planned: dict[str, int] = field(default_factory=dict)
    raters: dict[str, RaterDelivery | Attempt] = field(default_factory=dict)
    prefetched: bool = False


ACTION_PATHS: dict[Kind, str] = {
    Kind.INVITATION: "/programs/{program_id}/register",
    Kind.INVITATION_REMINDER: "/programs/{program_id}/register",
    Kind.REGISTRATION_CONFIRMED: "/programs/{program_id}/register",
    Kind.PROPOSAL_READY: "/console/programs/{program_id}/matching/runs/{run_id}",
    Kind.MATCH: "/pairs/{pair_id}",
    Kind.SESSION_INVITATION: "/pairs/{pair_id}/sessions",
    Kind.SESSION_REMINDER: "/pairs/{pair_id}/sessions",
    Kind.SESSION_FOLLOW_UP: "/sessions/{session_id}/feedback",
    Kind.FIT_QUESTION: "/pairs/{pair_id}",
    Kind.SURVEY_OPEN: "/programs/{program_id}/surveys/{survey_kind}",
    Kind.PAIR_ENDED: "/",
    Kind.PAIR_NUDGE: "/pairs/{pair_id}",
    Kind.HEALTH_DIGEST: "/console/programs/{program_id}/reports",
    Kind.MENTOR_RECOGNIZED: "/me/stories",
    Kind.RATER_INVITATION: "/",
    Kind.DIGEST: "/",
}
"""The web app's page each kind leads to (filled from the delivery's context)."""

PREFERENCES_PATH = "/me/notifications"
SESSION_KINDS: frozenset[Kind] = frozenset(
    {Kind.SESSION_INVITATION, Kind.SESSION_REMINDER, Kind.SESSION_FOLLOW_UP, Kind.FIT_QUESTION}
)
"""Kinds about one session, whose members a round reads at once (``session_id``)."""

AUDIENCES: dict[RecipientType, str] = {
    RecipientType.PARTICIPANT: "member",
    RecipientType.PERSON: "invitee",
    RecipientType.MANAGER: "manager",
    RecipientType.PROGRAM_CHANNEL: "manager",
    RecipientType.RATER: "rater",
    RecipientType.ADMIN: "admin",
}
"""Why the recipient gets the program's messages (the footer says it)."""


def action_path(kind: Kind, program_id: str | None, context: dict[str, Any]) -> str:
    """The page of the web app a message of ``kind`` leads to."""
    values = {key: quote(str(value), safe="") for key, value in context.items()}
    values["program_id"] = quote(program_id or "", safe="")
    try:
        return ACTION_PATHS[kind].format(**values)
    except (KeyError, IndexError):
        return "/"


class Composer:
    """Builds each delivery's message."""

    def __init__(
        self,
        *,
        facts: Facts,
        programs: ProgramSettingsStore,
        preferences: PreferencesStore,
        deliveries: Deliveries,
        platform: PlatformClient,
        templates: Templates,
        links: Links,
    ) -> None:
        self._facts = facts
        self._programs = programs
        self._preferences = preferences
        self._deliveries = deliveries
        self._platform = platform
        self._templates = templates
        self._links = links

    async def prefetch(self, deliveries: list[Delivery], round_: Round) -> None:
        """Read what a round's deliveries need in a few queries instead of a few each."""
        participant_ids = {
            d.recipient_id for d in deliveries if d.recipient_type is RecipientType.PARTICIPANT
        }
        round_.participants = await self._facts.participants_by_id(participant_ids)
        round_.preferences = await self._preferences.many(
            {d.person_id for d in deliveries if d.person_id}
        )
        pair_ids = {d.context["pair_id"] for d in deliveries if d.kind is Kind.MATCH}
        ended_ids = {d.context["pair_id"] for d in deliveries if d.kind is Kind.PAIR_ENDED}
        round_.pairs = await self._facts.pairs_by_id(pair_ids | ended_ids)
        round_.planned = await self._facts.planned_sessions(pair_ids)
        round_.members = await self._facts.session_members(
            {d.context["session_id"] for d in deliveries if d.kind in SESSION_KINDS}
        )
        # Every participant whose contact a message names (its reader, the other member of a
        # match, a session's attendees), read in one request rather than one each.
        named = set(participant_ids)
        for pair in round_.pairs.values():
            named |= {pair.mentor_participant_id, pair.mentee_participant_id}
        for members in round_.members.values():
            named |= set(members)
        if named:
            contacts = await self._platform.participant_contacts(named)
            round_.contacts |= {f"participant:{pid}": found for pid, found in contacts.items()}
        round_.prefetched = True

    async def contact(self, participant_id: str, round_: Round) -> Contact:
        """A participant's contact, fetched once per round."""
        return await self._contact(f"participant:{participant_id}", round_)

    async def person_contact(self, person_id: str, round_: Round) -> Contact:
        """Anyone's contact by person id (an invitee, a manager), fetched once per round."""
        return await self._contact(f"person:{person_id}", round_)

    async def _contact(self, key: str, round_: Round) -> Contact:
        found = round_.contacts.get(key)
        if found is None:
            kind, _, identifier = key.partition(":")
            read = (
                self._platform.person_contact
                if kind == "person"
                else self._platform.participant_contact
            )
            try:
                found = await read(identifier)
            except Unreachable as error:
                found = error.attempt
            round_.contacts[key] = found
        if isinstance(found, Attempt):
            raise Undeliverable(found)
        if not valid_address(found.email):
            raise Undeliverable(Attempt(Outcome.PERMANENT, "invalid_address"))
        return found

    async def _rater(self, request_id: str, round_: Round) -> RaterDelivery:
        """A rater request's link and address, fetched once per round."""
        found = round_.raters.get(request_id)
        if found is None:
            try:
                found = await self._platform.rater_delivery(request_id)
            except Unreachable as error:
                found = error.attempt
            round_.raters[request_id] = found
        if isinstance(found, Attempt):
            raise Undeliverable(found)
        return found

    async def _program(
        self, program_id: str | None, round_: Round
    ) -> tuple[dict[str, Any], ProgramSettings]:
        pid = program_id or ""
        if pid not in round_.programs:
            round_.programs[pid] = await self._facts.program(pid) if pid else None
            round_.settings[pid] = await self._programs.get(pid)
        facts, settings = round_.programs[pid], round_.settings[pid]
        name = settings.branding.display_name or (facts.name if facts else "Mentoring")
        return {
            "name": name,
            "program_id": pid,
            "time_zone": facts.time_zone if facts else "UTC",
            "goal_detail": facts.goal_detail if facts else "",
            "starts_on": facts.starts_on if facts else None,
            "ends_on": facts.ends_on if facts else None,
            "registration_closes_at": facts.registration_closes_at if facts else None,
        }, settings

    async def compose(self, delivery: Delivery, round_: Round, *, now: datetime) -> Composed:
        """The message of ``delivery``; `Undeliverable` when it cannot be made."""
        program, settings = await self._program(delivery.program_id, round_)
        contact, language, zone = await self._recipient(delivery, settings, program, round_)
        portal = self._links.portal_base_url.rstrip("/")
        action_url = portal + action_path(delivery.kind, delivery.program_id, delivery.context)
        if delivery.kind is Kind.RATER_INVITATION:
            rater = await self._rater(delivery.context["request_id"], round_)
            action_url = portal + rater.path.removeprefix("/v1")
        if delivery.kind is Kind.ERASURE_REQUESTED:
            action_url = str(delivery.context["requests_url"])  # the console's page (admins)
        context: dict[str, Any] = {
            **delivery.context,
            "kind": delivery.kind.value,
            "program": program,
            "branding": settings.branding,
            "recipient_name": contact.name if contact else "",
            "zone": zone,
            "audience": "manager"
            if delivery.kind in MANAGER_KINDS
            else "rater"
            if delivery.kind is Kind.RATER_INVITATION
            else AUDIENCES[delivery.recipient_type],
            "action_url": action_url,
            # Admins are told as admins (ADMIN_EMAILS), not as people with preferences.
            "preferences_url": ""
            if delivery.recipient_type is RecipientType.ADMIN
            else portal + PREFERENCES_PATH,
            "unsubscribe_url": self._unsubscribe_url(delivery),
        }
        calendar: bytes | None = None
        method: str | None = None
        match delivery.kind:
            case Kind.MATCH:
                context |= await self._match_context(delivery, round_)
            case Kind.PAIR_ENDED:
                context["other_name"] = await self._other_member(delivery, round_)
            case Kind.SESSION_INVITATION:
                calendar, method, others = await self._invitation(
                    delivery, settings, program, round_, now=now, language=language
                )
                context["others"] = others
            case Kind.SESSION_REMINDER | Kind.SESSION_FOLLOW_UP | Kind.FIT_QUESTION:
                context["others"] = await self._others(delivery, round_)
            case Kind.DIGEST:
                context["entries"] = await self._digest_entries(delivery, language, round_)
            case Kind.RATER_INVITATION:
                mentee = await self.contact(delivery.context["participant_id"], round_)
                context["mentee_name"] = mentee.name
            case _:
                pass
        try:
            rendered = self._templates.render(delivery.kind, language, context)
        except Exception as error:  # noqa: BLE001 - a template that cannot render is permanent
            raise Undeliverable(
                Attempt(Outcome.PERMANENT, f"render {type(error).__name__}")
            ) from None
        mail = None
        if contact is not None:
            mail = Mail(
                sender=settings.branding.sender or self._links.mail_from,
                reply_to=settings.branding.reply_to,
                to_name=contact.name,
                to_email=contact.email,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                message_id=message_id(delivery.delivery_id, self._links.mail_domain),
                calendar=calendar,
                calendar_method=method,
                headers=self._list_headers(context["unsubscribe_url"]),
            )
        return Composed(contact, language, rendered, mail, action_url)

    def _unsubscribe_url(self, delivery: Delivery) -> str | None:
        if delivery.kind not in UNSUBSCRIBABLE or not delivery.person_id:
            return None
        token = unsubscribe_token(delivery.person_id, delivery.kind, self._links.link_key)
        return f"{self._links.public_base_url.rstrip('/')}/v1/unsubscribe/{token}"

    @staticmethod
    def _list_headers(unsubscribe_url: str | None) -> dict[str, str]:
        if unsubscribe_url is None:
            return {}
        return {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    async def _recipient(
        self,
        delivery: Delivery,
        settings: ProgramSettings,
        program: dict[str, Any],
        round_: Round,
    ) -> tuple[Contact | None, str, str]:
        default = self._links.default_language
        match delivery.recipient_type:
            case RecipientType.PARTICIPANT:
                contact = await self.contact(delivery.recipient_id, round_)
                preferences = round_.preferences.get(delivery.person_id or "")
                participant = round_.participants.get(delivery.recipient_id)
                if not round_.prefetched:
                    preferences = (
                        await self._preferences.get(delivery.person_id)
                        if delivery.person_id
                        else None
                    )
                    known = await self._facts.participants_by_id([delivery.recipient_id])
                    participant = known.get(delivery.recipient_id)
                spoken = participant.languages if participant else ()
                language = language_for(preferences, spoken, default)
                zone = (preferences.time_zone if preferences else None) or contact.time_zone
                return contact, language, zone
            case RecipientType.MANAGER:
                return await self._manager(delivery, settings, program, round_)
            case RecipientType.PERSON:
                contact = await self.person_contact(delivery.recipient_id, round_)
                preferences = round_.preferences.get(delivery.recipient_id)
                if not round_.prefetched:
                    preferences = await self._preferences.get(delivery.recipient_id)
                language = language_for(preferences, (), default)
                zone = (preferences.time_zone if preferences else None) or contact.time_zone
                return contact, language, zone
            case RecipientType.PROGRAM_CHANNEL:
                return None, default, program["time_zone"]
            case RecipientType.RATER:
                rater = await self._rater(delivery.recipient_id, round_)
                contact = Contact("", rater.email or "", program["time_zone"])
                if not valid_address(contact.email):
                    raise Undeliverable(Attempt(Outcome.PERMANENT, "invalid_address"))
                return contact, default, program["time_zone"]
            case RecipientType.ADMIN:
                if not valid_address(delivery.recipient_id):
                    raise Undeliverable(Attempt(Outcome.PERMANENT, "invalid_address"))
                return Contact("", delivery.recipient_id, "UTC"), default, "UTC"
            case _:
                raise Undeliverable(Attempt(Outcome.PERMANENT, "no_contact_source"))

    async def _manager(
        self,
        delivery: Delivery,
        settings: ProgramSettings,
        program: dict[str, Any],
        round_: Round,
    ) -> tuple[Contact, str, str]:
        """A manager recipient set in this service: a person of the directory, or an address."""
        manager = next(
            (m for m in settings.managers if m.manager_id == delivery.recipient_id), None
        )
        if manager is None:
            raise Undeliverable(Attempt(Outcome.PERMANENT, "manager_removed"))
        if manager.person_id is not None:
            contact = await self.person_contact(manager.person_id, round_)
            return contact, manager.language, program["time_zone"]
        contact = Contact(manager.name or "", manager.email or "", program["time_zone"])
        if not valid_address(contact.email):
            raise Undeliverable(Attempt(Outcome.PERMANENT, "invalid_address"))
        return contact, manager.language, program["time_zone"]

    async def _pair(self, delivery: Delivery, round_: Round) -> Pair | None:
        """The pair the delivery is about (read with the round, else on its own)."""
        pair_id = delivery.context["pair_id"]
        return round_.pairs.get(pair_id) or await self._facts.pair(pair_id)

    async def _match_context(self, delivery: Delivery, round_: Round) -> dict[str, Any]:
        pair = await self._pair(delivery, round_)
        if pair is None:
            raise Undeliverable(Attempt(Outcome.PERMANENT, "pair_unknown"))
        is_mentor = delivery.recipient_id == pair.mentor_participant_id
        other = await self.contact(pair.other_than(delivery.recipient_id), round_)
        planned = round_.planned.get(pair.pair_id)
        if planned is None:
            planned = (await self._facts.planned_sessions([pair.pair_id])).get(pair.pair_id, 0)
        return {
            "is_mentor": is_mentor,
            "other_name": other.name,
            "other_email": other.email,
            "reasons": reasons(pair.contributions),
            "agenda": await self._platform.first_agenda(),
            "sessions_planned": planned,
        }

    async def _other_member(self, delivery: Delivery, round_: Round) -> str:
        """The name of the pair's other member ("" when unknown, erased or gone)."""
        pair = await self._pair(delivery, round_)
        if pair is None:
            return ""
        try:
            return (await self.contact(pair.other_than(delivery.recipient_id), round_)).name
        except Undeliverable:
            return ""

    async def _members(self, session_id: str, round_: Round) -> tuple[str, ...]:
        if session_id not in round_.members:
            found = await self._facts.session_members([session_id])
            round_.members[session_id] = found.get(session_id, ())
        return round_.members[session_id]

    async def _others(self, delivery: Delivery, round_: Round) -> str:
        members = await self._members(delivery.context["session_id"], round_)
        others = [pid for pid in members if pid != delivery.recipient_id]
        names = []
        for pid in others:
            try:
                names.append((await self.contact(pid, round_)).name)
            except Undeliverable:
                continue
        return ", ".join(names)

    async def _invitation(
        self,
        delivery: Delivery,
        settings: ProgramSettings,
        program: dict[str, Any],
        round_: Round,
        *,
        now: datetime,
        language: str,
    ) -> tuple[bytes, str, str]:
        attendee_ids = list(await self._members(delivery.context["session_id"], round_))
        if delivery.recipient_id not in attendee_ids:
            attendee_ids.append(delivery.recipient_id)
        attendees: list[Party] = []
        others: list[str] = []
        for pid in attendee_ids:
            try:
                contact = await self.contact(pid, round_)
            except Undeliverable:
                if pid == delivery.recipient_id:
                    raise
                continue
            attendees.append(Party(contact.name, contact.email))
            if pid != delivery.recipient_id:
                others.append(contact.name)
        sender = settings.branding.sender or self._links.mail_from
        organizer_name, organizer_email = parseaddr(sender)
        context = delivery.context
        ordinal = context.get("ordinal")
        summary = (
            self._templates.translate(
                language,
                "%(program)s: mentoring session %(ordinal)s",
                program=program["name"],
                ordinal=ordinal,
            )
            if ordinal
            else self._templates.translate(
                language, "%(program)s: mentoring session", program=program["name"]
            )
        )
        invitation = SessionInvitation(
            session_id=context["session_id"],
            method=context["method"],
            sequence=int(context["sequence"]),
            starts_at=datetime.fromisoformat(context["starts_at"]),
            duration_minutes=int(context["duration_minutes"]),
            summary=summary,
            description=f"{self._links.portal_base_url.rstrip('/')}/sessions",
            organizer=Party(organizer_name or program["name"], organizer_email),
            attendees=attendees,
            stamp=now,
        )
        return itip(invitation), context["method"], ", ".join(others)

    async def _digest_entries(
        self, delivery: Delivery, language: str, round_: Round
    ) -> list[dict[str, str]]:
        entries = []
        for item in await self._deliveries.by_ids(delivery.items):
            program, settings = await self._program(item.program_id, round_)
            context = {
                **item.context,
                "kind": item.kind.value,
                "program": program,
                "branding": settings.branding,
                "recipient_name": "",
                "zone": "UTC",
                "audience": "member",
                "action_url": "",
                "preferences_url": "",
                "unsubscribe_url": None,
            }
            try:
                rendered = self._templates.render(item.kind, language, context)
            except Exception:  # noqa: BLE001, S112 - an item that cannot render is left out
                continue
            path = action_path(item.kind, item.program_id, item.context)
            url = self._links.portal_base_url.rstrip("/") + path
            entries.append({"subject": rendered.subject, "text": url})
        return entries
