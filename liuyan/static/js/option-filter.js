// A search box in front of a long select (web/searchable_select.html): typing hides the
// options whose text, or whose group's name, does not contain every word typed. Loaded once
// per widget; the listener is set up only once, on the document, so content swapped in by
// htmx works too.
(function () {
  if (window.liuyanOptionFilter) return;
  window.liuyanOptionFilter = true;

  function matches(text, words) {
    for (var i = 0; i < words.length; i++) {
      if (text.indexOf(words[i]) === -1) return false;
    }
    return true;
  }

  function filter(box) {
    var select = document.getElementById(box.dataset.filterFor);
    if (!select) return;
    var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return; // the empty "choose" option always stays
      var group = option.parentElement.tagName === "OPTGROUP" ? option.parentElement.label : "";
      var show = matches((group + " " + option.text).toLowerCase(), words);
      option.hidden = !show;
      option.disabled = !show && !option.selected;
    });
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      var visible = group.querySelector("option:not([hidden])");
      group.hidden = !visible;
    });
    // One match left: choose it, so Enter in the box is enough.
    var shown = select.querySelectorAll("option:not([hidden])");
    var real = Array.prototype.filter.call(shown, function (o) { return o.value; });
    if (words.length && real.length === 1) select.value = real[0].value;
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[data-filter-for]")) filter(box);
  });
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key === "Enter" && box.matches && box.matches("input[data-filter-for]")) {
      event.preventDefault(); // Enter picks, it does not send the form
      var select = document.getElementById(box.dataset.filterFor);
      if (select) select.focus();
    }
  });
})();
