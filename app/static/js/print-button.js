// Buttons marked data-print open the browser's print dialog (receipts, the monitoring report).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
