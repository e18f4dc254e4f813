"""The notification the web client shows after an operator's button (Odoo's
``display_notification`` client action), built in one place."""

#: What the web client does after the notification: reload the record, close the dialog.
RELOAD = {"type": "ir.actions.client", "tag": "soft_reload"}
CLOSE = {"type": "ir.actions.act_window_close"}


def notification(title, lines, kind="success", sticky=None, then=None):
    """The client action showing ``title`` and ``lines`` (a message, or its lines), of
    ``kind`` (success, info, warning, danger), sticky unless a success (or as ``sticky``
    says), then doing ``then`` (:data:`RELOAD`, :data:`CLOSE` or another action)."""
    params = {
        "type": kind,
        "sticky": kind != "success" if sticky is None else sticky,
        "title": title,
        "message": lines if isinstance(lines, str) else "\n".join(lines),
    }
    if then:
        params["next"] = then
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
