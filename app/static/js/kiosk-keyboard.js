// On-screen text keyboard of the lobby kiosk: there is no physical keyboard at the kiosk. The markup (keys,
// translated labels) comes from templates/kiosk/_keyboard.html, rendered only on a registered kiosk.
// Text inputs and textareas get this keyboard; IIN, code and phone fields keep the numeric keypad (emhana.js).
(function () {
  const board = document.getElementById("osk");
  if (!board) return;
  const keypad = document.getElementById("keypad");
  const TEXT_FIELDS = "textarea, input:not([type]), input[type=text], input[type=search], input[type=email], input[type=url]";
  const NUMERIC = "[inputmode=numeric], [inputmode=decimal], [inputmode=tel]";
  let field = null;        // the field the keys type into
  let valueOnOpen = "";
  let shift = false;

  // Mark text fields (also in content htmx swaps in) and keep the system's own touch keyboard away from them.
  function prepare(root) {
    root.querySelectorAll(TEXT_FIELDS).forEach((el) => {
      if (el.matches(NUMERIC) || el.readOnly || el.disabled || el.closest("#osk")) return;
      el.dataset.osk = "";
      el.setAttribute("inputmode", "none");
    });
  }

  // Typing by script fires no "change" of its own: send it when the visitor leaves the field, as a real
  // keyboard would (the home-call form checks the complaint for danger signs on change).
  function commit() {
    if (field && field.value !== valueOnOpen) field.dispatchEvent(new Event("change", { bubbles: true }));
    if (field) valueOnOpen = field.value;
  }

  function open(el) {
    if (field !== el) commit();
    field = el;
    valueOnOpen = el.value;
    if (keypad) keypad.hidden = true;
    board.hidden = false;
    // Room below the page so the last field can scroll above the keyboard. It stays after the keyboard
    // closes: a page that got shorter under the finger would turn a tap on "Send" into a tap on nothing.
    document.body.classList.add("osk-shown");
    // Keep the field above the keyboard, which covers the lower part of the screen.
    const box = el.getBoundingClientRect();
    if (box.top < 0 || box.bottom > board.getBoundingClientRect().top - 16) window.scrollBy(0, box.top - 120);
  }

  function close() {
    board.hidden = true;
    commit();
  }

  function setShift(on) {
    shift = on;
    board.classList.toggle("osk--shift", on);
    board.querySelectorAll("[data-action=shift]").forEach((key) => key.setAttribute("aria-pressed", String(on)));
  }

  function showLayout(code) {
    board.querySelectorAll("[data-rows]").forEach((rows) => { rows.hidden = rows.dataset.rows !== code; });
    board.querySelectorAll("[data-switch]").forEach((key) => key.setAttribute("aria-pressed", String(key.dataset.switch === code)));
  }

  // Replace the selection (or insert at the caret); email inputs have no selection API, so they append.
  function edit(text, deleteBefore) {
    let start = field.value.length;
    let end = start;
    if (typeof field.selectionStart === "number") { start = field.selectionStart; end = field.selectionEnd; }
    if (deleteBefore && start === end) start = Math.max(0, start - 1);
    const limit = field.maxLength > 0 ? field.maxLength : Infinity;
    if (field.value.length - (end - start) + text.length > limit) return;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    if (typeof field.selectionStart === "number") field.setSelectionRange(start + text.length, start + text.length);
    field.dispatchEvent(new Event("input", { bubbles: true }));  // htmx triggers and the idle timer listen
  }

  board.addEventListener("pointerdown", (event) => event.preventDefault());  // the field keeps the focus
  board.addEventListener("click", (event) => {
    const key = event.target.closest("button");
    if (!key) return;
    const { action } = key.dataset;
    if (key.dataset.switch) showLayout(key.dataset.switch);
    else if (action === "shift") setShift(!shift);
    else if (action === "done") close();
    else if (field) {
      if (action === "back") edit("", true);
      else if (action === "space") edit(" ");
      else edit(shift ? key.dataset.key.toUpperCase() : key.dataset.key);
      if (shift && "letter" in key.dataset) setShift(false);  // one capital, as on a phone
    }
  });

  document.addEventListener("focusin", (event) => {
    const el = event.target;
    if (board.contains(el)) return;  // a key reached with Tab still types into the field
    if (el.matches && el.matches("[data-osk]")) open(el);
    else if (!board.hidden) close();
  });
  // Tapping the field again after "Done" brings the keyboard back.
  document.addEventListener("click", (event) => {
    if (board.hidden && event.target.matches && event.target.matches("[data-osk]")) open(event.target);
  });

  document.addEventListener("htmx:load", (event) => {
    prepare(event.detail.elt);
    if (field && !field.isConnected) {  // htmx replaced the field being typed into: start afresh
      field = null;
      close();
    }
  });
  prepare(document);
  if (document.activeElement && document.activeElement.matches("[data-osk]")) open(document.activeElement);
})();
