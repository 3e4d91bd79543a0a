package io.castpipe.app;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.castpipe.api.ApiService;
import io.castpipe.chat.ChatService;
import io.castpipe.common.node.NodeContext;
import io.castpipe.ingest.IngestService;
import io.castpipe.common.node.Service;
import io.castpipe.origin.OriginService;
import io.castpipe.transcoder.live.LiveTranscoderService;
import io.castpipe.transcoder.vod.VodTranscoderService;

/** What a castpipe process runs, and which shared services that needs. */
enum Role {
    INGEST(EnumSet.of(Need.KAFKA, Need.DATABASE)),
    TRANSCODER(EnumSet.of(Need.KAFKA, Need.OBJECT_STORE, Need.FFMPEG)),
    ORIGIN(EnumSet.of(Need.KAFKA, Need.OBJECT_STORE, Need.SIGNING_SECRET)),
    CHAT(EnumSet.of(Need.KAFKA, Need.SIGNING_SECRET)),
    API(EnumSet.of(Need.KAFKA, Need.OBJECT_STORE, Need.DATABASE, Need.SIGNING_SECRET, Need.ADMIN_TOKEN)),
    /** Every role above, in this order, in one process. */
    ALL(EnumSet.allOf(Need.class));

    enum Need { KAFKA, OBJECT_STORE, DATABASE, FFMPEG, SIGNING_SECRET, ADMIN_TOKEN }

    private final Set<Need> needs;

    Role(Set<Need> needs) {
        this.needs = needs;
    }

    /** The services this role runs, built from the node's context. */
    List<Service> services(NodeContext context) {
        if (this == ALL) {
            return Arrays.stream(values()).filter(r -> r != ALL).flatMap(r -> r.services(context).stream()).toList();
        }
        return switch (this) {
            case TRANSCODER -> List.of(new VodTranscoderService(context), new LiveTranscoderService(context));
            case ORIGIN -> List.of(new OriginService(context));
            case API -> List.of(new ApiService(context));
            case INGEST -> List.of(new IngestService(context));
            case CHAT -> List.of(new ChatService(context));
            case ALL -> throw new AssertionError();
        };
    }

    boolean needs(Need need) {
        return needs.contains(need);
    }

    String label() {
        return this == ALL ? "all" : name().toLowerCase(Locale.ROOT);
    }

    static Role parse(String name) {
        for (Role r : values()) {
            if (r != ALL && r.label().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + name + "'; roles are " + Arrays.stream(values())
                .filter(r -> r != ALL).map(Role::label).collect(Collectors.joining(", ")));
    }
}
