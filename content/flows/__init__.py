"""The coach's conversations as pure state machines.

Each flow module has a `Step` enum of states, an `Kind` enum of events and an
`advance(state, event, env) -> Transition` that returns the next state and the effects to carry
out (messages to show, timers to set, records to write). No Telegram and no SQL here: the
engine in bot/engine.py persists states with a compare-and-set and renders the effects.
"""
