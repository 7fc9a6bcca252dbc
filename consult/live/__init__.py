"""Live updates over Socket.IO: pushes after commit, catch-up from the event log, presence.

Socket.IO only pushes; every write goes over HTTP. Each round has one room per constituency
(`round:<id>:<constituency>`); a room receives the events of the audiences its constituency sees, rendered
for it, each numbered within its audience (consult/events/cursor.py), and nothing of the others. A client
applies each audience's numbers in order, exactly once; a gap that does not fill asks for a replay.
"""
