"""The trust boundary: student code runs here, and only here.

Read this first, then ``docs/security.md``.

* The trusted parent (everything outside this package, and ``session.py`` inside it) holds the hidden suites,
  the reference solutions, the comparisons and the scores. It never imports or calls student code.
* ``session.py`` starts one sandbox per submission: bubblewrap (new user, pid, net, mount, IPC namespaces,
  read-only system, only copies of the whitelisted files, scrubbed environment), or, without it, a weaker
  fallback that says so loudly.
* ``worker.py`` is copied alone into the sandbox and never imported by the parent. It imports NumPy once
  (the zygote) and forks one worker per exercise, under rlimits, seccomp and Landlock, with a parent-death
  signal.
* Across the boundary only plain data travels: length-prefixed JSON frames, and ``.npy`` arrays read with
  ``allow_pickle=False`` whose exact type, shape and dtype the parent checks. Nothing is unpickled.
"""
