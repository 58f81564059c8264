// The writer's page (GET /): check a draft, see its highlights and reasons, appeal a flag.
import { $, advice, api, clientKey, currentLang, onLangChange, renderGauge, renderNote, renderReasons, showError, t, withLang } from "./common.js";

const form = $("#check-form");
const result = $("#result");
let last = null; // {note, data} of the result on screen
let appealed = null; // the appeal filed for it
let attempt = null; // {statement, key}: the Idempotency-Key of the appeal being filed, sent again when it is retried

// One key per appeal the writer means to file: a second press, or a retry after a lost answer, sends the same
// key, and the server gives back the appeal the first one filed instead of filing it again. Another statement is
// another appeal. (crypto.getRandomValues, unlike randomUUID, is there on a page served over plain http.)
function idempotencyKey(statement) {
  if (!attempt || attempt.statement !== statement) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    attempt = { statement, key: Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("") };
  }
  return attempt.key;
}

function render() {
  if (!last) return;
  const { note, data } = last;
  result.dataset.decision = data.decision;
  const decision = $("#decision");
  decision.textContent = t(`decision_${data.decision}`);
  decision.className = `decision ${data.decision}`;
  renderGauge($("#gauge"), data);
  const declared = $("#declared");
  declared.hidden = !data.declared;
  declared.textContent = data.declared ? t("declared_note").replace("{text}", `“${data.declared.quoted}”`) : "";
  const advice = $("#advice");
  const sentence = data.advice && data.advice[currentLang()];
  advice.hidden = !sentence;
  $("span", advice).textContent = sentence ? ` ${sentence}` : "";
  // A note judged genuine is shown with what reads as genuine; the phrases leaning towards ad (too weak to
  // change the decision) are marked only on request, not painted red on an honest note by default.
  const towardsAd = (data.highlights || []).filter((h) => Number(h.weight) > 0).length;
  const hideAd = data.decision === "genuine" && !$("#show-ad").checked;
  $("#show-ad-marks").hidden = !(data.decision === "genuine" && towardsAd);
  $("label[for=show-ad]").textContent = t("show_ad_marks").replace("{n}", String(towardsAd));
  renderNote($("#note-view"), note, data.highlights, hideAd, data.declared);
  renderReasons($("#reasons"), data, hideAd);
  $("#model-version").textContent = data.model_version ?? "";
  const appeal = $("#appeal");
  if (appeal) {
    appeal.hidden = data.decision === "genuine";
    renderFiled();
  }
}
// A check that fails (the server's error, no network, an empty draft) takes the previous result off the page: left
// there under the new error, it read as the verdict on the new text, and its appeal would file the old note.
function clearResult() {
  last = null;
  appealed = null;
  attempt = null;
  result.hidden = true;
  delete result.dataset.decision;
  resetAppeal();
}
onLangChange(render);
$("#show-ad").addEventListener("change", render);
// Ctrl+Enter (⌘+Enter) in a field checks, as in most editors; Enter alone stays a new line in the text
form.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    form.requestSubmit();
  }
});

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const note = {
    title: form.elements.title.value,
    text: form.elements.text.value,
    comments: form.elements.comments.value.split("\n").map((c) => c.trim()).filter(Boolean),
  };
  const error = $("#check-error");
  if (!note.text.trim() && !note.title.trim()) {  // an image note may have a title and no text, as the API allows
    clearResult();
    showError(error, advice(() => t("text_required")));
    form.elements.text.focus();
    return;
  }
  // The server's limits, said in the page's language before sending (its own answer names the field in English)
  for (const field of ["title", "text"]) {
    const max = Number(form.elements[field].dataset.max);
    const n = Array.from(note[field]).length; // characters as the server counts them (code points)
    if (max && n > max) {
      clearResult();
      showError(error, advice(() => t(`${field}_too_long`).replace("{max}", max).replace("{n}", n)));
      form.elements[field].focus();
      return;
    }
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
    attempt = null;
    $("#show-ad").checked = false;
    resetAppeal();
    result.hidden = false;
    render();
    // click-to-highlights: from pressing Check to the highlighted note being in the page
    performance.measure("notecheck:check", "notecheck:check-start");
    result.focus({ preventScroll: false });
  } catch (e) {
    clearResult();
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
  countStatement();
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
// The statement's length as it is typed (the server takes at most maxStatement characters; nothing is cut).
const counter = $("#statement-count");
const maxStatement = counter ? Number(counter.dataset.max) : 0;
function countStatement() {
  const n = Array.from(appealForm.elements.statement.value.trim()).length;
  counter.textContent = `${n} / ${maxStatement}`;
  counter.classList.toggle("over", n > maxStatement);
}
if (opener) {
  appealForm.elements.statement.addEventListener("input", countStatement);
  opener.addEventListener("click", () => {
    appealForm.hidden = false;
    opener.setAttribute("aria-expanded", "true");
    appealForm.elements.statement.focus();
  });
  appealForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const error = $("#appeal-error");
    const statement = appealForm.elements.statement.value.trim();
    const n = Array.from(statement).length;
    if (!statement || n > maxStatement) {
      const words = statement
        ? () => t("statement_too_long").replace("{max}", maxStatement).replace("{n}", n)
        : () => t("statement_required");
      showError(error, advice(words));
      appealForm.elements.statement.focus();
      return;
    }
    try {
      const { comments, ...rest } = last.note;
      const body = { note: comments.length ? last.note : rest, claimed_label: "genuine", statement };
      appealed = await api("POST", "/v1/appeals", body, clientKey(), {
        "Idempotency-Key": idempotencyKey(statement),
      });
      appealForm.hidden = true;
      opener.hidden = true;
      renderFiled();
      $("#appeal-link").focus();
    } catch (e) {
      showError(error, e);
    }
  });
}
