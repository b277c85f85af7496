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
