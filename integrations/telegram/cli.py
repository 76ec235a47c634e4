"""``borgerchat telegram set-webhook`` and ``delete-webhook``: the webhook's registration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import anyio
import typer
from telegram import Bot

from bot.kernel.errors import ConfigError
from bot.runtime.config import AppConfig, load_config
from integrations.telegram.mapping import ALLOWED_UPDATES
from integrations.telegram.webhook import WEBHOOK_PATH

cli = typer.Typer(help="Telegram: webhook registration.", no_args_is_help=True)


def _bot_from_config(config: AppConfig) -> Bot:
    token = config.secrets.telegram_bot_token
    if token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN", "not set in the environment")
    settings = config.settings.telegram
    return Bot(
        token.get_secret_value(),
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
    )


def _run(call: Callable[[Bot], Awaitable[Any]]) -> Any:
    config = load_config()
    bot = _bot_from_config(config)

    async def main() -> Any:
        async with bot:
            return await call(bot)

    return anyio.run(main)


@cli.command("set-webhook")
def set_webhook(
    url: Annotated[
        str | None, typer.Option(help="Public webhook URL (default: server.public_url + path).")
    ] = None,
    drop_pending: Annotated[
        bool, typer.Option(help="Forget updates Telegram holds for the bot.")
    ] = False,
) -> None:
    """Register this server's webhook (with TELEGRAM_WEBHOOK_SECRET) at Telegram."""
    config = load_config()
    secret = config.secrets.telegram_webhook_secret
    if secret is None:
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET", "not set in the environment")
    target = url or config.settings.server.public_url + WEBHOOK_PATH
    if not target.startswith("https://"):
        typer.echo("warning: Telegram only calls https:// webhooks", err=True)

    async def register(bot: Bot) -> Any:
        return await bot.set_webhook(
            url=target,
            secret_token=secret.get_secret_value(),
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop_pending,
        )

    _run(register)
    typer.echo(f"webhook set: {target}")


@cli.command("delete-webhook")
def delete_webhook() -> None:
    """Remove the webhook (before polling with `serve --telegram-polling`)."""
    _run(lambda bot: bot.delete_webhook())
    typer.echo("webhook deleted")
