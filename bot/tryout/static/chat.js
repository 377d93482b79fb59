// The try-out's chat page: one person per tab (kept across reloads in sessionStorage), the bot's
// side arrives as server-sent events, the person's side goes out as small JSON posts.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { person: null, zone: "UTC", clockOffset: 0, events: null, commands: [] };

// --- talking to the try-out ---------------------------------------------------------------

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
  });
  return { status: response.status, data: await response.json().catch(() => ({})) };
}

async function begin() {
  const saved = sessionStorage.getItem("person");
  if (saved) {
    const known = await fetch(`/api/people/${saved}/clock`);
    if (known.ok) {
      state.person = saved;
      state.commands = JSON.parse(sessionStorage.getItem("commands") || "[]");
      state.cities = JSON.parse(sessionStorage.getItem("cities") || "[]");
      return listen();
    }
  }
  const { data } = await post("/api/people");
  state.person = String(data.person);
  state.commands = data.commands;
  state.cities = data.cities;
  sessionStorage.setItem("person", state.person);
  sessionStorage.setItem("commands", JSON.stringify(data.commands));
  sessionStorage.setItem("cities", JSON.stringify(data.cities));
  listen();
}

function listen() {
  buildMenus();
  refreshClock();
  const events = new EventSource(`/api/people/${state.person}/events`);
  state.events = events;
  events.onopen = () => setStatus("bot");
  events.onmessage = (message) => apply(JSON.parse(message.data));
  events.onerror = () => {
    setStatus("connecting…");
    if (events.readyState === EventSource.CLOSED) setTimeout(restart, 1000);
  };
}

function restart() {
  // The try-out was restarted (its people are gone): begin again as a new person.
  if (state.events) state.events.close();
  sessionStorage.removeItem("person");
  $("messages").replaceChildren();
  showKeyboard(null);
  begin();
}

function setStatus(text) { $("status").textContent = text; }

// --- what the bot did -----------------------------------------------------------------------

function apply(event) {
  switch (event.type) {
    case "snapshot":
      $("messages").replaceChildren(...event.items.map(render));
      showKeyboard(event.keyboard);
      scrollDown(true);
      break;
    case "message":
      $("messages").append(render(event.item));
      scrollDown(true);
      if (event.item.from === "bot") refreshClockSoon();
      break;
    case "edit": {
      const old = document.getElementById(`m-${event.item.id}`);
      const fresh = render(event.item);
      if (old) {
        keepPlayingMedia(old, fresh);
        old.replaceWith(fresh);
      } else {
        $("messages").append(fresh);
      }
      refreshClockSoon();
      break;
    }
    case "delete": {
      const gone = document.getElementById(`m-${event.id}`);
      if (gone) gone.remove();
      break;
    }
    case "toast":
      clearPending();
      event.alert ? showAlert(event.text) : showToast(event.text);
      break;
    case "keyboard":
      showKeyboard(event.keyboard);
      break;
    case "clock":
      refreshClock();
      break;
  }
}

function render(item) {
  const row = document.createElement("div");
  row.className = `row ${{ me: "out", bot: "in", system: "system" }[item.from]}`;
  row.id = `m-${item.id}`;
  row.dataset.at = item.at;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (item.media) bubble.append(renderMedia(item.media));
  const text = document.createElement("div");
  text.className = "text";
  text.innerHTML = item.html; // made safe on the server: only Telegram's tags, escaped text
  text.querySelectorAll(".spoiler").forEach((s) => s.addEventListener("click", () => s.classList.add("shown")));
  bubble.append(text);
  if (item.media && !item.html && item.media.kind !== "document") bubble.classList.add("media-only");
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.dataset.edited = item.edited ? "1" : "";
  meta.textContent = timeLabel(item.at, item.edited);
  (item.html ? text : bubble).append(meta);
  row.append(bubble);
  if (item.buttons && item.buttons.length) row.append(renderButtons(item));
  return row;
}

function renderMedia(media) {
  if (media.kind === "photo") {
    const img = document.createElement("img");
    img.className = "media";
    img.src = media.url;
    img.alt = "Picture";
    img.addEventListener("load", () => scrollDown(false));
    return img;
  }
  if (media.kind === "animation" || media.kind === "video") {
    const video = document.createElement("video");
    video.className = "media";
    video.src = media.url;
    Object.assign(video, { autoplay: true, loop: true, muted: true, playsInline: true });
    video.setAttribute("autoplay", "");
    video.setAttribute("loop", "");
    video.setAttribute("muted", "");
    video.setAttribute("playsinline", "");
    video.addEventListener("loadeddata", () => scrollDown(false));
    return video;
  }
  const link = document.createElement("a");
  link.className = "doc";
  link.href = media.url;
  link.download = media.name;
  link.innerHTML = '<span class="doc-icon">⬇</span><span class="doc-name"></span>';
  link.querySelector(".doc-name").textContent = media.name;
  return link;
}

function keepPlayingMedia(old, fresh) {
  // An edit of the caption must not restart the picture or animation above it.
  const before = old.querySelector(".media");
  const after = fresh.querySelector(".media");
  if (before && after && before.getAttribute("src") === after.getAttribute("src")) after.replaceWith(before);
}

function renderButtons(item) {
  const keyboard = document.createElement("div");
  keyboard.className = "keyboard";
  for (const row of item.buttons) {
    const line = document.createElement("div");
    line.className = "kb-row";
    for (const button of row) {
      let element;
      if (button.url) {
        element = document.createElement("a");
        element.href = button.url;
        element.target = "_blank";
        element.rel = "noopener noreferrer";
      } else {
        element = document.createElement("button");
        element.type = "button";
        element.addEventListener("click", () => press(item.message_id, button.data, element));
      }
      element.className = "kb";
      element.textContent = button.text;
      line.append(element);
    }
    keyboard.append(line);
  }
  return keyboard;
}

// --- what the person does ---------------------------------------------------------------------

async function press(messageId, data, element) {
  element.classList.add("pending");
  setTimeout(() => element.classList.remove("pending"), 1500);
  const { status } = await post(`/api/people/${state.person}/press`, { message_id: messageId, data });
  if (status === 410) showToast("That message is gone.");
  else if (status === 404) restart();
}

function clearPending() {
  document.querySelectorAll(".kb.pending").forEach((b) => b.classList.remove("pending"));
}

async function sendText(text) {
  text = text.trim();
  if (!text) return;
  const { status } = await post(`/api/people/${state.person}/text`, { text });
  if (status === 404) restart();
  else if (status !== 200) showToast("That message could not be sent.");
}

async function shareLocation(city) {
  hidePopups();
  await post(`/api/people/${state.person}/location`, { city });
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("text");
  sendText(input.value);
  input.value = "";
  hidePopups();
});

function buildMenus() {
  const commands = $("commands");
  commands.replaceChildren();
  for (const { command, description } of state.commands) {
    const item = document.createElement("button");
    item.type = "button";
    item.setAttribute("role", "menuitem");
    item.innerHTML = '<span class="command"></span><span class="what"></span>';
    item.querySelector(".command").textContent = `/${command}`;
    item.querySelector(".what").textContent = description;
    item.dataset.command = command;
    item.addEventListener("click", () => {
      hidePopups();
      $("text").value = "";
      sendText(`/${command}`);
    });
    commands.append(item);
  }
  const cities = $("cities");
  cities.querySelectorAll("button").forEach((b) => b.remove());
  for (const city of state.cities || []) {
    const item = document.createElement("button");
    item.type = "button";
    item.setAttribute("role", "menuitem");
    item.textContent = `📍 ${city}`;
    item.addEventListener("click", () => shareLocation(city));
    cities.append(item);
  }
}

function togglePopup(id, button) {
  const popup = $(id);
  const opening = popup.hidden;
  hidePopups();
  popup.hidden = !opening;
  button.setAttribute("aria-expanded", String(opening));
}

function hidePopups() {
  for (const id of ["commands", "cities"]) $(id).hidden = true;
  $("commands").querySelectorAll("button").forEach((b) => (b.hidden = false));
  $("menu-button").setAttribute("aria-expanded", "false");
  $("attach").setAttribute("aria-expanded", "false");
}

$("menu-button").addEventListener("click", (e) => togglePopup("commands", e.currentTarget));

// Typing "/" suggests the bot's commands, as Telegram does.
$("text").addEventListener("input", () => {
  const typed = $("text").value;
  const partial = /^\/(\w*)$/.exec(typed);
  if (!partial) {
    if (!$("commands").hidden) hidePopups();
    return;
  }
  let shown = 0;
  $("commands").querySelectorAll("button").forEach((b) => {
    b.hidden = !b.dataset.command.startsWith(partial[1].toLowerCase());
    if (!b.hidden) shown += 1;
  });
  $("commands").hidden = shown === 0;
});
$("attach").addEventListener("click", (e) => togglePopup("cities", e.currentTarget));
$("chat").addEventListener("click", hidePopups);

function showKeyboard(keyboard) {
  const area = $("reply-keyboard");
  area.replaceChildren();
  area.hidden = !keyboard;
  $("text").placeholder = (keyboard && keyboard.placeholder) || "Message";
  if (!keyboard) return;
  for (const row of keyboard.rows) {
    const line = document.createElement("div");
    line.className = "kb-row";
    for (const button of row) {
      const element = document.createElement("button");
      element.type = "button";
      element.textContent = button.text;
      element.addEventListener("click", () =>
        button.location ? togglePopup("cities", $("attach")) : sendText(button.text));
      line.append(element);
    }
    area.append(line);
  }
}

$("new-person").addEventListener("click", restart);

// --- the coach's clock -----------------------------------------------------------------------

let clockTimer = null;

async function refreshClock() {
  const response = await fetch(`/api/people/${state.person}/clock`);
  if (!response.ok) return;
  const { now, zone } = await response.json();
  state.clockOffset = now - Date.now();
  state.zone = zone;
  drawClock();
  document.querySelectorAll(".row").forEach((row) => {
    const meta = row.querySelector(".meta");
    if (meta) meta.textContent = timeLabel(Number(row.dataset.at), meta.dataset.edited === "1");
  });
}

function refreshClockSoon() {
  clearTimeout(clockTimer);
  clockTimer = setTimeout(refreshClock, 400);
}

function drawClock() {
  const now = new Date(Date.now() + state.clockOffset);
  $("clock-now").textContent = new Intl.DateTimeFormat([], {
    timeZone: state.zone, weekday: "short", day: "numeric", month: "short",
    hour: "2-digit", minute: "2-digit", hour12: false,
  }).format(now);
  $("clock-zone").textContent = `(${state.zone})`;
  const hour = Number(new Intl.DateTimeFormat("en-GB", {
    timeZone: state.zone, hour: "2-digit", hourCycle: "h23",
  }).format(now));
  // The jump goes to the next 08:00: this morning's while it is still ahead.
  $("jump-morning").textContent = hour < 8 ? "Jump to 08:00 this morning" : "Jump to tomorrow 08:00";
}
setInterval(drawClock, 10000);

function timeLabel(at, edited) {
  const shown = new Intl.DateTimeFormat([], {
    timeZone: state.zone, hour: "2-digit", minute: "2-digit", hour12: false,
  }).format(new Date(at));
  return edited ? `edited ${shown}` : shown;
}

$("clock-toggle").addEventListener("click", (e) => {
  const panel = $("clock-panel");
  panel.hidden = !panel.hidden;
  e.currentTarget.setAttribute("aria-expanded", String(!panel.hidden));
  if (!panel.hidden) refreshClock();
});

document.querySelectorAll("[data-jump]").forEach((button) =>
  button.addEventListener("click", async () => {
    document.querySelectorAll("[data-jump]").forEach((b) => (b.disabled = true));
    try {
      const { status, data } = await post(`/api/people/${state.person}/clock`, { jump: button.dataset.jump });
      if (status === 200) {
        state.clockOffset = data.now - Date.now();
        state.zone = data.zone;
        drawClock();
      } else {
        showToast("The clock could not be moved.");
      }
    } finally {
      document.querySelectorAll("[data-jump]").forEach((b) => (b.disabled = false));
    }
  }));

// --- notices and scrolling ---------------------------------------------------------------------

let toastTimer = null;
function showToast(text) {
  const toast = $("toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.hidden = true), 2500);
}

function showAlert(text) {
  $("alert-text").textContent = text;
  $("alert").hidden = false;
  $("alert-ok").focus();
}
$("alert-ok").addEventListener("click", () => ($("alert").hidden = true));

// Follow the newest message while the person is at the bottom (also as pictures load);
// leave them where they are while they read further up.
let pinned = true;
$("chat").addEventListener("scroll", () => {
  const chat = $("chat");
  pinned = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
});

function scrollDown(always) {
  const chat = $("chat");
  if (always) pinned = true;
  if (pinned) chat.scrollTop = chat.scrollHeight;
}

begin();
