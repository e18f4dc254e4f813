{
    "name": "Print Shop: Request for Change (Stripe)",
    "summary": "Refund, capture and release print orders' Stripe payments through Stripe's API, "
    "follow Stripe's refund webhooks and reconcile Odoo's refunds with Stripe's.",
    "version": "18.0.1.0.0",
    "category": "Services/Print",
    "website": "https://github.com/print-change-request/print_change_request",
    "author": "print_change_request developers",
    "license": "LGPL-3",
    "depends": ["print_change_request", "payment_stripe"],
    "external_dependencies": {"python": ["stripe"]},
    "auto_install": True,
    "data": [
        "views/payment_provider_views.xml",
    ],
    "demo": [
        "demo/print_demo.xml",
    ],
}
