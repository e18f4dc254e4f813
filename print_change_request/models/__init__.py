from . import (
    account_move,
    payment_transaction,
    print_job,
    print_order,
    res_company,
    res_config_settings,
)
