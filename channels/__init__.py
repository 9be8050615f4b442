"""Channel registry: name -> class. Adding a channel is one module and one line here."""

from __future__ import annotations

from channels.base import Channel


def registry() -> dict[str, type[Channel]]:
    from channels.sms import TwilioSmsChannel
    from channels.webchat import WebchatChannel
    from channels.wechat import WechatChannel

    classes: list[type[Channel]] = [WebchatChannel, WechatChannel, TwilioSmsChannel]
    return {cls.name: cls for cls in classes}
