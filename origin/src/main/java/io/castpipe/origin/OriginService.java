package io.castpipe.origin;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.http.Cors;
import io.castpipe.common.auth.PlaybackTokens;
import io.castpipe.common.config.Setting;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.net.TrustedProxies;
import io.castpipe.common.node.DaemonThreads;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.node.Service;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.origin.access.AccessHandler;
import io.castpipe.origin.access.VideoAccess;
import io.castpipe.origin.cache.CachePolicy;
import io.castpipe.origin.cache.ObjectCache;
import io.castpipe.origin.http.ReadOnlyMethods;
import io.castpipe.origin.http.DeliveryHandler;
import io.castpipe.origin.http.FetchHandler;
import io.castpipe.origin.http.GuardHandler;
import io.castpipe.origin.http.PreconditionsHandler;
import io.castpipe.origin.http.ReplyEncoder;
import io.castpipe.origin.live.BlockedReloads;
import io.castpipe.origin.live.LiveChannels;
import io.castpipe.origin.live.LivePathHandler;
import io.castpipe.origin.live.LiveUpdates;
import io.castpipe.origin.live.LiveWaitHandler;
import io.castpipe.origin.live.LiveWindows;
import io.castpipe.origin.live.PlaylistDeltas;
import io.castpipe.origin.live.ViewerCounter;
import io.castpipe.origin.live.ViewerReports;
import io.castpipe.origin.vod.VodCachePolicy;
import io.castpipe.origin.vod.VodPathHandler;
import io.undertow.server.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin role: HLS delivery from object storage on the node's HTTP listener. Mounts
 * {@code /vod} and {@code /live} (see the module README for the handler chain, the cache and the header policy).
 */
public final class OriginService implements Service {
    private static final Logger log = LoggerFactory.getLogger(OriginService.class);
    private static final long MIB = 1024L * 1024;
    /** Storage reads in parallel; matches the S3 client's connection pool. */
    static final int STORAGE_THREADS = 64;
    static final Duration STORAGE_TIMEOUT = Duration.ofSeconds(20);
    static final long STREAM_CHUNK_BYTES = 4 * MIB;
    /** Between announcements a live playlist may be a second old at most. */
    static final Duration LIVE_PLAYLIST_TTL = Duration.ofSeconds(1);

    private final NodeContext ctx;
    private final ThreadPoolExecutor storageExecutor;
    private final ObjectCache cache;
    private final HttpHandler vod;
    private final HttpHandler live;
    private final LiveChannels channels;
    private final LiveUpdates updates;
    private final EventPublisher publisher;
    private final ViewerReports viewerReports;
    private final BlockedReloads reloads;
    private volatile boolean open;

    public OriginService(NodeContext ctx) {
        this.ctx = ctx;
        long cacheBytes = ctx.config().integer(Setting.ORIGIN_CACHE_MB, 1, 1_048_576) * MIB;
        ObjectStore store = ctx.objectStore();
        this.storageExecutor = new ThreadPoolExecutor(STORAGE_THREADS, STORAGE_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.numbered("origin-storage-"));
        storageExecutor.allowCoreThreadTimeOut(true);
        VodCachePolicy vodPolicy = new VodCachePolicy();
        CachePolicy policy = key -> key.startsWith("vod/") ? vodPolicy.ttl(key)
                : key.startsWith(ObjectKeys.accessPrefix()) ? VideoAccess.RECORD_TTL
                : key.endsWith(".m3u8") ? LIVE_PLAYLIST_TTL : null;
        this.cache = new ObjectCache(store, cacheBytes, policy, storageExecutor, ctx.metrics().registry());

        long sharedMaxAge = ctx.config().integer(Setting.CDN_MAX_AGE_SECONDS, 1, 86_400);
        TrustedProxies proxies = TrustedProxies.fromConfig(ctx.config());

        HttpHandler delivery = new DeliveryHandler(store, new ReplyEncoder(store, STREAM_CHUNK_BYTES, cache::invalidate),
                sharedMaxAge);
        HttpHandler fetch = new FetchHandler(cache, STORAGE_TIMEOUT, delivery);
        HttpHandler preconditions = new PreconditionsHandler(fetch);
        VideoAccess videoAccess = new VideoAccess(cache);
        PlaybackTokens tokens = new PlaybackTokens(ctx.signingSecret());
        Optional<String> admin = adminToken(ctx);
        this.vod = new GuardHandler(() -> open, new Cors(ReadOnlyMethods.CORS, new ReadOnlyMethods(new VodPathHandler(
                new AccessHandler(videoAccess, tokens, admin, Clock.systemUTC(), STORAGE_TIMEOUT, preconditions)))));

        this.channels = new LiveChannels(ctx.supervisor(), ctx.kafka(), ctx.topics());
        this.reloads = new BlockedReloads(ctx.config().integer(Setting.ORIGIN_BLOCKED_PER_ADDRESS, 1, BlockedReloads.MAX_WAITING));
        PlaylistDeltas deltas = new PlaylistDeltas(ctx.metrics().registry());
        LiveWindows windows = new LiveWindows();
        this.updates = new LiveUpdates(ctx.supervisor(), ctx.kafka(), ctx.topics(), cache, reloads, deltas, windows);
        ViewerCounter viewers = new ViewerCounter(
                Duration.ofSeconds(ctx.config().integer(Setting.ORIGIN_VIEWER_WINDOW_SECONDS, 2, 3600)));
        this.publisher = new EventPublisher(ctx.kafka(), ctx.topics(), "origin-viewers");
        this.viewerReports = new ViewerReports(viewers, publisher, ctx.nodeId(), ctx.metrics().registry());
        HttpHandler liveWait = new LiveWaitHandler(reloads, deltas, proxies, preconditions);
        this.live = new GuardHandler(() -> open, new Cors(ReadOnlyMethods.CORS, new ReadOnlyMethods(new LivePathHandler(channels, windows,
                viewers, proxies, new AccessHandler(videoAccess, tokens, admin, Clock.systemUTC(), STORAGE_TIMEOUT, liveWait)))));
    }

    @Override
    public void start() {
        open = true;
        channels.start();
        reloads.start(ctx.supervisor());
        updates.start();
        viewerReports.start(ctx.supervisor());
        ctx.http().prefix("/vod", vod);
        ctx.http().prefix("/live", live);
        long heap = Runtime.getRuntime().maxMemory();
        if (cache.maxBytes() > heap / 2) {
            log.warn("{}={} MiB is more than half the JVM heap ({} MiB); raise -Xmx or lower it",
                    Setting.ORIGIN_CACHE_MB.env(), cache.maxBytes() / MIB, heap / MIB);
        }
        log.info("origin {} serving /vod and /live from object storage; {} MiB hot-object cache, objects up to {} KiB cached",
                ctx.nodeId(), cache.maxBytes() / MIB, cache.maxObjectBytes() / 1024);
    }

    /** The hot-object cache, for whatever pushes fresh objects into it (live announcements). */
    public ObjectCache cache() {
        return cache;
    }

    @Override
    public void close() {
        open = false;
        viewerReports.close();
        publisher.close();
        updates.close();
        reloads.close();
        channels.close();
        storageExecutor.shutdownNow();
        cache.close();
    }

    /** The origin role runs without the admin token; the all-in-one node has one. */
    private static Optional<String> adminToken(NodeContext ctx) {
        try {
            return Optional.of(ctx.adminToken());
        } catch (IllegalStateException notGiven) {
            return Optional.empty();
        }
    }
}
