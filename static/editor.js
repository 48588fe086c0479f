/* The curriculum editor's live preview: the server renders and checks the text with the
   learners' own pipeline, so the preview cannot differ from the published page.
   Without this script the "Check and preview" button does the same by a full post. */
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form) { return; }
  var text = document.getElementById("text");
  var problems = document.getElementById("problems");
  var preview = document.getElementById("preview");
  var timer = null, inFlight = null, sent = text.value;

  function goToLine(line) {
    var lines = text.value.split("\n"), start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
    var end = start + (lines[line - 1] || "").length;
    text.focus();
    text.setSelectionRange(start, end);
    var lineHeight = text.scrollHeight / Math.max(lines.length, 1);
    text.scrollTop = Math.max(0, (line - 5) * lineHeight);
  }

  function showProblems(list) {
    problems.textContent = "";
    if (!list.length) {
      var ok = document.createElement("p");
      ok.className = "ok";
      ok.textContent = "No problems: this file can be published.";
      problems.appendChild(ok);
      return;
    }
    var ul = document.createElement("ul");
    ul.className = "problem-list";
    list.forEach(function (item) {
      var li = document.createElement("li");
      if (item[0]) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link-button goto-line";
        button.dataset.line = item[0];
        button.textContent = "Line " + item[0];
        li.appendChild(button);
        li.appendChild(document.createTextNode(": "));
      }
      li.appendChild(document.createTextNode(item[1]));
      ul.appendChild(li);
    });
    problems.appendChild(ul);
  }

  function refresh() {
    if (text.value === sent) { return; }
    sent = text.value;
    if (inFlight) { inFlight.abort(); }
    inFlight = new AbortController();
    var body = new FormData();
    body.append("csrf_token", form.elements.csrf_token.value);
    body.append("module", form.dataset.module);
    body.append("name", form.dataset.name);
    body.append("text", text.value);
    fetch(form.dataset.preview, {method: "POST", body: body, credentials: "same-origin",
                                 signal: inFlight.signal})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        showProblems(data.problems || []);
        if (data.html !== undefined) { preview.innerHTML = data.html; }  // sanitised on the server
      })
      .catch(function () { /* a newer request replaced this one, or the network failed */ });
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 700);
  });
  problems.addEventListener("click", function (event) {
    var target = event.target.closest(".goto-line");
    if (target) { goToLine(parseInt(target.dataset.line, 10)); }
  });
  var dirty = false;
  text.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
}());
