// notecheck pages: the writer's check page, the moderator's queue and an appeal's status.
// Plain browser JavaScript, no build step: it calls the public JSON API with the user's key and renders the answer
// with DOM nodes (never innerHTML), so nothing a writer types can run as markup.
"use strict";
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const WORDS = JSON.parse($("#words").textContent);
  let lang = document.documentElement.lang.startsWith("en") ? "en" : "zh";
  const t = (key) => WORDS[lang][key] ?? key;
  const rerender = []; // renderers of dynamic content, run again when the language changes

  // -- language ---------------------------------------------------------------------------------------------
  function applyLang() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-attr]")) {
      for (const pair of el.dataset.i18nAttr.split(";")) {
        const [attr, key] = pair.split(":");
        el.setAttribute(attr, t(key));
      }
    }
    const toggle = $("#lang-toggle");
    const other = lang === "zh" ? "en" : "zh";
    toggle.href = `?lang=${other}`;
    toggle.lang = other === "zh" ? "zh-CN" : "en";
    document.title = `${t(document.body.dataset.titleKey)} · notecheck`;
    for (const fn of rerender) fn();
  }

  $("#lang-toggle").addEventListener("click", (ev) => {
    ev.preventDefault(); // switch in place: keep the draft and the result on screen
    lang = lang === "zh" ? "en" : "zh";
    const url = new URL(location.href);
    url.searchParams.set("lang", lang);
    history.replaceState(null, "", url);
    applyLang();
  });

  const withLang = (path) => `${path}?lang=${lang}`;

  // -- the API ----------------------------------------------------------------------------------------------
  const KEY = "notecheck.key";
  const MOD_KEY = "notecheck.moderatorKey";

  function clientKey() {
    const field = $("#api-key");
    if (field && field.value) sessionStorage.setItem(KEY, field.value);
    return sessionStorage.getItem(KEY);
  }

  async function api(method, path, body, key) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (key) headers["X-API-Key"] = key;
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new Error(t("network_error"));
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((data && data.message) || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function showError(el, error) {
    if (!error) {
      el.hidden = true;
      el.textContent = "";
      return;
    }
    el.textContent = `${t("error")} ${error.message}`;
    el.hidden = false;
  }

  // -- rendering a checked note -----------------------------------------------------------------------------
  // whole percents, but one decimal near the ends, where "0%" or "100%" would overstate the certainty
  const pct = (p) => `${(100 * p).toFixed(p >= 0.01 && p <= 0.99 ? 0 : 1)}%`;
  const signed = (w) => `${w > 0 ? "+" : ""}${w.toFixed(2)}`;
  const category = (code) => WORDS[lang][`cat.${code}`] ?? code;
  const when = (iso) => {
    const d = new Date(iso);
    return iso && !Number.isNaN(d.getTime()) ? d.toLocaleString(lang === "zh" ? "zh-CN" : "en") : iso;
  };

  // The note's field with its highlights as <mark>s. Offsets count Unicode code points (as the server's Python
  // strings do), so the text is walked by code points, not UTF-16 units: an emoji before a span must not shift it.
  function marked(text, highlights, maxWeight) {
    const chars = Array.from(text);
    const out = document.createDocumentFragment();
    let pos = 0;
    const spans = highlights.filter((h) => Number.isInteger(h.start) && Number.isInteger(h.end));
    spans.sort((a, b) => a.start - b.start);
    for (const h of spans) {
      const piece = chars.slice(h.start, h.end).join("");
      if (h.start < pos || h.end > chars.length || h.start >= h.end || (h.text !== undefined && h.text !== piece)) {
        continue; // overlapping, out of range or not the text sent: never mark the wrong words
      }
      out.append(chars.slice(pos, h.start).join(""));
      const mark = document.createElement("mark");
      const weight = Number(h.weight) || 0;
      mark.textContent = piece;
      mark.className = weight > 0 ? "ad" : "genuine";
      mark.dataset.weight = String(weight);
      mark.dataset.category = h.category ?? "";
      mark.title = `${category(h.category)} · ${t(weight > 0 ? "towards_ad" : "towards_genuine")} · ${t("weight")} ${signed(weight)}`;
      mark.tabIndex = 0; // focus shows the same tooltip as hover (CSS), for keyboard users
      mark.style.setProperty("--w", (0.25 + 0.75 * Math.min(1, Math.abs(weight) / maxWeight)).toFixed(2));
      out.append(mark);
      pos = h.end;
    }
    out.append(chars.slice(pos).join(""));
    return out;
  }

  // The note (title, text) with the highlights of each field (those towards ad left out with hideAd).
  function renderNote(container, note, highlights, hideAd = false) {
    container.replaceChildren();
    let list = Array.isArray(highlights) ? highlights : [];
    if (hideAd) list = list.filter((h) => !(Number(h.weight) > 0));
    const maxWeight = Math.max(1e-9, ...list.map((h) => Math.abs(Number(h.weight) || 0)));
    for (const field of ["title", "text"]) {
      if (!note[field]) continue;
      const block = document.createElement(field === "title" ? "p" : "div");
      block.className = `note-${field}`;
      block.setAttribute("aria-label", t(`note_${field}`));
      block.append(marked(note[field], list.filter((h) => (h.field ?? "text") === field), maxWeight));
      container.append(block);
    }
  }

  // Readable reasons: a category in the page's language, its direction, weight and evidence phrases.
  function reasonsOf(data) {
    const evidence = (items) => [...new Set((items || []).map((e) => (typeof e === "string" ? e : e.text)))];
    return (Array.isArray(data.reasons) ? data.reasons : []).map((r) => ({
      label: (lang === "zh" ? r.label_zh : r.label_en) || category(r.category),
      direction: r.direction ?? (r.weight > 0 ? "ad" : "genuine"),
      weight: Number(r.weight) || 0,
      evidence: evidence(r.evidence),
    }));
  }

  function renderReasons(list, data) {
    list.replaceChildren();
    const reasons = reasonsOf(data);
    if (!reasons.length) {
      const li = document.createElement("li");
      li.textContent = t("no_reasons");
      list.append(li);
    }
    for (const r of reasons) {
      const li = document.createElement("li");
      li.className = r.direction === "ad" ? "ad" : "genuine";
      const dir = document.createElement("span");
      dir.className = "dir";
      dir.textContent = t(r.direction === "ad" ? "towards_ad" : "towards_genuine");
      const label = document.createElement("strong");
      label.textContent = r.label;
      li.append(dir, " ", label);
      if (r.evidence.length) li.append(` ${r.evidence.slice(0, 5).map((e) => `“${e}”`).join(lang === "zh" ? "、" : ", ")}`);
      const w = document.createElement("span");
      w.className = "w";
      w.textContent = signed(r.weight);
      li.append(" ", w);
      list.append(li);
    }
  }

  function renderGauge(gauge, data) {
    const p = Number(data.ad_probability);
    gauge.style.setProperty("--p", String(p));
    gauge.style.setProperty("--t", String(data.threshold));
    gauge.style.setProperty("--r", String(data.review_threshold ?? data.threshold));
    gauge.dataset.decision = data.decision;
    const text =
      `${t("probability")} ${pct(p)} · ${t("threshold")} ${pct(data.threshold)}` +
      (data.review_threshold != null ? ` · ${t("review_threshold")} ${pct(data.review_threshold)}` : "");
    $(".gauge-text", gauge).textContent = text;
    gauge.setAttribute("aria-label", `${t("gauge_label")}: ${text}`);
  }

  // -- the writer's page ------------------------------------------------------------------------------------
  function writerPage() {
    const form = $("#check-form");
    const result = $("#result");
    let last = null; // {note, data} of the result on screen
    let appealed = null; // the appeal filed for it

    function render() {
      if (!last) return;
      const { note, data } = last;
      result.dataset.decision = data.decision;
      const decision = $("#decision");
      decision.textContent = t(`decision_${data.decision}`);
      decision.className = `decision ${data.decision}`;
      renderGauge($("#gauge"), data);
      const advice = $("#advice");
      const sentence = data.advice && data.advice[lang];
      advice.hidden = !sentence;
      $("span", advice).textContent = sentence ? ` ${sentence}` : "";
      // A note judged genuine is shown with what reads as genuine; the phrases leaning towards ad (too weak to
      // change the decision) are marked only on request, not painted red on an honest note by default.
      const towardsAd = (data.highlights || []).filter((h) => Number(h.weight) > 0).length;
      const hideAd = data.decision === "genuine" && !$("#show-ad").checked;
      $("#show-ad-marks").hidden = !(data.decision === "genuine" && towardsAd);
      $("label[for=show-ad]").textContent = t("show_ad_marks").replace("{n}", String(towardsAd));
      renderNote($("#note-view"), note, data.highlights, hideAd);
      renderReasons($("#reasons"), data);
      $("#model-version").textContent = data.model_version ?? "";
      const appeal = $("#appeal");
      if (appeal) {
        appeal.hidden = data.decision === "genuine";
        renderFiled();
      }
    }
    rerender.push(render);
    $("#show-ad").addEventListener("change", render);

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const note = {
        title: form.elements.title.value,
        text: form.elements.text.value,
        comments: form.elements.comments.value.split("\n").map((c) => c.trim()).filter(Boolean),
      };
      const error = $("#check-error");
      if (!note.text.trim()) {
        showError(error, new Error(t("text_label")));
        form.elements.text.focus();
        return;
      }
      performance.mark("notecheck:check-start");
      const busy = $("#busy");
      busy.textContent = t("loading");
      form.elements.check.disabled = true;
      try {
        const body = { title: note.title, text: note.text };
        if (note.comments.length) body.comments = note.comments;
        const data = await api("POST", "/v1/check", body, clientKey());
        showError(error, null);
        last = { note, data };
        appealed = null;
        $("#show-ad").checked = false;
        resetAppeal();
        result.hidden = false;
        render();
        // click-to-highlights: from pressing Check to the highlighted note being in the page
        performance.measure("notecheck:check", "notecheck:check-start");
        result.focus({ preventScroll: false });
      } catch (e) {
        showError(error, e);
      } finally {
        busy.textContent = "";
        form.elements.check.disabled = false;
      }
    });

    // Appeal: "this is my genuine sharing"
    const opener = $("#appeal-open");
    const appealForm = $("#appeal-form");
    function resetAppeal() {
      if (!appealForm) return;
      appealForm.hidden = true;
      appealForm.reset();
      opener.hidden = false;
      opener.setAttribute("aria-expanded", "false");
      showError($("#appeal-error"), null);
    }
    function renderFiled() {
      const filed = $("#appeal-filed");
      if (!filed) return;
      filed.hidden = !appealed;
      filed.replaceChildren();
      if (!appealed) return;
      const link = document.createElement("a");
      link.id = "appeal-link";
      link.href = withLang(`/appeals/${encodeURIComponent(appealed.id)}`);
      link.textContent = t("appeal_status_link");
      filed.append(
        `${t("appeal_filed")} ${t("appeal_id")} ${appealed.id} · ${t("status")} ${t(`status_${appealed.status}`)} · `,
        link,
      );
    }
    if (opener) {
      opener.addEventListener("click", () => {
        appealForm.hidden = false;
        opener.setAttribute("aria-expanded", "true");
        appealForm.elements.statement.focus();
      });
      appealForm.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const error = $("#appeal-error");
        const statement = appealForm.elements.statement.value.trim();
        if (!statement) {
          showError(error, new Error(t("appeal_statement_label")));
          appealForm.elements.statement.focus();
          return;
        }
        try {
          const body = { note: last.note, claimed_label: "genuine", statement };
          if (!body.note.comments.length) delete body.note.comments;
          appealed = await api("POST", "/v1/appeals", body, clientKey());
          appealForm.hidden = true;
          opener.hidden = true;
          renderFiled();
          $("#appeal-link").focus();
        } catch (e) {
          showError(error, e);
        }
      });
    }
  }

  // -- an appeal's status, for the writer -------------------------------------------------------------------
  function appealPage() {
    const view = $("#appeal-view");
    const id = view.dataset.appealId;
    let appeal = null;
    function render() {
      if (!appeal) return;
      const status = $("#appeal-status");
      status.textContent = t(`status_${appeal.status}`);
      status.dataset.status = appeal.status;
      const details = $("#appeal-details");
      details.replaceChildren();
      const row = (key, value) => {
        if (value == null || value === "") return;
        const dt = document.createElement("dt");
        dt.textContent = t(key);
        const dd = document.createElement("dd");
        dd.textContent = value;
        details.append(dt, dd);
      };
      const model = appeal.model || {};
      const resolution = appeal.resolution || {};
      row("created_at", when(appeal.created_at));
      row("decision_at_time", model.decision ? t(`decision_${model.decision}`) : null);
      row("statement", appeal.statement);
      row("resolution_note", resolution.note);
      row("resolved_at", when(resolution.resolved_at));
    }
    rerender.push(render);
    async function load() {
      try {
        appeal = await api("GET", `/v1/appeals/${encodeURIComponent(id)}`, undefined, clientKey());
        showError($("#appeal-error"), null);
        render();
      } catch (e) {
        showError($("#appeal-error"), e);
      }
    }
    $("#refresh").addEventListener("click", load);
    load();
  }

  // -- the moderator's queue --------------------------------------------------------------------------------
  function moderatorPage() {
    const keyForm = $("#key-form");
    const queue = $("#queue");
    const items = $("#queue-items");
    let appeals = [];
    let total = 0; // open appeals in all (the list is the first page of them)
    let lastResolved = null;

    function card(a) {
      const li = document.createElement("li");
      li.className = "card appeal-item";
      li.dataset.appealId = a.id;
      const h = document.createElement("h3");
      h.textContent = `${t("appeal_id")} ${a.id}`;
      li.append(h);
      const meta = document.createElement("dl");
      meta.className = "details";
      const row = (key, value) => {
        if (value == null || value === "") return;
        const dt = document.createElement("dt");
        dt.textContent = t(key);
        const dd = document.createElement("dd");
        dd.textContent = value;
        meta.append(dt, dd);
      };
      const model = a.model || {};
      row("decision_at_time", model.decision ? t(`decision_${model.decision}`) : null);
      row("probability", model.ad_probability != null ? pct(Number(model.ad_probability)) : null);
      row("model_version", model.version);
      row("claimed", a.claimed_label ? t(`claimed_${a.claimed_label}`) : null);
      row("created_at", when(a.created_at));
      li.append(meta);
      const note = document.createElement("div");
      note.className = "note";
      renderNote(note, a.note || {}, model.highlights);
      li.append(note);
      const quote = document.createElement("blockquote");
      quote.className = "statement";
      quote.setAttribute("aria-label", t("statement"));
      quote.textContent = a.statement ?? "";
      li.append(quote);

      const form = document.createElement("form");
      form.className = "resolve";
      const fieldId = `resolution-${a.id}`;
      const label = document.createElement("label");
      label.htmlFor = fieldId;
      label.textContent = t("resolution_label");
      const area = document.createElement("textarea");
      area.id = fieldId;
      area.name = "resolution_note";
      area.rows = 2;
      area.maxLength = 1000;
      const actions = document.createElement("p");
      actions.className = "actions";
      // Uphold: the model was right (the opposite of what the writer claims); overturn: the writer was right.
      const claimed = a.claimed_label === "ad" ? "ad" : "genuine";
      for (const [action, label_] of [["uphold", claimed === "genuine" ? "ad" : "genuine"], ["overturn", claimed]]) {
        const button = document.createElement("button");
        button.type = "submit";
        button.name = "action";
        button.value = action;
        button.dataset.label = label_;
        button.className = action;
        button.textContent = t(action);
        actions.append(button, " ");
      }
      const error = document.createElement("p");
      error.className = "alert";
      error.setAttribute("role", "alert");
      error.hidden = true;
      form.append(label, area, actions, error);
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const button = ev.submitter;
        try {
          const done = await api(
            "POST",
            `/v1/appeals/${encodeURIComponent(a.id)}/resolve`,
            { label: button.dataset.label, note: area.value },
            sessionStorage.getItem(MOD_KEY),
          );
          lastResolved = { id: a.id, status: done.status };
          appeals = appeals.filter((x) => x.id !== a.id);
          total = Math.max(appeals.length, total - 1);
          render();
          $("#queue-heading").focus();
        } catch (e) {
          showError(error, e);
        }
      });
      li.append(form);
      return li;
    }

    function render() {
      $("#queue-status").textContent = lastResolved
        ? `${t("resolved")}${t("appeal_id")} ${lastResolved.id} → ${t(`status_${lastResolved.status}`)}`
        : "";
      if (queue.hidden) return;
      $("#queue-count").textContent = total > appeals.length ? `${appeals.length} / ${total}` : String(appeals.length);
      $("#queue-empty").hidden = appeals.length > 0;
      items.replaceChildren(...appeals.map(card));
    }
    rerender.push(render);

    async function load() {
      const error = $("#queue-error");
      try {
        const data = await api("GET", "/v1/appeals?status=open", undefined, sessionStorage.getItem(MOD_KEY));
        appeals = data.appeals || [];
        total = data.total ?? appeals.length;
        showError(error, null);
        queue.hidden = false;
        $("#queue-heading").tabIndex = -1;
        render();
      } catch (e) {
        queue.hidden = true;
        showError(error, e);
        keyForm.elements.moderator_key.focus();
      }
    }
    keyForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      sessionStorage.setItem(MOD_KEY, keyForm.elements.moderator_key.value);
      load();
    });
    if (sessionStorage.getItem(MOD_KEY)) load();
  }

  const field = $("#api-key");
  if (field) field.value = sessionStorage.getItem(KEY) ?? "";
  applyLang();
  ({ writer: writerPage, appeal: appealPage, moderate: moderatorPage })[document.body.dataset.page]();
})();
