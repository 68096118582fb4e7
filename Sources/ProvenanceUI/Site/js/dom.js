// Small helpers every page uses: building elements, escaping, and the formats of times, durations and values.

/**
 * An element: `h("a", {href: "/x", class: "y"}, "text", child)`. Attributes starting with `on` are listeners;
 * `null`, `undefined` and `false` children and attributes are left out.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Text made safe inside SVG or HTML markup built as a string. */
export function escapeMarkup(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** Replaces the page's content. */
export function show(root, ...children) {
  root.replaceChildren();
  append(root, children);
}

export function formatTime(millis) {
  if (!millis) return "";
  const date = new Date(millis);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export function formatDuration(millis) {
  if (millis === undefined || millis === null) return "";
  if (millis < 1000) return `${Math.round(millis)} ms`;
  const seconds = millis / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

/** How long ago `millis` was, in words ("12 s ago"). */
export function formatAge(millis) {
  if (!millis) return "";
  return `${formatDuration(Math.max(0, Date.now() - millis))} ago`;
}

export function formatNumber(value) {
  if (typeof value !== "number") return value === null || value === undefined ? "" : String(value);
  if (Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(3);
  return value.toPrecision(5).replace(/\.?0+$/, "");
}

/** A parameter or property value as text (objects as JSON). */
export function formatValue(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** An MLMD property value (`{"double": 0.5}`, `{"string": "x"}`, ...) as text. */
export function formatProperty(value) {
  if (value && typeof value === "object") {
    const [kind, inner] = Object.entries(value)[0] || [];
    if (kind === "struct" || kind === "proto") return JSON.stringify(inner);
    return formatValue(inner);
  }
  return formatValue(value);
}

/** A state as a badge coloured by what it means. */
export function stateBadge(state) {
  return h("span", { class: `state state-${String(state || "").toLowerCase()}` }, state || "—");
}

/** A key=value list as chips. */
export function labelChips(labels) {
  const entries = Object.entries(labels || {});
  if (entries.length === 0) return h("span", { class: "muted" }, "—");
  return h("span", { class: "chips" }, entries.map(([k, v]) => h("span", { class: "chip" }, `${k}=${v}`)));
}

/** A table with a header row; `rows` are arrays of cells (text or nodes). */
export function table(headers, rows, attributes = {}) {
  return h("table", attributes,
    h("thead", {}, h("tr", {}, headers.map((header) => h("th", { scope: "col" }, header)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell))))));
}

/** A two-column table of a key/value object. */
export function definitionTable(entries, format = formatValue) {
  const list = Object.entries(entries || {});
  if (list.length === 0) return h("p", { class: "muted" }, "None.");
  return h("table", { class: "kv" }, h("tbody", {}, list.map(([key, value]) =>
    h("tr", {}, h("th", { scope: "row" }, key), h("td", {}, format(value))))));
}

/** The message of a failed call, as a page shows it. */
export function errorBox(error) {
  return h("div", { class: "error", role: "alert" }, error && error.message ? error.message : String(error));
}
