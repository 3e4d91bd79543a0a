package io.castpipe.app;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What a castpipe process runs, and which shared services that needs. */
enum Role {
    ALL(EnumSet.allOf(Need.class)),
    INGEST(EnumSet.of(Need.KAFKA, Need.DATABASE)),
    TRANSCODER(EnumSet.of(Need.KAFKA, Need.OBJECT_STORE, Need.FFMPEG)),
    ORIGIN(EnumSet.of(Need.KAFKA, Need.OBJECT_STORE)),
    CHAT(EnumSet.of(Need.KAFKA)),
    API(EnumSet.of(Need.KAFKA, Need.OBJECT_STORE, Need.DATABASE));

    enum Need { KAFKA, OBJECT_STORE, DATABASE, FFMPEG }

    private final Set<Need> needs;

    Role(Set<Need> needs) {
        this.needs = needs;
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
