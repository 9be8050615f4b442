"""Greeting, the WeChat follow welcome, thanks, goodbye and bare yes/no."""

from __future__ import annotations

from bot.dialogue import texts
from bot.dialogue.core import DialogueDeps, Outcome, Turn, say
from bot.dialogue.rating import ask_rating, wants_rating_prompt
from bot.dialogue.state import DialogueState
from bot.messages import Reply


def welcome(state: DialogueState) -> Outcome:
    return say(state.without_form(), "welcome", Reply(texts.WELCOME, texts.menu_buttons()))


async def greet(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    text = f"{texts.GREETING}{texts.CAPABILITIES}"
    return say(state.without_form(), "greet", Reply(text, texts.menu_buttons()))


def _closing(state: DialogueState, intent: str, text: str) -> Outcome:
    if wants_rating_prompt(state):
        rating = ask_rating(state, state.completed_service)
        return say(rating.state, intent, Reply(text), *rating.replies)
    return say(state.without_form(), intent, Reply(text))


async def thanks(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    return _closing(state, "thanks", texts.THANKS)


async def goodbye(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    return _closing(state.reset_context(), "goodbye", texts.GOODBYE)


async def acknowledge(turn: Turn, state: DialogueState, deps: DialogueDeps) -> Outcome:
    """A yes/no that answers nothing we asked."""
    return say(state.without_form(), turn.intent, Reply(texts.ANYTHING_ELSE))
