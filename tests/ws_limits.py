#!/usr/bin/python3
"""simex WebSocket rules, checked by an independent client (python3-websockets) on loopback:
routed paths with silent wrong-route streams, SUBSCRIBE / LIST_SUBSCRIPTIONS replies, the
200-stream and 10-messages-per-second limits (closed with 1008).
Usage: ws_limits.py PORT"""
import asyncio
import json
import sys

import websockets

PORT = int(sys.argv[1])
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, file=sys.stderr)


async def closed_with(url, send=(), seconds=3):
    """Connects, sends the messages, reads for a few seconds; returns the close code the
    server sent, or None if it kept the connection open."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    try:
        async with websockets.connect(url) as ws:
            for m in send:
                await ws.send(m)
            while loop.time() < end:
                try:
                    await asyncio.wait_for(ws.recv(), max(0.01, end - loop.time()))
                except asyncio.TimeoutError:
                    break
    except websockets.ConnectionClosed as e:
        return e.code
    return None


async def main():
    base = "ws://127.0.0.1:%d" % PORT
    async with websockets.connect(base + "/market/stream?streams=btcusdt@kline_1m") as ws:
        await ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["ethusdt@bookTicker"], "id": 7}))
        await ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 8}))
        seen, replies = set(), {}
        for _ in range(60):
            m = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if "id" in m and "stream" not in m:
                replies[m["id"]] = m
            else:
                seen.add(m["stream"])
        check(replies.get(7) == {"result": None, "id": 7}, "SUBSCRIBE acknowledged: %s" % replies)
        check(set(replies.get(8, {}).get("result", [])) == {"btcusdt@kline_1m", "ethusdt@bookTicker"},
              "LIST_SUBSCRIPTIONS: %s" % replies.get(8))
        check("btcusdt@kline_1m" in seen, "kline delivered on /market")
        check("ethusdt@bookTicker" not in seen, "bookTicker on the wrong route stays silent")
    async with websockets.connect(base + "/public/stream?streams=ethusdt@bookTicker") as ws:
        m = json.loads(await asyncio.wait_for(ws.recv(), 5))
        check(m.get("stream") == "ethusdt@bookTicker", "bookTicker delivered on /public")


    streams = ["%s@kline_%s" % (s, i) for s in ["btcusdt", "ethusdt", "solusdt", "xrpusdt",
               "dogeusdt", "bnbusdt", "suiusdt", "adausdt", "linkusdt", "avaxusdt", "trxusdt",
               "ltcusdt", "dotusdt", "bchusdt", "wifusdt", "enausdt", "hbarusdt", "nearusdt",
               "uniusdt", "aaveusdt", "aptusdt", "arbusdt", "opusdt", "filusdt", "atomusdt",
               "etcusdt", "injusdt", "tiausdt", "seiusdt", "wldusdt", "ondousdt", "taousdt",
               "fetusdt", "renderusdt"]
               for i in ["1m", "3m", "5m", "15m", "30m", "1h"]]
    check(len(streams) > 200, "enough streams to pass the limit")
    subs = [json.dumps({"method": "SUBSCRIBE", "params": streams[k:k + 50], "id": k + 1})
            for k in range(0, 250, 50)]
    code = await closed_with(base + "/market/stream", subs[:2])
    check(code is None, "100 streams are fine (code %s)" % code)
    code = await closed_with(base + "/market/stream", subs[:5])
    check(code == 1008, "over 200 streams closes with 1008 (code %s)" % code)
    flood = [json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": i}) for i in range(12)]
    code = await closed_with(base + "/market/stream", flood)
    check(code == 1008, "over 10 messages a second closes with 1008 (code %s)" % code)



asyncio.run(main())
print("ws_limits: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
