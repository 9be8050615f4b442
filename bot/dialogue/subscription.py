"""Case-update subscriptions on the citizen's current channel (订阅 / 取消订阅)."""

from __future__ import annotations

from bot.dialogue import texts
from bot.dialogue.core import DialogueDeps, Outcome, Turn, say
from bot.dialogue.rules import command_payload, find_case_no
from bot.dialogue.state import DialogueState
from bot.messages import Button, Reply

_MAX_OPTIONS = 4


async def subscribe_verified(
    turn: Turn, state: DialogueState, deps: DialogueDeps, case_no: str
) -> Outcome:
    """Subscribe a case the citizen verified in this session."""
    message = turn.message
    created = await deps.subscriptions.subscribe(case_no, message.channel, message.sender)
    template = texts.SUBSCRIBED if created else texts.ALREADY_SUBSCRIBED
    new_state = state.update(completed="subscribe")
    return say(new_state, "subscribe_updates", Reply(template.format(case_no=case_no)))


async def unsubscribe(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    message = turn.message
    active = await deps.subscriptions.active(message.channel, message.sender)
    wanted = turn.command.arg("case_no") if turn.command else None
    wanted = wanted or find_case_no(turn.text, deps.case_no_pattern)
    state = state.without_form()
    if not active:
        return say(state, "unsubscribe", Reply(texts.NO_SUBSCRIPTIONS))
    if wanted == "all" or (wanted is None and len(active) == 1):
        return await _done(turn, state, deps, active)
    if wanted is not None:
        if wanted not in active:
            return say(state, "unsubscribe", Reply(texts.NOT_SUBSCRIBED.format(case_no=wanted)))
        return await _done(turn, state, deps, [wanted])
    buttons = [Button(c, command_payload("unsubscribe", case_no=c)) for c in active[:_MAX_OPTIONS]]
    buttons.append(Button("全部取消", command_payload("unsubscribe", case_no="all")))
    return say(state, "unsubscribe", Reply(texts.UNSUBSCRIBE_WHICH, tuple(buttons)))


async def _done(
    turn: Turn, state: DialogueState, deps: DialogueDeps, case_nos: list[str]
) -> Outcome:
    message = turn.message
    done = await deps.subscriptions.unsubscribe(case_nos, message.channel, message.sender)
    text = texts.UNSUBSCRIBED.format(case_nos="、".join(done or case_nos))
    return say(state, "unsubscribe", Reply(text))
