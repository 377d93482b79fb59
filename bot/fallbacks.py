"""What happens when nothing else fits: /cancel, unknown commands, unexpected messages, old or
forged buttons, and errors. Every case gets a short reply and a way forward.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import forget, onboarding, pause, psfs, reminder_settings, session
from bot.engine import CurrentPrompt
from bot.interaction import (
    Prompt,
    answer_press,
    chat_id_of,
    current_user,
    internal_user_id,
    send,
)
from bot.safety import EMERGENCY_STEP
from bot.services import CoachContext, Services, is_database_unavailable
from content.flows.core import FlowState
from content.texts import join_lines
from storage.models import ConversationState, ExerciseSession, User
from storage.queries import clear_state, get_active_session, get_state

logger = logging.getLogger(__name__)

TypedAnswer = Callable[[Update, CoachContext], Coroutine[Any, Any, None]]


async def cancel(update: Update, context: CoachContext) -> None:
    """/cancel: leave any flow; a session in progress is saved as partial."""
    services = context.services
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        await clear_state(db, user.id)
        await session.close_active(db, context, user)
    await send(context, chat_id_of(update), (services.library.texts("cancelled"), None))


async def unknown_command(update: Update, context: CoachContext) -> None:
    """A command the bot does not know."""
    await send(
        context, chat_id_of(update), (context.services.library.texts("unknown_command"), None)
    )


# Each flow kept in conversation_states, by the name stored with it: its current question.
CURRENT_PROMPTS: dict[str, CurrentPrompt] = {
    forget.FORGET.name: forget.current_prompt,
    onboarding.ONBOARDING.name: onboarding.current_prompt,
    pause.PAUSE.name: pause.current_prompt,
    reminder_settings.REMINDER.name: reminder_settings.current_prompt,
    psfs.PSFS.name: psfs.current_prompt,
}


async def current_question(
    db: AsyncSession,
    services: Services,
    user: User,
    active: ExerciseSession | None,
    state: ConversationState | None,
) -> Prompt | None:
    """The question the user is at (a session step first), or None outside any flow."""
    if active is not None:
        return session.current_prompt(services, active)
    if state is None or state.step == EMERGENCY_STEP:
        return None
    if state.flow in CURRENT_PROMPTS:
        place = FlowState(state.flow, state.step, dict(state.data))
        return await CURRENT_PROMPTS[state.flow](db, services, user, place)
    return None  # a place kept by an older version, whose flow is gone


# The flows where typed text (or a shared place) can be an answer: when, and who takes it.
TEXT_ANSWERS: dict[str, tuple[Callable[[FlowState], bool], TypedAnswer]] = {
    reminder_settings.REMINDER.name: (reminder_settings.takes_text, reminder_settings.on_typed),
    psfs.PSFS.name: (psfs.takes_text, psfs.on_typed),
}


def _takes_text(place: FlowState) -> bool:
    """Whether the flow at `place` waits for typed text (the reminder's time or place, or an
    activity being chosen)."""
    takes_text = TEXT_ANSWERS.get(place.flow)
    return takes_text is not None and takes_text[0](place)


async def unexpected_message(update: Update, context: CoachContext) -> None:
    """Text, stickers, photos, voice...: say so kindly and ask the current question again.

    Typed text is an answer where the reminder flow waits for a time or a place, and where the
    activities flow waits for an activity.
    """
    services = context.services
    texts = services.library.texts
    message = update.message
    answer = message is not None and (message.text or message.location is not None)
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        state = await get_state(db, user.id)
        place = FlowState(state.flow, state.step, dict(state.data)) if state else None
        typed_answer = bool(answer) and place is not None and _takes_text(place)
        question = None
        if not typed_answer:
            active = await get_active_session(db, user.id)
            question = await current_question(db, services, user, active, state)
    if typed_answer and place is not None:
        await TEXT_ANSWERS[place.flow][1](update, context)
        return
    if question is None:
        prompt: Prompt = texts("not_understood", hint=texts("hint_menu")), None
    else:
        text, markup = question
        prompt = join_lines(texts("not_understood", hint=texts("hint_buttons")), text), markup
    await send(context, chat_id_of(update), prompt)


async def stale_button(update: Update, context: CoachContext) -> None:
    """A button no handler took: from an old version, or forged."""
    query = update.callback_query
    assert query is not None
    await answer_press(query, context.services.library.texts("stale_button"))


async def on_error(update: object, context: CoachContext) -> None:
    """Log with context and tell the user something kind; never a traceback in the chat.

    The log names our own user id, never Telegram's. Tests fail any test in which this ran
    (tests/conftest.py watches this ERROR record), so a crash cannot hide behind the reply.
    While the database is down the person is asked to try again in a minute (a warning, not
    an error), and the update goes no further: a later handler group would fail the same way.
    """
    database_down = context.error is not None and is_database_unavailable(context.error)
    update_id = update.update_id if isinstance(update, Update) else None
    if database_down:
        logger.warning("update %s not handled, the database is unavailable", update_id)
    else:
        logger.error(
            "error handling update %s (user=%s)",
            update_id,
            # A job has no person of its own: the id left over would be someone else's.
            internal_user_id.get() if isinstance(update, Update) else None,
            exc_info=context.error,
        )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return  # nothing is said in a group but where the coach works (bot/private.py)
    text = context.services.library.texts("database_down" if database_down else "error")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # the error reply is best effort: Telegram may be the thing failing
        logger.warning("could not tell the user about the error", exc_info=True)
    if database_down:
        raise ApplicationHandlerStop


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    """Registered last: they take whatever the flows did not."""
    return [
        CommandHandler("cancel", cancel),
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.ALL, unexpected_message),
        CallbackQueryHandler(stale_button),
    ]
