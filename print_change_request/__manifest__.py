{
    "name": "Print Shop: Request for Change",
    "summary": "Print orders and jobs with communication states; ask customers to change "
    "files or job tickets and refund paid orders automatically or by hand.",
    "version": "18.0.1.0.0",
    "category": "Services/Print",
    "website": "https://github.com/print-change-request/print_change_request",
    "author": "print_change_request developers",
    "license": "LGPL-3",
    "application": True,
    "depends": ["mail", "portal", "account", "account_payment", "payment_stripe"],
    "external_dependencies": {"python": ["stripe"]},
    "data": [
        "security/print_change_request_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/print_change_reason_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "data/ir_actions_server_data.xml",
        "views/print_order_views.xml",
        "views/print_job_views.xml",
        "views/print_change_request_views.xml",
        "views/print_refund_views.xml",
        "views/payment_provider_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/print_change_request_wizard_views.xml",
        "wizards/print_refund_confirm_wizard_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "print_change_request/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/print_demo.xml",
    ],
}
