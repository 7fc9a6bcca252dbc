"""Live updates over Socket.IO: pushes after commit, catch-up from the event log, presence.

Socket.IO only pushes; every write goes over HTTP. Each round has one room per constituency
(`round:<id>:<constituency>`); every room of a round receives every sequence number, with the event
rendered for that constituency, or `null` where it may not see it. A client applies sequence numbers in
order, exactly once; a gap that does not fill asks the server for a replay.
"""
