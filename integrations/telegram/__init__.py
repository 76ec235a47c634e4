"""Telegram through python-telegram-bot, used as the transport only inside the one FastAPI app.

``transport`` delivers the outbox through the Bot API, ``mapping`` turns updates into inbound
messages, ``webhook`` and ``polling`` are the two ways updates arrive, ``channel`` bundles them
for the app, and ``cli`` registers the webhook.
"""
