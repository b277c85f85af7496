// Small behaviours shared by every page. htmx does the rest.
document.addEventListener("htmx:responseError", (event) => {
  // A failed partial update must not fail silently: show the server's error page in place.
  const target = event.detail.target;
  if (target && event.detail.xhr.responseText) {
    target.innerHTML = event.detail.xhr.responseText;
  }
});
document.addEventListener("htmx:sendError", () => {
  const box = document.getElementById("network-error");
  if (box) box.hidden = false;
});

// ---- Lobby kiosk ----------------------------------------------------------------------------------
// Only a registered kiosk gets body.kiosk (the server decides). An idle kiosk forgets its visitor:
// it goes to the reset URL, which clears the session and shows the start screen, so no personal data
// stays on the screen or in the page.
(function () {
  const body = document.body;
  if (!body || !body.classList.contains("kiosk")) return;

  const idleMs = Number(body.dataset.idleSeconds || 60) * 1000;
  const resetUrl = body.dataset.resetUrl;
  let timer;
  const restart = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      document.querySelector("main").replaceChildren();  // wipe the DOM before the reload lands
      window.location.replace(resetUrl);
    }, idleMs);
  };
  ["pointerdown", "keydown", "input", "scroll", "htmx:afterSwap"].forEach((name) =>
    document.addEventListener(name, restart, { passive: true }));
  restart();

  // The kiosk's printer: a talon prints as an 80 mm receipt (the print CSS picks the page size).
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  // On-screen numeric keypad for IIN and code fields (inputmode="numeric"): no keyboard at the kiosk.
  const keypad = document.getElementById("keypad");
  let target = null;
  document.addEventListener("focusin", (event) => {
    const field = event.target;
    if (field.matches && field.matches('input[inputmode="numeric"]')) {
      target = field;
      keypad.hidden = false;
    }
  });
  keypad.addEventListener("pointerdown", (event) => event.preventDefault());  // keep focus in the field
  keypad.addEventListener("click", (event) => {
    const key = event.target.closest("[data-key]");
    if (!key || !target) return;
    const value = key.dataset.key;
    if (value === "done") { keypad.hidden = true; target.blur(); return; }
    if (value === "back") target.value = target.value.slice(0, -1);
    else if (value === "clear") target.value = "";
    else if (!target.maxLength || target.maxLength < 0 || target.value.length < target.maxLength) target.value += value;
    target.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
