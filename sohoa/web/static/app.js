// A few lines, no library (offline networks, no inline scripts): confirm before forms that change records,
// uploads by drag-and-drop, facets folded on small screens, and the batch page's live progress.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});

// ---------------------------------------------------------------------------------------------------- upload
(function () {
  var form = document.getElementById("upload");
  if (!form) { return; }
  var chosen = [];  // [{file, path}]
  var list = document.getElementById("chosen");
  var drop = document.getElementById("drop");

  function show() {
    if (!chosen.length) { list.textContent = "Chưa chọn tệp nào."; return; }
    var bytes = chosen.reduce(function (n, c) { return n + c.file.size; }, 0);
    var names = chosen.slice(0, 8).map(function (c) { return c.path; }).join(", ");
    list.textContent = "Đã chọn " + chosen.length + " tệp (" + (bytes / 1048576).toFixed(1).replace(".", ",") +
      " MB): " + names + (chosen.length > 8 ? ", …" : "");
  }
  function addFiles(files) {
    for (var i = 0; i < files.length; i++) {
      chosen.push({file: files[i], path: files[i].webkitRelativePath || files[i].name});
    }
    show();
  }
  form.querySelectorAll("input.picker").forEach(function (input) {
    input.addEventListener("change", function () { addFiles(input.files); input.value = ""; });
  });
  function walk(entry, prefix, done) {
    // A dropped folder: read it recursively, keeping each file's path inside it.
    if (entry.isFile) {
      entry.file(function (f) { chosen.push({file: f, path: prefix + f.name}); done(); }, done);
      return;
    }
    var reader = entry.createReader(), entries = [];
    (function more() {
      reader.readEntries(function (batch) {
        if (!batch.length) {
          var left = entries.length;
          if (!left) { done(); return; }
          entries.forEach(function (e) { walk(e, prefix + entry.name + "/", function () { if (--left === 0) { done(); } }); });
          return;
        }
        entries = entries.concat(Array.prototype.slice.call(batch));
        more();
      }, done);
    })();
  }
  ["dragenter", "dragover"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    drop.classList.remove("over");
    var items = e.dataTransfer.items, pending = 0, any = false;
    if (items && items.length && items[0].webkitGetAsEntry) {
      for (var i = 0; i < items.length; i++) {
        var entry = items[i].webkitGetAsEntry();
        if (!entry) { continue; }
        any = true; pending++;
        walk(entry, "", function () { if (--pending === 0) { show(); } });
      }
    }
    if (!any) { addFiles(e.dataTransfer.files); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var error = document.getElementById("upload-error");
    error.hidden = true;
    if (!chosen.length) { error.textContent = "Chưa chọn tệp nào."; error.hidden = false; return; }
    var data = new FormData();
    data.append("batch", form.elements["batch"].value);
    chosen.forEach(function (c) { data.append("files", c.file, c.path); });
    var token = form.elements["csrf_token"].value;
    var bar = document.getElementById("sent");
    bar.hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
    // XMLHttpRequest rather than fetch: it reports how much of the body has been sent.
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRF-Token", token);
    xhr.upload.onprogress = function (p) { if (p.lengthComputable) { bar.value = 100 * p.loaded / p.total; } };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {detail: xhr.responseText}; }
      if (xhr.status === 200 && body.url) { window.location = body.url; return; }
      error.textContent = "Không tải lên được: " + (body.detail || xhr.status);
      error.hidden = false;
      form.querySelector("button[type=submit]").disabled = false;
    };
    xhr.onerror = function () {
      error.textContent = "Mất kết nối với máy chủ khi tải lên."; error.hidden = false;
      form.querySelector("button[type=submit]").disabled = false;
    };
    xhr.send(data);
  });
})();

// ------------------------------------------------------------------------------------------- batch progress
(function () {
  var live = document.getElementById("live");
  if (!live) { return; }
  var url = live.getAttribute("data-progress");
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function number(x) { return x === null || x === undefined ? "—" : String(x).replace(".", ","); }
  function render(p) {
    var counts = document.getElementById("counts");
    counts.replaceChildren();
    p.counts.forEach(function (c) {
      counts.appendChild(el("span", c.label + ": " + c.n, "tag status-" + c.status));
      counts.appendChild(document.createTextNode(" "));
    });
    document.getElementById("done-n").textContent = p.finished;
    document.getElementById("total-n").textContent = p.total;
    document.getElementById("ppm").textContent = number(p.pages_per_min);
    document.getElementById("eta").textContent = p.eta_text;
    document.getElementById("state").textContent = p.left ? "Đang xử lý" : p.status_label;
    var running = document.getElementById("running");
    running.replaceChildren();
    p.in_progress.forEach(function (r) {
      var li = el("li", r.name + " ");
      li.appendChild(el("span", "(" + (r.seconds || 0) + " giây)", "hint"));
      running.appendChild(li);
    });
    document.getElementById("running-n").textContent = p.in_progress.length;
    // Failures as they happen: the rows are rebuilt from the server's list (text only, never HTML).
    var body = document.getElementById("failures");
    var base = body.getAttribute("data-item-url");
    body.replaceChildren();
    if (!p.failures.length) {
      var tr0 = el("tr", null, "empty"), td0 = el("td", "Không có tệp lỗi.", "hint");
      td0.colSpan = 4; tr0.appendChild(td0); body.appendChild(tr0);
    }
    p.failures.forEach(function (f) {
      var tr = el("tr");
      tr.appendChild(el("td", f.name));
      var st = el("td"); st.appendChild(el("span", f.status_label, "tag status-" + f.status)); tr.appendChild(st);
      var why = el("td");
      why.appendChild(el("span", f.reason_plain, "reason"));
      if (f.reason && f.reason !== f.reason_plain) {
        var d = el("details", null, "tech");
        d.appendChild(el("summary", "Chi tiết kỹ thuật"));
        d.appendChild(el("code", f.reason));
        why.appendChild(d);
      }
      tr.appendChild(why);
      var act = el("td"), a = el("a", "Xử lý tệp này", "button");
      a.href = base + f.id; act.appendChild(a); tr.appendChild(act);
      body.appendChild(tr);
    });
    document.getElementById("failures-n").textContent = p.failures.length;
    var review = document.getElementById("review");
    review.replaceChildren();
    if (!p.needs_review.length) {
      var tr1 = el("tr", null, "empty"), td1 = el("td", "Không có.", "hint");
      td1.colSpan = 2; tr1.appendChild(td1); review.appendChild(tr1);
    }
    p.needs_review.forEach(function (r) {
      var tr = el("tr"), name = el("td"), link = el("a", r.name);
      link.href = "/documents/" + r.document_id; name.appendChild(link); tr.appendChild(name);
      tr.appendChild(el("td", r.reason_plain)); review.appendChild(tr);
    });
    document.getElementById("review-n").textContent = p.needs_review.length;
    document.getElementById("retry").hidden = !p.failures.length;
  }
  // Every second while work is queued, every 5 s once quiet; every 30 s while the tab is hidden (nobody looks);
  // not at all once the batch is finished (a retry reloads the page; coming back to the tab looks once more, as a
  // watched folder may have added files). data-polling tells the tests which it is.
  var timer = null, idle = 0;
  function hidden() { return document.visibilityState === "hidden"; }
  function schedule(ms) {
    window.clearTimeout(timer);
    timer = null;
    live.setAttribute("data-polling", ms === null ? "stopped" : String(ms));
    if (ms !== null) { timer = window.setTimeout(poll, ms); }
  }
  function next(p) {
    if (p && !p.left && p.status === "finished") { return null; }
    if (hidden()) { return 30000; }
    return idle ? 5000 : 1000;
  }
  function poll() {
    timer = null;
    live.setAttribute("data-polling", "asking");
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (p) { render(p); idle = p.left ? 0 : idle + 1; }
        schedule(next(p));
      })
      .catch(function () { schedule(hidden() ? 30000 : 5000); });
  }
  document.addEventListener("visibilitychange", function () {
    if (hidden()) {
      if (timer !== null) { schedule(30000); }
    } else if (live.getAttribute("data-polling") !== "asking") {
      schedule(0);
    }
  });
  schedule(1000);
})();

// Facets: open beside the results on a wide screen, folded behind their summary on a phone.
(function () {
  if (!window.matchMedia("(min-width: 901px)").matches) { return; }
  document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
})();
