"""What the concurrency tests commit on cursors of their own (never the test's cursor), to be
removed by the tests afterwards: a test payment provider and an order of one job."""

from odoo import Command

from .preflight_samples import clean_pdf


def commit_test_provider(env, template_xmlid, values):
    """A copy of Odoo's provider ``template_xmlid`` with ``values`` (``name`` and
    ``company_id`` included), or the one an earlier test left, updated: its journal keeps
    that provider's payment method line, so it is reused rather than created again."""
    provider = (
        env["payment.provider"]
        .sudo()
        .search(
            [("name", "=", values["name"]), ("company_id", "=", values["company_id"])], limit=1
        )
    )
    if provider:
        provider.write(values)
        return provider
    return env.ref(template_xmlid).sudo().copy(values)


def create_one_job_order(env, company, customer, email):
    """An order of ``company`` for a new customer: one job of 25.00 with one clean PDF (no
    preflight error, so Accept asks no confirmation)."""
    partner = env["res.partner"].create({"name": customer, "email": email})
    order = env["print.order"].create({"partner_id": partner.id, "company_id": company.id})
    env["print.job"].create(
        {
            "order_id": order.id,
            "name": "Posters",
            "price_unit": 25.0,
            "attachment_ids": [
                Command.create(
                    {"name": "poster.pdf", "raw": clean_pdf(), "mimetype": "application/pdf"}
                )
            ],
        }
    )
    return order
