// 联办 pages: what the console, the applicant portal and the public guide share — the language
// (Chinese first, English available), the HTTP API client, the labels of the domain's codes and a
// tiny element builder. Every page is a thin client of /api/v1; nothing is loaded from a CDN.
"use strict";
const I18N = {"zh-CN": {lang: "English"}, "en": {lang: "中文"}};
// labels of codes the API returns, per language: LABELS[group][code] = [zh, en]
const LABELS = {
  lifecycle: {received: ["已收件", "Received"], correction_requested: ["补正告知", "Correction requested"],
    forwarded: ["已转报", "Forwarded"], not_accepted: ["不予受理", "Not accepted"], accepted: ["已受理", "Accepted"],
    in_progress: ["办理中", "In progress"], suspended: ["已中止计时", "Suspended"], decided: ["已作出决定", "Decided"],
    completed: ["已办结", "Completed"], delivered: ["已送达", "Delivered"], withdrawn: ["已撤件", "Withdrawn"],
    returned: ["已退件", "Returned"], partially_completed: ["部分办结", "Partially completed"]},
  tier: {district: ["新区", "District"], park: ["园区", "Park"], township: ["乡镇", "Township"], village: ["村（社区）", "Village"]},
  category: {licensing: ["行政许可", "Licensing"], confirmation: ["行政确认", "Confirmation"],
    adjudication: ["行政裁决", "Adjudication"], benefit: ["行政给付", "Benefit"], reward: ["行政奖励", "Reward"],
    filing: ["备案", "Filing"], other_power: ["其他行政权力", "Other power"], public_service: ["公共服务", "Public service"],
    package: ["一件事", "Package"]},
  unit: {workday: ["个工作日", " working days"], calendar_day: ["个自然日", " calendar days"]},
  channel: {window: ["窗口办理", "At a window"], online: ["网上办理", "Online"], mail: ["邮寄办理", "By mail"],
    mobile: ["掌上办", "On mobile"], express: ["快递送达", "Courier delivery"], proxy: ["帮办代办", "By proxy"]},
  depth: {1: ["Ⅰ级 信息公开与咨询", "Level Ⅰ information"], 2: ["Ⅱ级 网上预审", "Level Ⅱ online pre-review"],
    3: ["Ⅲ级 网上受理办理", "Level Ⅲ online acceptance"], 4: ["Ⅳ级 全程网办", "Level Ⅳ fully online"]},
  form: {paper: ["纸质", "paper"], electronic: ["电子", "electronic"], both: ["纸质或电子", "paper or electronic"]},
  trust: {A: ["A 电子证照", "A e-licence"], B: ["B 窗口核验", "B verified at a window"],
    C: ["C 本人上传（待核验）", "C uploaded (to verify)"], D: ["D 告知承诺", "D self-declaration"]},
  material: {missing: ["缺", "missing"], satisfied: ["已满足", "satisfied"], unverified: ["待核验", "to verify"],
    tolerated: ["容缺", "tolerated"]},
  decision: {granted: ["准予", "granted"], refused: ["不予", "refused"], partial: ["部分准予", "partial"]},
  status: {running: ["办理中", "running"], completed: ["已办结", "completed"], withdrawn: ["已撤件", "withdrawn"],
    returned: ["已退件", "returned"], not_accepted: ["不予受理", "not accepted"]},
};
let lang = localStorage.getItem("lianban.lang") || "zh-CN";
let token = sessionStorage.getItem("lianban.token");
const $ = (id) => document.getElementById(id);
const t = (key) => I18N[lang][key] || I18N["zh-CN"][key] || key;
const label = (group, code) => { const pair = (LABELS[group] || {})[code]; return pair ? pair[lang === "en" ? 1 : 0] : (code ?? t("none")); };

function addTexts(zh, en) { Object.assign(I18N["zh-CN"], zh); Object.assign(I18N.en, en); }
addTexts({none: "—", yes: "是", no: "否", open: "查看"}, {none: "—", yes: "yes", no: "no", open: "Open"});

function translate() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  if ($("lang")) $("lang").textContent = t("lang");
  if (I18N["zh-CN"].title) document.title = t("title");
}

// el("td", {className: "x"}, "text", child…): children are nodes or text
function el(tag, props, ...children) {
  const {dataset, ...rest} = props || {};
  const node = Object.assign(document.createElement(tag), rest);
  Object.assign(node.dataset, dataset || {});            // dataset itself cannot be assigned
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function row(cells) { return el("tr", null, cells.map((c) => el("td", null, c))); }

class ApiError extends Error {
  constructor(problem, status) {
    super((problem && problem.code) ? `${problem.code}: ${problem.detail || problem.title || ""}` : String(status));
    this.problem = problem || {};
    this.fields = Array.isArray(this.problem.errors) ? this.problem.errors : [];   // form_invalid: one per field
  }
}

async function fetchApi(method, path, body) {
  const headers = {"Accept": "application/json"};
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch("/api/v1" + path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(problem, response.status);
  }
  return response;
}

async function api(method, path, body) {
  const response = await fetchApi(method, path, body);
  return response.status === 204 ? null : response.json();
}

function fmt(iso) { return iso ? new Date(iso).toLocaleString(lang, {timeZone: "Asia/Shanghai"}) : t("none"); }
function fmtDate(iso) { return iso ? new Date(iso).toLocaleDateString(lang, {timeZone: "Asia/Shanghai"}) : t("none"); }

// an issued document (HTML, needs the token) shown in a sandboxed frame: no script of it runs
async function showDocument(frame, caseId, doc) {
  const response = await fetchApi("GET", `/cases/${caseId}/documents/${doc.id}`);
  frame.srcdoc = await response.text();
  frame.hidden = false;
  frame.title = doc.title;
}

function documentsList(caseId, docs, frame) {
  return docs.map((doc) => el("li", {className: "document"}, `${doc.title} ${doc.number} (${fmt(doc.created_at)}) `,
    el("button", {type: "button", className: "open-document", textContent: t("open"),
      onclick: () => showDocument(frame, caseId, doc)})));
}

function setLanguageToggle(onChange) {
  $("lang").onclick = () => {
    lang = lang === "zh-CN" ? "en" : "zh-CN";
    localStorage.setItem("lianban.lang", lang);
    translate();
    if (onChange) onChange();
  };
}
