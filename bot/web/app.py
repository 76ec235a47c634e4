"""The one ASGI app: web chat, webhooks, consultant inbox and health checks."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bot import __version__
from bot.services import Services
from bot.web import chat_page, health, metrics, nlu_api, notice_pages
from bot.web.http_errors import BodySizeLimit, install_error_handlers
from bot.web.security import API_DOCS_PATH, SecurityHeaders, TrustedHosts, trusted_hosts

PACKAGE_DIR = Path(__file__).resolve().parent


def build_app(
    services: Services,
    *,
    message_routers: Sequence[APIRouter],
    routers: Sequence[APIRouter],
) -> FastAPI:
    """The app around ``services``. The composition root gives the transports' and the inbox's
    routes; ``message_routers`` are tried before all others."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        started = []
        try:
            for worker in services.workers:
                await worker.start()
                started.append(worker)
            _freeze_startup_objects()
            yield
        finally:
            for worker in reversed(started):
                await worker.stop()
            services.close()

    settings = services.config.settings
    app = FastAPI(
        title="borgerchat",
        version=__version__,
        lifespan=lifespan,
        # The Swagger UI page loads its scripts from a CDN: only when asked for.
        docs_url=API_DOCS_PATH if settings.server.api_docs else None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.services = services
    app.state.templates = Jinja2Templates(directory=PACKAGE_DIR / "templates")
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.server.max_body_bytes)
    trusted_proxies = settings.inbox.trusted_proxies
    if trusted_proxies:
        # The client address (the login brake's count) and scheme from X-Forwarded-For and
        # X-Forwarded-Proto, only when the peer is a configured proxy; uvicorn itself is told
        # to trust no one (`borgerchat serve`), so this is the only place headers are believed.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted_proxies))
    # Outside the proxy headers: /metrics's localhost rule reads the socket's own peer.
    app.add_middleware(metrics.RecordSocketPeer)
    app.add_middleware(
        TrustedHosts,
        allowed_hosts=trusted_hosts(
            settings.server.trusted_hosts, settings.server.public_url, settings.server.host
        ),
        www_redirect=False,
    )
    # Outermost, so that every answer carries the headers (a refused host's 400 too).
    app.add_middleware(
        SecurityHeaders,
        embed_origins=settings.webchat.embed_origins,
        api_docs=settings.server.api_docs,
    )
    for router in message_routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")
    app.include_router(health.router)
    app.include_router(chat_page.router)
    app.include_router(notice_pages.router)
    app.include_router(nlu_api.router)
    app.include_router(metrics.router)
    app.state.metrics_registry = metrics.metrics_registry(services.session_factory, services.clock)
    for router in routers:
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        return RedirectResponse("/chat")

    return app


def _freeze_startup_objects() -> None:
    """Keep what start-up made (modules, the NLU model, content, mappers, compiled statements)
    out of the garbage collector's full collections.

    A full collection walks every tracked object and stops the whole process meanwhile; under
    load each one is a latency spike for every message in flight. Start-up objects live as long
    as the process, so scanning them finds nothing.
    """
    gc.collect()
    gc.freeze()
