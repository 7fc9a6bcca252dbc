"""Attacks on consult's promises, from outside (HTTP API, pages, sockets, mail): a test that passes means the
promise held; one marked xfail(strict=True) is a finding, kept visible until it is fixed."""
