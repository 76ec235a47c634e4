"""How a ``borgerchat`` command stops on a refusal: one line on stderr and an exit code."""

from __future__ import annotations

import typer

# A wrong or missing setting, or a command that cannot run as asked.
EXIT_CONFIG = 2


def fail(message: str, code: int = EXIT_CONFIG) -> typer.Exit:
    """The exit to raise after telling the user why, in one line."""
    typer.echo(f"borgerchat: {message}", err=True)
    return typer.Exit(code)
