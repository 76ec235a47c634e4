"""borgerchat core: message types, dispatcher, persistence, web app."""

from __future__ import annotations

__version__ = "0.1.0"
