/* The proposal editor, made quicker to use where JavaScript runs; the page
   works without it (save with the buttons, empty a budget line to remove it).

   - budget lines: add and remove lines, totals by fiscal year as you type;
   - the running total requested and its share of the eligible expenses;
   - characters left under each long answer;
   - autosave: 1.5 s after the last change, the form (files aside) is posted
     to the autosave address, which answers in JSON; the page's version
     travels with it, so a save from a stale page is refused, never written;
   - recovery: what is typed is kept in this browser (localStorage, one key
     per proposal) until the server has it, and offered back after a lost
     connection or a closed tab; switching the language keeps it too.

   Every text shown comes from the page (data-text-* attributes), translated
   by the server. */
(function () {
  "use strict";
  var form = document.getElementById("proposal-form");
  if (!form) { return; }
  var DELAY = 1500;
  var storageKey = form.dataset.storageKey;
  var restoreFlag = storageKey + ":restore";
  var language = (form.dataset.language || "fr").slice(0, 2);
  var status = document.getElementById("autosave-status");
  var money = new Intl.NumberFormat(language === "en" ? "en-CA" : "fr-CA", {
    style: "currency", currency: "CAD"
  });
  var percent = new Intl.NumberFormat(language === "en" ? "en-CA" : "fr-CA", {
    maximumFractionDigits: 1
  });

  function text(name, values) {
    var template = form.dataset[name] || "";
    Object.keys(values || {}).forEach(function (key) {
      template = template.split("{" + key + "}").join(values[key]);
    });
    return template;
  }

  /* The amount typed, as parse_amount reads it on the server; NaN when it
     cannot be read (the server then says why). */
  function parseAmount(raw) {
    var value = String(raw || "").replace(/\$/g, "").replace(/[\s\u00a0\u202f\u2009]+/g, "");
    if (!value) { return 0; }
    if (/^\d+$/.test(value)) { return Number(value); }
    if (/^\d+[.,]\d{1,2}$/.test(value)) { return Number(value.replace(",", ".")); }
    if (/^\d{1,3}(,\d{3})+(\.\d{1,2})?$/.test(value)) { return Number(value.replace(/,/g, "")); }
    if (/^\d{1,3}(\.\d{3})+(,\d{1,2})?$/.test(value)) {
      return Number(value.replace(/\./g, "").replace(",", "."));
    }
    return NaN;
  }

  function sumOf(inputs) {
    var cents = 0;
    inputs.forEach(function (input) {
      var value = parseAmount(input.value);
      if (!isNaN(value)) { cents += Math.round(value * 100); }
    });
    return cents / 100;
  }

  // ------------------------------------------------------------------ budget lines
  var rowsBody = form.querySelector("[data-budget-rows]");
  var totalForms = form.querySelector("input[name='budget-TOTAL_FORMS']");
  var template = form.querySelector("template[data-budget-template]");
  var addButton = form.querySelector("[data-budget-add]");

  function updateBudgetTotals() {
    if (!rowsBody) { return; }
    var grand = 0;
    form.querySelectorAll("[data-budget-total]").forEach(function (output) {
      var year = output.getAttribute("data-budget-total");
      var total = sumOf(rowsBody.querySelectorAll("input[data-budget-year='" + year + "']"));
      grand += total;
      output.textContent = money.format(total);
    });
    var grandOutput = form.querySelector("[data-budget-grand]");
    if (grandOutput) { grandOutput.textContent = money.format(grand); }
  }

  function announce(message) {
    if (status) { status.textContent = message; }
  }

  function wireRow(row) {
    var remove = row.querySelector("[data-budget-remove]");
    if (!remove) { return; }
    remove.hidden = false;
    remove.addEventListener("click", function () {
      // An emptied line is ignored by the server: hiding it keeps the
      // formset's numbering intact.
      row.querySelectorAll("input, select").forEach(function (input) { input.value = ""; });
      row.hidden = true;
      updateBudgetTotals();
      announce(text("textRemoved"));
      if (addButton) { addButton.focus(); }
      changed();
    });
  }

  if (rowsBody && totalForms && template && addButton) {
    rowsBody.querySelectorAll("[data-budget-row]").forEach(wireRow);
    addButton.hidden = false;
    addButton.addEventListener("click", function () {
      var index = Number(totalForms.value);
      var html = template.innerHTML
        .split("__prefix__").join(String(index))
        .split("__number__").join(String(index + 1));
      rowsBody.insertAdjacentHTML("beforeend", html);
      totalForms.value = String(index + 1);
      var row = rowsBody.lastElementChild;
      wireRow(row);
      var first = row.querySelector("select, input");
      if (first) { first.focus(); }
      announce(text("textAdded"));
    });
  }

  // ------------------------------------------------------------------ amounts requested
  var running = document.getElementById("requested-running");
  var maxShare = Number(form.dataset.maxShare || "100");

  function updateRequested() {
    if (!running) { return; }
    var requested = sumOf(form.querySelectorAll("input[name^='requested_']"));
    var costInput = form.querySelector("input[name='total_cost']");
    var cost = costInput ? parseAmount(costInput.value) : NaN;
    if (!isNaN(cost) && cost > 0) {
      running.textContent = text("textShare", {
        total: money.format(requested),
        share: percent.format(requested * 100 / cost),
        max_share: percent.format(maxShare),
        max: money.format(Math.floor(cost * maxShare) / 100)
      });
      running.classList.toggle("running-total--over", requested * 100 > cost * maxShare);
    } else {
      running.textContent = text("textRequested", { total: money.format(requested) });
      running.classList.remove("running-total--over");
    }
  }

  // ------------------------------------------------------------------ characters left
  function wireCounter(area) {
    var max = Number(area.getAttribute("maxlength"));
    var counter = document.createElement("p");
    counter.className = "field__help char-count";
    counter.id = area.id + "_count";
    area.insertAdjacentElement("afterend", counter);
    var described = (area.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(counter.id);
    area.setAttribute("aria-describedby", described.join(" "));
    function update() {
      var left = max - area.value.length;
      counter.textContent = text("textLeft", { n: String(left) });
      counter.classList.toggle("char-count--low", left < max / 10);
    }
    area.addEventListener("input", update);
    update();
  }
  form.querySelectorAll("textarea[maxlength]").forEach(wireCounter);

  // ------------------------------------------------------------------ kept in the browser
  function snapshot() {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      // The version is the page's, not the person's: it never travels back.
      if (typeof value !== "string" || name === "csrfmiddlewaretoken" || name === "version") {
        return;
      }
      (values[name] = values[name] || []).push(value);
    });
    return values;
  }

  function sameValues(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function keep() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ values: snapshot(), at: Date.now() }));
    } catch (error) { /* private browsing or storage full: autosave still runs */ }
  }

  function kept() {
    try { return JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (error) { return null; }
  }

  function forget() {
    try { localStorage.removeItem(storageKey); } catch (error) { /* nothing kept */ }
  }

  function isBudget(name) { return name.indexOf("budget-") === 0; }

  function withoutBudget(values) {
    var kept = {};
    Object.keys(values).forEach(function (name) {
      if (!isBudget(name)) { kept[name] = values[name]; }
    });
    return kept;
  }

  function restore(values) {
    // A copy kept without the budget (the budget came from a file since)
    // leaves the budget on the page as it is.
    var budgetKept = "budget-TOTAL_FORMS" in values;
    // Enough budget lines for what was kept, then every value back.
    var wanted = Number((values["budget-TOTAL_FORMS"] || ["0"])[0]);
    while (addButton && totalForms && Number(totalForms.value) < wanted) { addButton.click(); }
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.type === "file" || element.name === "csrfmiddlewaretoken") { return; }
      if (element.name === "version") { return; }  // the page's own version stays
      if (!budgetKept && isBudget(element.name)) { return; }
      var given = values[element.name];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = !!given && given.indexOf(element.value) !== -1;
      } else if (given) {
        element.value = given[0];
      } else if (element.tagName !== "BUTTON" && element.type !== "hidden") {
        element.value = "";
      }
    });
    form.querySelectorAll("textarea[maxlength]").forEach(function (area) {
      area.dispatchEvent(new Event("input"));
    });
    updateBudgetTotals();
    updateRequested();
  }

  // ------------------------------------------------------------------ autosave
  var timer = null;
  var inFlight = false;
  var again = false;
  var stopped = false;

  function setStatus(message, state) {
    if (!status) { return; }
    status.textContent = message;
    status.dataset.state = state;
  }

  function save() {
    if (stopped) { return; }
    if (inFlight) { again = true; return; }
    inFlight = true;
    var sent = snapshot();
    var body = new FormData(form);
    // Files are sent with the page's own buttons, never in the background.
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      body.delete(input.name);
    });
    setStatus(text("textSaving"), "saving");
    fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      var data = result.data;
      if (result.status === 409) {
        stopped = true;
        setStatus(text("textConflict"), "conflict");
        return;
      }
      if (!data.saved) {
        setStatus(data.message || text("textOffline"), "error");
        return;
      }
      form.querySelector("input[name='version']").value = data.version;
      var errors = Object.keys(data.errors || {});
      if (errors.length) {
        var messages = [];
        errors.forEach(function (key) { messages = messages.concat(data.errors[key]); });
        setStatus(data.message + " " + text("textPartial") + " " + messages.join(" "), "partial");
      } else {
        setStatus(data.message, "saved");
      }
      var checklist = document.getElementById("checklist");
      if (checklist && data.checklist) { checklist.innerHTML = data.checklist; }
      // What the server now has no longer needs keeping here, unless more
      // was typed while it travelled.
      if (sameValues(sent, snapshot())) { forget(); }
    }).catch(function () {
      setStatus(text("textOffline"), "offline");
    }).then(function () {
      inFlight = false;
      if (waitingSubmit !== null) {
        var button = waitingSubmit;
        waitingSubmit = null;
        if (button === true) { form.requestSubmit(); } else { form.requestSubmit(button); }
        return;
      }
      if (again) { again = false; schedule(); }
    });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, DELAY);
  }

  function changed() {
    keep();
    updateBudgetTotals();
    updateRequested();
    schedule();
  }

  form.addEventListener("input", function (event) {
    if (event.target.type === "file") { return; }
    changed();
  });
  form.addEventListener("change", function (event) {
    if (event.target.type === "file") { return; }
    changed();
  });
  // A save with the page's buttons takes over: the kept copy would be stale.
  // While an autosave travels, the button waits for it: the version it
  // returns is the one the page's save must carry, or the save would be
  // refused as coming from a stale page.
  var waitingSubmit = null;
  form.addEventListener("submit", function (event) {
    stopped = true;
    if (timer) { clearTimeout(timer); }
    if (inFlight) {
      event.preventDefault();
      waitingSubmit = event.submitter || true;
      return;
    }
    forget();
  });
  window.addEventListener("online", function () { if (kept()) { schedule(); } });

  // Sending the Excel template replaces the budget on the server: the copy
  // kept here keeps the other answers only, so that offering it back never
  // brings the old budget over the imported one.
  var importForm = document.getElementById("budget-import");
  if (importForm) {
    importForm.addEventListener("submit", function () {
      stopped = true;
      if (timer) { clearTimeout(timer); }
      if (!kept()) { return; }  // everything typed is saved already
      try {
        localStorage.setItem(storageKey, JSON.stringify({
          values: withoutBudget(snapshot()), at: Date.now()
        }));
      } catch (error) { /* nothing kept */ }
    });
  }

  // The language switch reloads the page: keep what is typed and put it back
  // on the page in the other language, without asking.
  document.querySelectorAll("form.language-switch").forEach(function (switcher) {
    switcher.addEventListener("submit", function () {
      keep();
      try { sessionStorage.setItem(restoreFlag, "1"); } catch (error) { /* asked instead */ }
    });
  });

  // ------------------------------------------------------------------ on load
  var offer = document.getElementById("recovery");
  var saved = kept();
  var restoreNow = false;
  try {
    restoreNow = sessionStorage.getItem(restoreFlag) === "1";
    sessionStorage.removeItem(restoreFlag);
  } catch (error) { restoreNow = false; }
  if (saved && saved.values) {
    var current = snapshot();
    if (!("budget-TOTAL_FORMS" in saved.values)) { current = withoutBudget(current); }
    if (sameValues(saved.values, current)) {
      forget();
    } else if (restoreNow) {
      restore(saved.values);
      schedule();
    } else if (offer) {
      offer.hidden = false;
      offer.querySelector("[data-recovery='restore']").addEventListener("click", function () {
        restore(saved.values);
        offer.hidden = true;
        keep();
        schedule();
        var first = form.querySelector("input:not([type=hidden]), textarea, select");
        if (first) { first.focus(); }
      });
      offer.querySelector("[data-recovery='discard']").addEventListener("click", function () {
        forget();
        offer.hidden = true;
      });
    }
  }
  updateBudgetTotals();
  updateRequested();
})();
