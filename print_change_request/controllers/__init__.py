from . import portal
from . import payment
from . import portal_new_order
from . import portal_order_form
