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

// When htmx replaces the part of the page that held the focus (a chosen link, a sent form), the focus would
// fall back to the top of the page and keyboard and screen-reader users would lose their place. Move it into
// the new content instead: to a field with an error, else to the field to fill in when the new content starts
// with one (the code after the IIN), else to the newest heading (the next step of the appointment chooser).
let swappedFocusId = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  swappedFocusId = target && target.id && target.contains(document.activeElement) ? target.id : null;
});
document.addEventListener("htmx:afterSettle", () => {
  const root = swappedFocusId && document.getElementById(swappedFocusId);
  swappedFocusId = null;
  if (!root || (document.activeElement && document.activeElement !== document.body)) return;
  const headings = root.querySelectorAll("h1, h2, h3");
  const first = [...root.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea")]
    .find((control) => !control.disabled && control.offsetParent !== null);
  const startsWithField = first && !first.value
    && first.matches("input:not([type=radio]):not([type=checkbox]):not([type=submit]), textarea");
  const spot = root.querySelector('[aria-invalid="true"]') || (startsWithField && first)
    || headings[headings.length - 1] || root;
  if (!spot.matches("input, textarea, select, button, a[href]")) spot.setAttribute("tabindex", "-1");
  spot.focus();
});

// A form that undoes something (cancel a booking, call off a home visit) asks first: data-confirm holds the
// question, in the page's language. Without JavaScript the form simply posts.
document.addEventListener("submit", (event) => {
  const form = event.target.closest && event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
}, true);

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

  // The kiosk's printer: data-print prints a talon or receipt on 80 mm paper, data-print="a4" a form on A4
  // (the print CSS picks the page size).
  document.addEventListener("click", (event) => {
    const pdf = event.target.closest && event.target.closest("[data-print-pdf]");
    if (pdf) { printDocument(pdf.dataset.printPdf); return; }
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  // data-print-pdf="<url>" prints an issued document itself (the booking talon with the clinic, its number
  // and QR code), not the page: the PDF is loaded into a frame of its own, out of sight, and that frame is
  // printed. Nothing is downloaded to the lobby machine's disk.
  function printDocument(url) {
    const old = document.getElementById("print-frame");
    if (old) old.remove();
    const frame = document.createElement("iframe");
    frame.id = "print-frame";
    frame.className = "print-frame";
    frame.title = "print";
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    frame.addEventListener("load", () => {
      frame.contentWindow.focus();
      frame.contentWindow.print();
    }, { once: true });
    frame.src = url;
    document.body.appendChild(frame);
  }

  // On-screen numeric keypad for IIN, code and phone fields: no keyboard at the kiosk (text fields get the
  // on-screen keyboard of kiosk-keyboard.js).
  const keypad = document.getElementById("keypad");
  let target = null;
  document.addEventListener("focusin", (event) => {
    const field = event.target;
    if (field.matches && field.matches('input[inputmode="numeric"], input[inputmode="tel"], input[type="tel"]')) {
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
