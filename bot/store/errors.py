"""The one error type the store raises for database problems a person can act on."""

from __future__ import annotations

from bot.core.errors import UserError


class StoreError(UserError):
    """The database is down, locked, unreachable, too new, or refused a write.

    The message is a single line naming the problem (never SQL parameters or draft text).
    """

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))
