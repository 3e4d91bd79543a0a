# Castpipe image: one image, every role. The first argument picks the role
# (ingest, transcoder, origin, chat, api); with none it runs all-in-one.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY . .
RUN mvn -B -DskipTests package

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 castpipe \
 && useradd --system --uid 10001 --gid castpipe --home-dir /var/lib/castpipe \
      --no-create-home --shell /usr/sbin/nologin castpipe \
 && mkdir -p /var/lib/castpipe \
 && chown castpipe:castpipe /var/lib/castpipe
COPY --from=build /build/app/target/castpipe.jar /opt/castpipe/castpipe.jar
COPY --from=build /build/app/target/lib/ /opt/castpipe/lib/
# Numeric user so orchestrators can verify it is not root.
USER 10001:10001
WORKDIR /var/lib/castpipe
ENV CASTPIPE_DATA_DIR=/var/lib/castpipe
EXPOSE 8080 8081 1935
ENTRYPOINT ["java","-XX:+ExitOnOutOfMemoryError","-jar","/opt/castpipe/castpipe.jar"]
