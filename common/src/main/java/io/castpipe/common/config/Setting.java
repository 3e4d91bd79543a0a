package io.castpipe.common.config;

/**
 * Every configuration knob of Castpipe: its environment variable, its default, what it does.
 * An empty default means "not set"; for the external services that selects the embedded one.
 */
public enum Setting {
    HOST("CASTPIPE_HOST", "localhost", "Host name that clients use to reach this node; used in printed and returned URLs"),
    PUBLIC_URL("CASTPIPE_PUBLIC_URL", "", "Base URL viewers reach HTTP at (e.g. https://video.example.com behind a CDN); empty means http://HOST:HTTP_PORT"),
    BIND_ADDRESS("CASTPIPE_BIND_ADDRESS", "0.0.0.0", "Address the HTTP, chat and RTMP listeners bind to"),
    TRUSTED_PROXIES("CASTPIPE_TRUSTED_PROXIES", "", "Comma-separated addresses or CIDR blocks of the proxies and CDNs in front of this node; only their X-Forwarded-For is believed (per-address limits, viewer counts). Empty trusts none"),
    HTTP_MAX_CONNECTIONS("CASTPIPE_HTTP_MAX_CONNECTIONS", "10000", "Most HTTP connections (HTTP and HTTPS ports together) one process holds at once; more are closed as they arrive"),
    HTTP_MAX_CONNECTIONS_PER_ADDRESS("CASTPIPE_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "256", "Most HTTP connections one client address (an IPv6 /64) holds at once; more are closed as they arrive. Trusted proxies are not limited"),
    HTTP_HEADER_TIMEOUT_SECONDS("CASTPIPE_HTTP_HEADER_TIMEOUT_SECONDS", "10", "Longest a client may take to send a request line and its headers, in seconds (1 to 300); then the connection is closed"),
    HTTP_BODY_TIMEOUT_SECONDS("CASTPIPE_HTTP_BODY_TIMEOUT_SECONDS", "30", "Longest a request body may go without a byte arriving, in seconds (1 to 3600); past that long it must also have brought 1 KiB for each further second. Otherwise it is answered 408 and the connection closed"),
    HTTP_IDLE_TIMEOUT_SECONDS("CASTPIPE_HTTP_IDLE_TIMEOUT_SECONDS", "60", "Longest a kept-alive HTTP connection may wait for its next request, in seconds (1 to 3600)"),
    HTTP_PORT("CASTPIPE_HTTP_PORT", "8080", "HTTP port: API, origin, web pages, /healthz, /metrics; HTTP/1.1 and cleartext HTTP/2 (h2c)"),
    HTTPS_PORT("CASTPIPE_HTTPS_PORT", "8443", "HTTPS port, serving the same as the HTTP port with HTTP/2 or HTTP/1.1 as the client chooses (ALPN); opened only when CASTPIPE_TLS_CERT is set"),
    TLS_CERT("CASTPIPE_TLS_CERT", "", "PEM file of the HTTPS certificate chain, this server's certificate first; empty serves plain HTTP only"),
    TLS_KEY("CASTPIPE_TLS_KEY", "", "PEM file of the private key of CASTPIPE_TLS_CERT, unencrypted PKCS#8 (-----BEGIN PRIVATE KEY-----)"),
    CHAT_PORT("CASTPIPE_CHAT_PORT", "8081", "Chat WebSocket port"),
    CHAT_PUBLIC_URL("CASTPIPE_CHAT_PUBLIC_URL", "", "Base URL browsers open chat WebSockets at, ending in /chat/ (e.g. wss://video.example.com/chat/ when a proxy in front spreads them over chat nodes); empty means ws://HOST:CHAT_PORT/chat/, this one chat node"),
    CHAT_MAX_CONNECTIONS("CASTPIPE_CHAT_MAX_CONNECTIONS", "10000", "Most chat WebSocket connections one chat process holds at once; more are closed with 1013 (try again later)"),
    CHAT_MAX_CONNECTIONS_PER_ADDRESS("CASTPIPE_CHAT_MAX_CONNECTIONS_PER_ADDRESS", "100", "Most chat WebSocket connections one client address (an IPv6 /64) holds at once; more are closed with 1008"),
    RTMP_PORT("CASTPIPE_RTMP_PORT", "1935", "RTMP ingest port"),
    RTMP_MAX_CONNECTIONS("CASTPIPE_RTMP_MAX_CONNECTIONS", "1000", "Most RTMP connections one ingest process holds at once; more are closed as they arrive"),
    RTMP_MAX_CONNECTIONS_PER_ADDRESS("CASTPIPE_RTMP_MAX_CONNECTIONS_PER_ADDRESS", "10", "Most RTMP connections one client address (an IPv6 /64) holds at once; more are closed as they arrive"),
    RTMP_PUBLISH_TIMEOUT_SECONDS("CASTPIPE_RTMP_PUBLISH_TIMEOUT_SECONDS", "10", "Longest an RTMP connection may take from its first byte to an accepted publish, in seconds (1 to 120); then it is closed"),
    RTMP_BUFFER_MB("CASTPIPE_RTMP_BUFFER_MB", "64", "Memory, in MiB, that all RTMP connections of a process together may hold in messages still arriving; a connection that would go past it is closed"),
    DATA_DIR("CASTPIPE_DATA_DIR", "./data", "Data folder: embedded Kafka, S3 and database, node secrets, the unpacked ffmpeg"),
    ADMIN_TOKEN("CASTPIPE_ADMIN_TOKEN", "", "Bootstrap admin token; generated at first start and kept in the data folder when not set"),
    SIGNING_SECRET("CASTPIPE_SIGNING_SECRET", "", "Secret that signs playback and chat tokens; every node must share it. Generated and kept in the data folder when not set"),
    METRICS_TOKEN("CASTPIPE_METRICS_TOKEN", "", "Bearer token that may read /metrics (at least 32 characters), so a scraper need not hold the admin token; the admin token may always read it"),
    NODE_ID("CASTPIPE_NODE_ID", "", "This node's name in what it reports to other nodes (e.g. an origin's viewer counts); empty means a random id at each start"),
    LOG_LEVEL("CASTPIPE_LOG_LEVEL", "INFO", "Log level: ERROR, WARN, INFO, DEBUG (DEBUG shows ffmpeg's stderr)"),
    SHUTDOWN_GRACE_SECONDS("CASTPIPE_SHUTDOWN_GRACE_SECONDS", "8", "How long a stopping node waits for work in flight before it cuts it off"),

    KAFKA_BOOTSTRAP("CASTPIPE_KAFKA_BOOTSTRAP", "", "External Kafka bootstrap servers; empty starts the embedded broker"),
    KAFKA_PORT("CASTPIPE_KAFKA_PORT", "9092", "Embedded Kafka broker port (loopback)"),
    KAFKA_CONTROLLER_PORT("CASTPIPE_KAFKA_CONTROLLER_PORT", "9093", "Embedded Kafka controller port (loopback)"),
    KAFKA_TOPIC_PREFIX("CASTPIPE_KAFKA_TOPIC_PREFIX", "", "Prefix put before every topic name, e.g. 'prod.'"),
    KAFKA_PARTITIONS("CASTPIPE_KAFKA_PARTITIONS", "6", "Partitions of each topic Castpipe creates"),
    KAFKA_REPLICATION("CASTPIPE_KAFKA_REPLICATION", "1", "Replication factor of each topic Castpipe creates"),
    KAFKA_TIMEOUT_SECONDS("CASTPIPE_KAFKA_TIMEOUT_SECONDS", "15", "How long to wait for Kafka at start before giving up"),

    S3_ENDPOINT("CASTPIPE_S3_ENDPOINT", "", "External S3/MinIO endpoint URL; empty starts the embedded S3 server"),
    S3_PORT("CASTPIPE_S3_PORT", "9000", "Embedded S3 server port (loopback)"),
    S3_BUCKET("CASTPIPE_S3_BUCKET", "castpipe", "Bucket holding uploads and HLS output; created when missing"),
    S3_ACCESS_KEY("CASTPIPE_S3_ACCESS_KEY", "castpipe", "S3 access key"),
    S3_SECRET_KEY("CASTPIPE_S3_SECRET_KEY", "", "S3 secret key; for the embedded server generated at first start and kept in the data folder"),
    S3_REGION("CASTPIPE_S3_REGION", "us-east-1", "S3 region"),
    S3_PATH_STYLE("CASTPIPE_S3_PATH_STYLE", "true", "Path-style bucket addressing (MinIO and most self-hosted stores need it)"),
    S3_PART_SIZE_MB("CASTPIPE_S3_PART_SIZE_MB", "8", "Multipart upload part size in MiB (5 or more)"),

    DB_URL("CASTPIPE_DB_URL", "", "External database JDBC URL (jdbc:postgresql://…); empty starts the embedded database"),
    DB_USER("CASTPIPE_DB_USER", "castpipe", "Database user"),
    DB_PASSWORD("CASTPIPE_DB_PASSWORD", "", "Database password; for the embedded database generated at first start and kept in the data folder"),
    DB_PORT("CASTPIPE_DB_PORT", "9094", "Embedded database TCP port (loopback), for other processes on this machine"),
    DB_POOL_SIZE("CASTPIPE_DB_POOL_SIZE", "8", "Database connection pool size"),

    FFMPEG("CASTPIPE_FFMPEG", "", "Path of the ffmpeg binary; empty uses the one bundled with Castpipe"),
    FFMPEG_TIMEOUT_SECONDS("CASTPIPE_FFMPEG_TIMEOUT_SECONDS", "3600", "Longest an ffmpeg job may run before it is killed"),

    UPLOAD_MAX_BYTES("CASTPIPE_UPLOAD_MAX_BYTES", "10737418240", "Largest upload accepted, in bytes (default 10 GiB)"),
    API_READS_PER_MINUTE("CASTPIPE_API_READS_PER_MINUTE", "1200", "REST reads (GET, HEAD) one user, or one address without a token, may make per minute; more are answered 429 with Retry-After"),
    API_WRITES_PER_MINUTE("CASTPIPE_API_WRITES_PER_MINUTE", "60", "REST writes (POST, PUT, PATCH, DELETE; upload bytes excepted) one user, or one address without a token, may make per minute; more are answered 429 with Retry-After"),
    CHAT_TOKEN_SECONDS("CASTPIPE_CHAT_TOKEN_SECONDS", "3600", "How long a chat token the API issues is valid, in seconds (60 to 86400); a moderator the owner removes keeps moderating until their token expires"),
    VOD_SEGMENT_SECONDS("CASTPIPE_VOD_SEGMENT_SECONDS", "4", "Target segment duration of VOD renditions, in seconds"),
    VOD_X264_PRESET("CASTPIPE_VOD_X264_PRESET", "veryfast", "x264 preset of VOD renditions: slower presets give smaller files for more CPU"),
    VOD_MAX_ATTEMPTS("CASTPIPE_VOD_MAX_ATTEMPTS", "3", "Attempts at a VOD job that fails for a transient reason before it goes to the dead-letter topic"),
    VOD_REDRIVE_MINUTES("CASTPIPE_VOD_REDRIVE_MINUTES", "10", "Minutes a queued or processing video may go without progress before the API sends its transcode job again (1 to 1440); a transcoder that already did the job only announces the outcome again"),
    VOD_WORKERS("CASTPIPE_VOD_WORKERS", "1", "VOD jobs one transcoder process runs at a time; 0 leaves VOD jobs to other processes"),
    LIVE_TRANSCODE("CASTPIPE_LIVE_TRANSCODE", "true", "Whether a transcoder process takes live streams; false leaves them to other transcoder processes"),
    LIVE_SEGMENT_SECONDS("CASTPIPE_LIVE_SEGMENT_SECONDS", "1", "Target segment duration of the live renditions of low- and normal-latency channels, in seconds; segments are cut at the first keyframe once it is reached"),
    LIVE_HIGH_SEGMENT_SECONDS("CASTPIPE_LIVE_HIGH_SEGMENT_SECONDS", "6", "Target segment duration of the live renditions of high-latency channels, in seconds"),
    LIVE_X264_PRESET("CASTPIPE_LIVE_X264_PRESET", "superfast", "x264 preset of the live renditions (ultrafast to veryslow): a live ladder must keep up with real time, so it defaults a step faster than VOD's; veryfast costs about a quarter more CPU per stream"),
    LIVE_SHED("CASTPIPE_LIVE_SHED", "true", "Shed a live ladder that falls behind real time one step at a time, without a stall: x264's fastest preset, then only the lowest rung encoded with the source in the other renditions, then the source in all; a second ffmpeg takes the renditions over at segment boundaries, and the step above is tried again after a minute kept up"),
    LIVE_CPU_BUDGET("CASTPIPE_LIVE_CPU_BUDGET", "0", "Cores this transcoder process's live ladders may use together (0.1 to 1024; 0 is every core of the machine): a stream starts on the configured ladder only if what the running ones use, measured, plus what it costs fits, else a step down (x264's fastest preset, fewer rungs, passthrough), and climbs back only when it fits"),
    LIVE_PASSTHROUGH("CASTPIPE_LIVE_PASSTHROUGH", "false", "Also offer each live stream as it came, copied without re-encoding, as the rendition 'source'; its segments follow the streamer's keyframes"),
    LIVE_PART_MS("CASTPIPE_LIVE_PART_MS", "333", "Length of an LL-HLS part of the live renditions of low-latency channels, in milliseconds (rounded to whole frames); 0 serves them whole segments only"),
    LIVE_WINDOW_SEGMENTS("CASTPIPE_LIVE_WINDOW_SEGMENTS", "12", "Segments a live media playlist lists (its sliding window); older segments stay in storage for the recording"),
    ORIGIN_CACHE_MB("CASTPIPE_ORIGIN_CACHE_MB", "256", "Memory the origin keeps hot objects in, in MiB"),
    ORIGIN_VIEWER_WINDOW_SECONDS("CASTPIPE_ORIGIN_VIEWER_WINDOW_SECONDS", "20", "A client counts as a viewer of a live stream for this many seconds after its last media playlist or segment request"),
    ORIGIN_BLOCKED_PER_ADDRESS("CASTPIPE_ORIGIN_BLOCKED_PER_ADDRESS", "500", "Most LL-HLS requests (blocking playlist reloads, hinted parts) one client address may have waiting on an origin at once; more are answered 429"),
    CDN_MAX_AGE_SECONDS("CASTPIPE_CDN_MAX_AGE_SECONDS", "60", "Longest a shared cache (a CDN) may keep a public video object before asking the origin again (s-maxage), in seconds (1 to 86400); bounds how long a video made private stays in the CDN");

    private final String env;
    private final String defaultValue;
    private final String description;

    Setting(String env, String defaultValue, String description) {
        this.env = env;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String env() {
        return env;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }
}
