package io.castpipe.api.channels;

import java.sql.SQLException;

import io.castpipe.api.auth.Caller;
import io.castpipe.api.http.ApiException;

/** Finds a channel by the name in a request: 404 when there is none, 403 when the caller may not manage it. */
public final class ChannelLookup {
    private final ChannelRepository channels;

    public ChannelLookup(ChannelRepository channels) {
        this.channels = channels;
    }

    public Channel find(String name) throws SQLException {
        if (name == null || !ChannelsEndpoint.NAME.matcher(name).matches()) {
            throw ApiException.notFound("no channel named '" + (name == null ? "" : name) + "'");
        }
        return channels.findByName(name)
                .orElseThrow(() -> ApiException.notFound("no channel named '" + name + "'"));
    }

    /** The channel, if {@code caller} is its owner or the admin. */
    public Channel manageable(String name, Caller caller) throws SQLException {
        Channel channel = find(name);
        caller.requireSignedIn();
        if (!channel.manageableBy(caller)) {
            throw ApiException.forbidden("only the channel's owner or the admin may do this");
        }
        return channel;
    }
}
