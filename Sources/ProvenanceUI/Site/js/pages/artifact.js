// An artifact: what it is (type, URI, state, properties) and its lineage graph, with the question most asked of a
// model ("what data trained it?") one click away.

import { get, inNamespace } from "../api.js";
import { definitionTable, formatProperty, formatTime, h, show, stateBadge } from "../dom.js";
import { LineageExplorer } from "./lineage-explorer.js";

export async function render({ root, namespace, parameters, search, onDispose, isCurrent, rendered }) {
  const ns = encodeURIComponent(namespace);
  const id = Number(parameters[1]);
  const artifact = await get(inNamespace(namespace, `artifacts/${id}`));
  if (!isCurrent()) return;
  document.title = `${artifact.type} #${id} · Provenance`;
  const lineageBox = h("section", { class: "lineage-section", "aria-label": "Lineage" });
  show(root,
    h("h1", {}, `${artifact.type} #${id} `, stateBadge(artifact.state)),
    h("dl", { class: "facts" },
      artifact.name ? [h("dt", {}, "Name"), h("dd", {}, artifact.name)] : null,
      h("dt", {}, "URI"), h("dd", { class: "uri" }, artifact.uri || "—"),
      artifact.external_id ? [h("dt", {}, "External id"), h("dd", {}, artifact.external_id)] : null,
      h("dt", {}, "Created"), h("dd", {}, formatTime(artifact.create_time_since_epoch)),
      h("dt", {}, "Updated"), h("dd", {}, formatTime(artifact.last_update_time_since_epoch)),
      h("dt", {}, "Type"), h("dd", {}, h("a", { href: `/ui/ns/${ns}/artifacts?type=${encodeURIComponent(artifact.type)}` }, `all ${artifact.type} artifacts`))),
    h("h2", {}, "Lineage"),
    lineageBox,
    h("div", { class: "columns" },
      h("section", {}, h("h2", {}, "Properties"), definitionTable(artifact.properties, formatProperty)),
      h("section", {}, h("h2", {}, "Custom properties"), definitionTable(artifact.custom_properties, formatProperty))));
  const explorer = new LineageExplorer(lineageBox, namespace, { onDispose });
  const direction = search.get("lineage");
  if (direction === "upstream" || direction === "downstream") {
    explorer.origin = `a${id}`;
    await explorer.walk(direction.toUpperCase());
  } else {
    await explorer.start(id);
  }
  rendered();
}
