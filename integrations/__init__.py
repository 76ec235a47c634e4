"""The edges: transports (Telegram, Twilio SMS), the Rasa server, the scheduler, the outbox."""
