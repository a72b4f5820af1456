"""Runner presence: who is alive, on the compacted topic ``<request topic>.runners`` (schemas/presence.avsc).

:mod:`.records` holds the record and its framing; :mod:`.publisher` the thread that writes it.
"""
