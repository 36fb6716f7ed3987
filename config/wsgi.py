from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Import every view as the worker starts, not on the first request someone makes to it: the
# URLconf pulls in the API, exports and their libraries, which would delay that first request.
get_resolver().url_patterns  # noqa: B018 (the attribute is read for its import)
