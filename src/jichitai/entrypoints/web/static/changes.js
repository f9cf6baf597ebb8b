// 異動届の入力: how each date was understood, shown as the clerk types (和暦 or 西暦), and the
// 町字 of this municipality that begin with what is typed in an address (the <datalist> the
// browser offers with ↓). The form works without this; the server echoes dates on every page.
"use strict";

document.querySelectorAll("form[data-assist]").forEach((form) => {
  const url = form.getAttribute("data-assist");
  const towns = document.getElementById("town-areas");
  let timer = null;
  const assist = async (target) => {
    const body = new FormData(form);
    const typingTown = target && target.getAttribute && target.getAttribute("list") === "town-areas";
    if (typingTown) body.set("town", target.value);
    try {
      const response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
      if (!response.ok) return;
      const answer = await response.json();
      form.querySelectorAll("[data-echo-for]").forEach((p) => {
        p.textContent = answer.dates[p.getAttribute("data-echo-for")] || "";
      });
      if (typingTown && towns && answer.towns.length) {
        const postcodes = answer.postcodes || {};
        towns.replaceChildren(...answer.towns.map((name) => {
          const option = document.createElement("option");
          option.value = name;
          if (postcodes[name]) {
            option.setAttribute("data-postcode", postcodes[name]);
            option.label = `${name}　〒${postcodes[name]}`;
          }
          return option;
        }));
      }
    } catch (_) { /* the server shows the same on the next page */ }
  };
  // A 町字 chosen from the master fills its 郵便番号 (when the clerk has typed none).
  const fillPostcode = (target) => {
    if (!towns || !target || !target.name || !target.name.endsWith(".town_area")) return;
    const option = Array.from(towns.options).find((o) => o.value === target.value);
    const code = option && option.getAttribute("data-postcode");
    const postcode = form.elements.namedItem(target.name.replace(/\.town_area$/, ".postcode"));
    if (code && postcode && !postcode.value) postcode.value = code;
  };
  form.addEventListener("input", (event) => {
    fillPostcode(event.target);
    clearTimeout(timer);
    timer = setTimeout(() => assist(event.target), 300);
  });
  // Ticking an item of the correction form opens its inputs; a 届出人 other than 本人 or
  // 世帯主 (代理人, その他) opens their name and address.
  form.addEventListener("change", (event) => {
    const box = event.target;
    if (box.name === "notifier.kind" && (box.value === "agent" || box.value === "other")) {
      const notifier = document.getElementById("group-notifier_details");
      const fold = notifier && notifier.closest("details");
      if (fold) fold.open = true;
    }
    if (box.name !== "items" || !box.checked) return;
    const fold = document.getElementById(`group-item-${box.value}`) || document.getElementById(`group-changes-${box.value}`);
    const details = fold && fold.closest("details");
    if (details) details.open = true;
  });
});
