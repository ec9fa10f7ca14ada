// Buttons marked data-action="print" print the page (no inline handlers: the CSP forbids them).
document.querySelectorAll('[data-action="print"]').forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
