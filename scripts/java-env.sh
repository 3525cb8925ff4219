# Sourced by ./botgate, ./run-tests and .ci/run: finds a JDK >= 21 and exports JAVA_HOME, or explains what to install.
botgate_java_version() { # prints the feature version of the java at $1/bin/java, or nothing
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
botgate_find_java() {
  local c v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /opt/java/openjdk \
           /usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/java-2[1-9]-* /usr/lib/jvm/jdk-2[1-9]* /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    v=$(botgate_java_version "$c")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then export JAVA_HOME="$c"; export PATH="$c/bin:$PATH"; return 0; fi
  done
  if command -v java >/dev/null 2>&1; then
    c=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    v=$(botgate_java_version "$c")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then export JAVA_HOME="$c"; return 0; fi
  fi
  cat >&2 <<'MSG'
botgate: no Java 21 or newer found (checked JAVA_HOME, /usr/lib/jvm/* and the java on PATH).
Install one, for example:  apt-get install temurin-25-jdk   (Adoptium repository)  or  apt-get install openjdk-21-jdk
then run again, or point JAVA_HOME at it:  JAVA_HOME=/path/to/jdk ./botgate serve
MSG
  return 1
}
botgate_need_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  echo "botgate: Maven (mvn) is needed to build from source: apt-get install maven" >&2
  return 1
}
