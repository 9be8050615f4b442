"""The human-agent queue behind 转人工: presence, handoff tickets and the two-way relay.

The agent side (agent-assist issue: WebSocket console) uses ``HandoffQueue``:

- agents announce themselves with ``presence.heartbeat(agent_id)`` (entries expire after
  ``presence_ttl_s``; ``presence.leave`` removes one at once);
- ``list_open()`` the tickets waiting or in progress, ``claim(ticket_no, agent_id)``,
  ``agent_reply(ticket_no, agent_id, text)``, ``close(ticket_no, by)``;
- ``messages(ticket_no)`` the stored conversation;
- ``subscribe(listener)`` to hear about opened tickets, citizen messages and closes.

Citizen-bound messages go through the outbound sender registered for the citizen's channel
(``register_outbound``); without one, or when it fails, they wait in the ticket's mailbox and
the dialogue hands them over with the citizen's next message. State lives in the database and
the key-value store, so any replica can serve either side. Listeners are in-process callbacks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.coordination import KeyValueStore, LockManager
from bot.messages import Reply
from bot.privacy import mask
from bot.tickets import NewTicket, TicketMessageView, TicketRepository, TicketView

log = logging.getLogger("citizen_hub.handoff")

Outbound = Callable[[str, Sequence[Reply]], Awaitable[None]]
AGENT_PREFIX = "人工客服："
CLOSED_TEXT = "人工客服已结束本次服务。您可以继续向智能助手提问。"


class HandoffError(Exception):
    """The ticket is unknown, not a handoff, closed, or claimed by another agent."""


@dataclass(frozen=True)
class HandoffEvent:
    kind: str  # opened | claimed | citizen_message | closed
    ticket_no: str
    text: str | None = None
    agent: str | None = None


Listener = Callable[[HandoffEvent], Awaitable[None]]


class AgentPresence:
    """Which agents are online: per-agent keys with a TTL plus a roster under a lock."""

    ROSTER = "agents:roster"

    def __init__(self, kv: KeyValueStore, locks: LockManager, ttl_s: float = 60.0) -> None:
        self._kv = kv
        self._locks = locks
        self._ttl_s = ttl_s

    async def heartbeat(self, agent_id: str) -> None:
        """Register or refresh an agent; call at least every ``ttl_s`` seconds."""
        await self._kv.set(self._alive_key(agent_id), "1", self._ttl_s)
        roster = await self._roster()
        if agent_id not in roster:
            async with self._locks.lock(self.ROSTER, 5.0):
                roster = await self._roster()
                if agent_id not in roster:
                    await self._save_roster([*roster, agent_id])

    async def leave(self, agent_id: str) -> None:
        await self._kv.delete(self._alive_key(agent_id))

    async def online(self) -> list[str]:
        roster = await self._roster()
        alive = [a for a in roster if await self._kv.get(self._alive_key(a)) is not None]
        if len(alive) < len(roster):
            await self._prune()
        return alive

    async def any_online(self) -> bool:
        return bool(await self.online())

    async def _prune(self) -> None:
        async with self._locks.lock(self.ROSTER, 5.0):
            roster = await self._roster()
            keep = [a for a in roster if await self._kv.get(self._alive_key(a)) is not None]
            if keep != roster:
                await self._save_roster(keep)

    async def _roster(self) -> list[str]:
        raw = await self._kv.get(self.ROSTER)
        return [str(a) for a in json.loads(raw)] if raw else []

    async def _save_roster(self, roster: list[str]) -> None:
        await self._kv.set(self.ROSTER, json.dumps(roster))

    @staticmethod
    def _alive_key(agent_id: str) -> str:
        return f"agents:alive:{agent_id}"


class HandoffQueue:
    def __init__(self, tickets: TicketRepository, presence: AgentPresence) -> None:
        self.tickets = tickets
        self.presence = presence
        self._outbound: dict[str, Outbound] = {}
        self._listeners: list[Listener] = []

    def register_outbound(self, channel: str, send: Outbound) -> None:
        """How to push replies to a citizen on ``channel``: ``await send(sender, replies)``."""
        self._outbound[channel] = send

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def open(
        self, channel: str, sender: str, summary: str, service_id: str | None = None
    ) -> TicketView:
        ticket = await self.tickets.create(
            NewTicket("handoff", channel, sender, summary=summary, service_id=service_id)
        )
        log.info("handoff opened ticket=%s sender=%s", ticket.ticket_no, mask(sender))
        await self._emit(HandoffEvent("opened", ticket.ticket_no, summary))
        return ticket

    async def get(self, ticket_no: str) -> TicketView | None:
        return await self.tickets.get(ticket_no)

    async def list_open(self) -> list[TicketView]:
        """Handoff tickets waiting for an agent or in progress, oldest first."""
        page = await self.tickets.find(kinds=("handoff",), statuses=("open", "claimed"), limit=500)
        return sorted(page.items, key=lambda t: t.created_at)

    async def claim(self, ticket_no: str, agent_id: str) -> TicketView:
        ticket = await self._active(ticket_no)
        if ticket.status == "claimed":
            if ticket.agent == agent_id:
                return ticket
            raise HandoffError(f"ticket {ticket_no} is claimed by another agent")
        claimed = await self.tickets.claim(ticket_no, agent_id)
        if claimed is None:
            raise HandoffError(f"ticket {ticket_no} was claimed or closed meanwhile")
        await self._emit(HandoffEvent("claimed", ticket_no, agent=agent_id))
        return claimed

    async def citizen_message(self, ticket_no: str, text: str) -> None:
        """Store what the citizen said and tell the agent side."""
        await self.tickets.add_message(ticket_no, "citizen", text, delivered=True)
        await self._emit(HandoffEvent("citizen_message", ticket_no, text))

    async def agent_reply(self, ticket_no: str, agent_id: str, text: str) -> bool:
        """Relay an agent's answer; True when it reached the citizen's channel right away."""
        ticket = await self._active(ticket_no)
        if ticket.agent not in (None, agent_id):
            raise HandoffError(f"ticket {ticket_no} is claimed by another agent")
        if ticket.status == "open":
            await self.claim(ticket_no, agent_id)
        delivered = await self._deliver(ticket, AGENT_PREFIX + text)
        await self.tickets.add_message(
            ticket_no, "agent", text, agent=agent_id, delivered=delivered
        )
        return delivered

    async def close(self, ticket_no: str, by: str) -> TicketView:
        """End the handoff (``by``: ``citizen``, ``agent`` or an agent id); idempotent."""
        ticket = await self.tickets.get(ticket_no)
        if ticket is None or ticket.kind != "handoff":
            raise HandoffError(f"no handoff ticket {ticket_no}")
        if not ticket.active:
            return ticket
        closed = await self.tickets.set_status(ticket_no, "closed")
        assert closed is not None
        if by != "citizen":
            delivered = await self._deliver(ticket, CLOSED_TEXT)
            await self.tickets.add_message(ticket_no, "system", CLOSED_TEXT, delivered=delivered)
        await self._emit(HandoffEvent("closed", ticket_no, agent=None if by == "citizen" else by))
        return closed

    async def messages(self, ticket_no: str) -> list[TicketMessageView]:
        return await self.tickets.messages(ticket_no)

    async def take_mailbox(self, ticket_no: str) -> list[Reply]:
        """Undelivered agent/system messages as replies (marks them delivered)."""
        waiting = await self.tickets.take_undelivered(ticket_no)
        return [Reply(m.text if m.author == "system" else AGENT_PREFIX + m.text) for m in waiting]

    async def _active(self, ticket_no: str) -> TicketView:
        ticket = await self.tickets.get(ticket_no)
        if ticket is None or ticket.kind != "handoff":
            raise HandoffError(f"no handoff ticket {ticket_no}")
        if not ticket.active:
            raise HandoffError(f"ticket {ticket_no} is closed")
        return ticket

    async def _deliver(self, ticket: TicketView, text: str) -> bool:
        send = self._outbound.get(ticket.channel)
        if send is None:
            return False
        try:
            await send(ticket.sender, [Reply(text)])
        except Exception:
            log.exception("outbound relay failed ticket=%s", ticket.ticket_no)
            return False
        return True

    async def _emit(self, event: HandoffEvent) -> None:
        for listener in self._listeners:
            try:
                await listener(event)
            except Exception:
                log.exception("handoff listener failed on %s", event.kind)
