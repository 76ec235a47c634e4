"""The inbox's pages under ``/inbox``, one module a section; ``bot.inbox.router`` holds them all."""
