// 办事指南: the public guide (no login) — published items with filters, and one item's guide.
"use strict";
addTexts({title: "联办 · 办事指南", toConsole: "网上办事 / 窗口工作台", tier: "实施层级", category: "事项类型",
  acceptingTier: "可受理层级", keyword: "关键词", search: "查询", all: "全部", name: "事项名称", body: "实施主体",
  promise: "承诺时限", channels: "办理渠道", depth: "网办深度", found: "共 {n} 项", basic: "基本信息",
  code: "实施编码", localCode: "地方编码", legalBasis: "设定依据", deciding: "决定层级", legal: "法定办结时限",
  extension: "可延长", visits: "到现场次数", projectType: "办件类型", instant: "即办件", promised: "承诺件",
  materials: "申请材料", material: "材料名称", required: "必要性", requiredYes: "必要", requiredNo: "非必要",
  form: "材料形式", copies: "份数", licences: "可用电子证照", tolerable: "容缺", fees: "收费", free: "免费",
  feeName: "收费项目", standard: "收费标准", basis: "依据", texts: "办事指南", accept_condition: "受理条件",
  handle_flow: "办理流程", address: "办理地点", hours: "办理时间", consult_phone: "咨询电话",
  complaint_phone: "投诉电话", back: "返回列表", tolerantList: "可容缺受理", payOnline: "网上缴费"},
{title: "Lianban · Service guide", toConsole: "Apply online / window console", tier: "Tier", category: "Category",
  acceptingTier: "Accepted at", keyword: "Keyword", search: "Search", all: "All", name: "Item", body: "Implementing body",
  promise: "Promised limit", channels: "Channels", depth: "Online depth", found: "{n} items", basic: "Basic information",
  code: "Implementation code", localCode: "Local code", legalBasis: "Legal basis", deciding: "Decided at",
  legal: "Legal limit", extension: "Extension", visits: "On-site visits", projectType: "Project type",
  instant: "instant", promised: "promised", materials: "Materials", material: "Material", required: "Required",
  requiredYes: "required", requiredNo: "optional", form: "Form", copies: "Copies", licences: "Accepted e-licences",
  tolerable: "Tolerable", fees: "Fees", free: "Free of charge", feeName: "Fee", standard: "Standard", basis: "Basis",
  texts: "Guide", accept_condition: "Conditions", handle_flow: "Procedure", address: "Where", hours: "Hours",
  consult_phone: "Enquiries", complaint_phone: "Complaints", back: "Back to the list", tolerantList: "Tolerant acceptance",
  payOnline: "pay online"});

let shownCode = null;

function fillSelect(select, group) {
  const current = select.value;
  select.replaceChildren(el("option", {value: "", textContent: t("all")}),
    ...Object.keys(LABELS[group]).filter((k) => k !== "package").map((k) => el("option", {value: k, textContent: label(group, k)})));
  select.value = current;
}

function limit(amount, unit) { return amount ? `${amount}${label("unit", unit)}` : t("none"); }
function channels(item) {
  return [...item.handle_forms.map((f) => label("channel", f)), item.mobile ? label("channel", "mobile") : null,
    item.express ? label("channel", "express") : null].filter(Boolean).join("、");
}

async function search(event) {
  if (event) event.preventDefault();
  const query = new URLSearchParams([...new FormData($("filters")).entries()].filter(([, v]) => v));
  $("guide-error").textContent = "";
  try {
    const items = await api("GET", "/catalogue/items?" + query);
    $("count").textContent = t("found").replace("{n}", items.length);
    $("items").querySelector("tbody").replaceChildren(...items.map((item) => {
      const link = el("a", {href: "#" + item.code, className: "item-link", textContent: item.name});
      const tr = row([link, item.body_name || item.org_unit_name, label("tier", item.tier),
        limit(item.promise_limit, item.promise_unit), channels(item), label("depth", item.online_depth)]);
      tr.dataset.code = item.code;
      return tr;
    }));
  } catch (err) { $("guide-error").textContent = err.message; }
}

function facts(pairs) {
  return el("dl", null, pairs.flatMap(([key, value]) => [el("dt", {textContent: t(key)}), el("dd", null, value ?? t("none"))]));
}

function table(className, heads, rows) {
  return el("table", {className}, el("thead", null, el("tr", null, heads.map((h) => el("th", {textContent: t(h)})))),
    el("tbody", null, rows.map(row)));
}

async function showItem(code) {
  shownCode = code;
  let g;
  try { g = await api("GET", "/catalogue/items/" + encodeURIComponent(code)); } catch (err) {
    $("guide-error").textContent = err.message; return;
  }
  const materials = table("materials", ["material", "required", "form", "copies", "licences", "tolerable"],
    g.materials.map((m) => [`${m.code} ${m.name}`, t(m.required === false ? "requiredNo" : "requiredYes"),
      label("form", m.form || "paper"), m.copies ?? 1, (m.licence_types || []).join("、") || t("none"),
      m.tolerable ? t("yes") : t("no")]));
  const fees = g.fee_required
    ? [table("fees", ["feeName", "standard", "basis"], g.fees.map((f) => [f.name, f.standard, f.basis || g.fee_basis || ""])),
      el("p", null, `${t("payOnline")}: ${g.pay_online ? t("yes") : t("no")}`)]
    : [el("p", {className: "free", textContent: t("free")})];
  const guide = g.guide || {};
  $("detail").replaceChildren(
    el("button", {type: "button", id: "back", textContent: t("back"), onclick: () => { location.hash = ""; }}),
    el("h2", {id: "detail-name", textContent: g.name}),
    el("h3", {textContent: t("basic")}),
    facts([["code", g.code], ["localCode", g.local_code], ["category", label("category", g.category)],
      ["body", `${g.body_name || ""}（${g.org_unit_name}）`], ["tier", label("tier", g.tier)],
      ["acceptingTier", g.accepting_tiers.map((x) => label("tier", x)).join("、")],
      ["deciding", label("tier", g.deciding_tier)], ["legalBasis", g.legal_basis],
      ["projectType", t(g.project_type)], ["legal", limit(g.legal_limit, g.legal_unit)],
      ["promise", limit(g.promise_limit, g.promise_unit)], ["extension", limit(g.extension_limit, g.legal_unit)],
      ["channels", channels(g)], ["depth", label("depth", g.online_depth)], ["visits", g.onsite_visits],
      ["tolerantList", g.tolerant_acceptance ? t("yes") : t("no")]]),
    el("h3", {textContent: t("materials")}), materials,
    el("h3", {textContent: t("fees")}), ...fees,
    el("h3", {textContent: t("texts")}),
    facts(["accept_condition", "handle_flow", "address", "hours", "consult_phone", "complaint_phone"].map((k) => [k, guide[k]])));
  $("detail").hidden = false;
  $("items").hidden = true;
}

function route() {
  const code = decodeURIComponent(location.hash.slice(1));
  if (code) { showItem(code); return; }
  shownCode = null;
  $("detail").hidden = true;
  $("items").hidden = false;
}

function relabel() {
  ["tier", "accepting_tier"].forEach((name) => fillSelect($("filters").elements[name], "tier"));
  fillSelect($("filters").elements.category, "category");
}

$("filters").addEventListener("submit", search);
window.addEventListener("hashchange", route);
setLanguageToggle(() => { relabel(); search(); if (shownCode) showItem(shownCode); });
translate();
relabel();
search();
route();
