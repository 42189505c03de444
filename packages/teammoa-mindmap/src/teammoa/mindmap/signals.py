"""Signals about the realtime machinery, for a host project's metrics.

The app measures nothing itself and depends on no metrics library: it sends these, and a
host project that wants numbers connects receivers (the TeamMoa site turns them into
Prometheus metrics in ``teammoa_site.metrics``). With no receiver connected a send costs
one dictionary lookup (``use_caching``), so they may sit on hot paths.

Every signal's ``sender`` is the class that sends it; receivers must be quick and must not
raise (they run inside the event loop).
"""

from __future__ import annotations

from django.dispatch import Signal

# Edits were queued for (``delta`` > 0) or taken by (``delta`` < 0) this process's writer.
# The running sum is the number of edits waiting to be written.
writes_queued = Signal(use_caching=True)

# The writer finished a batch: ``size`` edits in ``seconds``; ``ok`` False when the
# database could not be used (its senders are closed with 4500 and resync).
writer_batch = Signal(use_caching=True)

# A message from another server process arrived through the channel layer ``lag`` seconds
# after it was sent (wall clocks: hosts must keep them in sync, e.g. with NTP).
bundle_received = Signal(use_caching=True)

# A room re-read its mindmap and sent every one of its ``members`` connections a fresh
# snapshot (a change never arrived, or the database was ahead of the room).
room_resynced = Signal(use_caching=True)
