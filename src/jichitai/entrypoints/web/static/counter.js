// The counter's little JavaScript. Everything works without it; it adds keyboard walking of
// result tables, checks as the clerk types, and a guard against double submits.
"use strict";

// ↑/↓ move between the rows' first links of a table marked data-keyboard-table.
document.addEventListener("keydown", (event) => {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const link = event.target.closest && event.target.closest("table[data-keyboard-table] tbody a");
  if (!link) return;
  const table = link.closest("table");
  const links = Array.from(table.querySelectorAll("tbody tr")).map((tr) => tr.querySelector("a")).filter(Boolean);
  const at = links.indexOf(link);
  const next = links[at + (event.key === "ArrowDown" ? 1 : -1)];
  if (next) { next.focus(); event.preventDefault(); }
});

// A form marked data-live-check="URL" is sent to URL (same fields, same CSRF token) a moment
// after the clerk stops typing; the answer {"fields": {name: [message]}, "general": [message]}
// is shown next to each field, as the server's own check would on submit.
function showMessages(form, answer) {
  form.querySelectorAll("[data-messages-for]").forEach((box) => {
    const name = box.getAttribute("data-messages-for");
    const messages = name ? (answer.fields[name] || []) : (answer.general || []);
    box.replaceChildren(...messages.map((text) => {
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = text;
      return p;
    }));
    const input = name && form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (input) {
      if (messages.length) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      input.closest(".field")?.classList.toggle("has-error", messages.length > 0);
    }
  });
}

document.querySelectorAll("form[data-live-check]").forEach((form) => {
  let timer = null;
  const check = async () => {
    try {
      const response = await fetch(form.getAttribute("data-live-check"), {
        method: "POST", body: new FormData(form), credentials: "same-origin",
      });
      if (response.ok) showMessages(form, await response.json());
    } catch (_) { /* the server checks again on submit */ }
  };
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 400); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(check, 150); });
});

// One click, one submission: the button is disabled once the form is on its way (the server is
// idempotent anyway: each form carries its own token).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.submitted) { event.preventDefault(); return; }
  form.dataset.submitted = "1";
  setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; }), 0);
});
// Coming back with the back button shows the page from memory: let it be sent again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-submitted]").forEach((form) => {
    delete form.dataset.submitted;
    form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = false; });
  });
});
