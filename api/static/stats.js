// Supervisors: channel statistics per tier of their unit's subtree against the plan's targets
// (GET /catalogue/channel-stats; targets: docs/catalogue.md, engine/domain/channel_stats.py).
"use strict";
addTexts({channelStats: "办理渠道统计", csv: "下载 CSV", tier: "层级", items: "事项数", online: "网上可办",
  mobile: "掌上可办", mail: "可邮寄", depth3: "Ⅲ级及以上", avgDepth: "平均深度", met: "达标", notMet: "未达标",
  noTarget: "不设目标", target: "目标"},
{channelStats: "Channel statistics", csv: "Download CSV", tier: "Tier", items: "Items", online: "Online",
  mobile: "Mobile", mail: "Mail", depth3: "Depth ≥ Ⅲ", avgDepth: "Average depth", met: "met", notMet: "not met",
  noTarget: "no target", target: "target"});
const TARGETS = {online: 0.95, mobile: 0.95, mail: 0.80, depth3: 0.95};    // channel_stats.TARGETS
let csvUrl = null;

function share(stat, measure, met) {
  const value = stat[measure + "_share"];
  const text = `${stat[measure]}/${stat.items} (${value === null ? t("none") : (value * 100).toFixed(1) + "%"}; `
    + `${t("target")} ≥ ${TARGETS[measure] * 100}%) `;
  const mark = !stat.targets_apply ? el("span", {className: "no-target", textContent: t("noTarget")})
    : el("span", {className: met ? "met ok" : "not-met error", textContent: met ? "✓ " + t("met") : "✗ " + t("notMet")});
  return el("span", null, text, mark);
}

async function showStats(unitId) {
  $("stats-error").textContent = "";
  try {
    const rows = await api("GET", `/catalogue/channel-stats?unit_id=${unitId}`);
    $("channel-stats").querySelector("tbody").replaceChildren(...rows.map((s) => {
      const tr = row([label("tier", s.tier), s.items, share(s, "online", s.online_met), share(s, "mobile", s.mobile_met),
        share(s, "mail", s.mail_met), share(s, "depth3", s.depth_met), s.average_depth ?? t("none")]);
      tr.dataset.tier = s.tier;
      return tr;
    }));
    // the CSV needs the token too: fetch it now and offer it as an ordinary download link
    const csv = await fetchApi("GET", `/catalogue/channel-stats?unit_id=${unitId}&format=csv`);
    if (csvUrl) URL.revokeObjectURL(csvUrl);
    csvUrl = URL.createObjectURL(await csv.blob());
    $("stats-csv").href = csvUrl;
  } catch (err) { $("stats-error").textContent = err.message; }
}
