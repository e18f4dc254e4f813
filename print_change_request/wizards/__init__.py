from . import print_change_request_wizard
from . import print_change_request_line
from . import print_refund_confirm_wizard
from . import print_order_continue_wizard
from . import print_order_unpaid_wizard
from . import print_job_upload_wizard
from . import print_change_request_wizard_release
from . import print_release_confirm_wizard
