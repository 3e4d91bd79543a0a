package io.castpipe.common.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free ports for the servers a test or benchmark starts, all different from one another. */
public final class FreePorts {
    private FreePorts() {
    }

    /**
     * {@code count} ports free now. All probe sockets stay open until every port is chosen:
     * closed one by one, the system may hand the same port out twice.
     */
    public static int[] take(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one port");
        }
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // only a probe
                }
            }
        }
    }

    /** One port free now. */
    public static int one() {
        return take(1)[0];
    }
}
