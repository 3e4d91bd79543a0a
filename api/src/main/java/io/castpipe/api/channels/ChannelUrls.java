package io.castpipe.api.channels;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.Setting;

/** The addresses a channel is reached at: RTMP for OBS, HLS for viewers, WebSocket for chat. */
public record ChannelUrls(String rtmpBase, String publicUrl, String chatBase) {

    public static ChannelUrls from(CastpipeConfig config) {
        String host = config.string(Setting.HOST);
        return new ChannelUrls("rtmp://" + host + ":" + config.port(Setting.RTMP_PORT) + "/live", config.publicUrl(),
                config.chatPublicUrl());
    }

    public String rtmp() {
        return rtmpBase;
    }

    public String playback(String channel) {
        return publicUrl + "/live/" + channel + "/master.m3u8";
    }

    public String chat(String channel) {
        return chatBase + channel;
    }
}
