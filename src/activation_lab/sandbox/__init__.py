"""The trust boundary: student code runs here, and only here.

Read this first, then ``docs/security.md``. The modules, from the wire outwards:

* ``wire.py`` — framing, the value codec and exceptions as plain data: the only code that runs on both sides
  (the parent imports it; a copy sits beside the worker in the sandbox). Nothing is ever unpickled: JSON
  frames, and ``.npy`` arrays read with ``allow_pickle=False`` whose exact type, shape and dtype are checked.
* ``worker.py`` and ``confine.py`` — the untrusted side, copied into the sandbox and never imported by the
  parent: a zygote imports NumPy once and forks a submission's worker, which confines itself (rlimits that
  must take effect, a seccomp filter that refuses new processes, anything acting on another process and
  kernel objects that outlive a process, Landlock, a parent-death signal) before importing student code. It
  takes on the submission's exercises in turn, only while the last one left nothing behind.
* ``isolation.py`` — bubblewrap (new user, pid, net, mount, IPC namespaces, read-only system, only copies of
  the whitelisted files, scrubbed environment), or a weaker fallback that says so loudly; probing.
* ``cgroup.py`` — one memory cgroup per sandbox, so a submission's memory is bounded as a whole.
* ``host.py`` — one running sandbox and the parent's end of its control socket.
* ``pool.py`` — handing a running sandbox to the next submission, only when the zygote is verifiably
  unchanged; forked ``--jobs`` workers keep their own pool.
* ``session.py`` — :class:`SubmissionSandbox` and its ``StudentCode`` proxy: deadlines, budgets and kills;
  ``texts.py`` — what an aborted exercise or a weak sandbox says to people.

The trusted parent (everything outside this package, and the parent-side modules above) holds the hidden
suites, the reference solutions, the comparisons and the scores. It never imports or calls student code.
"""
