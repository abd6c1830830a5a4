"""Quiz exports: Open edX OLX (``olx.py``), IMS QTI 2.1 (``qti.py``), and the file plumbing both use."""
