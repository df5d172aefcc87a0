"""What every operation is handed and may raise: the actor (who, from where, when) and a refusal because of who asks.

Views build the actor once per request (`tumorboard.web.actor.current_actor`); commands build one with no user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tumorboard.auth.models import User


@dataclass(frozen=True)
class Actor:
    """Who acts (None: the command line, run by whoever runs the server), from which address, at what time."""

    user: User | None
    remote_addr: str | None
    now: datetime

    @property
    def id(self) -> int | None:
        """The acting user's id (None for the command line), as the audit log records it."""
        return self.user.id if self.user is not None else None


class Notice(str):
    """What an operation says when the change is made but the user must heed something (a promise it breaks, say):
    shown as a warning, not as a plain confirmation."""


class NotAllowed(Exception):
    """An operation refused because of who asks (the view answers 403), not because of what was entered."""


class Refused(Exception):
    """A change refused because of what was entered or of the state things are in: a message, and messages by field.

    Every feature's refusal is one (RoomError, CaseError, ...): the action runner shows it next to the fields it names
    and above the page otherwise, and nothing of the change is kept.
    """

    def __init__(self, message: str = "", fields: Mapping[str, list[str]] | None = None) -> None:
        self.fields = {name: list(messages) for name, messages in (fields or {}).items()}
        super().__init__(message or " ".join(m for messages in self.fields.values() for m in messages))

    @property
    def messages(self) -> list[str]:
        """Every message, flat (the general one when no field is named)."""
        return [m for messages in self.fields.values() for m in messages] or [str(self)]
