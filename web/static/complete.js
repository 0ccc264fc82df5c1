// Search-as-you-type for the search box: suggestions from /api/complete in a <datalist>.
// Progressive enhancement: without this script the form works as before; the page carries no inline script
// (the CSP forbids it) and this file is served by the app itself (script-src 'self').
(function () {
  "use strict";
  var input = document.getElementById("q");
  if (!input || !window.fetch) { return; }
  var list = document.createElement("datalist");
  list.id = "q-completions";
  input.parentNode.appendChild(list);
  input.setAttribute("list", list.id);
  var timer = null;
  var asked = "";

  function show(answer) {
    if (answer.q !== input.value) { return; }  // an older answer, overtaken by typing
    var head = input.value.replace(/\S+$/, "");
    list.textContent = "";
    answer.completions.forEach(function (completion) {
      var option = document.createElement("option");
      option.value = head + completion.text;
      var documents = completion.documents + (completion.documents === 1 ? " έγγραφο" : " έγγραφα");
      option.label = completion.kind === "word" ? documents : (completion.kind === "municipality" ? "Δήμος" : "Πρόσωπο");
      list.appendChild(option);
    });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value;
      if (q === asked || !/\S$/.test(q)) { return; }
      asked = q;
      fetch("/api/complete?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) { if (answer) { show(answer); } })
        .catch(function () { /* no suggestions: the box works as without script */ });
    }, 150);
  });
}());
