"""What suppliers and contracts tell people of (core.notifications): a contract's notice
and end dates, a supplier's review. The emails use Borough's default wording; a council's
template may use these values besides the common ones (the contract's reference, title
and status...)."""

from __future__ import annotations

from borough.core.notifications import NotificationEvent
from borough.core.reminders import DATE_CONTEXT

SUPPLIER = {"supplier": "The supplier's name"}
TERM = {**SUPPLIER,
        "term_end": "The day its current term ends (or it renews), such as 1 May 2027",
        "days_left": "How long is left: “today” or “in 30 days”"}

EVENTS = (
    NotificationEvent("contract-notice-due", "Contract's notice date coming (to its owner "
                      "and ICT managers)",
                      context={**TERM, "notice_by": "The last day to give notice",
                               "consequence": "What happens without notice: when it renews, "
                                              "or that its term ends"}),
    NotificationEvent("contract-end-due", "Contract ending or renewing (to its owner and ICT "
                      "managers)",
                      context={**TERM, "renews_automatically": "“yes” if it renews unless "
                                                               "notice was given, else “no”"}),
    NotificationEvent("supplier-review-due", "Supplier review due (to its manager)",
                      context={**SUPPLIER, **DATE_CONTEXT}),
)
