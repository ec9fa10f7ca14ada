"""The one reader of the environment for every settings module.

A value comes from the process environment first, then from ``DEFAULTS``: the defaults that
``dev.py`` and ``test.py`` give before importing ``base.py`` (``production.py`` gives none).
The defaults are never written into ``os.environ``, so the demo and test keys stay values inside
those settings: no child process, library or log of the environment ever sees them as if an
operator had set them.
"""

import os
from collections import ChainMap

import environ

DEFAULTS: dict[str, str] = {}


class _Environment(environ.Env):
    ENVIRON = ChainMap(os.environ, DEFAULTS)


env = _Environment()
