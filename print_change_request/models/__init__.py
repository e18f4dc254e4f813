from . import print_order
from . import print_job
from . import account_move
from . import payment_transaction
from . import res_company
from . import res_config_settings
