"""The framework floor for bench/booking.py: a Flask app with one route, served the same way as the app."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def show_floor():
    return "ok"
