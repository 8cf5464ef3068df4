"""Request ids: UUID4-shaped, unique in a process and across a fork (a DNS or API worker)."""

from __future__ import annotations

import os
import uuid

from cloudlet.ids import request_id


def test_request_ids_are_uuid4_shaped_and_unique() -> None:
    ids = [request_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    for rid in ids[:100]:
        parsed = uuid.UUID(rid)
        assert str(parsed) == rid and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_a_forked_process_does_not_repeat_its_parents_ids() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, to the parent
        os.write(write, " ".join(request_id() for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    mine = {request_id() for _ in range(50)}
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        theirs = set(pipe.read().split())
    assert len(theirs) == 50 and not mine & theirs
    assert {r[:24] for r in theirs} != {r[:24] for r in mine}  # a new random part, not a shared counter
