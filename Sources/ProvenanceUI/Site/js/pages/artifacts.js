// Artifacts: by type and MLMD filter (in the address), newest first, paged.

import { get, inNamespace, query } from "../api.js";
import { formatTime, h, show, stateBadge } from "../dom.js";

export async function render({ root, namespace, search, navigate, rendered }) {
  const ns = encodeURIComponent(namespace);
  const filter = { type: search.get("type") || "", filter: search.get("filter") || "" };
  const [page, types] = await Promise.all([
    get(inNamespace(namespace, `artifacts${query({ ...filter, page_size: 100, order_by: "id desc", page_token: search.get("page_token") })}`)),
    get(inNamespace(namespace, "types?kind=artifact")),
  ]);
  document.title = "Artifacts · Provenance";
  const typeSelect = h("select", { name: "type", id: "filter-type" }, h("option", { value: "" }, "any"),
    [...new Set(types.types.map((t) => t.name))].sort().map((name) => h("option", { value: name }, name)));
  typeSelect.value = filter.type;
  const filterInput = h("input", { type: "search", name: "filter", id: "filter-query", value: filter.filter, size: 48,
    placeholder: "state = LIVE AND custom_properties.customer.string_value = 'acme'" });
  const form = h("form", { class: "filters", role: "search" },
    h("label", {}, "Type ", typeSelect), h("label", {}, "Filter ", filterInput), h("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(`/ui/ns/${ns}/artifacts${query({ type: typeSelect.value, filter: filterInput.value.trim() })}`);
  });
  const artifacts = page.artifacts || [];
  const rows = artifacts.map((a) => h("tr", {},
    h("td", {}, h("a", { href: `/ui/ns/${ns}/artifacts/${a.id}` }, `#${a.id}`)),
    h("td", {}, a.type), h("td", {}, a.name || ""), h("td", {}, stateBadge(a.state)),
    h("td", { class: "uri" }, a.uri || ""), h("td", {}, formatTime(a.create_time_since_epoch)),
    h("td", {}, h("a", { href: `/ui/ns/${ns}/artifacts/${a.id}?lineage=upstream`, title: "What made it: its whole upstream lineage" }, "provenance"))));
  const next = page.next_page_token
    ? h("a", { class: "button", href: `/ui/ns/${ns}/artifacts${query({ ...filter, page_token: page.next_page_token })}` }, "Older artifacts →")
    : null;
  show(root, h("h1", {}, "Artifacts"), form,
    rows.length === 0 ? h("p", { class: "empty" }, "No artifacts match.")
      : h("table", { class: "artifacts" },
        h("thead", {}, h("tr", {}, ["Artifact", "Type", "Name", "State", "URI", "Created", ""].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows)),
    next);
  rendered();
}
