"""One conversation: its page and polled transcript, and claiming, replying, notes, hand-back
and closing. Every view and every action is written to the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Form
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.inbox import closing, conversations, failed_messages, finding
from bot.inbox.attachments import files_by_message
from bot.inbox.audit import AuditAction, AuditObject, AuditTrail
from bot.inbox.auth import Viewer
from bot.inbox.reply_length import reply_limit
from bot.inbox.routes.depends import (
    Answer,
    Audit,
    Changes,
    ChangesDep,
    FormSender,
    LoggedIn,
    Render,
    ServicesDep,
    Text,
    Transaction,
    found_or_404,
    section_router,
    see_other,
)
from bot.inbox.routes.visible import ConversationId
from bot.inbox.scope import Scope
from bot.inbox.staff_text import with_cpr_notice
from bot.inbox.text import InboxText
from bot.kernel.bounds import ROW_ID_MAX
from bot.kernel.cpr import MaskedText, mask_cpr
from bot.kernel.errors import InboxError
from bot.store.db import transaction
from bot.store.models import Consultant, Conversation, Message

router = section_router()


def _conversation_context(db: Session, viewer: Viewer, conversation_id: int) -> dict[str, Any]:
    conversation = conversations.visible_conversation(db, Scope.reading(viewer), conversation_id)
    names = {c.id: c.display_name for c in db.scalars(select(Consultant))}
    messages = conversations.transcript(db, conversation_id)
    return {
        "conversation": conversation,
        "citizen": conversation.citizen,
        "messages": messages,
        "files": files_by_message(db, conversation_id),
        "failed": failed_messages.fates(messages),
        "notes": conversations.notes(db, conversation_id),
        "consultant_names": names,
        "holds_it": conversation.status == "consultant"
        and conversation.assigned_consultant_id == viewer.id,
    }


@router.get("/conversations/{conversation_id}")
def conversation_page(
    conversation_id: ConversationId,
    viewer: LoggedIn,
    db: Transaction,
    render: Render,
    audit: Audit,
    services: ServicesDep,
) -> Response:
    with found_or_404(render, viewer):
        context = _conversation_context(db, viewer, conversation_id)
    audit.record(
        AuditAction.VIEW_CONVERSATION,
        AuditObject.CONVERSATION,
        conversation_id,
        services.clock.now(),
        citizen_id=context["citizen"].id,
    )
    return render(
        "conversation.html",
        viewer,
        canned=conversations.canned_replies(db, viewer),
        reply_limit=reply_limit(
            db, context["conversation"], services.config.settings.twilio.max_segments
        ),
        colleagues=finding.colleagues(db, viewer),
        **context,
    )


@router.get("/conversations/{conversation_id}/transcript.fragment")
def transcript_fragment(
    conversation_id: ConversationId, viewer: LoggedIn, db: Transaction, render: Render
) -> Response:
    # Polled by the open conversation page: part of the view already audited.
    with found_or_404(render, viewer):
        context = _conversation_context(db, viewer, conversation_id)
    return render("_transcript.html", viewer, **context)


@dataclass(frozen=True, slots=True)
class ConversationAction:
    """A form posted on a conversation's page, done at ``now`` and audited."""

    conversation_id: int
    viewer: Viewer
    now: datetime
    changes: Changes
    audit: AuditTrail
    text: InboxText

    @property
    def page(self) -> str:
        return f"/inbox/conversations/{self.conversation_id}"

    @contextmanager
    def audited(self, action: AuditAction) -> Iterator[Session]:
        """The action's transaction; it is audited when the block did it."""
        with self.changes.transaction(back=self.page) as db:
            yield db
            conversation = db.get(Conversation, self.conversation_id)
            self.audit.record(
                action,
                AuditObject.CONVERSATION,
                self.conversation_id,
                self.now,
                citizen_id=conversation.citizen_id if conversation else None,
            )

    def back(self, notice_key: str, typed: MaskedText | None = None) -> RedirectResponse:
        """Back to the page; ``typed``: the consultant's text, told when a CPR was removed."""
        notice = self.text(notice_key)
        if typed is not None:
            notice = with_cpr_notice(self.text, notice, typed)
        return see_other(self.page, notice=notice)

    def to_queue(self, notice_key: str) -> RedirectResponse:
        """For an action after which the conversation is no longer the consultant's."""
        return see_other("/inbox", notice=self.text(notice_key))


def _conversation_action(
    viewer: FormSender,
    conversation_id: ConversationId,
    services: ServicesDep,
    changes: ChangesDep,
    audit: Audit,
    text: Text,
) -> ConversationAction:
    return ConversationAction(conversation_id, viewer, services.clock.now(), changes, audit, text)


Action = Annotated[ConversationAction, Depends(_conversation_action, scope="function")]


@router.post("/conversations/{conversation_id}/claim")
def claim(action: Action) -> Response:
    with action.audited(AuditAction.CLAIM) as db:
        if not conversations.claim(db, action.viewer, action.conversation_id, action.now):
            raise InboxError("errors.already_claimed")
    return action.back("notices.claimed")


@router.post("/conversations/{conversation_id}/reply")
def reply(
    action: Action,
    services: ServicesDep,
    text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    settings = services.config.settings
    max_chars = settings.chat.max_text_chars
    typed = mask_cpr(text)  # masked before it is stored, so also in what is sent
    with action.audited(AuditAction.REPLY) as db:
        conversations.reply(
            db,
            action.viewer,
            action.conversation_id,
            typed.text,
            action.now,
            max_chars,
            max_sms_parts=settings.twilio.max_segments,
        )
    return action.back("notices.reply_sent", typed)


@router.post("/conversations/{conversation_id}/notes")
def add_note(action: Action, text: Annotated[str, Form(max_length=4000)] = "") -> Response:
    typed = mask_cpr(text)
    with action.audited(AuditAction.ADD_NOTE) as db:
        conversations.add_note(db, action.viewer, action.conversation_id, typed.text, action.now)
    return action.back("notices.note_saved", typed)


@router.post("/conversations/{conversation_id}/hand-back")
def hand_back(action: Action, services: ServicesDep) -> Response:
    with action.audited(AuditAction.HAND_BACK) as db:
        conversations.hand_back(
            db, action.viewer, action.conversation_id, action.now, services.content
        )
    return action.to_queue("notices.handed_back")


@router.get("/conversations/{conversation_id}/close")
def close_confirm_page(
    conversation_id: ConversationId,
    viewer: LoggedIn,
    db: Transaction,
    render: Render,
    services: ServicesDep,
) -> Response:
    """The confirm step before closing: what the citizen will be told, and what happens next."""
    with found_or_404(render, viewer):
        context = _conversation_context(db, viewer, conversation_id)
    conversation = context["conversation"]
    question_open = closing.asks_something(closing.last_consultant_message(db, conversation_id))
    key = "after_close.closed_question_open" if question_open else "after_close.closed"
    return render(
        "close_confirm.html",
        viewer,
        told=services.content.text(conversation.language, key)
        if conversation.status in ("consultant", "waiting")
        else "",
        question_open=question_open,
        **context,
    )


@router.post("/conversations/{conversation_id}/close")
def close(
    action: Action,
    services: ServicesDep,
    confirmed: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    if confirmed != "yes":
        # Not from the confirm step (an old page, a script): ask first, change nothing. The
        # id was checked against the viewer's scope already (ConversationId).
        return see_other(f"{action.page}/close")
    with action.audited(AuditAction.CLOSE) as db:
        closing.close_and_tell(
            db, action.viewer, action.conversation_id, action.now, services.content
        )
    return action.to_queue("notices.closed")


def _message_id(
    message_id: str,
    conversation_id: ConversationId,
    viewer: LoggedIn,
    services: ServicesDep,
    render: Render,
) -> int:
    """The path's message id once it names a message of the (visible) conversation; 404
    otherwise, as for any id that names nothing of the viewer's."""
    if message_id.isdigit() and 0 < int(message_id) <= ROW_ID_MAX:
        with transaction(services.session_factory) as db:
            found = db.scalar(
                select(Message.id).where(
                    Message.id == int(message_id), Message.conversation_id == conversation_id
                )
            )
        if found is not None:
            return found
    raise Answer(render.error(viewer, 404, render.text("errors.conversation_not_found")))


@router.post("/conversations/{conversation_id}/messages/{message_id}/send-again")
def send_again(action: Action, message_id: Annotated[int, Depends(_message_id)]) -> Response:
    """A failed outbound message (any sender's) queued again, with a fresh retry deadline."""
    with action.audited(AuditAction.SEND_AGAIN) as db:
        failed_messages.send_message_again(
            db, action.viewer, action.conversation_id, message_id, action.now
        )
    return action.back("outbox.sent_again")
