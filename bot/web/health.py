"""Liveness and readiness probes for a load balancer or an orchestrator."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.store.db import ping

log = logging.getLogger(__name__)
router = APIRouter()


@router.get("/healthz")
def healthz() -> JSONResponse:
    """The process is up and serving requests."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The database answers: the service can take messages."""
    try:
        ping(request.app.state.services.engine)
    except SQLAlchemyError as exc:
        log.warning("readiness check failed: %s", type(exc).__name__)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
