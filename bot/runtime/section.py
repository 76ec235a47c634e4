"""The base of every ``config.yml`` section's settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    # Unknown keys are typos far more often than intent: refuse them by name.
    model_config = ConfigDict(extra="forbid", frozen=True)
