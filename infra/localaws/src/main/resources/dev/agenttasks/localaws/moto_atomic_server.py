"""moto_server, except that DynamoDB requests are handled one at a time.

moto checks a ConditionExpression and then applies the write as separate steps, with no lock, so two
concurrent conditional writes to one item can both succeed. DynamoDB never allows that, and the
service's claims, fences and idempotency records depend on it. Other services (SQS long polls among
them) stay concurrent. Arguments are moto_server's own (-H host -p port).
"""
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.server import main

_dynamodb = threading.Lock()
_dispatch = DomainDispatcherApplication.__call__


def _serialized(self, environ, start_response):
    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
        with _dynamodb:
            # moto builds the whole response inside the call, so the write is done when the lock is released.
            return _dispatch(self, environ, start_response)
    return _dispatch(self, environ, start_response)


DomainDispatcherApplication.__call__ = _serialized

if __name__ == "__main__":
    main()
