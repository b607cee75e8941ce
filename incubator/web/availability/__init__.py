from flask import Blueprint

bp = Blueprint("availability", __name__)

from . import views  # noqa: E402,F401
