// "New expert or manager": the fields that only experts use are shown only while "Expert" is
// chosen. Without JavaScript they stay visible, marked "Ignored for managers", and the server
// ignores them for a manager either way.
(function () {
  "use strict";
  var box = document.getElementById("expert-fields");
  if (!box) {
    return;
  }
  var radios = document.querySelectorAll('input[name="role"]');
  function update() {
    var chosen = document.querySelector('input[name="role"]:checked');
    box.hidden = chosen !== null && chosen.value !== "expert";
  }
  for (var i = 0; i < radios.length; i += 1) {
    radios[i].addEventListener("change", update);
  }
  update();
})();
