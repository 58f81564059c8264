// An appeal's status, for the writer who filed it (GET /appeals/{id}).
import { $, addRow, api, clientKey, onLangChange, showError, statusText, t, when } from "./common.js";

const view = $("#appeal-view");
const id = view.dataset.appealId;
let appeal = null;
function render() {
  if (!appeal) return;
  const status = $("#appeal-status");
  status.textContent = statusText(appeal);
  status.dataset.status = appeal.status;
  const details = $("#appeal-details");
  details.replaceChildren();
  const row = (key, value) => addRow(details, key, value);
  const model = appeal.model || {};
  const resolution = appeal.resolution || {};
  row("created_at", when(appeal.created_at));
  row("decision_at_time", model.decision ? t(`decision_${model.decision}`) : null);
  row("statement", appeal.statement);
  row("resolution_note", resolution.note);
  row("resolved_at", when(resolution.resolved_at));
}
onLangChange(render);
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
