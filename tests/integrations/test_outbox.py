"""The outbox sender against the fake providers: retries, limits, give-up and no repeats."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.kernel.clock import FixedClock
from bot.kernel.messages import Channel
from bot.services import Services
from bot.store.models import MessageStatus
from integrations.outbox.sender import DELIVERY_UNKNOWN, OutboxSender, RateLimit
from integrations.outbox.store import SMS_OPTED_OUT
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.integrations.conftest import new_citizen, outbox_rows, queue, run_until_idle

pytestmark = [
    pytest.mark.anyio,
    # PTB 22 announces that RetryAfter.retry_after becomes a timedelta; both are handled.
    pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning"),
]

CHAT = "424242"
PHONE = "+4520304050"


async def test_queued_telegram_messages_are_delivered_once_in_order(
    channel_services: Services, sender: OutboxSender, fake_telegram: FakeTelegramApi
) -> None:
    citizen, conversation = new_citizen(
        channel_services, Channel.TELEGRAM, CHAT, channel_services.clock.now()
    )
    queue(channel_services, citizen, conversation, ["første", "anden", "tredje"])

    assert await run_until_idle(sender) == 3
    assert await run_until_idle(sender) == 0

    assert [m["text"] for m in fake_telegram.sent(CHAT)] == ["første", "anden", "tredje"]
    rows = outbox_rows(channel_services)
    assert {r.status for r in rows} == {MessageStatus.SENT.value}
    assert [r.channel_message_id for r in rows] == [f"{CHAT}:1", f"{CHAT}:2", f"{CHAT}:3"]


async def test_a_429_waits_for_retry_after_and_then_sends_once(
    channel_services: Services,
    sender: OutboxSender,
    fake_telegram: FakeTelegramApi,
    clock: FixedClock,
) -> None:
    citizen, conversation = new_citizen(channel_services, Channel.TELEGRAM, CHAT, clock.now())
    queue(channel_services, citizen, conversation, ["husk dit møde"])
    fake_telegram.fail_next(429, retry_after=30)

    await run_until_idle(sender)
    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.QUEUED.value
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert "429" in (row.last_error or "")
    assert fake_telegram.sent() == []

    clock.set(clock.now() + timedelta(seconds=29))
    assert await run_until_idle(sender) == 0  # not due yet
    clock.set(clock.now() + timedelta(seconds=1))
    await run_until_idle(sender)

    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.SENT.value
    assert row.attempts == 2
    assert len(fake_telegram.sent()) == 1


async def test_twilio_429_retry_after_header_is_honoured(
    channel_services: Services, sender: OutboxSender, fake_twilio: FakeTwilioApi, clock: FixedClock
) -> None:
    citizen, conversation = new_citizen(
        channel_services, Channel.SMS, PHONE, clock.now(), phone=PHONE
    )
    queue(channel_services, citizen, conversation, ["Husk dit møde i morgen kl. 10."])
    fake_twilio.fail_next(429, retry_after=20)

    await run_until_idle(sender)
    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.QUEUED.value
    assert row.next_attempt_at == clock.now() + timedelta(seconds=20)

    clock.set(clock.now() + timedelta(seconds=20))
    await run_until_idle(sender)
    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.SENT.value
    assert row.channel_message_id is not None
    assert row.channel_message_id.startswith("SM")
    [sms] = fake_twilio.sent(PHONE)
    assert sms["From"] == "+4570000000"
    assert sms["StatusCallback"].endswith(f"/webhooks/twilio/status?outbox_id={row.id}")


async def test_a_two_minute_telegram_outage_is_retried_until_it_is_over_then_sent_once(
    channel_services: Services,
    sender: OutboxSender,
    fake_telegram: FakeTelegramApi,
    clock: FixedClock,
) -> None:
    citizen, conversation = new_citizen(channel_services, Channel.TELEGRAM, CHAT, clock.now())
    queue(channel_services, citizen, conversation, ["en besked"])
    started = clock.now()
    fake_telegram.fail_next(500, times=8)  # 8 attempts spread over about two minutes

    delays = []
    for _ in range(8):
        await run_until_idle(sender)
        [row] = outbox_rows(channel_services)
        assert row.status == MessageStatus.QUEUED.value  # not given up on
        assert row.next_attempt_at is not None
        delays.append((row.next_attempt_at - clock.now()).total_seconds())
        clock.set(row.next_attempt_at)
    await run_until_idle(sender)

    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.SENT.value
    assert row.attempts == 9
    assert len(fake_telegram.sent()) == 1
    # Exponential backoff with jitter: between half and all of 1 s, 2 s, 4 s ...
    for attempt, delay in enumerate(delays):
        assert 2.0**attempt / 2 <= delay <= 2.0**attempt
    assert row.give_up_at == started + timedelta(hours=24)


async def test_retries_back_off_to_about_an_hour_and_end_at_the_deadline(
    channel_services: Services,
    sender: OutboxSender,
    fake_telegram: FakeTelegramApi,
    clock: FixedClock,
) -> None:
    citizen, conversation = new_citizen(channel_services, Channel.TELEGRAM, CHAT, clock.now())
    queue(channel_services, citizen, conversation, ["en besked"])
    fake_telegram.fail_next(503, times=1000)  # down for good
    deadline = clock.now() + timedelta(hours=24)

    delays = []
    while True:
        await run_until_idle(sender)
        [row] = outbox_rows(channel_services)
        if row.status != MessageStatus.QUEUED.value:
            break
        assert row.next_attempt_at is not None
        assert row.next_attempt_at <= deadline
        delays.append((row.next_attempt_at - clock.now()).total_seconds())
        clock.set(row.next_attempt_at)

    assert row.status == MessageStatus.FAILED.value
    assert (row.last_error or "").startswith(f"gave up after {row.attempts} attempts")
    assert max(delays) <= 3600
    assert sum(1 for d in delays if d >= 1800) >= 10  # most of the day at about an hour apart
    assert clock.now() > deadline - timedelta(hours=1)  # it kept trying almost until the end
    assert fake_telegram.sent() == []


async def test_a_twilio_5xx_is_retried_only_after_its_list_shows_it_was_not_sent(
    channel_services: Services, sender: OutboxSender, fake_twilio: FakeTwilioApi, clock: FixedClock
) -> None:
    citizen, conversation = new_citizen(
        channel_services, Channel.SMS, PHONE, clock.now(), phone=PHONE
    )
    queue(channel_services, citizen, conversation, ["Husk din tid"])
    fake_twilio.fail_next(503, retry_after=5)

    await run_until_idle(sender)
    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.QUEUED.value
    assert row.next_attempt_at == clock.now() + timedelta(seconds=5)
    assert any(c.method == "GET" for c in fake_twilio.calls)  # the list was asked

    clock.set(clock.now() + timedelta(seconds=5))
    await run_until_idle(sender)
    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.SENT.value
    assert len(fake_twilio.sent(PHONE)) == 1


async def test_a_refused_message_fails_at_once_with_the_reason(
    channel_services: Services, sender: OutboxSender, fake_twilio: FakeTwilioApi, clock: FixedClock
) -> None:
    citizen, conversation = new_citizen(
        channel_services, Channel.SMS, PHONE, clock.now(), phone=PHONE
    )
    queue(channel_services, citizen, conversation, ["hej"])
    fake_twilio.fail_next(400)

    await run_until_idle(sender)
    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.FAILED.value
    assert row.attempts == 1
    assert "Twilio 400" in (row.last_error or "")


async def test_sms_to_an_opted_out_citizen_is_not_sent_and_says_why(
    channel_services: Services, sender: OutboxSender, fake_twilio: FakeTwilioApi, clock: FixedClock
) -> None:
    from bot.store.db import transaction
    from bot.store.models import Citizen

    citizen, conversation = new_citizen(
        channel_services, Channel.SMS, PHONE, clock.now(), phone=PHONE
    )
    # Queued before the STOP (queueing after it finds no channel at all).
    queue(channel_services, citizen, conversation, ["påmindelse"])
    with transaction(channel_services.session_factory) as session:
        row = session.get(Citizen, citizen)
        assert row is not None
        row.sms_opted_out = True

    await run_until_idle(sender)
    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.FAILED.value
    assert row.last_error == SMS_OPTED_OUT
    assert fake_twilio.sent() == []


async def test_web_messages_are_left_for_the_browser(
    channel_services: Services, sender: OutboxSender, clock: FixedClock
) -> None:
    citizen, conversation = new_citizen(
        channel_services, Channel.WEB, "web-session-123", clock.now()
    )
    queue(channel_services, citizen, conversation, ["svar fra konsulent"])

    assert await run_until_idle(sender) == 0
    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.QUEUED.value


async def test_a_telegram_row_interrupted_mid_send_is_not_resent_but_flagged(
    channel_services: Services,
    sender: OutboxSender,
    fake_telegram: FakeTelegramApi,
    clock: FixedClock,
) -> None:
    citizen, conversation = new_citizen(channel_services, Channel.TELEGRAM, CHAT, clock.now())
    queue(channel_services, citizen, conversation, ["måske sendt"])
    claimed = sender.store.claim(Channel.TELEGRAM, [])  # a sender claims it, then dies
    assert claimed

    assert await run_until_idle(sender) == 0  # still within its claim: left alone
    clock.set(
        clock.now() + timedelta(seconds=channel_services.config.settings.outbox.claim_seconds + 1)
    )
    await run_until_idle(sender)

    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.FAILED.value
    assert (row.last_error or "").startswith(DELIVERY_UNKNOWN)
    assert fake_telegram.sent() == []


async def test_an_interrupted_sms_that_twilio_accepted_is_marked_sent_not_resent(
    channel_services: Services, sender: OutboxSender, fake_twilio: FakeTwilioApi, clock: FixedClock
) -> None:
    citizen, conversation = new_citizen(
        channel_services, Channel.SMS, PHONE, clock.now(), phone=PHONE
    )
    queue(channel_services, citizen, conversation, ["første", "anden"])
    claimed = sender.store.claim(Channel.SMS, [])
    assert claimed
    assert not isinstance(claimed, bool)
    channels = channel_services.channels
    assert channels is not None
    assert channels.sms is not None
    # The provider accepts the first message, then the sender dies before recording it.
    await channels.sms.send(claimed.message)

    clock.set(clock.now() + timedelta(seconds=61))
    await run_until_idle(sender)

    rows = outbox_rows(channel_services)
    assert [r.status for r in rows] == [MessageStatus.SENT.value, MessageStatus.SENT.value]
    assert [m["Body"] for m in fake_twilio.sent(PHONE)] == ["første", "anden"]
    assert rows[0].channel_message_id == fake_twilio.accepted[0]["sid"]


async def test_an_interrupted_sms_that_twilio_never_got_is_sent_once(
    channel_services: Services, sender: OutboxSender, fake_twilio: FakeTwilioApi, clock: FixedClock
) -> None:
    citizen, conversation = new_citizen(
        channel_services, Channel.SMS, PHONE, clock.now(), phone=PHONE
    )
    queue(channel_services, citizen, conversation, ["kun én gang"])
    assert sender.store.claim(Channel.SMS, [])

    clock.set(clock.now() + timedelta(seconds=61))
    await run_until_idle(sender)

    [row] = outbox_rows(channel_services)
    assert row.status == MessageStatus.SENT.value
    assert [m["Body"] for m in fake_twilio.sent(PHONE)] == ["kun én gang"]


async def test_two_senders_on_one_database_deliver_every_row_exactly_once(
    channel_services: Services,
    channel_config: object,
    fake_telegram: FakeTelegramApi,
    fake_twilio: FakeTwilioApi,
) -> None:
    from bot.wiring import build_services

    now = channel_services.clock.now()
    expected = []
    for n in range(8):
        chat = str(1000 + n)
        citizen, conversation = new_citizen(channel_services, Channel.TELEGRAM, chat, now)
        texts = [f"tg {chat} #{i}" for i in range(4)]
        queue(channel_services, citizen, conversation, texts)
        expected += texts
        phone = f"+45600000{n:02d}"
        citizen, conversation = new_citizen(channel_services, Channel.SMS, phone, now, phone=phone)
        texts = [f"sms {phone} #{i}" for i in range(3)]
        queue(channel_services, citizen, conversation, texts)
        expected += texts
    other = build_services(
        channel_services.config, engine=channel_services.engine, clock=channel_services.clock
    )
    assert other.channels is not None
    assert other.channels.outbox is not None
    second = other.channels.outbox
    first = channel_services.channels.outbox if channel_services.channels else None
    assert first is not None

    await asyncio.gather(run_until_idle(first), run_until_idle(second))

    delivered = [m["text"] for m in fake_telegram.sent()] + [m["Body"] for m in fake_twilio.sent()]
    assert sorted(delivered) == sorted(expected)  # each exactly once
    for chat in range(1000, 1008):  # and one chat's messages in order
        assert [m["text"] for m in fake_telegram.sent(str(chat))] == [
            f"tg {chat} #{i}" for i in range(4)
        ]
    assert {r.status for r in outbox_rows(channel_services)} == {MessageStatus.SENT.value}


def test_rate_limit_spaces_sends_per_key() -> None:
    now = [100.0]
    limit = RateLimit(2, monotonic=lambda: now[0])
    assert limit.delay("a") == 0
    limit.consume("a")
    limit.consume("a")
    assert limit.delay("a") == pytest.approx(1.0)
    assert limit.delay("b") == 0
    assert limit.busy_keys() == ["a"]
    now[0] += 1.0
    assert limit.delay("a") == 0
    assert limit.busy_keys() == []
