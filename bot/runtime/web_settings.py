"""The settings of the HTTP side: the server, the citizens' web chat and the consultant inbox."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, field_validator

from bot.runtime.section import Section


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = Field(default=65_536, ge=1024)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Messages one server process works on at once; the rest wait their turn. Two is fastest:
    # the work holds Python's GIL between database round trips, and more threads only queue
    # for it (measured in docs/performance.md).
    concurrent_messages: int = Field(default=2, ge=1, le=64)
    # Host names requests may name (besides public_url's); others get a 400.
    trusted_hosts: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9.*-]+$")]] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1"]
    )
    # FastAPI's /api/docs page loads Swagger UI from a CDN: off unless developing.
    api_docs: bool = False

    @field_validator("public_url")
    @classmethod
    def _public_url_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


class WebchatSettings(Section):
    # A web chat key unused this long is ended for good (a shared PC's next user sees nothing).
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Origins (https://www.example-kommune.dk) whose pages may frame /chat; none by default.
    # (They go into the Content-Security-Policy header as they are: origins only.)
    embed_origins: list[Annotated[str, Field(pattern=r"^https?://[A-Za-z0-9.-]+(:\d+)?$")]] = Field(
        default_factory=list
    )
    # On SQLite, how often each server process looks for another's commits (the live pages).
    live_poll_seconds: float = Field(default=0.1, gt=0, le=10)


class InboxSettings(Section):
    # Addresses (or networks, 10.0.0.0/8) of reverse proxies whose X-Forwarded-For and
    # X-Forwarded-Proto are believed; from any other peer they are ignored. Empty: no proxy.
    trusted_proxies: list[str] = Field(default_factory=list)

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_networks(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError as exc:
                raise ValueError(f"{value!r} is not an IP address or network") from exc
        return values
