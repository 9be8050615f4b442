"""The hub's policy is the dialogue layer (``bot.dialogue``); this name stays for imports."""

from __future__ import annotations

from bot.dialogue.policy import DialoguePolicy

__all__ = ["DialoguePolicy"]
