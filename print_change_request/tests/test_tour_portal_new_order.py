"""A customer places an order in the portal, in Chromium: New print order, two jobs with a PDF
each (uploaded through the page's form), their warnings seen, submit, pay with Odoo's demo
provider; then the operator finds the order New, with its preflight badge, in the list."""

from odoo.tests import tagged

from .portal_common import PrintPortalCommon


@tagged("post_install", "-at_install")
class TestTourPortalNewOrder(PrintPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_demo_provider()
        cls.env.company.print_portal_pay_on_submit = True
        cls.env.company.print_invoice_on_payment = True

    def test_01_customer_orders_two_jobs_and_pays_then_the_operator_sees_it(self):
        self.env.company.print_portal_user_id = self.operator
        self.customer.name = "Paula Print"  # the portal login renamed her; the list shows it
        before = self.env["print.order"].search([("partner_id", "=", self.customer.id)])

        self.start_tour(
            "/my/print_orders", "print_change_request_portal_new_order_tour", login="portal_paula"
        )

        self.env.invalidate_all()
        order = self.env["print.order"].search([("partner_id", "=", self.customer.id)]) - before
        self.assertEqual(len(order), 1)
        self.assertRecordValues(
            order,
            [
                {
                    "portal_draft": False,
                    "portal_submitted": True,
                    "communication_state": "new",
                    "preflight_state": "warning",
                    "user_id": self.operator.id,
                    "is_paid": True,
                }
            ],
        )
        jobs = order.job_ids.sorted("sequence")
        self.assertEqual(jobs.mapped("name"), ["Flyer A5", "Poster A3"])
        self.assertEqual(jobs.mapped("copies"), [2, 1])
        self.assertEqual(jobs[0].color_mode, "bw")
        self.assertEqual(
            [job.attachment_ids.mapped("name") for job in jobs], [["flyer.pdf"], ["poster.pdf"]]
        )
        tx = order.transaction_ids
        self.assertEqual(tx.provider_id, self.demo_provider)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.amount, order.amount_total)
        # The payment status page ran Odoo's post-processing: invoiced and reconciled.
        self.assertTrue(tx.is_post_processed)
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.activity_ids.user_id, self.operator)

        self.start_tour(
            "/odoo/action-print_change_request.print_order_action",
            "print_change_request_portal_new_order_operator_tour",
            login=self.operator.login,
        )
