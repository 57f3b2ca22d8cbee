"""What change management tells people of (core.notifications). The emails use Borough's
default wording (the notification's own subject and text); a council's template may use
these values besides the common ones (the change's reference, title and status...)."""

from __future__ import annotations

from borough.core.notifications import NotificationEvent

CHANGE_TYPE = {"change_type": "The kind of change: standard, normal or emergency"}
BOARD = {"board": "The board that decides it"}
NOTE = {"note": "What the person who moved it wrote, or blank"}

EVENTS = (
    NotificationEvent("change-submitted", "Change submitted for assessment (to change "
                      "managers)", context=CHANGE_TYPE),
    NotificationEvent(
        "change-authorisation-due", "Change waits for a board member's vote",
        context={**CHANGE_TYPE, **BOARD,
                 "risk": "Its risk level, or “not assessed”",
                 "impact": "Its impact, or “not given”",
                 "window": "When it is planned, such as “Sat 12 Jan 19:00 to Sat 12 Jan "
                           "21:00”, or blank",
                 "approval_code": "The code that lets the board member vote by replying to "
                                  "the email: keep it, or they can only vote in Borough"}),
    NotificationEvent("change-quorum-reached", "Change has its quorum of votes (to the "
                      "board's chair)",
                      context={**BOARD, "quorum": "How many seats make its quorum"}),
    NotificationEvent(
        "change-decided", "Board's decision on a change (to its owner and requester)",
        context={**BOARD, "decision": "What was decided: “is authorised”, “is rejected” or "
                                      "“is sent back for more assessment”",
                 "note": "The chair's note, or blank"}),
    NotificationEvent("change-implemented", "Change implemented (to change managers, its "
                      "owner and requester)",
                      context={"outcome": "How it went, such as “successful”", **NOTE}),
    NotificationEvent("change-cancelled", "Change cancelled while waiting for votes (to the "
                      "board)", context=NOTE),
)
