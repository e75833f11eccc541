// Labels of the codes the API returns (lifecycle states, tiers, channels …); codes stay English.
export default {
  'zh-CN': { label: {
 "lifecycle": {
  "received": "已收件",
  "correction_requested": "补正告知",
  "forwarded": "已转报",
  "not_accepted": "不予受理",
  "accepted": "已受理",
  "in_progress": "办理中",
  "suspended": "已中止计时",
  "decided": "已作出决定",
  "completed": "已办结",
  "delivered": "已送达",
  "withdrawn": "已撤件",
  "returned": "已退件",
  "partially_completed": "部分办结"
 },
 "tier": {
  "district": "新区",
  "park": "园区",
  "township": "乡镇",
  "village": "村（社区）"
 },
 "category": {
  "licensing": "行政许可",
  "confirmation": "行政确认",
  "adjudication": "行政裁决",
  "benefit": "行政给付",
  "reward": "行政奖励",
  "filing": "备案",
  "other_power": "其他行政权力",
  "public_service": "公共服务",
  "package": "一件事"
 },
 "unit": {
  "workday": "个工作日",
  "calendar_day": "个自然日"
 },
 "channel": {
  "window": "窗口办理",
  "online": "网上办理",
  "mail": "邮寄办理",
  "mobile": "掌上办",
  "express": "快递送达",
  "proxy": "帮办代办"
 },
 "depth": {
  "1": "Ⅰ级 信息公开与咨询",
  "2": "Ⅱ级 网上预审",
  "3": "Ⅲ级 网上受理办理",
  "4": "Ⅳ级 全程网办"
 },
 "form": {
  "paper": "纸质",
  "electronic": "电子",
  "both": "纸质或电子"
 },
 "trust": {
  "A": "A 电子证照",
  "B": "B 窗口核验",
  "C": "C 本人上传（待核验）",
  "D": "D 告知承诺"
 },
 "material": {
  "missing": "缺",
  "satisfied": "已满足",
  "unverified": "待核验",
  "tolerated": "容缺"
 },
 "decision": {
  "granted": "准予",
  "refused": "不予",
  "partial": "部分准予"
 },
 "status": {
  "running": "办理中",
  "completed": "已办结",
  "withdrawn": "已撤件",
  "returned": "已退件",
  "not_accepted": "不予受理"
 }
} },
  en: { label: {
 "lifecycle": {
  "received": "Received",
  "correction_requested": "Correction requested",
  "forwarded": "Forwarded",
  "not_accepted": "Not accepted",
  "accepted": "Accepted",
  "in_progress": "In progress",
  "suspended": "Suspended",
  "decided": "Decided",
  "completed": "Completed",
  "delivered": "Delivered",
  "withdrawn": "Withdrawn",
  "returned": "Returned",
  "partially_completed": "Partially completed"
 },
 "tier": {
  "district": "District",
  "park": "Park",
  "township": "Township",
  "village": "Village"
 },
 "category": {
  "licensing": "Licensing",
  "confirmation": "Confirmation",
  "adjudication": "Adjudication",
  "benefit": "Benefit",
  "reward": "Reward",
  "filing": "Filing",
  "other_power": "Other power",
  "public_service": "Public service",
  "package": "Package"
 },
 "unit": {
  "workday": "working day | working days",
  "calendar_day": "calendar day | calendar days"
 },
 "channel": {
  "window": "At a window",
  "online": "Online",
  "mail": "By mail",
  "mobile": "On mobile",
  "express": "Courier delivery",
  "proxy": "By proxy"
 },
 "depth": {
  "1": "Level Ⅰ information",
  "2": "Level Ⅱ online pre-review",
  "3": "Level Ⅲ online acceptance",
  "4": "Level Ⅳ fully online"
 },
 "form": {
  "paper": "paper",
  "electronic": "electronic",
  "both": "paper or electronic"
 },
 "trust": {
  "A": "A e-licence",
  "B": "B verified at a window",
  "C": "C uploaded (to verify)",
  "D": "D self-declaration"
 },
 "material": {
  "missing": "missing",
  "satisfied": "satisfied",
  "unverified": "to verify",
  "tolerated": "tolerated"
 },
 "decision": {
  "granted": "granted",
  "refused": "refused",
  "partial": "partial"
 },
 "status": {
  "running": "running",
  "completed": "completed",
  "withdrawn": "withdrawn",
  "returned": "returned",
  "not_accepted": "not accepted"
 }
} },
}
