// What an address that names nothing shows: what was not found, and ways on.

import { h, show } from "../dom.js";

export async function render({ root, message, rendered }) {
  show(root,
    h("section", { class: "not-found", "data-page": "not-found" },
      h("h1", {}, "Not found"),
      h("p", {}, message || `Nothing here: ${location.pathname} is not a page of Provenance.`),
      h("p", {}, h("a", { href: "/ui/runs" }, "Runs"), " · ", h("a", { href: "/ui/artifacts" }, "Artifacts"), " · ",
        h("a", { href: "/ui/pipelines" }, "Pipelines"))));
  document.title = "Not found · Provenance";
  rendered();
}
