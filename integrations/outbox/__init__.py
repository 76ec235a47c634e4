"""The outbox: delivers queued outbound messages with rate limits, retries and no repeats.

Every outbound Telegram or SMS message is a ``messages`` row (direction ``out``) before anything
leaves the process. The sender takes one row at a time:

1. **Claim** (one short transaction): ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite
   serialises writers with ``BEGIN IMMEDIATE``) a due ``queued`` row whose chat has no earlier
   row still queued or sending, and mark it ``sending`` with ``claimed_until`` and one more
   attempt. Several processes on one database never claim the same row, and one chat's messages
   leave in order.
2. **Send** it through the channel's transport (nothing is held open meanwhile).
3. **Record** the outcome: ``sent`` with the provider's id; back to ``queued`` with a backoff
   that honours ``Retry-After`` for 429/5xx; ``failed`` with ``last_error`` after
   ``outbox.max_attempts`` tries or when the provider refuses the message.

Delivery is **at most once**. Neither Telegram nor Twilio accepts an idempotency key, so a row
found ``sending`` after ``claimed_until`` (the sender died mid-call, or the call timed out after
the request left) may or may not have reached the provider. Such a row is never simply resent:
the transport is asked to *prove* the outcome (Twilio can: the message list shows whether it was
accepted; it is then marked ``sent``, or queued again when it provably was not). When there is no
proof (Telegram has no message history for bots) the row becomes ``failed`` with a
"delivery unknown" ``last_error``, which the consultant inbox shows for a person to check. Nothing
is silently lost and nothing is sent twice. The window is one HTTP call per crash.

Rate limits are per process: run one sender per deployment, or divide the limits.
Channel ``web`` is not sent (the browser pulls it); SMS to a citizen who sent STOP is marked
``failed`` with the reason.

The parts: what a transport reports (:mod:`.outcomes`), the claiming and recording statements
(:mod:`.store`) and the sender loop with its rate limits (:mod:`.sender`).
"""
