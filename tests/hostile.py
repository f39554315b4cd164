#!/usr/bin/python3
"""A hostile exchange on 127.0.0.1 for net_hostile.sh: just enough of Binance's REST and
WebSocket protocol to bring a collector up, then the attack of one MODE:

  values      impossible values: candles, mark and funding of 1e308, a liquidation of price
              -100 and qty -5, a ticker with lastPrice -5, and JUNKUSDT ranked first by a
              quote volume of 1e308 (REST and WebSocket)
  bigframe    a 7.8 MB WebSocket message of 600,000 keys, then ordinary messages
  servertime  a serverTime near INT64_MAX
  retryafter  every REST answer a 429 with Retry-After: 2147483647

Prints "listening PORT" once it listens. Usage: hostile.py MODE"""
import asyncio
import base64
import hashlib
import json
import sys
import time

MODE = sys.argv[1]
GOOD = ["BTCUSDT", "ETHUSDT"]


def now_ms():
    return int(time.time() * 1000)


def exchange_info():
    syms = [{"symbol": s, "pair": s, "contractType": "PERPETUAL", "status": "TRADING",
             "baseAsset": s[:-4], "quoteAsset": "USDT", "filters": [
                 {"filterType": "PRICE_FILTER", "tickSize": "0.10"},
                 {"filterType": "LOT_SIZE", "stepSize": "0.001"}]}
            for s in GOOD + ["JUNKUSDT"]]
    return {"timezone": "UTC", "serverTime": now_ms(), "rateLimits": [], "symbols": syms}


def ticker(s, last, qv):
    return {"symbol": s, "lastPrice": last, "priceChangePercent": "0.5", "volume": "1000",
            "quoteVolume": qv, "count": 100, "openTime": now_ms() - 86400000,
            "closeTime": now_ms()}


def klines(q):
    ivl = 60000 if q.get("interval", "1m") == "1m" else 300000
    end = min(int(q.get("endTime", now_ms())), now_ms())
    start = max(int(q.get("startTime", end - 100 * ivl)), end - 1000 * ivl)
    rows, t = [], start - start % ivl
    while t + ivl - 1 <= end and len(rows) < int(q.get("limit", 500)):
        p = "1e308" if MODE == "values" and len(rows) == 3 else "100.0"
        rows.append([t, p, p, p, p, "1", t + ivl - 1, "100", 1, "0.5", "50", "0"])
        t += ivl
    return rows


def rest(path, q):
    """(status, headers, body) for a REST request"""
    if MODE == "retryafter":
        return 429, {"Retry-After": "2147483647"}, {"code": -1003, "msg": "Too many requests."}
    if path == "/fapi/v1/time":
        t = 9223372036854775000 if MODE == "servertime" else now_ms()
        return 200, {}, {"serverTime": t}
    if path == "/fapi/v1/exchangeInfo":
        return 200, {}, exchange_info()
    if path == "/fapi/v1/ticker/24hr":
        rows = [ticker("BTCUSDT", "100.0", "9000000000"), ticker("ETHUSDT", "50.0", "8000000")]
        if MODE == "values":
            rows += [ticker("JUNKUSDT", "-5", "1e308")]
        return 200, {}, rows
    if path == "/fapi/v1/klines":
        return 200, {}, klines(q)
    if path == "/fapi/v1/premiumIndex":
        return 200, {}, [{"symbol": s, "markPrice": "1e308" if MODE == "values" else "100",
                          "indexPrice": "100", "lastFundingRate": "0.0001",
                          "nextFundingTime": now_ms() + 3600000, "time": now_ms()}
                         for s in GOOD]
    if path == "/fapi/v1/openInterest":
        return 200, {}, {"symbol": q.get("symbol"), "openInterest": "1000", "time": now_ms()}
    if path in ("/fapi/v1/fundingRate", "/fapi/v1/aggTrades", "/fapi/v1/trades") or \
            path.startswith("/futures/data/"):
        return 200, {}, []
    return 404, {}, {"code": -1, "msg": "not here"}


def frame(text):
    b = text.encode()
    n = len(b)
    if n < 126:
        head = bytes([0x81, n])
    elif n < 65536:
        head = bytes([0x81, 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x81, 127]) + n.to_bytes(8, "big")
    return head + b


def messages():
    """one round of WebSocket messages, as (stream, data)"""
    t, out = now_ms(), []
    for s in GOOD:
        low = s.lower()
        o = t - t % 60000
        out.append((low + "@kline_1m", {"e": "kline", "E": t, "s": s, "k": {
            "t": o, "T": o + 59999, "s": s, "i": "1m", "o": "100.0", "c": "100.0",
            "h": "100.0", "l": "100.0", "v": "1", "n": 1, "x": False, "q": "100", "V": "0.5",
            "Q": "50"}}))
        out.append((low + "@markPrice@1s", {"e": "markPriceUpdate", "E": t, "s": s,
                                             "p": "100.0", "i": "100.0", "r": "0.0001",
                                             "T": t + 3600000}))
        if MODE == "values":
            out.append((low + "@kline_1m", {"e": "kline", "E": t, "s": s, "k": {
                "t": o - 60000, "T": o - 1, "s": s, "i": "1m", "o": "1e308", "c": "1e308",
                "h": "1e308", "l": "1e308", "v": "1", "n": 1, "x": True, "q": "1", "V": "1",
                "Q": "1"}}))
            out.append((low + "@markPrice@1s", {"e": "markPriceUpdate", "E": t, "s": s,
                                                 "p": "1e308", "i": "1", "r": "1e308",
                                                 "T": t}))
            out.append((low + "@forceOrder", {"e": "forceOrder", "E": t, "o": {
                "s": s, "S": "SELL", "q": "-5", "p": "-100", "ap": "-100", "T": t}}))
    return out


def big_message():
    keys = ",".join('"k%d":%d' % (i, i) for i in range(600000))
    return '{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","s":"BTCUSDT",' \
           + keys + '}}'


async def websocket(reader, writer, headers):
    key = headers.get("sec-websocket-key", "")
    acc = base64.b64encode(hashlib.sha1(
        (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % acc).encode())

    async def drain_client():  # subscriptions and pongs: read and ignored
        while await reader.read(65536):
            pass
    drainer = asyncio.ensure_future(drain_client())
    try:
        if MODE == "bigframe":
            await asyncio.sleep(1)
            writer.write(frame(big_message()))
        while not drainer.done():
            writer.write(b"".join(frame(json.dumps({"stream": st, "data": d}))
                                  for st, d in messages()))
            await writer.drain()
            await asyncio.sleep(0.2)
    except (ConnectionError, OSError):
        pass
    finally:
        drainer.cancel()
        writer.close()


async def client(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            target = lines[0].split(" ")[1]
            headers = {}
            for ln in lines[1:]:
                if ":" in ln:
                    k, v = ln.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            if headers.get("upgrade", "").lower() == "websocket":
                await websocket(reader, writer, headers)
                return
            path, _, qs = target.partition("?")
            q = dict(p.split("=", 1) for p in qs.split("&") if "=" in p)
            status, extra, body = rest(path, q)
            data = json.dumps(body).encode()
            reason = {200: "OK", 404: "Not Found", 429: "Too Many Requests"}[status]
            hdr = "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" \
                  % (status, reason, len(data))
            hdr += "".join("%s: %s\r\n" % kv for kv in extra.items())
            writer.write(hdr.encode() + b"\r\n" + data)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, OSError, IndexError, ValueError):
        writer.close()


async def main():
    server = await asyncio.start_server(client, "127.0.0.1", 0, limit=1 << 20)
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()

asyncio.run(main())
