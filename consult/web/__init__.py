"""Server-rendered pages: the blueprint every feature's `pages.py` declares its routes on."""

from flask import Blueprint

pages = Blueprint("pages", __name__)
