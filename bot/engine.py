"""The one engine behind every flow: load the state, run the pure transition, save the new
state with a compare-and-set, then carry out the effects through PTB.

Conversation flows (content/flows/*) keep their state in `conversation_states`; the session
keeps its in its own row (bot/session.py) but renders its effects here too.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.error import BadRequest

from bot import first_read, raw_calls
from bot.callbacks import encode
from bot.interaction import chat_id_of, current_user, note_pressed_message_changed
from bot.services import CoachContext, Services
from content.flows.core import END, FlowEvent, FlowState, Keyboard, Show, Target, Toast, Transition
from storage.conversations import end_conversation, load_conversation, save_conversation
from storage.first_read import ConversationRow
from storage.models import ConversationState, User

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4096)
def markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """A flow's keyboard as Telegram's; None for no buttons. Kept: both are immutable, and the
    same keyboards come back press after press."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=encode(b.action, *b.args)) for b in row]
            for row in keyboard
        ]
    )


def has_media(message: MaybeInaccessibleMessage | None) -> bool:
    return isinstance(message, Message) and bool(
        message.animation or message.photo or message.video
    )


# Sends a step's demonstration with a caption; returns the message (see bot.pictures).
DemoSender = Callable[[int, str, InlineKeyboardMarkup | None], Awaitable[Message]]


@dataclass
class Screen:
    """Where effects land: the chat, the pressed message, and the flow's live message."""

    context: CoachContext
    chat_id: int
    pressed: MaybeInaccessibleMessage | None = None
    live_message_id: int | None = None
    live_has_media: bool | None = None  # None: not known, found out by trying
    send_demonstration: DemoSender | None = None


async def show(screen: Screen, effect: Show) -> int | None:
    """Carry out one Show; returns the id of a new live message, if one was sent."""
    bot, keyboard = screen.context.bot, markup(effect.keyboard)
    target = effect.target
    if target is Target.PRESSED and isinstance(screen.pressed, Message):
        note_pressed_message_changed()  # changed in place: not closed as an answered question
        await _edit(screen, screen.pressed.message_id, has_media(screen.pressed), effect)
        return None
    if target is Target.LIVE and screen.live_message_id is not None:
        await _edit(screen, screen.live_message_id, screen.live_has_media, effect)
        return None
    if effect.demonstration is not None and screen.send_demonstration is not None:
        message = await screen.send_demonstration(effect.demonstration, effect.text, keyboard)
        return message.message_id if target is Target.NEW_LIVE else None
    message = await bot.send_message(screen.chat_id, effect.text, reply_markup=keyboard)
    return message.message_id if target is Target.NEW_LIVE else None


async def _edit(screen: Screen, message_id: int, media: bool | None, effect: Show) -> None:
    bot, keyboard = screen.context.bot, markup(effect.keyboard)
    try:
        if media is not False:
            try:
                await raw_calls.edit_caption(bot, screen.chat_id, message_id, effect.text, keyboard)
                return
            except BadRequest as error:
                if media or "caption" not in error.message.lower():
                    raise  # not a message without a caption: handled below
        await raw_calls.edit_text(bot, screen.chat_id, message_id, effect.text, keyboard)
    except BadRequest as error:
        if "not modified" in error.message.lower():
            return  # a doubled press asked for what is already shown
        logger.info("could not edit a message (%s); sending it anew", error)
        await bot.send_message(screen.chat_id, effect.text, reply_markup=keyboard)


async def render(screen: Screen, effects: Sequence[Any]) -> tuple[str | None, int | None]:
    """Show every message effect in order; returns (a toast for the press, a new live id)."""
    toast, live = None, None
    for effect in effects:
        if isinstance(effect, Show):
            live = await show(screen, effect) or live
        elif isinstance(effect, Toast):
            toast = effect.text
    return toast, live


# --- conversation flows


class ConversationFlow(Protocol):
    """A pure flow kept in `conversation_states` (content/flows/*)."""

    @property
    def name(self) -> str: ...

    def advance(self, state: FlowState | None, event: FlowEvent, env: Any) -> Transition: ...


@dataclass(frozen=True)
class PureFlow:
    """A flow module's `advance` under the name its states are kept by."""

    name: str
    transition: Callable[[FlowState | None, FlowEvent, Any], Transition]

    def advance(self, state: FlowState | None, event: FlowEvent, env: Any) -> Transition:
        return self.transition(state, event, env)


RecordHandler = Callable[[AsyncSession, Services, User, Any], Awaitable[None]]


@dataclass(frozen=True)
class Outcome:
    """A conversation step that was saved: its effects, or None when the press was stale."""

    effects: tuple[Any, ...] | None


async def step_conversation(
    db: AsyncSession,
    services: Services,
    user: User,
    flow: ConversationFlow,
    event: FlowEvent,
    env: Any,
    records: Mapping[type, RecordHandler],
) -> Outcome:
    """Advance `flow` by `event` for this person inside the caller's transaction.

    The state is read, moved by the pure transition and saved with a compare-and-set; records
    are written only when the save won, so a doubled press applies once.
    """
    row: ConversationRow | ConversationState | None
    taken, row = first_read.take_state(user.id)
    if not taken:
        row = await load_conversation(db, user.id)
    current = (
        FlowState(row.flow, row.step, dict(row.data)) if row and row.flow == flow.name else None
    )
    transition = flow.advance(current, event, env)
    new: FlowState = transition.state
    read_version = row.version if row is not None else None
    if current is None and (new == END or not new.flow):
        saved = True  # this flow had nothing kept: another flow's place is left as it is
    elif new == END or not new.flow:
        saved = await end_conversation(db, user.id, read_version=read_version)
    else:
        saved = await save_conversation(
            db,
            user.id,
            read_version=read_version,
            flow=new.flow,
            step=new.step,
            data=dict(new.data),
            now=services.clock(),
        )
    if not saved:
        return Outcome(None)
    for effect in transition.effects:
        handler = records.get(type(effect))
        if handler is not None:
            await handler(db, services, user, effect)
    return Outcome(transition.effects)


EnvBuilder = Callable[[AsyncSession, Services, User], Awaitable[Any]]
# A flow's question for someone at a kept state (asked again after an unexpected message).
CurrentPrompt = Callable[
    [AsyncSession, Services, User, FlowState],
    Awaitable[tuple[str, InlineKeyboardMarkup | None] | None],
]


async def run_step(
    update: Update,
    context: CoachContext,
    flow: ConversationFlow,
    event: FlowEvent,
    env_for: EnvBuilder,
    records: Mapping[type, RecordHandler],
) -> str | None:
    """One whole step for a Telegram update: advance the flow in one transaction, then show
    its messages; returns the toast for a press (None: the press was taken silently)."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        env = await env_for(db, services, user)
        outcome = await step_conversation(db, services, user, flow, event, env, records)
    if outcome.effects is None:  # a second press or instance moved the flow first
        return services.library.texts("already_done")
    pressed = update.callback_query.message if update.callback_query else None
    toast, _ = await render(Screen(context, chat_id_of(update), pressed), outcome.effects)
    return toast


def prompt_of(show_effect: Show) -> tuple[str, InlineKeyboardMarkup | None]:
    """A flow's message as the (text, keyboard) pair the older modules send."""
    return show_effect.text, markup(show_effect.keyboard)
