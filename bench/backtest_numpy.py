#!/usr/bin/python3
"""The bench_backtest strategy written the plain way in Python with numpy: EMA crossover 12/26
(seeded with the mean of the first closes, as the engine's EMA), decided at a bar's close and
filled at the next open with 1 bp slippage, 4 bp fees per fill, all equity at 1x, the last
position closed at the last close. Prints bars/s and checks its trades against the C run's.
Usage: backtest_numpy.py C_TRADES FILE.csv..."""
import sys
import time

import numpy as np

FEE, SLIP, INITIAL = 4 / 1e4, 1 / 1e4, 10000.0


def ema(x, n):
    out = np.full(len(x), np.nan)
    k = 2.0 / (n + 1)
    seed = 0.0
    for i in range(len(x)):
        if i < n:
            seed += x[i]
            if i == n - 1:
                out[i] = seed / n
        else:
            out[i] = out[i - 1] + k * (x[i] - out[i - 1])
    return out


def backtest(t, o, h, l, c):
    fast, slow = ema(c, 12), ema(c, 26)
    cash, side, qty, entry, want = INITIAL, 0, 0.0, 0.0, 0
    trades, equity = [], np.empty(len(c))
    cur = None
    for i in range(len(c)):
        if want != side:
            if side:
                fill = o[i] * (1 - side * SLIP)
                fee = abs(qty * fill) * FEE
                gross = side * qty * (fill - entry)
                cash += gross - fee
                cur[3], cur[4], cur[5] = t[i], fill, cur[5] + gross - fee
                trades.append(tuple(cur))
                side, qty = 0, 0.0
            if want:
                fill = o[i] * (1 + want * SLIP)
                if cash > 0 and fill > 0:
                    side, qty, entry = want, cash * 1.0 * 1.0 / fill, fill
                    fee = qty * fill * FEE
                    cash -= fee
                    cur = [side, t[i], fill, 0, 0.0, -fee]
        unreal = side * qty * (c[i] - entry) if side else 0.0
        equity[i] = cash + unreal
        if equity[i] <= 0 and side:
            raise SystemExit("ruin is not modelled here")
        f, s = fast[i], slow[i]
        w = side
        if not (np.isnan(f) or np.isnan(s)):
            w = 1 if f > s else -1 if f < s else side
        want = w if cash > 0 else 0
    if side:
        fill = c[-1] * (1 - side * SLIP)
        fee = abs(qty * fill) * FEE
        gross = side * qty * (fill - entry)
        cash += gross - fee
        cur[3], cur[4], cur[5] = t[-1] + 300000, fill, cur[5] + gross - fee
        trades.append(tuple(cur))
        equity[-1] = cash
    return trades, equity[-1]


def main():
    expect, files = sys.argv[1], sys.argv[2:]
    ref = {}
    name = None
    for line in open(expect):
        if line.startswith("#"):
            name = line.split()[1]
            ref[name] = []
        else:
            f = line.strip().split(",")
            ref[name].append((int(f[0]), int(f[1]), float(f[2]), int(f[3]), float(f[4]), float(f[5])))
    bars, secs, same = 0, 0.0, True
    for path in files:
        d = np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 1, 2, 3, 4))
        t0 = time.perf_counter()
        trades, final = backtest(d[:, 0].astype(np.int64), d[:, 1], d[:, 2], d[:, 3], d[:, 4])
        secs += time.perf_counter() - t0
        bars += len(d)
        r = ref[path]
        ok = len(r) == len(trades) and all(
            a[0] == b[0] and a[1] == b[1] and a[3] == b[3] and abs(a[2] - b[2]) <= 1e-9 * abs(a[2])
            and abs(a[4] - b[4]) <= 1e-9 * abs(a[4]) and abs(a[5] - b[5]) <= 1e-6 * max(1, abs(a[5]))
            for a, b in zip(r, trades))
        same &= ok
        print("%s: %d bars, %d trades (C %d), %s" % (path, len(d), len(trades), len(r),
                                                      "identical" if ok else "DIFFERENT"))
    print("numpy: %d bars in %.3f s: %.3f million bars/s" % (bars, secs, bars / secs / 1e6))
    print("trades identical: %s" % ("yes" if same else "NO"))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
