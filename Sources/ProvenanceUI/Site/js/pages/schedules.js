// Schedules: each with its pipeline, when it fires, its state, its next fire and its last (with the run it made).

import { get, inNamespace } from "../api.js";
import { h, show, stateBadge } from "../dom.js";

/** When a schedule fires, in words: `0 2 * * * (Europe/Berlin)`, `every 6h`, `each new Clickstream`. */
export function when(spec) {
  if (spec.cron) return `${spec.cron} (${spec.time_zone})`;
  if (spec.interval) return `every ${spec.interval}`;
  const trigger = spec.on_artifact || {};
  return `each new ${trigger.type}${trigger.filter ? ` where ${trigger.filter}` : ""}`;
}

export async function render({ root, namespace, search, rendered }) {
  const ns = encodeURIComponent(namespace);
  const pipeline = search.get("pipeline");
  const answer = await get(inNamespace(namespace, `schedules${pipeline ? `?pipeline=${encodeURIComponent(pipeline)}` : ""}`));
  document.title = "Schedules · Provenance";
  const rows = answer.schedules.map((s) => h("tr", {},
    h("td", {}, h("a", { href: `/ui/ns/${ns}/schedules/${encodeURIComponent(s.name)}` }, s.name)),
    h("td", {}, h("a", { href: `/ui/ns/${ns}/pipelines/${encodeURIComponent(s.spec.pipeline)}` }, s.spec.pipeline)),
    h("td", {}, when(s.spec)),
    h("td", {}, stateBadge(s.state)),
    h("td", {}, s.next_fire_time || "—"),
    h("td", {}, s.last_fire
      ? [s.last_fire.nominal_time, " ", h("a", { href: `/ui/ns/${ns}/runs/${s.last_fire.run_id}` }, `run #${s.last_fire.run_id}`)]
      : "—"),
    h("td", { class: "number" }, s.active_runs)));
  show(root, h("h1", {}, pipeline ? `Schedules of ${pipeline}` : "Schedules"),
    rows.length === 0 ? h("p", { class: "empty" }, "No schedules yet: ", h("code", {}, "provenance schedules apply FILE.yaml"), " adds one.")
      : h("table", { class: "schedules" },
        h("thead", {}, h("tr", {}, ["Schedule", "Pipeline", "When", "State", "Next fire", "Last fire", "Active runs"]
          .map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows)));
  rendered();
}
