"""psycopg 3 against the reference server: server-side params, binary, COPY, transactions.

Usage: psycopg_smoke.py HOST PORT. Prints OK on success; raises on any mismatch.
"""
import sys

import psycopg

host, port = sys.argv[1], int(sys.argv[2])
with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
    conn.execute("CREATE TABLE py (id int NOT NULL, name text, v double precision)")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO py VALUES (%s, %s, %s)", [(1, "a", 0.5), (2, None, 1.25)])
        with cur.copy("COPY py (id, name, v) FROM STDIN") as copy:
            copy.write_row((3, "c", 2.0))
        cur.execute("SELECT id, name, v FROM py WHERE id >= %s ORDER BY id", (1,))
        rows = cur.fetchall()
        assert rows == [(1, "a", 0.5), (2, None, 1.25), (3, "c", 2.0)], rows
        cur.execute("SELECT count(*) FROM py", binary=True)
        assert cur.fetchone() == (3,)
    conn.autocommit = False
    with conn.transaction():
        conn.execute("SELECT 1")
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    try:
        conn.execute("SELECT * FROM no_such_table")
        raise AssertionError("expected an error")
    except psycopg.errors.UndefinedTable:
        conn.rollback()
print("OK")
