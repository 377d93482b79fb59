"""/reminder settings as pure transitions: state and event in, state and effects out."""

from datetime import UTC, datetime, time

from content.flows import reminder as flow
from content.flows.core import END, FlowEvent, FlowState, Show, Target, Toast
from content.flows.menu import blocked
from content.library import load_library

TEXTS = load_library().texts
NOW = datetime(2026, 3, 10, 6, tzinfo=UTC)  # a Tuesday, 07:00 in Berlin
ENV = flow.ReminderEnv(TEXTS, NOW, "Europe/Berlin", None, blocked=False)
AT_TIME = FlowState(flow.FLOW, flow.Step.TIME)
AT_ZONE = FlowState(flow.FLOW, flow.Step.ZONE, {"time": "0730"})
AT_DAYS = FlowState(flow.FLOW, flow.Step.DAYS, {"time": "0730", "zone": "Europe/Berlin"})
PICKING = FlowState(flow.FLOW, flow.Step.DAYS, {**AT_DAYS.data, "days": 0b1})


def press(kind: flow.Kind, word: str) -> FlowEvent:
    return FlowEvent(kind, (word,))


def typed(text: str) -> FlowEvent:
    return FlowEvent(flow.Kind.TYPED, text=text)


def test_begin_asks_for_a_time() -> None:
    step = flow.advance(None, FlowEvent(flow.Kind.BEGIN), ENV)
    assert step.state == AT_TIME and step.effects == (flow.question(flow.Step.TIME, {}, ENV),)


def test_begin_shows_the_reminder_there_is_first() -> None:
    view = flow.ReminderView(time(8), 0b1111111, "Europe/Berlin", NOW, enabled=True)
    step = flow.advance(
        None, FlowEvent(flow.Kind.BEGIN), flow.ReminderEnv(TEXTS, NOW, "UTC", view, False)
    )
    assert step.effects[0].text.startswith("Your reminder now: 08:00 (Europe/Berlin), every day")


def test_after_a_warning_sign_begin_offers_only_the_way_back() -> None:
    env = flow.ReminderEnv(TEXTS, NOW, "UTC", None, blocked=True)
    assert flow.advance(None, FlowEvent(flow.Kind.BEGIN), env).effects == (blocked(TEXTS),)


def test_a_pressed_time_asks_for_the_zone() -> None:
    step = flow.advance(AT_TIME, press(flow.Kind.TIME, "0800"), ENV)
    assert step.state == FlowState(flow.FLOW, flow.Step.ZONE, {"time": "0800"})


def test_a_typed_time_is_read_like_a_pressed_one() -> None:
    assert flow.advance(AT_TIME, typed("7:30pm"), ENV).state.data == {"time": "1930"}


def test_an_unreadable_time_says_so_and_asks_again() -> None:
    step = flow.advance(AT_TIME, typed("half past seven"), ENV)
    assert step.state == AT_TIME and step.effects == (Show(TEXTS("reminder_time_unknown")),)


def test_a_typed_city_sets_the_zone_and_asks_the_days() -> None:
    step = flow.advance(AT_ZONE, typed("tokyo"), ENV)
    assert step.state.step == flow.Step.DAYS and step.effects[0] == flow.SetZone("Asia/Tokyo")


def test_keep_keeps_the_saved_zone() -> None:
    step = flow.advance(AT_ZONE, press(flow.Kind.ZONE, "keep"), ENV)
    assert step.state == AT_DAYS and step.effects[0] == flow.SetZone("Europe/Berlin")


def test_a_place_off_the_map_is_not_found_and_the_question_stays() -> None:
    step = flow.advance(AT_ZONE, typed(""), ENV)
    assert step.state == AT_ZONE and step.effects == (Show(TEXTS("reminder_zone_unknown")),)


def test_pick_my_current_time_shows_the_grid_and_a_picked_time_sets_an_offset_zone() -> None:
    grid = flow.advance(AT_ZONE, press(flow.Kind.ZONE, "times"), ENV)
    assert grid.state == AT_ZONE and grid.effects == (flow.local_time_grid(ENV),)
    picked = flow.advance(AT_ZONE, press(flow.Kind.ZONE, "o0"), ENV)
    assert picked.effects[0] == flow.SetZone(flow.OFFSET_ZONES[0])


def test_every_day_saves_the_reminder_due_next_at_local_time() -> None:
    step = flow.advance(AT_DAYS, press(flow.Kind.DAYS, "all"), ENV)
    due = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)  # 07:30 in Berlin, still to come today
    assert step.state == END and step.effects[0] == flow.SaveReminder(
        time(7, 30), 0b1111111, "Europe/Berlin", due
    )


def test_a_day_toggle_ticks_it_on_the_same_message() -> None:
    step = flow.advance(PICKING, press(flow.Kind.DAYS, "t5"), ENV)
    assert step.state.data["days"] == 0b100001 and step.effects[0].target is Target.PRESSED


def test_done_without_a_day_asks_for_one() -> None:
    step = flow.advance(AT_DAYS, press(flow.Kind.DAYS, "done"), ENV)
    assert step.state == AT_DAYS and step.effects == (Toast(TEXTS("reminder_days_none")),)


def test_done_with_chosen_days_saves_them() -> None:
    step = flow.advance(PICKING, press(flow.Kind.DAYS, "done"), ENV)
    assert (
        step.state == END
        and isinstance(step.effects[0], flow.SaveReminder)
        and step.effects[0].weekdays == 0b1
    )


def test_a_days_press_while_the_time_is_asked_is_stale() -> None:
    step = flow.advance(AT_TIME, press(flow.Kind.DAYS, "all"), ENV)
    assert step.state == AT_TIME and step.effects == (Toast(TEXTS("stale_button")),)


def test_off_turns_reminders_off_from_any_question() -> None:
    step = flow.advance(AT_ZONE, FlowEvent(flow.Kind.OFF), ENV)
    assert step.state == END and step.effects == (
        flow.TurnRemindersOff(),
        Show(TEXTS("reminder_off")),
    )


def test_typed_text_waits_only_at_the_time_and_the_zone() -> None:
    assert [flow.takes_text(s) for s in (AT_TIME, AT_ZONE, AT_DAYS)] == [True, True, False]
