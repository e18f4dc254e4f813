from . import test_communication_state
from . import test_print_order
from . import test_payment_state
from . import test_access
from . import test_views
from . import test_tours
