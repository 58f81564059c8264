"""Rate limits of appeal creation: per API key and per client address, a moving one-minute window.

Built on the ``limits`` library (the one behind slowapi and Flask-Limiter): its moving window counts exactly the
requests of the last 60 seconds (no burst of 2x at a fixed window's edge) and its memory storage expires idle
identities by itself, which a hand-written dict of deques would have to re-implement. Counts live in the worker
process: with ``--workers N`` each worker allows the limit on its own.
"""

from __future__ import annotations

import hashlib
import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class RateLimiter:
    """``per_minute`` hits per identity per minute; 0 allows everything."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._item = RateLimitItemPerMinute(per_minute) if per_minute > 0 else None
        self._limiter = MovingWindowRateLimiter(MemoryStorage()) if per_minute > 0 else None

    def hit(self, *identities: str) -> float | None:
        """Count one request against every identity and return None, or — when any of them is at its limit —
        count nothing and return the seconds until that identity may try again."""
        if self._item is None or self._limiter is None:
            return None
        waits = []
        for identity in identities:
            if not self._limiter.test(self._item, identity):
                reset = self._limiter.get_window_stats(self._item, identity).reset_time
                waits.append(max(reset - time.time(), 0.0))
        if waits:
            return max(waits)
        for identity in identities:
            self._limiter.hit(self._item, identity)
        return None


def key_identity(key: str) -> str:
    """The identity of an API key in the limiter: a digest, so that no key is kept in another structure."""
    return "key:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
