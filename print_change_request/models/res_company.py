from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import upload_check


class ResCompany(models.Model):
    _inherit = "res.company"

    # === FIELDS === #

    print_payment_required = fields.Boolean(
        string="Print orders must be paid before acceptance",
        help="When set, an order with a price can be accepted only once it is paid.",
    )
    print_invoice_on_payment = fields.Boolean(
        string="Invoice print orders when paid online",
        help="When an online payment of a print order is done, create its invoice (the jobs "
        "as lines) and reconcile the payment with it.",
    )
    print_portal_pay_on_submit = fields.Boolean(
        string="Customers pay when they submit a print order in the portal",
        help="When set, a customer who submits a print order in the portal lands on its payment "
        "(Odoo's payment form) and is asked to pay it now; otherwise the order is submitted and "
        "can be paid later from its page.",
    )
    print_capture_before_expiry = fields.Boolean(
        string="Capture authorizations before they expire",
        help="When a payment authorized for a print order is about to expire (Stripe: 7 days) "
        "and the order is not accepted yet, capture it then instead of giving the "
        "responsible a to-do.",
    )
    print_portal_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Portal orders handled by",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="The responsible of orders customers submit in the portal. Empty: the operators in "
        "turn (round robin).",
    )
    print_reminder_days = fields.Integer(
        string="Remind customers after (days)",
        default=3,
        help="Days without an answer after which the customer is reminded of a request for "
        "change, and between two reminders. 0 sends no reminder.",
    )
    print_reminder_max = fields.Integer(
        string="Reminders at most",
        default=2,
        help="How many reminders a customer gets for one request for change.",
    )
    print_deadline_days = fields.Integer(
        string="Deadline for the customer's answer (days)",
        default=7,
        help="Days without an answer after which the order's responsible gets a to-do to "
        "decide whether to go on without the customer. 0 sets no deadline.",
    )
    print_refund_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Refunds handled by",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="Gets a to-do for each refund to make by hand. Default: an accounting administrator.",
    )
    print_preflight_min_dpi = fields.Integer(
        string="Minimum image resolution (dpi)",
        default=150,
        help="The preflight warns about images below this resolution at print size.",
    )
    print_upload_types = fields.Char(
        string="File types customers may upload",
        default="pdf, png, jpeg, tiff",
        help="Comma-separated, among pdf, png, jpeg and tiff. Files are checked by their "
        "content, not their name.",
    )
    print_upload_max_files = fields.Integer(
        string="Files per upload",
        default=50,
        help="The most files a customer (or a script) may send at once: all the jobs of the "
        "order page's form together.",
    )
    print_job_max_files = fields.Integer(
        string="Files per job",
        default=200,
        help="The most files one job may hold; customers combine more pages into fewer files.",
    )
    print_order_max_jobs = fields.Integer(
        string="Jobs per order",
        default=100,
        help="The most jobs a customer may add to one order in the portal.",
    )
    print_status_mail = fields.Boolean(
        string="Status e-mails to customers",
        default=True,
        help="E-mail the customer when their print order is accepted, dispatched and "
        "finalized (templates 'Print Shop: order accepted', '... dispatched', "
        "'... finalized'). The order's page shows its state either way.",
    )
    print_portal_media_ids = fields.Many2many(
        comodel_name="product.product",
        relation="res_company_print_portal_media_rel",
        column1="company_id",
        column2="product_id",
        string="Media customers may choose",
        help="The papers and media a customer may pick when changing a job ticket in the "
        "portal (besides the job's own).",
    )

    # Pricing: ordinary products, priced through the customer's pricelist and taxed with their
    # own taxes (lib/pricing.py).  An empty product prices its component at 0.
    print_color_page_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Color page",
        check_company=True,
        help="The price of one page printed in color (per page and copy). Empty: free.",
    )
    print_bw_page_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Black & white page",
        check_company=True,
        help="The price of one page printed in black & white (per page and copy). Empty: free.",
    )
    print_finishing_staple_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Staple",
        check_company=True,
        help="The price of stapling one copy. Empty: free.",
    )
    print_finishing_fold_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Fold",
        check_company=True,
        help="The price of folding one copy. Empty: free.",
    )
    print_finishing_bind_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Bind",
        check_company=True,
        help="The price of binding one copy. Empty: free.",
    )
    print_finishing_laminate_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Laminate",
        check_company=True,
        help="The price of laminating one copy. Empty: free.",
    )
    print_finishing_cut_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Cut to size",
        check_company=True,
        help="The price of cutting one copy to size. Empty: free.",
    )

    # === CONSTRAINT METHODS === #

    @api.constrains("print_upload_types")
    def _check_print_upload_types(self):
        for company in self:
            if not upload_check.parse_types(company.print_upload_types):
                raise ValidationError(
                    self.env._(
                        "Allow at least one file type for uploads: %(types)s.",
                        types=", ".join(upload_check.FILE_TYPES),
                    )
                )

    @api.constrains("print_upload_max_files", "print_job_max_files", "print_order_max_jobs")
    def _check_print_file_caps(self):
        for company in self:
            if (
                company.print_upload_max_files < 1
                or company.print_job_max_files < 1
                or company.print_order_max_jobs < 1
            ):
                raise ValidationError(
                    self.env._(
                        "Files per upload, files per job and jobs per order must be at least 1 "
                        "(defaults: 50 per upload, 200 per job, 100 per order)."
                    )
                )

    # === BUSINESS METHODS === #

    def _get_print_page_product(self, color_mode):
        """The product that prices a printed page in ``color_mode`` ("color" or "bw")."""
        self.ensure_one()
        if color_mode == "bw":
            return self.print_bw_page_product_id
        return self.print_color_page_product_id

    def _get_print_finishing_product(self, finishing):
        """The product that prices ``finishing`` (a value of the jobs' finishing), or none."""
        self.ensure_one()
        name = f"print_finishing_{finishing}_product_id"
        if not finishing or name not in self._fields:
            return self.env["product.product"]
        return self[name]
