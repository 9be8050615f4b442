"""A bounded LRU of NLU parses: citizens ask the same popular questions over and over.

A parse is a pure function of the text and the reference date (relative dates such as 明天
or 下周一 resolve against "today" in the NLU's time zone), so the key is ``(text, today)``:
the raw text, not the normalised one, because ``Parse.text`` and entity ``text`` fields
quote the citizen's own characters. Texts longer than ``max_chars`` are never cached, so
the memory held stays small (``maxsize`` entries of short texts). ``Parse`` is a frozen
dataclass that callers treat as immutable (``dataclasses.replace`` to change it), so one
object may be handed to many turns.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from intents.types import Parse

DEFAULT_SIZE = 4096
DEFAULT_MAX_CHARS = 256


class ParseCache:
    def __init__(self, maxsize: int = DEFAULT_SIZE, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.max_chars = max_chars
        self._entries: OrderedDict[tuple[str, date], Parse] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_parse(self, text: str, today: date, parse: Callable[[str, date], Parse]) -> Parse:
        """The cached parse of ``text`` on ``today``, else ``parse(text, today)`` (then kept)."""
        if len(text) > self.max_chars:
            return parse(text, today)
        key = (text, today)
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return found
        self.misses += 1
        result = parse(text, today)
        self._entries[key] = result
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return result

    def clear(self) -> None:
        self._entries.clear()
