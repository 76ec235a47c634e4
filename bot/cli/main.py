"""The ``borgerchat`` command: serve, chat, database and, per issue, more."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.citizen import citizen_app
from bot.cli.consultant import consultant_app
from bot.cli.content import content_app
from bot.cli.demo import demo_app
from bot.cli.exits import EXIT_CONFIG, fail
from bot.cli.nlu import nlu_app
from bot.cli.reminders import reminders_app
from bot.kernel.errors import BorgerchatError, ConfigError, InvalidMessage
from bot.runtime.config import CONFIG_ENV, DATA_DIR_ENV, load_config
from integrations.telegram.cli import cli as telegram_cli

app = typer.Typer(
    name="borgerchat",
    help="Open counselling for Danish jobcenters by Telegram, SMS and web chat.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(consultant_app, name="consultant")
app.add_typer(citizen_app, name="citizen")
app.add_typer(reminders_app, name="reminders")
app.add_typer(nlu_app, name="nlu")
app.add_typer(content_app, name="content")
app.add_typer(telegram_cli, name="telegram")


@app.callback()
def options(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help=f"Config file (default: the checkout's config.yml). Or {CONFIG_ENV}.",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help=f"Where state lives (default: var/ in the checkout). Or {DATA_DIR_ENV}.",
        ),
    ] = None,
) -> None:
    """Open counselling for Danish jobcenters by Telegram, SMS and web chat."""
    # Handed on through the environment, so that every command's load_config() and the
    # server's worker processes (`serve --workers N`) read the same file and directory.
    if config is not None:
        os.environ[CONFIG_ENV] = str(config.expanduser().absolute())
    if data_dir is not None:
        os.environ[DATA_DIR_ENV] = str(data_dir.expanduser().absolute())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes (they share the database safely).")
    ] = 1,
    telegram_polling: Annotated[
        bool, typer.Option(help="Fetch Telegram updates by polling (no public URL needed).")
    ] = False,
) -> None:
    """Run the web server: web chat, webhooks, inbox and health checks."""
    import uvicorn

    from bot.runtime.logs import configure_logging
    from bot.store.db import create_db_engine
    from bot.store.migrate import is_up_to_date
    from bot.wiring import build_services, create_app

    config = load_config()
    server = config.settings.server
    if telegram_polling and workers > 1:
        raise fail("--telegram-polling runs in one process: leave out --workers")
    engine = create_db_engine(config.database_url, pool_size=config.settings.database.pool_size)
    if not is_up_to_date(engine):
        raise fail("the database schema is not up to date; run `borgerchat db upgrade` first")
    engine.dispose()
    bind_host, bind_port = host or server.host, port or server.port
    typer.echo(f"borgerchat is running on http://{bind_host}:{bind_port}")
    typer.echo(f"  web chat: http://{bind_host}:{bind_port}/chat")
    typer.echo(f"  consultant inbox: http://{bind_host}:{bind_port}/inbox")
    if workers > 1:
        configure_logging(server.log_level)
        uvicorn.run(
            "bot.wiring:create_app_from_environment",
            factory=True,
            workers=workers,
            host=bind_host,
            port=bind_port,
            log_level="warning",
            proxy_headers=False,  # bot.web.app trusts inbox.trusted_proxies only
        )
        return
    services = build_services(config)
    if telegram_polling:
        if services.channels is None or not services.channels.has_telegram:
            services.close()
            raise fail("--telegram-polling needs TELEGRAM_BOT_TOKEN in the environment")
        services.workers.append(services.channels.add_telegram_polling())
    # Only now: every refusal above is one line on stderr, not a log record.
    configure_logging(server.log_level)
    uvicorn.run(
        create_app(services),
        host=bind_host,
        port=bind_port,
        log_level="warning",
        proxy_headers=False,  # bot.web.app trusts inbox.trusted_proxies only
    )


@app.command()
def chat() -> None:
    """Talk to the bot in the terminal, through the same dispatcher as every channel."""
    import secrets

    from bot.kernel.messages import Channel, InboundMessage
    from bot.pipeline.port import Delivery
    from bot.wiring import build_services

    config = load_config()
    services = build_services(config)
    address = f"terminal-{secrets.token_hex(6)}"
    typer.echo("Skriv en besked (Ctrl-D for at slutte).")
    try:
        while True:
            try:
                line = input("> ")
            except EOFError:
                typer.echo()
                break
            if not line.strip():
                continue
            inbound = InboundMessage(Channel.WEB, address, line)
            try:
                result = services.dispatcher.handle(inbound, delivery=Delivery.INLINE)
            except InvalidMessage as exc:
                typer.echo(f"! {exc.detail}")
                continue
            for reply in result.replies:
                typer.echo(reply.text)
                for number, choice in enumerate(reply.choices, start=1):
                    typer.echo(f"  {number}. {choice}")
    finally:
        services.close()


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the schema migrations to DATABASE_URL (default: the embedded SQLite file)."""
    from bot.store.db import create_db_engine
    from bot.store.migrate import current_revision, upgrade

    config = load_config()
    engine = create_db_engine(config.database_url)
    try:
        upgrade(engine, revision)
        typer.echo(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()


def main() -> None:
    """Console-script entry point: configuration errors are one line and exit code 2."""
    try:
        app()
    except ConfigError as exc:
        typer.echo(f"borgerchat: config error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    except BorgerchatError as exc:
        typer.echo(f"borgerchat: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
