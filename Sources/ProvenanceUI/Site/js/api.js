// The UI's one way to the server: the public REST API (with the token it signed in with) and the live event
// stream. Nothing here knows about pages.

const TOKEN_KEY = "provenance.token";

/** An answer that was not a success: the server's code, message and field when it sent them. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY) || localStorage.getItem(TOKEN_KEY) || ""; },
  /** Keeps the token for this tab, or on this browser when `remember`. */
  signIn(token, remember) {
    this.signOut();
    (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, token);
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(TOKEN_KEY);
  },
};

function headers(extra = {}) {
  const all = { Accept: "application/json", ...extra };
  if (session.token) all.Authorization = `Bearer ${session.token}`;
  return all;
}

/** Calls the API at `path` (under /api/v1 unless it starts with /), answering its JSON. */
export async function call(method, path, body, { signal } = {}) {
  const url = path.startsWith("/") ? path : `/api/v1/${path}`;
  const init = { method, headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }), signal };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(url, init);
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    const error = json && json.error ? json.error : {};
    throw new ApiError(response.status, error.code, error.message || text.trim() || response.statusText, error.details && error.details.field);
  }
  return json;
}

export const get = (path, options) => call("GET", path, undefined, options);
export const post = (path, body, options) => call("POST", path, body, options);

/** `ns`'s API path under /api/v1. */
export const inNamespace = (ns, path) => `namespaces/${encodeURIComponent(ns)}/${path}`;

/** A query string of the parameters that have a value. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/**
 * A subscription to `GET /namespaces/{ns}/events:stream`, read with fetch (EventSource cannot send a token). It
 * reconnects after a dropped connection with the last event id it saw, so no event is missed within the server's
 * retention window; when the server says the window was passed (`reset`) or the subscriber was dropped,
 * `onReset` is called so the page reloads what it shows.
 */
export class EventStream {
  constructor(ns, filter, { onEvent, onReset, onState }) {
    this.url = `/api/v1/${inNamespace(ns, "events:stream")}${query(filter)}`;
    this.onEvent = onEvent;
    this.onReset = onReset || (() => {});
    this.onState = onState || (() => {});
    this.lastEventId = null;
    this.controller = new AbortController();
    this.closed = false;
    this.retryMs = 2000;
    this.run();
  }

  close() {
    this.closed = true;
    this.controller.abort();
  }

  async run() {
    while (!this.closed) {
      try {
        const extra = this.lastEventId ? { "Last-Event-ID": this.lastEventId } : {};
        const response = await fetch(this.url, {
          headers: headers({ Accept: "text/event-stream", ...extra }), signal: this.controller.signal,
        });
        if (!response.ok) throw new ApiError(response.status, null, `event stream: HTTP ${response.status}`);
        this.onState("live");
        await this.read(response.body.getReader());
      } catch (error) {
        if (this.closed) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          this.onState("refused");
          return;
        }
      }
      if (this.closed) return;
      this.onState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
  }

  async read(reader) {
    const decoder = new TextDecoder();
    let buffer = "";
    let message = { data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.search(/\r\n|\n|\r/)) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer[end] === "\r" && buffer[end + 1] === "\n" ? 2 : 1));
        if (line === "") {
          this.dispatch(message);
          message = { data: [] };
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "data") message.data.push(value);
          else if (field === "event") message.event = value;
          else if (field === "id") message.id = value;
          else if (field === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
        }
      }
    }
  }

  dispatch(message) {
    if (message.data.length === 0 && !message.event) return;
    if (message.id) this.lastEventId = message.id;
    let data = {};
    try { data = JSON.parse(message.data.join("\n")); } catch { data = {}; }
    const kind = message.event || "message";
    if (kind === "reset" || kind === "dropped") {
      this.onReset(kind, data.reason || "");
      if (kind === "reset") this.lastEventId = null;
      return;
    }
    if (kind === "shutdown") return;
    this.onEvent(kind, data);
  }
}
