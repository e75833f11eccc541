"""The demo organisation: 兰州新区 with two parks, three townships and their villages.
Data only; demo/loader.py writes it through the accounts seed service (engine/services/accounts/seed.py).
Staff usernames say where they sit and what they do."""

DISTRICT = {
    "code": "LZXQ", "name": "兰州新区",
    "departments": [("market", "市场监督管理局"), ("health", "卫生健康委员会"), ("civil", "民政局")],
    "hall": ("LZXQ-ZWFW", "兰州新区政务服务中心", "service_center"),
    "windows": [
        # (code, name, kind, department, [(username, name, role)])
        ("LZXQ-W01", "综合受理窗口", "comprehensive", None,
         [("lzxq_receiver", "王敏", "receiver")]),
        ("LZXQ-W02", "市场监管审批窗口", "department", "market",
         [("lzxq_market_reviewer", "李强", "reviewer"), ("lzxq_market_approver", "赵磊", "approver"),
          ("lzxq_market_head", "孙建国", "head")]),
        ("LZXQ-W03", "卫生健康审批窗口", "department", "health",
         [("lzxq_health_reviewer", "周婷", "reviewer"), ("lzxq_health_approver", "吴刚", "approver")]),
        ("LZXQ-W04", "民政审批窗口", "department", "civil",
         [("lzxq_civil_approver", "郑洁", "approver")]),
        ("LZXQ-W05", "出件窗口", "pickup", None,
         [("lzxq_issuer", "冯丽", "issuer")]),
        ("LZXQ-W06", "电子监察室", "comprehensive", None,
         [("lzxq_supervisor", "陈静", "supervisor")]),
    ],
}

PARKS = [
    {"code": "ZCYQ", "name": "中川园区",
     "hall": ("ZCYQ-FW", "中川园区政务服务中心", "service_center"),
     "windows": [("ZCYQ-W01", "园区综合受理窗口", "comprehensive", None, [("zcyq_receiver", "褚红", "receiver")])],
     "townships": [
         {"code": "ZCZ", "name": "中川镇", "villages": [("ZCZ-QS", "清水村"), ("ZCZ-BC", "北川村")]},
     ]},
    {"code": "QCYQ", "name": "秦川园区",
     "hall": ("QCYQ-FW", "秦川园区政务服务中心", "service_center"),
     "windows": [("QCYQ-W01", "园区综合受理窗口", "comprehensive", None, [("qcyq_receiver", "卫东", "receiver")])],
     "townships": [
         {"code": "QCZ", "name": "秦川镇", "villages": [("QCZ-MJP", "马家坪村"), ("QCZ-QCSQ", "秦川社区")]},
         {"code": "XCZ", "name": "西岔镇", "villages": [("XCZ-XC", "西岔村"), ("XCZ-HJ", "铧尖村")]},
     ]},
]


def township_windows(code: str) -> list:
    low = code.lower()
    return [
        (f"{code}-W01", "综合受理窗口", "comprehensive", None, [(f"{low}_receiver", f"{code}受理员", "receiver")]),
        (f"{code}-W02", "审核窗口", "comprehensive", None, [(f"{low}_reviewer", f"{code}审核员", "reviewer")]),
        (f"{code}-W03", "社会事务审批窗口", "department", "social",
         [(f"{low}_social_approver", f"{code}社会事务审批员", "approver")]),
        (f"{code}-W04", "出件窗口", "pickup", None, [(f"{low}_issuer", f"{code}出件员", "issuer")]),
        (f"{code}-W05", "督办岗", "comprehensive", None, [(f"{low}_supervisor", f"{code}督办员", "supervisor")]),
    ]


def village_windows(code: str) -> list:
    low = code.lower().replace("-", "_")
    return [(f"{code}-W01", "帮办代办窗口", "proxy", None, [(f"{low}_agent", f"{code}代办员", "agent")])]


# The three demo items the BPMN in workflows/ implements. catalogue/demo-catalogue.json (which
# load-demo imports) carries them with these codes, limits and process keys; a test checks that.
# Basic catalogue rows (基本目录: code, name, category, legal basis — 四级四同) and one
# implementation each (实施清单: national implementation code = implementing body's USCC + 13
# characters; the old short code stays as the local code). Limits in working days: 行政许可法
# Art. 42 (20 + 10), Art. 26/42 ¶2 (45 + 15).
BASIC_ITEMS = [
    # (basic code, name, category, legal basis)
    ("XK0010100000", "食品经营许可", "licensing", "《中华人民共和国食品安全法》第三十五条"),
    ("GG0020100000", "高龄津贴申领", "public_service", "《甘肃省老年人权益保障条例》"),
    ("XK0030100000", "开办餐馆联办", "licensing",
     "《中华人民共和国食品安全法》第三十五条；《公共场所卫生管理条例》第八条"),
]
ITEMS = [
    # (implementation code, local code, basic code, process key, deciding tier, legal, promised, extension,
    #  implementing body, its USCC)
    ("11620100MB1234567E2001XK0010100", "620100-XK-SCJG-0001", "XK0010100000", "food_licence", "district",
     20, 10, 10, "兰州新区市场监督管理局", "11620100MB1234567E"),
    ("12620100MB0000001N2001GG0020100", "620100-GG-MZ-0002", "GG0020100000", "elderly_allowance", "township",
     20, 15, 10, "兰州新区民政局", "12620100MB0000001N"),
    ("11620100MB1234567E2001XK0030100", "620100-LB-0003", "XK0030100000", "restaurant_opening", "district",
     45, 20, 15, "兰州新区市场监督管理局", "11620100MB1234567E"),
]


# accounts without posts: (username, name, kind, system roles)
ACCOUNTS = [
    ("admin", "系统管理员", "staff", ("admin",)),
    ("designer", "流程设计员", "staff", ("designer",)),
    ("applicant_zhang", "张三", "applicant", ()),
]
# every demo account logs in with this password (demo data only; change it in production)
DEMO_PASSWORD = "lianban-demo"
