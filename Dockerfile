# Botgate: one process serving the bots, the Ollama/OpenAI APIs, the knowledge bases and local GGUF models.
#   docker build -t botgate .
#   docker run --rm -v botgate-data:/data botgate keys new      # prints an API key once, stores its hash in /data
#   docker run -p 8080:8080 -v botgate-data:/data botgate
# Inside the container the server binds 0.0.0.0, so an API key is required (see README: "API keys").

FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
# Dependencies first, so source edits do not re-download them.
COPY pom.xml .
COPY backend/pom.xml backend/
COPY knowledge/pom.xml knowledge/
COPY adapters/pom.xml adapters/
COPY gateway/pom.xml gateway/
RUN mvn -B -q -ntp -pl gateway -am dependency:go-offline -DexcludeReactor=true || true
COPY . .
RUN mvn -B -q -ntp -DskipTests -pl gateway -am package

FROM eclipse-temurin:25-jre
RUN groupadd --system botgate && useradd --system --gid botgate --home-dir /data --shell /usr/sbin/nologin botgate \
 && mkdir -p /data /app && chown botgate:botgate /data
WORKDIR /app
COPY --from=build /src/gateway/target/botgate.jar /app/botgate.jar
COPY --from=build /src/gateway/target/lib /app/lib
COPY --from=build /src/config /app/config
ENV BOTGATE_HOME=/data \
    SERVER_HOST=0.0.0.0 \
    SERVER_PORT=8080
VOLUME ["/data"]
EXPOSE 8080
USER botgate
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s CMD ["java", "-cp", "/app/botgate.jar:/app/lib/*", "dev.botgate.gateway.Main", "health"]
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", \
            "-Dde.kherud.llama.tmpdir=/data/native", "-Djna.tmpdir=/data/native", "-Dbotgate.home=/data", \
            "-cp", "/app/botgate.jar:/app/lib/*", "dev.botgate.gateway.Main"]
CMD ["serve"]
