"""转人工: open a handoff ticket, relay while handed off, or offer a message / call-back.

While a handoff ticket is active the bot is silent for that session: the message is stored
on the ticket and announced to the agent side, and only agent messages waiting in the
mailbox are returned. "结束人工" or the agent closing the ticket gives the bot back.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogue import texts
from bot.dialogue.core import DialogueDeps, Outcome, Turn, is_other_request, say
from bot.dialogue.rating import ask_rating
from bot.dialogue.rules import find_mobile, has_any, wants_end_handoff
from bot.dialogue.state import DialogueState
from bot.messages import InboundMessage, Reply
from bot.tickets import NewTicket

_MESSAGE_WORDS = ("留言", "建单", "工单", "登记")
_CALLBACK_WORDS = ("回电", "回拨", "来电", "打电话", "打给我", "电话联系")
_BACK_WORDS = ("返回", "不用", "算了", "机器人", "智能助手")


@dataclass(frozen=True)
class Relay:
    """Either the final outcome (still handed off) or replies to put before normal handling."""

    outcome: Outcome | None
    prefix: tuple[Reply, ...]
    state: DialogueState


def _summary(state: DialogueState, deps: DialogueDeps) -> str:
    service = deps.kb.get(state.service_id) if state.service_id else None
    return f"咨询事项：{service.name}" if service else "市民请求人工服务"


async def start(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    state = state.without_form().update(misses=0)
    in_hours = deps.hours.is_open(deps.clock())
    if in_hours and await deps.queue.presence.any_online():
        message = turn.message
        ticket = await deps.queue.open(
            message.channel, message.sender, _summary(state, deps), state.service_id
        )
        text = texts.HANDOFF_STARTED.format(ticket_no=ticket.ticket_no)
        return say(state.update(handoff_ticket=ticket.ticket_no), "request_human", Reply(text))
    reason = (
        texts.HANDOFF_NO_AGENT
        if in_hours
        else texts.HANDOFF_OFF_HOURS.format(hours=deps.hours.describe())
    )
    reply = Reply(reason + texts.HANDOFF_OFFER, texts.handoff_offer_buttons())
    return say(state.update(form="handoff_offer"), "request_human", reply)


def _mode(turn: Turn) -> str | None:
    if turn.command is not None and turn.command.name == "handoff_option":
        return turn.command.arg("mode")
    if has_any(turn.text, _CALLBACK_WORDS):
        return "callback"
    if has_any(turn.text, _MESSAGE_WORDS):
        return "message"
    if has_any(turn.text, _BACK_WORDS) or turn.intent == "deny":
        return "back"
    return None


async def offer_form(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome | None:
    """After "no agent": 留言建单, 预约回电 or back to the bot."""
    mode = _mode(turn)
    if mode == "message":
        return say(
            state.update(form="message", slots={}), "handoff_option", Reply(texts.MESSAGE_ASK)
        )
    if mode == "callback":
        phone = find_mobile(turn.text)
        if phone:
            return await _callback(turn, state, deps, phone)
        ask = texts.CALLBACK_ASK.format(hours=deps.hours.describe())
        return say(state.update(form="callback", slots={}), "handoff_option", Reply(ask))
    if mode == "back":
        return say(state.without_form(), "handoff_option", Reply(texts.ANYTHING_ELSE))
    return None


async def message_form(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome | None:
    if turn.command is not None:
        return None
    ticket = await deps.tickets.create(
        NewTicket(
            "message",
            turn.message.channel,
            turn.message.sender,
            summary=turn.text,
            service_id=state.service_id,
        )
    )
    text = texts.MESSAGE_DONE.format(ticket_no=ticket.ticket_no)
    return say(state.without_form().update(completed="message"), "handoff_option", Reply(text))


async def callback_form(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome | None:
    value = turn.entity("phone")
    phone = value if isinstance(value, str) else find_mobile(turn.text)
    if phone:
        return await _callback(turn, state, deps, phone)
    if is_other_request(turn, frozenset({"request_human"})):
        return None
    return say(state, "handoff_option", Reply(texts.CALLBACK_BAD))


async def _callback(turn: Turn, state: DialogueState, deps: DialogueDeps, phone: str) -> Outcome:
    ticket = await deps.tickets.create(
        NewTicket(
            "callback",
            turn.message.channel,
            turn.message.sender,
            summary=_summary(state, deps),
            contact=phone,
            service_id=state.service_id,
        )
    )
    text = texts.CALLBACK_DONE.format(ticket_no=ticket.ticket_no, phone=texts.mask_phone(phone))
    return say(state.without_form().update(completed="callback"), "handoff_option", Reply(text))


async def relay(message: InboundMessage, state: DialogueState, deps: DialogueDeps) -> Relay:
    """Handle a message while handed off; no NLU, no bot answer."""
    ticket_no = state.handoff_ticket
    assert ticket_no is not None
    ticket = await deps.queue.get(ticket_no)
    if ticket is None or not ticket.active:
        mailbox = await deps.queue.take_mailbox(ticket_no) if ticket else []
        back = state.update(handoff_ticket=None, completed="handoff")
        return Relay(None, tuple(mailbox), back)
    if wants_end_handoff(message.text):
        await deps.queue.close(ticket_no, by="citizen")
        mailbox = await deps.queue.take_mailbox(ticket_no)
        back = state.update(handoff_ticket=None, completed="handoff")
        rating = ask_rating(back, None)
        replies = (*mailbox, Reply(texts.HANDOFF_ENDED), *rating.replies)
        return Relay(Outcome(replies, rating.state, "end_handoff"), (), rating.state)
    if message.text.strip():
        await deps.queue.citizen_message(ticket_no, message.text)
    mailbox = await deps.queue.take_mailbox(ticket_no)
    return Relay(Outcome(tuple(mailbox), state, "handoff_relay"), (), state)
