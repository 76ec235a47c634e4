"""SMS through Twilio: the signed inbound webhook (answered with TwiML) in ``inbound``, delivery
status callbacks in ``status``, the outbox transport and the SMS text in ``outbound``, and the
check of Twilio's signature on both webhooks in ``signature``."""
