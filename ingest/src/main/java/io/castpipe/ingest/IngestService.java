package io.castpipe.ingest;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.node.Service;
import io.castpipe.common.node.Supervised;
import io.castpipe.ingest.chunk.ReassemblyPool;
import io.castpipe.ingest.chunk.RtmpChunkDecoder;
import io.castpipe.ingest.chunk.RtmpChunkEncoder;
import io.castpipe.ingest.handshake.HandshakeHandler;
import io.castpipe.ingest.publish.ChannelPublishes;
import io.castpipe.ingest.publish.KeyChecks;
import io.castpipe.ingest.publish.MediaSink;
import io.castpipe.ingest.publish.StreamControls;
import io.castpipe.ingest.publish.StreamKeys;
import io.castpipe.ingest.session.ErrorHandler;
import io.castpipe.ingest.session.InboundBytes;
import io.castpipe.ingest.session.PublishDeadline;
import io.castpipe.ingest.session.Refusals;
import io.castpipe.ingest.session.RtmpSession;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest role: an RTMP server on Netty that takes streams from OBS and ffmpeg, checks their
 * stream keys against the database and puts every media tag on {@code media.live}, with
 * STARTED/ENDED on {@code stream.events}; ends publishes that {@code stream.control} orders ended. Pipeline per connection:
 * <pre>
 * InboundBytes → ReadTimeoutHandler → HandshakeHandler → RtmpChunkDecoder / RtmpChunkEncoder → PublishDeadline
 *     → RtmpSession → ErrorHandler
 * </pre>
 */
public final class IngestService implements Service {
    private static final Logger log = LoggerFactory.getLogger(IngestService.class);
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    /** Longer than a publisher's in-flight budget lasts, so that the budget is what ends a stream in an outage. */
    static final Duration MEDIA_DELIVERY_TIMEOUT = Duration.ofMinutes(2);

    private final NodeContext ctx;
    private final ChannelPublishes live = new ChannelPublishes();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private ChannelGroup channels;
    private Channel server;
    private EventPublisher publisher;
    private MediaSink sink;
    private StreamControls controls;
    private Supervised heartbeats;
    private KeyChecks keyChecks;
    private int port;

    private final Duration idleTimeout;
    private final Duration handshakeTimeout;

    public IngestService(NodeContext ctx) {
        this(ctx, IDLE_TIMEOUT, HANDSHAKE_TIMEOUT);
    }

    /** With other timeouts: for tests. */
    IngestService(NodeContext ctx, Duration idleTimeout, Duration handshakeTimeout) {
        this.ctx = ctx;
        this.idleTimeout = idleTimeout;
        this.handshakeTimeout = handshakeTimeout;
    }

    /** The port the server listens on. */
    public int port() {
        return port;
    }

    @Override
    public void start() throws Exception {
        CastpipeConfig config = ctx.config();
        String bindAddress = config.string(Setting.BIND_ADDRESS);
        int configuredPort = config.port(Setting.RTMP_PORT);
        int maxConnections = config.integer(Setting.RTMP_MAX_CONNECTIONS, 1, 1_000_000);
        int maxPerAddress = config.integer(Setting.RTMP_MAX_CONNECTIONS_PER_ADDRESS, 1, 1_000_000);
        Duration publishTimeout = Duration.ofSeconds(config.integer(Setting.RTMP_PUBLISH_TIMEOUT_SECONDS, 1, 120));
        int bufferMb = config.integer(Setting.RTMP_BUFFER_MB, 1, 1_048_576);
        StreamKeys keys = new StreamKeys(ctx.database());
        keyChecks = new KeyChecks(keys, maxConnections);

        MeterRegistry meters = ctx.metrics().registry();
        Refusals refusals = new Refusals(meters);
        ConnectionGate gate = new ConnectionGate(maxConnections, maxPerAddress, refusals);
        ReassemblyPool reassembly = new ReassemblyPool(bufferMb * 1024L * 1024L);
        meters.gauge("castpipe.ingest.connections", gate.connections());
        meters.gauge("castpipe.ingest.live.streams", live, ChannelPublishes::size);
        Gauge.builder("castpipe.ingest.key.lookups", keyChecks, KeyChecks::inProgress)
                .description("stream-key lookups queued or running, at most one per connection").register(meters);
        for (ReassemblyPool.Share share : List.of(reassembly.beforePublish(), reassembly.publishing())) {
            Gauge.builder("castpipe.ingest.reassembly.bytes", share, ReassemblyPool.Share::held)
                    .tag("share", share == reassembly.publishing() ? "publishing" : "before_publish")
                    .description("bytes RTMP connections hold in messages still arriving, by share of the pool").register(meters);
        }
        Counter accepted = Counter.builder("castpipe.ingest.publishes").tag("result", "accepted").register(meters);
        Counter refused = Counter.builder("castpipe.ingest.publishes").tag("result", "refused").register(meters);
        Counter bytesIn = Counter.builder("castpipe.ingest.bytes.in").description("bytes received from RTMP peers").register(meters);

        // A broker outage holds a stream's media back rather than ending the broadcast: how long it
        // may last is the publisher's in-flight budget (about 50 s of a 30 fps stream), not a timeout.
        publisher = EventPublisher.ofMedia(ctx.kafka(), ctx.topics(), "ingest", MEDIA_DELIVERY_TIMEOUT);
        sink = new MediaSink(publisher);
        controls = new StreamControls(ctx.supervisor(), ctx.kafka(), ctx.topics(), live, keys, meters);
        controls.start(); // positioned before the first connection: no order is missed
        RtmpSession.Shared shared = new RtmpSession.Shared(keyChecks, live, sink, accepted, refused);
        // The API ends a live stream it stops hearing this from: an ingest process that died sends no ENDED.
        heartbeats = ctx.supervisor().every("ingest-heartbeats", StreamEvent.ALIVE_EVERY, Duration.ofSeconds(30),
                () -> live.publishes().forEach(p -> sink.event(StreamEvent.alive(p.streamId(), p.channelId()))));

        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("rtmp-accept", true), NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("rtmp-io", true), NioIoHandler.newFactory());
        channels = new DefaultChannelGroup("rtmp", GlobalEventExecutor.INSTANCE);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!gate.admit(ch)) {
                            return;
                        }
                        channels.add(ch);
                        InboundBytes inbound = new InboundBytes(bytesIn);
                        RtmpChunkDecoder decoder = new RtmpChunkDecoder(reassembly);
                        RtmpChunkEncoder encoder = new RtmpChunkEncoder();
                        ch.pipeline().addLast("bytes", inbound)
                                .addLast("idle", new ReadTimeoutHandler(idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                                .addLast("handshake", new HandshakeHandler(handshakeTimeout.toMillis()))
                                .addLast("chunk-decoder", decoder)
                                .addLast("chunk-encoder", encoder)
                                .addLast("publish-deadline", new PublishDeadline(publishTimeout, refusals))
                                .addLast("session", new RtmpSession(shared, inbound, decoder, encoder))
                                .addLast("errors", new ErrorHandler(refusals));
                    }
                });
        try {
            server = b.bind(new InetSocketAddress(bindAddress, configuredPort)).sync().channel();
        } catch (Exception e) {
            close();
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw ConfigException.portInUse("RTMP", configuredPort, Setting.RTMP_PORT, e);
            }
            throw e;
        }
        port = ((InetSocketAddress) server.localAddress()).getPort();
        log.info("RTMP ingest listening on {}:{} (at most {} connections, {} from one address; {} MiB for messages in progress;"
                + " publish within {} s)", bindAddress, port, maxConnections, maxPerAddress, bufferMb, publishTimeout.toSeconds());
    }

    @Override
    public void close() {
        if (heartbeats != null) {
            heartbeats.close();
        }
        if (controls != null) {
            controls.close();
        }
        if (server != null) {
            server.close().awaitUninterruptibly(1000);
        }
        if (channels != null) {
            channels.close().awaitUninterruptibly(1000);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2000);
        }
        if (keyChecks != null) {
            keyChecks.close();
        }
        if (sink != null) {
            sink.close(1500); // ENDED events of the streams just closed go out first
        }
        if (publisher != null) {
            publisher.close();
        }
    }
}
