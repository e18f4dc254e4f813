"""A customer has one portal draft: ``POST /my/print_orders/new`` again (a double click, a
reload, a second tab) gives that draft back, with no new order and no new number."""

from urllib.parse import urlsplit

from odoo.tests import tagged

from .test_portal_new_order import PortalNewOrderCommon


@tagged("post_install", "-at_install")
class TestPortalNewOrderOnce(PortalNewOrderCommon):
    def _post_new(self, draft, **values):
        """POST the new-order form as a tab opened before the draft existed would."""
        data = {"name": "Flyer A5", "product_id": str(self.silk.id), "copies": "2", **values}
        data["csrf_token"] = self._csrf(f"/my/print_orders/{draft.id}")
        return self.url_open("/my/print_orders/new", data=data)

    def _sequence_next(self):
        sequence = self.env["ir.sequence"].search([("code", "=", "print.order")], limit=1)
        return sequence.number_next_actual

    def test_01_the_same_form_twice_makes_one_draft_with_one_job(self):
        self.assertEqual(self._start_order().status_code, 200)
        draft = self._draft()
        self.assertEqual(len(draft), 1)
        number = self._sequence_next()

        again = self._post_new(draft)

        self.assertEqual(again.status_code, 200)
        self.assertEqual(urlsplit(again.url).path, f"/my/print_orders/{draft.id}")
        self.assertEqual(self._draft(), draft)
        self.assertEqual(draft.job_ids.mapped("name"), ["Flyer A5"])
        self.assertEqual(self._sequence_next(), number, "no order number used up")
        # without a job either
        self.assertEqual(
            urlsplit(self._post_new(draft, name="").url).path, f"/my/print_orders/{draft.id}"
        )
        self.assertEqual(self._draft(), draft)
        self.assertEqual(len(draft.job_ids), 1)

    def test_02_another_job_from_a_second_tab_joins_the_open_draft(self):
        self.assertEqual(self._start_order().status_code, 200)
        draft = self._draft()

        other = self._post_new(draft, name="Poster A2", copies="1")

        self.assertEqual(urlsplit(other.url).path, f"/my/print_orders/{draft.id}")
        self.assertIn("notice=job_added", other.url)
        self.assertEqual(self._draft(), draft)
        self.assertEqual(
            draft.job_ids.sorted("sequence").mapped("name"), ["Flyer A5", "Poster A2"]
        )
        # a wrong ticket is refused on the draft's page, the draft as it was
        wrong = self._post_new(draft, name="Card", copies="0")
        self._assert_refused(wrong, "whole number")
        self.assertEqual(len(draft.job_ids), 2)
