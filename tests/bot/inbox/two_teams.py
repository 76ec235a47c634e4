"""Two teams with the same kinds of things each, and citizens who belong to no team yet.

Each team ("Nord", "Syd") has a consultant and an admin, a location with opening hours, a
canned reply, and a citizen of its own with a bot-only conversation, an absence notice and a
booking. Two team-less citizens: one who only ever talked to the bot (with an absence notice),
and one whose chat waits in the queue (an absence reported in an earlier bot-only chat, and one
in the waiting chat).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select

from bot.services import Services
from bot.store.db import transaction
from bot.store.models import (
    AbsenceNotice,
    CannedReply,
    Citizen,
    Consultant,
    Conversation,
    ConversationStatus,
    Location,
    Message,
    MessageAttachment,
    OpeningHours,
)
from tests.bot.inbox.conftest import MakeConsultant
from tests.scheduling_data import make_booking, make_citizen


@dataclass(frozen=True)
class TeamThings:
    """One team's accounts (usernames) and the ids of what it owns."""

    name: str
    team_id: int
    consultant: str
    admin: str
    citizen_id: int
    conversation_id: int  # the team citizen's bot-only conversation
    booking_id: int
    canned_id: int
    hours_id: int
    location_id: int
    consultant_id: int
    absence_note: str
    failed_message_id: int  # a bot message in the bot-only conversation the outbox gave up on
    attachment_id: int = 0  # a photo in the team citizen's bot-only conversation
    absence_id: int = 0


@dataclass(frozen=True)
class TwoTeams:
    nord: TeamThings
    syd: TeamThings
    # A team-less citizen who only talked to the bot.
    bot_only_citizen_id: int
    bot_only_conversation_id: int
    bot_only_absence: str
    # A team-less citizen waiting in the queue, with an earlier bot-only chat.
    waiting_citizen_id: int
    waiting_conversation_id: int
    earlier_conversation_id: int
    waiting_absence: str
    earlier_absence: str


def _conversation(
    services: Services, citizen_id: int, status: ConversationStatus, text: str
) -> int:
    now = services.clock.now()
    with transaction(services.session_factory) as db:
        conversation = Conversation(
            citizen_id=citizen_id,
            status=status.value,
            waiting_since=now if status == ConversationStatus.WAITING else None,
            created_at=now,
            updated_at=now,
        )
        db.add(conversation)
        db.flush()
        db.add(
            Message(
                conversation_id=conversation.id,
                citizen_id=citizen_id,
                direction="in",
                sender="citizen",
                channel="web",
                address=f"web-citizen-{citizen_id}",
                text=text,
                status="received",
                created_at=now,
            )
        )
        return conversation.id


def _absence(services: Services, citizen_id: int, conversation_id: int, note: str) -> int:
    with transaction(services.session_factory) as db:
        notice = AbsenceNotice(
            citizen_id=citizen_id,
            conversation_id=conversation_id,
            starts_on=date(2026, 11, 23),
            reason="own_sickness",
            activity="praktik",
            note=note,
            reported_at=services.clock.now(),
        )
        db.add(notice)
        db.flush()
        return notice.id


def _photo(services: Services, conversation_id: int) -> int:
    """A photo with the conversation's first message."""
    with transaction(services.session_factory) as db:
        message = db.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.id)
            .limit(1)
        ).one()
        photo = MessageAttachment(
            message_id=message.id,
            citizen_id=message.citizen_id,
            kind="photo",
            content_type="image/jpeg",
            size=4,
            data=b"\xff\xd8\xff\xe0",
            created_at=services.clock.now(),
        )
        db.add(photo)
        db.flush()
        return photo.id


def _team(services: Services, make_consultant: MakeConsultant, name: str) -> TeamThings:
    team = f"Jobcenter {name}"
    consultant = make_consultant(f"{name.lower()}.konsulent", team=team)
    make_consultant(f"{name.lower()}.admin", team=team, role="admin")
    now = services.clock.now()
    with transaction(services.session_factory) as db:
        account = db.get(Consultant, consultant.id)
        assert account is not None
        location = Location(team_id=consultant.team_id, name=f"{name} kontor")
        db.add(location)
        db.flush()
        hours = OpeningHours(location_id=location.id, weekday=0, opens=time(9), closes=time(12))
        canned = CannedReply(team_id=consultant.team_id, title=f"{name} hilsen", text="Hej!")
        db.add_all([hours, canned])
        citizen = make_citizen(db, channel="web", now=now, team_id=consultant.team_id)
        booking = make_booking(
            db,
            citizen,
            now + timedelta(days=2),
            consultant=account,
            location=location,
            now=now,
        )
        db.flush()
        ids = (citizen.id, booking.id, canned.id, hours.id, location.id)
    conversation_id = _conversation(services, ids[0], ConversationStatus.BOT, f"{name} bot chat")
    note = f"{name} borgers fravær"
    absence_id = _absence(services, ids[0], conversation_id, note)
    failed = _failed_message(services, ids[0], conversation_id)
    return TeamThings(
        name=name,
        team_id=consultant.team_id,
        consultant=consultant.username,
        admin=f"{name.lower()}.admin",
        citizen_id=ids[0],
        conversation_id=conversation_id,
        booking_id=ids[1],
        canned_id=ids[2],
        hours_id=ids[3],
        location_id=ids[4],
        consultant_id=consultant.id,
        absence_note=note,
        attachment_id=_photo(services, conversation_id),
        failed_message_id=failed,
        absence_id=absence_id,
    )


def two_teams(services: Services, make_consultant: MakeConsultant) -> TwoTeams:
    nord, syd = _team(services, make_consultant, "Nord"), _team(services, make_consultant, "Syd")
    now = services.clock.now()
    with transaction(services.session_factory) as db:
        bot_only = make_citizen(db, channel="web", now=now).id
        waiting = make_citizen(db, channel="web", now=now).id
    bot_only_chat = _conversation(services, bot_only, ConversationStatus.BOT, "kun chatbot")
    _absence(services, bot_only, bot_only_chat, "fravær kun til chatbotten")
    earlier = _conversation(services, waiting, ConversationStatus.CLOSED, "tidligere chat")
    _absence(services, waiting, earlier, "fravær i en tidligere chat")
    waiting_chat = _conversation(services, waiting, ConversationStatus.WAITING, "jeg vil tale")
    _absence(services, waiting, waiting_chat, "fravær i den ventende chat")
    return TwoTeams(
        nord=nord,
        syd=syd,
        bot_only_citizen_id=bot_only,
        bot_only_conversation_id=bot_only_chat,
        bot_only_absence="fravær kun til chatbotten",
        waiting_citizen_id=waiting,
        waiting_conversation_id=waiting_chat,
        earlier_conversation_id=earlier,
        waiting_absence="fravær i den ventende chat",
        earlier_absence="fravær i en tidligere chat",
    )


def citizen_team(services: Services, citizen_id: int) -> int | None:
    with transaction(services.session_factory) as db:
        return db.scalars(select(Citizen.team_id).where(Citizen.id == citizen_id)).one()


def _failed_message(services: Services, citizen_id: int, conversation_id: int) -> int:
    with transaction(services.session_factory) as db:
        message = Message(
            conversation_id=conversation_id,
            citizen_id=citizen_id,
            direction="out",
            sender="bot",
            channel="telegram",
            address=f"70{citizen_id}",
            text="Husk dit møde i morgen.",
            status="failed",
            attempts=30,
            last_error="gave up after 30 attempts (retry deadline reached): Telegram 502",
            created_at=services.clock.now(),
        )
        db.add(message)
        db.flush()
        return message.id
