"""The broker of `make run` without Redis: kombu's filesystem transport, with messages that
appear in the folder whole.

kombu writes a message file in place. A worker polling the folder can take the file while it is
still empty and stops on the JSON it cannot read ("Unrecoverable error: JSONDecodeError",
celery/kombu#1551); after that no job runs until someone restarts it. Here a message is
written under a name the worker passes over (the transport only takes ``*.<queue>.msg``) and
renamed to its real name once complete, which is atomic within one folder.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # The same name as kombu's: sorting the folder still gives the order of sending.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        unfinished = f"{final}.part"
        try:
            with open(unfinished, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(unfinished, final)
        except OSError as exc:
            with contextlib.suppress(OSError):  # never created, or already renamed
                os.remove(unfinished)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
