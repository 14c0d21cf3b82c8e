"""The floor of ``bench/api_crud.py --floor``: the production settings and URLs plus two constant endpoints.

gunicorn serves ``bench.floor.settings`` only when the benchmark starts it for the floor comparison; nothing in
the application imports this package.
"""
