-- The SQLite workload: one file database, N orders over N/10 customers,
-- generated with a linear congruential sequence so that every build sees the
-- same data. Inserts run in transactions; then indexes, joins, aggregates,
-- window functions, updates, deletes and an integrity check. Every SELECT
-- orders its rows completely, so the output is a function of N alone.
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS customers;
CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT, score REAL);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customers(id),
                    amount REAL, qty INTEGER, day TEXT);
BEGIN;
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < (SELECT max(n / 10, 1) FROM temp.params))
INSERT INTO customers SELECT i, 'cust' || printf('%05d', i), char(65 + i % 7), (i * 7919 % 1000) / 10.0 FROM seq;
COMMIT;
BEGIN;
WITH RECURSIVE seq(i, x) AS (SELECT 1, 12345 UNION ALL
    SELECT i + 1, (x * 1103515245 + 12345) % 2147483648 FROM seq WHERE i < (SELECT n FROM temp.params))
INSERT INTO orders SELECT i, 1 + x % (SELECT max(n / 10, 1) FROM temp.params), (x % 100000) / 100.0,
    1 + x % 9, date('2024-01-01', '+' || (x % 366) || ' days') FROM seq;
COMMIT;
CREATE INDEX orders_customer ON orders(customer);
CREATE INDEX orders_day ON orders(day, amount);
SELECT 'totals', count(*), sum(qty), printf('%.2f', sum(amount)) FROM orders;
SELECT 'region', region, count(*), printf('%.3f', avg(score)) FROM customers GROUP BY region ORDER BY region;
SELECT 'join', c.region, count(o.id), printf('%.2f', sum(o.amount * o.qty))
  FROM orders o JOIN customers c ON c.id = o.customer GROUP BY c.region ORDER BY c.region;
SELECT 'month', substr(day, 1, 7) AS month, count(*), max(amount), min(amount)
  FROM orders GROUP BY month ORDER BY month;
SELECT 'top', name, printf('%.2f', total) FROM
  (SELECT customer, sum(amount) AS total FROM orders GROUP BY customer) JOIN customers ON id = customer
  ORDER BY total DESC, name LIMIT 10;
SELECT 'range', count(*), printf('%.2f', sum(amount)) FROM orders WHERE day BETWEEN '2024-03-01' AND '2024-03-31';
BEGIN;
UPDATE orders SET amount = round(amount * 1.1, 2) WHERE qty > 7;
DELETE FROM orders WHERE id % 13 = 0;
COMMIT;
SELECT 'after', count(*), printf('%.2f', sum(amount)) FROM orders;
SELECT 'rank', customer, day, amount, rank() OVER (PARTITION BY customer ORDER BY amount DESC, id)
  FROM orders WHERE customer <= 3 ORDER BY customer, 5 LIMIT 20;
SELECT 'like', count(*) FROM customers WHERE name LIKE 'cust%7%';
SELECT 'distinct', count(DISTINCT customer), count(DISTINCT day) FROM orders;
SELECT 'groupcat', region, substr(group_concat(id, ','), 1, 40) FROM
  (SELECT region, id FROM customers ORDER BY id) GROUP BY region ORDER BY region;
SELECT 'check', * FROM pragma_integrity_check;
