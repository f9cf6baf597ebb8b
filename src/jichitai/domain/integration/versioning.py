"""The version of the integration contract (``/integration/v1`` and its webhooks).

The major version is the path's (``v1``); within it the contract only grows: new items, new
fields, new code values and new routes may appear, and a consumer must ignore what it does not
know. ``INTEGRATION_VERSION`` (``1.<minor>``) names the contract a response or a webhook was
made under; the minor number grows with each addition listed in ``docs/integration.md``
(Versioning). Removing or renaming a field, changing its type or meaning, or refusing what was
accepted needs ``/integration/v2``.
"""

from __future__ import annotations

VERSION_HEADER = "X-Jichitai-Integration-Version"
INTEGRATION_VERSION = "1.1"
