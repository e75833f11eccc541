"""好差评 (docs/ratings.md): rating cases and visits, invitations and default ratings, the 差评
loop's ledger, the figures and the public disclosure."""
from engine.services.ratings.figures import GROUPS, figures, public, subtree_total, summary, to_csv
from engine.services.ratings.rating import (
    case_ratings,
    fire_defaults,
    invitations,
    on_case_finished,
    open_visit,
    rate_case,
    rate_visit,
    rerate,
    scheme,
    window_rating,
)
from engine.services.ratings.review import (
    RATING_REVIEW_ITEM,
    REVIEW_FORMS,
    REVIEW_PROCESS,
    ledger,
    on_review_step,
    revisit,
)

__all__ = ["GROUPS", "REVIEW_PROCESS", "RATING_REVIEW_ITEM", "REVIEW_FORMS", "case_ratings", "figures", "fire_defaults",
           "invitations", "ledger", "on_case_finished", "on_review_step", "open_visit", "public", "rate_case",
           "rate_visit", "rerate", "revisit", "scheme", "subtree_total", "summary", "to_csv", "window_rating"]
