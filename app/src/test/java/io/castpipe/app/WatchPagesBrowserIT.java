package io.castpipe.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import org.junit.jupiter.api.Test;

import static io.castpipe.app.BrowserTests.SCREENSHOTS;
import static io.castpipe.app.BrowserTests.assumeBrowser;
import static io.castpipe.app.BrowserTests.awaitOk;
import static io.castpipe.app.BrowserTests.awaitReady;
import static io.castpipe.app.BrowserTests.putSource;
import static io.castpipe.app.BrowserTests.runScript;
import static io.castpipe.app.BrowserTests.send;
import static io.castpipe.app.BrowserTests.testClip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Castpipe's own viewer pages in headless Chromium against {@code ./castpipe} (watch-pages.mjs
 * drives them): an uploaded video plays on {@code /videos/{id}} and its quality menu switches
 * rendition, with a scrub preview over the seek bar; a stream ffmpeg publishes over RTMP plays on
 * {@code /watch/{channel}} in hls.js's low-latency mode with the LIVE badge, a latency readout
 * and a working "Back to live"; a signed-in viewer's chat message reaches an anonymous viewer as
 * text; the channel's owner, signed in in another browser, gets the moderation buttons on that
 * message, times its author out (whose next post is refused inline with {@code timed_out}) and
 * deletes it (gone for the anonymous viewer too); the anonymous viewer's chat WebSocket, routed
 * through the script, is closed at both ends as when the server goes away, and the panel shows
 * that it reconnects, connects again and gets the next message; the home page lists both. The pages are opened at 127.0.0.1 while the API's URLs name
 * localhost, as when a node is reached at another host name than CASTPIPE_HOST: media come from
 * another origin than the page's, which the content security policy must allow (any refusal is a
 * console error, and the test fails on those). Needs Debian's {@code chromium} and {@code npm ci}
 * in {@code app/src/test/js}; screenshots go to {@code target/screenshots/}.
 */
class WatchPagesBrowserIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHANNEL = "web-live";
    /** What watch-pages.mjs sends in the chat: markup that must show as these characters. */
    private static final String CHAT_TEXT = "<b>x</b> & <script>1</script>";

    @Test
    void viewersWatchAVideoAndALiveStreamAndChatOnThePages() throws Exception {
        assumeBrowser("the pages");
        Path dir = TestServices.tempDir("pages");
        Map<String, String> env = CastpipeProcess.freshNode(dir.resolve("data"));
        try (CastpipeProcess node = CastpipeProcess.start(env);
             Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(2))) {
            Path clip = testClip(ffmpeg, dir.resolve("clip.mp4"), 10);
            node.awaitHealthy(Duration.ofSeconds(30));
            String base = "http://127.0.0.1:" + node.httpPort;
            String admin = node.adminToken();
            String streamer = send("POST", base + "/api/users", admin, "{\"name\":\"streamer\"}", 201).get("token").asText();
            String fan = send("POST", base + "/api/users", admin, "{\"name\":\"fan\"}", 201).get("token").asText();
            JsonNode channel = send("POST", base + "/api/channels", streamer,
                    "{\"name\":\"" + CHANNEL + "\",\"title\":\"Test pattern live\",\"latency\":\"low\"}", 201);
            assertThat(channel.get("playbackUrl").asText()).as("the API names another host than the page's")
                    .startsWith("http://localhost:");

            String id = send("POST", base + "/api/videos", streamer,
                    "{\"title\":\"Test pattern\",\"description\":\"Ten seconds of colour bars.\"}", 201).get("id").asText();
            putSource(base, streamer, id, clip);
            awaitReady(base + "/api/videos/" + id, streamer, Duration.ofSeconds(60));

            // The stream starts now; the browser plays the video first, by when the stream is warm.
            FfmpegJob publisher = ffmpeg.command("publish").args("-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440", "-t", "120", "-c:v", "libx264", "-preset", "ultrafast",
                    "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
                    "-f", "flv", "rtmp://127.0.0.1:" + env.get("CASTPIPE_RTMP_PORT") + "/live/" + channel.get("streamKey").asText())
                    .start();
            awaitOk(base + "/live/" + CHANNEL + "/master.m3u8", Duration.ofSeconds(30));
            JsonNode r = runPages(base, id, fan, streamer);
            publisher.kill("pages seen");

            JsonNode vod = r.get("vod");
            JsonNode live = r.get("live");
            System.out.println("pages: video " + r.get("vodMs") + " ms, live " + r.get("liveMs") + " ms, home " + r.get("homeMs")
                    + " ms; quality " + vod.get("playingBefore").asText() + "p → " + vod.get("playingAfter").asText() + "p (menu "
                    + vod.get("qualityOptions") + "), latency readouts " + live.get("latencyReadouts") + ", paused "
                    + live.get("latencyPaused") + " s → Back to live " + live.get("latencyAfterBackToLive") + " s (jumped "
                    + live.get("backToLiveJump") + " s), LL-HLS parts loaded " + live.get("partRequests"));

            assertThat(r.get("problems")).as("console errors and exceptions in the pages: " + r).isEmpty();

            // (a) The video: plays, switches to the rendition chosen in the menu and plays on there.
            assertThat(vod.get("title").asText()).isEqualTo("Test pattern");
            assertThat(vod.get("qualityOptions")).as(vod.toString()).hasSizeGreaterThanOrEqualTo(3);
            assertThat(vod.get("qualityOptions").get(0).asText()).startsWith("Auto");
            String chosen = vod.get("chosen").asText().replaceAll("p .*", "");
            assertThat(vod.get("playingAfter").asText()).as(vod.toString()).isEqualTo(chosen)
                    .isNotEqualTo(vod.get("playingBefore").asText());
            assertThat(vod.get("videoHeight").asInt()).isEqualTo(Integer.parseInt(chosen));
            assertThat(vod.get("readout").asText()).isEqualTo(chosen + "p");
            assertThat(vod.get("advancedAfterSwitch").asDouble()).as(vod.toString()).isGreaterThanOrEqualTo(1.0);
            assertThat(vod.get("poster").asText()).endsWith("/vod/" + id + "/thumbs/poster.jpg");
            assertThat(vod.get("preview").get("image").asText()).contains("/vod/" + id + "/thumbs/sprite-1.jpg");
            assertThat(vod.get("spriteLoads").asBoolean()).as("the storyboard's sprite sheet loads").isTrue();

            // (b) The live stream: plays on in low-latency mode, LIVE badge, latency in figures, Back to live.
            assertThat(live.get("badge").asText()).isEqualTo("LIVE");
            assertThat(live.get("advanced").asDouble()).as(live.toString()).isGreaterThanOrEqualTo(3.5);
            List<String> readouts = JSON.convertValue(live.get("latencyReadouts"), JSON.getTypeFactory()
                    .constructCollectionType(List.class, String.class));
            assertThat(readouts).as(live.toString()).allMatch(t -> t.matches("\\d+\\.\\d s behind"));
            assertThat(live.get("partRequests").asInt()).as("LL-HLS parts loaded: hls.js in low-latency mode, as the channel's latency asks")
                    .isGreaterThan(0);
            // Paused 4 s, the player is that much further behind than hls.js's target; Back to live seeks
            // towards the edge that hls.js knows (its playlist may be a second or two old by then).
            assertThat(live.get("backToLiveJump").asDouble()).as(live.toString()).isGreaterThanOrEqualTo(1.0);
            assertThat(live.get("latencyAfterBackToLive").asDouble()).as(live.toString())
                    .isLessThan(live.get("latencyPaused").asDouble());
            assertThat(live.get("pausedAfterBackToLive").asBoolean()).isFalse();
            assertThat(live.get("wideSideBySide").asBoolean()).as("player and chat side by side on a wide screen").isTrue();
            assertThat(live.get("narrowStacked").asBoolean()).as("chat below the player on a narrow screen").isTrue();

            // (c) Chat: the signed-in viewer's message reaches the anonymous one, as text.
            assertThat(live.get("fanChatState").asText()).isEqualTo("Connected");
            assertThat(live.get("anonHasInput").asBoolean()).as("no send box without a token").isFalse();
            assertThat(live.get("anonFooter").asText()).contains("sign in on the dashboard");
            assertThat(live.get("anonSaw").get("text").asText()).isEqualTo(CHAT_TEXT);
            assertThat(live.get("anonSaw").get("user").asText()).isEqualTo("fan");
            assertThat(live.get("anonSaw").get("elementsInText").asInt()).isZero();
            assertThat(live.get("chatMarkupElements").asInt()).isZero();
            assertThat(live.get("fanSaw").asBoolean()).isTrue();

            // (d) Moderation: only the owner gets the buttons; a time-out refuses the next post; a delete reaches everyone.
            assertThat(live.get("ownerModeration").asText()).isEqualTo("Moderation (owner)");
            assertThat(JSON.convertValue(live.get("ownerActions"), List.class))
                    .containsExactly("Delete message by fan", "Time out fan", "Ban fan");
            assertThat(JSON.convertValue(live.get("viewersActions"), List.class)).as("buttons at the viewers").containsExactly(0, 0);
            assertThat(live.get("anonHadMessage").asText()).as("the message was there before the delete").isEqualTo(CHAT_TEXT);
            assertThat(live.get("fanTimeoutNotice").asText()).isEqualTo("fan was timed out for 10 min.");
            assertThat(live.get("fanRefusal").get("code").asText()).as(live.toString()).isEqualTo("timed_out");
            assertThat(live.get("fanRefusal").get("text").asText()).startsWith("you are timed out for ");
            assertThat(live.get("fanInputAfterRefusal").asText()).as("the refused text back in the box").isEqualTo("Am I still here?");
            assertThat(live.get("anonSawRefused").asInt()).isZero();
            assertThat(live.get("anonAfterDelete").get("text").asText()).isEqualTo("message deleted");
            assertThat(live.get("anonAfterDelete").get("originalShown").asInt()).isZero();

            // (e) Reconnect: the chat's WebSocket closed under the anonymous viewer; the panel says so and comes back.
            System.out.println("chat reconnect: " + live.get("reconnectMs") + " ms, states " + live.get("anonConnStates"));
            assertThat(live.get("anonBeforeCut").get("state").asText()).isEqualTo("ok");
            List<String> states = JSON.convertValue(live.get("anonConnStates"), JSON.getTypeFactory()
                    .constructCollectionType(List.class, String.class));
            assertThat(states).as("the states the panel showed after the cut").isNotEmpty()
                    .first().asString().matches("error: Disconnected; reconnecting in \\d+ s");
            assertThat(states).last().isEqualTo("ok: Connected");
            assertThat(live.get("anonNewSockets").asInt()).as("a new WebSocket").isEqualTo(1);
            assertThat(live.get("anonSawAfterReconnect").asText()).isEqualTo("Posted after the reconnect");
            assertThat(live.get("anonOriginalAfterReconnect").asInt()).as("the deleted message is not in the history again").isZero();

            JsonNode home = r.get("home");
            assertThat(home.get("liveLinks").asText()).contains("/watch/" + CHANNEL);
            assertThat(home.get("videoLinks").asText()).contains("/videos/" + id);
            assertThat(home.get("posterLoaded").asBoolean()).isTrue();

            node.terminate(Duration.ofSeconds(10));
        }
    }

    /** Runs watch-pages.mjs and returns its JSON line. */
    private static JsonNode runPages(String base, String videoId, String userToken, String ownerToken) throws Exception {
        return runScript("watch-pages.mjs", List.of(base, videoId, CHANNEL, userToken, ownerToken, CHAT_TEXT,
                SCREENSHOTS.toAbsolutePath().toString()), Map.of(), Duration.ofSeconds(150));
    }
}
