"""/forget: delete everything kept about the user, after a confirmation that is bound to the
question that asked it and expires after ten minutes.

The question's message id is kept as the user's conversation step, so a "Yes" on an older
/forget question, or one pressed long after, deletes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import timers
from bot.callbacks import Action, Callback, pattern
from bot.interaction import chat_id_of, current_user, on_press, send
from bot.keyboards import button, rows
from bot.services import CoachContext
from storage.models import ConversationState
from storage.progress import delete_user
from storage.queries import clear_state, get_active_session, get_state, set_state

FORGET_STEP = "forget"
CONFIRMATION_LIFETIME = timedelta(minutes=10)


async def ask_forget(update: Update, context: CoachContext) -> None:
    """/forget: ask to confirm, and remember which message asked."""
    services = context.services
    texts = services.library.texts
    asked_at = services.clock()  # the ten minutes start when the question goes out
    question = await context.bot.send_message(
        chat_id_of(update),
        texts("forget_question"),
        reply_markup=rows(
            [button(texts("button_forget_yes"), Action.FORGET, "yes")],
            [button(texts("button_forget_no"), Action.FORGET, "no")],
        ),
    )
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        data = {"message_id": question.message_id}
        await set_state(db, user.id, FORGET_STEP, data, asked_at)


@on_press
async def on_forget(update: Update, context: CoachContext, callback: Callback) -> str | None:
    """Delete the user and everything that hangs off them, or keep it."""
    services = context.services
    texts = services.library.texts
    answer = callback.word(0)
    if answer not in ("yes", "no"):
        return texts("stale_button")
    query = update.callback_query
    assert query is not None and query.message is not None
    async with services.transaction() as db:
        user = await current_user(db, update, services)
        asked_at = _asked_by(await get_state(db, user.id), query.message.message_id)
        if asked_at is not None:
            await clear_state(db, user.id)  # answered: the question is used up
        if answer == "yes":
            if asked_at is None or services.clock() - asked_at > CONFIRMATION_LIFETIME:
                return texts("forget_expired")
            active = await get_active_session(db, user.id)
            if active is not None:
                timers.cancel(context.job_queue, active.id)
            await delete_user(db, user.id)
    reply = texts("forget_done" if answer == "yes" else "forget_kept")
    await send(context, chat_id_of(update), (reply, None))
    return None


def _asked_by(state: ConversationState | None, message_id: int) -> datetime | None:
    """When this message asked to forget, if it is the pending /forget question."""
    if state is None or state.step != FORGET_STEP or state.data.get("message_id") != message_id:
        return None
    return state.updated_at


def handlers() -> list[BaseHandler[Update, CoachContext, None]]:
    return [
        CommandHandler("forget", ask_forget),
        CallbackQueryHandler(on_forget, pattern=pattern(Action.FORGET)),
    ]
