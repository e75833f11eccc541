"""Demo materials (DOMAIN.md §1.4) for the demo items and applicant_zhang's vault (云档案): an
A-level ID card e-licence and business licence, so that her cases show 免证办 — the slots that
accept them are filled at case start, online (her account) or at a window (her ID number)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from engine.domain.actor import Actor
from engine.domain.identity import id_key
from engine.services.materials.vault import NewDocument, Owner, add_document, lock_vault
from engine.store.models import ItemImplementation, Staff


def _m(code, name, licence_types=(), required=True, tolerable=False, source="applicant"):
    return {"code": code, "name": name, "required": required, "form": "both", "source": source,
            "licence_types": list(licence_types), "tolerable": tolerable, "copies": 1, "basis": ""}


ID_CARD = _m("M01", "申请人身份证明", ["id_card"])
# by local implementation code: (materials, on the 容缺受理 list)
MATERIALS = {
    "620100-XK-SCJG-0001": ([ID_CARD, _m("M02", "营业执照", ["business_licence"]),
                             _m("M03", "食品经营许可申请书"),
                             _m("M04", "经营场所平面图和设备布局图", tolerable=True),
                             _m("M05", "食品安全管理制度文本", tolerable=True)], True),
    "620100-GG-MZ-0002": ([ID_CARD, _m("M02", "居民户口簿", ["household_register"]),
                           _m("M03", "本人银行账户信息"), _m("M04", "近期免冠照片", required=False)], False),
    "620100-LB-0003": ([ID_CARD, _m("M02", "营业执照", ["business_licence"]), _m("M03", "开办餐馆联办申请表"),
                        _m("M04", "公共场所卫生检测报告", tolerable=True)], True),
}

ZHANG_ID_NUMBER = "620102199001011233"          # a valid GB 11643 number (demo data only)
ZHANG_VAULT = [
    NewDocument("id_card", "居民身份证（电子证照）", ZHANG_ID_NUMBER, "兰州市公安局", date(2036, 5, 1)),
    NewDocument("business_licence", "营业执照（个体工商户，电子证照）", "92620100MA7XK1234L",
                "兰州新区市场监督管理局", None),
]


def load(tx, settings, now) -> None:
    """Give the demo items materials where the catalogue has none, and seed the vault once."""
    for local_code, (materials, tolerant) in MATERIALS.items():
        rows = tx.execute(select(ItemImplementation.id, ItemImplementation.materials)
                            .where(ItemImplementation.local_code == local_code)).all()
        for row in rows:
            if not row.materials:
                tx.execute(update(ItemImplementation).where(ItemImplementation.id == row.id)
                             .values(materials=materials, tolerant_acceptance=tolerant))
    zhang = tx.execute(select(Staff.id).where(Staff.username == "applicant_zhang")).scalar()
    if zhang is None:
        return
    # an e-licence is issued to the person (ID number) and bound to her real-name account
    owner = Owner(account_id=zhang, key=id_key(settings.id_hash_secret, ZHANG_ID_NUMBER))
    lock_vault(tx, owner)
    for doc in ZHANG_VAULT:
        add_document(tx, owner, doc, "A", "e_licence", None, Actor.system("demo"), now)
