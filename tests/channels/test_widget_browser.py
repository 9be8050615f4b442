"""The web chat widget in headless Chromium (Debian's package) against the real app on a real
loopback port: typing a question, quick-reply chips, reconnecting, the HTTP fallback, safe
rendering of server data, and the layout on desktop and phone widths."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import (
    Browser,
    Locator,
    Page,
    WebSocket,
    WebSocketRoute,
    async_playwright,
    expect,
)

from bot.app import create_app
from bot.config import Config

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000  # generous: CI machines are slow, and nothing here waits longer than needed
QUESTION = "港澳通行证要带什么材料"
ON_TOPIC = re.compile("港澳|通行证|材料")
CONNECTED = "已连接"
RECONNECTING = "连接已断开，正在重连…"


@pytest.fixture
async def hub_url(make_config: Callable[..., Config]) -> AsyncIterator[str]:
    runner = web.AppRunner(create_app(make_config()))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.skip(f"{CHROMIUM} is not installed (Debian package 'chromium'; `make chromium`)")
    playwright = await async_playwright().start()
    try:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()
    finally:
        await playwright.stop()


async def _new_page(browser: Browser, width: int, height: int) -> tuple[Page, list[str]]:
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


@pytest.fixture
async def page(hub_url: str, browser: Browser) -> AsyncIterator[Page]:
    """A desktop-sized page; fails the test if the page threw a JavaScript error."""
    page, errors = await _new_page(browser, 1280, 800)
    yield page
    await page.context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


# ---- helpers -----------------------------------------------------------------------------


def frame(payload: str | bytes) -> dict[str, Any]:
    data = json.loads(payload)
    assert isinstance(data, dict)
    return data


def sends(message: str) -> Callable[[str | bytes], bool]:
    """Predicate for a ``framesent`` event carrying ``message``."""
    return lambda payload: frame(payload).get("message") == message


def status(page: Page) -> Locator:
    return page.get_by_role("status")


def input_box(page: Page) -> Locator:
    return page.get_by_role("textbox", name="输入您的问题")


def bot_bubbles(page: Page) -> Locator:
    return page.locator(".msg.bot")


def user_bubbles(page: Page) -> Locator:
    return page.locator(".msg.user")


async def open_chat(page: Page, hub_url: str) -> WebSocket:
    """Load the demo page (it opens the widget) and wait until its socket is up."""
    async with page.expect_websocket() as socket:
        await page.goto(f"{hub_url}/chat")
    await expect(status(page)).to_have_text(CONNECTED, timeout=TIMEOUT_MS)
    await expect(bot_bubbles(page)).to_have_count(1)  # the welcome line
    return await socket.value


async def ask(page: Page, text: str) -> None:
    await input_box(page).fill(text)
    await input_box(page).press("Enter")


# ---- tests -------------------------------------------------------------------------------


async def test_question_entered_gets_catalogue_answer_over_websocket(
    page: Page, hub_url: str
) -> None:
    socket = await open_chat(page, hub_url)
    await expect(bot_bubbles(page).first).to_contain_text("市民服务智能助手")

    async with socket.expect_event("framesent", predicate=sends(QUESTION)):
        await ask(page, QUESTION)

    await expect(user_bubbles(page).last).to_contain_text(QUESTION)
    answer = bot_bubbles(page).nth(1)
    await expect(answer).to_contain_text(ON_TOPIC, timeout=TIMEOUT_MS)
    await expect(answer).not_to_contain_text("没有找到")
    assert "\n" in await answer.locator(".bubble").inner_text()  # numbered lines kept apart
    await expect(page.locator(".typing")).to_be_hidden()
    await expect(input_box(page)).to_have_value("")
    await expect(input_box(page)).to_be_focused()


async def test_buttons_render_as_chips_and_a_click_sends_the_payload(
    page: Page, hub_url: str
) -> None:
    socket = await open_chat(page, hub_url)
    # A handoff request is answered with its options as buttons; the chip to click and the
    # payload it must send are read from the hub's own answer, not hard-coded.
    async with socket.expect_event("framereceived") as offered:
        await ask(page, "转人工")
    buttons = [b for m in frame(await offered.value)["messages"] for b in m.get("buttons", [])]
    assert buttons, f"expected an answer with buttons, got {await offered.value!r}"
    chips = page.locator(".chip")
    await expect(chips).to_have_count(len(buttons))
    await expect(chips).to_have_text([b["title"] for b in buttons])
    bubbles_before = await bot_bubbles(page).count()

    choice = buttons[0]
    async with (
        socket.expect_event("framereceived") as received,
        socket.expect_event("framesent", predicate=sends(choice["payload"])) as sent,
    ):
        await page.get_by_role("button", name=choice["title"], exact=True).click()

    request = frame(await sent.value)
    answer = frame(await received.value)
    assert request["sender"].startswith("web-")
    assert answer["id"] == request["id"]  # the hub echoes the frame id
    await expect(user_bubbles(page).last).to_contain_text(choice["title"])
    await expect(bot_bubbles(page)).to_have_count(bubbles_before + len(answer["messages"]))
    stored = await page.evaluate("localStorage.getItem('citizenHubChat.sender')")
    assert stored == request["sender"]  # one anonymous id per browser, reused next visit


async def test_widget_reconnects_after_the_socket_drops(page: Page, hub_url: str) -> None:
    first = await open_chat(page, hub_url)
    # Record every status text: the "reconnecting" state may be brief.
    await page.evaluate(
        """() => {
          const el = document.querySelector('citizen-hub-chat').shadowRoot.querySelector('.status');
          window.__statuses = [];
          new MutationObserver(() => window.__statuses.push(el.textContent))
            .observe(el, {childList: true, characterData: true, subtree: true});
        }"""
    )

    async with page.expect_websocket(timeout=TIMEOUT_MS) as again:
        await page.evaluate("window.CitizenHubChat._debugDropSocket()")
    second = await again.value
    await expect(status(page)).to_have_text(CONNECTED, timeout=TIMEOUT_MS)
    assert first.is_closed()
    assert RECONNECTING in await page.evaluate("window.__statuses")

    async with second.expect_event("framesent", predicate=sends(QUESTION)):
        await ask(page, QUESTION)
    await expect(bot_bubbles(page).nth(1)).to_contain_text(ON_TOPIC, timeout=TIMEOUT_MS)


async def test_questions_go_over_http_while_the_socket_is_down(page: Page, hub_url: str) -> None:
    async def drop(route: WebSocketRoute) -> None:
        await route.close()

    await page.route_web_socket(re.compile(r"/chat/ws$"), drop)
    await page.goto(f"{hub_url}/chat")

    async with page.expect_response(
        lambda r: r.url.endswith("/api/v1/chat") and r.request.method == "POST"
    ) as response:
        await ask(page, QUESTION)

    assert (await response.value).ok
    await expect(bot_bubbles(page).nth(1)).to_contain_text(ON_TOPIC, timeout=TIMEOUT_MS)
    await expect(page.locator(".typing")).to_be_hidden()


async def test_server_data_is_rendered_as_text_and_unsafe_links_are_dropped(
    page: Page, hub_url: str
) -> None:
    """A stand-in hub socket answers with markup, a chip whose payload differs from its title,
    and links of several schemes."""
    heard: list[dict[str, Any]] = []

    def fake_hub(route: WebSocketRoute) -> None:
        def answer(payload: str | bytes) -> None:
            request = frame(payload)
            heard.append(request)
            reply = {
                "recipient_id": request["sender"],
                "text": '<img src=x onerror="window.__pwned = 1">\n第二行',
                "buttons": [{"title": "查看材料", "payload": "/ask_materials"}],
                "links": [
                    {"title": "网上办理", "url": "https://example.gov.cn/apply"},
                    {"title": "坏链接", "url": "javascript:window.__pwned = 2"},
                    {"title": "数据", "url": "data:text/html,hi"},
                ],
            }
            route.send(json.dumps({"type": "bot", "id": request["id"], "messages": [reply]}))

        route.on_message(answer)

    await page.route_web_socket(re.compile(r"/chat/ws$"), fake_hub)
    await page.goto(f"{hub_url}/chat")
    await expect(status(page)).to_have_text(CONNECTED, timeout=TIMEOUT_MS)
    await ask(page, "随便问问")

    bubble = bot_bubbles(page).nth(1)
    await expect(bubble).to_contain_text("<img src=x")
    assert "\n第二行" in await bubble.locator(".bubble").inner_text()
    await expect(page.locator("citizen-hub-chat img")).to_have_count(0)
    links = bubble.get_by_role("link")
    await expect(links).to_have_count(1)
    await expect(links).to_have_attribute("href", "https://example.gov.cn/apply")
    await expect(links).to_have_attribute("target", "_blank")
    await expect(links).to_have_attribute("rel", re.compile(r"\bnoopener\b"))

    await bubble.get_by_role("button", name="查看材料").click()
    await expect(user_bubbles(page).last).to_contain_text("查看材料")
    await expect(bot_bubbles(page)).to_have_count(3)  # so the stand-in has heard the click
    assert [request["message"] for request in heard] == ["随便问问", "/ask_materials"]
    assert await page.evaluate("window.__pwned") is None


async def test_keyboard_use_and_full_screen_panel_on_a_phone(
    hub_url: str, browser: Browser
) -> None:
    page, errors = await _new_page(browser, 390, 844)
    try:
        await page.goto(f"{hub_url}/chat")
        panel = page.get_by_role("dialog", name="市民服务助手")
        await expect(panel).to_be_visible()
        assert await panel.bounding_box() == {"x": 0, "y": 0, "width": 390, "height": 844}

        await input_box(page).focus()
        await page.keyboard.press("Escape")
        launcher = page.get_by_role("button", name="在线咨询")
        await expect(panel).to_be_hidden()
        await expect(launcher).to_be_focused()
        await expect(launcher).to_have_attribute("aria-expanded", "false")

        await page.keyboard.press("Enter")
        await expect(panel).to_be_visible()
        await expect(input_box(page)).to_be_focused()
        await expect(page.locator(".launcher")).to_have_attribute("aria-expanded", "true")
        await expect(page.get_by_role("log")).to_have_attribute("aria-live", "polite")
        await expect(bot_bubbles(page)).to_have_count(1)  # reopening doesn't repeat the welcome
    finally:
        await page.context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
