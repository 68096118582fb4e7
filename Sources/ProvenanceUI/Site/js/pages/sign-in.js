// Sign-in: the UI calls the API with a token (an API token of any role; a reader's is enough to look around).

import { ApiError, get, session } from "../api.js";
import { errorBox, h, show } from "../dom.js";

export async function render({ root, search, navigate, signedIn, rendered }) {
  const next = search.get("next") || "/ui/";
  const token = h("input", { type: "password", id: "token", name: "token", autocomplete: "current-password", required: true, placeholder: "prov_…", size: 48 });
  const remember = h("input", { type: "checkbox", id: "remember" });
  const message = h("div");
  const form = h("form", { class: "sign-in" },
    h("h1", {}, "Sign in"),
    h("p", {}, "Paste an API token (", h("code", {}, "provenance tokens create --role reader"), " makes one). It is kept in this tab only, unless you ask this browser to remember it."),
    h("label", { for: "token" }, "Token"), token,
    h("label", { class: "check" }, remember, " Remember on this browser"),
    h("button", { type: "submit" }, "Sign in"),
    message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    session.signIn(token.value.trim(), remember.checked);
    try {
      await get("whoami");
      signedIn();
      navigate(next.startsWith("/ui") && !next.startsWith("/ui/sign-in") ? next : "/ui/", { replace: true });
    } catch (error) {
      session.signOut();
      show(message, errorBox(error instanceof ApiError && error.status === 401 ? new Error(`The server refused this token: ${error.message}`) : error));
    }
  });
  show(root, form);
  token.focus();
  rendered();
}
