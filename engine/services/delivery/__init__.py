"""送达: handing a decided case's result over (pickup, mail, e-licence), and 一窗出件 of a 一件事 package."""
from engine.services.delivery.command import deliver
from engine.services.delivery.handover import METHODS, Delivery, check, from_form, record_of

__all__ = ["deliver", "METHODS", "Delivery", "check", "from_form", "record_of"]
