#!/bin/sh
# A ClickHouse server of a test's own: a folder with its config, loopback only, free ports,
# stopped by PID. No system service is used.
#   clickhouse_server.sh start DIR [PASSWORD [REMOTE_SERVERS_XML]]   prints the HTTP port
#   clickhouse_server.sh stop DIR
#   clickhouse_server.sh kill DIR    (SIGKILL, for crash tests)
# DIR/pid holds the server's PID, DIR/http_port and DIR/tcp_port its ports.
set -eu
cmd=${1:?start|stop|kill}
dir=${2:?folder}
server=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

case $cmd in
start)
	password=${3:-}
	remote=${4:-}
	mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log"
	dir=$(cd "$dir" && pwd)
	[ -f "$dir/http_port" ] || free_port > "$dir/http_port"
	[ -f "$dir/tcp_port" ] || free_port > "$dir/tcp_port"
	[ -f "$dir/inter_port" ] || free_port > "$dir/inter_port"
	http=$(cat "$dir/http_port")
	tcp=$(cat "$dir/tcp_port")
	inter=$(cat "$dir/inter_port")
	cat > "$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default>
    <password>$password</password>
    <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota>
  </default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
XML
	cat > "$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog><size>10M</size><count>2</count></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_port>$inter</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>50</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <remote_servers>$remote</remote_servers>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
</yandex>
XML
	"$server" --config-file="$dir/config.xml" > "$dir/log/stdout.log" 2>&1 &
	echo $! > "$dir/pid"
	i=0
	while ! curl -sf "http://127.0.0.1:$http/ping" > /dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
			echo "clickhouse-server did not start; its log:" >&2
			tail -20 "$dir/log/stdout.log" "$dir/log/error.log" >&2 2>/dev/null || true
			exit 1
		fi
		sleep 0.1
	done
	echo "$http"
	;;
stop | kill)
	[ -f "$dir/pid" ] || exit 0
	pid=$(cat "$dir/pid")
	sig=TERM
	[ "$cmd" = kill ] && sig=KILL
	kill -$sig "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 150 ] && kill -KILL "$pid" 2>/dev/null
		sleep 0.1
	done
	rm -f "$dir/pid"
	;;
esac
