"""The outbox: delivers queued outbound messages with rate limits, retries and no repeats.

Every outbound Telegram or SMS message is a ``messages`` row (direction ``out``) before anything
leaves the process. Each channel has its own send lane (:mod:`.lane`) with its own rate limits,
so an SMS backlog never holds up Telegram. A lane, for each row:

1. **Claims** it (one short transaction): ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL
   (SQLite serialises writers with ``BEGIN IMMEDIATE``) a due ``queued`` row whose chat has no
   earlier row still queued or sending, and marks it ``sending`` with ``claimed_until``,
   ``claimed_by`` (the sender's identity) and one more attempt. Several processes on one
   database never claim the same row, and one chat's messages leave in order.
2. **Sends** it through the channel's transport (nothing is held open meanwhile); a heartbeat
   renews the claim while the call is on the way, so ``outbox.claim_seconds`` can be short.
3. **Records** the outcome: ``sent`` with the provider's id; back to ``queued`` with exponential
   backoff and jitter (up to ``outbox.max_backoff_seconds``, never sooner than ``Retry-After``)
   for 429/5xx; ``failed`` when the provider refuses the message or when retrying would pass
   the message's deadline (``outbox.give_up_after_hours`` after its first attempt). The inbox
   shows a failed message with "send again" (:mod:`bot.domain.outbox_fate`).

Delivery is **at most once**. Neither Telegram nor Twilio accepts an idempotency key, so a row
left ``sending`` by a sender that died mid-call may or may not have reached the provider. Such a
row is settled as soon as the death is known (at once by a sender on the same host, which can
see the pid is gone; elsewhere when the claim, no longer renewed, runs out) and never simply
resent: the transport is asked to *prove* the outcome (Twilio's message list shows whether it
was accepted; it is then marked ``sent``, or queued again when it provably was not). When there
is no proof (Telegram has no message history for bots) the row becomes ``failed`` with a
"delivery unknown" ``last_error``, which the inbox shows with what to do. Nothing is silently
lost and nothing is sent twice. The window is one HTTP call per crash.

Rate limits are per process: run one sender per deployment, or divide the limits.
Channel ``web`` is not sent (the browser pulls it); SMS to a citizen who sent STOP is marked
``failed`` with the reason.

The parts: what a transport reports (:mod:`.outcomes`), the database statements (:mod:`.store`),
a sender's identity (:mod:`.identity`), a channel's lane (:mod:`.lane`) and the worker running
the lanes and the heartbeat (:mod:`.sender`).
"""
