"""Dialogue flows: pure functions from (state, parse, context) to replies, effects, next state.

Nothing here touches a database, a clock or a network: the core loads what a flow needs into
:class:`FlowContext`, calls :func:`flows.engine.step`, and carries out the returned effects.
"""

from __future__ import annotations

from flows.types import Effect, FlowContext, HandOff, Step

__all__ = ["Effect", "FlowContext", "HandOff", "Step"]
