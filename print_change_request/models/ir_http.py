import re
from urllib.parse import urlencode

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import redirect

from odoo import models
from odoo.http import request

#: The addon's routes that take files (``controllers/portal.py``, the order page's form in
#: ``controllers/portal_order_form.py``): their request size limit is the shop's.
UPLOAD_PATH = re.compile(r"^/my/print_orders/(\d+)/(?:jobs/\d+/files|save)/?$")


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _handle_error(cls, exception):
        """A request to the upload routes larger than the shop's upload limit: the order's
        page, which says the limit (Odoo's error page for HTTP 413 fails: rendering it reads
        the oversized form again)."""
        if isinstance(exception, RequestEntityTooLarge):
            response = cls._print_upload_too_large_page()
            if response is not None:
                return response
        return super()._handle_error(exception)

    @classmethod
    def _print_upload_too_large_page(cls):
        """Back to the order's page, which says the limit (``?notice=too_large``, the access
        token the customer came with), or None when the request is not an upload to an
        order's page (Odoo's own handling then).  The page's route checks access as for any
        visit; nothing of the oversized form is read."""
        match = UPLOAD_PATH.match(request.httprequest.path or "")
        if not match:
            return None
        query = {"notice": "too_large"}
        access_token = request.httprequest.args.get("access_token")
        if access_token:
            query["access_token"] = access_token
        return redirect(f"/my/print_orders/{int(match[1])}?{urlencode(query)}", code=303)
