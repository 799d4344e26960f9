// Adds a "Print" button where the page offers one. Without JavaScript, the browser's own print works.
document.querySelectorAll("[data-print-button]").forEach(function (slot) {
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = slot.getAttribute("data-print-button");
  button.addEventListener("click", function () { window.print(); });
  slot.appendChild(button);
});
