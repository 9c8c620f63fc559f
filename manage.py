#!/usr/bin/env python
"""Same as the `liuyan` console script, for those used to Django's manage.py."""

from liuyan.__main__ import main

if __name__ == "__main__":
    main()
