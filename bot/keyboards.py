"""Inline keyboards used by several flows, each built in one place."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Action, encode


def button(label: str, action: Action, *args: int | str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(action, *args))


def rows(*buttons_by_row: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in buttons_by_row if row])


def one_per_row(buttons: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[each] for each in buttons])


def pain_scale(action: Action, *leading: int) -> InlineKeyboardMarkup:
    """0-10 in two rows; `leading` arguments (a session id) come before the score."""
    scores = [button(str(score), action, *leading, score) for score in range(11)]
    return rows(scores[:6], scores[6:])
