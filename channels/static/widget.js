/*
 * citizen-hub web chat widget (市民服务智能助手).
 *
 * Embed with one tag; the hub origin is taken from this script's own src:
 *   <script src="https://hub.example.gov.cn/chat/widget.js" data-title="深圳市民服务助手"></script>
 * Options: data-title, data-open="true" (start opened), data-welcome (first bot line).
 * API: window.CitizenHubChat.open(), .close(), .send(text).
 *
 * No dependencies, no build step, nothing loaded from the network except the hub itself.
 * The UI lives in a Shadow DOM so host-page CSS and ours cannot affect each other.
 */
(function () {
  "use strict";

  if (window.CitizenHubChat) return; // the tag was included twice

  // currentScript is only set while this file first runs: read everything from it now.
  var script =
    document.currentScript ||
    document.querySelector('script[src*="/chat/widget.js"]');
  var data = (script && script.dataset) || {};
  var hubOrigin = new URL((script && script.src) || "/chat/widget.js", location.href).origin;
  var wsUrl = hubOrigin.replace(/^http/, "ws") + "/chat/ws"; // https -> wss, http -> ws

  var TITLE = data.title || "市民服务助手";
  var WELCOME =
    data.welcome || "您好！我是市民服务智能助手，可以为您解答政务服务办理问题。";
  var START_OPEN = data.open === "true";
  var MAX_CHARS = 2000; // server default of server.max_message_chars
  var REPLY_TIMEOUT_MS = 30000;
  var RETRY_BASE_MS = 1000;
  var RETRY_MAX_MS = 30000;
  var STABLE_MS = 5000;
  var SENDER_KEY = "citizenHubChat.sender";

  var TEXT = {
    launcher: "在线咨询",
    placeholder: "请输入您的问题，如：港澳通行证要带什么材料",
    inputLabel: "输入您的问题",
    send: "发送",
    close: "关闭对话窗口",
    log: "对话记录",
    typing: "助手正在输入…",
    you: "您说：",
    bot: "助手说：",
    connecting: "连接中…",
    connected: "已连接",
    reconnecting: "连接已断开，正在重连…",
    failed: "抱歉，消息发送失败，请稍后再试。",
    timeout: "抱歉，服务暂时没有响应，请稍后再试。",
    tooLong: "您的问题太长了，请精简到 " + MAX_CHARS + " 字以内。",
  };

  var CSS = [
    ":host{all:initial !important;}",
    "@media print{:host{display:none !important;}}",
    "[hidden]{display:none !important;}",
    "*,*::before,*::after{box-sizing:border-box;}",
    ".root{font-family:-apple-system,BlinkMacSystemFont,\"PingFang SC\",\"Hiragino Sans GB\",",
    "\"Microsoft YaHei\",\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"WenQuanYi Micro Hei\",sans-serif;",
    "font-size:15px;line-height:1.6;color:#1f2329;-webkit-text-size-adjust:100%;}",
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;",
    "clip:rect(0 0 0 0);white-space:nowrap;border:0;}",
    "button,textarea{font:inherit;color:inherit;margin:0;}",
    ":focus-visible{outline:3px solid #f5a623;outline-offset:2px;}",

    ".launcher{position:fixed;right:24px;bottom:24px;z-index:2147483000;display:flex;",
    "align-items:center;gap:8px;padding:12px 20px;border:0;border-radius:999px;",
    "background:#0b57b8;color:#fff;font-size:16px;font-weight:600;cursor:pointer;",
    "box-shadow:0 6px 20px rgba(11,87,184,.35);}",
    ".launcher:hover{background:#0a4a9c;}",
    ".launcher svg{width:20px;height:20px;fill:currentColor;}",

    ".panel{position:fixed;right:24px;bottom:24px;z-index:2147483001;display:flex;",
    "flex-direction:column;width:380px;height:600px;max-height:calc(100vh - 48px);",
    "background:#fff;border-radius:12px;overflow:hidden;",
    "box-shadow:0 12px 40px rgba(0,0,0,.22);}",
    "header{display:flex;align-items:center;gap:12px;padding:12px 12px 12px 16px;",
    "background:#0b57b8;color:#fff;}",
    "header .heading{flex:1;min-width:0;}",
    "h2{margin:0;font-size:16px;font-weight:600;line-height:1.4;overflow:hidden;",
    "text-overflow:ellipsis;white-space:nowrap;}",
    ".status{margin:0;font-size:12px;opacity:.92;display:flex;align-items:center;gap:6px;}",
    ".status::before{content:\"\";width:8px;height:8px;border-radius:50%;background:#f5a623;}",
    ".status[data-state=connected]::before{background:#3ddc84;}",
    ".close{flex:none;width:36px;height:36px;border:0;border-radius:8px;background:transparent;",
    "color:#fff;font-size:24px;line-height:1;cursor:pointer;}",
    ".close:hover{background:rgba(255,255,255,.16);}",

    ".body{flex:1;overflow-y:auto;padding:16px 12px;background:#f5f7fa;",
    "overscroll-behavior:contain;}",
    ".log{display:flex;flex-direction:column;gap:10px;}",
    ".msg{display:flex;flex-direction:column;max-width:85%;}",
    ".msg.user{align-self:flex-end;align-items:flex-end;}",
    ".msg.bot,.msg.error{align-self:flex-start;align-items:flex-start;}",
    ".bubble{padding:8px 12px;border-radius:12px;white-space:pre-wrap;",
    "overflow-wrap:anywhere;word-break:normal;}",
    ".user .bubble{background:#0b57b8;color:#fff;border-bottom-right-radius:4px;}",
    ".bot .bubble{background:#fff;border:1px solid #e1e5eb;border-bottom-left-radius:4px;}",
    ".error .bubble{background:#fff4f4;border:1px solid #f3c7c7;color:#a4262c;}",
    ".chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px;}",
    ".chip{padding:5px 12px;border:1px solid #0b57b8;border-radius:999px;background:#fff;",
    "color:#0b57b8;font-size:14px;cursor:pointer;}",
    ".chip:hover{background:#e8f0fb;}",
    ".links{list-style:none;margin:6px 0 0;padding:0;display:flex;flex-direction:column;gap:4px;}",
    ".links a{color:#0b57b8;text-decoration:underline;overflow-wrap:anywhere;}",
    ".links a::after{content:\" ↗\";}",

    ".typing{display:flex;gap:4px;align-items:center;width:fit-content;margin-top:10px;",
    "padding:12px 14px;background:#fff;border:1px solid #e1e5eb;border-radius:12px;",
    "border-bottom-left-radius:4px;}",
    ".typing i{width:7px;height:7px;border-radius:50%;background:#8a94a6;",
    "animation:chb-blink 1.2s infinite ease-in-out;}",
    ".typing i:nth-child(3){animation-delay:.2s;}",
    ".typing i:nth-child(4){animation-delay:.4s;}",
    "@keyframes chb-blink{0%,80%,100%{opacity:.25;}40%{opacity:1;}}",
    "@media (prefers-reduced-motion:reduce){.typing i{animation:none;opacity:.6;}}",

    "form{display:flex;align-items:flex-end;gap:8px;padding:10px 12px;",
    "border-top:1px solid #e1e5eb;background:#fff;}",
    "textarea{flex:1;min-height:40px;max-height:120px;padding:8px 10px;resize:none;",
    "border:1px solid #c9d1dc;border-radius:8px;background:#fff;line-height:1.5;}",
    "textarea:focus,textarea:focus-visible{outline:2px solid #0b57b8;outline-offset:-1px;",
    "border-color:#0b57b8;}",
    "textarea::placeholder{color:#8a94a6;}",
    ".send{flex:none;height:40px;padding:0 18px;border:0;border-radius:8px;",
    "background:#0b57b8;color:#fff;font-weight:600;cursor:pointer;}",
    ".send:hover{background:#0a4a9c;}",

    // Phones: the panel takes the whole screen; 16px text stops iOS zooming into the input.
    "@media (max-width:480px){",
    ".panel{inset:0;width:100%;height:100%;max-height:none;border-radius:0;}",
    "@supports (height:100dvh){.panel{height:100dvh;}}",
    ".launcher{right:16px;bottom:16px;}",
    "textarea{font-size:16px;}",
    "}",
  ].join("");

  var SHELL =
    '<div class="root">' +
    '<button class="launcher" type="button" aria-haspopup="dialog" aria-expanded="false"' +
    ' aria-controls="panel"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2' +
    " 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0" +
    " 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3" +
    ' 1.5 1.5 0 0 0 0-3z"/></svg><span class="launcher-text"></span></button>' +
    '<section class="panel" id="panel" role="dialog" aria-labelledby="title" hidden>' +
    '<header><div class="heading"><h2 id="title"></h2>' +
    '<p class="status" role="status" data-state="connecting"></p></div>' +
    '<button class="close" type="button">×</button></header>' +
    '<div class="body"><div class="log" role="log" aria-live="polite"></div>' +
    '<div class="typing" hidden><span class="sr"></span><i></i><i></i><i></i></div></div>' +
    '<form novalidate><label class="sr" for="input"></label>' +
    '<textarea id="input" rows="1" enterkeyhint="send" autocomplete="off"></textarea>' +
    '<button class="send" type="submit"></button></form>' +
    "</section></div>";

  // ---- DOM ---------------------------------------------------------------------------

  var host = document.createElement("citizen-hub-chat");
  var shadow = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = CSS;
  var shell = document.createElement("template");
  shell.innerHTML = SHELL; // a constant: nothing from the page or the server goes in here
  shadow.appendChild(style);
  shadow.appendChild(shell.content);

  function $(selector) {
    return shadow.querySelector(selector);
  }
  var launcher = $(".launcher");
  var panel = $(".panel");
  var statusEl = $(".status");
  var closeBtn = $(".close");
  var body = $(".body");
  var log = $(".log");
  var typing = $(".typing");
  var form = $("form");
  var input = $("textarea");

  $(".launcher-text").textContent = TEXT.launcher;
  $("h2").textContent = TITLE;
  closeBtn.setAttribute("aria-label", TEXT.close);
  closeBtn.title = TEXT.close;
  log.setAttribute("aria-label", TEXT.log);
  $(".typing .sr").textContent = TEXT.typing;
  $("label").textContent = TEXT.inputLabel;
  input.placeholder = TEXT.placeholder;
  input.maxLength = MAX_CHARS;
  $(".send").textContent = TEXT.send;
  setStatus("connecting");

  // ---- sender id ---------------------------------------------------------------------

  function randomId() {
    var c = window.crypto;
    if (c && c.randomUUID) return c.randomUUID(); // secure contexts only
    var bytes = new Uint8Array(16);
    c.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join("");
  }

  // localStorage throws in some privacy modes and sandboxed frames: fall back to this page.
  var sender = (function () {
    try {
      var stored = localStorage.getItem(SENDER_KEY);
      if (stored) return stored;
      var fresh = "web-" + randomId();
      localStorage.setItem(SENDER_KEY, fresh);
      return fresh;
    } catch (e) {
      return "web-" + randomId();
    }
  })();

  // ---- rendering ---------------------------------------------------------------------

  function scrollToEnd() {
    body.scrollTop = body.scrollHeight;
  }

  function addBubble(kind, text) {
    var item = document.createElement("div");
    item.className = "msg " + kind;
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    var who = document.createElement("span");
    who.className = "sr";
    who.textContent = kind === "user" ? TEXT.you : TEXT.bot;
    bubble.appendChild(who);
    bubble.appendChild(document.createTextNode(text));
    item.appendChild(bubble);
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  function safeUrl(raw) {
    try {
      var url = new URL(String(raw), location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function renderBotMessage(message) {
    var item = addBubble("bot", String(message.text || ""));
    var buttons = Array.isArray(message.buttons) ? message.buttons : [];
    if (buttons.length) {
      var chips = document.createElement("div");
      chips.className = "chips";
      chips.setAttribute("role", "group");
      buttons.forEach(function (b) {
        var title = String(b.title || b.payload || "");
        var payload = String(b.payload || b.title || "");
        if (!payload) return;
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "chip";
        chip.textContent = title;
        chip.addEventListener("click", function () {
          submit(payload, title);
          input.focus();
        });
        chips.appendChild(chip);
      });
      item.appendChild(chips);
    }
    var links = Array.isArray(message.links) ? message.links : [];
    var list = document.createElement("ul");
    list.className = "links";
    links.forEach(function (l) {
      var href = safeUrl(l.url);
      if (!href) return; // javascript:, data: and the like are dropped
      var a = document.createElement("a");
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = String(l.title || href);
      var li = document.createElement("li");
      li.appendChild(a);
      list.appendChild(li);
    });
    if (list.childNodes.length) item.appendChild(list);
    scrollToEnd();
  }

  function setStatus(state) {
    statusEl.dataset.state = state;
    statusEl.textContent = TEXT[state];
  }

  // ---- requests: WebSocket first, HTTP when the socket is down -------------------------

  var pending = new Map(); // id -> {message, timer}
  var nextId = 1;

  function updateTyping() {
    typing.hidden = pending.size === 0;
    scrollToEnd();
  }

  function settle(id, render) {
    var request = pending.get(id);
    if (!request) return; // timed out already, or answered twice
    clearTimeout(request.timer);
    pending.delete(id);
    render();
    updateTyping();
  }

  function answered(id, messages) {
    settle(id, function () {
      messages.forEach(renderBotMessage);
    });
  }

  function failed(id, text, detail) {
    settle(id, function () {
      if (detail) console.warn("[citizen-hub chat]", detail);
      addBubble("error", text);
    });
  }

  function sendOverHttp(id) {
    var request = pending.get(id);
    if (!request) return;
    request.via = "http";
    // text/plain keeps this a CORS "simple request" (no preflight); the hub reads JSON anyway.
    fetch(hubOrigin + "/api/v1/chat", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: JSON.stringify({ sender: sender, message: request.message }),
    })
      .then(function (response) {
        return response.json().then(function (json) {
          if (response.ok && Array.isArray(json)) answered(id, json);
          else failed(id, TEXT.failed, json && json.error);
        });
      })
      .catch(function (err) {
        failed(id, TEXT.failed, err);
      });
  }

  function submit(message, shown) {
    message = String(message || "").trim();
    if (!message) return false;
    if (message.length > MAX_CHARS) {
      addBubble("error", TEXT.tooLong);
      return false;
    }
    addBubble("user", shown || message);
    var id = "m" + nextId++;
    var request = { message: message, via: "ws" };
    request.timer = setTimeout(function () {
      failed(id, TEXT.timeout, "no answer within " + REPLY_TIMEOUT_MS + " ms");
    }, REPLY_TIMEOUT_MS);
    pending.set(id, request);
    updateTyping();
    if (socketOpen()) {
      socket.send(JSON.stringify({ id: id, sender: sender, message: message }));
    } else {
      sendOverHttp(id);
      connect();
    }
    return true;
  }

  // ---- WebSocket with capped exponential backoff --------------------------------------

  var socket = null;
  var attempts = 0;
  var retryTimer = null;
  var stableTimer = null;
  var everConnected = false;

  function socketOpen() {
    return socket !== null && socket.readyState === WebSocket.OPEN;
  }

  function connect() {
    if (retryTimer) {
      clearTimeout(retryTimer);
      retryTimer = null;
    }
    if (socket && socket.readyState <= WebSocket.OPEN) return; // connecting or open
    setStatus(everConnected ? "reconnecting" : "connecting");
    var ws;
    try {
      ws = new WebSocket(wsUrl);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = function () {
      if (socket !== ws) return;
      everConnected = true;
      setStatus("connected");
      // Back off from scratch only once the socket has stayed up: a server that accepts and
      // drops at once must not be hammered every second.
      stableTimer = setTimeout(function () {
        attempts = 0;
      }, STABLE_MS);
    };
    ws.onmessage = function (event) {
      if (socket === ws) onFrame(event.data);
    };
    ws.onclose = function () {
      if (socket !== ws) return;
      socket = null;
      clearTimeout(stableTimer);
      setStatus(everConnected ? "reconnecting" : "connecting");
      // Questions the dropped socket never answered go again over HTTP.
      pending.forEach(function (request, id) {
        if (request.via === "ws") sendOverHttp(id);
      });
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (retryTimer) return;
    var ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * Math.pow(2, attempts));
    attempts += 1;
    // "Equal jitter": between half and all of the ceiling, so clients don't reconnect in step.
    var delay = ceiling / 2 + Math.random() * (ceiling / 2);
    retryTimer = setTimeout(connect, delay);
  }

  function oldestWsRequest() {
    var found = null;
    pending.forEach(function (request, id) {
      if (found === null && request.via === "ws") found = id;
    });
    return found;
  }

  function onFrame(raw) {
    var frame;
    try {
      frame = JSON.parse(raw);
    } catch (e) {
      console.warn("[citizen-hub chat] unreadable frame", raw);
      return;
    }
    // The hub echoes our id; answers come in order, so the oldest request is the fallback.
    var id = frame.id == null ? oldestWsRequest() : frame.id;
    if (id === null || !pending.has(id)) return; // e.g. answered after it timed out
    if (frame.type === "bot" && Array.isArray(frame.messages)) answered(id, frame.messages);
    else failed(id, TEXT.failed, frame.error || frame);
  }

  window.addEventListener("online", function () {
    if (everConnected || retryTimer) {
      attempts = 0;
      connect();
    }
  });

  // ---- open / close, keyboard -----------------------------------------------------------

  var welcomed = false;

  function open(focus) {
    if (!host.isConnected) mount();
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    if (!welcomed) {
      welcomed = true;
      addBubble("bot", WELCOME);
    }
    connect();
    autosize(); // needs the panel laid out
    scrollToEnd();
    if (focus !== false) input.focus();
  }

  function close() {
    var hadFocus = panel.contains(shadow.activeElement);
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    if (hadFocus) launcher.focus();
  }

  launcher.addEventListener("click", function () {
    open();
  });
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submit(input.value)) {
      input.value = "";
      autosize();
    }
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter is a new line; Enter while an IME is composing picks a candidate.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) {
      return;
    }
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit();
    else form.dispatchEvent(new Event("submit", { cancelable: true }));
  });

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  }
  input.addEventListener("input", autosize);

  // ---- mount ---------------------------------------------------------------------------

  function mount() {
    if (!host.isConnected) document.body.appendChild(host);
  }

  window.CitizenHubChat = {
    open: function () {
      open();
    },
    close: close,
    send: function (text) {
      open();
      return submit(text);
    },
    // For tests and troubleshooting: drop the socket as a network failure would.
    _debugDropSocket: function () {
      if (socket) socket.close();
    },
  };

  function start() {
    mount();
    if (START_OPEN) open(false); // don't steal focus (or pop a phone keyboard) on page load
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
