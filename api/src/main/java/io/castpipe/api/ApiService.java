package io.castpipe.api;

import java.nio.file.Path;
import java.time.Duration;

import io.castpipe.api.auth.Authenticator;
import io.castpipe.api.channels.ChannelLookup;
import io.castpipe.api.channels.ChannelRepository;
import io.castpipe.api.channels.ChannelUrls;
import io.castpipe.api.channels.ChannelsEndpoint;
import io.castpipe.api.chat.ChatArchiveConsumer;
import io.castpipe.api.chat.ChatMessageRepository;
import io.castpipe.api.chat.ChatReplayEndpoint;
import io.castpipe.api.chat.ChatSettingsEndpoint;
import io.castpipe.api.chat.ChatSettingsRepository;
import io.castpipe.api.chat.ChatTokenEndpoint;
import io.castpipe.api.chat.ModeratorRepository;
import io.castpipe.api.chat.ModeratorsEndpoint;
import io.castpipe.api.events.VideoEventsConsumer;
import io.castpipe.api.http.BodyReceiver;
import io.castpipe.api.http.Endpoint;
import io.castpipe.api.http.EndpointHandler;
import io.castpipe.api.http.OpenApiHandler;
import io.castpipe.api.http.RateLimits;
import io.castpipe.api.outbox.Outbox;
import io.castpipe.api.outbox.OutboxRelay;
import io.castpipe.api.streams.IngestWarnings;
import io.castpipe.api.streams.LiveControl;
import io.castpipe.api.streams.StreamEventsConsumer;
import io.castpipe.api.streams.StreamReconciler;
import io.castpipe.api.streams.StreamRepository;
import io.castpipe.api.streams.StreamsEndpoint;
import io.castpipe.api.streams.ViewerReportsConsumer;
import io.castpipe.api.uploads.Uploads;
import io.castpipe.api.users.MeEndpoint;
import io.castpipe.api.users.TokenRepository;
import io.castpipe.api.users.TokensEndpoint;
import io.castpipe.api.users.UserRemover;
import io.castpipe.api.users.UserRepository;
import io.castpipe.api.users.UsersEndpoint;
import io.castpipe.api.videos.AccessRecordBackfill;
import io.castpipe.api.videos.VideoAccessFile;
import io.castpipe.api.videos.VideoCreator;
import io.castpipe.api.videos.VideoLookup;
import io.castpipe.api.videos.VideoRemover;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.api.videos.VideoView;
import io.castpipe.api.videos.VideosEndpoint;
import io.castpipe.api.web.WebPages;
import io.castpipe.common.http.Cors;
import io.castpipe.common.auth.ChatTokens;
import io.castpipe.common.auth.PlaybackTokens;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;
import io.castpipe.common.http.JsonResponses;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.live.ViewerCounts;
import io.castpipe.common.media.Ids;
import io.castpipe.common.net.TrustedProxies;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.node.Service;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST control plane under {@code /api}: users, channels and their stream keys, videos and their uploads (tus, presigned,
 * single PUT), and a consumer of {@code video.events} that keeps each video's status current; chat tokens, moderators,
 * blocked words, and the chat kept for replay; the orders that end live streams ({@code stream.control}).
 */
public final class ApiService implements Service {
    private static final Logger log = LoggerFactory.getLogger(ApiService.class);
    /** Browser pages anywhere may use the API, tus uploads included (tus-js-client and Uppy send and read tus headers). */
    private static final Cors.Policy CORS = new Cors.Policy("GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
            "Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata, "
                    + "Upload-Defer-Length, Upload-Concat, X-HTTP-Method-Override, X-Requested-With",
            "Location, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Upload-Length, Upload-Offset, "
                    + "Upload-Metadata, Upload-Expires, Castpipe-Video-Id");
    private final NodeContext ctx;
    private EventPublisher publisher;
    private OutboxRelay relay;
    private StreamReconciler streamReconciler;
    private VideoEventsConsumer events;
    private StreamEventsConsumer streamEvents;
    private ViewerReportsConsumer viewerReports;
    private ChatArchiveConsumer chatArchive;
    private Uploads uploads;
    private BodyReceiver bodies;
    private AccessRecordBackfill accessBackfill;

    public ApiService(NodeContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void start() {
        CastpipeConfig config = ctx.config();
        long maxBytes = maxUploadBytes(config);
        long partSize = config.integer(Setting.S3_PART_SIZE_MB, 5, 1024) * 1024L * 1024L;
        String publicUrl = config.publicUrl();

        publisher = new EventPublisher(ctx.kafka(), ctx.topics(), "api");
        try {
            // Known now, a send while Kafka is away later fails to its future instead of blocking its caller.
            publisher.learnPartitions(Topic.VOD_JOBS, Topic.VIDEO_EVENTS, Topic.STREAM_EVENTS, Topic.STREAM_CONTROL,
                    Topic.CHAT_STATE);
        } catch (KafkaException e) {
            log.warn("the topics' partitions are not known yet ({}); the first records may wait for them", e.toString());
        }
        Outbox outbox = new Outbox(ctx.database());
        relay = new OutboxRelay(outbox, publisher, ctx.nodeId() + "-" + Ids.newId(), ctx.metrics().registry());
        UserRepository users = new UserRepository(ctx.database());
        VideoRepository videos = new VideoRepository(ctx.database());
        VideoAccessFile accessFile = new VideoAccessFile(ctx.objectStore());
        VideoCreator creator = new VideoCreator(videos, accessFile);
        VideoView view = new VideoView(publicUrl, new PlaybackTokens(ctx.signingSecret()));
        uploads = new Uploads(publicUrl, maxBytes, partSize, tailDir(), ctx.database(), ctx.objectStore(), videos,
                creator, view, outbox, Duration.ofMinutes(config.integer(Setting.VOD_REDRIVE_MINUTES, 1, 1440)));
        LiveControl liveControl = new LiveControl(publisher);
        VideoRemover remover = new VideoRemover(videos, accessFile, uploads.aborter(), ctx.objectStore(), liveControl);
        VideosEndpoint videosEndpoint = new VideosEndpoint(videos, creator, accessFile, view, remover);
        ChannelRepository channelRepository = new ChannelRepository(ctx.database());
        TokenRepository tokenRepository = new TokenRepository(ctx.database());
        TokensEndpoint tokens = new TokensEndpoint(tokenRepository, users);
        UsersEndpoint usersEndpoint = new UsersEndpoint(users,
                new UserRemover(users, tokenRepository, channelRepository, videos, remover, liveControl));
        Authenticator authenticator = new Authenticator(ctx.adminToken(), tokenRepository);

        RoutingHandler routes = new RoutingHandler(false)
                .setFallbackHandler(exchange -> JsonResponses.error(exchange, 404, "not_found",
                        "no such path: " + exchange.getRequestPath()))
                .setInvalidMethodHandler(exchange -> JsonResponses.error(exchange, 405, "method_not_allowed",
                        exchange.getRequestMethod() + " is not allowed on " + exchange.getRequestPath()));
        TrustedProxies proxies = TrustedProxies.fromConfig(config);
        bodies = new BodyReceiver(Duration.ofSeconds(config.integer(Setting.HTTP_BODY_TIMEOUT_SECONDS, 1, 3600)), proxies);
        Routes r = new Routes(routes, authenticator, new RateLimits(config.integer(Setting.API_READS_PER_MINUTE, 1, 1_000_000),
                config.integer(Setting.API_WRITES_PER_MINUTE, 1, 1_000_000), proxies), bodies);
        routes.get("/openapi.json", new OpenApiHandler());
        r.add("POST", "/users", usersEndpoint::create);
        r.add("GET", "/users", usersEndpoint::list);
        r.add("DELETE", "/users/{id}", usersEndpoint::delete);
        r.add("POST", "/users/{id}/tokens", tokens::createForUser);
        r.add("DELETE", "/users/{id}/tokens", tokens::revokeAllOfUser);
        r.add("GET", "/me", new MeEndpoint(users)::get);
        r.add("GET", "/me/tokens", tokens::listOwn);
        r.add("POST", "/me/tokens", tokens::createOwn);
        r.add("POST", "/me/tokens/{tokenId}/rotate", tokens::rotateOwn);
        r.add("DELETE", "/me/tokens/{tokenId}", tokens::revokeOwn);
        ChannelUrls channelUrls = ChannelUrls.from(config);
        ChannelsEndpoint channels = new ChannelsEndpoint(channelRepository, channelUrls, liveControl);
        ChannelLookup channelLookup = new ChannelLookup(channelRepository);
        ModeratorRepository moderators = new ModeratorRepository(ctx.database());
        ModeratorsEndpoint moderatorsEndpoint = new ModeratorsEndpoint(channelLookup, moderators, users);
        ChatTokenEndpoint chatTokens = new ChatTokenEndpoint(channelLookup, moderators, users,
                new ChatTokens(ctx.signingSecret()), channelUrls,
                Duration.ofSeconds(config.integer(Setting.CHAT_TOKEN_SECONDS, 60, 86_400)));
        ChatSettingsEndpoint chatSettings = new ChatSettingsEndpoint(channelLookup,
                new ChatSettingsRepository(ctx.database()), publisher);
        ChatMessageRepository chatMessages = new ChatMessageRepository(ctx.database());
        StreamRepository streamRepository = new StreamRepository(ctx.database());
        ChatReplayEndpoint chatReplay = new ChatReplayEndpoint(new VideoLookup(videos), streamRepository, chatMessages);
        ViewerCounts viewerCounts = new ViewerCounts();
        StreamsEndpoint streamsEndpoint = new StreamsEndpoint(streamRepository, viewerCounts, channelUrls,
                new IngestWarnings(config.integer(Setting.LIVE_SEGMENT_SECONDS, 1, 30)), channelLookup, liveControl);
        r.add("POST", "/channels", channels::create);
        r.add("GET", "/channels", channels::list);
        r.add("GET", "/channels/{name}", channels::get);
        r.add("POST", "/channels/{name}/stream-key", channels::rotateKey);
        r.add("GET", "/channels/{name}/moderators", moderatorsEndpoint::list);
        r.add("PUT", "/channels/{name}/moderators/{userId}", moderatorsEndpoint::add);
        r.add("DELETE", "/channels/{name}/moderators/{userId}", moderatorsEndpoint::remove);
        r.add("GET", "/channels/{name}/chat", chatSettings::get);
        r.add("PUT", "/channels/{name}/chat", chatSettings::put);
        r.add("POST", "/chat/token", chatTokens::issue);
        r.add("GET", "/live", streamsEndpoint::live);
        r.add("GET", "/streams/{id}", streamsEndpoint::get);
        r.add("POST", "/streams/{id}/end", streamsEndpoint::end);
        r.add("GET", "/videos", videosEndpoint::list);
        r.add("POST", "/videos", videosEndpoint::create);
        r.add("GET", "/videos/{id}", videosEndpoint::get);
        r.add("PATCH", "/videos/{id}", videosEndpoint::update);
        r.add("DELETE", "/videos/{id}", videosEndpoint::delete);
        r.add("GET", "/videos/{id}/chat", chatReplay::get);
        r.add("POST", "/videos/{id}/upload-url", uploads.direct()::uploadUrl);
        r.add("POST", "/videos/{id}/complete", uploads.direct()::complete);
        r.addStreaming("PUT", "/videos/{id}/source", uploads.source()::put);
        for (String path : new String[] {"/uploads", "/uploads/"}) {
            routes.add("OPTIONS", path, uploads.tus()::options);
            r.add("POST", path, uploads.tus()::create);
        }
        routes.add("OPTIONS", "/uploads/{uploadId}", uploads.tus()::options);
        r.add("HEAD", "/uploads/{uploadId}", uploads.tus()::head);
        r.addStreaming("PATCH", "/uploads/{uploadId}", uploads.tus()::patch);
        r.add("DELETE", "/uploads/{uploadId}", uploads.tus()::terminate);
        r.addStreaming("POST", "/uploads/{uploadId}", uploads.tus()::overridden);

        events = new VideoEventsConsumer(ctx.supervisor(), ctx.kafka(), ctx.topics(), videos);
        events.start();
        streamEvents = new StreamEventsConsumer(ctx.supervisor(), ctx.kafka(), ctx.topics(), streamRepository, accessFile);
        streamEvents.start();
        streamReconciler = new StreamReconciler(streamRepository, streamEvents, outbox);
        streamReconciler.start(ctx.supervisor());
        viewerReports = new ViewerReportsConsumer(ctx.supervisor(), ctx.kafka(), ctx.topics(), viewerCounts);
        viewerReports.start();
        chatArchive = new ChatArchiveConsumer(ctx.supervisor(), ctx.kafka(), ctx.topics(), chatMessages);
        chatArchive.start();
        uploads.sweeper().start(ctx.supervisor());
        uploads.reconciler().start(ctx.supervisor());
        relay.start(ctx.supervisor());
        accessBackfill = new AccessRecordBackfill(videos, accessFile, ctx.objectStore());
        accessBackfill.start();
        // 100-continue is sent only once an endpoint reads the body, so a refused upload is never sent.
        ctx.http().prefix("/api", new Cors(CORS, new HttpContinueReadHandler(routes)));
        WebPages.mount(ctx.http(), publicUrl);
    }

    Uploads uploads() {
        return uploads;
    }

    BodyReceiver bodies() {
        return bodies;
    }

    AccessRecordBackfill accessBackfill() {
        return accessBackfill;
    }

    private Path tailDir() {
        return ctx.dataDir().resolve("uploads");
    }

    private static long maxUploadBytes(CastpipeConfig config) {
        String raw = config.string(Setting.UPLOAD_MAX_BYTES);
        try {
            long n = Long.parseLong(raw);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(Setting.UPLOAD_MAX_BYTES.env() + "=" + raw
                + " is not a positive number of bytes; set it like 10737418240 or unset it for the default "
                + Setting.UPLOAD_MAX_BYTES.defaultValue());
    }

    @Override
    public void close() {
        if (events != null) {
            events.close();
        }
        if (streamReconciler != null) {
            streamReconciler.close();
        }
        if (streamEvents != null) {
            streamEvents.close();
        }
        if (viewerReports != null) {
            viewerReports.close();
        }
        if (chatArchive != null) {
            chatArchive.close();
        }
        if (uploads != null) {
            uploads.sweeper().close();
            uploads.reconciler().close();
        }
        if (relay != null) {
            relay.close();
        }
        if (accessBackfill != null) {
            accessBackfill.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (bodies != null) {
            bodies.close();
        }
    }

    /**
     * Mounts endpoints so that each runs off the IO thread with its caller authenticated and rate
     * limited: GET and HEAD as reads, the rest as writes, an upload's bytes as reads.
     */
    private record Routes(RoutingHandler routes, Authenticator authenticator, RateLimits rateLimits, BodyReceiver bodies) {
        /** An endpoint whose body, if any, is a small JSON document. */
        void add(String method, String template, Endpoint endpoint) {
            RateLimits.Kind kind = method.equals("GET") || method.equals("HEAD") ? RateLimits.Kind.READ : RateLimits.Kind.WRITE;
            routes.add(method, template, new EndpointHandler(authenticator, rateLimits, kind, bodies, endpoint, false));
        }

        /** An endpoint that streams its body (an upload) through {@code ApiRequest.receiveBody}. */
        void addStreaming(String method, String template, Endpoint endpoint) {
            routes.add(method, template, new EndpointHandler(authenticator, rateLimits, RateLimits.Kind.READ, bodies, endpoint,
                    true));
        }
    }
}
