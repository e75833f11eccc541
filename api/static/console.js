// 联办 window console: a thin client of the HTTP API (/api/v1). Chinese first, English available.
"use strict";
const I18N = {
  "zh-CN": {title: "联办 · 窗口工作台", login: "登录", username: "用户名", password: "密码", signin: "登录",
    logout: "退出", inbox: "待办任务", task: "任务", case: "办件", due: "期限", card: "预警", actions: "操作",
    empty: "暂无待办任务", claim: "签收", unclaim: "退回队列", open: "办理", complete: "办结本环节",
    formdata: "表单数据（JSON）", trail: "办理过程", none: "—", yellow: "黄牌", red: "红牌",
    completed: "已办结，后续环节：", claimed: "已签收", badjson: "表单数据不是有效的 JSON", fields: "表单字段", required: "必填", lang: "English"},
  "en": {title: "Lianban · Window console", login: "Log in", username: "Username", password: "Password",
    signin: "Log in", logout: "Log out", inbox: "My tasks", task: "Task", case: "Case", due: "Due", card: "Card",
    actions: "Actions", empty: "No open tasks", claim: "Claim", unclaim: "Hand back", open: "Open",
    complete: "Complete this step", formdata: "Form data (JSON)", trail: "History", none: "—", yellow: "yellow",
    red: "red", completed: "Completed; next steps: ", claimed: "Claimed", badjson: "Form data is not valid JSON",
    fields: "Form fields", required: "required", lang: "中文"},
};
let lang = localStorage.getItem("lianban.lang") || "zh-CN";
let token = sessionStorage.getItem("lianban.token");
let current = null;
const $ = (id) => document.getElementById(id);
const t = (key) => I18N[lang][key] || key;

function translate() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $("lang").textContent = t("lang");
  document.title = t("title");
}

async function api(method, path, body) {
  const headers = {"Accept": "application/json"};
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch("/api/v1" + path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) {
    const error = new Error((data && (data.code + ": " + data.detail)) || response.statusText);
    error.fields = (data && Array.isArray(data.errors)) ? data.errors : [];   // form_invalid: one per field
    throw error;
  }
  return data;
}

function fmt(iso) { return iso ? new Date(iso).toLocaleString(lang, {timeZone: "Asia/Shanghai"}) : t("none"); }

async function showInbox() {
  const rows = await api("GET", "/tasks?include_claimed_by_others=false");
  const body = $("inbox").querySelector("tbody");
  body.replaceChildren();
  $("empty").hidden = rows.length > 0;
  for (const task of rows) {
    const tr = document.createElement("tr");
    tr.dataset.task = task.id;
    const cells = [task.name, "#" + task.case_id, fmt(task.due_at), task.warning === "none" ? t("none") : t(task.warning)];
    cells.forEach((text, i) => {
      const td = document.createElement("td");
      td.textContent = text;
      if (i === 3 && task.warning !== "none") td.className = "card-" + task.warning;
      tr.appendChild(td);
    });
    const actions = document.createElement("td");
    const button = document.createElement("button");
    button.type = "button";
    button.className = task.assignee_id ? "open" : "claim";
    button.textContent = task.assignee_id ? t("open") : t("claim");
    button.onclick = () => (task.assignee_id ? openTask(task) : claim(task));
    actions.appendChild(button);
    tr.appendChild(actions);
    body.appendChild(tr);
  }
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
  $("trail").replaceChildren(...trail.events.map((e) => {
    const li = document.createElement("li");
    li.textContent = `${fmt(e.at)} ${e.type} (${e.actor || ""})`;
    return li;
  }));
}

// the task's JSON Schema form (GET /tasks/{id}/form): list its fields, prefill their skeleton
async function showForm(task) {
  const form = await api("GET", `/tasks/${task.id}/form`);
  const schema = form.schema || {properties: {}};
  const required = new Set(schema.required || []);
  const skeleton = {};
  $("form-fields").replaceChildren(...Object.entries(schema.properties || {}).map(([name, field]) => {
    const li = document.createElement("li");
    const choices = field.enum ? ` [${field.enum.join(" | ")}]` : "";
    li.textContent = `${name}: ${field.title || ""} (${field.type || ""}${choices})` + (required.has(name) ? " *" + t("required") : "");
    if (required.has(name)) {
      skeleton[name] = field.enum ? field.enum[0] : ({boolean: true, integer: 0, number: 0, array: []}[field.type] ?? "");
    }
    return li;
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
    await showInbox();
  } catch (err) {
    $("detail-error").textContent = err.message;
    $("field-errors").replaceChildren(...(err.fields || []).map((e) => {
      const li = document.createElement("li");
      li.textContent = `${e.field}: ${e.message}`;
      return li;
    }));
  }
}

async function enter() {
  const me = await api("GET", "/auth/me");
  $("who").textContent = me.username;
  $("login").hidden = true;
  $("work").hidden = false;
  $("logout").hidden = false;
  await showInbox();
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
$("lang").onclick = () => { lang = lang === "zh-CN" ? "en" : "zh-CN"; localStorage.setItem("lianban.lang", lang); translate(); if (token) showInbox(); };
$("complete").onclick = complete;
translate();
if (token) enter().catch(() => { token = null; sessionStorage.removeItem("lianban.token"); });
