"""The demo organisation: 兰州新区 with two parks, three townships and their villages.
Data only; services/demo.py writes it. Staff usernames say where they sit and what they do."""

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


ITEMS = [
    # (code, name, category, process key, deciding tier, legal limit, promised limit, extension) —
    # all in working days: 行政许可法 Art. 42 (20 + 10) and Art. 26/42 ¶2 for joint handling (45 + 15)
    ("620100-XK-SCJG-0001", "食品经营许可（帮办代办）", "licensing", "food_license", "district", 20, 10, 10),
    ("620100-GG-MZ-0002", "高龄津贴申领", "public_service", "elderly_allowance", "township", 20, 15, 10),
    ("620100-LB-0003", "开办餐馆\u201c一件事\u201d联办", "joint", "restaurant_opening", "district", 45, 20, 15),
]


# accounts without posts: (username, name, kind, system roles)
ACCOUNTS = [
    ("admin", "系统管理员", "staff", ("admin",)),
    ("designer", "流程设计员", "staff", ("designer",)),
    ("applicant_zhang", "张三", "applicant", ()),
]
# every demo account logs in with this password (demo data only; change it in production)
DEMO_PASSWORD = "lianban-demo"
