"""What the print order's portal page shows of every job and file, prepared once per page
(``PrintOrderPortal._get_print_order_display_values``): plain values, no route."""

import json
import re
import secrets

from markupsafe import Markup, escape

from odoo.http import request
from odoo.tools import is_html_empty

from ..lib.portal_form_draft import PRICED_FIELDS
from ..models.print_job import COLOR_MODES, FINISHINGS, SIDES

#: The choices the ticket's form offers, per field.
TICKET_CHOICES = {"color_mode": COLOR_MODES, "sides": SIDES, "finishing": FINISHINGS}


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
      monetary widget writes it, each amount formatted once;
    - the blocks the page repeats per job or file (an order of 100 jobs of 5 files has
      500 of each file's blocks): QWeb templates as any other, but rendered once per page
      and not once per job or file.  Those whose content repeats are rendered once per
      distinct content: ``file_notes_html(job, attachment, flagged)`` (the file's
      automatic check and what to change, ``portal_print_file_notes``),
      ``ticket_options_html(field, shown)`` (the options of the ticket's color, sides or
      finishing), ``media_options_html(job, shown)`` (the papers offered for the job) and
      ``price_quote_html(quote)`` (a job's price block, ``portal_print_job_price_quote``).
      Those that differ per job or file are stamped (:func:`_stamper`: rendered once with
      stand-ins, filled in per job or file): ``file_changes_html(change_request)`` ("What
      you must change", ``portal_print_file_change_item``), ``job_files_html(job,
      token_query)`` (the files' links in the list of jobs, ``portal_print_job_file_link``),
      ``form_files_html(job, flagged, token_query)`` (the files in the form,
      ``portal_print_order_form_file``) and ``form_ticket_html(job, posted_form, token,
      price_quotes)`` (the ticket in the form, ``portal_print_order_form_ticket``, shown as
      posted when the page comes back with the customer's values).  The page's HTML is
      the same as when each block was rendered in place."""
    env = order_sudo.env
    Job = env["print.job"]

    text_converter = env["ir.qweb.field.text"]

    def text_html(value):
        if value is False or value is None:
            return False
        return text_converter.value_to_html(value, {})

    ticket_labels = {
        name: dict(Job._fields[name]._description_selection(env))
        for name in ("color_mode", "sides", "finishing")
    }
    preflight_by_file = {}
    findings_texts = {}  # the same, as (severity, message): what the file's notes show
    for finding in order_sudo.job_ids.preflight_finding_ids:
        key = (finding.job_id.id, finding.attachment_id.id)
        preflight_by_file.setdefault(key, []).append(finding)
        findings_texts.setdefault(key, []).append((finding.severity, finding.message))
    no_change = env["print.job.change"]
    first_change = {}
    for change in order_sudo.job_change_ids:
        if change.old_attachment_id:
            first_change.setdefault(change.old_attachment_id.id, change)
    job_files = {}
    job_media = {}
    media_by_paper = {}
    for job in order_sudo.job_ids:
        job_files[job.id] = job.attachment_ids.sorted("id")
        paper = (job.company_id.id, job.product_id.id)
        if paper not in media_by_paper:
            media_by_paper[paper] = job._get_portal_media()
        job_media[job.id] = media_by_paper[paper]
    files_on_jobs = {
        (job_id, attachment.id) for job_id, files in job_files.items() for attachment in files
    }
    file_item_changes = {
        item.id: first_change.get(item.attachment_id.id, no_change)
        for item in order_sudo.last_change_request_id.file_item_ids
        if item.attachment_id and (item.job_id.id, item.attachment_id.id) not in files_on_jobs
    }
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
            "how_to": reason.how_to if not is_html_empty(reason.how_to) else False,
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

    render_once = _renderer_once()
    stamp = _stamper({"print_order": order_sudo})

    def file_notes_html(job, attachment, flagged):
        findings = preflight_by_file.get((job.id, attachment.id), [])
        items = flagged.get(attachment.id, [])
        key = (
            job.preflight_state,
            tuple(findings_texts.get((job.id, attachment.id), ())),
            tuple((item.reason_id.id, item.note) for item in items),
        )
        return render_once(
            "print_change_request.portal_print_file_notes",
            ("file_notes", *key),
            lambda: {
                "findings": findings,
                "preflight_state": job.preflight_state,
                "items": items,
                "reason_texts": reason_texts,
                "no_reason_texts": NO_REASON_TEXTS,
            },
        )

    def form_files_html(job, flagged, token_query):
        return Markup("").join(
            stamp(
                "print_change_request.portal_print_order_form_file",
                {"is_flagged": attachment.id in flagged, "token_query": token_query},
                {
                    "job_id": job.id,
                    "attachment_id": attachment.id,
                    "attachment_name": attachment.name,
                    "notes": file_notes_html(job, attachment, flagged),
                },
            )
            for attachment in job_files[job.id]
        )

    def file_changes_html(change_request):
        # The request's file items as plain rows, in one query: a request on 100 jobs of 5
        # files has 500 of them, read field by field they were a tenth of the page.
        Item = env["print.change.request.item"]
        query = Item._search([("request_id", "=", change_request.id), ("kind", "=", "file")])
        columns = ("id", "job_id", "file_name", "reason_id", "note")
        rows = env.execute_query(
            query.select(*(Item._field_to_sql(query.table, name, query) for name in columns))
        )
        job_names = {job.id: job.name for job in Job.browse({row[1] for row in rows})}
        blocks = []
        for item_id, job_id, file_name, reason_id, note in rows:
            file_change = file_item_changes.get(item_id)
            reason = reason_texts.get(reason_id, NO_REASON_TEXTS)
            blocks.append(
                stamp(
                    "print_change_request.portal_print_file_change_item",
                    {
                        "change": None if file_change is None else file_change.kind or "",
                        "has_description": bool(reason["description"]),
                        "has_how_to": bool(reason["how_to"]),
                        "has_note": bool(note),
                    },
                    {
                        "job_name": job_names[job_id] or "",
                        "file_name": file_name or "",
                        "new_name": (file_change.new_name if file_change else "") or "",
                        "reason_name": reason["name"] or "",
                        "description_html": reason["description_html"] or "",
                        "how_to_html": reason["how_to"] or "",
                        "note_html": text_html(note) or "",
                    },
                )
            )
        return Markup("").join(blocks)

    def job_files_html(job, token_query):
        return Markup("").join(
            stamp(
                "print_change_request.portal_print_job_file_link",
                {"token_query": token_query},
                {"attachment_id": attachment.id, "attachment_name": attachment.name},
            )
            for attachment in job_files[job.id]
        )

    def form_ticket_html(job, posted_form, token, price_quotes):
        prefix = f"job_{job.id}_"
        shown_product = posted_form.get(prefix + "product_id", str(job.product_id.id))
        shown = {
            field: posted_form.get(prefix + field, job[field])
            for field in ("color_mode", "sides", "finishing")
        }
        copies = posted_form.get(prefix + "copies", job.copies)
        quote = (price_quotes or {}).get(job.id) or order_sudo._get_portal_price_quote(job, {})
        return stamp(
            "print_change_request.portal_print_order_form_ticket",
            {
                "token": token,
                "no_product": not job.product_id,
                "no_product_shown": shown_product in ("", "False"),
                # shown as posted (a refusal) and not as saved: the price block, rendered
                # for the job as saved, is computed again from the form when the page opens
                "price_on_start": any(
                    posted_form.get(prefix + name, saved) != saved
                    for name, saved in _priced_values(job).items()
                ),
            },
            {
                "job_id": job.id,
                "product_options": media_options_html(job, shown_product),
                "color_options": ticket_options_html("color_mode", shown["color_mode"]),
                "sides_options": ticket_options_html("sides", shown["sides"]),
                "finishing_options": ticket_options_html("finishing", shown["finishing"]),
                # as t-att-value writes it: no value for an empty number
                "copies": copies if copies or isinstance(copies, str) else "",
                "ticket_note": posted_form.get(prefix + "ticket_note", job.ticket_note or ""),
                "price_quote": price_quote_html(quote),
            },
        )

    def ticket_options_html(field, shown):
        return render_once(
            "print_change_request.portal_print_select_options",
            ("ticket", field, shown),
            lambda: {
                "options": [
                    (value, ticket_labels[field][value]) for value, _label in TICKET_CHOICES[field]
                ],
                "shown": shown,
            },
        )

    def media_options_html(job, shown):
        media = job_media[job.id]
        return render_once(
            "print_change_request.portal_print_select_options",
            ("media", tuple(media.ids), shown),
            lambda: {
                "options": [(str(medium.id), medium.display_name) for medium in media],
                "shown": shown,
            },
        )

    def price_quote_html(quote):
        return render_once(
            "print_change_request.portal_print_job_price_quote",
            ("quote", json.dumps(quote, sort_keys=True, default=str)),
            lambda: {"quote": quote},
        )

    return {
        "ticket_labels": ticket_labels,
        "preflight_by_file": preflight_by_file,
        "file_item_changes": file_item_changes,
        "job_files": job_files,
        "job_media": job_media,
        "job_state_badges": job_state_badges,
        "reason_texts": reason_texts,
        "no_reason_texts": NO_REASON_TEXTS,
        "money_html": money_html,
        "text_html": text_html,
        "file_notes_html": file_notes_html,
        "form_files_html": form_files_html,
        "file_changes_html": file_changes_html,
        "job_files_html": job_files_html,
        "form_ticket_html": form_ticket_html,
        "ticket_options_html": ticket_options_html,
        "media_options_html": media_options_html,
        "price_quote_html": price_quote_html,
    }


NO_REASON_TEXTS = {"name": False, "description": False, "description_html": False, "how_to": False}


def _priced_values(job):
    """The fields of ``job``'s ticket its price follows, as the order page's form posts
    them."""
    saved = {
        "product_id": str(job.product_id.id) if job.product_id else "",
        "copies": str(job.copies),
        "color_mode": job.color_mode,
        "sides": job.sides,
        "finishing": job.finishing,
    }
    return {name: saved[name] for name in PRICED_FIELDS}


def _renderer_once():
    """``render_once(template, key, values)``: ``template`` rendered with ``values()``
    the first time ``key`` is asked, the same markup again for the same key."""
    rendered = {}

    def render_once(template, key, values):
        if key not in rendered:
            rendered[key] = request.env["ir.qweb"]._render(template, values())
        return rendered[key]

    return render_once


#: A stand-in of a value in a stamp (see :func:`_stamper`): letters and digits only, so that
#: escaping leaves it as it is, and unlike anything a page shows.  Its key is drawn for each
#: page: a request's values (an access token, a job's name) printed in the same template
#: cannot make one.
STAND_IN = "pcrStandIn{key}x{name}pcrEnd"


def _stamper(page_values):
    """``stamp(template, kind, values)``: ``template`` rendered once per ``kind`` (a dict of
    the values that shape it) with a stand-in for each of ``values``, then filled in with
    ``values`` (escaped, unless markup) for each call: a block repeated for hundreds of
    files costs a string join, not a rendering.  The template may only print ``values``
    (``t-out``, ``t-att``, ``t-attf``), not test or compute with them: a template that does
    is refused before it is stamped (``lib/qweb_stamp.py``).  Only the stand-ins of
    ``values`` made for this page are filled: any other text stays as rendered."""
    stamps = {}
    page_key = secrets.token_hex(8)

    def stamp(template, kind, values):
        key = (template, *kind.items(), *values)
        parts = stamps.get(key)
        if parts is None:
            request.env["ir.qweb"]._print_check_stamp(template, tuple(sorted(values)))
            rendered = request.env["ir.qweb"]._render(
                template,
                {
                    **page_values,
                    **kind,
                    **{name: Markup(STAND_IN.format(key=page_key, name=name)) for name in values},
                },
            )
            names = "|".join(map(re.escape, values)) or "(?!)"  # no values: nothing
            stand_in = re.compile(f"pcrStandIn{page_key}x({names})pcrEnd")
            # [text, name, text, name, ..., text]: the names at the odd places
            parts = stamps[key] = stand_in.split(str(rendered))
        filled = parts.copy()
        for index in range(1, len(filled), 2):
            filled[index] = escape(values[filled[index]])
        return Markup("".join(filled))

    return stamp
