import re

from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from odoo import models
from odoo.http import request
from odoo.tools.misc import human_size

#: The addon's routes that take files (``controllers/portal.py``, the order page's form in
#: ``controllers/portal_order_form.py``): their request size limit is the shop's.
UPLOAD_PATH = re.compile(r"^/my/print_orders/(\d+)/(?:jobs/\d+/files|save)/?$")


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _handle_error(cls, exception):
        """A request to the upload route larger than the shop's upload limit: the order's page
        with the limit, as for a file just too large (Odoo's error page for HTTP 413 fails:
        rendering it reads the oversized form again)."""
        if isinstance(exception, RequestEntityTooLarge):
            response = cls._print_upload_too_large_page()
            if response is not None:
                return response
        return super()._handle_error(exception)

    @classmethod
    def _print_upload_too_large_page(cls):
        """The page, or None when the request is not an upload to an order the caller may
        reach (Odoo's own handling then)."""
        match = UPLOAD_PATH.match(request.httprequest.path or "")
        if not match or not getattr(request, "is_frontend", False):
            return None
        # The most derived portal controller: the page's values come from all its layers.
        from ..controllers.portal_order_form import (  # noqa: PLC0415 (import cycle)
            PrintOrderFormPortal as PrintOrderPortal,
        )

        request.cr.rollback()
        if not request.uid:
            cls._auth_method_public()
        cls._frontend_pre_dispatch()
        request.params = {}  # never read the oversized form again
        access_token = request.httprequest.args.get("access_token")
        controller = PrintOrderPortal()
        try:
            order_sudo = controller._get_print_order_or_404(int(match[1]), access_token)
        except HTTPException:
            return None
        limit = request.env["print.job"]._get_max_upload_size()
        error = request.env._(
            "What you sent is too large (%(size)s): each file may be at most %(max)s. "
            "Make the files smaller, for example by exporting images at print resolution "
            "only, or upload them one at a time.",
            size=human_size(request.httprequest.content_length or 0),
            max=human_size(limit),
        )
        response = controller._render_print_order_page(
            order_sudo, access_token, error=error, status=413
        )
        cls._post_dispatch(response)
        response.flatten()
        return response
