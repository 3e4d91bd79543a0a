package io.castpipe.api.users;

import java.sql.SQLException;
import java.util.List;

import io.castpipe.api.channels.Channel;
import io.castpipe.api.channels.ChannelRepository;
import io.castpipe.api.streams.LiveControl;
import io.castpipe.api.videos.Video;
import io.castpipe.api.videos.VideoRemover;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.common.events.StreamControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a user and everything theirs, in the order that leaves nothing of theirs usable in
 * between: their tokens (they are signed out at once), their channels' stream keys (no encoder
 * publishes again, not even one that reconnects by itself) and live streams (ordered ended),
 * every video with its objects (recordings of their channels among them), the channels, the user.
 * Chat messages they wrote in others' channels stay, as the room's history.
 */
public final class UserRemover {
    private static final Logger log = LoggerFactory.getLogger(UserRemover.class);
    /**
     * A stream that started just before its key changed makes a recording after the videos were
     * listed, and a request that had passed its token check may still add a channel.
     */
    private static final int ATTEMPTS = 3;

    private final UserRepository users;
    private final TokenRepository tokens;
    private final ChannelRepository channels;
    private final VideoRepository videos;
    private final VideoRemover videoRemover;
    private final LiveControl live;

    public UserRemover(UserRepository users, TokenRepository tokens, ChannelRepository channels, VideoRepository videos,
                       VideoRemover videoRemover, LiveControl live) {
        this.users = users;
        this.tokens = tokens;
        this.channels = channels;
        this.videos = videos;
        this.videoRemover = videoRemover;
        this.live = live;
    }

    public void remove(String userId) throws SQLException {
        tokens.deleteAll(userId);
        int removedChannels = 0;
        int removedVideos = 0;
        for (int attempt = 1; ; attempt++) {
            // Listed again each round: a request already past its token check may add a channel or a video.
            List<Channel> owned = channels.listOwnedBy(userId, Integer.MAX_VALUE);
            for (Channel c : owned) {
                channels.setStreamKey(c.id(), Channel.newStreamKey());
                live.endChannel(c.id(), StreamControl.USER_REMOVED);
            }
            for (Video v : videos.ownedBy(userId)) {
                videoRemover.remove(v);
                removedVideos++;
            }
            try {
                for (Channel c : owned) {
                    channels.delete(c.id());
                    removedChannels++;
                }
                users.delete(userId);
                break;
            } catch (SQLException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
        log.info("user {} removed with {} channels and {} videos", userId, removedChannels, removedVideos);
    }
}
