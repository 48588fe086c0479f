"""The ceiling of this stack: a bare Flask route rendering a template as large as a lesson page.

No database, no session, no extensions: Flask, Jinja and gunicorn only. bench/stack.py serves
it with the same gunicorn settings as the academy and sets BENCH_LESSON_BYTES to the size of
the lesson page it measures, so both send the same number of bytes.
"""
import os

from flask import Flask, render_template
from jinja2 import DictLoader

LESSON_BYTES = int(os.environ.get("BENCH_LESSON_BYTES", 20_000))
PARAGRAPH = ("Customers renew when they reach the outcome they bought the product for, and a "
             "customer success manager's work is to help them get there, step by step. ")
TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/academy.css"></head>
<body><main><h1>{{ title }}</h1>
{% for paragraph in paragraphs %}<p>{{ paragraph }}</p>
{% endfor %}</main></body></html>
"""

app = Flask(__name__)
app.jinja_loader = DictLoader({"page.html": TEMPLATE})  # compiled once, cached as usual
PARAGRAPHS = [PARAGRAPH] * max(1, LESSON_BYTES // (len(PARAGRAPH) + 8))


@app.route("/")
def page():
    return render_template("page.html", title="A lesson", paragraphs=PARAGRAPHS)


@app.route("/healthz")
def healthz():
    return "ok"
