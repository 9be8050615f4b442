"""Channel registry: name -> class. Adding a channel is one module and one line here."""

from __future__ import annotations

from channels.base import Channel


def registry() -> dict[str, type[Channel]]:
    from channels.webchat import WebchatChannel

    classes: list[type[Channel]] = [WebchatChannel]
    return {cls.name: cls for cls in classes}
