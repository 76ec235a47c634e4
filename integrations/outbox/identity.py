"""Which sender process holds a message, and whether that process is known to be dead.

A sender names itself ``host:pid:token`` (a fresh token per sender object). Another sender in
the same pid namespace (the same machine or container) can tell that one is gone: its pid no
longer exists, or the pid is its own but the token is not one of this process's senders (the
previous run of a restarted server). Then the dead sender's rows are settled at once instead of
after their claim runs out. A sender elsewhere is never judged: only its claim's expiry counts.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass

# The senders alive in this process (tests and benches run several in one).
_LIVE_TOKENS: set[str] = set()


def _namespace() -> str:
    """The host name and the pid namespace: pids mean the same thing only within one."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = "?"  # no /proc: pids are not compared
    return f"{socket.gethostname()}/{namespace}"


@dataclass(frozen=True, slots=True)
class SenderIdentity:
    namespace: str
    pid: int
    token: str

    @classmethod
    def new(cls) -> SenderIdentity:
        identity = cls(_namespace(), os.getpid(), secrets.token_hex(4))
        _LIVE_TOKENS.add(identity.token)
        return identity

    def __str__(self) -> str:
        return f"{self.namespace}:{self.pid}:{self.token}"

    def retire(self) -> None:
        """This sender stopped (its sends finished): its leftover rows may be settled by others."""
        _LIVE_TOKENS.discard(self.token)

    def revive(self) -> None:
        _LIVE_TOKENS.add(self.token)

    def is_dead(self, holder: str) -> bool:
        """Whether the sender named ``holder`` is known to be gone (False when unsure)."""
        parts = holder.rsplit(":", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return False
        namespace, pid, token = parts[0], int(parts[1]), parts[2]
        if namespace != self.namespace or self.namespace.endswith("/?"):
            return False
        if pid == self.pid:
            return token not in _LIVE_TOKENS
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # alive, another user's
        return False
