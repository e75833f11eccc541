// The applicant portal (an applicant account in /console): my cases with their lifecycle and
// documents, apply online (the item's application form rendered from its JSON Schema, errors per
// field), and my vault (云档案) with trust levels.
"use strict";
addTexts({myCases: "我的办件", lifecycle: "办理状态", noCases: "暂无办件", apply: "网上申请", chooseItem: "选择事项",
  applicantInfo: "申请人", applicantName: "姓名", idNumber: "身份证号", window: "受理窗口", submit: "提交申请",
  vault: "我的云档案", docTitle: "名称", docNumber: "编号", issuer: "签发机关", validUntil: "有效期至", trust: "可信等级",
  applied: "已提交申请，办件编号：", pick: "请选择"},
{myCases: "My cases", lifecycle: "Status", noCases: "No cases yet", apply: "Apply online", chooseItem: "Item",
  applicantInfo: "Applicant", applicantName: "Name", idNumber: "ID number", window: "Receiving window", submit: "Submit",
  vault: "My vault", docTitle: "Document", docNumber: "Number", issuer: "Issued by", validUntil: "Valid until",
  trust: "Trust level", applied: "Application submitted, case number: ", pick: "Choose…"});
let itemNames = {};
let applying = null;      // {code, schema, …} of the item being applied for

async function showPortal() {
  const items = await api("GET", "/catalogue/items");
  itemNames = Object.fromEntries(items.map((i) => [i.code, i.name]));
  const select = $("apply-item");
  const chosen = select.value;
  select.replaceChildren(el("option", {value: "", textContent: t("pick")}),
    ...items.filter((i) => i.handle_forms.includes("online"))
      .map((i) => el("option", {value: i.code, textContent: `${i.name}（${i.body_name || i.org_unit_name}）`})));
  select.value = chosen;
  await Promise.all([showMyCases(), showVault()]);
}

async function showMyCases() {
  const mine = await api("GET", "/cases?limit=200");
  const views = await Promise.all(mine.map((c) => api("GET", `/cases/${c.id}`)));   // the lifecycle is on the case view
  $("no-cases").hidden = views.length > 0;
  $("my-cases").querySelector("tbody").replaceChildren(...views.reverse().map((c) => {
    const tr = row([c.number, itemNames[c.item_code] || c.item_code, label("lifecycle", c.lifecycle), fmt(c.created_at),
      fmt(c.promise_due)]);
    tr.dataset.case = c.id;
    tr.cells[2].className = "lifecycle";
    tr.append(el("td", null, el("button", {type: "button", className: "case-documents", textContent: t("open"),
      onclick: () => showMyDocuments(c.id)})));
    return tr;
  }));
}

async function showMyDocuments(caseId) {
  const docs = await api("GET", `/cases/${caseId}/documents`);
  $("my-document").hidden = true;
  $("my-documents").replaceChildren(...(docs.length ? documentsList(caseId, docs, $("my-document"))
    : [el("li", {textContent: t("noDocuments")})]));
}

async function showVault() {
  const docs = await api("GET", "/vault/documents");
  $("vault").querySelector("tbody").replaceChildren(...docs.map((d) => row([d.title, d.number_masked || t("none"),
    d.issuer || t("none"), d.valid_until || t("none"), label("trust", d.trust_level)])));
}

async function chooseItem() {
  const code = $("apply-item").value;
  $("apply-error").textContent = "";
  if (!code) { $("apply-form").hidden = true; return; }
  try {
    applying = await api("GET", `/catalogue/items/${encodeURIComponent(code)}/application`);
  } catch (err) { $("apply-error").textContent = err.message; return; }
  const windows = $("apply-form").elements.window_id;
  windows.replaceChildren(...applying.windows.map((w) => el("option", {value: w.id,
    textContent: `${w.unit_name} · ${w.name}（${label("tier", w.tier)}）`})));
  const schema = applying.schema || {properties: {}};
  $("apply-form-title").textContent = schema.title || applying.name;
  renderSchemaForm($("apply-fields"), schema, "form");
  showFieldErrors($("apply-form"), []);
  $("apply-form").hidden = false;
}

async function submitApplication(event) {
  event.preventDefault();
  const form = $("apply-form");
  const value = (name) => form.elements[name].value.trim();
  const applicant = {name: value("applicant.name")};
  if (value("applicant.id_number")) applicant.id_number = value("applicant.id_number");
  if (value("applicant.phone")) applicant.phone = value("applicant.phone");
  const body = {item_code: applying.code, window_id: Number(value("window_id")), channel: "online", applicant,
    form: readSchemaForm($("apply-fields"), applying.schema || {properties: {}})};
  $("apply-error").textContent = "";
  showFieldErrors(form, []);
  try {
    const started = await api("POST", "/cases", body);
    $("notice").textContent = t("applied") + started.number;
    form.hidden = true;
    $("apply-item").value = "";
    await showMyCases();
  } catch (err) {
    const errors = err.fields.length ? err.fields
      : (err.problem.field ? [{field: err.problem.field, message: err.problem.detail}] : []);
    const unplaced = showFieldErrors(form, errors);
    $("apply-error").textContent = [err.message, ...unplaced.map((e) => `${e.field}: ${e.message}`)].join("；");
  }
}

$("apply-item").addEventListener("change", chooseItem);
$("apply-form").addEventListener("submit", submitApplication);
