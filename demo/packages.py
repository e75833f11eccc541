"""Demo "一件事": 开办餐馆一件事 = 食品经营许可 (620100-XK-SCJG-0001, on main's demo) + 公共场所卫生许可
(added here with workflows/hygiene_licence.bpmn). Idempotent, run by load_demo after deploying."""
from __future__ import annotations

from sqlalchemy import insert, select

from engine.domain.actor import Actor
from engine.services import packages
from engine.store.models import ItemImplementation, ItemPackage, OrgUnit, ServiceItem

HYGIENE_BASIC = ("XK0040100000", "公共场所卫生许可", "licensing", "《公共场所卫生管理条例》第八条")
HYGIENE = {"code": "11620100MB0000012X2001XK0040100", "local_code": "620100-XK-WJ-0004",
           "process_key": "hygiene_licence", "body_name": "兰州新区卫生健康委员会", "body_uscc": "11620100MB0000012X",
           "legal_limit": 20, "promise_limit": 10, "extension_limit": 10}
# 一套材料: the ID card and business licence are asked once for both items (same e-licence types)
FOOD_MATERIALS = [
    {"code": "M01", "name": "法定代表人身份证", "required": True, "form": "electronic", "source": "applicant",
     "licence_types": ["id_card"], "tolerable": False, "copies": 1, "basis": "《食品经营许可和备案管理办法》"},
    {"code": "M02", "name": "营业执照", "required": True, "form": "electronic", "source": "government",
     "licence_types": ["business_licence"], "tolerable": False, "copies": 1, "basis": "《食品经营许可和备案管理办法》"},
    {"code": "M03", "name": "食品安全管理制度文本", "required": True, "form": "paper", "source": "applicant",
     "licence_types": [], "tolerable": True, "copies": 1, "basis": "《食品经营许可和备案管理办法》"},
]
HYGIENE_MATERIALS = [
    {"code": "M01", "name": "身份证", "required": True, "form": "electronic", "source": "applicant",
     "licence_types": ["id_card"], "tolerable": False, "copies": 1, "basis": "《公共场所卫生管理条例实施细则》"},
    {"code": "M02", "name": "营业执照副本", "required": False, "form": "both", "source": "government",
     "licence_types": ["business_licence"], "tolerable": False, "copies": 2, "basis": "《公共场所卫生管理条例实施细则》"},
    {"code": "M03", "name": "从业人员健康合格证明", "required": True, "form": "paper", "source": "applicant",
     "licence_types": ["health_certificate"], "tolerable": False, "copies": 1,
     "basis": "《公共场所卫生管理条例》第七条"},
]
RESTAURANT_PACKAGE = packages.PackageSpec(code="620100-YJS-0001", name="开办餐馆一件事", lead_department="market",
                                          members=["620100-XK-SCJG-0001", HYGIENE["local_code"]], promise_limit=15)


def load(ctx) -> None:
    with ctx.uow.begin() as tx:
        if tx.execute(select(ItemImplementation.id).where(ItemImplementation.code == HYGIENE["code"])).first() is None:
            now = ctx.clock.now()
            code, name, category, basis = HYGIENE_BASIC
            basic_id = tx.execute(select(ServiceItem.id).where(ServiceItem.code == code)).scalar()
            if basic_id is None:
                basic_id = tx.execute(insert(ServiceItem).values(
                    code=code, name=name, category=category, legal_basis=basis, created_at=now, updated_at=now)
                    .returning(ServiceItem.id)).scalar_one()
            district = tx.execute(select(OrgUnit.id).where(OrgUnit.tier == "district")).scalar()
            tx.execute(insert(ItemImplementation).values(
                **HYGIENE, service_item_id=basic_id, version=1, status="published", name=name, category=category,
                deciding_tier="district", org_unit_id=district, tier="district", deciding_department="health",
                accepting_tiers=["district", "park", "township", "village"], legal_unit="workday",
                promise_unit="workday", handle_forms=["window", "online", "mail"], fees=[],
                materials=HYGIENE_MATERIALS, guide={}, attrs={}, created_at=now, published_at=now))
            food = tx.execute(select(ItemImplementation.id, ItemImplementation.materials).where(
                ItemImplementation.local_code == "620100-XK-SCJG-0001", ItemImplementation.status == "published")).first()
            if food is not None and not food.materials:     # main's demo lists none yet
                tx.execute(ItemImplementation.__table__.update().where(ItemImplementation.id == food.id)
                             .values(materials=FOOD_MATERIALS))
        exists = tx.execute(select(ItemPackage.id).where(ItemPackage.code == RESTAURANT_PACKAGE.code)).first()
    if exists is None:
        packages.define_package(ctx, RESTAURANT_PACKAGE, Actor.system("demo"))
