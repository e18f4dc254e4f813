from odoo import models


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _postprocess_contents(self, values):
        """Customers' print files are printed as they were sent: Odoo would shrink images
        above ``base.image_autoresize_max_px`` (1920 px) and re-encode them at quality 80,
        which ruins a print file.  Files uploaded to a job (the backend's file widget, the
        portal) come with ``res_model`` print.job; files created through a job's
        ``attachment_ids`` get the ``image_no_postprocess`` context from the job."""
        if values.get("res_model") == "print.job":
            return values
        return super()._postprocess_contents(values)
