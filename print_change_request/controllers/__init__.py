from . import stripe_webhook
from . import portal
from . import payment
