"""Hand a conversation the documents don't cover to a person: POST it to a webhook."""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)


def send(url: str, conversation: dict[str, Any], timeout: float = 5.0) -> bool:
    """POST the conversation as JSON; False (logged, never raised) if the hook fails."""
    try:
        response = httpx.post(url, json=conversation, timeout=timeout)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("hand-off webhook %s failed: %s", url, exc)
        return False
    return True
