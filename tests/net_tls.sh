#!/bin/sh
# wss:// on loopback only: a TLS terminator (python3's ssl, a throw-away self-signed
# certificate for "localhost") in front of simex. The collector's streams connect through TLS
# and stay up; a certificate that is not trusted, or that names another host, is refused with a
# reason in the log, and nothing is read from that connection.
# Usage: net_tls.sh BINARY WORKDIR
set -u
FB=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "net_tls: the openssl command is missing" >&2; exit 1; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
	-days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1 ||
	{ bad "cannot make a test certificate"; exit 1; }
cat >"$WORK/tls.py" <<'EOF'
import asyncio, ssl, sys
target, work = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(work + "/cert.pem", work + "/key.pem")
async def pipe(r, w):
    try:
        while True:
            d = await r.read(65536)
            if not d:
                break
            w.write(d)
            await w.drain()
    except Exception:
        pass
    finally:
        w.close()
async def handle(r, w):
    tr, tw = await asyncio.open_connection("127.0.0.1", target)
    await asyncio.gather(pipe(r, tw), pipe(tr, w))
async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
    print("tls on 127.0.0.1:%d" % srv.sockets[0].getsockname()[1], flush=True)
    async with srv:
        await srv.serve_forever()
asyncio.run(main())
EOF

"$FB" simex --port 0 --seed 7 --history-minutes 60 >"$WORK/simex.out" 2>"$WORK/simex.err" &
SIMEX=$!
wait_line "$WORK/simex.out" listening || { bad "simex did not start"; exit 1; }
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/simex.out")
/usr/bin/python3 "$WORK/tls.py" "$PORT" "$WORK" >"$WORK/tls.out" 2>"$WORK/tls.err" &
TLS=$!
wait_line "$WORK/tls.out" "tls on" || { bad "the TLS terminator did not start"; kill "$SIMEX"; exit 1; }
TPORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/tls.out")

# collect N HOST [ENV...]: a collector on wss://HOST:TPORT for a few seconds; its log in c$N.log
collect() {
	n=$1 host=$2
	shift 2
	env "$@" "$FB" --db "$WORK/c$n.db" --set "binance.rest_url=http://127.0.0.1:$PORT" \
		--set "binance.ws_url=wss://$host:$TPORT" --set binance.label=simex \
		--set feed.top_n=3 --set feed.intervals=1m --set "log.file=$WORK/c$n.log" \
		collect --health-port -1 >"$WORK/collect$n.out" 2>"$WORK/collect$n.err" &
	C=$!
	sleep 6
	kill -INT "$C"
	wait "$C" || bad "collect $n failed: $(tail -3 "$WORK/collect$n.err")"
}

# 1. trusted (SSL_CERT_FILE is OpenSSL's trust store override) and the right name
collect 1 localhost SSL_CERT_FILE="$WORK/cert.pem"
has "$WORK/c1.log" "connection 0: connected" "the stream connected over TLS"
if grep -q "ws: connection .*reconnecting" "$WORK/c1.log"; then
	bad "a TLS stream dropped: $(grep -m1 reconnecting "$WORK/c1.log")"
else ok; fi
# 2. the certificate names localhost, not 127.0.0.1
collect 2 127.0.0.1 SSL_CERT_FILE="$WORK/cert.pem"
has "$WORK/c2.log" "certificate: IP address mismatch" "a certificate for another name is refused"
# 3. not trusted
collect 3 localhost SSL_CERT_FILE=/nonexistent
has "$WORK/c3.log" "certificate: self-signed certificate" "an untrusted certificate is refused"
for k in 2 3; do
	if grep -q "connection 0: connected" "$WORK/c$k.log"; then
		bad "run $k connected through a certificate it should have refused"
	else ok; fi
done

kill "$TLS" "$SIMEX" 2>/dev/null
wait "$SIMEX" 2>/dev/null
summary net_tls
