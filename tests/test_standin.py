"""The stand-in refuses what Telegram refuses, so the other tests can trust a clean run."""

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter

from tests.conftest import TOKEN
from tests.standin import ScriptedUser, TelegramStandIn


@pytest.fixture
async def api(standin: TelegramStandIn) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=f"{standin.base_url}/bot") as bot:
        yield bot


@pytest.fixture
def chat(standin: TelegramStandIn) -> ScriptedUser:
    return ScriptedUser(standin)


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("", None, "message text is empty"),
        ("x" * 4097, None, "message is too long"),
        ("<b>bold", "HTML", "can't parse entities"),
        ("<div>block</div>", "HTML", "Unsupported start tag"),
        ("fish & chips", "HTML", "can't parse entities"),
        ("a < b", "HTML", "can't parse entities"),
    ],
)
async def test_bad_text_is_refused_with_400(
    api: Bot, chat: ScriptedUser, text: str, parse_mode: str | None, error: str
) -> None:
    with pytest.raises(BadRequest, match=f"(?i){error}"):
        await api.send_message(chat.user_id, text, parse_mode=parse_mode)


async def test_text_limit_counts_characters_after_entity_parsing(
    api: Bot, chat: ScriptedUser
) -> None:
    await api.send_message(chat.user_id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await api.send_message(chat.user_id, "&amp;" * 4096, parse_mode="HTML")


async def test_callback_data_over_64_bytes_is_refused(api: Bot, chat: ScriptedUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await api.send_message(chat.user_id, "hi", reply_markup=markup)


async def test_edits_need_a_known_message_and_a_change(api: Bot, chat: ScriptedUser) -> None:
    sent = await api.send_message(chat.user_id, "one")
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await api.edit_message_text("two", chat_id=chat.user_id, message_id=999)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await api.edit_message_text("one", chat_id=chat.user_id, message_id=sent.message_id)
    await api.edit_message_text("two", chat_id=chat.user_id, message_id=sent.message_id)
    assert (await chat.reply()).text == "one" and (await chat.reply()).text == "two"


async def test_caption_over_1024_is_refused(api: Bot, chat: ScriptedUser) -> None:
    with pytest.raises(BadRequest, match="(?i)caption is too long"):
        await api.send_photo(chat.user_id, b"\x89PNG fake", caption="x" * 1025)


async def test_a_photo_uploaded_once_can_be_sent_again_by_file_id(
    api: Bot, chat: ScriptedUser, standin: TelegramStandIn
) -> None:
    first = await api.send_photo(chat.user_id, b"\x89PNG fake")
    again = await api.send_photo(chat.user_id, first.photo[-1].file_id)
    assert again.photo[-1].file_id == first.photo[-1].file_id
    uploads = [call.uploaded_files for call in standin.calls_to("sendPhoto")]
    assert uploads == [("photo",), ()]


async def test_a_user_who_blocked_the_bot_gets_403(api: Bot, chat: ScriptedUser) -> None:
    chat.block_bot()
    with pytest.raises(Forbidden, match="(?i)blocked"):
        await api.send_message(chat.user_id, "hello")


async def test_rate_limits_answer_429_with_retry_after(standin: TelegramStandIn, api: Bot) -> None:
    standin.chat_rate_per_second = 2
    chat = ScriptedUser(standin)
    await api.send_message(chat.user_id, "1")
    await api.send_message(chat.user_id, "2")
    with pytest.raises(RetryAfter) as refused:
        await api.send_message(chat.user_id, "3")
    assert refused.value.retry_after == 1
    standin.chat_rate_per_second, standin.global_rate_per_second = None, 1
    with pytest.raises(RetryAfter):
        await api.send_message(ScriptedUser(standin).user_id, "4")


async def test_paid_broadcast_passes_the_free_limit_up_to_its_own(
    standin: TelegramStandIn, api: Bot
) -> None:
    standin.global_rate_per_second, standin.paid_rate_per_second = 3, 6
    users = [ScriptedUser(standin) for _ in range(8)]
    for user in users[:3]:
        await api.send_message(user.user_id, "free")
    with pytest.raises(RetryAfter):
        await api.send_message(users[3].user_id, "free")
    for user in users[3:6]:  # free and paid together: six in the second
        await api.send_message(user.user_id, "paid", allow_paid_broadcast=True)
    with pytest.raises(RetryAfter):
        await api.send_message(users[6].user_id, "paid", allow_paid_broadcast=True)
    assert standin.paid_messages == 3  # 0.3 Stars


async def test_parameters_a_method_does_not_take_or_of_the_wrong_type_are_refused(
    api: Bot, chat: ScriptedUser
) -> None:
    message = await api.send_message(chat.user_id, "hello")
    with pytest.raises(BadRequest, match="(?i)takes no parameter"):
        await api.edit_message_text(
            "edited",
            chat.user_id,
            message.message_id,
            api_kwargs={"allow_paid_broadcast": True},
        )
    with pytest.raises(BadRequest, match="(?i)must be a boolean"):
        await api.do_api_request(
            "sendMessage",
            api_kwargs={"chat_id": chat.user_id, "text": "x", "allow_paid_broadcast": "yes"},
        )


async def test_unknown_methods_and_missing_fields_are_refused(
    standin: TelegramStandIn, api: Bot, chat: ScriptedUser
) -> None:
    with pytest.raises(BadRequest, match="(?i)is required"):
        await api.do_api_request("sendMessage", api_kwargs={"chat_id": chat.user_id})
    with pytest.raises(Exception, match="(?i)not found"):
        await api.do_api_request("sendTelepathy", api_kwargs={"chat_id": chat.user_id})


async def test_answering_a_callback_query_twice_is_refused(
    standin: TelegramStandIn, api: Bot, chat: ScriptedUser
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data="1|ok")]])
    await api.send_message(chat.user_id, "press", reply_markup=markup)
    query_id = await chat.press("go")
    await api.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await api.answer_callback_query(query_id)
