"""What the print order's portal page shows of every job and file, prepared once per page
(``PrintOrderPortal._get_print_order_display_values``): plain values, no route."""

from odoo.addons.base.models.ir_qweb_fields import nl2br
from odoo.http import request


def get_print_order_display_values(order_sudo):
    """What the page shows of every job and file, prepared once for the page instead of
    once per job or file while it renders (an order of 100 jobs of 5 files):

    - ``ticket_labels``: ``{field: {value: label}}`` of the ticket's selections, in the
      customer's language;
    - ``preflight_by_file``: ``{(job id, attachment id): [findings]}``, in the job's
      order of findings;
    - ``file_item_changes``: the file items of the order's last request ("What you must
      change") whose file is no longer on its job, ``{item id: the change that replaced
      or removed it (or no change)}``;
    - ``job_files``: ``{job id: its files, in the order they were added}``;
    - ``job_media``: ``{job id: the media offered for it}`` (``_get_portal_media``, once
      per paper);
    - ``job_state_badges``: ``{state: the badge of a job in that state}``, each rendered
      once;
    - ``reason_texts``: ``{reason id: {name, description, description_html}}`` of the
      reasons of the order's requests, read once (``no_reason_texts`` for an item without
      reason);
    - ``text_html(value)``: a text field as ``t-field`` writes it (escaped, line breaks
      as ``<br>``); ``money_html(amount)``: an amount of the order's currency as Odoo's
      monetary widget writes it, each amount formatted once."""
    env = order_sudo.env
    Job = env["print.job"]

    def text_html(value):
        if value is False or value is None:
            return False
        return nl2br(value) if value else ""

    ticket_labels = {
        name: dict(Job._fields[name]._description_selection(env))
        for name in ("color_mode", "sides", "finishing")
    }
    preflight_by_file = {}
    for finding in order_sudo.job_ids.preflight_finding_ids:
        key = (finding.job_id.id, finding.attachment_id.id)
        preflight_by_file.setdefault(key, []).append(finding)
    no_change = env["print.job.change"]
    first_change = {}
    for change in order_sudo.job_change_ids:
        if change.old_attachment_id:
            first_change.setdefault(change.old_attachment_id.id, change)
    file_item_changes = {
        item.id: first_change.get(item.attachment_id.id, no_change)
        for item in order_sudo.last_change_request_id.file_item_ids
        if item.attachment_id and item.attachment_id not in item.job_id.attachment_ids
    }
    job_files = {}
    job_media = {}
    media_by_paper = {}
    for job in order_sudo.job_ids:
        job_files[job.id] = job.attachment_ids.sorted("id")
        paper = (job.company_id.id, job.product_id.id)
        if paper not in media_by_paper:
            media_by_paper[paper] = job._get_portal_media()
        job_media[job.id] = media_by_paper[paper]
    job_state_badges = {
        state: request.env["ir.qweb"]._render(
            "print_change_request.portal_print_state_badge",
            {
                "badge_id": None,
                "state": state,
                "skipped": order_sudo.customer_wait_skipped,
                "draft": order_sudo.portal_draft,
            },
        )
        for state in set(order_sudo.job_ids.mapped("communication_state"))
    }
    reason_texts = {
        reason.id: {
            "name": reason.name,
            "description": reason.description,
            "description_html": text_html(reason.description),
        }
        for reason in order_sudo.change_request_ids.file_item_ids.reason_id
    }
    converter = env["ir.qweb.field.monetary"]
    money_options = {"display_currency": order_sudo.currency_id}
    money_texts = {}

    def money_html(amount):
        if amount not in money_texts:
            money_texts[amount] = converter.value_to_html(amount, money_options)
        return money_texts[amount]

    return {
        "ticket_labels": ticket_labels,
        "preflight_by_file": preflight_by_file,
        "file_item_changes": file_item_changes,
        "job_files": job_files,
        "job_media": job_media,
        "job_state_badges": job_state_badges,
        "reason_texts": reason_texts,
        "no_reason_texts": {"name": False, "description": False, "description_html": False},
        "money_html": money_html,
        "text_html": text_html,
    }
