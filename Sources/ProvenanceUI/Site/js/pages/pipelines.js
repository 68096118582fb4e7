// Pipelines: each with its description, its number of versions and when the newest was applied.

import { get, inNamespace } from "../api.js";
import { formatTime, h, show } from "../dom.js";

export async function render({ root, namespace, rendered }) {
  const ns = encodeURIComponent(namespace);
  const answer = await get(inNamespace(namespace, "pipelines?page_size=1000"));
  document.title = "Pipelines · Provenance";
  const rows = answer.pipelines.map((p) => h("tr", {},
    h("td", {}, h("a", { href: `/ui/ns/${ns}/pipelines/${encodeURIComponent(p.name)}` }, p.name)),
    h("td", {}, p.latest?.spec?.description || ""),
    h("td", { class: "number" }, p.version_count),
    h("td", {}, formatTime(p.latest?.create_time_since_epoch)),
    h("td", {}, h("a", { href: `/ui/ns/${ns}/runs?pipeline=${encodeURIComponent(p.name)}` }, "runs"))));
  show(root, h("h1", {}, "Pipelines"),
    rows.length === 0 ? h("p", { class: "empty" }, "No pipelines yet: ", h("code", {}, "provenance pipelines apply FILE.yaml"), " adds one.")
      : h("table", { class: "pipelines" },
        h("thead", {}, h("tr", {}, ["Pipeline", "Description", "Versions", "Newest version", ""].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows)));
  rendered();
}
