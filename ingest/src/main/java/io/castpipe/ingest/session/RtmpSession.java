package io.castpipe.ingest.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.events.IngestFigures;
import io.castpipe.common.events.MediaTag;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.media.Ids;
import io.castpipe.ingest.amf.Amf0;
import io.castpipe.ingest.amf.Amf0Decoder;
import io.castpipe.ingest.amf.Amf0Encoder;
import io.castpipe.ingest.chunk.RtmpChunkDecoder;
import io.castpipe.ingest.chunk.RtmpChunkEncoder;
import io.castpipe.ingest.chunk.RtmpLimitException;
import io.castpipe.ingest.chunk.RtmpMessage;
import io.castpipe.ingest.chunk.RtmpProtocolException;
import io.castpipe.ingest.publish.Channel;
import io.castpipe.ingest.publish.ChannelPublishes;
import io.castpipe.ingest.publish.FlvTags;
import io.castpipe.ingest.publish.IngestMeter;
import io.castpipe.ingest.publish.KeyChecks;
import io.castpipe.ingest.publish.LivePublish;
import io.castpipe.ingest.publish.MediaSink;
import io.castpipe.ingest.publish.StreamControls;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RTMP connection after the handshake: protocol control, the command flow of a publisher
 * (connect → releaseStream → FCPublish → createStream → publish) and its media. Runs on the
 * connection's event loop; the stream-key lookup runs on {@link KeyChecks} and comes back. The
 * {@link PublishDeadline} before it in the pipeline says when a publish is overdue.
 */
public final class RtmpSession extends SimpleChannelInboundHandler<RtmpMessage> {
    private static final Logger log = LoggerFactory.getLogger(RtmpSession.class);
    public static final String APP = "live";
    public static final int OUT_CHUNK_SIZE = 4096;
    public static final int WINDOW = 2_500_000;
    private static final int CSID_CONTROL = 2;
    private static final int CSID_COMMAND = 3;
    private static final int CSID_STATUS = 5;
    private static final int PUBLISH_STREAM = 1;
    private static final int MAX_METADATA_ENTRIES = 64;
    private static final int MAX_PENDING_BYTES = RtmpChunkDecoder.MAX_HELD_BEFORE_PUBLISH;
    private static final long REFUSAL_LINGER_MILLIS = 1000;
    /** How often a live stream's measured figures go to {@code stream.events}. */
    public static final long FIGURES_EVERY_MILLIS = 5000;

    /** What every session shares. */
    public record Shared(KeyChecks keyChecks, ChannelPublishes live, MediaSink sink, Counter accepted, Counter refused) {
    }

    private enum State { CONNECTING, CONNECTED, CHECKING_KEY, PUBLISHING, ENDED }

    private final Shared shared;
    private final InboundBytes inbound;
    private final RtmpChunkDecoder decoder;
    private final RtmpChunkEncoder encoder;
    private State state = State.CONNECTING;
    private long ackWindow = WINDOW; // until the peer names its own
    private long acked;
    private Channel channel;
    private String streamId;
    private LivePublish publish;
    private boolean started;
    private boolean sawVideo;
    /** The latest AVC and AAC sequence headers, repeated before each keyframe. */
    private byte[] videoConfig;
    private byte[] audioConfig;
    /** The publisher's own configuration came just now: the next keyframe needs no copy. */
    private boolean configJustSent;
    private long lastAudioTimestamp;
    private boolean sawAudio;
    private Map<String, Object> metadata;
    private MediaSink.InFlight inFlight;
    private final List<RtmpMessage> pending = new ArrayList<>();
    private int pendingBytes;
    private boolean refused;
    private final IngestMeter meter = new IngestMeter();
    private boolean measuredSinceReport;
    private Future<?> reports;
    private KeyChecks.Pending keyCheck;

    public RtmpSession(Shared shared, InboundBytes inbound, RtmpChunkDecoder decoder, RtmpChunkEncoder encoder) {
        this.shared = shared;
        this.inbound = inbound;
        this.decoder = decoder;
        this.encoder = encoder;
    }

    /** The publish is overdue: a peer that was answered {@code connect} is told why; closed either way. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!(event instanceof PublishDeadline.Expired expired)) {
            ctx.fireUserEventTriggered(event);
        } else if (state == State.CONNECTING) {
            ctx.close();
        } else {
            refuse(ctx, "NetStream.Publish.Denied", expired.why() + "; publish with your stream key right after connecting");
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RtmpMessage m) throws Exception {
        if (refused) {
            return;
        }
        if (state == State.CHECKING_KEY) {
            // What came after publish while the key is checked (commands and control: the decoder takes
            // nothing else yet) is handled after it, in order.
            pendingBytes += m.payload().length;
            if (pendingBytes > MAX_PENDING_BYTES) {
                throw new RtmpLimitException(RtmpLimitException.BEFORE_PUBLISH,
                        "more than " + MAX_PENDING_BYTES + " bytes sent before the publish was accepted");
            }
            pending.add(m);
            return;
        }
        handle(ctx, m);
    }

    private void handle(ChannelHandlerContext ctx, RtmpMessage m) {
        switch (m.typeId()) {
            case RtmpMessage.WINDOW_ACK_SIZE:
                ackWindow = u32(m.payload());
                break;
            case RtmpMessage.ACKNOWLEDGEMENT:
            case RtmpMessage.USER_CONTROL:
            case RtmpMessage.SET_PEER_BANDWIDTH:
                break;
            case RtmpMessage.COMMAND_AMF0:
                command(ctx, Amf0Decoder.decodeAll(m.payload()));
                break;
            case RtmpMessage.COMMAND_AMF3:
                command(ctx, Amf0Decoder.decodeAll(skipFirst(m.payload())));
                break;
            case RtmpMessage.DATA_AMF0:
                data(ctx, m, Amf0Decoder.decodeAll(m.payload()));
                break;
            case RtmpMessage.DATA_AMF3:
                data(ctx, m, Amf0Decoder.decodeAll(skipFirst(m.payload())));
                break;
            case RtmpMessage.AUDIO:
            case RtmpMessage.VIDEO:
                media(ctx, m);
                break;
            case RtmpMessage.AGGREGATE:
                throw new RtmpProtocolException("aggregate messages are not supported");
            default:
                log.debug("rtmp {}: ignoring message type {}", ctx.channel().remoteAddress(), m.typeId());
        }
        long total = inbound.total();
        if (ackWindow > 0 && total - acked >= ackWindow) {
            acked = total;
            ctx.writeAndFlush(control(RtmpMessage.ACKNOWLEDGEMENT, u32Bytes((int) total)));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (keyCheck != null) {
            keyCheck.cancel();
        }
        endStream("the connection closed");
        super.channelInactive(ctx);
    }

    // ---- commands ----

    private void command(ChannelHandlerContext ctx, List<Object> args) {
        if (args.isEmpty() || !(args.get(0) instanceof String name)) {
            throw new RtmpProtocolException("command without a name");
        }
        double txn = args.size() > 1 && args.get(1) instanceof Double d ? d : 0;
        switch (name) {
            case "connect" -> connect(ctx, txn, args.size() > 2 ? args.get(2) : null);
            case "releaseStream", "FCPublish" -> {
                requireConnected(name);
                if (name.equals("FCPublish")) {
                    ctx.write(command(CSID_COMMAND, 0, "onFCPublish", 0, null,
                            status("status", "NetStream.Publish.Start", "FCPublish received")));
                }
                ctx.writeAndFlush(command(CSID_COMMAND, 0, "_result", txn, null, Amf0.UNDEFINED));
            }
            case "createStream" -> {
                requireConnected(name);
                ctx.writeAndFlush(command(CSID_COMMAND, 0, "_result", txn, null, (double) PUBLISH_STREAM));
            }
            case "publish" -> publish(ctx, args.size() > 3 ? args.get(3) : null);
            case "FCUnpublish" -> {
                endStream("the publisher unpublished");
                ctx.writeAndFlush(command(CSID_COMMAND, 0, "onFCUnpublish", 0, null,
                        status("status", "NetStream.Unpublish.Success", "unpublished")));
            }
            case "deleteStream", "closeStream" -> endStream("the publisher deleted the stream");
            case "play", "play2" -> refuse(ctx, "NetStream.Play.Failed", "this server takes streams; watch over HLS instead");
            default -> log.debug("rtmp {}: ignoring command {}", ctx.channel().remoteAddress(), name);
        }
    }

    private void connect(ChannelHandlerContext ctx, double txn, Object properties) {
        if (state != State.CONNECTING) {
            throw new RtmpProtocolException("connect sent twice");
        }
        String app = properties instanceof Map<?, ?> p && p.get("app") instanceof String s ? s : "";
        String bare = app.endsWith("/") ? app.substring(0, app.length() - 1) : app;
        if (!bare.equals(APP)) {
            ctx.writeAndFlush(command(CSID_COMMAND, 0, "_error", txn, null,
                    status("error", "NetConnection.Connect.Rejected", "unknown application '" + clip(app)
                            + "'; publish to rtmp://HOST/" + APP + " with your stream key")))
                    .addListener(ChannelFutureListener.CLOSE);
            log.info("rtmp {}: connect to unknown app '{}' refused", ctx.channel().remoteAddress(), clip(app));
            return;
        }
        state = State.CONNECTED;
        ctx.write(control(RtmpMessage.WINDOW_ACK_SIZE, u32Bytes(WINDOW)));
        byte[] peerBandwidth = Arrays.copyOf(u32Bytes(WINDOW), 5);
        peerBandwidth[4] = 2; // dynamic
        ctx.write(control(RtmpMessage.SET_PEER_BANDWIDTH, peerBandwidth));
        ctx.write(control(RtmpMessage.SET_CHUNK_SIZE, u32Bytes(OUT_CHUNK_SIZE)));
        encoder.chunkSize(OUT_CHUNK_SIZE);
        Map<String, Object> info = status("status", "NetConnection.Connect.Success", "Connection succeeded.");
        info.put("objectEncoding", 0.0);
        ctx.writeAndFlush(command(CSID_COMMAND, 0, "_result", txn,
                Amf0.object("fmsVer", "FMS/3,0,1,123", "capabilities", 31.0), info));
    }

    private void publish(ChannelHandlerContext ctx, Object key) {
        requireConnected("publish");
        if (state != State.CONNECTED) {
            throw new RtmpProtocolException("publish sent twice");
        }
        String streamKey = key instanceof String s ? s : "";
        state = State.CHECKING_KEY;
        // Nothing more is read until the key is checked: one lookup per connection at most.
        ctx.channel().config().setAutoRead(false);
        keyCheck = shared.keyChecks().check(streamKey, ctx.executor(), found -> keyChecked(ctx, streamKey, found));
    }

    private void keyChecked(ChannelHandlerContext ctx, String streamKey, Optional<Channel> found) {
        keyCheck = null;
        ctx.channel().config().setAutoRead(true);
        if (found == null || found.isEmpty()) {
            pending.clear();
        }
        if (!ctx.channel().isActive() || state != State.CHECKING_KEY) {
            return;
        }
        if (found == null) {
            shared.refused().increment();
            log.info("rtmp {}: the stream key could not be checked; publish refused", ctx.channel().remoteAddress());
            refuse(ctx, "NetStream.Publish.Denied", "the stream key cannot be checked right now; try again shortly");
            return;
        }
        if (found.isEmpty()) {
            shared.refused().increment();
            log.info("rtmp {}: publish with an unknown stream key refused", ctx.channel().remoteAddress());
            refuse(ctx, "NetStream.Publish.BadName", "stream key not recognised; copy it again from your channel settings");
            return;
        }
        Channel ch = found.get();
        String id = Ids.newId();
        LivePublish me = new LivePublish(ch.id(), id, streamKey,
                reason -> ctx.executor().execute(() -> endedByOrder(ctx, reason)));
        if (!shared.live().claim(me)) {
            shared.refused().increment();
            log.info("rtmp {}: channel {} is already live; second publisher refused", ctx.channel().remoteAddress(), ch.name());
            refuse(ctx, "NetStream.Publish.BadName", "channel " + ch.name()
                    + " is already live from another connection; stop that stream first");
            return;
        }
        shared.accepted().increment();
        channel = ch;
        streamId = id;
        publish = me;
        state = State.PUBLISHING;
        decoder.publishAccepted();
        PublishDeadline.lift(ctx.pipeline());
        inFlight = new MediaSink.InFlight(reason -> ctx.executor().execute(() -> {
            log.warn("rtmp {}: stream {}: {}; closing the publisher", ctx.channel().remoteAddress(), streamId, reason);
            ctx.close();
        }));
        byte[] begin = new byte[6];
        begin[5] = PUBLISH_STREAM; // event 0 (StreamBegin), stream id 1
        ctx.write(control(RtmpMessage.USER_CONTROL, begin));
        ctx.writeAndFlush(command(CSID_STATUS, PUBLISH_STREAM, "onStatus", 0, null,
                status("status", "NetStream.Publish.Start", "Publishing to channel " + ch.name() + ".")));
        log.info("rtmp {}: stream {} on channel {} is publishing", ctx.channel().remoteAddress(), streamId, ch.name());
        reports = ctx.executor().scheduleAtFixedRate(this::reportFigures, FIGURES_EVERY_MILLIS, FIGURES_EVERY_MILLIS,
                TimeUnit.MILLISECONDS);
        List<RtmpMessage> early = new ArrayList<>(pending);
        pending.clear();
        pendingBytes = 0;
        for (RtmpMessage m : early) {
            if (!ctx.channel().isActive() || state != State.PUBLISHING) {
                break;
            }
            try {
                handle(ctx, m);
            } catch (RuntimeException e) {
                ctx.fireExceptionCaught(e);
                break;
            }
        }
    }

    /** A {@code stream.control} order (or a takeover) ends this publish: the encoder is told why, the channel freed. */
    private void endedByOrder(ChannelHandlerContext ctx, String reason) {
        if (state != State.PUBLISHING) {
            return;
        }
        refuse(ctx, "NetStream.Publish.Denied", StreamControls.describe(reason), reason);
    }

    /**
     * Answers with an error status on the publish stream and closes shortly after: an encoder
     * busy sending (ffmpeg, OBS) reads its server's messages between writes, and shows the reason
     * only if the connection is still there to read it from. What arrives meanwhile is dropped.
     */
    private void refuse(ChannelHandlerContext ctx, String code, String description) {
        refuse(ctx, code, description, description);
    }

    /** As above, the stream (if it started) ending with {@code endReason}. */
    private void refuse(ChannelHandlerContext ctx, String code, String description, String endReason) {
        endStream(endReason);
        state = State.ENDED;
        refused = true;
        pending.clear();
        PublishDeadline.lift(ctx.pipeline());
        ctx.writeAndFlush(command(CSID_STATUS, PUBLISH_STREAM, "onStatus", 0, null, status("error", code, description)))
                .addListener(f -> ctx.executor().schedule(() -> ctx.close(), REFUSAL_LINGER_MILLIS, TimeUnit.MILLISECONDS));
    }

    private void requireConnected(String command) {
        if (state == State.CONNECTING) {
            throw new RtmpProtocolException(command + " before connect");
        }
    }

    // ---- data and media ----

    private void data(ChannelHandlerContext ctx, RtmpMessage m, List<Object> values) {
        if (state != State.PUBLISHING) {
            log.debug("rtmp {}: data message outside a publish ignored", ctx.channel().remoteAddress());
            return;
        }
        List<Object> v = !values.isEmpty() && "@setDataFrame".equals(values.get(0)) ? values.subList(1, values.size()) : values;
        if (v.isEmpty()) {
            return;
        }
        if ("onMetaData".equals(v.get(0)) && v.size() > 1 && v.get(1) instanceof Map<?, ?> map) {
            metadata = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object value = e.getValue();
                if (metadata.size() < MAX_METADATA_ENTRIES
                        && (value instanceof String || value instanceof Double || value instanceof Boolean)) {
                    metadata.put(String.valueOf(e.getKey()), value instanceof String s ? clip(s) : value);
                }
            }
        }
        Amf0Encoder body = new Amf0Encoder();
        v.forEach(body::write);
        emit(ctx, new MediaTag(streamId, channel.id(), MediaTag.Kind.SCRIPT, m.timestamp(), false, false,
                body.toByteArray(), System.currentTimeMillis(), channel.latency()));
    }

    private void media(ChannelHandlerContext ctx, RtmpMessage m) {
        if (state == State.ENDED) {
            return;
        }
        if (state != State.PUBLISHING) {
            throw new RtmpProtocolException("media before the publish was accepted");
        }
        boolean video = m.typeId() == RtmpMessage.VIDEO;
        FlvTags.Info info;
        try {
            info = video ? FlvTags.video(m.payload()) : FlvTags.audio(m.payload());
        } catch (FlvTags.UnsupportedMedia e) {
            log.info("rtmp {}: stream {}: {}; closing", ctx.channel().remoteAddress(), streamId, e.getMessage());
            refuse(ctx, "NetStream.Publish.Denied", e.getMessage());
            return;
        }
        if (!started) {
            started = true;
            shared.sink().event(StreamEvent.started(streamId, channel.id(), channel.name(),
                    video || metadata != null && metadata.containsKey("videocodecid") ? "h264" : null,
                    !video || metadata != null && metadata.containsKey("audiocodecid") ? "aac" : null, metadata));
        }
        sawVideo |= video;
        sawAudio |= !video;
        long now = System.currentTimeMillis();
        if (info.sequenceHeader()) {
            if (video) {
                videoConfig = m.payload();
                configJustSent = true;
            } else {
                audioConfig = m.payload();
            }
        } else if (video && info.keyframe() && videoConfig != null && !configJustSent) {
            // The codec configuration again before every keyframe: a transcoder that takes the stream
            // over mid-way starts from the next keyframe and needs nothing older.
            emit(ctx, new MediaTag(streamId, channel.id(), MediaTag.Kind.VIDEO, m.timestamp(), true, true, videoConfig, now,
                    channel.latency()));
            if (audioConfig != null) {
                // Stamped like the audio before it, so that audio timestamps never go back.
                emit(ctx, new MediaTag(streamId, channel.id(), MediaTag.Kind.AUDIO, lastAudioTimestamp, false, true, audioConfig,
                        now, channel.latency()));
            }
        }
        if (video && !info.sequenceHeader()) {
            configJustSent = false;
        }
        measure(video, info, m);
        if (!video) {
            lastAudioTimestamp = m.timestamp();
        }
        emit(ctx, new MediaTag(streamId, channel.id(), video ? MediaTag.Kind.VIDEO : MediaTag.Kind.AUDIO, m.timestamp(),
                info.keyframe(), info.sequenceHeader(), m.payload(), now, channel.latency()));
    }

    private void measure(boolean video, FlvTags.Info info, RtmpMessage m) {
        if (video && info.sequenceHeader()) {
            meter.videoConfig(m.payload());
        } else if (video && info.frame()) {
            meter.video(m.timestamp(), m.payload().length, info.keyframe());
        } else if (info.frame()) {
            meter.audio(m.timestamp(), m.payload().length);
        }
        measuredSinceReport = true;
    }

    /** The figures on {@code stream.events}, when media came since the last report. */
    private void reportFigures() {
        if (!started || !measuredSinceReport) {
            return;
        }
        IngestFigures figures = meter.figures(Instant.now());
        if (figures != null) {
            measuredSinceReport = false;
            shared.sink().event(StreamEvent.stats(streamId, channel.id(), channel.name(), figures));
            log.debug("stream {}: ingest figures {}", streamId, figures);
        }
    }

    private void emit(ChannelHandlerContext ctx, MediaTag tag) {
        if (!shared.sink().media(tag, inFlight)) {
            log.warn("rtmp {}: stream {}: Kafka is behind ({} records, {} bytes in flight); closing the publisher",
                    ctx.channel().remoteAddress(), streamId, inFlight.records(), inFlight.bytes());
            endStream("Kafka fell behind");
            state = State.ENDED;
            ctx.close();
        }
    }

    private void endStream(String reason) {
        if (streamId == null || state == State.ENDED) {
            state = State.ENDED;
            return;
        }
        if (reports != null) {
            reports.cancel(false);
        }
        reportFigures(); // the last seconds too, so a short stream has figures
        state = State.ENDED;
        if (started) {
            shared.sink().event(StreamEvent.ended(streamId, channel.id(), channel.name(), reason));
        }
        shared.live().release(publish);
        log.info("stream {} on channel {} ended: {} (video {}, audio {})", streamId, channel.name(), reason, sawVideo, sawAudio);
    }

    // ---- message building ----

    private static RtmpMessage control(int type, byte[] payload) {
        return new RtmpMessage(CSID_CONTROL, type, 0, 0, payload);
    }

    private static RtmpMessage command(int csid, int streamId, Object... values) {
        return new RtmpMessage(csid, RtmpMessage.COMMAND_AMF0, streamId, 0, Amf0Encoder.encode(values));
    }

    private static Map<String, Object> status(String level, String code, String description) {
        return Amf0.object("level", level, "code", code, "description", description);
    }

    private static byte[] u32Bytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static long u32(byte[] p) {
        if (p.length < 4) {
            throw new RtmpProtocolException("control message of " + p.length + " bytes is too short");
        }
        return ((long) (p[0] & 0xff) << 24) | ((p[1] & 0xff) << 16) | ((p[2] & 0xff) << 8) | (p[3] & 0xff);
    }

    private static byte[] skipFirst(byte[] p) {
        return p.length == 0 ? p : Arrays.copyOfRange(p, 1, p.length);
    }

    private static String clip(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
