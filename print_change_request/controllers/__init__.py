from . import stripe_webhook
from . import portal
