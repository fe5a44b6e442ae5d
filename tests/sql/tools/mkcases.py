#!/usr/bin/env python3
"""mkcases.py - writes the SQL conformance cases of tests/sql/cases/ from the compact
definitions below: per case an application (app.sql or app.json), an input dump in the
`sluice tail --format kinesis` format (input.dump), optional extra files (reference data),
optional run arguments (args) and, for planning errors, the expected diagnostics.

The expected outputs (expected.jsonl, expected.err) are NOT written here: they are made by
`mkcases.py --bless BUILD/sluice` once and then reviewed by hand and committed; the driver
(tests/integration/test_sql_cases.py) compares every later run with them byte for byte.
"""
import base64, json, os, subprocess, sys

BASE = 1714521600  # 2024-05-01 00:00:00 UTC
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "cases")

TICKS = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'ticks' FORMAT JSON (
    ticker VARCHAR(8) PATH '$.ticker', price DOUBLE PATH '$.price', volume BIGINT PATH '$.volume')
STARTING AT TRIM_HORIZON;
"""

def ev(t, **kw):
    return (t, json.dumps(kw, separators=(",", ":")))

def raw(t, text):
    return (t, text)

# A small stock stream: (seconds after BASE, ticker, price, volume)
STOCK = [(0, "AMZN", 181.2, 300), (1.5, "MSFT", 415.1, 120), (4, "AMZN", 181.35, 200),
         (7, "AAPL", 227.5, 500), (9.999, "MSFT", 414.9, 80), (10, "AMZN", 181.1, 150),
         (12, "AAPL", 228.0, 50), (19, "MSFT", 416.0, 60), (25, "AMZN", 182.0, 400),
         (31, "AAPL", 226.5, 90), (31, "MSFT", 417.25, 70), (47, "AMZN", 182.5, 10)]
STOCK_EV = [ev(t, ticker=k, price=p, volume=v) for t, k, p, v in STOCK]

CASES = {}

def case(name, app, events=STOCK_EV, args=None, files=None, fail=False):
    CASES[name] = dict(app=app, events=events, args=args or [], files=files or {}, fail=fail)

def pump(select, cols, stream="DESTINATION_SQL_STREAM", pre=TICKS, out=True):
    s = pre + f'CREATE OR REPLACE STREAM "{stream}" ({cols});\n'
    s += f'CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "{stream}"\n{select};\n'
    if out:
        s += f'CREATE OUTPUT "out" FOR "{stream}" TO STDOUT FORMAT JSON;\n'
    return s

SRC = '"SOURCE_SQL_STREAM_001"'

# ---- filter, project, expressions --------------------------------------------------------
case("filter_project", pump(f"SELECT STREAM ticker, price * volume AS notional FROM {SRC} WHERE price > 200",
                            "ticker VARCHAR(8), notional DOUBLE"))
case("select_star", pump(f"SELECT STREAM * FROM {SRC} WHERE volume >= 100",
                         "ticker VARCHAR(8), price DOUBLE, volume BIGINT"))
case("approximate_arrival_time", pump(f"SELECT STREAM ticker, APPROXIMATE_ARRIVAL_TIME FROM {SRC} WHERE ticker = 'AAPL'",
                                      "ticker VARCHAR(8), arrived TIMESTAMP"))
case("rowtime_column", pump(f"SELECT STREAM ROWTIME, ticker FROM {SRC} WHERE ticker = 'MSFT'",
                            "rt TIMESTAMP, ticker VARCHAR(8)"))
NULLEV = [ev(0, ticker="A", price=1.0, volume=1), ev(1, ticker="B", volume=2), ev(2, ticker="C", price=None, volume=None),
          ev(3, price=5.0, volume=5), ev(4, ticker="E", price=10.0, volume=0)]
case("nulls_three_valued", pump(f"""SELECT STREAM COALESCE(ticker, '?'), price IS NULL, price > 2 OR volume > 1,
    price > 2 AND volume > 1, NOT (price > 2) FROM {SRC} WHERE price IS NULL OR price < 100""",
    "t VARCHAR(8), no_price BOOLEAN, a BOOLEAN, b BOOLEAN, c BOOLEAN"), NULLEV)
case("null_filter_unknown", pump(f"SELECT STREAM ticker FROM {SRC} WHERE price > 2", "ticker VARCHAR(8)"), NULLEV)
case("case_expression", pump(f"""SELECT STREAM ticker, CASE WHEN price > 300 THEN 'high' WHEN price > 200 THEN 'mid' ELSE 'low' END,
    CASE ticker WHEN 'AMZN' THEN 1 WHEN 'MSFT' THEN 2 END FROM {SRC}""", "ticker VARCHAR(8), band VARCHAR(4), code INTEGER"))
case("like_in_between", pump(f"""SELECT STREAM ticker, ticker LIKE 'A%', ticker IN ('MSFT', 'AAPL'), price BETWEEN 200 AND 300,
    ticker NOT LIKE '_M%' FROM {SRC}""", "ticker VARCHAR(8), a BOOLEAN, b BOOLEAN, c BOOLEAN, d BOOLEAN"))
SECTOR_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'stocks' FORMAT JSON (
    ticker VARCHAR(8) PATH '$.ticker', sector VARCHAR(16) PATH '$.sector', price DOUBLE PATH '$.price')
STARTING AT TRIM_HORIZON;
"""
SECTOR_EV = [ev(0, ticker="AMZN", sector="TECHNOLOGY", price=181.2), ev(1, ticker="A_B", sector="HEALTHCARE", price=10.5),
             ev(2, ticker="AXB", sector="ENERGY", price=55.0), ev(3, ticker="ÉTÉ", sector="RETAIL", price=8.25),
             ev(4, ticker="MSFT", sector="TECH", price=415.1), ev(5, ticker="100%", sector="FINANCIAL", price=1.0),
             ev(6, ticker="XOM", sector=None, price=110.0), ev(7, ticker="AA.B", sector="BIOTECH", price=3.0)]
# The filter of KDA's getting-started application, and both pattern operators with ESCAPE.
case("kda_getting_started_similar_to", pump(f"""SELECT STREAM ticker, sector, price FROM {SRC}
    WHERE sector SIMILAR TO '%TECH%'""", "ticker VARCHAR(8), sector VARCHAR(16), price DOUBLE", pre=SECTOR_PRE), SECTOR_EV)
case("like_escape_similar_to", pump(f"""SELECT STREAM ticker, ticker LIKE 'A!_%' ESCAPE '!', ticker LIKE '_T_',
    ticker LIKE '100!%' ESCAPE '!', ticker NOT LIKE '%!_%' ESCAPE '!', sector SIMILAR TO '(TECH|HEALTH)%',
    ticker SIMILAR TO '[A-Z]{{3,4}}', ticker SIMILAR TO 'A(A|X)?.B', ticker SIMILAR TO 'A#_%' ESCAPE '#',
    ticker NOT SIMILAR TO '%[0-9]%', ticker SIMILAR TO '_{{3}}' FROM {SRC}""",
    "ticker VARCHAR(8), a BOOLEAN, b BOOLEAN, c BOOLEAN, d BOOLEAN, e BOOLEAN, f BOOLEAN, g BOOLEAN, h BOOLEAN, "
    "i BOOLEAN, j BOOLEAN", pre=SECTOR_PRE), SECTOR_EV)
case("error_similar_to_pattern", pump(f"SELECT STREAM ticker FROM {SRC} WHERE ticker SIMILAR TO '(AM|MS'",
                                      "ticker VARCHAR(8)", pre=SECTOR_PRE), SECTOR_EV, fail=True)
case("error_like_escape_length", pump(f"SELECT STREAM ticker FROM {SRC} WHERE ticker LIKE 'A%' ESCAPE '!!'",
                                      "ticker VARCHAR(8)", pre=SECTOR_PRE), SECTOR_EV, fail=True)
case("error_like_escape_sequence", pump(f"SELECT STREAM ticker FROM {SRC} WHERE ticker LIKE 'A!B%' ESCAPE '!'",
                                        "ticker VARCHAR(8)", pre=SECTOR_PRE), SECTOR_EV, fail=True)
# ---- CREATE FUNCTION (SQL functions, inlined at each call) --------------------------------
UDFS = """CREATE FUNCTION get_fraction(degrees DOUBLE) RETURNS DOUBLE CONTAINS SQL RETURN degrees - FLOOR(degrees);
CREATE FUNCTION notional(p DOUBLE, v BIGINT) RETURNS DECIMAL(12,2) RETURN p * v;
CREATE FUNCTION label(t VARCHAR(8), p DOUBLE) RETURNS VARCHAR(20) RETURNS NULL ON NULL INPUT
    RETURN t || ':' || CAST(get_fraction(p) * 100 AS VARCHAR(8));
"""
case("create_function", pump(f"""SELECT STREAM ticker, get_fraction(price), notional(price, volume), label(ticker, price),
    label(NULL, price) FROM {SRC} WHERE notional(price, volume) > 20000""",
    "ticker VARCHAR(8), f DOUBLE, n DECIMAL(12,2), l VARCHAR(20), l2 VARCHAR(20)", pre=TICKS + UDFS))
case("create_function_in_aggregate", pump(f"""SELECT STREAM ticker, SUM(notional(price, volume)), get_fraction(AVG(price))
    FROM {SRC} GROUP BY ticker, STEP({SRC}.ROWTIME BY INTERVAL '10' SECOND)""",
    "ticker VARCHAR(8), total DECIMAL(18,2), frac DOUBLE", pre=TICKS + UDFS))
case("error_function_body_column", pump(f"SELECT STREAM ticker, f(price) FROM {SRC}", "ticker VARCHAR(8), x DOUBLE",
     pre=TICKS + "CREATE FUNCTION f(x DOUBLE) RETURNS DOUBLE RETURN x + volume;\n"), fail=True)
case("error_function_builtin_name", pump(f"SELECT STREAM ticker, price FROM {SRC}", "ticker VARCHAR(8), x DOUBLE",
     pre=TICKS + "CREATE FUNCTION abs(x DOUBLE) RETURNS DOUBLE RETURN x;\n"), fail=True)
case("error_function_defined_twice", pump(f"SELECT STREAM ticker, price FROM {SRC}", "ticker VARCHAR(8), x DOUBLE",
     pre=TICKS + "CREATE FUNCTION f(x DOUBLE) RETURNS DOUBLE RETURN x;\nCREATE FUNCTION f(y DOUBLE) RETURNS DOUBLE RETURN y;\n"), fail=True)
case("error_function_arguments", pump(f"SELECT STREAM ticker, get_fraction(price, 2), notional(ticker = 'A', volume) FROM {SRC}",
     "ticker VARCHAR(8), x DOUBLE, y DECIMAL(12,2)", pre=TICKS + UDFS), fail=True)
case("error_function_expansion", pump(f"SELECT STREAM ticker, f3(price) FROM {SRC}", "ticker VARCHAR(8), x DOUBLE",
     pre=TICKS + "CREATE FUNCTION f1(x DOUBLE) RETURNS DOUBLE RETURN x * x + x * x;\n"
     "CREATE FUNCTION f2(x DOUBLE) RETURNS DOUBLE RETURN f1(f1(f1(f1(x))));\n"
     "CREATE FUNCTION f3(x DOUBLE) RETURNS DOUBLE RETURN f2(f2(x));\n"), fail=True)
case("error_function_return_type", pump(f"SELECT STREAM ticker, price FROM {SRC}", "ticker VARCHAR(8), x DOUBLE",
     pre=TICKS + "CREATE FUNCTION f(x DOUBLE) RETURNS TIMESTAMP RETURN x > 1;\n"), fail=True)
case("cast_basics", pump(f"""SELECT STREAM CAST(price AS INTEGER), CAST(price AS DECIMAL(8,1)), CAST(volume AS VARCHAR(10)) || 'x',
    CAST('2024-05-01 10:00:00' AS TIMESTAMP), CAST(volume AS DOUBLE) / 8 FROM {SRC} WHERE volume > 100""",
    "p INTEGER, d DECIMAL(8,1), v VARCHAR(11), ts TIMESTAMP, q DOUBLE"))
DEC_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'orders' FORMAT JSON (
    id INTEGER PATH '$.id', amount DECIMAL(10,2) PATH '$.amount', qty INTEGER PATH '$.qty', rate DECIMAL(5,3) PATH '$.rate');
"""
DEC_EV = [ev(0, id=1, amount="12.50", qty=3, rate=0.125), ev(1, id=2, amount=7.05, qty=7, rate="1.5"),
          ev(2, id=3, amount="-0.99", qty=2, rate=2)]
case("decimal_arithmetic", pump(f"""SELECT STREAM id, amount * qty, amount + rate, amount - 1, amount / qty, amount * rate
    FROM {SRC}""", "id INTEGER, total DECIMAL(12,2), s DECIMAL(12,3), m DECIMAL(12,2), per DECIMAL(18,6), x DECIMAL(18,5)", pre=DEC_PRE), DEC_EV)
case("integer_arithmetic", pump(f"SELECT STREAM id, qty / 2, qty * 3 + id, -qty, qty - id * 2 FROM {SRC}",
                                "id INTEGER, h INTEGER, a INTEGER, n INTEGER, d INTEGER", pre=DEC_PRE), DEC_EV)
case("string_concat", pump(f"SELECT STREAM ticker || '-' || CAST(volume AS VARCHAR(8)), 'x' || ticker FROM {SRC} WHERE volume < 100",
                           "label VARCHAR(20), y VARCHAR(9)"))
BOOL_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 's' FORMAT JSON (
    name VARCHAR(4) PATH '$.name', ok BOOLEAN PATH '$.ok', n INTEGER PATH '$.n', d DOUBLE PATH '$.d', s VARCHAR(16) PATH '$.s');
"""
COERCE_EV = [ev(0, name="abcdefg", ok=True, n=1, d=2, s=3.5), ev(1, name="b", ok="TRUE", n="42", d="2.5e1", s=True),
             ev(2, name="c", ok=0, n=True, d=False, s={"k": [1, 2]}), ev(3, name="d", ok="no", n=None, d=None, s="plain")]
case("json_coercions", pump(f"SELECT STREAM name, ok, n, d, s FROM {SRC}",
                            "name VARCHAR(4), ok BOOLEAN, n INTEGER, d DOUBLE, s VARCHAR(16)", pre=BOOL_PRE), COERCE_EV)
case("boolean_logic", pump(f"SELECT STREAM name, ok IS TRUE, ok IS NOT FALSE, NOT ok FROM {SRC} WHERE ok OR n > 10",
                           "name VARCHAR(4), t BOOLEAN, nf BOOLEAN, neg BOOLEAN", pre=BOOL_PRE), COERCE_EV)
NEST_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'orders' FORMAT JSON (
    id INTEGER PATH '$.id', city VARCHAR(16) PATH '$.customer.address.city', name VARCHAR(16) PATH '$.customer.name',
    sku VARCHAR(8) PATH '$.items[0:].sku', price DOUBLE PATH '$.items[0:].price', tags VARCHAR(64) PATH '$.tags[0:]');
"""
NEST_EV = [ev(0, id=1, customer={"name": "Ann", "address": {"city": "Oslo"}}, items=[{"sku": "a1", "price": 2.5}, {"sku": "b2", "price": 4}], tags=["x", "y"]),
           ev(1, id=2, customer={"name": "Bob"}, items=[], tags=[]),
           ev(2, id=3, items=[{"sku": "c3"}], extra={"ignored": [1, {"a": "}"}]}),
           ev(3, id=4, customer={"name": "Q\"uote\\d \u00e9"}, items=[{"price": 1e2, "sku": "d4"}])]
case("json_paths_nested", pump(f"SELECT STREAM id, name, city FROM {SRC}", "id INTEGER, name VARCHAR(16), city VARCHAR(16)", pre=NEST_PRE), NEST_EV)
case("json_flattened_array", pump(f"SELECT STREAM id, sku, price FROM {SRC}", "id INTEGER, sku VARCHAR(8), price DOUBLE", pre=NEST_PRE), NEST_EV)
case("json_whole_array", pump(f"SELECT STREAM id, tags FROM {SRC} WHERE sku IS NOT NULL OR id = 2", "id INTEGER, tags VARCHAR(64)", pre=NEST_PRE), NEST_EV)
CSV_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'trades' FORMAT CSV (
    ticker VARCHAR(4), price DOUBLE, qty INTEGER, note VARCHAR(20));
"""
CSV_EV = [raw(0, "AMZN,181.5,10,first"), raw(1, "MSFT,415,5"), raw(2, 'AAPL,227.25,,"quoted, with comma"'),
          raw(3, "X,1,2,a\nY,3,4,b"), raw(4, "ZZZZZZ,2.5,1,long ticker")]
case("csv_input", pump(f"SELECT STREAM ticker, price, qty, note FROM {SRC}", "ticker VARCHAR(4), price DOUBLE, qty INTEGER, note VARCHAR(20)", pre=CSV_PRE), CSV_EV)
CSV2_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'trades' FORMAT CSV (
    ticker VARCHAR(4), price DOUBLE, qty INTEGER)
WITH (record_column_delimiter = '|', record_row_delimiter = ';');
"""
case("csv_custom_delimiters", pump(f"SELECT STREAM ticker, price * qty FROM {SRC}", "ticker VARCHAR(4), v DOUBLE", pre=CSV2_PRE),
     [raw(0, "A|1.5|2;B|2|3"), raw(1, "C|4|1;")])
BAD_EV = [ev(0, ticker="AMZN", price=1.0, volume=1), raw(1, '{"ticker":"BAD","price":'), raw(2, "not json at all"),
          ev(3, ticker="MSFT", price="abc", volume=2), ev(4, ticker="AAPL", price=3.0, volume=1.5),
          ev(5, ticker="OK", price=2.0, volume=3), raw(6, '[1,2]'), ev(7, ticker="LAST", price=4.0, volume=4)]
case("malformed_records", pump(f"SELECT STREAM ticker, price, volume FROM {SRC}", "ticker VARCHAR(8), price DOUBLE, volume BIGINT"), BAD_EV,
     args=["--output", "DESTINATION_SQL_STREAM", "--output", "error_stream"])
case("division_by_zero", pump(f"SELECT STREAM id, 100 / (qty - 3), amount / (qty - 3) FROM {SRC}",
                              "id INTEGER, a INTEGER, b DECIMAL(18,6)", pre=DEC_PRE), DEC_EV + [ev(3, id=4, amount="1", qty=4, rate=1)],
     args=["--output", "DESTINATION_SQL_STREAM", "--output", "error_stream"])
case("not_null_violation", pump(f"SELECT STREAM ticker, price FROM {SRC}", "ticker VARCHAR(8) NOT NULL, price DOUBLE"), NULLEV,
     args=["--output", "DESTINATION_SQL_STREAM", "--output", "error_stream"])
case("char_truncation", pump(f"SELECT STREAM ticker, CAST(ticker AS VARCHAR(2)) FROM {SRC} WHERE volume > 100",
                             "t3 VARCHAR(3), t2 VARCHAR(2)"))
TS_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'ev' FORMAT JSON (
    id INTEGER PATH '$.id', event_time TIMESTAMP PATH '$.event_time', d DATE PATH '$.d');
"""
TS_EV = [ev(0, id=1, event_time="2024-05-01 00:00:00.250", d="2024-04-30"), ev(1, id=2, event_time="2024-05-01T00:00:01Z", d="2024-05-01 12:00:00"),
         ev(2, id=3, event_time="2024-05-01 00:00:02", d=None)]
case("timestamp_parsing", pump(f"SELECT STREAM id, event_time, d, FLOOR(event_time TO SECOND), event_time + INTERVAL '1' MINUTE FROM {SRC}",
                               "id INTEGER, et TIMESTAMP, d DATE, f TIMESTAMP, later TIMESTAMP", pre=TS_PRE), TS_EV)

# ---- in-app streams and pumps --------------------------------------------------------------
CHAIN = TICKS + f"""CREATE OR REPLACE STREAM "BIG" (ticker VARCHAR(8), notional DOUBLE);
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "BIG" SELECT STREAM ticker, price * volume FROM {SRC} WHERE volume >= 100;
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), k DOUBLE);
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker, notional / 1000 FROM "BIG" WHERE notional > 40000;
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
"""
case("in_app_chain", CHAIN)
MULTI = TICKS + f"""CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), src VARCHAR(4));
CREATE OR REPLACE PUMP "PA" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker, 'amzn' FROM {SRC} WHERE ticker = 'AMZN';
CREATE OR REPLACE PUMP "PB" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker, 'big' FROM {SRC} WHERE volume > 100;
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
"""
case("multi_pump_merge", MULTI)
case("union_all", pump(f"""SELECT STREAM ticker, price FROM {SRC} WHERE ticker = 'AAPL'
    UNION ALL SELECT STREAM ticker, price FROM {SRC} WHERE ticker = 'MSFT'""", "ticker VARCHAR(8), price DOUBLE"))
case("subquery_in_from", pump(f"""SELECT STREAM t.ticker, t.n * 2 FROM (SELECT STREAM ticker, volume AS n FROM {SRC} WHERE volume > 100) AS t
    WHERE t.ticker <> 'AAPL'""", "ticker VARCHAR(8), n2 BIGINT"))
DUP_EV = [ev(0, ticker="A", price=1.0, volume=1), ev(0, ticker="A", price=1.0, volume=1), ev(0, ticker="B", price=1.0, volume=1),
          ev(1, ticker="A", price=1.0, volume=1), ev(1, ticker="A", price=2.0, volume=1), ev(1, ticker="A", price=1.0, volume=1)]
case("select_distinct", pump(f"SELECT STREAM DISTINCT ROWTIME, ticker, price FROM {SRC}", "rt TIMESTAMP, ticker VARCHAR(8), price DOUBLE"), DUP_EV)
case("insert_column_list", TICKS + f"""CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (a VARCHAR(8), b DOUBLE, c BIGINT, d VARCHAR(4));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" (c, a) SELECT STREAM volume, ticker FROM {SRC} WHERE volume < 100;
""")
EVT_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'ev' FORMAT JSON (
    id INTEGER PATH '$.id', ticker VARCHAR(8) PATH '$.ticker', event_time TIMESTAMP PATH '$.event_time');
"""
def evt(t, i, k, et): return ev(t, id=i, ticker=k, event_time="2024-05-01 " + et)
EVT_EV = [evt(0, 1, "A", "00:00:00.000"), evt(2, 2, "A", "00:00:01.500"), evt(3, 3, "B", "00:00:02.000"),
          evt(5, 4, "A", "00:00:04.000"), evt(6, 5, "B", "00:00:05.500")]
case("rowtime_override", pump(f"SELECT STREAM event_time AS ROWTIME, id, ticker FROM {SRC}", "id INTEGER, ticker VARCHAR(8)", pre=EVT_PRE), EVT_EV)
OOO_EV = [ev(0, ticker="A", price=1.0, volume=1), ev(5, ticker="B", price=1.0, volume=1), ev(3, ticker="C", price=1.0, volume=1),
          ev(11, ticker="D", price=1.0, volume=1)]
case("dump_out_of_order", pump(f"SELECT STREAM ticker, COUNT(*) FROM {SRC} GROUP BY ticker, STEP({SRC}.ROWTIME BY INTERVAL '5' SECOND)",
                               "ticker VARCHAR(8), n BIGINT"), OOO_EV)

# ---- tumbling windows ------------------------------------------------------------------------
case("tumbling_step_min_max", pump(f"""SELECT STREAM ticker_symbol, MIN(price), MAX(price) FROM (SELECT STREAM ticker AS ticker_symbol, price FROM {SRC}) AS s
    GROUP BY ticker_symbol, STEP(s.ROWTIME BY INTERVAL '10' SECOND)""", "ticker_symbol VARCHAR(8), min_price DOUBLE, max_price DOUBLE"))
case("tumbling_kda_example", pump(f"""SELECT STREAM ticker, MIN(price), MAX(price) FROM {SRC}
    GROUP BY ticker, STEP({SRC}.ROWTIME BY INTERVAL '60' SECOND)""", "ticker VARCHAR(8), min_price DOUBLE, max_price DOUBLE"))
case("tumbling_floor_minute", pump(f"""SELECT STREAM FLOOR(s.ROWTIME TO MINUTE), COUNT(*), SUM(volume) FROM {SRC} AS s
    GROUP BY FLOOR(s.ROWTIME TO MINUTE)""", "minute_start TIMESTAMP, n BIGINT, v BIGINT"),
     [ev(t, ticker="A", price=1.0, volume=int(t)) for t in (0, 30, 59.999, 60, 61, 150, 200)])
case("tumbling_having", pump(f"""SELECT STREAM ticker, COUNT(*) AS n, SUM(volume) FROM {SRC}
    GROUP BY ticker, STEP({SRC}.ROWTIME BY INTERVAL '20' SECOND) HAVING COUNT(*) >= 2""", "ticker VARCHAR(8), n BIGINT, v BIGINT"))
case("tumbling_all_aggregates", pump(f"""SELECT STREAM ticker, COUNT(*), COUNT(price), SUM(volume), AVG(volume), AVG(price), MIN(ticker), MAX(volume)
    FROM {SRC} GROUP BY ticker, STEP({SRC}.ROWTIME BY INTERVAL '30' SECOND)""",
    "ticker VARCHAR(8), n BIGINT, np BIGINT, s BIGINT, av BIGINT, ap DOUBLE, mn VARCHAR(8), mx BIGINT"))
case("tumbling_empty_windows", pump(f"""SELECT STREAM COUNT(*), MIN(volume) FROM {SRC}
    GROUP BY STEP({SRC}.ROWTIME BY INTERVAL '1' SECOND)""", "n BIGINT, v BIGINT"),
     [ev(t, ticker="A", price=1.0, volume=int(t * 10)) for t in (0, 0.5, 5.2, 5.9, 30)])
case("tumbling_last_window_closes", pump(f"""SELECT STREAM ticker, COUNT(*) FROM {SRC}
    GROUP BY ticker, STEP({SRC}.ROWTIME BY INTERVAL '1' HOUR)""", "ticker VARCHAR(8), n BIGINT"))
case("tumbling_nulls", pump(f"""SELECT STREAM COUNT(*), COUNT(price), SUM(price), AVG(price), MIN(ticker), MAX(volume) FROM {SRC}
    GROUP BY STEP({SRC}.ROWTIME BY INTERVAL '2' SECOND)""", "n BIGINT, np BIGINT, s DOUBLE, a DOUBLE, m VARCHAR(8), x BIGINT"),
     NULLEV + [ev(6, volume=None), ev(7, volume=None)])
case("tumbling_partial_results", pump(f"""SELECT STREAM ticker, FLOOR(event_time TO SECOND) AS et, COUNT(*) FROM {SRC}
    GROUP BY ticker, FLOOR(event_time TO SECOND), STEP({SRC}.ROWTIME BY INTERVAL '2' SECOND)""",
    "ticker VARCHAR(8), et TIMESTAMP, n BIGINT", pre=EVT_PRE),
     [evt(0, 1, "A", "00:00:00.100"), evt(0.5, 2, "A", "00:00:00.400"), evt(1.9, 3, "A", "00:00:01.100"),
      evt(2.1, 4, "A", "00:00:01.900"), evt(2.5, 5, "A", "00:00:02.200"), evt(4.5, 6, "A", "00:00:00.900")])
case("tumbling_rowtime_and_key", pump(f"""SELECT STREAM ROWTIME AS ignored_name, STEP({SRC}.ROWTIME BY INTERVAL '15' SECOND), ticker, COUNT(*)
    FROM {SRC} GROUP BY ticker, STEP({SRC}.ROWTIME BY INTERVAL '15' SECOND)""", "win_end TIMESTAMP, win_start TIMESTAMP, ticker VARCHAR(8), n BIGINT"))
case("tumbling_expression_keys", pump(f"""SELECT STREAM price > 200, COUNT(*), SUM(volume) * 2 FROM {SRC}
    GROUP BY price > 200, FLOOR({SRC}.ROWTIME TO MINUTE)""", "expensive BOOLEAN, n BIGINT, v BIGINT"))
case("tumbling_decimal_sum_avg", pump(f"""SELECT STREAM SUM(amount), AVG(amount), MIN(rate), MAX(amount) FROM {SRC}
    GROUP BY STEP({SRC}.ROWTIME BY INTERVAL '10' SECOND)""", "s DECIMAL(18,2), a DECIMAL(10,2), r DECIMAL(5,3), m DECIMAL(10,2)", pre=DEC_PRE), DEC_EV)
case("tumbling_where_before_group", pump(f"""SELECT STREAM ticker, COUNT(*) FROM {SRC} WHERE price > 200
    GROUP BY ticker, STEP({SRC}.ROWTIME BY INTERVAL '30' SECOND)""", "ticker VARCHAR(8), n BIGINT"))

# ---- sliding windows ------------------------------------------------------------------------
case("sliding_range_partition", pump(f"""SELECT STREAM ticker, AVG(price) OVER W1 AS avg_price FROM {SRC}
    WINDOW W1 AS (PARTITION BY ticker RANGE INTERVAL '10' SECOND PRECEDING)""", "ticker VARCHAR(8), avg_price DOUBLE"))
case("sliding_rows", pump(f"""SELECT STREAM ticker, SUM(volume) OVER (ROWS 2 PRECEDING), COUNT(*) OVER (ROWS 2 PRECEDING) FROM {SRC}""",
                          "ticker VARCHAR(8), s BIGINT, n BIGINT"))
case("sliding_multiple_windows", pump(f"""SELECT STREAM ticker, COUNT(*) OVER last5s, SUM(volume) OVER last20s, MAX(price) OVER (PARTITION BY ticker ROWS 1 PRECEDING)
    FROM {SRC} WINDOW last5s AS (RANGE INTERVAL '5' SECOND PRECEDING), last20s AS (PARTITION BY ticker RANGE INTERVAL '20' SECOND PRECEDING)""",
    "ticker VARCHAR(8), n5 BIGINT, v20 BIGINT, mx DOUBLE"))
case("sliding_min_max_expiry", pump(f"""SELECT STREAM volume, MIN(volume) OVER w, MAX(volume) OVER w FROM {SRC}
    WINDOW w AS (RANGE INTERVAL '3' SECOND PRECEDING)""", "v BIGINT, mn BIGINT, mx BIGINT"),
     [ev(t, ticker="A", price=1.0, volume=v) for t, v in ((0, 5), (1, 9), (2, 1), (3, 7), (4.5, 3), (6, 8), (9, 2), (12.5, 4))])
case("sliding_inclusive_range_nulls", pump(f"""SELECT STREAM ticker, COUNT(price) OVER w, AVG(price) OVER w FROM {SRC}
    WINDOW w AS (RANGE INTERVAL '2' SECOND PRECEDING)""", "ticker VARCHAR(8), n BIGINT, a DOUBLE"), NULLEV)
case("sliding_expression_args", pump(f"""SELECT STREAM ticker, price * volume AS notional, SUM(price * volume) OVER (PARTITION BY ticker RANGE INTERVAL '1' MINUTE PRECEDING)
    FROM {SRC} WHERE volume > 50""", "ticker VARCHAR(8), notional DOUBLE, running DOUBLE"))

# ---- frame functions of sliding windows (LAG, FIRST_VALUE, LAST_VALUE, NTH_VALUE) ----------
# KDA's change detection: the price change against the ticker's previous tick.
case("lag_change_detection", pump(f"""SELECT STREAM ticker, price, price - LAG(price, 1) OVER (PARTITION BY ticker ROWS 1 PRECEDING)
    FROM {SRC}""", "ticker VARCHAR(8), price DOUBLE, change DOUBLE"))
# Ticks with NULL prices, two partitions; RANGE frames that hold fewer rows than the offset.
LAGEV = [ev(0, ticker="A", price=1.0, volume=1), ev(1, ticker="B", price=10.0, volume=2),
         ev(2, ticker="A", price=None, volume=3), ev(3, ticker="A", price=3.0, volume=4),
         ev(4, ticker="B", price=None, volume=5), ev(5, ticker="A", price=None, volume=6),
         ev(6, ticker="A", price=7.0, volume=7), ev(20, ticker="A", price=8.0, volume=8),
         ev(21, ticker="B", price=12.0, volume=9), ev(22, ticker="A", price=9.0, volume=10)]
LAGW = "OVER (PARTITION BY ticker RANGE INTERVAL '10' SECOND PRECEDING)"
case("lag_nulls_and_defaults", pump(f"""SELECT STREAM ticker, volume, LAG(price) {LAGW}, LAG(price, 2) {LAGW},
    LAG(price, 1) IGNORE NULLS {LAGW}, LAG(price, 2, -1.0) {LAGW}, LAG(price, 0) {LAGW},
    LAG(volume, 3, volume * 100) RESPECT NULLS {LAGW} FROM {SRC}""",
    "ticker VARCHAR(8), volume BIGINT, p1 DOUBLE, p2 DOUBLE, p1i DOUBLE, p2d DOUBLE, p0 DOUBLE, v3 BIGINT"), LAGEV)
case("lag_strings_rows_window", pump(f"""SELECT STREAM ticker, LAG(ticker, 2, 'none') OVER (ROWS 2 PRECEDING),
    LAG(ticker, 3, 'none') OVER (ROWS 2 PRECEDING) FROM {SRC}""",
    "ticker VARCHAR(8), back2 VARCHAR(8), back3 VARCHAR(8)"))
case("first_last_value_sliding", pump(f"""SELECT STREAM ticker, volume, FIRST_VALUE(price) {LAGW}, FIRST_VALUE(price) IGNORE NULLS {LAGW},
    LAST_VALUE(price) {LAGW}, LAST_VALUE(price) IGNORE NULLS {LAGW}, FIRST_VALUE(volume) OVER (ROWS 3 PRECEDING)
    FROM {SRC}""", "ticker VARCHAR(8), volume BIGINT, f DOUBLE, fi DOUBLE, l DOUBLE, li DOUBLE, fv BIGINT"), LAGEV)
case("nth_value_sliding", pump(f"""SELECT STREAM ticker, volume, NTH_VALUE(price, 2) {LAGW}, NTH_VALUE(price, 2) FROM LAST {LAGW},
    NTH_VALUE(price, 2) IGNORE NULLS {LAGW}, NTH_VALUE(price, 2) FROM LAST IGNORE NULLS {LAGW},
    NTH_VALUE(volume, 3) FROM FIRST OVER (ROWS 2 PRECEDING) FROM {SRC}""",
    "ticker VARCHAR(8), volume BIGINT, n2 DOUBLE, n2l DOUBLE, n2i DOUBLE, n2li DOUBLE, v3 BIGINT"), LAGEV)
# KDA's LAG example: the two previous non-NULL prices of the ticker within a minute.
case("lag_kda_example", pump(f"""SELECT STREAM ticker, price, LAG(price, 1, 0) IGNORE NULLS OVER this_window,
    LAG(price, 2, 0) IGNORE NULLS OVER this_window FROM {SRC}
    WINDOW this_window AS (PARTITION BY ticker RANGE INTERVAL '1' MINUTE PRECEDING)""",
    "ticker VARCHAR(8), price DOUBLE, prev DOUBLE, prev2 DOUBLE"))

# Offsets no frame can reach (the largest BIGINT) give NULL / the default.
case("frame_offsets_beyond_frame", pump(f"""SELECT STREAM ticker, NTH_VALUE(volume, 9223372036854775807) OVER (ROWS 2 PRECEDING),
    NTH_VALUE(volume, 9223372036854775807) FROM LAST OVER (ROWS 2 PRECEDING), LAG(volume, 9223372036854775807, -1) OVER (ROWS 2 PRECEDING)
    FROM {SRC}""", "ticker VARCHAR(8), a BIGINT, b BIGINT, c BIGINT"))
# EXP_AVG: KDA's example (half-life 10 s over 30 s), and half-life intervals with NULLs.
case("exp_avg_kda_example", pump(f"""SELECT STREAM ticker, price, EXP_AVG(price, INTERVAL '10' SECOND) OVER w AS avg_price
    FROM {SRC} WINDOW w AS (PARTITION BY ticker RANGE INTERVAL '30' SECOND PRECEDING)""",
    "ticker VARCHAR(8), price DOUBLE, avg_price DOUBLE"))
case("exp_avg_nulls", pump(f"""SELECT STREAM ticker, volume, EXP_AVG(price, INTERVAL '2' SECOND) {LAGW},
    EXP_AVG(volume, INTERVAL '1' MINUTE) OVER (ROWS 2 PRECEDING) FROM {SRC}""",
    "ticker VARCHAR(8), volume BIGINT, e DOUBLE, ev DOUBLE"), LAGEV)

# MONOTONIC(x) evaluates to x; declaring a ROWTIME-based GROUP BY key monotonic keeps it one.
case("monotonic_rowtime_key", pump(f"""SELECT STREAM ticker, MONOTONIC(FLOOR({SRC}.ROWTIME TO MINUTE)), COUNT(*), MONOTONIC(SUM(volume))
    FROM {SRC} GROUP BY ticker, MONOTONIC(FLOOR({SRC}.ROWTIME TO MINUTE))""", "ticker VARCHAR(8), m TIMESTAMP, n BIGINT, v BIGINT"))
case("monotonic_scalar", pump(f"SELECT STREAM ticker, MONOTONIC(volume) + 1, MONOTONIC(ticker) FROM {SRC} WHERE MONOTONIC(price) > 200",
    "ticker VARCHAR(8), v BIGINT, t VARCHAR(8)"))

# ---- stagger windows ---------------------------------------------------------------------------
case("stagger_kda_example", pump(f"""SELECT STREAM ticker, FLOOR(event_time TO MINUTE), COUNT(*) FROM {SRC}
    WINDOWED BY STAGGER (PARTITION BY FLOOR(event_time TO MINUTE), ticker RANGE INTERVAL '1' MINUTE)""",
    "ticker VARCHAR(8), event_minute TIMESTAMP, n BIGINT", pre=EVT_PRE),
     [evt(20, 1, "A", "00:00:10"), evt(30, 2, "A", "00:00:50"), evt(35, 3, "B", "00:00:20"), evt(65, 4, "A", "00:01:05"),
      evt(79, 5, "A", "00:00:59"), evt(81, 6, "A", "00:00:30"), evt(100, 7, "B", "00:01:30")])
case("stagger_having_sum", pump(f"""SELECT STREAM ticker, SUM(volume), MAX(price) FROM {SRC}
    WINDOWED BY STAGGER (PARTITION BY ticker RANGE INTERVAL '10' SECOND) HAVING SUM(volume) > 100""",
    "ticker VARCHAR(8), v BIGINT, p DOUBLE"))

# ---- ORDER BY --------------------------------------------------------------------------------
case("order_by_within", pump(f"""SELECT STREAM event_time AS ROWTIME, id, ticker FROM {SRC} ORDER BY event_time WITHIN INTERVAL '3' SECOND""",
                             "id INTEGER, ticker VARCHAR(8)", pre=EVT_PRE),
     [evt(0, 1, "A", "00:00:01"), evt(1, 2, "A", "00:00:00.500"), evt(2, 3, "B", "00:00:03"), evt(3, 4, "A", "00:00:02"),
      evt(8, 5, "B", "00:00:06"), evt(8.5, 6, "A", "00:00:01.500"), evt(9, 7, "A", "00:00:07")])
case("streaming_order_by", pump(f"""SELECT STREAM FLOOR(s.ROWTIME TO MINUTE) AS m, ticker, volume FROM {SRC} AS s
    ORDER BY m, volume DESC""", "m TIMESTAMP, ticker VARCHAR(8), volume BIGINT"),
     [ev(t, ticker=k, price=1.0, volume=v) for t, k, v in ((0, "A", 5), (10, "B", 50), (20, "C", 7), (61, "D", 1), (62, "E", 9), (130, "F", 3))])

# ---- joins -----------------------------------------------------------------------------------
ORD_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'events' FORMAT JSON (
    kind VARCHAR(8) PATH '$.kind', order_id INTEGER PATH '$.order_id', amount DOUBLE PATH '$.amount');
"""
JOIN_STREAMS = ORD_PRE + f"""CREATE OR REPLACE STREAM "ORDERS" (order_id INTEGER, amount DOUBLE);
CREATE OR REPLACE STREAM "TRADES" (order_id INTEGER, amount DOUBLE);
CREATE OR REPLACE PUMP "PO" AS INSERT INTO "ORDERS" SELECT STREAM order_id, amount FROM {SRC} WHERE kind = 'order';
CREATE OR REPLACE PUMP "PT" AS INSERT INTO "TRADES" SELECT STREAM order_id, amount FROM {SRC} WHERE kind = 'trade';
"""
JOIN_EV = [ev(0, kind="order", order_id=1, amount=10.0), ev(5, kind="trade", order_id=1, amount=9.5),
           ev(20, kind="order", order_id=2, amount=20.0), ev(30, kind="trade", order_id=3, amount=1.0),
           ev(50, kind="trade", order_id=1, amount=0.5), ev(70, kind="order", order_id=3, amount=30.0),
           ev(75, kind="trade", order_id=3, amount=29.0), ev(140, kind="trade", order_id=3, amount=1.5)]
def join_case(name, jt, win_side="t"):
    over_t = " OVER (RANGE INTERVAL '1' MINUTE PRECEDING)"
    sel = f"""SELECT STREAM o.order_id, o.amount, t.order_id, t.amount FROM "ORDERS"{"" if win_side == "t" else over_t} AS o
    {jt} "TRADES"{over_t if win_side == "t" else ""} AS t ON o.order_id = t.order_id"""
    case(name, JOIN_STREAMS + f"""CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (o_id INTEGER, o_amount DOUBLE, t_id INTEGER, t_amount DOUBLE);
CREATE OR REPLACE PUMP "PJ" AS INSERT INTO "DESTINATION_SQL_STREAM" {sel};
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
""", JOIN_EV)
join_case("join_inner_window", "JOIN")
join_case("join_left_outer", "LEFT OUTER JOIN")
join_case("join_left_outer_window_left", "LEFT OUTER JOIN", win_side="o")
join_case("join_right_outer", "RIGHT OUTER JOIN", win_side="o")
join_case("join_full_outer", "FULL OUTER JOIN")
REF_CSV = "AMZN,Amazon,Retail\nMSFT,Microsoft,Software\nAAPL,Apple,Hardware\n"
REF_PRE = TICKS + """CREATE REFERENCE TABLE "CompanyName" FROM FILE 'companies.csv' FORMAT CSV ("Ticker" VARCHAR(4), "Company" VARCHAR(64), "Sector" VARCHAR(16));
"""
case("join_reference_left", pump(f"""SELECT STREAM s.ticker, c."Company", s.price FROM {SRC} AS s
    LEFT JOIN "CompanyName" AS c ON s.ticker = c."Ticker" """, "ticker VARCHAR(8), company VARCHAR(64), price DOUBLE", pre=REF_PRE),
     STOCK_EV + [ev(50, ticker="NONE", price=1.0, volume=1)], files={"companies.csv": REF_CSV})
case("join_reference_inner_filter", pump(f"""SELECT STREAM s.ticker, c."Sector", s.volume FROM {SRC} AS s
    JOIN "CompanyName" AS c ON s.ticker = c."Ticker" AND c."Sector" <> 'Retail' WHERE s.volume > 60""",
    "ticker VARCHAR(8), sector VARCHAR(16), volume BIGINT", pre=REF_PRE), STOCK_EV, files={"companies.csv": REF_CSV})
REFJ_PRE = TICKS + """CREATE REFERENCE TABLE "Limits" FROM FILE 'limits.json' FORMAT JSON (ticker VARCHAR(8) PATH '$.t', max_price DOUBLE PATH '$.max');
"""
case("join_reference_json_aggregate", pump(f"""SELECT STREAM s.ticker, COUNT(*) FROM {SRC} AS s JOIN "Limits" AS l ON s.ticker = l.ticker
    WHERE s.price > l.max_price GROUP BY s.ticker, STEP(s.ROWTIME BY INTERVAL '30' SECOND)""", "ticker VARCHAR(8), over_limit BIGINT", pre=REFJ_PRE),
     STOCK_EV, files={"limits.json": '{"t":"AMZN","max":181.3}\n{"t":"MSFT","max":416}\n'})

# USING and NATURAL: the join columns once under their bare name, qualified copies still reachable.
case("join_using_stream", JOIN_STREAMS + f"""CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (order_id INTEGER, o_amount DOUBLE, t_amount DOUBLE, t_id INTEGER);
CREATE OR REPLACE PUMP "PJ" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM order_id, o.amount, t.amount, t.order_id FROM "ORDERS" AS o
    JOIN "TRADES" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t USING (order_id);
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
""", JOIN_EV)
case("join_natural_right_outer_star", JOIN_STREAMS + f"""CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (order_id INTEGER, amount DOUBLE);
CREATE OR REPLACE PUMP "PJ" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM * FROM "ORDERS" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o NATURAL RIGHT OUTER JOIN "TRADES" AS t;
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
""", JOIN_EV)
REFU_PRE = TICKS + """CREATE REFERENCE TABLE "Companies" FROM FILE 'companies.csv' FORMAT CSV (ticker VARCHAR(4), company VARCHAR(64), sector VARCHAR(16));
"""
case("join_reference_using_star", pump(f"""SELECT STREAM * FROM {SRC} LEFT JOIN "Companies" USING (ticker) WHERE volume > 100""",
    "ticker VARCHAR(8), price DOUBLE, volume BIGINT, company VARCHAR(64), sector VARCHAR(16)", pre=REFU_PRE),
     STOCK_EV + [ev(50, ticker="NONE", price=1.0, volume=500)], files={"companies.csv": REF_CSV})
case("error_join_using_full_outer", JOIN_STREAMS + f"""CREATE OR REPLACE STREAM "D" (order_id INTEGER);
CREATE OR REPLACE PUMP "PJ" AS INSERT INTO "D" SELECT STREAM order_id FROM "ORDERS" AS o
    FULL OUTER JOIN "TRADES" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t USING (order_id);
""", JOIN_EV, fail=True)
case("error_join_using_missing_column", JOIN_STREAMS + f"""CREATE OR REPLACE STREAM "D" (order_id INTEGER);
CREATE OR REPLACE PUMP "PJ" AS INSERT INTO "D" SELECT STREAM order_id FROM "ORDERS" AS o
    JOIN "TRADES" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t USING (order_id, price);
""", JOIN_EV, fail=True)
case("error_natural_join_nothing_common", pump(f"""SELECT STREAM * FROM {SRC} AS s NATURAL JOIN "CompanyName" AS c""",
    "ticker VARCHAR(8)", pre=REF_PRE), STOCK_EV, files={"companies.csv": REF_CSV}, fail=True)

# ---- application JSON, outputs, error_stream routing ---------------------------------------
KDA_APP = {
    "ApplicationName": "ticker-app",
    "ApplicationCode": """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), avg_price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "TICKER_SYMBOL", AVG("PRICE") OVER (PARTITION BY "TICKER_SYMBOL" RANGE INTERVAL '10' SECOND PRECEDING)
FROM "SOURCE_SQL_STREAM_001";""",
    "Inputs": [{"NamePrefix": "SOURCE_SQL_STREAM",
                "KinesisStreamsInput": {"ResourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/ExampleInputStream",
                                        "RoleARN": "arn:aws:iam::123456789012:role/kda"},
                "InputSchema": {"RecordFormat": {"RecordFormatType": "JSON", "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
                                "RecordEncoding": "UTF-8",
                                "RecordColumns": [{"Name": "TICKER_SYMBOL", "SqlType": "VARCHAR(4)", "Mapping": "$.ticker"},
                                                  {"Name": "PRICE", "SqlType": "REAL", "Mapping": "$.price"}]}}],
    "Outputs": [{"Name": "DESTINATION_SQL_STREAM",
                 "KinesisStreamsOutput": {"ResourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/ExampleOutputStream",
                                          "RoleARN": "arn:aws:iam::123456789012:role/kda"},
                 "DestinationSchema": {"RecordFormatType": "JSON"}}]}
case("kda_application_json", json.dumps(KDA_APP, indent=2))
case("output_selection", CHAIN, args=["--output", "BIG"])
case("default_outputs_every_stream", TICKS + f"""CREATE STREAM "A" (ticker VARCHAR(8));
CREATE STREAM "B" (ticker VARCHAR(8), n BIGINT);
CREATE PUMP "PA" AS INSERT INTO "A" SELECT STREAM ticker FROM {SRC} WHERE price > 400;
CREATE PUMP "PB" AS INSERT INTO "B" SELECT STREAM ticker, COUNT(*) FROM "A" GROUP BY ticker, STEP("A".ROWTIME BY INTERVAL '1' MINUTE);
""")
case("empty_input", pump(f"SELECT STREAM ticker, COUNT(*) FROM {SRC} GROUP BY ticker, STEP({SRC}.ROWTIME BY INTERVAL '1' SECOND)",
                         "ticker VARCHAR(8), n BIGINT"), [])


# ---- the KDA reference notes' example queries, verbatim ----------------------------------
case("kda_example_sliding", TICKS.replace("ticker VARCHAR(8) PATH '$.ticker'", "ticker_symbol VARCHAR(8) PATH '$.ticker'") + """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(8), avg_price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, AVG(price) OVER W1 AS avg_price FROM "SOURCE_SQL_STREAM_001"
WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);
""")
case("kda_example_stream_join", """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'events' FORMAT JSON (
    kind VARCHAR(8) PATH '$.kind', orderId INTEGER PATH '$.order_id', amount DOUBLE PATH '$.amount');
CREATE OR REPLACE STREAM OrderStream (orderId INTEGER);
CREATE OR REPLACE STREAM TradeStream (orderId INTEGER, amount DOUBLE);
CREATE OR REPLACE PUMP "PO" AS INSERT INTO OrderStream SELECT STREAM orderId FROM "SOURCE_SQL_STREAM_001" WHERE kind = 'order';
CREATE OR REPLACE PUMP "PT" AS INSERT INTO TradeStream SELECT STREAM orderId, amount FROM "SOURCE_SQL_STREAM_001" WHERE kind = 'trade';
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (rt TIMESTAMP, orderId INTEGER, amount DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ROWTIME, o.orderId, t.amount FROM OrderStream AS o
LEFT OUTER JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t ON o.orderId = t.orderId;
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
""", JOIN_EV)
case("kda_example_reference_join", TICKS + """CREATE REFERENCE TABLE "CompanyName" FROM FILE 'companies.csv' FORMAT CSV ("Ticker" VARCHAR(4), "Company" VARCHAR(64), "Sector" VARCHAR(16));
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), company VARCHAR(64), price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker, "c"."Company", price FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" AS "c" ON "SOURCE_SQL_STREAM_001".ticker = "c"."Ticker";
""", STOCK_EV, files={"companies.csv": REF_CSV})
SCORE_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'scores' FORMAT JSON (
    player VARCHAR(8) PATH '$.player', score INTEGER PATH '$.score');
"""
case("kda_example_streaming_order_by", pump("""SELECT STREAM FLOOR(s.ROWTIME TO MINUTE) AS minute_start, player, score FROM "SOURCE_SQL_STREAM_001" AS s
    ORDER BY FLOOR(s.ROWTIME TO MINUTE), score DESC""",
    "minute_start TIMESTAMP, player VARCHAR(8), score INTEGER", pre=SCORE_PRE),
     [ev(t, player=p, score=sc) for t, p, sc in ((1, "ann", 10), (20, "bob", 30), (50, "cy", 20), (61, "ann", 5), (90, "bob", 50), (125, "cy", 1))])

# ---- more shapes -----------------------------------------------------------------------------
case("cast_failure_error_row", pump(f"""SELECT STREAM ticker, CAST(ticker AS INTEGER) FROM {SRC} WHERE volume < 100""",
    "ticker VARCHAR(8), n INTEGER"), STOCK_EV + [ev(60, ticker="42", price=1.0, volume=1)],
     args=["--output", "DESTINATION_SQL_STREAM", "--output", "error_stream"])
case("union_all_widening", pump(f"""SELECT STREAM ticker, volume FROM {SRC} WHERE ticker = 'AAPL'
    UNION ALL SELECT STREAM ticker, price FROM {SRC} WHERE ticker = 'MSFT'""", "ticker VARCHAR(8), v DOUBLE"))
case("nested_subquery_window", pump(f"""SELECT STREAM ticker, avg_v FROM (
    SELECT STREAM ticker, AVG(volume) OVER (PARTITION BY ticker ROWS 2 PRECEDING) AS avg_v FROM {SRC}) AS w
    WHERE w.avg_v > 100""", "ticker VARCHAR(8), avg_v BIGINT"))
case("tumbling_over_in_app_stream", TICKS + f"""CREATE OR REPLACE STREAM "EXPENSIVE" (ticker VARCHAR(8), price DOUBLE);
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "EXPENSIVE" SELECT STREAM ticker, price FROM {SRC} WHERE price > 200;
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), n BIGINT, hi DOUBLE);
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker, COUNT(*), MAX(price) FROM "EXPENSIVE" GROUP BY ticker, STEP("EXPENSIVE".ROWTIME BY INTERVAL '20' SECOND);
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
""")
case("stagger_multiple_aggregates", pump(f"""SELECT STREAM ticker, COUNT(*), MIN(price), MAX(price), AVG(volume) FROM {SRC}
    WINDOWED BY STAGGER (PARTITION BY ticker RANGE INTERVAL '30' SECOND)""", "ticker VARCHAR(8), n BIGINT, lo DOUBLE, hi DOUBLE, av BIGINT"))
case("sliding_with_where_and_case", pump(f"""SELECT STREAM ticker, CASE WHEN COUNT(*) OVER w > 1 THEN 'repeat' ELSE 'first' END, SUM(volume) OVER w
    FROM {SRC} WHERE volume >= 60 WINDOW w AS (PARTITION BY ticker RANGE INTERVAL '15' SECOND PRECEDING)""",
    "ticker VARCHAR(8), kind VARCHAR(6), v BIGINT"))
case("json_unicode_escapes", pump(f"SELECT STREAM name, CHAR_LEN FROM {SRC}".replace(", CHAR_LEN", ""), "name VARCHAR(16)",
     pre=NEST_PRE.replace("name VARCHAR(16) PATH '$.customer.name'", "name VARCHAR(16) PATH '$.n'")),
     [raw(0, '{"id":1,"n":"caf\\u00e9 \\ud83d\\ude00"}'), raw(1, '{"id":2,"n":"tab\\tquote\\"end"}'), raw(2, '{"id":3,"n":"\u00fcber"}')])

# ---- RANDOM_CUT_FOREST, RANDOM_CUT_FOREST_WITH_EXPLANATION, HOTSPOTS -------------------------
# Small parameters so the dumps stay small; the forests use sluice's default seed (1), so the
# scores are the same on every run. Scores are cast to DECIMAL(8,4) where the exact DOUBLE
# is not the point, so a last-bit difference of libm cannot change a case.
MET_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'metrics' FORMAT JSON (
    host VARCHAR(8) PATH '$.host', cpu DOUBLE PATH '$.cpu', mem INTEGER PATH '$.mem')
STARTING AT TRIM_HORIZON;
"""
def wobble(i, k=37, m=11):
    """A deterministic, noise-like value in [-0.5, 0.5]."""
    return ((i * k) % m - (m - 1) / 2) / (m - 1)
# 40 rows: cpu near 20, mem near 500; row 30 is a cpu spike (mem normal).
MET_EV = [ev(i, host="h%d" % (i % 2), cpu=(95.0 if i == 30 else round(20 + 2 * wobble(i), 3)),
             mem=500 + int(10 * wobble(i, 13, 7))) for i in range(40)]
case("rcf_basic", pump(f"""SELECT STREAM host, cpu, ANOMALY_SCORE FROM TABLE(RANDOM_CUT_FOREST(
    CURSOR(SELECT STREAM host, cpu FROM {SRC}), 20, 10, 1000, 1))""",
    "host VARCHAR(8), cpu DOUBLE, score DOUBLE", pre=MET_PRE), MET_EV)
case("rcf_defaults_cast", pump(f"""SELECT STREAM host, mem, CAST(ANOMALY_SCORE AS DECIMAL(8,4)) FROM TABLE(RANDOM_CUT_FOREST(
    CURSOR(SELECT STREAM * FROM {SRC}), 10, 10))""",
    "host VARCHAR(8), mem INTEGER, score DECIMAL(8,4)", pre=MET_PRE), MET_EV)
case("rcf_explanation", pump(f"""SELECT STREAM cpu, mem, CAST(ANOMALY_SCORE AS DECIMAL(8,4)), ANOMALY_EXPLANATION
    FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(SELECT STREAM cpu, mem FROM {SRC}), 20, 10, 1000, 1, TRUE)) AS r
    WHERE r.ROWTIME >= TIMESTAMP '2024-05-01 00:00:08'""",
    "cpu DOUBLE, mem INTEGER, score DECIMAL(8,4), explanation VARCHAR(512)", pre=MET_PRE), MET_EV)
case("rcf_explanation_no_direction", pump(f"""SELECT STREAM cpu, ANOMALY_EXPLANATION
    FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(SELECT STREAM cpu, mem FROM {SRC}), 20, 10, 1000, 1, FALSE))
    WHERE cpu > 50 OR mem < 496""",
    "cpu DOUBLE, explanation VARCHAR(512)", pre=MET_PRE), MET_EV)
# A period-4 signal (0, 10, 0, -10, ...); row 54 breaks the period with a value that is
# normal on its own (10 where 0 is due). Shingles of 3: warm-up is 32 + 2 rows.
PER = [0, 10, 0, -10]
SH_EV = [ev(i, host="p", cpu=float(10 if i == 54 else PER[i % 4]), mem=1) for i in range(64)]
case("rcf_shingled", pump(f"""SELECT STREAM cpu, CAST(ANOMALY_SCORE AS DECIMAL(8,4)) FROM TABLE(RANDOM_CUT_FOREST(
    CURSOR(SELECT STREAM cpu FROM {SRC}), 30, 32, 1000, 3))""",
    "cpu DOUBLE, score DECIMAL(8,4)", pre=MET_PRE), SH_EV)
# The function over a subquery, over an in-app stream fed by another pump, and used itself
# as a subquery whose WHERE keeps the anomalies only.
RCF_CHAIN = MET_PRE + f"""CREATE OR REPLACE STREAM "CPU_STREAM" (host VARCHAR(8), load DOUBLE);
CREATE OR REPLACE PUMP "FEED" AS INSERT INTO "CPU_STREAM"
SELECT STREAM host, cpu / 100 FROM (SELECT STREAM host, cpu FROM {SRC} WHERE mem > 0) AS m;
CREATE OR REPLACE STREAM "ALERTS" (host VARCHAR(8), load DOUBLE, score DECIMAL(8,4));
CREATE OR REPLACE PUMP "DETECT" AS INSERT INTO "ALERTS"
SELECT STREAM a.host, a.load, CAST(a.ANOMALY_SCORE AS DECIMAL(8,4))
FROM (SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "CPU_STREAM"), 20, 10, 1000, 1))) AS a
WHERE a.ANOMALY_SCORE > 2;
CREATE OUTPUT "out" FOR "ALERTS" TO STDOUT FORMAT JSON;
"""
case("rcf_in_app_stream_pump", RCF_CHAIN, MET_EV)
# HOTSPOTS: 2-D points spread over a 10x10 field; from row 20 on, every other point falls in
# the unit square at (3, 3). windowSize 100 (the minimum), scanRadius 0.8, 4 points.
def hs_point(i):
    if i >= 20 and i % 2 == 0:
        return 3 + 0.9 * (wobble(i, 7, 9) + 0.5), 3 + 0.9 * (wobble(i, 5, 11) + 0.5)
    return round(10 * (wobble(i, 37, 41) + 0.5), 3), round(10 * (wobble(i, 23, 43) + 0.5), 3)
HS_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'points' FORMAT JSON (
    x DOUBLE PATH '$.x', y DOUBLE PATH '$.y', tag VARCHAR(4) PATH '$.tag')
STARTING AT TRIM_HORIZON;
"""
HS_EV = [ev(i, x=round(hs_point(i)[0], 3), y=round(hs_point(i)[1], 3), tag="t%d" % (i % 3)) for i in range(36)]
case("hotspots_small", pump(f"""SELECT STREAM tag, x, y, HOTSPOTS_RESULT FROM TABLE(HOTSPOTS(
    CURSOR(SELECT STREAM * FROM {SRC}), 100, 0.8, 4))""",
    "tag VARCHAR(4), x DOUBLE, y DOUBLE, hotspots VARCHAR(10000)", pre=HS_PRE), HS_EV)

# ---- planning errors (exit 1, FILE:LINE:COL diagnostics) ------------------------------------
def err_case(name, select, cols="a VARCHAR(8), b BIGINT", pre=TICKS):
    case(name, pump(select, cols, pre=pre), fail=True)
err_case("error_group_by_without_time_key", f"SELECT STREAM ticker, COUNT(*) FROM {SRC} GROUP BY ticker")
err_case("error_unknown_column", f"SELECT STREAM tickr, volume FROM {SRC}")
err_case("error_unknown_stream", "SELECT STREAM ticker, volume FROM \"NO_SUCH_STREAM\"")
err_case("error_type_mismatch", f"SELECT STREAM ticker, volume FROM {SRC} WHERE ticker > 5")
err_case("error_insert_type_mismatch", f"SELECT STREAM price, ticker FROM {SRC}", cols="a DOUBLE, b TIMESTAMP")
err_case("error_union_distinct", f"SELECT STREAM ticker, volume FROM {SRC} UNION SELECT STREAM ticker, volume FROM {SRC}")
err_case("error_join_without_window", f"SELECT STREAM a.ticker, b.volume FROM {SRC} AS a JOIN {SRC} AS b ON a.ticker = b.ticker")
err_case("error_window_unbounded", f"SELECT STREAM ticker, SUM(volume) OVER (ROWS UNBOUNDED PRECEDING) FROM {SRC}")
err_case("error_aggregate_in_where", f"SELECT STREAM ticker, volume FROM {SRC} WHERE SUM(volume) > 1")
err_case("error_column_not_grouped", f"SELECT STREAM ticker, volume FROM {SRC} GROUP BY ticker, STEP({SRC}.ROWTIME BY INTERVAL '1' MINUTE)")
err_case("error_ambiguous_column", f"SELECT STREAM ticker, volume FROM {SRC} AS a JOIN {SRC} OVER (RANGE INTERVAL '1' SECOND PRECEDING) AS b ON a.price = b.price")
err_case("error_lag_without_over", f"SELECT STREAM ticker, LAG(volume) FROM {SRC}")
err_case("error_lag_negative_offset", f"SELECT STREAM ticker, LAG(volume, -1) OVER (ROWS 2 PRECEDING) FROM {SRC}")
err_case("error_lag_offset_not_literal", f"SELECT STREAM ticker, LAG(volume, volume) OVER (ROWS 2 PRECEDING) FROM {SRC}")
err_case("error_lag_default_type", f"SELECT STREAM ticker, LAG(volume, 1, 'x') OVER (ROWS 2 PRECEDING) FROM {SRC}")
err_case("error_nth_value_zero", f"SELECT STREAM ticker, NTH_VALUE(volume, 0) OVER (ROWS 2 PRECEDING) FROM {SRC}")
err_case("error_from_last_not_nth_value", f"SELECT STREAM ticker, FIRST_VALUE(volume) FROM LAST OVER (ROWS 2 PRECEDING) FROM {SRC}")
err_case("error_ignore_nulls_aggregate", f"SELECT STREAM ticker, SUM(volume) IGNORE NULLS OVER (ROWS 2 PRECEDING) FROM {SRC}")
err_case("error_first_value_in_group_by", f"SELECT STREAM ticker, FIRST_VALUE(volume) OVER (ROWS 2 PRECEDING) FROM {SRC} GROUP BY ticker, STEP({SRC}.ROWTIME BY INTERVAL '1' MINUTE)")
err_case("error_exp_avg_half_life", f"SELECT STREAM ticker, EXP_AVG(price, 10) OVER (ROWS 2 PRECEDING) FROM {SRC}")
err_case("error_exp_avg_not_numeric", f"SELECT STREAM ticker, EXP_AVG(ticker, INTERVAL '1' SECOND) OVER (ROWS 2 PRECEDING) FROM {SRC}")
err_case("error_exp_avg_without_over", f"SELECT STREAM ticker, EXP_AVG(price, INTERVAL '1' SECOND) FROM {SRC}")
err_case("error_exp_avg_zero_half_life", f"SELECT STREAM ticker, EXP_AVG(price, INTERVAL '0' SECOND) OVER (ROWS 2 PRECEDING) FROM {SRC}")
err_case("error_monotonic_column_key", f"SELECT STREAM volume, COUNT(*) FROM {SRC} GROUP BY MONOTONIC(volume)")
err_case("error_monotonic_arguments", f"SELECT STREAM MONOTONIC(volume, price), ticker FROM {SRC}")
err_case("error_two_rowtime_keys", f"SELECT STREAM ticker, COUNT(*) FROM {SRC} GROUP BY ticker, FLOOR({SRC}.ROWTIME TO MINUTE), STEP({SRC}.ROWTIME BY INTERVAL '1' SECOND)")
# KDA's documented HOTSPOTS example, as written there (a plain SELECT over the table
# function, quoted lower-case names), with a smaller window.
HS_KDA_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'points' FORMAT JSON (
    "x" DOUBLE PATH '$.x', "y" DOUBLE PATH '$.y', "is_hot" VARCHAR(4) PATH '$.tag')
STARTING AT TRIM_HORIZON;
"""
case("hotspots_kda_example", HS_KDA_PRE + """CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("x" DOUBLE, "y" DOUBLE, "is_hot" VARCHAR(4), HOTSPOTS_RESULT VARCHAR(10000));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT "x", "y", "is_hot", "HOTSPOTS_RESULT"
    FROM TABLE (
        HOTSPOTS(
            CURSOR(SELECT STREAM "x", "y", "is_hot" FROM "SOURCE_SQL_STREAM_001"),
            100,
            0.8,
            4)
    );
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
""", HS_EV[18:36])
# KDA's documented RANDOM_CUT_FOREST example as written there (defaults, SELECT STREAM *,
# then a second pump ordering each second's rows by score with ORDER BY FLOOR(ROWTIME TO
# SECOND), ANOMALY_SCORE DESC). Two rows a second, 264 rows: 256 score 0, the rest are
# scored, row 261 is a spike and comes first within its second.
RCF_KDA_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'temps' FORMAT JSON (
    "TEMP" INTEGER PATH '$.temp')
STARTING AT TRIM_HORIZON;
"""
RCF_KDA_EV = [ev(i / 2, temp=(95 if i == 261 else 20 + (i * 7) % 5)) for i in range(264)]
case("rcf_kda_example", RCF_KDA_PRE + """CREATE OR REPLACE STREAM "TEMP_STREAM" (
   "TEMP"          INTEGER,
   "ANOMALY_SCORE" DOUBLE);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
   "TEMP"          INTEGER,
   "ANOMALY_SCORE" DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "TEMP_STREAM"
SELECT STREAM "TEMP", "ANOMALY_SCORE"
FROM TABLE(RANDOM_CUT_FOREST(
    CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));
CREATE OR REPLACE PUMP "OUTPUT_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM * FROM "TEMP_STREAM"
ORDER BY FLOOR("TEMP_STREAM".ROWTIME TO SECOND), ANOMALY_SCORE DESC;
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
""", RCF_KDA_EV)

# Table functions: each argument error at the argument, column errors at the CURSOR.
def rcf_err(name, call, cols="host VARCHAR(8), score DOUBLE"):
    case(name, pump(f"SELECT STREAM host, ANOMALY_SCORE FROM TABLE({call})", cols, pre=MET_PRE), MET_EV[:3], fail=True)
CUR = f"CURSOR(SELECT STREAM * FROM {SRC})"
rcf_err("error_rcf_argument_count", f"RANDOM_CUT_FOREST({CUR}, 100, 256, 100000, 1, 2)")
rcf_err("error_rcf_number_of_trees", f"RANDOM_CUT_FOREST({CUR}, 0)")
rcf_err("error_rcf_sub_sample_size", f"RANDOM_CUT_FOREST({CUR}, 100, 1001)")
rcf_err("error_rcf_sample_not_below_decay", f"RANDOM_CUT_FOREST({CUR}, 100, 256, 256)")
rcf_err("error_rcf_shingle_size", f"RANDOM_CUT_FOREST({CUR}, 100, 256, 100000, 31)")
rcf_err("error_rcf_not_integer", f"RANDOM_CUT_FOREST({CUR}, 100, 25.6)")
rcf_err("error_rcf_not_a_cursor", f"RANDOM_CUT_FOREST({SRC}, 100)")
rcf_err("error_rcf_no_numeric_column", f"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM host FROM {SRC}))")
rcf_err("error_rcf_decimal_column", f"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM host, CAST(cpu AS DECIMAL(8,2)) AS cpu_dec FROM {SRC}))")
rcf_err("error_rcf_too_many_columns", "RANDOM_CUT_FOREST(CURSOR(SELECT STREAM host, " +
        ", ".join(f"cpu + {i}" for i in range(31)) + f" FROM {SRC}))")
rcf_err("error_rcf_directionality", f"RANDOM_CUT_FOREST_WITH_EXPLANATION({CUR}, 100, 256, 100000, 1, 1)")
rcf_err("error_hotspots_window_size", f"HOTSPOTS({CUR}, 99, 0.5, 10)")
rcf_err("error_hotspots_scan_radius", f"HOTSPOTS({CUR}, 100, 0, 10)")
rcf_err("error_hotspots_min_points", f"HOTSPOTS({CUR}, 100, 0.5, 101)")
rcf_err("error_hotspots_argument_count", f"HOTSPOTS({CUR}, 100)")
rcf_err("error_unknown_table_function", f"TOP_K_ITEMS_SLIDING({CUR}, 'host', 3, 60)")

# ---- TOP_K_ITEMS_TUMBLING, COUNT_DISTINCT_ITEMS_TUMBLING --------------------------------------
# KDA's sample stock schema; three minutes of trades, skewed towards a few tickers (ties
# within a minute come out in order of first appearance), some without a ticker (NULL).
STOCK_PRE = """CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'stock' FORMAT JSON (
    ticker_symbol VARCHAR(4) PATH '$.ticker_symbol', sector VARCHAR(16) PATH '$.sector',
    change REAL PATH '$.change', price REAL PATH '$.price')
STARTING AT TRIM_HORIZON;
"""
TICKERS = [("AMZN", "RETAIL"), ("MSFT", "TECHNOLOGY"), ("AAPL", "TECHNOLOGY"), ("WMT", "RETAIL"),
           ("XOM", "ENERGY"), ("JPM", "FINANCIAL"), ("QXX", "TECHNOLOGY"), ("BAC", "FINANCIAL")]
def stock_ev(i):
    k = [0, 0, 0, 1, 1, 2, 0, 3, 1, 4, 5, 2, 6, 7][int(7 * wobble(i, 29, 31) + 7) % 14]
    if i % 17 == 5:
        return ev(i * 2.5, sector="UNKNOWN", change=0.0, price=1.0)
    t, sec = TICKERS[k]
    return ev(i * 2.5, ticker_symbol=t, sector=sec, change=round(wobble(i), 2), price=round(50 + 10 * k + wobble(i, 7, 13), 2))
STOCK_TOPK_EV = [stock_ev(i) for i in range(72)]
# KDA's TOP_K_ITEMS_TUMBLING example, as written in its SQL reference (SELECT STREAM * into
# (TICKER_SYMBOL, MOST_FREQUENT_VALUES), a one-minute window), with K = 3.
case("top_k_kda_example", STOCK_PRE + """CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
  "TICKER_SYMBOL" VARCHAR(4),
  "MOST_FREQUENT_VALUES" BIGINT
);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM *
        FROM TABLE (TOP_K_ITEMS_TUMBLING(
            CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
            'TICKER_SYMBOL',     -- name of column in single quotes
            3,                   -- number of the most frequently occurring values
            60                   -- tumbling window size in seconds
            )
        );
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
""", STOCK_TOPK_EV)
# The developer guide's template (ITEM VARCHAR(1024), ITEM_COUNT DOUBLE) with 'column1'
# replaced by 'TICKER_SYMBOL' and 10 items: K above the distinct values gives them all.
case("top_k_dev_guide_template", STOCK_PRE + """CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
             ITEM VARCHAR(1024),
             ITEM_COUNT DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM *
      FROM TABLE(TOP_K_ITEMS_TUMBLING(
                       CURSOR(SELECT STREAM * FROM    "SOURCE_SQL_STREAM_001"),
                       'TICKER_SYMBOL', -- name of column in single quote.
                       10,          -- number of top items.
                       60           -- tumbling window size in seconds
                       )
                  );
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
""", STOCK_TOPK_EV)
# KDA's COUNT_DISTINCT_ITEMS_TUMBLING example (SELECT STREAM * into one BIGINT column).
case("count_distinct_kda_example", STOCK_PRE + """CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
   NUMBER_OF_DISTINCT_ITEMS BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM *
      FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
          CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
            'TICKER_SYMBOL', -- name of column in single quotes
            60 -- tumbling window size in seconds
      )
);
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
""", STOCK_TOPK_EV)
# Numbers, several short windows with gaps (an empty window emits nothing), a window of
# NULLs only (COUNT_DISTINCT 0, TOP_K nothing), the output used as a relation: alias with
# column names, ROWTIME (the window's end), a WHERE on the count, a cursor with a WHERE.
NUM_EV = [ev(0, ticker="A", price=1.5, volume=10), ev(0.5, ticker="B", price=1.5, volume=20),
          ev(1, ticker="A", price=-0.0, volume=10), ev(1.5, ticker="C", price=0.0, volume=None),
          ev(2, ticker="A", price=2.5, volume=30), ev(2.2, ticker="B", price=None, volume=20),
          ev(2.9, ticker="A", price=1.5, volume=20), ev(7, ticker="D", volume=None),
          ev(7.5, ticker="D", volume=None), ev(9, ticker="E", price=3.0, volume=40),
          ev(9.1, ticker="E", price=3.0, volume=40), ev(9.2, ticker="F", price=4.0, volume=50),
          ev(11.999, ticker="F", price=4.0, volume=50), ev(12, ticker="G", price=5.0, volume=60)]
case("top_k_numeric_windows", TICKS + """CREATE OR REPLACE STREAM "BY_VOLUME" (volume BIGINT, n BIGINT, win_end TIMESTAMP);
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "BY_VOLUME"
SELECT STREAM t.v, t.c, t.ROWTIME FROM TABLE(TOP_K_ITEMS_TUMBLING(
    CURSOR(SELECT STREAM ticker, volume FROM "SOURCE_SQL_STREAM_001" WHERE ticker <> 'G'), 'volume', 2, 3)) AS t (v, c)
WHERE t.c >= 1;
CREATE OR REPLACE STREAM "BY_PRICE" (price DOUBLE, n BIGINT);
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "BY_PRICE"
SELECT STREAM price, MOST_FREQUENT_VALUES FROM TABLE(TOP_K_ITEMS_TUMBLING(
    CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'Price', 100000, 3));
CREATE OR REPLACE STREAM "DISTINCT_VOLUMES" (n BIGINT, win_end TIMESTAMP);
CREATE OR REPLACE PUMP "P3" AS INSERT INTO "DISTINCT_VOLUMES"
SELECT STREAM NUMBER_OF_DISTINCT_ITEMS, ROWTIME FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
    CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'VOLUME', 3));
CREATE OUTPUT "o1" FOR "BY_VOLUME" TO STDOUT FORMAT JSON;
CREATE OUTPUT "o2" FOR "BY_PRICE" TO STDOUT FORMAT JSON;
CREATE OUTPUT "o3" FOR "DISTINCT_VOLUMES" TO STDOUT FORMAT JSON;
""", NUM_EV)
# Errors: each at its argument; a wrong argument count at the function's name.
rcf_err("error_top_k_k_range", f"TOP_K_ITEMS_TUMBLING({CUR}, 'host', 0, 60)")
rcf_err("error_top_k_k_too_large", f"TOP_K_ITEMS_TUMBLING({CUR}, 'host', 100001, 60)")
rcf_err("error_top_k_k_not_integer", f"TOP_K_ITEMS_TUMBLING({CUR}, 'host', 2.5, 60)")
rcf_err("error_top_k_window_size", f"TOP_K_ITEMS_TUMBLING({CUR}, 'host', 3, 3601)")
rcf_err("error_top_k_unknown_column", f"TOP_K_ITEMS_TUMBLING({CUR}, 'hostname', 3, 60)")
rcf_err("error_top_k_column_not_literal", f"TOP_K_ITEMS_TUMBLING({CUR}, host, 3, 60)")
rcf_err("error_top_k_argument_count", f"TOP_K_ITEMS_TUMBLING({CUR}, 'host', 3)")
rcf_err("error_count_distinct_window_size", f"COUNT_DISTINCT_ITEMS_TUMBLING({CUR}, 'host', 0)")
rcf_err("error_count_distinct_argument_count", f"COUNT_DISTINCT_ITEMS_TUMBLING({CUR}, 'host', 10, 60)")

# ---- GROUP_RANK --------------------------------------------------------------------------
# As KDA's reference suggests ("to sort results of a streaming GROUP BY"): a tumbling GROUP
# BY's rows share their window's ROWTIME, so each window is one group; ranked by the total
# volume, largest first, the top two of each window.
case("group_rank_kda_example", STOCK_PRE + """CREATE OR REPLACE STREAM "TOTALS" (ticker_symbol VARCHAR(4), trades BIGINT, avg_price REAL);
CREATE OR REPLACE PUMP "TOTALS_PUMP" AS INSERT INTO "TOTALS"
SELECT STREAM ticker_symbol, COUNT(*), AVG(price) FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "TICKER_SYMBOL" VARCHAR(4), "TRADES" BIGINT, "AVG_PRICE" REAL, "TRADE_RANK" INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM "TICKER_SYMBOL", "TRADES", "AVG_PRICE", "groupRank"
    FROM TABLE(GROUP_RANK(
        CURSOR(SELECT STREAM * FROM "TOTALS"),
        'TRADES',       -- rankByColumnName
        'groupRank',    -- rankOutColumnName
        'desc',         -- sortOrder: the most trades rank 1
        'asc',          -- outputOrder: rank 1 first
        0,              -- maxIdle (ms)
        4));            -- outputMax
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
""", STOCK_TOPK_EV)
# Rows sharing a ROWTIME form a group: ties share a rank and the next skips, NULLs rank
# last, outputOrder 'desc' lists the last rank first (ties in arrival order); a string
# column ranks byte-wise; a group released by a row of another ROWTIME or the end.
GR_EV = [ev(0, ticker="B", price=2.0, volume=5), ev(0, ticker="A", price=None, volume=7),
         ev(0, ticker="C", price=2.0, volume=5), ev(0, ticker="D", price=1.0, volume=None),
         ev(1, ticker="X", price=9.0, volume=1), ev(2, ticker="b", price=3.0, volume=2),
         ev(2, ticker="B", price=3.0, volume=2), ev(2, ticker="a", price=4.0, volume=3)]
case("group_rank_ties_nulls", TICKS + """CREATE OR REPLACE STREAM "BY_PRICE" (ticker VARCHAR(8), price DOUBLE, r INTEGER);
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "BY_PRICE"
SELECT STREAM ticker, price, "groupRank" FROM TABLE(GROUP_RANK(
    CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'price', 'groupRank', 'asc', 'desc', 0, 0));
CREATE OR REPLACE STREAM "BY_TICKER" (ticker VARCHAR(8), r INTEGER);
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "BY_TICKER"
SELECT STREAM g.ticker, g.rnk FROM TABLE(GROUP_RANK(
    CURSOR(SELECT STREAM ticker, volume FROM "SOURCE_SQL_STREAM_001"), 'TICKER', 'RNK', 'DESC', 'ASC', 1000, 2)) AS g;
CREATE OUTPUT "o1" FOR "BY_PRICE" TO STDOUT FORMAT JSON;
CREATE OUTPUT "o2" FOR "BY_TICKER" TO STDOUT FORMAT JSON;
""", GR_EV)
def gr_err(name, args):
    rcf_err(name, f"GROUP_RANK({CUR}, {args})")
gr_err("error_group_rank_argument_count", "'cpu', 'groupRank', 'desc', 'asc', 0")
gr_err("error_group_rank_unknown_column", "'load', 'groupRank', 'desc', 'asc', 0, 0")
gr_err("error_group_rank_out_column_exists", "'cpu', 'HOST', 'desc', 'asc', 0, 0")
gr_err("error_group_rank_sort_order", "'cpu', 'groupRank', 'descending', 'asc', 0, 0")
gr_err("error_group_rank_output_order", "'cpu', 'groupRank', 'desc', 1, 0, 0")
gr_err("error_group_rank_max_idle", "'cpu', 'groupRank', 'desc', 'asc', -1, 0")
gr_err("error_group_rank_output_max", "'cpu', 'groupRank', 'desc', 'asc', 0, 2.5")

def dump(events):
    lines = []
    for i, (t, data) in enumerate(events):
        ts = BASE + t
        lines.append(json.dumps({"SequenceNumber": "4960000000000000000000%08d" % i,
                                 "ApproximateArrivalTimestamp": float("%.3f" % ts),
                                 "Data": base64.b64encode(data.encode()).decode(),
                                 "PartitionKey": "pk%d" % (i % 3)}, separators=(",", ":")))
    return "".join(l + "\n" for l in lines)

def write():
    for name, c in CASES.items():
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        appname = "app.json" if c["app"].lstrip().startswith("{") else "app.sql"
        with open(os.path.join(d, appname), "w") as f:
            f.write(c["app"] if c["app"].endswith("\n") else c["app"] + "\n")
        with open(os.path.join(d, "input.dump"), "w") as f:
            f.write(dump(c["events"]))
        for fn, text in c["files"].items():
            with open(os.path.join(d, fn), "w") as f:
                f.write(text)
        if c["args"]:
            with open(os.path.join(d, "args"), "w") as f:
                f.write("\n".join(c["args"]) + "\n")
        if c["fail"]:
            open(os.path.join(d, "expect_fail"), "w").close()

def bless(sluice):
    for name, c in sorted(CASES.items()):
        d = os.path.join(OUT, name)
        app = "app.json" if os.path.exists(os.path.join(d, "app.json")) else "app.sql"
        r = subprocess.run([sluice, "run", app, "--replay", "input.dump"] + c["args"], cwd=d, capture_output=True, text=True)
        with open(os.path.join(d, "expected.jsonl"), "w") as f:
            f.write(r.stdout)
        with open(os.path.join(d, "expected.err"), "w") as f:
            f.write(r.stderr)
        print(f"{name}: rc={r.returncode} out={len(r.stdout.splitlines())} err={len(r.stderr.splitlines())}")

if __name__ == "__main__":
    write()
    if len(sys.argv) > 2 and sys.argv[1] == "--bless":
        bless(os.path.abspath(sys.argv[2]))
    print(f"{len(CASES)} cases in {OUT}")
