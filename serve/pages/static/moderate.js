// The moderators' queue (GET /moderate): open appeals, those of notes that declared themselves ads first, then the most
// uncertain, to uphold or overturn.
import { $, addRow, api, MOD_KEY, onLangChange, pct, renderNote, showError, statusText, t, when } from "./common.js";

const keyForm = $("#key-form");
const queue = $("#queue");
const items = $("#queue-items");
let appeals = [];
let total = 0; // open appeals in all (the list is the first page of them)
let lastResolved = null;
// What a moderator has typed per appeal and not sent: the queue is drawn again after each resolution and on the
// language toggle, and a note half written on another appeal must still be there.
const drafts = new Map();

function card(a) {
  const li = document.createElement("li");
  li.className = "card appeal-item";
  li.dataset.appealId = a.id;
  const h = document.createElement("h3");
  h.textContent = `${t("appeal_id")} ${a.id}`;
  li.append(h);
  const meta = document.createElement("dl");
  meta.className = "details";
  const row = (key, value) => addRow(meta, key, value);
  const model = a.model || {};
  row("decision_at_time", model.decision ? t(`decision_${model.decision}`) : null);
  row("probability", model.ad_probability != null ? pct(Number(model.ad_probability)) : null);
  row("declared_at_time", model.declared ? `“${model.declared.text}”` : null);
  row("model_version", model.version);
  row("claimed", a.claimed_label ? t(`claimed_${a.claimed_label}`) : null);
  row("created_at", when(a.created_at));
  li.append(meta);
  const note = document.createElement("div");
  note.className = "note";
  renderNote(note, a.note || {}, model.highlights, false, model.declared);
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
  area.value = drafts.get(a.id) ?? "";
  area.addEventListener("input", () => drafts.set(a.id, area.value));
  const actions = document.createElement("p");
  actions.className = "actions";
  // Uphold: the model was right, the note is what the model said (a note decided "ad" or sent to "review" was
  // flagged as an ad); overturn: the model was wrong. The API names the outcome the same way.
  const modelSaid = (a.model || {}).decision === "genuine" ? "genuine" : "ad";
  const otherwise = modelSaid === "ad" ? "genuine" : "ad";
  for (const [action, label_] of [["uphold", modelSaid], ["overturn", otherwise]]) {
    const button = document.createElement("button");
    button.type = "submit";
    button.name = "action";
    button.value = action;
    button.dataset.label = label_;
    button.className = `${action} ${label_}`; // coloured by the label it records
    button.textContent = `${t(action)} · ${t(`claimed_${label_}`)}`; // what the note is recorded as
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
      drafts.delete(a.id);
      appeals = appeals.filter((x) => x.id !== a.id);
      total = Math.max(appeals.length, total - 1);
      // the last one shown: fetch the queue again, since more than one page of appeals may have been waiting
      if (appeals.length) render();
      else await load();
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
    ? `${t("resolved")}${t("appeal_id")} ${lastResolved.id} → ${statusText(lastResolved)}`
    : "";
  if (queue.hidden) return;
  $("#queue-count").textContent = total > appeals.length ? `${appeals.length} / ${total}` : String(appeals.length);
  $("#queue-empty").hidden = appeals.length > 0;
  items.replaceChildren(...appeals.map(card));
}
onLangChange(render);

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
