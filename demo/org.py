"""Demo data that is not a file: the demo password, the applicant account and the three items of
workflows/. The organisation itself (兰州新区 with two parks, three townships and their villages;
staff usernames say where they sit and what they do) is demo/organisation.json, which
demo/loader.py imports through the organisation import like any administrator's file."""

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


# the applicant of the demo (not part of the organisation): (username, name)
APPLICANT = ("applicant_zhang", "张三")
# every demo account logs in with this password (demo data only; change it in production);
# demo/organisation.json carries it as each staff account's initial password
DEMO_PASSWORD = "lianban-demo"
