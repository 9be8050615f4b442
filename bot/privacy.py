"""Masking of personal numbers for logs: ID numbers, phone numbers, long identifiers."""

from __future__ import annotations

import re

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(\+?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask every resident ID number and mainland mobile number inside free text."""
    text = _ID.sub(lambda m: f"{m.group(1)}{'*' * 10}{m.group(2)}", text)
    return _PHONE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(3)}", text)


def mask(identifier: str) -> str:
    """Mask a sender/recipient id: numbers as above, other long ids keep both ends."""
    masked = mask_text(identifier)
    if masked != identifier:
        return masked
    if len(identifier) > 12:
        return f"{identifier[:4]}***{identifier[-4:]}"
    return identifier
