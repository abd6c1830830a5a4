"""Open edX: grade CodeResponse submissions through XQueue and xqueue-watcher, and export the course as OLX.

``payload`` validates a problem's ``grader_payload``; ``response`` grades one pasted answer and renders the
reply; ``watcher`` is the xqueue-watcher plug-in (it imports ``xqueue_watcher``, so it is imported only
where that is installed); ``export`` writes the OLX course; ``watcher_config`` writes xqueue-watcher's conf.d.
"""
