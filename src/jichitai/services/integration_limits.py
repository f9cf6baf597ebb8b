"""Rate limits on the integration API (``/integration/v1``): per subscriber.

Each business system may make ``Limit.limit`` requests per ``Limit.window`` (every route, every
answer: a refused request counts as well, a 429 does not). The one over the limit is refused
with ``integration.throttled`` (429) and the seconds until one more is allowed
(``Retry-After``). Counted per subscriber, not per key, so renewing the key does not reset the
count; counted in the server process's memory (``services/throttle.py``, the limiter of the
log-in and of ``/verify``), so with several processes each allows the limit.
"""

from __future__ import annotations

import math

from jichitai.domain.errors import TooManyRequests, Violation
from jichitai.domain.integration.subscribers import Subscriber
from jichitai.services.ports import Clock
from jichitai.services.throttle import Limit, Throttle


class IntegrationLimits:
    def __init__(self, clock: Clock, limit: Limit) -> None:
        self._throttle = Throttle(clock, limit, max_keys=10_000)

    @property
    def limit(self) -> Limit:
        return self._throttle.limit

    def take(self, subscriber: Subscriber) -> None:
        """Count one request of ``subscriber``, or refuse it (nothing counted)."""
        wait = self._throttle.take(f"{subscriber.municipality_code}:{subscriber.subscriber_id}")
        if wait is None:
            return
        limit = self._throttle.limit
        seconds = max(1, math.ceil(wait.total_seconds()))
        raise TooManyRequests(
            Violation(
                "integration.throttled",
                f"連携APIへの要求が多すぎます（連携先ごとに{limit.window.total_seconds():g}秒間に"
                f"{limit.limit}回まで）。{seconds}秒後にもう一度お試しください",
                None,
            ),
            retry_after_seconds=seconds,
        )
