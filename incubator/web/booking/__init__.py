from flask import Blueprint

bp = Blueprint("booking", __name__)

from . import views  # noqa: E402,F401
