// The fleet: one row per customer of a pipeline, what stands out (blocked, failing, stale) first: its latest run
// and age, last success, next scheduled fire.

import { get, inNamespace, query } from "../api.js";
import { formatDuration, h, show, stateBadge } from "../dom.js";

export async function render({ root, namespace, search, navigate, rendered }) {
  const ns = encodeURIComponent(namespace);
  const pipelines = (await get(inNamespace(namespace, "pipelines?page_size=500"))).pipelines;
  const pipeline = search.get("pipeline") || (pipelines[0] && pipelines[0].name) || "";
  document.title = "Fleet · Provenance";
  const picker = h("select", { id: "fleet-pipeline", onchange: (event) => navigate(`/ui/ns/${ns}/fleet${query({ pipeline: event.target.value })}`) },
    pipelines.map((p) => h("option", { value: p.name }, p.name)));
  picker.value = pipeline;
  if (!pipeline) {
    show(root, h("h1", {}, "Fleet"), h("p", { class: "empty" }, "No pipelines yet."));
    rendered();
    return;
  }
  const fleet = await get(inNamespace(namespace, `fleet${query({ pipeline })}`));
  const run = (r) => r ? [h("a", { href: `/ui/ns/${ns}/runs/${r.id}` }, `#${r.id}`), " ", stateBadge(r.state),
    h("span", { class: "muted" }, ` ${formatDuration(r.age_ms)} ago`)] : "—";
  const rows = fleet.entries.map((entry) => h("tr", { class: entry.stands_out ? "stands-out" : "", "data-key": entry.key },
    h("td", {}, h("a", { href: `/ui/ns/${ns}/runs${query({ pipeline, labels: `${fleet.label}=${entry.key}` })}` }, entry.key)),
    h("td", {}, stateBadge(entry.status.toUpperCase()), entry.blocked_reason ? h("div", { class: "muted" }, entry.blocked_reason) : null),
    h("td", {}, run(entry.latest_run)),
    h("td", {}, run(entry.last_success)),
    h("td", {}, entry.next_fire
      ? [entry.next_fire.time, " ", h("a", { class: "muted", href: `/ui/ns/${ns}/schedules/${encodeURIComponent(entry.next_fire.schedule)}` }, entry.next_fire.schedule)]
      : "—")));
  const counts = Object.entries(fleet.counts).map(([status, n]) => `${n} ${status.replace("_", " ")}`).join(", ");
  show(root,
    h("div", { class: "run-head" }, h("h1", {}, "Fleet"), h("label", {}, "Pipeline ", picker)),
    h("p", { class: "muted" }, `${fleet.entries.length} ${fleet.label}s${counts ? `: ${counts}` : ""}`),
    rows.length === 0 ? h("p", { class: "empty" }, `No runs of ${pipeline} carry a ${fleet.label} label yet.`)
      : h("table", { class: "fleet" },
        h("thead", {}, h("tr", {}, [fleet.label.charAt(0).toUpperCase() + fleet.label.slice(1), "Status", "Latest run", "Last success", "Next fire"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows)));
  rendered();
}
