// Executors attached now: what each can run, what it runs, when it was last heard from, and its labels.

import { get } from "../api.js";
import { formatAge, formatTime, h, labelChips, show } from "../dom.js";

export async function render({ root, onDispose, isCurrent, rendered }) {
  document.title = "Executors · Provenance";
  const body = h("tbody");
  const summary = h("p", { class: "muted" });
  show(root, h("h1", {}, "Executors"), summary,
    h("table", { class: "executors" },
      h("thead", {}, h("tr", {}, ["Executor", "Busy", "Slots", "CPU", "Memory", "GPU", "Last heartbeat", "Attached since", "Labels"].map((t) => h("th", { scope: "col" }, t)))),
      body));
  async function load() {
    const answer = await get("executors");
    if (!isCurrent()) return;
    const executors = answer.executors;
    const busy = executors.reduce((n, e) => n + (e.running || 0), 0);
    const slots = executors.reduce((n, e) => n + e.capacity.slots, 0);
    summary.textContent = executors.length === 0
      ? "No executor is attached: start one with `provenance executor --server URL`."
      : `${executors.length} attached, ${busy} of ${slots} slots busy.`;
    body.replaceChildren(...executors.map((e) => h("tr", { "data-executor": e.id },
      h("td", {}, `${e.name} (#${e.id})`),
      h("td", { class: "number" }, `${e.running ?? 0}`),
      h("td", { class: "number" }, e.capacity.slots),
      h("td", { class: "number" }, e.capacity.cpu),
      h("td", { class: "number" }, `${e.capacity.memory_mb} MiB`),
      h("td", { class: "number" }, e.capacity.gpu),
      h("td", { title: formatTime(e.last_seen_since_epoch) }, formatAge(e.last_seen_since_epoch)),
      h("td", {}, formatTime(e.register_time_since_epoch)),
      h("td", {}, labelChips(e.labels)))));
  }
  await load();
  rendered();
  // Heartbeats are not events of the stream: the list is read again every 5 s while shown.
  const timer = setInterval(() => load().catch(() => {}), 5000);
  onDispose(() => clearInterval(timer));
}
