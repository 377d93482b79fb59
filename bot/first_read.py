"""What the update's first read found, used once instead of reading it again.

Before any flow runs, bot/language.py reads the person's row and conversation state in one
statement (storage/first_read.py). The update's first transaction takes the person from it
(`current_user`) and its first conversation step takes the state from it (bot/engine.py)
instead of reading them again. The read is used up when that transaction ends, and the state
once taken: anything later in the update reads the database, so it sees this update's writes.

It stays correct across instances because every write is a compare-and-set: a conversation
moved by someone else since the read is refused at the write, as a read inside the
transaction would be (at PostgreSQL's READ COMMITTED each statement sees its own snapshot).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from storage.first_read import ConversationRow, PersonRow


@dataclass
class FirstRead:
    update_id: int
    person: PersonRow | None  # None: someone new
    fresh: bool = True  # until the update's first transaction ends
    state_taken: bool = False


_first_read: ContextVar[FirstRead | None] = ContextVar("first_read", default=None)


def remember(update_id: int, person: PersonRow | None) -> None:
    """Keep what the start of this update read, for its first transaction."""
    _first_read.set(FirstRead(update_id, person))


def forget() -> None:
    """Nothing read at the start of this update (no person, or the database did not answer)."""
    _first_read.set(None)


def person_read(update_id: int) -> FirstRead | None:
    """The first read of this update while still fresh; None otherwise."""
    read = _first_read.get()
    if read is None or not read.fresh or read.update_id != update_id:
        return None
    return read


def take_state(user_id: int) -> tuple[bool, ConversationRow | None]:
    """The person's conversation as first read, once: (True, state or None when there was
    none), or (False, None) when it must be read from the database."""
    read = _first_read.get()
    if read is None or not read.fresh or read.state_taken or read.person is None:
        return False, None
    if read.person.user["id"] != user_id:
        return False, None
    read.state_taken = True
    return True, read.person.conversation


def spend() -> None:
    """A transaction ended: from now on the update reads the database."""
    read = _first_read.get()
    if read is not None:
        read.fresh = False
