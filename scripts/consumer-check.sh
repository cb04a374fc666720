#!/usr/bin/env bash
# Checks what a user gets: a fresh Maven project outside this build, whose only dependency is the
# installed dev.cascade:cascade-provider (its version from the imported cascade-bom), compiles and runs
# the README's "Use it" snippet, taken from README.md as it stands, against a private redis-server.
#
#   scripts/consumer-check.sh [--no-install]
#
# 1. `mvn install -DskipTests` of the parent, the provider and the BOM (--no-install: use what is
#    already in the local repository).
# 2. Starts a private redis-server on a free loopback port (the system binary, else the one in the
#    embedded-redis jar), with no persistence; it is killed when the script exits, however it exits.
# 3. Writes the project to a temporary folder: pom.xml, a User record, a loader and a writer, and a main
#    class whose body is the README's snippet with the URI pointed at that server; compiles it and
#    runs it with plain java on the project's class path, then prints what the snippet did.
# Needs only Maven Central (and the local repository).
set -euo pipefail

say() { printf '[consumer-check.sh] %s\n' "$*"; }
die() { printf '[consumer-check.sh] FAILED: %s\n' "$*" >&2; exit 1; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
install=1
case "${1:-}" in
  "") ;;
  --no-install) install=0 ;;
  *) die "unknown argument '$1' (usage: scripts/consumer-check.sh [--no-install])" ;;
esac

# the version every module has: the parent's
version=$(sed -n '/<artifactId>cascade-parent<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;q}' "$repo_root/pom.xml")
[ -n "$version" ] || die "cannot read the version of cascade-parent from $repo_root/pom.xml"

if [ "$install" -eq 1 ]; then
  say "installing cascade-provider and cascade-bom $version (mvn -B -ntp -q install -DskipTests)"
  (cd "$repo_root" && mvn -B -ntp -q install -DskipTests -pl provider,bom -am)
fi
local_repo=${CASCADE_M2_REPO:-$HOME/.m2/repository}
[ -f "$local_repo/dev/cascade/cascade-provider/$version/cascade-provider-$version.jar" ] \
  || die "dev.cascade:cascade-provider:$version is not installed in $local_repo; run without --no-install"

work=$(mktemp -d "${TMPDIR:-/tmp}/cascade-consumer.XXXXXX")
redis_pid=""
cleanup() {
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# The private redis-server
# ---------------------------------------------------------------------------------------------
redis_binary() {
  if command -v redis-server >/dev/null 2>&1; then
    command -v redis-server
    return 0
  fi
  # as the tests do on a machine without one: the Linux x86-64 binary inside the embedded-redis jar
  local jar
  jar=$(ls "$local_repo"/com/github/codemonstur/embedded-redis/*/embedded-redis-*.jar 2>/dev/null | sort -V | tail -n 1)
  [ -n "$jar" ] && [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || return 1
  unzip -p "$jar" redis-server-6.2.6-v5-linux-amd64 >"$work/redis-server" 2>/dev/null || return 1
  chmod +x "$work/redis-server"
  echo "$work/redis-server"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    && return 0
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

pong() {
  local reply=""
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'PING\r\n' >&3
  read -r -t 2 reply <&3 || true
  exec 3<&- 3>&-
  [[ "$reply" == "+PONG"* ]]
}

redis=$(redis_binary) || die "no redis-server on the PATH (scripts/provision.sh installs one) and no embedded-redis jar to take it from"
port=""
for attempt in 1 2 3 4 5; do
  candidate=$(free_port) || die "found no free loopback port"
  "$redis" --port "$candidate" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
    --logfile "$work/redis.log" --daemonize no &
  redis_pid=$!
  for _ in $(seq 50); do
    if pong "$candidate" 2>/dev/null; then port=$candidate; break; fi
    kill -0 "$redis_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] && break
  # another process took the port between the choice and the bind: try another one
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  redis_pid=""
done
[ -n "$port" ] || { tail -n 5 "$work/redis.log" >&2 2>/dev/null || true; die "redis-server did not start"; }
redis_version=$("$redis" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')

# ---------------------------------------------------------------------------------------------
# The user's project
# ---------------------------------------------------------------------------------------------
snippet=$(awk '/^## Use it/ {f = 1; next} f && /^```java/ {c = 1; next} c && /^```/ {exit} c {print}' "$repo_root/README.md")
[ -n "$snippet" ] || die "README.md has no java block under '## Use it'"
grep -q 'redis://127.0.0.1:6379' <<<"$snippet" || die "the README's snippet no longer names redis://127.0.0.1:6379; update this script"
snippet=${snippet//redis:\/\/127.0.0.1:6379/redis://127.0.0.1:$port}

project="$work/consumer"
src="$project/src/main/java/example"
mkdir -p "$src"
cat >"$project/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>cascade-consumer</artifactId>
  <version>1</version>

  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>

  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>dev.cascade</groupId>
        <artifactId>cascade-bom</artifactId>
        <version>$version</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>

  <dependencies>
    <dependency>
      <groupId>dev.cascade</groupId>
      <artifactId>cascade-provider</artifactId>
    </dependency>
  </dependencies>

  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.1</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.14.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
EOF

cat >"$src/User.java" <<'EOF'
package example;

import java.io.Serializable;

public record User(long id, String name) implements Serializable {}
EOF

cat >"$src/UserLoader.java" <<'EOF'
package example;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.integration.CacheLoader;

/** The "database" read on a miss: user n is named "user n". */
public class UserLoader implements CacheLoader<Long, User> {
  static final AtomicInteger LOADS = new AtomicInteger();

  @Override
  public User load(Long id) {
    LOADS.incrementAndGet();
    return new User(id, "user " + id);
  }

  @Override
  public Map<Long, User> loadAll(Iterable<? extends Long> ids) {
    Map<Long, User> users = new HashMap<>();
    ids.forEach(id -> users.put(id, load(id)));
    return users;
  }
}
EOF

cat >"$src/UserWriter.java" <<'EOF'
package example;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;

/** The "database" written through: a map in this JVM. */
public class UserWriter implements CacheWriter<Long, User> {
  static final Map<Long, User> TABLE = new ConcurrentHashMap<>();

  @Override
  public void write(Cache.Entry<? extends Long, ? extends User> entry) {
    TABLE.put(entry.getKey(), entry.getValue());
  }

  @Override
  public void writeAll(Collection<Cache.Entry<? extends Long, ? extends User>> entries) {
    entries.forEach(this::write);
    entries.clear();
  }

  @Override
  public void delete(Object key) {
    TABLE.remove(key);
  }

  @Override
  public void deleteAll(Collection<?> keys) {
    keys.forEach(TABLE::remove);
    keys.clear();
  }
}
EOF

{
  cat <<'EOF'
package example;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.Duration;

/** README.md's "Use it" snippet between a user to put and checks of what it did. */
public class Main {
  public static void main(String[] args) {
    User user = new User(42L, "Ada");
    // ---- README.md, "Use it" ----
EOF
  sed 's/^/    /' <<<"$snippet"
  cat <<'EOF'
    // ---- end of the snippet ----
    require(user.equals(UserWriter.TABLE.get(42L)), "put(42) did not write through: " + UserWriter.TABLE);
    require(user.equals(users.get(42L)), "get(42) after put(42) returned " + users.get(42L));
    require(new User(7L, "user 7").equals(u), "get(7) returned " + u);
    require(UserLoader.LOADS.get() == 1, "get(7) loaded " + UserLoader.LOADS.get() + " times");
    require(users.get(7L).equals(u) && UserLoader.LOADS.get() == 1, "a second get(7) loaded again");
    System.out.println("put(42) wrote " + UserWriter.TABLE.get(42L) + " through; get(7) loaded " + u
        + " once; provider " + Caching.getCachingProvider().getClass().getName());
    manager.close();
    Caching.getCachingProvider().close();
  }

  private static void require(boolean condition, String failure) {
    if (!condition) {
      throw new AssertionError(failure);
    }
  }
}
EOF
} >"$src/Main.java"

say "building a project that depends on dev.cascade:cascade-provider:$version only"
(cd "$project" && mvn -B -ntp -q compile dependency:build-classpath -Dmdep.outputFile=classpath.txt \
  -Dmdep.includeScope=runtime -Dmaven.repo.local="$local_repo") >"$work/mvn.log" 2>&1 \
  || { cat "$work/mvn.log" >&2; die "the consumer project does not build (sources kept in the log above)"; }
say "running the README's snippet against redis-server $redis_version on 127.0.0.1:$port"
rc=0
result=$(cd "$project" && timeout 120 java -cp "target/classes:$(cat classpath.txt)" example.Main 2>"$work/java.err") || rc=$?
if [ "$rc" -ne 0 ]; then
  cat "$work/java.err" >&2
  die "the README's snippet failed (exit $rc; 124: it did not finish in 120 s)"
fi
say "passed: $result"
