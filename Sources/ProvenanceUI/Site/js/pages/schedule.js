// A schedule: what it runs and when, its policies, where it stands, and its ticks (every fire and what became of
// it: the run it made, or why it was skipped or failed). Pause and resume for those who may.

import { get, inNamespace, post } from "../api.js";
import { definitionTable, errorBox, formatTime, formatValue, h, labelChips, show, stateBadge } from "../dom.js";
import { when } from "./schedules.js";

export async function render({ root, namespace, parameters, whoami, isCurrent, rendered }) {
  const ns = encodeURIComponent(namespace);
  const name = parameters[1];
  const path = `schedules/${encodeURIComponent(name)}`;
  const [schedule, ticks] = await Promise.all([
    get(inNamespace(namespace, path)), get(inNamespace(namespace, `${path}/ticks?page_size=100`)),
  ]);
  if (!isCurrent()) return;
  document.title = `${name} · Schedules · Provenance`;
  const spec = schedule.spec;
  const canWrite = whoami.roles.includes("writer") || whoami.roles.includes("admin");
  const message = h("div");
  const act = (verb) => async () => {
    try {
      await post(inNamespace(namespace, `${path}:${verb}`), {});
      await render({ root, namespace, parameters, whoami, isCurrent, rendered });
    } catch (error) {
      show(message, errorBox(error));
    }
  };
  const action = schedule.state === "PAUSED"
    ? h("button", { type: "button", onclick: act("resume") }, "Resume")
    : h("button", { type: "button", onclick: act("pause") }, "Pause");
  const policies = spec.on_artifact
    ? `overlap ${spec.overlap}, at most ${spec.max_concurrency} active`
    : `catch_up ${spec.catch_up} (limit ${spec.catch_up_limit}), overlap ${spec.overlap}, at most ${spec.max_concurrency} active`
      + (spec.cron ? `, dst ${spec.dst}` : "");
  const tickRows = ticks.ticks.map((tick) => h("tr", { class: `tick tick-${tick.state.toLowerCase()}` },
    h("td", {}, tick.nominal_time),
    h("td", {}, stateBadge(tick.state)),
    h("td", {}, tick.run_id ? h("a", { href: `/ui/ns/${ns}/runs/${tick.run_id}` }, `run #${tick.run_id}`) : "—"),
    spec.on_artifact ? h("td", {}, h("a", { href: `/ui/ns/${ns}/artifacts/${tick.artifact_id}` }, `artifact #${tick.artifact_id}`)) : null,
    h("td", { class: "reason" }, tick.reason || "")));
  show(root,
    h("div", { class: "run-head" },
      h("h1", {}, `Schedule ${name} `, stateBadge(schedule.state)),
      h("div", { class: "actions" },
        canWrite ? action : null,
        h("a", { class: "button", href: `/ui/ns/${ns}/runs?schedule=${encodeURIComponent(name)}` }, "Its runs"))),
    message,
    spec.description ? h("p", {}, spec.description) : null,
    h("dl", { class: "facts" },
      h("dt", {}, "Runs"), h("dd", {}, h("a", { href: `/ui/ns/${ns}/pipelines/${encodeURIComponent(spec.pipeline)}` }, spec.pipeline),
        spec.version ? h("span", { class: "muted" }, ` ${spec.version.slice(0, 12)}`) : null),
      h("dt", {}, "When"), h("dd", {}, when(spec)),
      h("dt", {}, "Policies"), h("dd", {}, policies),
      h("dt", {}, "Next fire"), h("dd", {}, schedule.next_fire_time || "—"),
      h("dt", {}, "Active runs"), h("dd", {}, `${schedule.active_runs}${schedule.queued_ticks ? `, ${schedule.queued_ticks} fires queued` : ""}`),
      h("dt", {}, "Labels"), h("dd", {}, labelChips(spec.labels)),
      h("dt", {}, "Revision"), h("dd", {}, `${schedule.revision}, written ${formatTime(schedule.update_time_since_epoch)}`)),
    h("details", { class: "parameters" }, h("summary", {}, "Parameters"), definitionTable(spec.parameters, formatValue)),
    h("h2", {}, "Fires"),
    tickRows.length === 0 ? h("p", { class: "empty" }, "No fires yet.")
      : h("table", { class: "ticks" },
        h("thead", {}, h("tr", {}, ["Nominal time", "State", "Run", spec.on_artifact ? "Artifact" : null, "Why"]
          .filter(Boolean).map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, tickRows)));
  rendered();
}
