// Shows #no-cjk-font when no font on this machine draws Chinese: two different characters
// then come out as the same "missing glyph" box. Drawn on a canvas with the page's own font
// stack (report.css), so the answer is the one the reader's eyes get.
(function () {
  "use strict";
  var note = document.getElementById("no-cjk-font");
  if (!note) return;
  var canvas = document.createElement("canvas");
  canvas.width = 40;
  canvas.height = 40;
  var context = canvas.getContext("2d");
  if (!context) return;
  var family = window.getComputedStyle(document.body).fontFamily;
  function pixels(character) {
    context.clearRect(0, 0, 40, 40);
    context.font = "32px " + family;
    context.fillStyle = "#000";
    context.textBaseline = "top";
    context.fillText(character, 2, 2);
    return Array.prototype.join.call(context.getImageData(0, 0, 40, 40).data, ",");
  }
  var tofu = pixels("指") === pixels("标") || pixels("指") === pixels("\uFFFF");
  note.hidden = !tofu;
  document.documentElement.classList.toggle("no-cjk-font", tofu);
})();
