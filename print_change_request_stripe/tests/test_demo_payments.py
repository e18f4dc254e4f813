"""The demo's card payments on Stripe (this module's demo data)."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoPayments(TransactionCase):
    """The demo database as installed, with this module's demo card payments (read as the
    superuser: this checks data, not rights)."""

    def test_01_card_payments_of_the_demo_are_in_the_books(self):
        for xmlid in ("tx_paid_online", "tx_accepted"):
            tx = self.env.ref(f"print_change_request_stripe.{xmlid}")
            with self.subTest(tx=tx.reference):
                self.assertEqual(tx.state, "done")
                self.assertTrue(tx.is_post_processed)
                self.assertTrue(tx.payment_id, "Odoo's post-processing created the payment")
                self.assertEqual(tx.payment_id.state, "in_process")
                self.assertEqual(tx.payment_id.amount, tx.amount)
                self.assertEqual(tx.payment_id.payment_type, "inbound")
