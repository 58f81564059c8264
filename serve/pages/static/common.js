// notecheck pages, the part every page shares: the words in both languages and the in-place toggle, calls to the
// public JSON API with the user's key, and drawing a checked note (highlights, reasons, gauge).
// Plain browser JavaScript modules, no build step. Everything is drawn with DOM nodes (never innerHTML), so nothing
// a writer types can run as markup.
export const $ = (sel, root = document) => root.querySelector(sel);
const WORDS = JSON.parse($("#words").textContent);
let lang = document.documentElement.lang.startsWith("en") ? "en" : "zh";
export const t = (key) => WORDS[lang][key] ?? key;
const rerender = []; // renderers of dynamic content, run again when the language changes
/** The page's language now: "zh" or "en". */
export const currentLang = () => lang;
/** Run `fn` again whenever the language is switched (it re-renders what a page drew in the old one). */
export const onLangChange = (fn) => rerender.push(fn);

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

export const withLang = (path) => `${path}?lang=${lang}`;
// An appeal's status in words; once resolved, with the label the moderator gave (not the one the status implies
// for a writer's appeal: upholding a reader's report on a genuine note keeps it genuine).
export function statusText(appeal) {
  const status = t(`status_${appeal.status}`);
  const label = appeal.resolution && appeal.resolution.label;
  return label ? t("status_with_label").replace("{status}", status).replace("{label}", t(`resolved_${label}`)) : status;
}

// -- the API ----------------------------------------------------------------------------------------------
const KEY = "notecheck.key";
export const MOD_KEY = "notecheck.moderatorKey";

export function clientKey() {
  const field = $("#api-key");
  if (field && field.value) sessionStorage.setItem(KEY, field.value);
  return sessionStorage.getItem(KEY);
}

export async function api(method, path, body, key, extraHeaders = {}) {
  const headers = { Accept: "application/json", ...extraHeaders };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (key) headers["X-API-Key"] = key;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw Object.assign(new Error(t("network_error")), { text: () => t("network_error") });
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error((data && data.message) || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

const shownErrors = new Map(); // element -> the error it shows, drawn again in the other language on the toggle

export function showError(el, error) {
  if (!error) {
    el.hidden = true;
    el.textContent = "";
    shownErrors.delete(el);
    return;
  }
  shownErrors.set(el, error);
  drawError(el, error);
}

function drawError(el, error) {
  // what the server said comes after "something went wrong" and what its status means in the page's language
  // (the server's words are English, and name the field); the page's own words (`text`) follow the toggle
  const message = error.text ? error.text() : error.message;
  const status = error.status >= 500 ? "http_5xx" : `http_${error.status}`;
  const said = error.status && WORDS[lang][status] ? `${t(status)} (${message})` : message;
  el.textContent = error.advice ? message : `${t("error")} ${said}`;
  el.hidden = false;
}

onLangChange(() => {
  for (const [el, error] of shownErrors) if (!el.hidden) drawError(el, error);
});

/** An error that is the page's advice to the user ("paste the text first"), not a failure: `text` gives its words
 * in the page's language now. */
export const advice = (text) => Object.assign(new Error(text()), { advice: true, text });

// -- rendering a checked note -----------------------------------------------------------------------------
// whole percents, but one decimal near the ends, where "0%" or "100%" would overstate the certainty
export const pct = (p) => `${(100 * p).toFixed(p >= 0.01 && p <= 0.99 ? 0 : 1)}%`;
export const signed = (w) => `${w > 0 ? "+" : ""}${w.toFixed(2)}`;
export const category = (code) => WORDS[lang][`cat.${code}`] ?? code;
export const when = (iso) => {
  const d = new Date(iso);
  return iso && !Number.isNaN(d.getTime()) ? d.toLocaleString(lang === "zh" ? "zh-CN" : "en") : iso;
};

// Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069). One opened in the writer's text and closed
// inside a mark (an isolate) was never closed for the text around it: "加\u202e信微\u202c：abc123，今天…" showed the
// whole note reversed. A piece of plain text holding one is isolated too, so each stays inside its own piece.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
function plain(text) {
  if (!BIDI_CONTROL.test(text)) return text;
  const span = document.createElement("span");
  span.className = "bidi-piece";
  span.textContent = text;
  return span;
}

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
    out.append(plain(chars.slice(pos, h.start).join("")));
    const mark = document.createElement("mark");
    const weight = Number(h.weight) || 0;
    mark.textContent = piece;
    mark.className = h.declared ? "ad declared" : weight > 0 ? "ad" : "genuine";
    mark.dataset.weight = String(weight);
    mark.dataset.category = h.category ?? "";
    mark.title = h.declared
      ? `${category(h.category)} · ${t("declared_mark")}`
      : `${category(h.category)} · ${t(weight > 0 ? "towards_ad" : "towards_genuine")} · ${t("weight")} ${signed(weight)}`;
    mark.tabIndex = 0; // focus shows the same tooltip as hover (CSS), for keyboard users
    mark.style.setProperty("--w", (0.25 + 0.75 * Math.min(1, Math.abs(weight) / maxWeight)).toFixed(2));
    out.append(mark);
    pos = h.end;
  }
  out.append(plain(chars.slice(pos).join("")));
  return out;
}

// The note (title, text) with the highlights of each field (those towards ad left out with hideAd). A declaration
// that the note is an ad (the check's `declared` span) is marked in place of the highlights it overlaps, as strongly as
// the strongest: it decided. (A check gives it as a highlight towards ad; an appeal stored before that kept the model's
// weights, which may lean "#ad" towards genuine.)
export function renderNote(container, note, highlights, hideAd = false, declared = null) {
  container.replaceChildren();
  let list = Array.isArray(highlights) ? highlights : [];
  if (hideAd) list = list.filter((h) => !(Number(h.weight) > 0));
  const maxWeight = Math.max(1e-9, ...list.map((h) => Math.abs(Number(h.weight) || 0)));
  if (declared && Number.isInteger(declared.start) && Number.isInteger(declared.end)) {
    const apart = (h) => (h.field ?? "text") !== declared.field || h.end <= declared.start || declared.end <= h.start;
    list = [...list.filter(apart), { ...declared, weight: maxWeight, category: "disclosure", declared: true }];
  }
  for (const field of ["title", "text"]) {
    if (!note[field]) continue;
    const block = document.createElement(field === "title" ? "p" : "div");
    block.className = `note-${field}`;
    block.setAttribute("aria-label", t(`note_${field}`));
    block.append(marked(note[field], list.filter((h) => (h.field ?? "text") === field), maxWeight));
    container.append(block);
  }
}

// Readable reasons: a category in the page's language, its direction, weight and evidence phrases, quoted as the
// server quotes them (a reason's `quotes`: each phrase once, a platform topic tag as typed, "#宜家" not
// "#宜家[话题]#"); the note view marks the spans as sent.
function reasonsOf(data) {
  return (Array.isArray(data.reasons) ? data.reasons : []).map((r) => ({
    label: (lang === "zh" ? r.label_zh : r.label_en) || category(r.category),
    direction: r.direction ?? (r.weight > 0 ? "ad" : "genuine"),
    weight: Number(r.weight) || 0,
    evidence: Array.isArray(r.quotes) ? r.quotes.map(String) : [],
  }));
}

// hideAd: the reasons towards ad left out, as the note view leaves out their marks (a note judged genuine).
export function renderReasons(list, data, hideAd = false) {
  list.replaceChildren();
  const reasons = reasonsOf(data).filter((r) => !(hideAd && r.direction === "ad"));
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
    // Each quote is the writer's text in a <bdi>: a right-to-left override inside it must not reverse the rest of
    // the line (the weight, the next quote).
    r.evidence.slice(0, 5).forEach((e, i) => {
      const quote = document.createElement("bdi");
      quote.textContent = e;
      li.append(i ? (lang === "zh" ? "、“" : ", “") : " “", quote, "”");
    });
    const w = document.createElement("span");
    w.className = "w";
    w.textContent = signed(r.weight);
    li.append(" ", w);
    list.append(li);
  }
}

export function renderGauge(gauge, data) {
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

// One term and its value in a <dl>; nothing for a missing value.
export function addRow(list, key, value) {
  if (value == null || value === "") return;
  const dt = document.createElement("dt");
  dt.textContent = t(key);
  const dd = document.createElement("dd");
  dd.textContent = value;
  list.append(dt, dd);
}

// On every page: the key this tab was given, and the words in the page's language.
const field = $("#api-key");
if (field) field.value = sessionStorage.getItem(KEY) ?? "";
applyLang();
