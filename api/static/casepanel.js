// Window staff: the cases in their scope and one case's panel — lifecycle, documents (文书),
// materials with their completeness, and the lawful ends: 送达 (deliver), 退件 (return),
// 不予受理 (not accept). A refused action shows the API's problem (code, message, field).
"use strict";
addTexts({cases: "办件", number: "办件编号", item: "事项", applicant: "申请人", status: "状态", created: "收件时间",
  documents: "文书", materials: "申请材料", deliver: "送达", method: "方式", pickup: "窗口领取", mailMethod: "邮寄送达",
  eLicence: "电子证照", tracking: "快递单号", carrier: "快递公司", address: "邮寄地址", recipient: "收件人",
  phone: "联系电话", licenceNo: "电子证照号", return: "退件", reason: "理由", notAccept: "不予受理", ground: "法定情形",
  notLicensable: "依法不需要取得行政许可", outsideCompetence: "不属于本机关职权范围", agency: "有权机关",
  lifecycle: "办理状态", decision: "决定", decidedAt: "决定时间", deliveredAt: "送达时间", promiseDue: "承诺办结",
  legalDue: "法定办结", channelOf: "申请渠道", completeYes: "材料齐全", completeNo: "材料不齐全", noDocuments: "暂无文书",
  issued: "已出具：", noCasesStaff: "暂无办件"},
{cases: "Cases", number: "Case number", item: "Item", applicant: "Applicant", status: "Status", created: "Received",
  documents: "Documents", materials: "Materials", deliver: "Deliver", method: "Method", pickup: "Pickup at a window",
  mailMethod: "By mail", eLicence: "E-licence", tracking: "Tracking number", carrier: "Carrier", address: "Address",
  recipient: "Recipient", phone: "Phone", licenceNo: "E-licence number", return: "Return", reason: "Reason",
  notAccept: "Not accept", ground: "Ground", notLicensable: "Needs no licence", outsideCompetence: "Outside our competence",
  agency: "Competent agency", lifecycle: "Lifecycle", decision: "Decision", decidedAt: "Decided", deliveredAt: "Delivered",
  promiseDue: "Promised by", legalDue: "Legal limit", channelOf: "Channel", completeYes: "complete",
  completeNo: "incomplete", noDocuments: "No documents yet", issued: "Issued: ", noCasesStaff: "No cases"});
let openCaseId = null;

async function showCases() {
  const rows = await api("GET", "/cases?limit=200");
  $("cases").querySelector("tbody").replaceChildren(...rows.reverse().map((c) => {
    const tr = row([c.number, c.item_code, c.applicant_name, label("status", c.status), fmt(c.created_at)]);
    tr.dataset.case = c.id;
    tr.append(el("td", null, el("button", {type: "button", className: "open-case", textContent: t("open"),
      onclick: () => openCase(c.id)})));
    return tr;
  }));
}

async function openCase(caseId) {
  openCaseId = caseId;
  const [view, docs, materials] = await Promise.all([api("GET", `/cases/${caseId}`),
    api("GET", `/cases/${caseId}/documents`), api("GET", `/cases/${caseId}/materials`).catch(() => null)]);
  $("case-panel").hidden = false;
  $("case-document").hidden = true;
  $("case-title").textContent = `${view.number} · ${view.applicant_name}`;
  const facts = [["lifecycle", label("lifecycle", view.lifecycle)], ["decision", view.decision ? label("decision", view.decision) : null],
    ["channelOf", label("channel", view.channel)], ["created", fmt(view.created_at)], ["promiseDue", fmt(view.promise_due)],
    ["legalDue", fmt(view.legal_due)], ["decidedAt", fmt(view.decided_at)], ["deliveredAt", fmt(view.delivered_at)]];
  $("case-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {textContent: t(k)}),
    el("dd", {className: "fact-" + k, textContent: v ?? t("none")})]));
  $("case-documents").replaceChildren(...(docs.length ? documentsList(caseId, docs, $("case-document"))
    : [el("li", {textContent: t("noDocuments")})]));
  showMaterials(materials);
  document.querySelectorAll("#case-panel form.action p.error").forEach((p) => { p.textContent = ""; });
}

function showMaterials(m) {
  $("completeness").textContent = m ? `(${t(m.complete ? "completeYes" : "completeNo")})` : "";
  $("completeness").className = m && m.complete ? "ok" : "error";
  $("case-materials").querySelector("tbody").replaceChildren(...(m ? m.materials : []).map((x) => {
    const tr = row([`${x.code} ${x.name}`, x.required ? "*" : "", label("material", x.status),
      x.trust_level ? label("trust", x.trust_level) : t("none"), x.filename || ""]);
    tr.className = "material-" + x.status;
    return tr;
  }));
}

// the form's non-empty fields as the request body
function formBody(form) {
  return Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, v.trim()]).filter(([, v]) => v));
}

function caseAction(formId, path) {
  const form = $(formId);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector("p.error");
    error.textContent = "";
    try {
      const issued = await api("POST", `/cases/${openCaseId}/${path}`, formBody(form));
      $("notice").textContent = t("issued") + issued.number;
      form.reset();
      await Promise.all([openCase(openCaseId), showCases()]);
    } catch (err) {
      error.textContent = err.message + (err.problem.field ? ` (${err.problem.field})` : "");
    }
  });
}

caseAction("deliver-form", "deliver");
caseAction("return-form", "return");
caseAction("not-accept-form", "not-accept");
