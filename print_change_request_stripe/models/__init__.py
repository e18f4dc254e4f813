from . import payment_provider
from . import print_refund
from . import payment_transaction
