from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    print_payment_required = fields.Boolean(
        related="company_id.print_payment_required", readonly=False
    )
    print_invoice_on_payment = fields.Boolean(
        related="company_id.print_invoice_on_payment", readonly=False
    )
    print_portal_pay_on_submit = fields.Boolean(
        related="company_id.print_portal_pay_on_submit", readonly=False
    )
    print_capture_before_expiry = fields.Boolean(
        related="company_id.print_capture_before_expiry", readonly=False
    )
    print_portal_user_id = fields.Many2one(
        related="company_id.print_portal_user_id", readonly=False
    )
    print_reminder_days = fields.Integer(related="company_id.print_reminder_days", readonly=False)
    print_reminder_max = fields.Integer(related="company_id.print_reminder_max", readonly=False)
    print_deadline_days = fields.Integer(related="company_id.print_deadline_days", readonly=False)
    print_refund_user_id = fields.Many2one(
        related="company_id.print_refund_user_id", readonly=False
    )
    print_preflight_min_dpi = fields.Integer(
        related="company_id.print_preflight_min_dpi", readonly=False
    )
    print_upload_types = fields.Char(related="company_id.print_upload_types", readonly=False)
    print_upload_max_files = fields.Integer(
        related="company_id.print_upload_max_files", readonly=False
    )
    print_job_max_files = fields.Integer(related="company_id.print_job_max_files", readonly=False)
    print_order_max_jobs = fields.Integer(
        related="company_id.print_order_max_jobs", readonly=False
    )
    print_portal_media_ids = fields.Many2many(
        related="company_id.print_portal_media_ids", readonly=False
    )
    print_color_page_product_id = fields.Many2one(
        related="company_id.print_color_page_product_id", readonly=False
    )
    print_bw_page_product_id = fields.Many2one(
        related="company_id.print_bw_page_product_id", readonly=False
    )
    print_finishing_staple_product_id = fields.Many2one(
        related="company_id.print_finishing_staple_product_id", readonly=False
    )
    print_finishing_fold_product_id = fields.Many2one(
        related="company_id.print_finishing_fold_product_id", readonly=False
    )
    print_finishing_bind_product_id = fields.Many2one(
        related="company_id.print_finishing_bind_product_id", readonly=False
    )
    print_finishing_laminate_product_id = fields.Many2one(
        related="company_id.print_finishing_laminate_product_id", readonly=False
    )
    print_finishing_cut_product_id = fields.Many2one(
        related="company_id.print_finishing_cut_product_id", readonly=False
    )
    print_status_mail = fields.Boolean(related="company_id.print_status_mail", readonly=False)
