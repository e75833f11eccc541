// 联办 console: login, then by account — window staff get their inbox (claim, complete with the
// task's JSON-Schema form) and their cases (casepanel.js), supervisors also the channel
// statistics (stats.js), applicants the portal (portal.js). Chinese first, English available.
"use strict";
addTexts({title: "联办 · 窗口工作台", guide: "办事指南", login: "登录", username: "用户名", password: "密码", signin: "登录",
  logout: "退出", inbox: "待办任务", task: "任务", case: "办件", due: "期限", card: "预警", actions: "操作",
  empty: "暂无待办任务", handle: "办理", claim: "签收", unclaim: "退回队列", complete: "办结本环节",
  formdata: "表单数据（JSON）", trail: "办理过程", yellow: "黄牌", red: "红牌", caseDetail: "办件详情",
  completed: "已办结，后续环节：", claimed: "已签收", badjson: "表单数据不是有效的 JSON", fields: "表单字段", required: "必填"},
{title: "Lianban · Window console", guide: "Service guide", login: "Log in", username: "Username", password: "Password",
  signin: "Log in", logout: "Log out", inbox: "My tasks", task: "Task", case: "Case", due: "Due", card: "Card",
  actions: "Actions", empty: "No open tasks", handle: "Open", claim: "Claim", unclaim: "Hand back", caseDetail: "Case details",
  complete: "Complete this step", formdata: "Form data (JSON)", trail: "History", yellow: "yellow",
  red: "red", completed: "Completed; next steps: ", claimed: "Claimed", badjson: "Form data is not valid JSON",
  fields: "Form fields", required: "required"});
let current = null;
let me = null;

async function showInbox() {
  const rows = await api("GET", "/tasks?include_claimed_by_others=false");
  $("empty").hidden = rows.length > 0;
  $("inbox").querySelector("tbody").replaceChildren(...rows.map((task) => {
    const tr = row([task.name, "#" + task.case_id, fmt(task.due_at), task.warning === "none" ? t("none") : t(task.warning)]);
    tr.dataset.task = task.id;
    if (task.warning !== "none") tr.cells[3].className = "card-" + task.warning;
    const button = el("button", {type: "button", className: task.assignee_id ? "open" : "claim",
      textContent: task.assignee_id ? t("handle") : t("claim"),
      onclick: () => (task.assignee_id ? openTask(task) : claim(task))});
    tr.append(el("td", null, button));
    return tr;
  }));
}

async function claim(task) {
  try {
    await api("POST", `/tasks/${task.id}/claim`);
    $("notice").textContent = t("claimed");
    await showInbox();
  } catch (err) { $("notice").textContent = err.message; }
}

async function openTask(task) {
  current = task;
  $("detail").hidden = false;
  $("detail-title").textContent = task.name + " · #" + task.case_id;
  $("detail-error").textContent = "";
  $("field-errors").replaceChildren();
  await showForm(task);
  const trail = await api("GET", `/cases/${task.case_id}/events`);
  $("trail").replaceChildren(...trail.events.map((e) => el("li", null, `${fmt(e.at)} ${e.type} (${e.actor || ""})`)));
}

// the task's JSON Schema form (GET /tasks/{id}/form): list its fields, prefill their skeleton
async function showForm(task) {
  const form = await api("GET", `/tasks/${task.id}/form`);
  const schema = form.schema || {properties: {}};
  const required = new Set(schema.required || []);
  const skeleton = {};
  $("form-fields").replaceChildren(...Object.entries(schema.properties || {}).map(([name, field]) => {
    const choices = field.enum ? ` [${field.enum.join(" | ")}]` : "";
    if (required.has(name)) {
      skeleton[name] = field.enum ? field.enum[0] : ({boolean: true, integer: 0, number: 0, array: []}[field.type] ?? "");
    }
    return el("li", null, `${name}: ${field.title || ""} (${field.type || ""}${choices})` + (required.has(name) ? " *" + t("required") : ""));
  }));
  $("form-title").textContent = schema.title || "";
  $("formdata").value = JSON.stringify(skeleton, null, 1);
}

async function complete() {
  let data;
  try { data = JSON.parse($("formdata").value || "{}"); } catch { $("detail-error").textContent = t("badjson"); return; }
  try {
    const done = await api("POST", `/tasks/${current.id}/complete`, {data});
    $("notice").textContent = t("completed") + (done.next_tasks.length || 0);
    $("detail").hidden = true;
    await Promise.all([showInbox(), showCases()]);
  } catch (err) {
    $("detail-error").textContent = err.message;
    $("field-errors").replaceChildren(...err.fields.map((e) => el("li", null, `${e.field}: ${e.message}`)));
  }
}

async function showAll() {
  if (me.kind === "applicant") { await showPortal(); return; }
  const supervises = me.posts.filter((p) => p.role === "supervisor");
  $("stats").hidden = supervises.length === 0;
  await Promise.all([showInbox(), showCases(), supervises.length ? showStats(supervises[0].org_unit_id) : null]);
}

async function enter() {
  me = await api("GET", "/auth/me");
  $("who").textContent = me.username;
  $("login").hidden = true;
  $("logout").hidden = false;
  $("work").hidden = me.kind === "applicant";
  $("portal").hidden = me.kind !== "applicant";
  await showAll();
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const result = await api("POST", "/auth/login", {username: form.get("username"), password: form.get("password")});
    token = result.token;
    sessionStorage.setItem("lianban.token", token);
    await enter();
  } catch (err) { $("login-error").textContent = err.message; }
});
$("logout").onclick = async () => {
  try { await api("POST", "/auth/logout"); } catch { /* already gone */ }
  token = null; sessionStorage.removeItem("lianban.token"); location.reload();
};
setLanguageToggle(() => { if (me) showAll(); });
$("complete").onclick = complete;
$("task-case").onclick = () => openCase(current.case_id);
translate();
if (token) enter().catch(() => { token = null; sessionStorage.removeItem("lianban.token"); });
