package io.castpipe.api.streams;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.api.auth.Caller;
import io.castpipe.api.channels.Channel;
import io.castpipe.api.channels.ChannelLookup;
import io.castpipe.api.channels.ChannelUrls;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.IngestFigures;
import io.castpipe.common.events.LadderFigures;
import io.castpipe.common.events.StreamControl;
import io.castpipe.common.http.JsonResponses;
import io.castpipe.common.live.ViewerCounts;

/**
 * {@code GET /api/live} (what is live now), {@code GET /api/streams/{id}} (one broadcast) and
 * {@code POST /api/streams/{id}/end} (its channel's owner or the admin ends it).
 */
public final class StreamsEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LIVE_LIMIT = 500;

    private final StreamRepository streams;
    private final ViewerCounts viewers;
    private final ChannelUrls urls;
    private final IngestWarnings warnings;
    private final ChannelLookup channels;
    private final LiveControl control;

    public StreamsEndpoint(StreamRepository streams, ViewerCounts viewers, ChannelUrls urls, IngestWarnings warnings,
                           ChannelLookup channels, LiveControl control) {
        this.streams = streams;
        this.viewers = viewers;
        this.urls = urls;
        this.warnings = warnings;
        this.channels = channels;
        this.control = control;
    }

    public void live(ApiRequest request) throws Exception {
        List<Map<String, Object>> items = streams.live(LIVE_LIMIT).stream().map(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("channel", s.channelName());
            m.put("streamId", s.id());
            m.put("startedAt", s.startedAt().toString());
            m.put("viewers", viewers.viewers(s.id()));
            m.put("playbackUrl", urls.playback(s.channelName()));
            return m;
        }).toList();
        JsonResponses.send(request.exchange(), 200, items);
    }

    public void get(ApiRequest request) throws Exception {
        String id = request.id("id");
        LiveStream s = streams.find(id).orElseThrow(() -> ApiException.notFound("no stream " + id));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("channel", s.channelName());
        m.put("status", s.status());
        m.put("startedAt", s.startedAt().toString());
        m.put("endedAt", s.endedAt() == null ? null : s.endedAt().toString());
        m.put("viewers", s.status().equals("live") ? viewers.viewers(s.id()) : 0);
        m.put("codecs", Map.of("video", String.valueOf(s.videoCodec()), "audio", String.valueOf(s.audioCodec())));
        m.put("playbackUrl", s.status().equals("live") ? urls.playback(s.channelName()) : null);
        // What the encoder sends and declares (its software among it) and why a stream ended are the streamer's.
        if (channels.find(s.channelName()).manageableBy(request.caller())) {
            if (s.endReason() != null) {
                m.put("endReason", s.endReason());
            }
            IngestFigures measured = s.ingestJson() == null ? null
                    : EventCodec.decode(s.ingestJson().getBytes(StandardCharsets.UTF_8), IngestFigures.class);
            Map<String, Object> declared = declared(s.metadataJson());
            m.put("ingest", ingest(s, measured));
            m.put("ladder", ladder(s.ladderJson()));
            m.put("declared", declared);
            m.put("warnings", warnings.of(measured, declared.get("fps") instanceof Number n ? n.doubleValue() : null));
        }
        JsonResponses.send(request.exchange(), 200, m);
    }

    /**
     * Orders the stream's ingest node to end it: 202 once the order is on its way (the stream shows
     * {@code ended} when ingest has ended it), 409 {@code not_live} once it has ended.
     */
    public void end(ApiRequest request) throws Exception {
        String id = request.id("id");
        LiveStream s = streams.find(id).orElseThrow(() -> ApiException.notFound("no stream " + id));
        Caller caller = request.caller();
        Channel channel = channels.manageable(s.channelName(), caller);
        if (!s.status().equals("live")) {
            throw ApiException.conflict("not_live", "stream " + id + " has ended");
        }
        control.endStream(id, channel.id(), caller.isAdmin() ? StreamControl.ENDED_BY_ADMIN : StreamControl.ENDED_BY_OWNER);
        JsonResponses.send(request.exchange(), 202, Map.of("status", "ending"));
    }

    /** What ingest measured of the media that arrived; nulls until it has. */
    private static Map<String, Object> ingest(LiveStream s, IngestFigures f) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("videoBitrateKbps", f == null ? null : f.videoBitrateKbps());
        out.put("audioBitrateKbps", f == null ? null : f.audioBitrateKbps());
        out.put("fps", f == null ? null : f.fps());
        out.put("keyframeIntervalSeconds", f == null ? null : f.keyframeIntervalSeconds());
        out.put("maxKeyframeIntervalSeconds", f == null ? null : f.maxKeyframeIntervalSeconds());
        out.put("videoCodec", s.videoCodec());
        out.put("audioCodec", s.audioCodec());
        out.put("width", f == null ? null : f.width());
        out.put("height", f == null ? null : f.height());
        out.put("measuredAt", f == null ? null : f.measuredAt().toString());
        return out;
    }

    /**
     * How the transcoder encodes the renditions: its preset and step, whether that is shed from
     * the configured ladder because it did not keep up, which renditions carry the source, whether
     * a move is under way, how far behind the input it is, the CPU its ffmpeg uses, whether the
     * transcoder's CPU budget holds it below the configured ladder; nulls until a transcoder has said.
     */
    private static Map<String, Object> ladder(String ladderJson) {
        LadderFigures f = ladderJson == null ? null
                : EventCodec.decode(ladderJson.getBytes(StandardCharsets.UTF_8), LadderFigures.class);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("preset", f == null ? null : f.preset());
        out.put("configuredPreset", f == null ? null : f.configuredPreset());
        out.put("step", f == null ? null : f.step() == null ? (f.shed() ? "fastest-preset" : LadderFigures.CONFIGURED) : f.step());
        out.put("shed", f == null ? null : f.shed());
        out.put("sourceRenditions", f == null || f.sourceRenditions() == null ? List.of() : f.sourceRenditions());
        out.put("switching", f == null ? null : f.switching());
        out.put("behindSeconds", f == null ? null : f.behindSeconds());
        out.put("since", f == null || f.since() == null ? null : f.since().toString());
        out.put("cpuCores", f == null ? null : f.cpuCores());
        out.put("heldBy", f == null ? null : f.heldBy());
        out.put("measuredAt", f == null ? null : f.measuredAt().toString());
        return out;
    }

    /** What the publisher declared in onMetaData: picture size, frame rate, bit rates, encoder. */
    private static Map<String, Object> declared(String metadataJson) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        if (metadataJson == null) {
            return out;
        }
        JsonNode md = JSON.readTree(metadataJson);
        copy(md, "width", out, "width");
        copy(md, "height", out, "height");
        copy(md, "framerate", out, "fps");
        copy(md, "videodatarate", out, "videoBitrateKbps");
        copy(md, "audiodatarate", out, "audioBitrateKbps");
        copy(md, "encoder", out, "encoder");
        return out;
    }

    private static void copy(JsonNode from, String field, Map<String, Object> to, String as) {
        JsonNode v = from.get(field);
        if (v != null && !v.isNull()) {
            to.put(as, v.isNumber() ? v.numberValue() : v.asText());
        }
    }
}
