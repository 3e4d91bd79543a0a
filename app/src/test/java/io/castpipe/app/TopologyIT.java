package io.castpipe.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The production topology from {@code deploy/run-topology} — Kafka and S3 in processes of their
 * own, Debian's PostgreSQL, ingest, two transcoders, two origins, two chat nodes, the api, and
 * Debian's nginx with the shipped configuration in front — with the three journeys in flight
 * through nginx ({@link TopologyJourneys}: a streamer publishing over RTMP and reconnecting as
 * OBS does, a viewer polling the live playlist and fetching its segments, a chat conversation, a
 * tus upload; {@link WatchPageViewer}: the watch page in Chromium, player and chat) while each
 * role process is SIGKILLed in turn and the script starts it again.
 */
class TopologyIT {
    /**
     * The longest a viewer may wait through nginx for the next live segment once a role is
     * killed: a new stream after the ingest is restarted and the streamer reconnects, a takeover
     * after a transcoder; for the others (two origins behind nginx, chat, the api) nothing more
     * than a busy machine adds.
     */
    private static final Map<String, Duration> LONGEST_GAP = Map.of("ingest", Duration.ofSeconds(75),
            "transcoder-1", Duration.ofSeconds(45), "transcoder-2", Duration.ofSeconds(45));
    private static final Duration UNAFFECTED = Duration.ofSeconds(15);

    @Test
    void theThreeJourneysGoOnThroughNginxWhileEachRoleIsKilledInTurn() throws Exception {
        assumeTrue(DeployedTopology.installable(), "install Debian's nginx and postgresql to run the topology");
        Path work = TestServices.tempDir("topology-media");
        long starting = System.nanoTime();
        try (DeployedTopology topology = DeployedTopology.start(Duration.ofMinutes(5));
             Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), work), Duration.ofMinutes(15))) {
            System.out.printf("topology: every role ready and nginx answering %.1f s after the script started%n",
                    (System.nanoTime() - starting) / 1e9);
            TopologyJourneys journeys = new TopologyJourneys(topology, ffmpeg, work);
            journeys.begin();
            WatchPageViewer browser = WatchPageViewer.open(topology.cdn(""), TopologyJourneys.CHANNEL, work);
            try {
                Map<String, String> figures = new LinkedHashMap<>();
                // The api first, while the upload is in flight; the transcoders while it is transcoded.
                for (String role : List.of("api", "transcoder-1", "transcoder-2", "origin-1", "origin-2", "chat-1", "chat-2", "ingest")) {
                    journeys.chat(role);
                    journeys.awaitChatEchoed(); // said before the kill, so meant to be seen after it
                    String stream = journeys.liveStream();
                    long pid = topology.pid(role);
                    long killed = System.nanoTime();
                    topology.kill(role);
                    journeys.chat(role + " killed");
                    topology.awaitRestarted(role, pid, Duration.ofMinutes(2));
                    double readyAfter = (System.nanoTime() - killed) / 1e9;
                    if (role.equals("ingest")) {
                        // The streamer's connection died with the ingest: it comes back as a new stream.
                        journeys.awaitNewStream(stream, Duration.ofMinutes(2));
                        journeys.recordings.add(stream);
                    }
                    double gap = journeys.awaitPlaying(killed, System.nanoTime(), LONGEST_GAP.getOrDefault(role, UNAFFECTED));
                    journeys.chat(role + " back");
                    figures.put(role, String.format("ready again %.1f s; longest wait for a live segment through nginx %.1f s",
                            readyAfter, gap));
                }
                journeys.awaitChatEchoed(); // the last "back" delivered before the browser's panel is read
                JsonNode watched = browser.close();
                journeys.finish();
                figures.forEach((role, f) -> System.out.printf("topology: %s SIGKILLed: %s%n", role, f));
                System.out.println("topology: " + journeys.summary());
                System.out.printf("topology: the browser played %.1f s of %.1f s watched, longest stall %.1f s, "
                        + "%d jumps ahead, chat panel states %s%n", watched.get("played").asDouble(), browser.watchedSeconds(),
                        watched.get("longestStall").asDouble(), watched.get("jumps").asInt(), watched.get("chatStates"));
                assertThat(watched.get("problems")).as("errors on the page").isEmpty();
                assertThat(watched.get("played").asDouble()).as("the browser played through the kills")
                        .isGreaterThan(browser.watchedSeconds() / 2);
                assertThat(watched.get("longestStall").asDouble()).as("the browser's longest stall")
                        .isLessThanOrEqualTo(LONGEST_GAP.get("ingest").toSeconds());
                List<String> panel = new ArrayList<>();
                watched.get("chat").forEach(t -> panel.add(t.asText()));
                assertThat(panel).as("what the test said in chat after each restart, in the browser's chat panel")
                        .contains("api back", "origin-2 back", "chat-1 back", "chat-2 back", "ingest back");
            } finally {
                browser.kill();
                journeys.stop();
            }
        }
    }
}
