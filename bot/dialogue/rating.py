"""好差评: a 1-5 score (options listed 非常满意 ... 非常不满意) and an optional comment.

Stored scores follow the national 好差评 scale: 5 = 非常满意 ... 1 = 非常不满意. On text
channels the options are numbered in display order, so replying "1" means 非常满意; an
explicit "5分"/"五星" means score 5.
"""

from __future__ import annotations

from bot.dialogue import texts
from bot.dialogue.core import DialogueDeps, Outcome, Turn, is_other_request, say
from bot.dialogue.rules import looks_like_question, rating_score, wants_skip
from bot.dialogue.state import DialogueState
from bot.messages import Reply

OWN_INTENTS = frozenset({"rate_service", "thanks"})


def ask_rating(state: DialogueState, service_id: str | None) -> Outcome:
    slots = {"service_id": service_id} if service_id else {}
    new_state = state.without_form().update(form="rating", slots=slots)
    return say(new_state, "rate_service", Reply(texts.RATING_ASK, texts.rating_buttons()))


def wants_rating_prompt(state: DialogueState) -> bool:
    return state.completed is not None and not state.rated


def _score(turn: Turn) -> int | None:
    if turn.command is not None and turn.command.name == "rate":
        raw = turn.command.arg("score")
        return int(raw) if raw and raw.isdigit() and 1 <= int(raw) <= 5 else None
    return rating_score(turn.text)


async def start(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    """The citizen asked to rate (or pressed a rating button outside the form)."""
    service_id = state.completed_service
    score = _score(turn)
    if score is not None:
        return await _record(turn, state, deps, score, service_id)
    return ask_rating(state, service_id)


async def form(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome | None:
    score = _score(turn)
    if score is not None:
        return await _record(turn, state, deps, score, state.slots.get("service_id"))
    if wants_skip(turn.text) or turn.intent == "deny":
        return say(
            state.without_form().update(rated=True), "rate_service", Reply(texts.RATING_SKIPPED)
        )
    if is_other_request(turn, OWN_INTENTS) or turn.hits:
        return None
    reply = Reply(texts.RATING_REASK, texts.rating_buttons())
    return say(state, "rate_service", reply)


async def _record(
    turn: Turn, state: DialogueState, deps: DialogueDeps, score: int, service_id: str | None
) -> Outcome:
    message = turn.message
    rating_id = await deps.ratings.add(score, message.channel, message.sender, service_id)
    text = texts.RATING_COMMENT if score >= 3 else texts.RATING_COMMENT_SORRY
    new_state = state.without_form().update(
        form="rating_comment", slots={"rating_id": str(rating_id)}, rated=True
    )
    return say(new_state, "rate_service", Reply(text))


async def comment_form(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome | None:
    if turn.command is not None:
        return None
    if wants_skip(turn.text) or turn.intent in ("deny", "thanks", "goodbye"):
        return say(state.without_form(), "rate_service", Reply(texts.RATING_DONE))
    if looks_like_question(turn.text) and turn.hits:
        return None  # a new question, not a comment
    await deps.ratings.comment(int(state.slots["rating_id"]), turn.text)
    return say(state.without_form(), "rate_service", Reply(texts.RATING_DONE))
