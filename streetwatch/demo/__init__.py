"""``streetwatch demo``: broker, server and two edge nodes on generated clips, in one command."""
